/**
 * Crash test: `migrate shift` killed with SIGKILL at random moments. After every kill the live
 * AWS share is the last verified share or the share being written; every re-run converges; and,
 * measured per step on the fake Cloudflare, no step up is followed by a higher write sooner than
 * the bake after it was verified, across kills and re-runs.
 */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {shiftsFromJournal} from '../../src/workflows/cutover-journal.ts';
import {BIN, ROOT} from '../support/cli.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {bakesBeforePromotion} from '../support/cutover-world.ts';
import {createGateAlarms} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';

const RUNS = Number(process.env.CRASH_RUNS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? 20261126);
let w: CutoverEnv;

/** mulberry32: a small seeded PRNG so a failing run can be repeated */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const liveShare = () => {
  const lb = [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
  const state = JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
  return Math.round((lb.random_steering?.pool_weights[state.edge.awsPoolId] ?? 0) * 100);
};

const journalLines = () => {
  try {
    return readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

/**
 * Runs a shift; with `kill`, SIGKILLs it once the journal has grown by `kill.afterLines` lines
 * (the shift is then mid-flight whatever the machine's load) plus `kill.delayMs`.
 */
const BAKE_MS = 700;

function shift(target: number, kill: {afterLines: number; delayMs: number} | null): Promise<{code: number; stderr: string}> {
  // the re-run is the same command: a resume must not shorten the killed run's bake
  const bake = `${BAKE_MS}ms`;
  const args = ['shift', '--app', 'shop', '--plan-dir', w.planDir, '--to', String(target), '--steps', '1,5,10,25', '--bake', bake, '--poll', '100ms', '--min-requests', '0', '--yes', '--break-lock', '--no-guard'];
  const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}, stdio: ['ignore', 'ignore', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let closed = false;
  if (kill) {
    const start = journalLines();
    void (async () => {
      while (!closed && journalLines() < start + kill.afterLines) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, kill.delayMs));
      if (!closed) child.kill('SIGKILL');
    })();
  }
  return new Promise((resolve) =>
    child.on('close', (code) => {
      closed = true;
      resolve({code: code ?? -1, stderr});
    }),
  );
}

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  expect((await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn])).code).toBe(0);
  await createGateAlarms();
});
afterAll(() => w.close());

it(`survives ${RUNS} SIGKILLs at random moments (seed ${SEED})`, async () => {
  const random = rng(SEED);
  const state = createLocalState(w.planDir, 'shop', {now: () => new Date()});
  const outcomes: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const target = [10, 25, 1][run % 3]!;
    // down-shifts do not bake, so they are over sooner: kill them sooner
    // a shift journals ~4 lines per step plus a gate verdict per poll: kill somewhere inside it
    await shift(target, {afterLines: 1 + Math.floor(random() * 14), delayMs: Math.floor(random() * 120)});
    const live = liveShare();
    const last = shiftsFromJournal(await state.readJournal()).at(-1);
    if (last && !last.stopped) {
      const phase = last.state.phase;
      const pending = phase.kind === 'writing' || phase.kind === 'verifying' ? phase.write.share : null;
      // the invariant: the live share is the last verified share or the next target
      expect([last.state.verifiedShare, pending]).toContain(live);
      outcomes.push(`killed at ${live}% (${phase.kind})`);
    } else outcomes.push(`finished before the kill at ${live}%`);
    const rerun = await shift(target, null);
    expect({run, seed: SEED, code: rerun.code, stderr: rerun.code === 0 ? '' : rerun.stderr}).toEqual({run, seed: SEED, code: 0, stderr: ''});
    expect(liveShare()).toBe(target);
  }
  // every write carried both weights and none exceeded the largest target
  const stateFile = JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
  const writes = w.cloudflare.requests.filter((q) => q.method === 'PATCH' && (q.body as {random_steering?: unknown})?.random_steering);
  for (const q of writes) {
    const weights = (q.body as {random_steering: {pool_weights: Record<string, number>}}).random_steering.pool_weights;
    expect(Object.keys(weights).sort()).toEqual([stateFile.edge.awsPoolId, stateFile.edge.herokuPoolId].sort());
    expect(weights[stateFile.edge.awsPoolId]).toBeLessThanOrEqual(0.25);
  }
  // measured on the fake, per step up: from the read that verified it to the next, higher write,
  // at least the bake, whichever run wrote them (a kill never shortens a bake)
  const bakes = bakesBeforePromotion(w);
  const short = bakes.filter((b) => b.bakedMs !== null && b.bakedMs < BAKE_MS);
  expect({short, promotions: bakes.filter((b) => b.bakedMs !== null).length > RUNS / 2}).toEqual({short: [], promotions: true});
  // the kills must land mid-shift often enough for the test to mean something
  const killed = outcomes.filter((o) => o.startsWith('killed')).length;
  if (killed < RUNS / 2) throw new Error(`only ${killed} of ${RUNS} kills landed mid-shift:\n${outcomes.join('\n')}`);
}, 600_000);
