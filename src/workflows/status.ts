/**
 * `migrate status`: where the whole migration stands, and the cutover as the journal plus the
 * live weights tell it: the headline is the live share; a shift whose process is gone is
 * interrupted at its last verified share (never "baking"); rollbacks by anyone are shown.
 */
import {describeState, type CutoverStatus} from '../domain/cutover.ts';
import {foldLedger} from '../domain/cutover-ledger.ts';
import type {AlarmStateValue} from '../domain/gates.ts';
import {cutoverPhase, migrationStages, type PhaseView, type Stage} from '../domain/migration-status.ts';
import type {LockInfo} from '../ports/state.ts';
import type {EdgeView, PoolHealth} from '../ports/edge.ts';
import {shareTimeline, shiftsFromJournal} from './cutover-journal.ts';
import type {ShiftDeps} from './shift.ts';
import {specFromState} from './shift.ts';
import {resolveRegion} from '../domain/regions.ts';
import {guardTrips, type GuardTrip} from './guard-journal.ts';

export interface StatusResult {
  app: string;
  /** the cutover's phase from the journal and the live weights; headline leads with the live share */
  cutover: PhaseView & {liveShare: number | null};
  migration: {stages: Stage[]; next: {label: string; command: string | null} | null};
  edge: (EdgeView & {awsPoolHealth: PoolHealth}) | null;
  gates: Record<string, AlarmStateValue>;
  /** the last shift; liveShare is the live share (lastVerifiedShare: what that shift last read back) */
  shift: (CutoverStatus & {shiftId: string; running: boolean; lastVerifiedShare: number}) | null;
  timeline: {at: string; share: number; kind: 'step' | 'rollback'}[];
  /** the plan's schedule (the chart's levels) */
  schedule: number[];
  /** rollbacks outside shifts (migrate rollback, the guard), for the chart */
  rollbacks: {at: string; by: string | null; live: number}[];
  lock: LockInfo | null;
  /** the guard as the state records it (migrate guard status also checks its stack) */
  guard: {armed: boolean; stackName: string | null; region: string | null; lastTrip: GuardTrip | null; unguardedShifts: number};
}

export type StatusDeps = Pick<ShiftDeps, 'state' | 'edge' | 'metrics' | 'now' | 'env'> & {
  /** whether the lock's holder still runs (a crashed shift leaves its lock behind) */
  lockAlive?: (lock: LockInfo) => boolean;
};

export async function statusWorkflow(input: {app: string; region?: string}, deps: StatusDeps): Promise<StatusResult> {
  const plan = await deps.state.readPlan();
  const appState = await deps.state.readState();
  const journal = await deps.state.readJournal();
  const lock = await deps.state.lockHolder();
  const last = shiftsFromJournal(journal).at(-1);
  const running = !!last && !last.stopped && lock?.command === 'shift' && !lock.expired && (deps.lockAlive?.(lock) ?? true); // an expired lease: the holder died
  let edge: StatusResult['edge'] = null;
  let gates: StatusResult['gates'] = {};
  if (appState.edge) {
    const spec = specFromState(plan, appState);
    const balancer = await deps.edge();
    const metrics = await deps.metrics(resolveRegion(input.region, deps.env, plan.app.awsRegion));
    const view = await balancer.read(spec);
    const [health, states] = await Promise.all([balancer.awsPoolHealth(view, spec), metrics.alarmStates(plan.cutover.gates.alarms)]);
    edge = {...view, awsPoolHealth: health};
    gates = states;
  }
  const live = edge?.awsShare ?? null;
  const described = last ? describeState(last.state, deps.now()) : null;
  // a gone process is not baking: its bake numbers would describe nothing
  const gone = !!last && !last.stopped && !running;
  const history = described?.history.map((h) => (gone && h.outcome === 'baking' ? {...h, outcome: 'interrupted' as const} : h)) ?? [];
  const shift = last && described ? {...described, ...(running ? {} : {bake: null}), history, shiftId: last.shiftId, running, lastVerifiedShare: described.liveShare, liveShare: live ?? described.liveShare} : null;
  const lastShiftAt = last?.entries.at(-1)?.at ?? null;
  const view = cutoverPhase(described, running, foldLedger(journal), live, lastShiftAt);
  if (shift && view.phase !== 'running') shift.summary = view.detail;
  const g = appState.guard;
  const guard = {
    armed: !!g && (!appState.edge || appState.edge.loadBalancerId === g.loadBalancerId),
    stackName: g?.stackName ?? null,
    region: g?.region ?? null,
    lastTrip: guardTrips(journal).at(-1) ?? null,
    unguardedShifts: journal.filter((e) => e.op === 'guard-skipped').length,
  };
  const {stages, next} = migrationStages(plan, appState, journal, live);
  const rollbacks = journal.filter((l) => l.op === 'rollback' && l.phase === 'verify' && l.ok).map((l) => ({at: l.at, by: rollbackBy(journal, l.id), live: Number((l.details as {live?: number} | undefined)?.live ?? 0)}));
  return {
    app: plan.app.name,
    cutover: {...view, liveShare: live},
    migration: {stages, next: next ? {label: next.label, command: next.command} : null},
    edge,
    gates,
    shift,
    timeline: shareTimeline(journal),
    schedule: plan.cutover.steps.map((st) => st.weight),
    rollbacks,
    lock,
    guard,
  };
}

const rollbackBy = (journal: readonly {id: string; op: string; phase: string; details?: Record<string, unknown>}[], id: string): string | null => {
  const intent = journal.find((l) => l.id === id && l.op === 'rollback' && l.phase === 'intent');
  const by = intent?.details?.by;
  return typeof by === 'string' ? by : null;
};
