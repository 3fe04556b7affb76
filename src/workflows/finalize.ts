/**
 * `migrate finalize` and `--undo`: retire the Heroku side once AWS has carried 100% long enough,
 * and undo it while the add-ons still exist. Every live write is journaled (intent, result); a
 * re-run resumes by reading the live systems (load balancer, formation, maintenance) and skipping
 * what is already done.
 */
import {join} from 'node:path';
import {
  backupProblems,
  checkPreconditions,
  destroyAttempted,
  destroyHistory,
  dynoCosts,
  FINALIZE_OP,
  recordedFormation,
  retirementRecord,
  UNDO_OP,
  withDestroyHistory,
  type BackupEntry,
  type DestroyedEntry,
  type FormationEntry,
  type Refusal,
  type RetirementRecord,
} from '../domain/finalize.ts';
import type {AddonPlan} from '../domain/addon-plan.ts';
import {DataUrl, redact} from '../domain/data-url.ts';
import {ExitCode, MigrateError, usageError} from '../domain/errors.ts';
import type {FinalizeBackupTools} from '../ports/finalize-backup.ts';
import {gateVerdict} from '../domain/gates.ts';
import type {EdgeBalancer, EdgeView} from '../ports/edge.ts';
import type {HerokuControl} from '../ports/heroku-control.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {shareTimeline} from './cutover-journal.ts';
import {resolveRegion} from '../domain/regions.ts';
import {specFromState} from './shift.ts';
import {removeGuard} from './guard-admin.ts';
import type {StackRemover} from '../ports/guard.ts';

export interface FinalizeInput {
  app: string;
  undo?: boolean;
  /** overrides plan.cutover.finalizeHoldSeconds */
  minHoldMs?: number;
  keepAddons?: string[];
  breakLock?: boolean;
  region?: string;
  /** step 4 (--destroy-addons): final backups into backupDir, a second confirmation, then DELETE each add-on */
  destroy?: {backupDir: string; noRedisBackup?: boolean};
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
  /** --destroy-addons: the final backup tools (pg_dump, pg_restore --list) */
  backup?: () => Promise<FinalizeBackupTools>;
  /** --destroy-addons: the second confirmation, asked after the backups are confirmed, before the first DELETE */
  confirmDestroy?: (summary: string) => Promise<void>;
  onNote?: (message: string) => void;
  /** deletes the guard's stack (finalize disarms it before Heroku leaves the load balancer) */
  guardRemover?: (region: string) => Promise<StackRemover>;
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
  /** confirmed final backups taken by this run (--destroy-addons) */
  backups: BackupEntry[];
  /** add-ons destroyed by this run */
  destroyed: DestroyedEntry[];
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

  // --destroy-addons: every check that needs no write, before the first write
  const targets = plan.addons.filter((a) => !keep.includes(a.name));
  let tools: FinalizeBackupTools | undefined;
  if (input.destroy) {
    if (!deps.backup || !deps.confirmDestroy) throw new MigrateError('internal', 'finalize --destroy-addons needs backup tools and a second confirmation.');
    const redis = targets.filter((a) => a.category === 'redis');
    if (redis.length && !input.destroy.noRedisBackup) {
      throw usageError(
        `--destroy-addons takes no Redis backup in this version, and ${redis.map((a) => a.name).join(', ')} would be destroyed: nothing was changed.`,
        `Keep it on Heroku with ${redis.map((a) => `--keep-addon ${a.name}`).join(' ')}, or accept losing its data with --no-redis-backup.`,
      );
    }
    tools = await deps.backup();
    await tools.checkDir(input.destroy.backupDir);
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

  // 0. the guard is disarmed first: with Heroku out of the load balancer it has nowhere to send traffic
  if (deps.guardRemover) {
    const removed = await removeGuard(plan.app.name, {state: deps.state, remover: deps.guardRemover, now: deps.now, onNote: deps.onNote}, 'migrate finalize');
    if (removed.removed) changed.push(`Guard: stack ${removed.stackName} deleted in ${removed.region} (its token secret remains: ${removed.tokenSecretArn})`);
  }

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
  const journalNow = await deps.state.readJournal();
  const base = retirementRecord({plan, state: appState, formation, keepAddons: keep, journal: journalNow, timeline, retiredAt});
  let record = withDestroyHistory(base, destroyHistory(journalNow));
  await j('record', 'intent', undefined, {files: ['retirement.json', 'retirement.md']});
  let files = await deps.writeFiles(deps.state.dir, {'retirement.json': JSON.stringify(record, null, 2) + '\n', 'retirement.md': deps.renderRecord(record)});
  await j('record', 'result', true, {files});
  if (!input.destroy || !tools) return {app: plan.app.name, undo: false, changed, skipped, formation, files, record, backups: [], destroyed: [], warnings};

  // 4. --destroy-addons: a confirmed final backup of each database, a second confirmation, then DELETE
  const step4 = await destroyAddons({app: plan.app.name, targets, planAddons: plan.addons, backupDir: input.destroy.backupDir, runId, j, heroku, control, tools, deps, changed, skipped, warnings});
  if (step4.destroyed.length) {
    record = withDestroyHistory(base, destroyHistory(await deps.state.readJournal()));
    await j('record', 'intent', undefined, {files: ['retirement.json', 'retirement.md'], after: 'destroy'});
    files = await deps.writeFiles(deps.state.dir, {'retirement.json': JSON.stringify(record, null, 2) + '\n', 'retirement.md': deps.renderRecord(record)});
    await j('record', 'result', true, {files, after: 'destroy'});
  }
  return {app: plan.app.name, undo: false, changed, skipped, formation, files, record, backups: step4.backups, destroyed: step4.destroyed, warnings};
}

type Journal = (step: string, phase: 'intent' | 'result', ok: boolean | undefined, details?: Record<string, unknown>) => Promise<unknown>;

async function destroyAddons(o: {
  app: string;
  targets: AddonPlan[];
  planAddons: AddonPlan[];
  backupDir: string;
  runId: string;
  j: Journal;
  heroku: HerokuSource;
  control: HerokuControl;
  tools: FinalizeBackupTools;
  deps: FinalizeDeps;
  changed: string[];
  skipped: string[];
  warnings: string[];
}): Promise<{backups: BackupEntry[]; destroyed: DestroyedEntry[]}> {
  const {app, j, tools} = o;
  const destroy = o.control.destroyAddon?.bind(o.control);
  if (!destroy) throw new MigrateError('internal', 'This Heroku control adapter cannot destroy add-ons.');
  const liveAddons = await o.heroku.listAddons(app);
  const planned = new Set(o.planAddons.map((a) => a.name));
  for (const l of liveAddons) if (!planned.has(l.name)) o.warnings.push(`Add-on ${l.name} (${l.addon_service.name}) is not in the plan: left on Heroku (still billed).`);
  const todo = o.targets.flatMap((a) => {
    const live = liveAddons.find((l) => l.name === a.name);
    if (!live) o.skipped.push(`add-on ${a.name} already gone from Heroku`);
    return live ? [{plan: a, live}] : [];
  });
  if (!todo.length) return {backups: [], destroyed: []};

  // final backups: every one confirmed before anything is destroyed
  const backups: BackupEntry[] = [];
  const pgs = todo.filter((t) => t.plan.category === 'postgres');
  const config = pgs.length ? await o.heroku.getConfigVars(app) : {};
  const stamp = o.runId.replace(/^finalize-/, '');
  for (const {plan: a, live} of pgs) {
    const varName = live.config_vars.find((v) => config[v]);
    if (!varName) throw new MigrateError('conflict', `No config var of ${app} holds the URL of ${a.name} (${live.config_vars.join(', ') || 'none'}): no backup, nothing was destroyed.`, {hint: `Keep it with --keep-addon ${a.name}, or back it up by hand and destroy it with \`heroku addons:destroy\`.`});
    const url = DataUrl.parse(config[varName]!, 'postgres', `Heroku config var ${varName}`);
    const path = join(o.backupDir, `${app}-${a.name}-${stamp}.dump`);
    await j('backup', 'intent', undefined, {addon: a.name, path, configVar: varName});
    let entry: Omit<BackupEntry, 'at'>;
    try {
      const sourceTables = await tools.sourceTables(url);
      const {bytes, sha256} = await tools.dump(url, path);
      const tocTables = await tools.listTables(path);
      const problems = backupProblems({bytes, sourceTables, tocTables});
      if (problems.length) throw new MigrateError('conflict', `The final backup of ${a.name} (${path}) is not confirmed: ${problems.join('; ')}.`, {hint: 'Check the backup directory and the pg_dump version, then re-run.'});
      entry = {addon: a.name, path, bytes, sha256, tables: sourceTables};
    } catch (err) {
      const e = err instanceof MigrateError ? err : new MigrateError('io', String((err as Error).message ?? err));
      const message = redact(e.message, [url]);
      await j('backup', 'result', false, {addon: a.name, path, error: message});
      throw new MigrateError(e.code, `${message} Nothing was destroyed.`, {hint: e.hint, exitCode: e.exitCode});
    }
    await j('backup', 'result', true, {backup: entry});
    const at = new Date(o.deps.now()).toISOString();
    backups.push({...entry, at});
    o.changed.push(`Backup of ${a.name}: ${path} (${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…, ${entry.tables.length} tables; pg_restore --list confirmed)`);
  }
  for (const t of todo.filter((x) => x.plan.category === 'redis')) o.warnings.push(`Add-on ${t.plan.name} (Redis) is destroyed without a backup (--no-redis-backup).`);

  await o.deps.confirmDestroy!(
    `DESTROY on Heroku, for good (finalize --undo will no longer be possible): ${todo.map((t) => `${t.plan.name} (${t.live.addon_service.name})`).join(', ')}` +
      (backups.length ? `; final backups: ${backups.map((b) => b.path).join(', ')}` : ''),
  );

  const destroyed: DestroyedEntry[] = [];
  for (const {plan: a, live} of todo) {
    const addon = {name: a.name, id: live.id ?? a.name, service: live.addon_service.name};
    await j('destroy', 'intent', undefined, {addon});
    let state: string | null;
    try {
      state = (await destroy(app, live.id ?? live.name)).state;
    } catch (err) {
      // a retried DELETE whose first attempt went through answers 404: the live list is the truth
      const gone = err instanceof MigrateError && err.code === 'not-found' && !(await o.heroku.listAddons(app)).some((l) => l.name === a.name);
      if (!gone) {
        await j('destroy', 'result', false, {addon, error: (err as Error).message});
        throw err;
      }
      state = 'gone';
    }
    await j('destroy', 'result', true, {addon, state});
    destroyed.push({...addon, at: new Date(o.deps.now()).toISOString()});
    o.changed.push(`Heroku: add-on ${a.name} (${addon.service}) destroyed`);
  }
  return {backups, destroyed};
}

async function undo(input: FinalizeInput, deps: FinalizeDeps): Promise<FinalizeResult> {
  const plan = await deps.state.readPlan();
  const spec = specFromState(plan, await deps.state.readState());
  const journal = await deps.state.readJournal();
  const gone = destroyHistory(journal).destroyed;
  const attempted = destroyAttempted(journal).filter((n) => !gone.some((d) => d.name === n));
  if (gone.length || attempted.length) {
    const what = [...gone.map((d) => `destroyed ${d.name} (${d.at})`), ...attempted.map((n) => `started to destroy ${n}`)].join(', ');
    throw new MigrateError('conflict', `Undo is no longer possible: finalize --destroy-addons ${what} on Heroku. Nothing was changed.`, {
      hint: 'The final backups are listed in retirement.json; Heroku stays retired (AWS serves all traffic).',
    });
  }
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
  return {app: plan.app.name, undo: true, changed, skipped, formation: recorded ?? [], files, record: null, backups: [], destroyed: [], warnings};
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
