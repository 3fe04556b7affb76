/** Confirmation before a live change: --yes, or a y/N prompt on a TTY; never hangs without one. */
import {usageError} from '../domain/errors.ts';

/** a person can answer: both the input and the prompt's stream are terminals */
export const canAsk = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/** One question on stderr, the answer (trimmed) from stdin. */
export async function ask(question: string): Promise<string> {
  const {createInterface} = await import('node:readline/promises');
  const rl = createInterface({input: process.stdin, output: process.stderr});
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

export function confirmer(yes: boolean, flag = '--yes'): (summary: string) => Promise<void> {
  return async (summary) => {
    if (yes) return;
    if (!canAsk()) {
      throw usageError(`${summary}: confirmation needed, and there is no terminal to ask.`, `Re-run with ${flag} to confirm non-interactively.`);
    }
    if (!/^y(es)?$/i.test(await ask(`${summary}. Continue? [y/N] `))) throw usageError('Cancelled: nothing was changed.', `Answer y, or pass ${flag}.`);
  };
}
