/**
 * SIGINT (Ctrl-C) and SIGTERM in every command. A workflow that stops cleanly by itself (the
 * cutover) subscribes and receives them as events. Otherwise the command stops at once: a
 * message, the app's lock released (only if still ours), exit 4 (interrupted: re-run to
 * continue; every writing command reconciles with the live systems). docs/fail-safe.md.
 */
import {releaseHeldLocks} from '../adapters/state/held-locks.ts';
import {ExitCode} from '../domain/errors.ts';

const subscribers = new Set<() => void>();
let installed = false;
let signals = 0;
let context: {command: string; json: () => boolean} = {command: 'migrate', json: () => false};

/** how many signals a subscribed workflow gets to stop by itself before the process stops anyway */
const FORCE_AFTER = 3;

async function stopNow(signal: NodeJS.Signals): Promise<void> {
  const released = await Promise.race([releaseHeldLocks(), new Promise<number>((r) => setTimeout(() => r(0), 2000).unref())]);
  const message = `Interrupted by ${signal}: \`${context.command}\` stopped${released ? "; the app's lock was released" : ''}.`;
  const hint = 'Re-run the command to continue: it reconciles with the live systems (`migrate status` shows where things stand).';
  if (context.json()) {
    process.stdout.write(JSON.stringify({status: 'error', error: {code: 'interrupted', message, hint, exitCode: ExitCode.paused}, warnings: []}) + '\n');
  } else process.stderr.write(`\nError: ${message}\nFix: ${hint}\n`);
  process.exit(ExitCode.paused);
}

function onSignal(signal: NodeJS.Signals): void {
  signals++;
  if (subscribers.size && signals < FORCE_AFTER) {
    for (const notify of subscribers) notify();
    return;
  }
  if (signals === 1 || subscribers.size) void stopNow(signal);
  else process.exit(ExitCode.paused); // a second signal while stopping: now
}

/** installs the handlers once per process; commands call it from init() */
export function handleSignals(command?: string, json?: () => boolean): void {
  if (command) context = {command, json: json ?? context.json};
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Ctrl-C and SIGTERM as events for a long-running workflow (instead of stopping the process). */
export const processInterrupts = {
  subscribe(onInterrupt: () => void): () => void {
    handleSignals();
    subscribers.add(onInterrupt);
    return () => {
      subscribers.delete(onInterrupt);
    };
  },
};
