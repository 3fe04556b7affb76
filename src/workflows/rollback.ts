/**
 * `migrate rollback`: AWS share 0 now, verified and journaled. It does not wait for the app's
 * lock (it is the emergency exit): it leaves a request a running shift honours, writes 0 itself,
 * and re-verifies after that shift has stopped.
 */
import type {EdgeBalancer} from '../ports/edge.ts';
import type {StateStore} from '../ports/state.ts';
import {refuseIfRetired} from './cutover-journal.ts';
import {ensureAwsZero, readWithRetry} from './edge-zero.ts';
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
  /** first pause before retrying a 429/5xx (default 1 s, doubling) */
  backoffMs?: number;
}

export interface RollbackResult {
  from: number;
  live: number;
  written: boolean;
  awsPoolDisabled: boolean;
  runningShift: string | null;
}

export async function rollbackWorkflow(input: {app: string}, deps: RollbackDeps): Promise<RollbackResult> {
  const plan = await deps.state.readPlan();
  const spec = specFromState(plan, await deps.state.readState());
  refuseIfRetired(await deps.state.readJournal(), plan.app.name, 'roll back to');
  const at = () => new Date(deps.now()).toISOString();
  await deps.state.writeRollbackRequest({at: at(), by: deps.operator});
  const edge = await deps.edge();
  const id = `rollback-${at().replace(/[:.]/g, '-')}`;
  const holder = await deps.state.lockHolder();
  const runningShift = holder?.command === 'shift' ? `${holder.user}@${holder.host} pid ${holder.pid}` : null;

  const zero = {edge, spec, journal: deps.state, id, sleep: deps.sleep, onNote: deps.onNote, backoffMs: deps.backoffMs};
  let view = await readWithRetry(zero);
  const from = view.awsShare;
  let written = false;
  await deps.state.journal({id, op: 'rollback', phase: 'intent', details: {from, by: deps.operator, runningShift}});
  const ensureZero = async () => {
    const outcome = await ensureAwsZero(zero, view);
    view = outcome.view;
    written ||= outcome.written;
  };
  await ensureZero();
  if (runningShift) {
    deps.onNote?.(`A shift is running (${runningShift}); waiting for it to stop`);
    const deadline = deps.now() + (deps.shiftWaitMs ?? 30_000);
    while ((await deps.state.lockHolder())?.command === 'shift' && deps.now() < deadline) await deps.sleep(250);
    view = await readWithRetry(zero);
    await ensureZero();
  }
  await deps.state.journal({id, op: 'rollback', phase: 'verify', ok: true, details: {live: view.awsShare, awsPoolEnabled: view.awsPoolEnabled}});
  return {from, live: view.awsShare, written, awsPoolDisabled: !view.awsPoolEnabled, runningShift};
}
