/**
 * Progress on stderr for long work: listr2 in a terminal, plain timestamped lines without one,
 * JSON lines with --json (stdout stays for the result).
 */
export type ProgressMode = 'tty' | 'plain' | 'json';
export type Report = (line: string, data?: Record<string, unknown>) => void;

/** listr2 only in a real terminal (a pseudo-terminal without a size would wrap every character) */
export const progressMode = (json: boolean): ProgressMode => (json ? 'json' : process.stderr.isTTY && (process.stderr.columns ?? 0) >= 40 ? 'tty' : 'plain');

export async function withProgress<T>(title: string, mode: ProgressMode, run: (report: Report) => Promise<T>): Promise<T> {
  if (mode === 'plain') return run((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  if (mode === 'json') return run((line, data) => process.stderr.write(JSON.stringify({at: new Date().toISOString(), event: line, ...data}) + '\n'));
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2');
  let result: T | undefined;
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          result = await run((line) => {
            task.output = line;
          });
        },
        rendererOptions: {persistentOutput: true, outputBar: 3},
      },
    ],
    {registerSignalListeners: false, rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})}},
  );
  await list.run();
  return result as T;
}
