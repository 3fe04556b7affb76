/**
 * The cutover runner under hung services and a journal that cannot be written: every effect is
 * bounded, Ctrl-C during a hung gate read stops within about a second, and a shift that cannot
 * journal rolls back to its last passed share and says what is live. In-memory ports; the end
 * state asserted is the load balancer's live share and the journal.
 */
import {initialState, next, type ShiftStep} from '../../src/domain/cutover.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {JournalEntry} from '../../src/domain/state.ts';
import type {EdgeBalancer, EdgeSpec, EdgeView} from '../../src/ports/edge.ts';
import type {MetricsGate} from '../../src/ports/metrics.ts';
import type {StateStore} from '../../src/ports/state.ts';
import {runCutover, type CutoverIo} from '../../src/workflows/cutover-runner.ts';

const never = <T>() => new Promise<T>(() => undefined);
const spec = {hostname: 'shop.example.com'} as EdgeSpec;

interface World {
  live: number;
  writes: number[];
  journal: JournalEntry[];
  hang: {write?: boolean; read?: boolean; gates?: boolean};
  /** whether the n-th append attempt (0-based) fails with ENOSPC */
  journalFails?: (n: number) => boolean;
  interrupt?: () => void;
}

function io(w: World, steps: ShiftStep[]): CutoverIo {
  const view = (): EdgeView => ({
    loadBalancerId: 'lb',
    hostname: spec.hostname,
    steeringPolicy: 'random',
    herokuPoolId: 'h',
    awsPoolId: 'a',
    awsShare: w.live,
    fallbackPoolId: 'h',
    defaultPools: ['h', 'a'],
    awsPoolEnabled: true,
    sessionAffinity: 'none',
    adaptiveFailover: false,
  });
  const edge = {
    read: async () => (w.hang.read ? never<EdgeView>() : view()),
    writeWeights: async (_v: EdgeView, share: number) => {
      if (w.hang.write) return never<void>();
      w.writes.push(share);
      w.live = share;
    },
    setAwsPoolEnabled: async () => undefined,
    awsPoolHealth: async () => (w.hang.gates ? never<'healthy'>() : 'healthy' as const),
  } as unknown as EdgeBalancer;
  const metrics: MetricsGate = {
    alarmStates: async (names) => (w.hang.gates ? never() : Object.fromEntries(names.map((n) => [n, 'OK' as const]))),
    requestCount: async () => 1000,
  };
  let appends = 0;
  const state = {
    journal: async (entry: Omit<JournalEntry, 'at'>) => {
      if (w.journalFails?.(appends++)) {
        throw new MigrateError('io', 'Cannot append to plans/shop/journal.jsonl: ENOSPC.', {hint: 'The disk is full: free space, then re-run.'});
      }
      w.journal.push({at: new Date().toISOString(), ...entry});
    },
    readRollbackRequest: async () => null,
  } as unknown as StateStore;
  void steps;
  return {
    state,
    edge,
    spec,
    view: view(),
    metrics,
    alarms: ['gate'],
    albFullName: 'app/shop/1',
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    interrupts: {
      subscribe: (fn) => {
        w.interrupt = fn;
        return () => (w.interrupt = undefined);
      },
    },
    shiftId: 'shift-test',
    startedAtIso: new Date().toISOString(),
    effectTimeoutMs: 30_000,
  };
}

function start(w: World, steps: ShiftStep[], target: number) {
  return next(initialState(), {type: 'started', at: Date.now(), liveShare: w.live, target, steps, pollMs: 100, maxBakeExtension: 2, consecutiveFailureLimit: 1, onFail: 'last-passed'});
}
const world = (over: Partial<World> = {}): World => ({live: 0, writes: [], journal: [], hang: {}, ...over});
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('cutover runner: bounded effects', () => {
  it('Ctrl-C during a hung gate read stops within about a second at the verified share (exit 4)', async () => {
    const w = world();
    const steps = [{weight: 5, bakeMs: 60_000, minRequests: 0}];
    const runIo = io(w, steps);
    const run = runCutover(runIo, start(w, steps, 5));
    await until(() => w.live === 5);
    w.hang.gates = true;
    await new Promise((r) => setTimeout(r, 300)); // the first gate read is outstanding now
    const t0 = Date.now();
    w.interrupt!();
    const {stop} = await run;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(stop.exitCode).toBe(4);
    expect(w.live).toBe(5);
    expect(w.journal.map((e) => e.op).slice(-2)).toEqual(['cutover.interrupted', 'cutover.stopped']);
  });

  it('Ctrl-C during a hung write ends in bounded time, the write journaled as of unknown outcome', async () => {
    const w = world({hang: {write: true}});
    const steps = [{weight: 5, bakeMs: 60_000, minRequests: 0}];
    const run = runCutover(io(w, steps), start(w, steps, 5));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    w.interrupt!();
    const {stop} = await run;
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(stop.exitCode).toBe(4);
    expect(w.live).toBe(0);
    const result = w.journal.find((e) => e.op === 'cutover.write-weights' && e.phase === 'result');
    expect(result?.details).toMatchObject({entry: {ok: false, landed: 'unknown', message: expect.stringMatching(/No answer while writing the pool weights/)}});
  });

  it('a read-back that never answers is bounded by the effect timeout and stops unverified (exit 1)', async () => {
    const w = world();
    const steps = [{weight: 5, bakeMs: 0, minRequests: 0}];
    const runIo = {...io(w, steps), effectTimeoutMs: 150};
    w.hang.read = true;
    const t0 = Date.now();
    const {stop} = await runCutover(runIo, start(w, steps, 5));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(stop).toMatchObject({exitCode: 1, share: null});
    expect(stop.reason).toMatch(/0% or 5%, unverified/);
  });
});

describe('cutover runner: a journal that cannot be written', () => {
  it('during the bake of the second step: rolls back to the share that passed, verified, and says so', async () => {
    const w = world();
    const steps = [
      {weight: 5, bakeMs: 200, minRequests: 0},
      {weight: 10, bakeMs: 60_000, minRequests: 0},
    ];
    const runIo = io(w, steps);
    const run = runCutover(runIo, start(w, steps, 10)).catch((err: unknown) => err as MigrateError);
    await until(() => w.live === 10);
    const full = w.journal.length;
    w.journalFails = (n) => n >= full; // the disk fills up during the 10% bake
    const err = await run;
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).message).toMatch(/^Cannot write the journal \(Cannot append .*ENOSPC\.\): the shift stopped gating and rolled back to AWS 5%: the live AWS share is 5% \(verified\)\.$/);
    expect((err as MigrateError).hint).toMatch(/free space.*re-run `migrate shift`/);
    expect(w.writes).toEqual([5, 10, 5]);
    expect(w.live).toBe(5);
  });

  it('at the very first append after a write: back to the starting share; recorded when the journal recovers', async () => {
    const w = world({live: 25});
    const steps = [{weight: 50, bakeMs: 60_000, minRequests: 0}];
    const runIo = io(w, steps);
    // shift-started and the write intent land; the write's result does not; later appends do
    w.journalFails = (n) => n === 2;
    const err = (await runCutover(runIo, start(w, steps, 50)).catch((e: unknown) => e)) as MigrateError;
    expect(err.message).toMatch(/rolled back to AWS 25%: the live AWS share is 25% \(verified\)/);
    expect(w.writes).toEqual([50, 25]);
    expect(w.live).toBe(25);
    expect(w.journal.map((e) => e.op).slice(-2)).toEqual(['cutover.read-back', 'cutover.stopped']);
  });

  it('when Cloudflare does not answer either, it says the live share is unknown and points at migrate rollback', async () => {
    const w = world();
    const steps = [{weight: 5, bakeMs: 60_000, minRequests: 0}];
    const runIo = {...io(w, steps), effectTimeoutMs: 100};
    const run = runCutover(runIo, start(w, steps, 5)).catch((e: unknown) => e as MigrateError);
    await until(() => w.live === 5);
    w.hang = {read: true, write: true, gates: true};
    const full = w.journal.length;
    w.journalFails = (n) => n >= full;
    const err = (await run) as MigrateError;
    expect(err.message).toMatch(/the live AWS share is unknown \(Cloudflare did not answer; last verified 5%\)/);
    expect(err.hint).toMatch(/migrate rollback/);
  });
});
