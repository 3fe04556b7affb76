/** `migrate status`: live weights, gate states, the current or last shift, and the share over time. */
import {describeState, type CutoverStatus} from '../domain/cutover.ts';
import type {AlarmStateValue} from '../domain/gates.ts';
import type {LockInfo} from '../ports/state.ts';
import type {EdgeView, PoolHealth} from '../ports/edge.ts';
import {shareTimeline, shiftsFromJournal} from './cutover-journal.ts';
import type {ShiftDeps} from './shift.ts';
import {specFromState} from './shift.ts';
import {resolveRegion} from '../domain/regions.ts';
import {guardTrips, type GuardTrip} from './guard-journal.ts';

export interface StatusResult {
  app: string;
  edge: (EdgeView & {awsPoolHealth: PoolHealth}) | null;
  gates: Record<string, AlarmStateValue>;
  shift: (CutoverStatus & {shiftId: string; running: boolean}) | null;
  timeline: {at: string; share: number}[];
  lock: LockInfo | null;
  /** the guard as the state records it (migrate guard status also checks its stack) */
  guard: {armed: boolean; stackName: string | null; region: string | null; lastTrip: GuardTrip | null; unguardedShifts: number};
}

export async function statusWorkflow(input: {app: string; region?: string}, deps: Pick<ShiftDeps, 'state' | 'edge' | 'metrics' | 'now' | 'env'>): Promise<StatusResult> {
  const plan = await deps.state.readPlan();
  const appState = await deps.state.readState();
  const journal = await deps.state.readJournal();
  const lock = await deps.state.lockHolder();
  const last = shiftsFromJournal(journal).at(-1);
  const running = !!last && !last.stopped && lock?.command === 'shift';
  const shift = last ? {...describeState(last.state, deps.now()), shiftId: last.shiftId, running} : null;
  const g = appState.guard;
  const guard = {
    armed: !!g && (!appState.edge || appState.edge.loadBalancerId === g.loadBalancerId),
    stackName: g?.stackName ?? null,
    region: g?.region ?? null,
    lastTrip: guardTrips(journal).at(-1) ?? null,
    unguardedShifts: journal.filter((e) => e.op === 'guard-skipped').length,
  };
  const base = {app: plan.app.name, shift, timeline: shareTimeline(journal), lock, guard};
  if (!appState.edge) return {...base, edge: null, gates: {}};
  const spec = specFromState(plan, appState);
  const edge = await deps.edge();
  const metrics = await deps.metrics(resolveRegion(input.region, deps.env, plan.app.awsRegion));
  const view = await edge.read(spec);
  const [health, gates] = await Promise.all([edge.awsPoolHealth(view, spec), metrics.alarmStates(plan.cutover.gates.alarms)]);
  return {...base, edge: {...view, awsPoolHealth: health}, gates};
}
