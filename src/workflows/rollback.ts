/**
 * `migrate rollback`: AWS share 0 now, verified and journaled. It does not wait for the app's
 * lock (it is the emergency exit): it leaves a request a running shift honours, writes 0 itself,
 * and re-verifies after that shift has stopped.
 */
import {MigrateError} from '../domain/errors.ts';
import type {EdgeBalancer} from '../ports/edge.ts';
import type {LockInfo, StateStore} from '../ports/state.ts';
import {refuseIfRetired} from './cutover-journal.ts';
import {specFromState} from './shift.ts';

export interface RollbackDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  operator: string;
  /** how long to wait for a running shift to stop before the final check */
  shiftWaitMs?: number;
  onNote?: (message: string) => void;
}

export interface RollbackResult {
  from: number;
  live: number;
  written: boolean;
  awsPoolDisabled: boolean;
  runningShift: string | null;
}

/** a shift holds the lock and its lease (shared backends) has not run out */
const isLiveShift = (h: LockInfo | null) => h?.command === 'shift' && !h.expired;

export async function rollbackWorkflow(input: {app: string}, deps: RollbackDeps): Promise<RollbackResult> {
  const plan = await deps.state.readPlan();
  const spec = specFromState(plan, await deps.state.readState());
  refuseIfRetired(await deps.state.readJournal(), plan.app.name, 'roll back to');
  const at = () => new Date(deps.now()).toISOString();
  await deps.state.writeRollbackRequest({at: at(), by: deps.operator});
  const edge = await deps.edge();
  const id = `rollback-${at().replace(/[:.]/g, '-')}`;
  const holder = await deps.state.lockHolder();
  const runningShift = isLiveShift(holder) && holder ? `${holder.user}@${holder.host} pid ${holder.pid}` : null;

  let view = await edge.read(spec);
  const from = view.awsShare;
  let written = false;
  await deps.state.journal({id, op: 'rollback', phase: 'intent', details: {from, by: deps.operator, runningShift}});
  const ensureZero = async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const affinity = view.sessionAffinity !== 'none';
      if (view.awsShare === 0 && !(affinity && view.awsPoolEnabled)) return;
      deps.onNote?.(`Writing AWS 0% / Heroku 100%${affinity ? ' and disabling the AWS pool (session affinity is on)' : ''}`);
      try {
        if (view.awsShare !== 0) await edge.writeWeights(view, 0, spec);
        if (affinity && view.awsPoolEnabled) await edge.setAwsPoolEnabled(view, false, spec);
        written = true;
        await deps.state.journal({id, op: 'rollback', phase: 'result', ok: true, details: {share: 0, attempt}});
      } catch (err) {
        await deps.state.journal({id, op: 'rollback', phase: 'result', ok: false, details: {share: 0, attempt, error: (err as Error).message}});
        if (attempt === 3) throw err;
      }
      view = await edge.read(spec);
    }
    if (view.awsShare !== 0) throw new MigrateError('upstream', `After 3 attempts the live AWS share is still ${view.awsShare}%.`, {hint: 'Set the AWS pool weight to 0 in the Cloudflare dashboard now, then re-run to record it.'});
  };
  await ensureZero();
  if (runningShift) {
    deps.onNote?.(`A shift is running (${runningShift}); waiting for it to stop`);
    const deadline = deps.now() + (deps.shiftWaitMs ?? 30_000);
    while (isLiveShift(await deps.state.lockHolder()) && deps.now() < deadline) await deps.sleep(250);
    view = await edge.read(spec);
    await ensureZero();
  }
  await deps.state.journal({id, op: 'rollback', phase: 'verify', ok: true, details: {live: view.awsShare, awsPoolEnabled: view.awsPoolEnabled}});
  return {from, live: view.awsShare, written, awsPoolDisabled: !view.awsPoolEnabled, runningShift};
}
