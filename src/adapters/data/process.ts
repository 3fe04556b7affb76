/**
 * Runs a data tool (pg_dump, pg_restore) as a child process: credentials only in its
 * environment (never argv, which `ps` shows), stderr read line by line for progress, the last
 * lines kept (redacted) for the error message.
 */
import {spawn} from 'node:child_process';
import {MigrateError} from '../../domain/errors.ts';

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the last stderr lines, already redacted */
  tail: string[];
}

export function runTool(
  bin: string,
  args: string[],
  options: {env: Record<string, string>; onLine?: (line: string) => void; redact: (s: string) => string; installHint: string},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, ...options.env}});
    const tail: string[] = [];
    let partial = '';
    const onLine = (line: string) => {
      if (!line) return;
      options.onLine?.(line);
      tail.push(options.redact(line));
      if (tail.length > 12) tail.shift();
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    // Ctrl-C reaches the child through the process group; a signal sent to this process alone must not orphan it:
    // pass it on to the child, then re-raise it so the default action (exit) still happens
    const stop = () => child.kill('SIGTERM');
    const relay = (signal: NodeJS.Signals) => {
      detach();
      child.kill(signal);
      process.kill(process.pid, signal);
    };
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
    const detach = () => {
      process.off('exit', stop);
      for (const s of signals) process.off(s, relay);
    };
    process.once('exit', stop);
    for (const s of signals) process.once(s, relay);
    child.on('error', (err: NodeJS.ErrnoException) => {
      detach();
      if (err.code === 'ENOENT') reject(new MigrateError('io', `${bin} was not found.`, {hint: options.installHint}));
      else reject(new MigrateError('io', `Cannot run ${bin} (${err.code ?? err.message}).`, {hint: options.installHint}));
    });
    child.on('close', (code, signal) => {
      detach();
      onLine(partial);
      resolve({code, signal, tail});
    });
  });
}
