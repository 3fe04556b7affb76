/**
 * `migrate finalize` and `--undo`: retire the Heroku side once AWS has carried 100% long enough,
 * and undo it while the add-ons still exist. Every live write is journaled (intent, result); a
 * re-run resumes by reading the live systems (load balancer, formation, maintenance) and skipping
 * what is already done.
 */
import {checkPreconditions, dynoCosts, FINALIZE_OP, recordedFormation, retirementRecord, UNDO_OP, type FormationEntry, type Refusal, type RetirementRecord} from '../domain/finalize.ts';
import {ExitCode, MigrateError} from '../domain/errors.ts';
import {gateVerdict} from '../domain/gates.ts';
import type {EdgeBalancer, EdgeView} from '../ports/edge.ts';
import type {HerokuControl} from '../ports/heroku-control.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {shareTimeline} from './cutover-journal.ts';
import {resolveRegion} from './secrets-import.ts';
import {specFromState} from './shift.ts';

export interface FinalizeInput {
  app: string;
  undo?: boolean;
  /** overrides plan.cutover.finalizeHoldSeconds */
  minHoldMs?: number;
  keepAddons?: string[];
  breakLock?: boolean;
  region?: string;
}

export interface FinalizeDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  metrics: (region: string) => Promise<MetricsGate>;
  heroku: () => Promise<HerokuSource>;
  control: () => Promise<HerokuControl>;
  /** writes files into the plan directory (all or none) */
  writeFiles: (dir: string, files: Record<string, string>) => Promise<string[]>;
  renderRecord: (record: RetirementRecord) => string;
  /** a file's text, undefined when it does not exist */
  readText: (path: string) => Promise<string | undefined>;
  now: () => number;
  env: Record<string, string | undefined>;
  /** asked after the preconditions passed, before the first write */
  confirm: (summary: string) => Promise<void>;
  onNote?: (message: string) => void;
}

export interface FinalizeResult {
  app: string;
  undo: boolean;
  /** what this run changed (empty when everything was already done) */
  changed: string[];
  skipped: string[];
  formation: FormationEntry[];
  files: string[];
  record: RetirementRecord | null;
  warnings: string[];
}

const isRetired = (v: EdgeView) => v.defaultPools.length === 1 && v.defaultPools[0] === v.awsPoolId && v.fallbackPoolId === v.awsPoolId;
const isRestored = (v: EdgeView) => v.defaultPools.includes(v.herokuPoolId) && v.defaultPools.includes(v.awsPoolId) && v.fallbackPoolId === v.herokuPoolId;

function refuse(refusals: Refusal[]): MigrateError {
  const wait = refusals.every((r) => r.wait);
  return new MigrateError('conflict', `Finalize refused; nothing was changed:\n${refusals.map((r) => `  - ${r.message}`).join('\n')}`, {
    hint: wait ? 'Wait, then re-run (exit 4: not yet).' : 'Fix the points above, then re-run.',
    exitCode: wait ? ExitCode.paused : ExitCode.error,
  });
}

export async function finalizeWorkflow(input: FinalizeInput, deps: FinalizeDeps): Promise<FinalizeResult> {
  const lock = await deps.state.lock(input.undo ? 'finalize --undo' : 'finalize', {breakLock: input.breakLock});
  try {
    return input.undo ? await undo(input, deps) : await finalize(input, deps);
  } finally {
    await lock.release();
  }
}

async function finalize(input: FinalizeInput, deps: FinalizeDeps): Promise<FinalizeResult> {
  const plan = await deps.state.readPlan();
  const appState = await deps.state.readState();
  const spec = specFromState(plan, appState);
  const keep = input.keepAddons ?? [];
  const warnings: string[] = [];
  const edge = await deps.edge();
  let view = await edge.read(spec);
  const journal = await deps.state.readJournal();
  const timeline = shareTimeline(journal);
  const metrics = await deps.metrics(resolveRegion(input.region, deps.env, plan.app.awsRegion));
  const [alarms, poolHealth] = await Promise.all([metrics.alarmStates(plan.cutover.gates.alarms), edge.awsPoolHealth(view, spec)]);
  const refusals = checkPreconditions({
    liveShare: view.awsShare,
    retired: isRetired(view),
    timeline,
    nowMs: deps.now(),
    minHoldMs: input.minHoldMs ?? plan.cutover.finalizeHoldSeconds * 1000,
    gate: gateVerdict({alarms, poolHealth, requests: 0}),
    missingAlarms: Object.keys(alarms).filter((n) => alarms[n] === 'MISSING'),
    plan,
    state: appState,
    keepAddons: keep,
  });
  if (refusals.length) throw refuse(refusals);
  for (const [name, a] of Object.entries(appState.addons ?? {})) {
    if (a.data?.phase === 'verified' && !keep.includes(name)) warnings.push(`Add-on ${name}: its data copy is verified, but \`data cutover\` has not recorded the switch ('cut-over'); finalize accepts it.`);
  }

  const heroku = await deps.heroku();
  const control = await deps.control();
  const live = await heroku.listFormation(plan.app.name);
  const liveFormation: FormationEntry[] = live.map((f) => ({type: f.type, quantity: f.quantity, size: f.size ?? f.dyno_size?.name ?? 'unknown'}));
  const recorded = recordedFormation(journal);
  const formation = recorded ?? liveFormation;
  if (!recorded && liveFormation.every((f) => f.quantity === 0)) warnings.push('The Heroku formation was already at 0 dynos before finalize: --undo has no quantities to restore.');
  const costs = dynoCosts(formation);
  await deps.confirm(
    `Retire Heroku for ${plan.app.name}: remove the Heroku pool from the load balancer, scale ${formation.map((f) => `${f.type}=${f.quantity}`).join(', ') || 'no processes'} to 0 (about $${costs.totalUsd}/month at list prices), maintenance on`,
  );

  const runId = `finalize-${new Date(deps.now()).toISOString().replace(/[:.]/g, '-')}`;
  const changed: string[] = [];
  const skipped: string[] = [];
  const j = (step: string, phase: 'intent' | 'result', ok: boolean | undefined, details: Record<string, unknown> = {}) =>
    deps.state.journal({id: `${runId}/${step}`, op: FINALIZE_OP, phase, ...(ok === undefined ? {} : {ok}), details: {step, ...details}});

  // 1. the Heroku pool leaves the load balancer; AWS is the only pool and the fallback
  if (isRetired(view)) skipped.push('Heroku pool already out of the load balancer');
  else {
    await j('edge', 'intent', undefined, {from: {defaultPools: view.defaultPools, fallback: view.fallbackPoolId}});
    try {
      view = await edge.retireHerokuPool(view, spec);
    } catch (err) {
      await j('edge', 'result', false, {error: (err as Error).message});
      throw err;
    }
    await j('edge', 'result', true, {defaultPools: view.defaultPools, fallback: view.fallbackPoolId, awsShare: view.awsShare});
    changed.push('Cloudflare: Heroku pool removed from the load balancer; AWS pool is the only pool and the fallback (verified)');
  }

  // 2. formation to 0 (the previous quantities are in the intent), then maintenance on
  const running = liveFormation.filter((f) => f.quantity > 0);
  if (!running.length) skipped.push('Heroku formation already at 0');
  else {
    await j('formation', 'intent', undefined, {previous: formation});
    const after = await control.scale(plan.app.name, running.map((f) => ({type: f.type, quantity: 0})));
    const still = Object.entries(after).filter(([, q]) => q > 0);
    await j('formation', 'result', still.length === 0, {quantities: after});
    if (still.length) throw new MigrateError('upstream', `Heroku still reports ${still.map(([t, q]) => `${t}=${q}`).join(', ')} after scaling to 0.`, {hint: 'Check `heroku ps`, then re-run finalize.'});
    changed.push(`Heroku: ${running.map((f) => `${f.type} ${f.quantity} → 0`).join(', ')}`);
  }
  const app = await heroku.getApp(plan.app.name);
  if (app.maintenance) skipped.push('maintenance mode already on');
  else {
    await j('maintenance', 'intent', undefined, {on: true});
    const on = await control.setMaintenance(plan.app.name, true);
    await j('maintenance', 'result', on, {on});
    if (!on) throw new MigrateError('upstream', 'Heroku did not turn maintenance mode on.', {hint: 'Re-run finalize.'});
    changed.push('Heroku: maintenance mode on');
  }

  // 3. the retirement record (no values: names and fingerprints from the plan)
  const retiredAt = new Date(deps.now()).toISOString();
  const record = retirementRecord({plan, state: appState, formation, keepAddons: keep, journal: await deps.state.readJournal(), timeline, retiredAt});
  await j('record', 'intent', undefined, {files: ['retirement.json', 'retirement.md']});
  const files = await deps.writeFiles(deps.state.dir, {'retirement.json': JSON.stringify(record, null, 2) + '\n', 'retirement.md': deps.renderRecord(record)});
  await j('record', 'result', true, {files});
  return {app: plan.app.name, undo: false, changed, skipped, formation, files, record, warnings};
}

async function undo(input: FinalizeInput, deps: FinalizeDeps): Promise<FinalizeResult> {
  const plan = await deps.state.readPlan();
  const spec = specFromState(plan, await deps.state.readState());
  const journal = await deps.state.readJournal();
  const recorded = recordedFormation(journal);
  const warnings: string[] = [];
  if (!recorded) warnings.push('No formation recorded by finalize (or already restored): quantities are left as they are.');
  const edge = await deps.edge();
  let view = await edge.read(spec);
  await deps.confirm(`Undo finalize for ${plan.app.name}: formation ${recorded?.map((f) => `${f.type}=${f.quantity}`).join(', ') ?? '(unchanged)'}, maintenance off, Heroku pool back in the load balancer at weight 0 and as fallback`);
  const heroku = await deps.heroku();
  const control = await deps.control();
  const runId = `finalize-undo-${new Date(deps.now()).toISOString().replace(/[:.]/g, '-')}`;
  const changed: string[] = [];
  const skipped: string[] = [];
  const j = (step: string, phase: 'intent' | 'result', ok: boolean | undefined, details: Record<string, unknown> = {}) =>
    deps.state.journal({id: `${runId}/${step}`, op: UNDO_OP, phase, ...(ok === undefined ? {} : {ok}), details: {step, ...details}});

  // Heroku first (so the pool has dynos behind it when it comes back), then the load balancer
  if (recorded) {
    const live = await heroku.listFormation(plan.app.name);
    const updates = recorded.filter((r) => live.find((l) => l.type === r.type)?.quantity !== r.quantity).map((r) => ({type: r.type, quantity: r.quantity}));
    if (!updates.length) skipped.push('formation already at the recorded quantities');
    else {
      await j('formation', 'intent', undefined, {restore: updates});
      const after = await control.scale(plan.app.name, updates);
      const ok = updates.every((u) => after[u.type] === u.quantity);
      await j('formation', 'result', ok, {quantities: after});
      if (!ok) throw new MigrateError('upstream', `Heroku answered ${JSON.stringify(after)} after restoring ${JSON.stringify(updates)}.`, {hint: 'Check `heroku ps`, then re-run `migrate finalize --undo`.'});
      changed.push(`Heroku: ${updates.map((u) => `${u.type} → ${u.quantity}`).join(', ')}`);
    }
  }
  const app = await heroku.getApp(plan.app.name);
  if (!app.maintenance) skipped.push('maintenance mode already off');
  else {
    await j('maintenance', 'intent', undefined, {on: false});
    const on = await control.setMaintenance(plan.app.name, false);
    await j('maintenance', 'result', !on, {on});
    if (on) throw new MigrateError('upstream', 'Heroku did not turn maintenance mode off.', {hint: 'Re-run `migrate finalize --undo`.'});
    changed.push('Heroku: maintenance mode off');
  }
  if (isRestored(view)) skipped.push('Heroku pool already in the load balancer');
  else {
    await j('edge', 'intent', undefined, {from: {defaultPools: view.defaultPools, fallback: view.fallbackPoolId}});
    try {
      view = await edge.restoreHerokuPool(view, spec);
    } catch (err) {
      await j('edge', 'result', false, {error: (err as Error).message});
      throw err;
    }
    await j('edge', 'result', true, {defaultPools: view.defaultPools, fallback: view.fallbackPoolId, awsShare: view.awsShare});
    changed.push('Cloudflare: Heroku pool back in the load balancer at weight 0 and as the fallback (verified)');
  }
  const files = await markUndone(deps, new Date(deps.now()).toISOString());
  return {app: plan.app.name, undo: true, changed, skipped, formation: recorded ?? [], files, record: null, warnings};
}

/** Marks an existing retirement.json as undone (the record is history, not deleted). */
async function markUndone(deps: FinalizeDeps, at: string): Promise<string[]> {
  const text = await deps.readText(`${deps.state.dir}/retirement.json`);
  if (text === undefined) return [];
  let record: RetirementRecord;
  try {
    record = JSON.parse(text) as RetirementRecord;
  } catch {
    return [];
  }
  const next: RetirementRecord = {...record, status: 'undone', undoneAt: at};
  return deps.writeFiles(deps.state.dir, {'retirement.json': JSON.stringify(next, null, 2) + '\n', 'retirement.md': deps.renderRecord(next)});
}
