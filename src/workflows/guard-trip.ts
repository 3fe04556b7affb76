/**
 * The guard's one action, run by the function for every event: when one of the plan's gate
 * alarms is in ALARM, move all traffic back to Heroku (the same write as `migrate rollback`,
 * through edge-zero.ts) and journal it with the same ops as `migrate rollback` (`op: 'rollback'`,
 * intent/result/verify, `details.by: 'guard'` and the alarm), so every journal reader sees the
 * tool's own rollback. It can only lower the AWS share: the only share it ever writes is 0.
 *
 * Cloudflare comes first: a state store that cannot be written does not delay the rollback
 * (journal failures are collected and reported, not thrown). It also leaves a rollback request,
 * so a `migrate shift` running somewhere stops (exit 3) instead of writing again.
 */
import {MigrateError} from '../domain/errors.ts';
import {classifyEvent, type GuardConfig} from '../domain/guard.ts';
import type {EdgeBalancer, EdgeSpec} from '../ports/edge.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {blindView, ensureAwsZero, isSafe, readOrNull, type ZeroOptions} from './edge-zero.ts';

export interface GuardDeps {
  state: Pick<StateStore, 'journal' | 'writeRollbackRequest'>;
  edge: () => Promise<EdgeBalancer>;
  metrics: () => Promise<Pick<MetricsGate, 'alarmStates'>>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** one line per decision (the function's log) */
  log?: (message: string) => void;
  /** write attempts (default 5) and the first back-off pause (default 1 s, doubling) */
  attempts?: number;
  backoffMs?: number;
}

export type GuardAction = 'ignored' | 'clear' | 'already-zero' | 'rolled-back' | 'would-roll-back';

export interface GuardOutcome {
  action: GuardAction;
  reason: string;
  alarm?: string;
  /** AWS share before and after (percent) */
  from?: number;
  live?: number;
  awsPoolDisabled?: boolean;
  /** journal or rollback-request writes that failed (the rollback itself stood) */
  recordErrors: string[];
}

/** The EdgeSpec the adapter needs to find and write the load balancer (names and ids only). */
export function guardEdgeSpec(config: GuardConfig): EdgeSpec {
  return {
    zoneId: config.edge.zoneId,
    accountId: config.edge.accountId,
    hostname: config.edge.hostname,
    namePrefix: config.edge.namePrefix,
    // not used by read/write: the guard never creates anything
    monitor: {path: '/', expectedCodes: '2xx', intervalSeconds: 60, type: 'https'},
    heroku: {address: '', hostHeader: null},
    aws: {address: ''},
  };
}

export async function guardWorkflow(event: unknown, config: GuardConfig, deps: GuardDeps): Promise<GuardOutcome> {
  const recordErrors: string[] = [];
  const log = (m: string) => deps.log?.(m);
  const request = classifyEvent(event, config);
  if (request.kind === 'ignore') {
    log(`ignored: ${request.reason}`);
    return {action: 'ignored', reason: request.reason, recordErrors};
  }

  let alarm: string;
  let trigger: string;
  if (request.kind === 'check') {
    const states = await (await deps.metrics()).alarmStates(config.alarms.map((a) => a.name));
    const firing = config.alarms.map((a) => a.name).filter((n) => states[n] === 'ALARM');
    const missing = config.alarms.map((a) => a.name).filter((n) => states[n] === 'MISSING');
    if (missing.length) log(`warning: alarms missing: ${missing.join(', ')}`);
    if (firing.length === 0) {
      const reason = `no gate alarm in ALARM (${config.alarms.map((a) => `${a.name} ${states[a.name]}`).join(', ')})`;
      log(`clear: ${reason}`);
      return {action: 'clear', reason, recordErrors};
    }
    alarm = firing.join(', ');
    trigger = 'schedule';
  } else if (request.kind === 'test') {
    alarm = 'synthetic test (migrate guard test)';
    trigger = request.dryRun ? 'test-dry-run' : 'test';
  } else {
    alarm = request.alarm;
    trigger = request.trigger;
  }

  const edge = await deps.edge();
  const spec = guardEdgeSpec(config);
  const at = new Date(deps.now()).toISOString();
  const id = `rollback-guard-${at.replace(/[:.]/g, '-')}`;
  const by = 'guard';
  const journal = {
    journal: async (entry: Parameters<StateStore['journal']>[0]) => {
      try {
        await deps.state.journal(entry);
      } catch (err) {
        recordErrors.push(`journal ${entry.phase}: ${(err as Error).message}`);
      }
    },
  };
  const requestShiftStop = async () => {
    try {
      await deps.state.writeRollbackRequest({at, by: `guard (alarm ${alarm})`});
    } catch (err) {
      recordErrors.push(`rollback request: ${(err as Error).message}`);
    }
  };
  const zero: ZeroOptions = {
    edge,
    spec,
    record: journal.journal,
    id,
    at: () => new Date(deps.now()).toISOString(),
    details: {by, alarm, trigger},
    blind: () => blindView(config.edge),
    sleep: deps.sleep,
    attempts: deps.attempts ?? 5,
    backoffMs: deps.backoffMs ?? 1000,
    onNote: log,
    onWarning: (m) => log(`warning: ${m}`),
  };

  let view = await readOrNull(zero, 'Could not read the live weights first');
  for (let failure = 0; !view && failure < 2; failure++) {
    await deps.sleep(Math.min(30_000, (deps.backoffMs ?? 1000) * 2 ** failure));
    view = await readOrNull(zero, 'Could not read the live weights');
  }
  const from = view?.awsShare ?? null;
  if (view && view.loadBalancerId !== config.edge.loadBalancerId) {
    log(`warning: the load balancer for ${config.edge.hostname} is ${view.loadBalancerId}, the guard was installed for ${config.edge.loadBalancerId}`);
  }
  if (view && !view.defaultPools.includes(view.herokuPoolId)) {
    const reason = `alarm ${alarm}: the Heroku pool is not in the load balancer (retired by finalize?); nothing to move traffic back to, nothing written`;
    log(`warning: ${reason}`);
    return {action: 'ignored', reason, alarm, from: view.awsShare, live: view.awsShare, recordErrors};
  }
  if (view && isSafe(view)) {
    if (request.kind !== 'test') await requestShiftStop();
    const reason = `alarm ${alarm}: the AWS share is already 0%${view.sessionAffinity !== 'none' ? ' and the AWS pool disabled' : ''}; nothing written`;
    log(`already at 0%: ${reason}`);
    return {action: 'already-zero', reason, alarm, from: view.awsShare, live: view.awsShare, awsPoolDisabled: !view.awsPoolEnabled, recordErrors};
  }
  if (request.kind === 'test' && request.dryRun) {
    if (!view) throw new MigrateError('upstream', `The load balancer of ${config.edge.hostname} could not be read: nothing to show.`, {hint: 'Check the Cloudflare token and the network, then retry.'});
    const reason = `would write AWS 0% / Heroku 100% (live AWS ${view.awsShare}%)${view.sessionAffinity !== 'none' && view.awsPoolEnabled ? ' and disable the AWS pool (session affinity is on)' : ''}`;
    log(`dry run: ${reason}`);
    return {action: 'would-roll-back', reason, alarm, from: view.awsShare, live: view.awsShare, awsPoolDisabled: !view.awsPoolEnabled, recordErrors};
  }

  log(`tripped by ${alarm} (${trigger}): AWS ${from ?? 'unknown (unread)'}% -> 0%`);
  await journal.journal({id, op: 'rollback', phase: 'intent', details: {from, by, alarm, trigger}});
  const outcome = await ensureAwsZero(zero, view);
  const after = outcome.view;
  const live = after && Number.isFinite(after.awsShare) ? after.awsShare : null;
  if (!outcome.verified) {
    await journal.journal({id, op: 'rollback', phase: 'verify', ok: false, details: {live, awsPoolEnabled: after?.awsPoolEnabled ?? null, by, alarm, trigger}});
    throw new MigrateError('upstream', `The guard ${outcome.written ? 'wrote AWS 0% but could not verify it' : `could not write AWS 0% in ${zero.attempts} attempts`}: the live AWS share is ${live === null ? 'unknown' : `${live}%`}${after?.awsPoolEnabled && live === 0 ? ' with the AWS pool enabled under session affinity' : ''}.`, {
      hint: 'Set the AWS pool weight to 0 (or disable the AWS pool) in the Cloudflare dashboard now, then run `migrate rollback` to verify and record it.',
    });
  }
  await requestShiftStop();
  await journal.journal({id, op: 'rollback', phase: 'verify', ok: true, details: {live, awsPoolEnabled: after!.awsPoolEnabled, by, alarm, trigger}});
  for (const e of recordErrors) log(`warning: could not record: ${e}`);
  const reason = `alarm ${alarm}: AWS ${from ?? 'unknown'}% -> ${live}% (verified)${after!.awsPoolEnabled ? '' : '; AWS pool disabled'}`;
  log(`rolled back: ${reason}`);
  return {action: 'rolled-back', reason, alarm, ...(from === null ? {} : {from}), live: live ?? 0, awsPoolDisabled: !after!.awsPoolEnabled, recordErrors};
}
