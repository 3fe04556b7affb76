/**
 * `migrate shift --to N%`: reconcile the live weights with the journal (recovering from a crashed
 * run), then drive the cutover state machine step by step through Cloudflare and CloudWatch.
 */
import {describeState, initialState, next, parseShare, parseSteps, shiftSteps, type CutoverStatus, type OnFail, type ShiftStep} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import {checkShiftTuning} from '../domain/flag-checks.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec} from '../ports/edge.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {journalLine, runCutover, type Interrupts, type StopCommand} from './cutover-runner.ts';
import {lastVerifiedShare, refuseIfRetired, shiftsFromJournal} from './cutover-journal.ts';
import {resolveRegion} from '../domain/regions.ts';

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

/** Closes a shift whose process died: journals what is live now, so the history is whole again. */
async function recoverCrashedShift(deps: ShiftDeps, journalLive: number, live: number, input: ShiftInput, plan: Plan): Promise<string | null> {
  const shifts = shiftsFromJournal(await deps.state.readJournal());
  const last = shifts.at(-1);
  if (!last || last.stopped) return null;
  const phase = last.state.phase;
  const pending = phase.kind === 'writing' || phase.kind === 'verifying' ? phase.write.share : null;
  const known = [last.state.verifiedShare, ...(pending === null ? [] : [pending])];
  if (!known.includes(live) && !input.adopt) {
    throw new MigrateError('conflict', `The previous shift (${last.shiftId}) ended unexpectedly, and the live AWS share ${live}% is neither its last verified share (${last.state.verifiedShare}%) nor the share it was writing.`, {
      hint: `Someone changed the weights in Cloudflare. Check ${plan.app.name}'s load balancer, then re-run with --adopt to continue from ${live}%.`,
    });
  }
  const at = deps.now();
  await deps.state.journal(journalLine(last.shiftId, {op: 'read-back', phase: 'verify', at, id: null, expected: pending ?? last.state.verifiedShare, live, ok: true}));
  await deps.state.journal(journalLine(last.shiftId, {op: 'stopped', phase: 'note', at, exitCode: 4, reason: `recovered by a later run: the previous run ended unexpectedly; live AWS share ${live}% (verified)`, share: live}));
  return `The previous shift ${last.shiftId} ended unexpectedly (journal: ${journalLive}%); it was closed at the live, verified ${live}%.`;
}

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
    const journalLive = lastVerifiedShare(journal);
    const recovered = input.dryRun ? null : await recoverCrashedShift(deps, journalLive, live, input, plan);
    if (recovered) warnings.push(recovered);
    else if (live !== journalLive && !input.adopt) {
      throw new MigrateError('conflict', `The live AWS share is ${live}%, but the journal last verified ${journalLive}%: the weights were changed outside migrate.`, {
        hint: `Check the load balancer in Cloudflare; re-run with --adopt to continue from ${live}%.`,
      });
    }
    checkShiftTuning(
      {
        pollMs: input.pollMs === undefined ? plan.cutover.pollSeconds * 1000 : undefined,
        maxBakeExtension: input.maxBakeExtension === undefined ? plan.cutover.maxBakeExtension : undefined,
        consecutiveFailures: input.consecutiveFailures === undefined ? plan.cutover.consecutiveFailures : undefined,
      },
      'plan',
    );
    const steps = shiftSteps(live, target, plan.cutover, {steps: customSteps, bakeMs: input.bakeMs, minRequests: input.minRequests});
    const gates = plan.cutover.gates.alarms;
    const base = {from: live, target, steps, gates, warnings};
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    if (input.dryRun || steps.length === 0) return {...base, shiftId: null, dryRun: !!input.dryRun, stop: null, status: null};

    const metrics = await deps.metrics(region);
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
