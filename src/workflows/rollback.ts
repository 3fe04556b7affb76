/**
 * `migrate rollback`: AWS share 0 now, verified and journaled. It is the emergency exit, so it
 * depends on nothing local that can fail: it does not wait for the app's lock, it writes
 * Cloudflare FIRST and records afterwards (best effort, never blocking: a full or read-only plan
 * directory only costs the record), and every Cloudflare call is bounded (docs/fail-safe.md).
 * It leaves a request a running shift honours, and re-verifies after that shift has stopped.
 */
import {MigrateError} from '../domain/errors.ts';
import type {JournalEntry} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec} from '../ports/edge.ts';
import type {LockInfo, StateStore} from '../ports/state.ts';
import {bestEffort, within} from './bounded.ts';
import {refuseIfRetired} from './cutover-journal.ts';
import {blindView, ensureAwsZero, isSafe, readOrNull, type ZeroOptions} from './edge-zero.ts';
import {specFromState} from './shift.ts';
const isLiveShift = (h: LockInfo | null) => h?.command === 'shift' && !h.expired;

export interface RollbackDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  operator: string;
  /** how long to wait for a running shift to stop before the final check */
  shiftWaitMs?: number;
  /** bound on every Cloudflare call (default 10 s) */
  callTimeoutMs?: number;
  onNote?: (message: string) => void;
}

export interface RollbackResult {
  /** the AWS share before, null when Cloudflare did not answer the first read */
  from: number | null;
  live: number;
  written: boolean;
  awsPoolDisabled: boolean;
  runningShift: string | null;
  /** false when the journal could not be written (the rollback itself is done) */
  recorded: boolean;
  warnings: string[];
}

/** local records get this long each: the emergency exit never waits on a hung disk */
const RECORD_MS = 2_000;
const ATTEMPTS = 3;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function rollbackWorkflow(input: {app: string}, deps: RollbackDeps): Promise<RollbackResult> {
  const plan = await deps.state.readPlan();
  const appState = await deps.state.readState();
  const spec: EdgeSpec = specFromState(plan, appState);
  const warnings: string[] = [];
  const journal = await deps.state.readJournal().catch((err: unknown) => {
    warnings.push(`Could not read the journal (${message(err)}); rolled back anyway.`);
    return null;
  });
  if (journal) refuseIfRetired(journal, plan.app.name, 'roll back to');
  const timeout = deps.callTimeoutMs ?? 10_000;
  const at = () => new Date(deps.now()).toISOString();
  const id = `rollback-${at().replace(/[:.]/g, '-')}`;
  const request = await bestEffort(() => deps.state.writeRollbackRequest({at: at(), by: deps.operator}), RECORD_MS, 'writing the rollback request');
  if (!request.ok) warnings.push(`Could not leave a rollback request for a running shift (${request.error}); a running shift will find AWS 0% and stop.`);
  const holder = await within(deps.state.lockHolder(), RECORD_MS, 'reading the lock').catch(() => null);
  const runningShift = holder?.command === 'shift' && !holder.expired ? `${holder.user}@${holder.host} pid ${holder.pid}` : null;
  const edge = await deps.edge();
  const records: Omit<JournalEntry, 'at'>[] = [];
  const zero: ZeroOptions = {
    edge,
    spec,
    record: (entry) => void records.push(entry),
    id,
    at,
    blind: () => blindView(appState.edge!),
    sleep: deps.sleep,
    callTimeoutMs: timeout,
    attempts: ATTEMPTS,
    onNote: deps.onNote,
    onWarning: (m) => void warnings.push(m),
  };
  const read = (what: string) => readOrNull(zero, what);

  let view = await read('Could not read the live weights first; writing AWS 0% from the ids in state.json');
  const from = view?.awsShare ?? null;
  records.push({id, op: 'rollback', phase: 'intent', details: {from, by: deps.operator, runningShift, at: at()}});
  let written = false;
  const ensureZero = async () => {
    const outcome = await ensureAwsZero(zero, view);
    view = outcome.view;
    written ||= outcome.written;
  };
  await ensureZero();
  if (runningShift && isSafe(view)) {
    deps.onNote?.(`A shift is running (${runningShift}); waiting for it to stop`);
    const deadline = deps.now() + (deps.shiftWaitMs ?? 30_000);
    while (deps.now() < deadline && isLiveShift(await within(deps.state.lockHolder(), RECORD_MS, 'reading the lock').catch(() => null))) await deps.sleep(250);
    view = await read('The final read-back failed');
    await ensureZero();
  }
  const verified = isSafe(view);
  const live = view && Number.isFinite(view.awsShare) ? view.awsShare : null;
  records.push({id, op: 'rollback', phase: 'verify', ok: verified, details: {live, awsPoolEnabled: view?.awsPoolEnabled ?? null, at: at()}});

  // the record, afterwards and best effort: traffic is already safe (or the user is told it is not)
  let recorded = true;
  for (const entry of records) {
    const r = await bestEffort(() => deps.state.journal(entry), RECORD_MS, 'appending to the journal');
    if (!r.ok) {
      recorded = false;
      warnings.push(`The rollback is not recorded in the journal (${r.error}). The next \`migrate shift\` will report the live share as changed outside migrate; re-run \`migrate rollback\` once the disk is writable to record it.`);
      break;
    }
  }
  if (!verified) {
    const liveText = live === null ? 'unknown (Cloudflare did not answer the read-back)' : `${live}%${view?.awsPoolEnabled ? ' with the AWS pool enabled' : ''}`;
    throw new MigrateError('upstream', `${written ? 'AWS 0% was written, but it' : `AWS 0% could not be written in ${ATTEMPTS} attempts and it`} could not be verified: the live AWS share is ${liveText}.${recorded ? '' : ' Nothing was recorded in the journal.'}`, {
      hint: 'Set the AWS pool weight to 0 (or disable the AWS pool) in the Cloudflare dashboard now, then re-run `migrate rollback` to verify and record it.',
    });
  }
  return {from, live: 0, written, awsPoolDisabled: !view!.awsPoolEnabled, runningShift, recorded, warnings};
}
