/**
 * `migrate shift --to N%`: reconcile the live weights with the journal (recovering from a crashed
 * run), then drive the cutover state machine step by step through Cloudflare and CloudWatch.
 */
import {describeState, initialState, next, parseShare, parseSteps, sameShare, shiftSteps, type CutoverStatus, type OnFail, type ShiftStep} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec} from '../ports/edge.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {journalLine, runCutover, type Interrupts, type StopCommand} from './cutover-runner.ts';
import {lastVerifiedShare, refuseIfRetired, shiftsFromJournal} from './cutover-journal.ts';
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
 * Closes a shift whose process died, or that stopped without verifying the live share (its write
 * could not be read back): journals what is live now, so the history is whole again.
 */
async function recoverCrashedShift(deps: ShiftDeps, journalLive: number, live: number, input: ShiftInput, plan: Plan): Promise<string | null> {
  const shifts = shiftsFromJournal(await deps.state.readJournal());
  const last = shifts.at(-1);
  const stoppedUnverified = last?.entries.some((e) => e.op === 'stopped' && e.share === null) ?? false;
  const closedAlready = stoppedUnverified && last?.entries.at(-1)?.op === 'read-back';
  if (!last || (last.stopped && !stoppedUnverified) || closedAlready) return null;
  const phase = last.state.phase;
  const lastWrite = last.entries.findLast((e) => e.op === 'write-weights' && e.phase === 'intent');
  const pending = phase.kind === 'writing' || phase.kind === 'verifying' ? phase.write.share : stoppedUnverified && lastWrite?.op === 'write-weights' ? lastWrite.share : null;
  // a run that could not journal rolls back to its last passed share before it exits (cutover-runner.ts)
  const known = [last.state.verifiedShare, last.state.passedShare, ...(pending === null ? [] : [pending])];
  if (stoppedUnverified && lastWrite?.op === 'write-weights') known.push(lastWrite.from);
  const how = stoppedUnverified ? 'stopped without verifying the live share' : 'ended unexpectedly';
  if (!known.some((share) => sameShare(share, live)) && !input.adopt) {
    throw new MigrateError('conflict', `The previous shift (${last.shiftId}) ${how}, and the live AWS share ${live}% is neither its last verified share (${last.state.verifiedShare}%) nor the share it was writing.`, {
      hint: `Someone changed the weights in Cloudflare. Check ${plan.app.name}'s load balancer, then re-run with --adopt to continue from ${live}%.`,
    });
  }
  const at = deps.now();
  await deps.state.journal(journalLine(last.shiftId, {op: 'read-back', phase: 'verify', at, id: null, expected: pending ?? last.state.verifiedShare, live, ok: true}));
  if (!last.stopped) {
    await deps.state.journal(journalLine(last.shiftId, {op: 'stopped', phase: 'note', at, exitCode: 4, reason: `recovered by a later run: the previous run ended unexpectedly; live AWS share ${live}% (verified)`, share: live}));
  }
  return `The previous shift ${last.shiftId} ${how} (journal: ${journalLive}%); the live share is now verified at ${live}% and recorded.`;
}

export async function shiftWorkflow(input: ShiftInput, deps: ShiftDeps): Promise<ShiftResult> {
  const target = parseShare(input.to);
  const customSteps = input.steps ? parseSteps(input.steps) : undefined;
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
    const journalLive = lastVerifiedShare(journal);
    const recovered = input.dryRun ? null : await recoverCrashedShift(deps, journalLive, live, input, plan);
    if (recovered) warnings.push(recovered);
    else if (live !== journalLive && !input.adopt) {
      throw new MigrateError('conflict', `The live AWS share is ${live}%, but the journal last verified ${journalLive}%: the weights were changed outside migrate.`, {
        hint: `Check the load balancer in Cloudflare; re-run with --adopt to continue from ${live}%.`,
      });
    }
    const steps = shiftSteps(live, target, plan.cutover, {steps: customSteps, bakeMs: input.bakeMs, minRequests: input.minRequests});
    const unguarded = target > live ? checkGuardArmed(appState.guard, view.loadBalancerId, plan.app.name, target, input.noGuard ?? false) : null;
    if (unguarded) warnings.push(unguarded);
    const trip = guardTrips(journal).at(-1);
    if (trip && target > live) warnings.push(`The guard rolled back to ${trip.live ?? 0}% at ${trip.at} (alarm ${trip.alarm}): check that alarm before going up again.`);
    const gates = plan.cutover.gates.alarms;
    const base = {from: live, target, steps, gates, warnings};
    if (input.dryRun || steps.length === 0) return {...base, shiftId: null, dryRun: !!input.dryRun, stop: null, status: null};

    const metrics = await deps.metrics(resolveRegion(input.region, deps.env, plan.app.awsRegion));
    if (target > live) {
      const states = await metrics.alarmStates(gates);
      const missing = Object.entries(states).filter(([, s]) => s === 'MISSING').map(([n]) => n);
      if (missing.length) {
        throw new MigrateError('input', `Gate alarms do not exist: ${missing.join(', ')}. Shifting traffic without them would be unguarded.`, {hint: 'Deploy the stacks first (`migrate deploy`), which create the alarms.'});
      }
    }
    await deps.confirm(`Shift ${plan.app.name} from ${live}% to ${target}% AWS in ${steps.length} step(s): ${steps.map((s) => `${s.weight}%`).join(' → ')}`);
    const shiftId = `shift-${new Date(deps.now()).toISOString().replace(/[:.]/g, '-')}`;
    const startedAtIso = new Date(deps.now()).toISOString();
    await deps.state.clearRollbackRequest();
    if (unguarded) await deps.state.journal({id: `${shiftId}/no-guard`, op: 'guard-skipped', phase: 'note', details: {target, by: deps.operator ?? null, warning: unguarded}});
    if (target > live && !view.awsPoolEnabled) {
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
