/**
 * Progress on stderr for long work: listr2 in a terminal, plain timestamped lines without one,
 * JSON lines with --json (stdout stays for the result).
 */
export type ProgressMode = 'tty' | 'plain' | 'json';
export type Report = (line: string, data?: Record<string, unknown>) => void;

/** listr2 only in a real terminal (a pseudo-terminal without a size would wrap every character) */
export const progressMode = (json: boolean): ProgressMode => (json ? 'json' : process.stderr.isTTY && (process.stderr.columns ?? 0) >= 40 ? 'tty' : 'plain');

/**
 * Runs `run` with a progress reporter. In a terminal the listr2 display starts only at the first
 * report, so a prompt the work asks before it has anything to report (a confirmation) is shown
 * on a clean screen and answered before any progress is drawn.
 */
export async function withProgress<T>(title: string, mode: ProgressMode, run: (report: Report) => Promise<T>): Promise<T> {
  if (mode === 'plain') return run((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  if (mode === 'json') return run((line, data) => process.stderr.write(JSON.stringify({at: new Date().toISOString(), event: line, ...data}) + '\n'));
  const {Listr, ListrLogger, ProcessOutput} = await import('listr2');
  let setOutput: ((line: string) => void) | null = null;
  let pending: string | null = null;
  let finish!: (error?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error === undefined ? resolve() : reject(error))));
  finished.catch(() => undefined); // a failure before the display started has no listener
  let display: Promise<unknown> | null = null;
  const start = () => {
    const list = new Listr(
      [
        {
          title,
          task: async (_ctx, task) => {
            setOutput = (line) => (task.output = line);
            if (pending !== null) setOutput(pending);
            await finished;
          },
          rendererOptions: {persistentOutput: true, outputBar: 3},
        },
      ],
      {registerSignalListeners: false, exitOnError: true, rendererOptions: {logger: new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})}},
    );
    display = list.run().catch(() => undefined);
  };
  const report: Report = (line) => {
    pending = line;
    if (!display) start();
    setOutput?.(line);
  };
  try {
    const result = await run(report);
    finish();
    return result;
  } catch (err) {
    finish(err);
    throw err;
  } finally {
    await display;
  }
}
