/**
 * Moving every visitor back to Heroku: AWS weight 0 / Heroku 1 in ONE write carrying both pool
 * weights, the AWS pool disabled when session affinity is on or unknown (pinned visitors ignore
 * weights), then a read-back that must show it. Shared by `migrate rollback` and the guard, so both
 * write exactly the same way. It only ever writes share 0: it can never raise the AWS share.
 *
 * Every Cloudflare call is bounded (bounded.ts). A read that fails does not stop it: without a
 * live view it writes from the recorded ids (`blind`), since writing 0 is safe whatever is live.
 * A failed write is tried again (after a growing pause when the failure was a 429/5xx and
 * `backoffMs` is set); a write that does not read back as 0 is written again. It never throws:
 * the caller reads `verified` and decides what to tell.
 */
import {MigrateError} from '../domain/errors.ts';
import type {JournalEntry} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec, EdgeView} from '../ports/edge.ts';
import {within} from './bounded.ts';

export interface ZeroOptions {
  edge: EdgeBalancer;
  spec: EdgeSpec;
  /** receives the `op: 'rollback', phase: 'result'` line of each write attempt */
  record: (entry: Omit<JournalEntry, 'at'>) => void | Promise<void>;
  id: string;
  /** merged into every result line (e.g. `{by: 'guard', alarm}`) */
  details?: Record<string, unknown>;
  /** the time to stamp into result lines */
  at: () => string;
  /** a view to write from when the load balancer cannot be read (ids from the state or config) */
  blind: () => EdgeView;
  sleep: (ms: number) => Promise<void>;
  /** bound on every Cloudflare call (default 10 s) */
  callTimeoutMs?: number;
  /** write attempts (default 3) */
  attempts?: number;
  /** pause before retrying after a 429/5xx: backoffMs * 2^(n-1), capped at 30 s (default 0: none) */
  backoffMs?: number;
  onNote?: (message: string) => void;
  /** a read that failed (the loop carries on) */
  onWarning?: (message: string) => void;
}

export interface ZeroOutcome {
  /** the last read-back (null when none answered); awsShare NaN when a read-back after a write failed */
  view: EdgeView | null;
  /** at least one write was accepted */
  written: boolean;
  /** the last read-back shows AWS 0% (and the AWS pool disabled under session affinity) */
  verified: boolean;
}

export const retriableEdgeError = (err: unknown) => err instanceof MigrateError && (err.code === 'rate-limited' || err.code === 'upstream');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Enough of the load balancer to write its weights when Cloudflare cannot be read first: the
 * recorded ids, the share unknown (NaN: always written) and session affinity unknown (the AWS pool
 * is disabled too, to be safe).
 */
export function blindView(ids: {loadBalancerId: string; hostname: string; herokuPoolId: string; awsPoolId: string}): EdgeView {
  return {
    loadBalancerId: ids.loadBalancerId,
    hostname: ids.hostname,
    steeringPolicy: 'random',
    herokuPoolId: ids.herokuPoolId,
    awsPoolId: ids.awsPoolId,
    awsShare: Number.NaN,
    fallbackPoolId: ids.herokuPoolId,
    defaultPools: [ids.herokuPoolId, ids.awsPoolId],
    awsPoolEnabled: true,
    sessionAffinity: 'unknown',
    adaptiveFailover: false,
  };
}

/** true when the view shows nobody is sent to AWS: share 0, and no enabled AWS pool under affinity */
export const isSafe = (v: EdgeView | null): boolean => v !== null && v.awsShare === 0 && !(v.sessionAffinity !== 'none' && v.awsPoolEnabled);

/** reads the load balancer within the bound; null (and a warning) when it does not answer */
export async function readOrNull(o: ZeroOptions, what: string): Promise<EdgeView | null> {
  try {
    return await within(o.edge.read(o.spec), o.callTimeoutMs ?? 10_000, `reading the load balancer of ${o.spec.hostname}`);
  } catch (err) {
    o.onWarning?.(`${what}: ${message(err)}`);
    return null;
  }
}

/** From `view` (a fresh read, or null when none answered), writes AWS 0% until a read-back shows it. */
export async function ensureAwsZero(o: ZeroOptions, view: EdgeView | null): Promise<ZeroOutcome> {
  const timeout = o.callTimeoutMs ?? 10_000;
  let written = false;
  let failures = 0;
  for (let attempt = 1; attempt <= (o.attempts ?? 3) && !isSafe(view); attempt++) {
    const target = view ?? o.blind();
    const disable = target.sessionAffinity !== 'none' && target.awsPoolEnabled;
    o.onNote?.(`Writing AWS 0% / Heroku 100%${disable ? ' and disabling the AWS pool (session affinity is on or unknown)' : ''}`);
    try {
      if (target.awsShare !== 0) await within(o.edge.writeWeights(target, 0, o.spec), timeout, `writing the weights of ${o.spec.hostname}`);
      if (disable) await within(o.edge.setAwsPoolEnabled(target, false, o.spec), timeout, `disabling the AWS pool of ${o.spec.hostname}`);
      written = true;
      await o.record({id: o.id, op: 'rollback', phase: 'result', ok: true, details: {...o.details, share: 0, attempt, at: o.at()}});
    } catch (err) {
      await o.record({id: o.id, op: 'rollback', phase: 'result', ok: false, details: {...o.details, share: 0, attempt, at: o.at(), error: message(err)}});
      if (retriableEdgeError(err) && o.backoffMs) await o.sleep(Math.min(30_000, o.backoffMs * 2 ** failures++));
    }
    view = (await readOrNull(o, `Read-back ${attempt} failed`)) ?? (view && {...view, awsShare: Number.NaN});
  }
  return {view, written, verified: isSafe(view)};
}
