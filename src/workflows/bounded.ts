/**
 * Bounded waits for effects on live systems. The workflows never rely on an adapter's own
 * timeout: every effect is raced against a deadline (and, where the protocol allows, an
 * interrupt), and the loser is left to settle on its own (docs/fail-safe.md).
 */
import {MigrateError} from '../domain/errors.ts';

/** what an effect that did not answer in time rejects with (retriable: the call may be repeated) */
export const noAnswer = (what: string, ms: number) =>
  new MigrateError('upstream', `No answer while ${what} within ${ms / 1000} s.`, {hint: 'The service hangs or the network is down; the command did not wait longer.'});

/** p, or a rejection with noAnswer(what) after ms; the timer never keeps the process alive */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(noAnswer(what, ms)), ms);
    timer.unref();
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** settles with {ok: false} instead of throwing: for records that must never block the emergency path */
export async function bestEffort(p: () => Promise<unknown>, ms: number, what: string): Promise<{ok: true} | {ok: false; error: string}> {
  try {
    await within(Promise.resolve().then(p), ms, what);
    return {ok: true};
  } catch (err) {
    return {ok: false, error: err instanceof Error ? err.message : String(err)};
  }
}
