/**
 * Property test of resume and recovery through the real `shiftWorkflow` (and `rollbackWorkflow`):
 * a simulated world (load balancer, CloudWatch alarms, ALB traffic) on a virtual clock records
 * when each share was written and first read back, and how many requests AWS served; the only
 * shared memory between runs is the journal. Runs are frozen ("killed") after a random journal
 * prefix, then the next run re-enters and keeps going; between runs `migrate rollback` or a guard
 * rollback (journaled as `op: 'rollback'`, `details.by: 'guard'`) may move traffic to 0.
 *
 * Invariants, judged by the world, not by the machine:
 * - every write that raises the AWS share above a share Y > 0 reached by a step up happens at
 *   least the bake after Y was first read back, with at least the request minimum served at Y;
 * - a run that reports success at its target (exit 0) did so only after that same evidence;
 * - the tool's own rollbacks are never taken for drift (no run fails with a conflict);
 * - the live share is always the last share read back or the one being written.
 *
 * A failure prints the seed; re-run one with RECOVERY_SEED=<seed>.
 */
import {shiftWorkflow} from '../../src/workflows/shift.ts';
import {rollbackWorkflow} from '../../src/workflows/rollback.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {EdgeView} from '../../src/ports/edge.ts';
import {served, simulatedCutover, type World} from '../support/cutover-sim.ts';

const SCENARIOS = Number(process.env.RECOVERY_SCENARIOS ?? 120);
const ACTIONS = 14;
const TARGETS = [1, 5, 10, 25, 50];

function makeRng(seed: number) {
  let a = seed >>> 0;
  const float = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(float() * (hi - lo + 1));
  return {float, int, chance: (p: number) => float() < p, pick: <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!};
}

interface Settings {
  bakeMs: number;
  minRequests: number;
  pollMs: number;
  maxBakeExtension: number;
}

/** the first read of `share` after time t (the world's verification of a write) */
const firstReadAfter = (w: World, t: number, share: number) => w.reads.find((r) => r.t > t && r.share === share)?.t;

/** Checks every promotion in the world's history; `claimedAt` adds "exit 0 at the live share at time T". */
function checkPromotions(w: World, s: Settings, fail: (why: string) => never, claimedAt: number | null = null): void {
  let cur = 0;
  let byUp = false;
  let setAt = 0;
  const check = (share: number, at: number, what: string) => {
    if (!(share > 0 && byUp)) return;
    const verified = firstReadAfter(w, setAt, share);
    if (verified === undefined || verified > at) fail(`${what} at t=${at}: ${share}% was never read back before`);
    if (at - verified < s.bakeMs) fail(`${what} at t=${at}: ${share}% (verified t=${verified}) baked only ${at - verified} ms < ${s.bakeMs} ms`);
    const requests = served(w, verified, at);
    if (requests < s.minRequests) fail(`${what} at t=${at}: ${share}% served ${requests} requests < ${s.minRequests}`);
  };
  for (const write of w.writes) {
    if (write.to > cur) check(cur, write.t, `write of ${write.to}%`);
    byUp = write.to > cur;
    cur = write.to;
    setAt = write.t;
  }
  if (claimedAt !== null) check(cur, claimedAt, `success reported at ${cur}%`);
}

async function runScenario(seed: number): Promise<{crashes: number; resumes: number; promotions: number}> {
  const rng = makeRng(seed);
  const world: World = {
    t: 1_700_000_000_000,
    share: 0,
    awsEnabled: true,
    writes: [],
    reads: [],
    rates: Array.from({length: 7}, () => rng.pick([0, 0, 1, 5, 20, 60])),
    alarmP: rng.pick([0, 0, 0.02, 0.1]),
    rng,
  };
  const settings: Settings = {bakeMs: rng.int(2, 20) * 100, minRequests: rng.pick([0, 0, 5, 30]), pollMs: rng.int(1, 5) * 100, maxBakeExtension: rng.pick([1, 1.5, 3])};
  const {plan, state, deps, edge} = simulatedCutover(world);
  const now = deps.now;
  const trace: string[] = [];
  const fail = (why: string): never => {
    throw new Error(`seed ${seed}: ${why}\nsettings ${JSON.stringify(settings)}\n${trace.join('\n')}`);
  };
  const stats = {crashes: 0, resumes: 0, promotions: 0};
  for (let action = 0; action < ACTIONS; action++) {
    const roll = rng.float();
    if (roll < 0.12) {
      trace.push(`rollback (migrate rollback) at ${world.share}%`);
      await rollbackWorkflow({app: plan.app.name}, {state, edge: async () => edge, now, sleep: deps.sleep, operator: 'ops@laptop', shiftWaitMs: 0});
    } else if (roll < 0.2) {
      // the guard: writes 0 and journals it with the rollback's ops
      trace.push(`guard rollback at ${world.share}%`);
      const id = `guard-${world.t}`;
      await state.journal({id, op: 'rollback', phase: 'intent', details: {from: world.share, by: 'guard', alarm: 'shop-web-5xx-rate'}});
      await edge.writeWeights({} as EdgeView, 0, {} as never);
      await state.journal({id, op: 'rollback', phase: 'result', ok: true, details: {share: 0, by: 'guard'}});
      world.reads.push({t: ++world.t, share: 0});
      await state.journal({id, op: 'rollback', phase: 'verify', ok: true, details: {live: 0, by: 'guard'}});
    } else {
      const target = rng.chance(0.15) ? rng.pick([0, ...TARGETS]) : rng.pick(TARGETS);
      const killAfter = rng.chance(0.6) ? rng.int(1, 25) : null;
      let lines = 0;
      let crashed!: () => void;
      const crash = new Promise<'crashed'>((resolve) => (crashed = () => resolve('crashed')));
      state.journalHook = () => {
        if (killAfter !== null && ++lines === killAfter) {
          crashed();
          return new Promise<void>(() => undefined); // frozen: the process is gone
        }
      };
      const run = shiftWorkflow({app: plan.app.name, to: String(target), bakeMs: settings.bakeMs, minRequests: settings.minRequests, pollMs: settings.pollMs, maxBakeExtension: settings.maxBakeExtension, breakLock: true, noGuard: true}, deps).then(
        (r) => ({r}),
        (e: unknown) => ({e}),
      );
      const outcome = await Promise.race([run, crash]);
      state.journalHook = null;
      if (outcome === 'crashed') {
        stats.crashes++;
        trace.push(`shift --to ${target} killed after ${killAfter} journal lines at ${world.share}%`);
        // the live share is the last share read back or the one being written
        const lastRead = world.reads.at(-1)?.share ?? 0;
        const lastWrite = world.writes.at(-1);
        if (world.share !== lastRead && world.share !== lastWrite?.to) fail(`live ${world.share}% is neither the last read nor the last write`);
      } else if ('e' in outcome) {
        const e = outcome.e;
        fail(`shift --to ${target} threw ${e instanceof MigrateError ? `${e.code}: ${e.message}` : String(e)}`);
      } else {
        const r = outcome.r;
        if (r.resumed) stats.resumes++;
        trace.push(`shift --to ${target}: exit ${r.stop?.exitCode ?? 0} at ${world.share}%${r.resumed ? ` (resumed ${r.resumed.share}%, ${r.resumed.bakedMs} ms credited)` : ''}: ${r.stop?.reason ?? 'nothing to do'}`);
        if (![0, 3, 4].includes(r.stop?.exitCode ?? 0)) fail(`unexpected exit ${r.stop?.exitCode}: ${r.stop?.reason}`);
        if ((r.stop?.exitCode ?? 0) === 0 && world.share === target) checkPromotions(world, settings, fail, world.t);
      }
    }
    checkPromotions(world, settings, fail);
    world.t += rng.int(0, 3 * settings.bakeMs);
  }
  let cur = 0;
  for (const w of world.writes) {
    if (w.to > cur && cur > 0) stats.promotions++;
    cur = w.to;
  }
  return stats;
}

describe('shift resume and recovery: properties through the real workflow', () => {
  it(`never promotes a step without its bake and request minimum, across ${SCENARIOS} scenarios of kills, pauses and rollbacks`, async () => {
    const only = process.env.RECOVERY_SEED;
    const seeds = only ? [Number(only)] : Array.from({length: SCENARIOS}, (_, i) => 7_000 + i);
    const total = {crashes: 0, resumes: 0, promotions: 0};
    for (const seed of seeds) {
      const s = await runScenario(seed);
      total.crashes += s.crashes;
      total.resumes += s.resumes;
      total.promotions += s.promotions;
    }
    // the scenarios must exercise what they claim to
    if (!only) {
      expect(total.crashes).toBeGreaterThan(SCENARIOS);
      expect(total.resumes).toBeGreaterThan(SCENARIOS / 4);
      expect(total.promotions).toBeGreaterThan(SCENARIOS);
    }
  }, 120_000);
});
