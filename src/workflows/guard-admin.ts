/**
 * `migrate guard status | test | remove` (and the removal at the end of `migrate finalize`).
 * status: armed or not, why, and the last trip. test: by default a dry run of the guard's own
 * workflow with the CLI's token (what it would write, nothing written); with --confirm APP it
 * invokes the deployed function with a synthetic trip and checks the live share afterwards.
 * remove: deletes the stack `<app>-guard` and forgets it in the state (the token secret stays).
 */
import {MigrateError, usageError} from '../domain/errors.ts';
import {TEST_DETAIL_TYPE, TEST_SOURCE, type GuardConfig} from '../domain/guard.ts';
import type {AppState, GuardRecord} from '../domain/state.ts';
import type {EdgeBalancer} from '../ports/edge.ts';
import type {FunctionInvoker, StackRemover} from '../ports/guard.ts';
import type {StackDeployer} from '../ports/stacks.ts';
import type {StateStore} from '../ports/state.ts';
import {guardTrips, type GuardTrip} from './guard-journal.ts';
import {guardWorkflow, type GuardOutcome} from './guard-trip.ts';
import {specFromState} from './shift.ts';

const ARMED_STATES = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

export interface GuardStatus {
  app: string;
  armed: boolean;
  /** why it is not armed (empty when armed) */
  reasons: string[];
  installed: GuardRecord | null;
  stackStatus: string | null;
  lastTrip: GuardTrip | null;
  trips: number;
  /** shifts that went above 0% with --no-guard */
  unguardedShifts: number;
}

/** Armed: recorded, its stack complete, and guarding the load balancer edge setup recorded. */
export async function guardStatus(input: {app: string}, deps: {state: StateStore; stacks: (region: string) => Promise<StackDeployer>}): Promise<GuardStatus> {
  const appState = await deps.state.readState();
  const journal = await deps.state.readJournal();
  const trips = guardTrips(journal);
  const base = {app: input.app, lastTrip: trips.at(-1) ?? null, trips: trips.length, unguardedShifts: journal.filter((e) => e.op === 'guard-skipped').length};
  const record = appState.guard ?? null;
  if (!record) return {...base, armed: false, reasons: ['no guard installed (migrate guard install)'], installed: null, stackStatus: null};
  const stack = await (await deps.stacks(record.region)).describeStack(record.stackName);
  const reasons: string[] = [];
  if (!stack) reasons.push(`stack ${record.stackName} does not exist in ${record.region}`);
  else if (!ARMED_STATES.has(stack.status)) reasons.push(`stack ${record.stackName} is ${stack.status}`);
  if (appState.edge && appState.edge.loadBalancerId !== record.loadBalancerId) reasons.push(`it guards load balancer ${record.loadBalancerId}, not ${appState.edge.loadBalancerId} (re-install it)`);
  return {...base, armed: reasons.length === 0, reasons, installed: record, stackStatus: stack?.status ?? null};
}

/** The configuration the installed function runs with (from the state), for an in-process dry run. */
export function configFromState(app: string, s: AppState, guard: GuardRecord): GuardConfig {
  const e = s.edge!;
  return {
    app,
    region: guard.region,
    edge: {zoneId: e.zoneId, accountId: e.accountId, hostname: e.hostname, namePrefix: e.namePrefix, loadBalancerId: guard.loadBalancerId, herokuPoolId: e.herokuPoolId, awsPoolId: e.awsPoolId},
    // the dry run handles a test event only: the alarm ARNs (account unknown here) are not matched
    alarms: guard.alarms.map((name) => ({name, arn: `arn:aws:cloudwatch:${guard.region}:000000000000:alarm:${name}`})),
    tokenSecretArn: guard.tokenSecretArn,
  };
}

export interface GuardTestResult {
  dryRun: boolean;
  outcome: GuardOutcome | unknown;
  /** the AWS share read after a live test */
  liveAfter: number | null;
}

export async function guardTest(
  input: {app: string; confirm?: string},
  deps: {state: StateStore; edge: () => Promise<EdgeBalancer>; invoker: (region: string) => Promise<FunctionInvoker>; now: () => number; sleep: (ms: number) => Promise<void>},
): Promise<GuardTestResult> {
  if (input.confirm !== undefined && input.confirm !== input.app) {
    throw usageError(`--confirm '${input.confirm}' does not match the app '${input.app}'.`, `A live test moves all traffic of ${input.app} to Heroku: pass --confirm ${input.app} to mean it.`);
  }
  const plan = await deps.state.readPlan();
  const s = await deps.state.readState();
  const guard = s.guard;
  if (!guard) throw new MigrateError('input', `No guard of ${input.app} is installed.`, {hint: `Install it: migrate guard install --app ${input.app}.`});
  const spec = specFromState(plan, s);
  if (input.confirm === undefined) {
    const edge = await deps.edge();
    const outcome = await guardWorkflow({source: TEST_SOURCE, 'detail-type': TEST_DETAIL_TYPE, detail: {dryRun: true}}, configFromState(input.app, s, guard), {
      state: {journal: async () => undefined, writeRollbackRequest: async () => undefined},
      edge: async () => edge,
      metrics: async () => ({alarmStates: async () => ({})}),
      now: deps.now,
      sleep: deps.sleep,
    });
    return {dryRun: true, outcome, liveAfter: null};
  }
  const outcome = await (await deps.invoker(guard.region)).invoke(guard.functionName, {source: TEST_SOURCE, 'detail-type': TEST_DETAIL_TYPE, detail: {dryRun: false, app: input.app}});
  const liveAfter = (await (await deps.edge()).read(spec)).awsShare;
  return {dryRun: false, outcome, liveAfter};
}

export interface GuardRemoveResult {
  removed: boolean;
  stackName: string | null;
  region: string | null;
  tokenSecretArn: string | null;
}

/** Deletes the guard's stack and forgets it. The caller holds the app's lock (or takes it here). */
export async function removeGuard(app: string, deps: {state: StateStore; remover: (region: string) => Promise<StackRemover>; now: () => number; onNote?: (m: string) => void}, by: string): Promise<GuardRemoveResult> {
  const s = await deps.state.readState();
  const guard = s.guard;
  if (!guard) return {removed: false, stackName: null, region: null, tokenSecretArn: null};
  const id = `guard-remove-${new Date(deps.now()).toISOString().replace(/[:.]/g, '-')}`;
  await deps.state.journal({id, op: 'guard-remove', phase: 'intent', details: {stack: guard.stackName, region: guard.region, by}});
  deps.onNote?.(`Deleting stack ${guard.stackName} in ${guard.region}`);
  try {
    await (await deps.remover(guard.region)).deleteStack(guard.stackName);
  } catch (err) {
    await deps.state.journal({id, op: 'guard-remove', phase: 'result', ok: false, details: {error: (err as Error).message}});
    throw err;
  }
  const {guard: _removed, ...rest} = await deps.state.readState();
  await deps.state.writeState(rest);
  await deps.state.journal({id, op: 'guard-remove', phase: 'result', ok: true, details: {stack: guard.stackName}});
  return {removed: true, stackName: guard.stackName, region: guard.region, tokenSecretArn: guard.tokenSecretArn};
}

export async function guardRemove(
  input: {app: string; region?: string; breakLock?: boolean},
  deps: {state: StateStore; remover: (region: string) => Promise<StackRemover>; now: () => number; confirm: (summary: string) => Promise<void>; onNote?: (m: string) => void},
): Promise<GuardRemoveResult> {
  const lock = await deps.state.lock('guard remove', {breakLock: input.breakLock});
  try {
    const s = await deps.state.readState();
    if (!s.guard) return {removed: false, stackName: null, region: null, tokenSecretArn: null};
    const region = input.region ?? s.guard.region;
    if (region !== s.guard.region) throw usageError(`The guard of ${input.app} is in ${s.guard.region}, not ${region}.`, `Pass --region ${s.guard.region}.`);
    await deps.confirm(`Remove the guard of ${input.app} (stack ${s.guard.stackName} in ${region}): alarms will no longer move traffic back to Heroku between shifts`);
    return await removeGuard(input.app, deps, 'migrate guard remove');
  } finally {
    await lock.release();
  }
}
