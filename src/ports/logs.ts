/** What following a task's output needs from CloudWatch Logs: one stream, read forward. */
export interface LogPage {
  /** the events' messages, oldest first */
  lines: string[];
  /** pass to the next read; the same token comes back when nothing new arrived */
  nextToken: string;
}

export interface LogReader {
  /** the events after `token` (from the start without one); null while the stream does not exist yet */
  read(group: string, stream: string, token?: string): Promise<LogPage | null>;
}
