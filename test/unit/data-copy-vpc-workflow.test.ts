/**
 * runInVpc (the operator's side of `data copy --in-vpc`) over in-memory ports: the moments the
 * e2e suite (test/e2e/data-copy-vpc.test.ts, moto) cannot time, i.e. a Ctrl-C while RunTask is in
 * flight, and the outcome of a task this CLI stopped.
 */
import {formatLine, type RunnerResult} from '../../src/domain/data-runner.ts';
import type {DataKind} from '../../src/domain/data-copy.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {AddonPlan} from '../../src/domain/addon-plan.ts';
import {emptyState} from '../../src/domain/state.ts';
import type {RunTaskSpec, TaskOutcome} from '../../src/ports/tasks.ts';
import {runInVpc, type PreparedRunner} from '../../src/workflows/data-copy-vpc.ts';
import {pgShopPlan} from '../support/plans.ts';
import {memoryState} from '../support/memory-state.ts';

const plan = pgShopPlan();
const addon = plan.addons.find((a) => a.category === 'postgres') as AddonPlan & {category: DataKind};
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shop/abc123';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws/shop-AbCdEf';
const prepared: PreparedRunner = {
  image: 'runner:1',
  region: 'us-east-1',
  source: {secretArn: SECRET, jsonKey: 'DATABASE_URL'},
  target: {secretArn: SECRET, jsonKey: 'TARGET'},
  urlVar: 'DATABASE_URL',
  outputs: {ClusterName: 'shop', PrivateSubnetIds: 'subnet-1,subnet-2', TaskSecurityGroupId: 'sg-1', LogGroupName: '/heroku2aws/shop', ExecutionRoleArn: 'arn:aws:iam::1:role/x', DataRunnerRoleArn: 'arn:aws:iam::1:role/y'},
  sourceLabel: 'Heroku DATABASE_URL',
  targetLabel: 'shop-database',
};
const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return {promise, resolve};
};

function world(o: {lines?: string[]; outcome?: Partial<TaskOutcome>; runTask?: Promise<void>} = {}) {
  const state = memoryState(plan, {
    ...emptyState('shop'),
    addons: {[addon.name]: {remaps: {}, data: {phase: 'verified', updatedAt: '2026-11-26T00:00:00Z', details: {targetId: 't1', mismatches: 0}}}},
  });
  const calls: string[] = [];
  const stopped = deferred<string>();
  const listeners = new Set<() => void>();
  const tasks = {
    ensureTaskDefinition: async () => ({arn: 'arn:aws:ecs:us-east-1:1:task-definition/shop-data-runner:1', registered: false}),
    runTask: async (spec: RunTaskSpec) => {
      calls.push(`runTask ${spec.startedBy}`);
      await o.runTask;
      return {taskArn: ARN};
    },
    waitForTask: async (): Promise<TaskOutcome> => {
      if (o.outcome) return {taskArn: ARN, lastStatus: 'STOPPED', exitCode: 0, timedOut: false, ...o.outcome};
      const reason = await stopped.promise;
      return {taskArn: ARN, lastStatus: 'STOPPED', exitCode: null, timedOut: false, stoppedReason: reason};
    },
    stopTask: async (_cluster: string, arn: string, reason: string) => {
      calls.push(`stopTask ${arn} ${reason}`);
      stopped.resolve(reason);
    },
  };
  const deps = {
    state,
    heroku: async () => {
      throw new Error('not used');
    },
    secrets: async () => {
      throw new Error('not used');
    },
    postgres: async () => {
      throw new Error('not used');
    },
    redis: async () => {
      throw new Error('not used');
    },
    clock: {now: () => new Date('2026-11-26T01:00:00Z')},
    env: {},
    tmpDir: '/tmp',
    stacks: async () => ({describeStack: async () => null}),
    tasks: async () => tasks,
    logs: async () => ({read: async () => ({lines: o.lines ?? [], nextToken: 'end'})}),
    interrupts: {
      subscribe(f: () => void) {
        listeners.add(f);
        return () => void listeners.delete(f);
      },
    },
    logPollMs: 5,
    logGraceMs: 60_000,
    onProgress: (m: string) => void calls.push(`progress ${m}`),
  };
  const interrupt = () => [...listeners].forEach((f) => f());
  return {state, calls, deps, interrupt, listeners};
}
const run = (w: ReturnType<typeof world>, warnings: string[] = []) => runInVpc(prepared, {plan, addon, input: {app: 'shop', addon: 'postgres', frozen: true}, deps: w.deps as never, warnings});

const result: RunnerResult = {
  addon: addon.name,
  kind: 'postgres',
  source: 'Heroku DATABASE_URL',
  target: 'shop-database',
  phase: 'verified',
  wiped: 'restart',
  stats: {tables: 1, rows: 1, bytes: 1, seconds: {total: 1}},
  verification: {kind: 'postgres', result: {ok: true, mismatches: 0} as never},
  warnings: ['An earlier copy into this target did not finish: the target was wiped and the copy started over.'],
};

describe('runInVpc', () => {
  it('Ctrl-C while RunTask is in flight: the task is stopped as soon as RunTask answers; exit 4; the copy is not left verified', async () => {
    const gate = deferred<void>();
    const w = world({runTask: gate.promise});
    const running = run(w).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 10));
    expect(w.listeners.size).toBe(1); // subscribed before RunTask
    w.interrupt();
    gate.resolve();
    const err = (await running) as MigrateError;
    expect(err).toBeInstanceOf(MigrateError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(`Interrupted: the runner task ${ARN} was stopped (log stream /heroku2aws/shop data-runner/data-runner/abc123).`);
    expect(w.calls.filter((c) => c.startsWith('stopTask'))).toEqual([`stopTask ${ARN} heroku2aws: interrupted by the operator (Ctrl-C)`]);
    expect(w.calls).toContain('progress Interrupted: the runner task is stopped as soon as RunTask answers');
    expect(w.listeners.size).toBe(0);
    const data = (await w.state.readState()).addons![addon.name]!.data!;
    expect(data.phase).toBe('copy-failed');
    expect(data.details).toMatchObject({targetId: 't1', error: expect.stringMatching(/^Interrupted/)});
    expect(w.state.lines.filter((l) => l.op === 'data-runner').map((l) => `${l.phase}:${l.ok ?? ''}`)).toEqual(['intent:', 'result:false']);
  });

  it('a timeout: the task is stopped with the reason; no grace wait for lines that cannot come; copy-failed although no begin line arrived', async () => {
    const w = world({outcome: {lastStatus: 'RUNNING', exitCode: null, timedOut: true}, lines: [formatLine({type: 'start', addon: addon.name, kind: 'postgres', version: '1'})]});
    const t0 = Date.now();
    const err = (await run(w).catch((e: unknown) => e)) as MigrateError;
    expect(Date.now() - t0).toBeLessThan(5000); // logGraceMs is 60 s
    expect(err.message).toMatch(/did not finish within 21600 s and was stopped \(task arn:aws:ecs:\S+, log stream /);
    expect(err.exitCode).toBe(1);
    expect(w.calls.filter((c) => c.startsWith('stopTask'))).toEqual([`stopTask ${ARN} heroku2aws: data copy timed out after 21600 s`]);
    expect((await w.state.readState()).addons![addon.name]!.data!.phase).toBe('copy-failed');
  });

  it("a verified task: its warnings go into the caller's list (the cutover reports that list)", async () => {
    const lines = [
      formatLine({type: 'begin', sourceId: 's1', targetId: 't1', wipe: true}),
      formatLine({type: 'copied', stats: result.stats}),
      formatLine({type: 'verified', ok: true, mismatches: 0, seconds: 1}),
      formatLine({type: 'result', result}),
    ];
    const w = world({lines, outcome: {}});
    const warnings = ['caller warning'];
    const r = await run(w, warnings);
    expect(r.warnings).toEqual(['caller warning', result.warnings[0]]);
    expect(warnings).toEqual(['caller warning', result.warnings[0]]);
    expect((await w.state.readState()).addons![addon.name]!.data!.phase).toBe('verified');
    expect(w.calls.some((c) => c.startsWith('stopTask'))).toBe(false);
  });
});
