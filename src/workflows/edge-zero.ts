/**
 * Moving every visitor back to Heroku: AWS weight 0 / Heroku 1 in ONE write carrying both pool
 * weights, the AWS pool disabled when session affinity is on (pinned visitors ignore weights),
 * then a read-back that must show it. Shared by `migrate rollback` and the guard, so both write
 * exactly the same way. It only ever writes share 0: it can never raise the AWS share.
 *
 * Retries: a write or read that fails with a retriable error (429, 5xx, no answer) is retried
 * after a growing pause (the SDK has already retried it a few times); a write that was accepted
 * but does not read back as 0 is written again. Other errors (token, permission, not found) stop
 * at once: retrying cannot fix them.
 */
import {MigrateError} from '../domain/errors.ts';
import type {EdgeBalancer, EdgeSpec, EdgeView} from '../ports/edge.ts';
import type {StateStore} from '../ports/state.ts';

export interface ZeroOptions {
  edge: EdgeBalancer;
  spec: EdgeSpec;
  /** journals `op: 'rollback', phase: 'result'` lines under this id */
  journal: Pick<StateStore, 'journal'>;
  id: string;
  /** merged into every result line (e.g. `{by: 'guard', alarm}`) */
  details?: Record<string, unknown>;
  sleep: (ms: number) => Promise<void>;
  /** write attempts (default 3) */
  attempts?: number;
  /** pause before retrying a retriable failure: backoffMs * 2^(n-1), capped at 30 s (default 1000) */
  backoffMs?: number;
  onNote?: (message: string) => void;
}

export interface ZeroOutcome {
  view: EdgeView;
  /** at least one write was accepted */
  written: boolean;
  attempts: number;
}

export const retriableEdgeError = (err: unknown) => err instanceof MigrateError && (err.code === 'rate-limited' || err.code === 'upstream');

/** true when the view still sends visitors to AWS: a weight above 0, or a pinned visitor's enabled AWS pool */
export const needsZero = (view: EdgeView) => view.awsShare !== 0 || (view.sessionAffinity !== 'none' && view.awsPoolEnabled);

const pause = (o: ZeroOptions, failure: number) => o.sleep(Math.min(30_000, (o.backoffMs ?? 1000) * 2 ** (failure - 1)));

/** Reads the load balancer, retrying retriable failures with the same back-off. */
export async function readWithRetry(o: ZeroOptions): Promise<EdgeView> {
  const attempts = o.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await o.edge.read(o.spec);
    } catch (err) {
      if (!retriableEdgeError(err) || attempt >= attempts) throw err;
      await pause(o, attempt);
    }
  }
}

/**
 * From `view` (a fresh read), writes AWS 0% until a read-back shows it. Throws when the attempts
 * are spent (the message says what is live) or on a non-retriable error.
 */
export async function ensureAwsZero(o: ZeroOptions, view: EdgeView): Promise<ZeroOutcome> {
  const attempts = o.attempts ?? 3;
  let written = false;
  let attempt = 0;
  while (needsZero(view)) {
    attempt++;
    if (attempt > attempts) break;
    const affinity = view.sessionAffinity !== 'none';
    o.onNote?.(`Writing AWS 0% / Heroku 100%${affinity && view.awsPoolEnabled ? ' and disabling the AWS pool (session affinity is on)' : ''}`);
    try {
      if (view.awsShare !== 0) await o.edge.writeWeights(view, 0, o.spec);
      if (affinity && view.awsPoolEnabled) await o.edge.setAwsPoolEnabled(view, false, o.spec);
      written = true;
      await o.journal.journal({id: o.id, op: 'rollback', phase: 'result', ok: true, details: {...o.details, share: 0, attempt}});
    } catch (err) {
      await o.journal.journal({id: o.id, op: 'rollback', phase: 'result', ok: false, details: {...o.details, share: 0, attempt, error: (err as Error).message}});
      if (!retriableEdgeError(err) || attempt >= attempts) throw err;
      await pause(o, attempt);
    }
    view = await readWithRetry(o);
  }
  if (needsZero(view)) {
    throw new MigrateError('upstream', `After ${attempts} attempts the live AWS share is still ${view.awsShare}%${view.awsShare === 0 ? ' with the AWS pool enabled under session affinity' : ''}.`, {
      hint: 'Set the AWS pool weight to 0 (and disable the AWS pool) in the Cloudflare dashboard now, then re-run `migrate rollback` to record it.',
    });
  }
  return {view, written, attempts: attempt};
}
