/**
 * `migrate shift --to N%`: reconcile the live weights with the journal (recovering from a crashed
 * run), then drive the cutover state machine step by step through Cloudflare and CloudWatch.
 */
import {describeState, formatDuration, initialState, next, parseShare, parseSteps, sameShare, shiftSteps, type CutoverStatus, type OnFail, type ResumeEvidence, type ShiftStep} from '../domain/cutover.ts';
import {foldLedger, knownShares, resumeEvidence, type CutoverLedger} from '../domain/cutover-ledger.ts';
import {ExitCode, MigrateError} from '../domain/errors.ts';
import {checkShiftTuning} from '../domain/flag-checks.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec} from '../ports/edge.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {journalLine, runCutover, type Interrupts, type StopCommand} from './cutover-runner.ts';
import {refuseIfRetired} from './cutover-journal.ts';
import {resolveRegion} from '../domain/regions.ts';
import {checkGuardArmed, guardTrips} from './guard-journal.ts';

export interface ShiftInput {
  app: string;
  to: string;
  steps?: string;
  bakeMs?: number;
  minRequests?: number;
  pollMs?: number;
  maxBakeExtension?: number;
  consecutiveFailures?: number;
  onFail?: OnFail;
  dryRun?: boolean;
  adopt?: boolean;
  breakLock?: boolean;
  region?: string;
  /** shift above 0% without an armed guard (journaled, warned) */
  noGuard?: boolean;
}

export interface ShiftDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  metrics: (region: string) => Promise<MetricsGate>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  interrupts: Interrupts;
  env: Record<string, string | undefined>;
  /** asked before the first write (the command prompts or checks --yes) */
  confirm: (summary: string) => Promise<void>;
  onProgress?: (status: CutoverStatus) => void;
  onNote?: (message: string) => void;
  /** who runs it, for the journal */
  operator?: string;
}

export interface ShiftResult {
  shiftId: string | null;
  from: number;
  target: number;
  steps: ShiftStep[];
  gates: string[];
  dryRun: boolean;
  stop: StopCommand | null;
  status: CutoverStatus | null;
  /** the live share was a step that had not passed: this run baked it again first */
  resumed: (ResumeEvidence & {share: number}) | null;
  warnings: string[];
}

/** The EdgeSpec of an app whose edge was set up (the state holds the Cloudflare ids). */
export function specFromState(plan: Plan, s: AppState): EdgeSpec {
  if (!s.edge || !s.aws) {
    throw new MigrateError('input', `The Cloudflare load balancer of ${plan.app.name} is not set up.`, {hint: `Run \`migrate edge setup --app ${plan.app.name}\` first.`});
  }
  return {
    zoneId: s.edge.zoneId,
    accountId: s.edge.accountId,
    hostname: s.edge.hostname,
    namePrefix: s.edge.namePrefix,
    monitor: {path: s.edge.monitorPath, expectedCodes: '2xx', intervalSeconds: 60, type: 'https'},
    heroku: {address: s.edge.herokuAddress, hostHeader: s.edge.herokuHostHeader},
    aws: {address: s.aws.albDnsName},
  };
}

/**
 * Reconciles the live share with the journal's story (domain/cutover-ledger.ts) before anything
 * is written: the live share must be the last verified one or the one a write in flight was
 * setting (any shift's, or a rollback's by `migrate rollback`, a gate or the guard); anything else
 * was written outside migrate and needs --adopt. Journals what it learnt (unless a dry run), closes
 * a shift whose process ended without closing it, and returns the evidence for resuming the live
 * share's step when it has not passed.
 */
async function reconcile(deps: ShiftDeps, live: number, input: ShiftInput, plan: Plan, write: boolean): Promise<{resume: ResumeEvidence | null; warnings: string[]}> {
  const ledger = foldLedger(await deps.state.readJournal());
  const warnings: string[] = [];
  const at = deps.now();
  const known = knownShares(ledger);
  const app = plan.app.name;
  if (!known.some((k) => sameShare(k, live))) {
    if (!input.adopt) {
      const whatJournal = known.length > 1 ? `${known[0]}% (verified) or ${known[1]}% (being written when the last run ended)` : `${known[0]}%`;
      throw new MigrateError('conflict', `The live AWS share is ${live}%, but the journal last verified ${whatJournal}: the weights were changed outside migrate.`, {
        hint: `Someone changed the weights in Cloudflare. Check ${app}'s load balancer, then re-run with --adopt to continue from ${live}%.`,
      });
    }
    if (write) await deps.state.journal({id: `adopt-${isoId(at)}`, op: 'cutover-adopt', phase: 'verify', ok: true, details: {live, journal: ledger.verifiedShare}});
    warnings.push(`Adopted the live AWS share ${live}% (the journal last verified ${ledger.verifiedShare}%).`);
  } else if (ledger.inFlight && write) {
    // learn the outcome of a write the journal never verified
    const w = ledger.inFlight;
    if (w.shiftId) await deps.state.journal(journalLine(w.shiftId, {op: 'read-back', phase: 'verify', at, id: w.id, expected: w.share, live, ok: sameShare(live, w.share)}));
    else await deps.state.journal({id: `reconcile-${isoId(at)}`, op: 'cutover-reconcile', phase: 'verify', ok: true, details: {live, inFlight: w.share}});
  }
  if (ledger.openShift && write) {
    const reason = `recovered by a later run: the previous run ended unexpectedly; live AWS share ${live}% (verified)`;
    await deps.state.journal(journalLine(ledger.openShift, {op: 'stopped', phase: 'note', at, exitCode: ExitCode.paused, reason, share: live}));
    warnings.push(`The previous shift ${ledger.openShift} ended unexpectedly; it was closed at the live, verified ${live}%.`);
  }
  if (input.adopt && !known.some((k) => sameShare(k, live))) return {resume: null, warnings};
  const after = write ? foldLedger(await deps.state.readJournal()) : previewLedger(ledger, live, at);
  return {resume: resumeEvidence(after, live), warnings};
}

/** what reconcile would journal, without writing it (dry run) */
function previewLedger(ledger: CutoverLedger, live: number, at: number): CutoverLedger {
  const w = ledger.inFlight;
  if (w && sameShare(w.share, live) && w.upStep) return {...ledger, unproven: {share: live, from: w.from, verifiedAt: at, creditFrom: at, lastEvidenceAt: at}};
  return ledger;
}

const isoId = (at: number) => new Date(at).toISOString().replace(/[:.]/g, '-');

export async function shiftWorkflow(input: ShiftInput, deps: ShiftDeps): Promise<ShiftResult> {
  const target = parseShare(input.to);
  const customSteps = input.steps ? parseSteps(input.steps) : undefined;
  // every flag is checked before the lock and the first write (and the same way under --dry-run)
  checkShiftTuning({pollMs: input.pollMs, bakeMs: input.bakeMs, maxBakeExtension: input.maxBakeExtension, consecutiveFailures: input.consecutiveFailures, minRequests: input.minRequests}, 'flags');
  const lock = input.dryRun ? null : await deps.state.lock('shift', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const appState = await deps.state.readState();
    const spec = specFromState(plan, appState);
    const warnings: string[] = [];
    const edge = await deps.edge();
    let view = await edge.read(spec);
    const live = view.awsShare;
    const journal = await deps.state.readJournal();
    refuseIfRetired(journal, plan.app.name, 'shift traffic to');
    checkShiftTuning(
      {
        pollMs: input.pollMs === undefined ? plan.cutover.pollSeconds * 1000 : undefined,
        maxBakeExtension: input.maxBakeExtension === undefined ? plan.cutover.maxBakeExtension : undefined,
        consecutiveFailures: input.consecutiveFailures === undefined ? plan.cutover.consecutiveFailures : undefined,
      },
      'plan',
    );
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const reconciled = await reconcile(deps, live, input, plan, !input.dryRun);
    warnings.push(...reconciled.warnings);
    // an unpassed live step bakes again before anything goes higher (a shift down needs no evidence)
    const resume = target >= live ? reconciled.resume : null;
    const steps = shiftSteps(live, target, plan.cutover, {steps: customSteps, bakeMs: input.bakeMs, minRequests: input.minRequests, bakeCurrent: !!resume});
    const unguarded = target > live ? checkGuardArmed(appState.guard, view.loadBalancerId, plan.app.name, target, input.noGuard ?? false) : null;
    if (unguarded) warnings.push(unguarded);
    const trip = guardTrips(journal).at(-1);
    if (trip && target > live) warnings.push(`The guard rolled back to ${trip.live ?? 0}% at ${trip.at} (alarm ${trip.alarm}): check that alarm before going up again.`);
    const gates = plan.cutover.gates.alarms;
    const base = {from: live, target, steps, gates, warnings, resumed: resume ? {share: live, ...resume} : null};
    if (input.dryRun || steps.length === 0) return {...base, shiftId: null, dryRun: !!input.dryRun, stop: null, status: null};

    const metrics = await deps.metrics(region);
    const up = target > live || !!resume;
    if (up) {
      const states = await metrics.alarmStates(gates);
      const missing = Object.entries(states).filter(([, s]) => s === 'MISSING').map(([n]) => n);
      if (missing.length) {
        throw new MigrateError('input', `Gate alarms do not exist: ${missing.join(', ')}. Shifting traffic without them would be unguarded.`, {hint: 'Deploy the stacks first (`migrate deploy`), which create the alarms.'});
      }
    }
    const resuming = resume ? `resume the unpassed ${live}% step (${formatDuration(resume.bakedMs)} baked per the journal), then ` : '';
    await deps.confirm(`Shift ${plan.app.name} from ${live}% to ${target}% AWS: ${resuming}${steps.length} step(s): ${steps.map((s) => `${s.weight}%`).join(' → ')}`);
    const shiftId = `shift-${new Date(deps.now()).toISOString().replace(/[:.]/g, '-')}`;
    const startedAtIso = new Date(deps.now()).toISOString();
    await deps.state.clearRollbackRequest();
    if (unguarded) await deps.state.journal({id: `${shiftId}/no-guard`, op: 'guard-skipped', phase: 'note', details: {target, by: deps.operator ?? null, warning: unguarded}});
    if (up && !view.awsPoolEnabled) {
      await deps.state.journal({id: `${shiftId}/enable-pool`, op: 'aws-pool-enable', phase: 'intent'});
      await edge.setAwsPoolEnabled(view, true, spec);
      view = await edge.read(spec);
      await deps.state.journal({id: `${shiftId}/enable-pool`, op: 'aws-pool-enable', phase: 'result', ok: view.awsPoolEnabled});
    }
    const start = next(initialState(), {
      type: 'started',
      at: deps.now(),
      liveShare: live,
      target,
      steps,
      pollMs: input.pollMs ?? plan.cutover.pollSeconds * 1000,
      maxBakeExtension: input.maxBakeExtension ?? plan.cutover.maxBakeExtension,
      consecutiveFailureLimit: input.consecutiveFailures ?? plan.cutover.consecutiveFailures,
      onFail: input.onFail ?? 'last-passed',
      ...(resume ? {resume} : {}),
    });
    const {state, stop} = await runCutover(
      {state: deps.state, edge, spec, view, metrics, alarms: gates, albFullName: appState.aws!.albFullName, now: deps.now, sleep: deps.sleep, interrupts: deps.interrupts, shiftId, startedAtIso, onProgress: (s) => deps.onProgress?.(s)},
      start,
    );
    return {...base, shiftId, dryRun: false, stop, status: describeState(state, deps.now())};
  } finally {
    await lock?.release();
  }
}
