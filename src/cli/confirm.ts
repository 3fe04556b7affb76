/** Confirmation before a live change: --yes, or a y/N prompt on a TTY; never hangs without one. */
import {usageError} from '../domain/errors.ts';

export function confirmer(yes: boolean, flag = '--yes'): (summary: string) => Promise<void> {
  return async (summary) => {
    if (yes) return;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw usageError(`${summary}: confirmation needed, and there is no terminal to ask.`, `Re-run with ${flag} to confirm non-interactively.`);
    }
    const {createInterface} = await import('node:readline/promises');
    const rl = createInterface({input: process.stdin, output: process.stderr});
    try {
      const answer = await rl.question(`${summary}. Continue? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) throw usageError('Cancelled: nothing was changed.', `Answer y, or pass ${flag}.`);
    } finally {
      rl.close();
    }
  };
}

/** Ctrl-C and SIGTERM as events for a long-running workflow (instead of killing the process). */
export const processInterrupts = {
  subscribe(onInterrupt: () => void): () => void {
    const handler = () => onInterrupt();
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};
