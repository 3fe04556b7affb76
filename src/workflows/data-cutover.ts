/**
 * `migrate data cutover`: the announced write-freeze window for one add-on as one resumable,
 * journaled command:
 *   freeze    Heroku maintenance on and every non-web process at 0 (recorded first, to restore)
 *   copy      data copy into the provisioned store, verified
 *   activate  the state's remap of the add-on's URL becomes active
 *   secret    the secrets import workflow writes the new URL into the app's secret (verified)
 *   redeploy  ECS tasks read secrets at start: a new deployment of every deployed service
 * On any failure before the secret switched, Heroku is unfrozen on the old store (maintenance
 * and scale as they were) and the remap is inactive again. An interrupt (Ctrl-C: a process
 * stopped mid-copy, or an --in-vpc copy that stopped its task) leaves the window frozen, exit 4:
 * the next run resumes it. After success Heroku stays frozen:
 * its dynos still point at the old store, so letting them write would split the data.
 */
import {PHASE, resolveDataAddon, urlVarOf} from '../domain/data-copy.ts';
import {remapVars} from '../domain/addon-provision.ts';
import {redact} from '../domain/data-url.ts';
import {ExitCode, MigrateError} from '../domain/errors.ts';
import type {AppState} from '../domain/state.ts';
import type {HerokuControl} from '../ports/heroku-control.ts';
import type {KeyChecker} from '../ports/secrets.ts';
import type {ServiceRedeployer} from '../ports/tasks.ts';
import {copyAddonData, vpcDeps, type DataCopyDeps, type DataCopyInput, type DataCopyResult} from './data-copy.ts';
import {prepareInVpc, runInVpc} from './data-copy-vpc.ts';
import {resolveSource, resolveTarget} from './data-endpoints.ts';
import {resolveRegion} from '../domain/regions.ts';
import {secretsImport} from './secrets-import.ts';

export interface DataCutoverInput extends Omit<DataCopyInput, 'allowLive' | 'frozen'> {
  /** the operator confirms the AWS services are stopped (scaled to 0 or answering a maintenance response) */
  awsFrozen?: boolean;
  allowDrift?: boolean;
  /** validate everything (plan, state, live Heroku app, endpoints) and say what the window would do; change nothing */
  dryRun?: boolean;
}

export interface DataCutoverDeps extends DataCopyDeps {
  control: () => Promise<HerokuControl>;
  keys: (region: string) => Promise<KeyChecker>;
  /** new ECS deployments so the tasks read the switched secret */
  services: (region: string) => Promise<ServiceRedeployer>;
  /** asked before the first change to Heroku (the command prompts or checks --yes) */
  confirm: (summary: string) => Promise<void>;
}

export type CutoverStep = 'freezing' | 'frozen' | 'verified' | 'activated' | 'secret-updated' | 'done';

interface CutoverRecord {
  step: CutoverStep;
  startedAt: string;
  maintenanceWas: boolean;
  /** non-web process quantities before the freeze */
  formation: Record<string, number>;
}

export interface DataCutoverResult {
  addon: string;
  kind: string;
  alreadyDone: boolean;
  resumedFrom?: CutoverStep;
  copy?: DataCopyResult;
  secret?: {name: string; versionId: string | null; written: boolean};
  activated: string[];
  manualSteps: string[];
  warnings: string[];
  /** a dry run: what the window would do, in order (nothing was changed) */
  dryRun?: string[];
}

const STEP_ORDER: CutoverStep[] = ['freezing', 'frozen', 'verified', 'activated', 'secret-updated', 'done'];
const reached = (rec: CutoverRecord | undefined, step: CutoverStep) => !!rec && STEP_ORDER.indexOf(rec.step) >= STEP_ORDER.indexOf(step);

export async function dataCutover(input: DataCutoverInput, deps: DataCutoverDeps): Promise<DataCutoverResult> {
  const lock = input.dryRun ? null : await deps.state.lock('data cutover', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const addon = resolveDataAddon(plan.addons, input.addon);
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const warnings: string[] = [];
    const appState = await deps.state.readState();
    const entry = appState.addons?.[addon.name];
    const urlVar = urlVarOf(addon);
    const vars = remapVars(addon);
    if (!entry?.remaps[urlVar]) {
      throw new MigrateError('input', `Add-on ${addon.name} has no provisioned AWS store in the state (no remap of ${urlVar}).`, {hint: `Run \`migrate addons provision --app ${input.app}\` first.`});
    }
    const record = entry.data?.details?.cutover as CutoverRecord | undefined;
    if (record?.step === 'done' && entry.remaps[urlVar]?.active) {
      return {addon: addon.name, kind: addon.category, alreadyDone: true, activated: vars, manualSteps: [], warnings: [`${addon.name} was already cut over (${record.startedAt}); nothing to do.`]};
    }
    if (appState.deploy && !input.awsFrozen) {
      throw new MigrateError('conflict', 'The AWS services are deployed and may write to the Heroku store during the window; this tool cannot stop them yet.', {
        hint: 'Scale the AWS services to 0 (or serve a maintenance response), then pass --aws-frozen.',
      });
    }
    const endpointDeps = {heroku: deps.heroku, secrets: deps.secrets, env: deps.env};
    // --in-vpc: the task reads the URLs; here only where they are (checked before anything changes)
    const vpc = input.inVpc ? await prepareInVpc({plan, addon, appState, region, input, deps: vpcDeps(deps)}) : undefined;
    const source = vpc ? undefined : await resolveSource(input.app, addon, input.source ?? {}, endpointDeps, warnings);
    const target = vpc ? undefined : await resolveTarget(addon, appState, region, input.target ?? {}, endpointDeps, warnings);
    const provisioned = input.target?.url || input.target?.env ? await resolveTarget(addon, appState, region, {}, endpointDeps, []).catch(() => undefined) : target;
    if (target && provisioned && provisioned.host !== target.host) {
      warnings.push(`The copy goes to ${target.display}, but the app will use ${provisioned.display} (the provisioned endpoint): make sure they are the same store (e.g. a tunnel).`);
    }
    const copyWhat = vpc ? `${vpc.sourceLabel} -> ${vpc.targetLabel} in a runner task inside the VPC` : `${source!.display} -> ${target!.display}`;

    const journal = (step: string, phase: 'intent' | 'result' | 'note', ok: boolean | undefined, details: Record<string, unknown> = {}) =>
      deps.state.journal({id: `cutover-${addon.name}-${step}`, op: 'data-cutover', phase, ...(ok === undefined ? {} : {ok}), details: {addon: addon.name, step, ...details}});
    const save = async (patch: Partial<CutoverRecord> | null, extra: {phase?: string; remapsActive?: boolean} = {}) => {
      const st = await deps.state.readState();
      const e = st.addons?.[addon.name] ?? {remaps: {}};
      const current = (e.data?.details?.cutover as CutoverRecord | undefined) ?? undefined;
      const cutover = patch === null ? current : ({...current, ...patch} as CutoverRecord);
      const remaps = extra.remapsActive === undefined ? e.remaps : Object.fromEntries(Object.entries(e.remaps).map(([k, r]) => [k, vars.includes(k) ? {...r, active: extra.remapsActive!} : r]));
      const data = {phase: extra.phase ?? e.data?.phase ?? 'cutover', updatedAt: deps.clock.now().toISOString(), details: {...e.data?.details, cutover}};
      await deps.state.writeState({...st, addons: {...st.addons, [addon.name]: {...e, remaps, data}}} satisfies AppState);
    };

    const heroku = await deps.heroku();
    const resumedFrom = record && record.step !== 'done' ? record.step : undefined;
    // ---- ask first: this window takes the Heroku app offline for writes ----
    const running = (await heroku.listFormation(input.app)).filter((f) => f.type !== 'web' && f.quantity > 0);
    const steps = [
      `Heroku ${input.app}: maintenance mode on; ${running.length ? running.map((f) => `${f.type} ${f.quantity} -> 0`).join(', ') : 'no non-web process to stop'} (restored if anything fails before the secret switches)`,
      `copy ${addon.name} ${copyWhat} and verify it`,
      `switch ${vars.join(', ')} in the secret ${plan.secret.name} to the AWS store, then redeploy`,
      'after success Heroku stays frozen until migrate finalize',
    ];
    if (input.dryRun) return {addon: addon.name, kind: addon.category, alreadyDone: false, activated: [], manualSteps: [], warnings, dryRun: steps};
    await deps.confirm(`${resumedFrom ? `Resume the cutover of ${addon.name} (stopped after: ${resumedFrom})` : `Cut over ${addon.name}`}: ${steps.join('; ')}`);
    if (resumedFrom) deps.onProgress?.(`Resuming the cutover of ${addon.name} (it stopped after: ${resumedFrom})`);
    const control = await deps.control();

    // ---- freeze (the quantities to restore are saved before anything is changed) ----
    const [app0, formation0] = await Promise.all([heroku.getApp(input.app), heroku.listFormation(input.app)]);
    const running0 = formation0.filter((f) => f.type !== 'web' && f.quantity > 0);
    let rec: CutoverRecord;
    if (record && resumedFrom) {
      rec = record;
      // a freeze that did not hold since the last run makes any copy under it stale
      if ((!app0.maintenance || running0.length) && reached(rec, 'verified')) {
        warnings.push('Heroku was unfrozen since the interrupted run: the data is copied again.');
        rec = {...rec, step: 'frozen'};
      }
    } else {
      rec = {step: 'freezing', startedAt: deps.clock.now().toISOString(), maintenanceWas: app0.maintenance ?? false, formation: Object.fromEntries(running0.map((f) => [f.type, f.quantity]))};
      await save(rec);
    }
    const unfreeze = async (why: string) => {
      deps.onProgress?.(`Unfreezing ${input.app} on the old store (${why})`);
      await journal('unfreeze', 'intent', undefined, {maintenance: rec.maintenanceWas, formation: rec.formation});
      const updates = Object.entries(rec.formation).map(([type, quantity]) => ({type, quantity}));
      if (updates.length) await control.scale(input.app, updates);
      if (!rec.maintenanceWas) await control.setMaintenance(input.app, false);
      await journal('unfreeze', 'result', true);
      // the app stays on the old store; a copy made under this freeze is stale once writes resume
      const st = await deps.state.readState();
      const e = st.addons?.[addon.name] ?? {remaps: {}};
      const {cutover: _ended, ...details} = e.data?.details ?? {};
      const remaps = Object.fromEntries(Object.entries(e.remaps).map(([k, r]) => [k, vars.includes(k) ? {...r, active: false} : r]));
      const phase = e.data?.phase === PHASE.verified ? PHASE.stale : (e.data?.phase ?? PHASE.failed);
      await deps.state.writeState({...st, addons: {...st.addons, [addon.name]: {...e, remaps, data: {phase, updatedAt: deps.clock.now().toISOString(), details}}}});
    };

    try {
      deps.onProgress?.(`Freezing ${input.app}: maintenance on${Object.keys(rec.formation).length ? `, ${Object.keys(rec.formation).map((t) => `${t}=0`).join(' ')}` : ''}`);
      await journal('freeze', 'intent', undefined, {formation: rec.formation, maintenanceWas: rec.maintenanceWas});
      await control.setMaintenance(input.app, true);
      const zero = Object.keys(rec.formation).map((type) => ({type, quantity: 0}));
      if (zero.length) await control.scale(input.app, zero);
      // read back: the freeze must hold before data moves
      const [app, formation] = await Promise.all([heroku.getApp(input.app), heroku.listFormation(input.app)]);
      const still = formation.filter((f) => f.type !== 'web' && f.quantity > 0).map((f) => `${f.type}=${f.quantity}`);
      if (!app.maintenance || still.length) throw new MigrateError('upstream', `Heroku did not freeze ${input.app} (maintenance ${app.maintenance ? 'on' : 'off'}${still.length ? `, still running: ${still.join(', ')}` : ''}).`, {hint: 'Retry the cutover.'});
      await journal('freeze', 'result', true);
      if (!reached(rec, 'frozen')) await save((rec = {...rec, step: 'frozen'}));

      // ---- copy and verify (skipped on resume when a verified copy happened under this same freeze) ----
      let copy: DataCopyResult | undefined;
      const data = (await deps.state.readState()).addons?.[addon.name]?.data;
      // (in the VPC the target's id is known to the task only; the verified copy is the one this window recorded)
      if (reached(rec, 'verified') && data?.phase === PHASE.verified && (vpc || data.details?.targetId === target!.id)) {
        deps.onProgress?.('The data was copied and verified under this freeze: not copying again');
      } else {
        await journal('copy', 'intent', undefined, vpc ? {inVpc: true} : {targetId: target!.id});
        copy = vpc
          ? await runInVpc(vpc, {plan, addon, input: {...input, frozen: true}, deps: {...deps, ...vpcDeps(deps)}, warnings})
          : await copyAddonData({plan, addon, source: source!, target: target!, input: {...input, frozen: true}, deps, warnings});
        await journal('copy', 'result', copy.verification.result.ok, {phase: copy.phase});
        if (!copy.verification.result.ok) throw new MigrateError('conflict', `Verification of ${addon.name} failed; the app keeps the Heroku store.`, {hint: 'See the verification table; run the cutover again.'});
        await save((rec = {...rec, step: 'verified'}));
      }

      // ---- activate the remap and switch the app's secret ----
      await journal('activate', 'intent', undefined, {vars});
      await save((rec = {...rec, step: 'activated'}), {remapsActive: true});
      await journal('activate', 'result', true);
      deps.onProgress?.(`Pointing ${vars.join(', ')} in the app's secret at the new store (secrets import)`);
      const lockedState = {...deps.state, lock: async () => ({release: async () => undefined})}; // we hold the app's lock
      const imported = await secretsImport(
        {app: input.app, region, allowDrift: input.allowDrift},
        {state: lockedState, heroku: deps.heroku, secrets: deps.secrets, keys: deps.keys, clock: deps.clock, env: deps.env, onProgress: deps.onProgress},
      );
      warnings.push(...imported.warnings);
      await save((rec = {...rec, step: 'secret-updated'}));

      // ---- redeploy: ECS tasks read secrets at start, so the services get new deployments ----
      const cluster = plan.aws.cluster;
      const names = plan.services.map((s) => s.name);
      await journal('redeploy', 'intent', undefined, {cluster, services: names});
      deps.onProgress?.(`Starting new ECS deployments in ${cluster} so the tasks read the new ${vars.join('/')}`);
      const redeployed = await (await deps.services(region)).forceNewDeployment(cluster, names);
      await journal('redeploy', 'result', true, redeployed);
      const manualSteps = [
        ...(redeployed.missing.length ? [`Not deployed yet, so nothing to restart: ${redeployed.missing.join(', ')} (they read the new secret when \`migrate deploy\` creates them).`] : []),
        ...(appState.deploy ? ['Scale the AWS services back up (they were stopped for the window).'] : []),
        `Heroku stays in maintenance with ${Object.keys(rec.formation).join(', ') || 'its non-web processes'} at 0: its dynos still use the old store. Send all traffic to AWS (migrate shift --to 100%) and keep Heroku frozen until finalize.`,
      ];
      await save((rec = {...rec, step: 'done'}), {phase: 'cut-over'});
      return {addon: addon.name, kind: addon.category, alreadyDone: false, ...(resumedFrom ? {resumedFrom} : {}), ...(copy ? {copy} : {}), secret: {name: imported.secretName, versionId: imported.versionId, written: imported.written}, activated: vars, manualSteps, warnings};
    } catch (err) {
      // Ctrl-C (the --in-vpc copy stops its task and ends with exit 4): as an interrupted local
      // copy, the window stays frozen and the next run resumes it (copying again)
      if (err instanceof MigrateError && err.exitCode === ExitCode.paused) {
        throw new MigrateError(err.code, `${err.message} The cutover of ${addon.name} is paused; Heroku stays frozen (maintenance on, ${Object.keys(rec.formation).map((t) => `${t}=0`).join(' ') || 'no non-web process'}).`, {
          hint: `Re-run \`migrate data cutover --app ${input.app} --addon ${input.addon}${input.inVpc ? ' --in-vpc' : ''}\` to resume the window (it copies again).`,
          exitCode: ExitCode.paused,
        });
      }
      await unfreeze(err instanceof MigrateError ? err.message.slice(0, 120) : 'unexpected error').catch((e: unknown) => {
        warnings.push(`Unfreezing failed too: ${e instanceof MigrateError ? e.message : 'unexpected error'}; unfreeze by hand: heroku maintenance:off -a ${input.app}; heroku ps:scale ${Object.entries(rec.formation).map(([t, q]) => `${t}=${q}`).join(' ')} -a ${input.app}`);
      });
      const stopped = `The cutover of ${addon.name} stopped; Heroku was unfrozen on the old store.`;
      if (err instanceof MigrateError) throw new MigrateError(err.code, `${err.message} ${stopped}`, {hint: err.hint, exitCode: err.exitCode});
      const message = redact(err instanceof Error ? err.message : String(err), [source, target]);
      throw new MigrateError('internal', `${message}. ${stopped}`, {hint: 'This is a bug in migrate; please report it with the command you ran.', cause: err});
    }
  } finally {
    await lock?.release();
  }
}
