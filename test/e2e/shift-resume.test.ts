/**
 * Issue cases 1-3 through the built CLI, against the fake Cloudflare and moto CloudWatch (the ALB
 * RequestCount posted with PutMetricData, so `--min-requests` > 0 is enforced end to end):
 * 1. a paused step is resumed, not promoted, until its requests are there;
 * 2. a shift killed during a bake bakes that step again (journaled bake only) before the next
 *    write, and a killed last step is baked, not reported done;
 * 3. `migrate rollback` after a killed shift is the journal's own write: the next shift starts
 *    from 0% without --adopt.
 */
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {bakesBeforePromotion, cutoverEntries, liveShare, postRequestCount, spawnShift, until, weightWrites} from '../support/cutover-world.ts';
import {createGateAlarms} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const verifiedAt = (share: number) => cutoverEntries(w).filter((e) => e.op === 'read-back' && e.ok && e.live === share).at(-1)?.at;

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  expect((await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn])).code).toBe(0);
  await createGateAlarms();
});
afterAll(() => w.close());

describe('a step keeps its evidence across pauses, crashes and rollbacks', () => {
  it('case 3: a rollback after a killed shift is not drift; the next shift starts from 0% without --adopt', async () => {
    const from = w.cloudflare.requests.length;
    const run = spawnShift(w, ['--to', '5', '--steps', '1,5', '--bake', '60s', '--poll', '200ms', '--min-requests', '0', '--yes', '--no-guard']);
    await until(() => verifiedAt(1) !== undefined);
    run.kill('SIGKILL');
    await run.done;
    expect(liveShare(w)).toBe(1);
    const rb = await w.cli(['rollback', '--app', 'shop', '--json']);
    expect(rb.code).toBe(0);
    expect(JSON.parse(rb.stdout).result).toMatchObject({from: 1, live: 0});
    const again = await w.cli(['shift', '--app', 'shop', '--to', '1', '--steps', '1', '--bake', '300ms', '--poll', '100ms', '--min-requests', '0', '--yes', '--no-guard', '--break-lock']);
    expect({code: again.code, stderr: again.stderr}).toEqual({code: 0, stderr: expect.not.stringMatching(/adopt|changed the weights/)});
    expect(liveShare(w)).toBe(1);
    expect(weightWrites(w, from).map((x) => x.share)).toEqual([1, 0, 1]);
  }, 60_000);

  it('case 4: status after a crash says interrupted (not baking); after a rollback its headline is the live 0%', async () => {
    const run = spawnShift(w, ['--to', '5', '--steps', '5', '--bake', '60s', '--poll', '200ms', '--min-requests', '0', '--yes', '--no-guard', '--break-lock']);
    await until(() => (verifiedAt(5) ?? 0) > Date.now() - 5_000);
    run.kill('SIGKILL');
    await run.done;
    const crashed = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout).result;
    expect(crashed.cutover).toMatchObject({phase: 'interrupted', liveShare: 5});
    expect(crashed.shift).toMatchObject({running: false, bake: null, liveShare: 5});
    const human = await w.cli(['status', '--app', 'shop']);
    expect(human.stdout).toMatch(/Interrupted: the shift's process is gone; last verified 5%/);
    expect(human.stdout).not.toMatch(/baking|bake extended/);
    expect((await w.cli(['rollback', '--app', 'shop'])).code).toBe(0);
    const after = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout).result;
    expect(after.edge.awsShare).toBe(0);
    expect(after.shift.liveShare).toBe(0);
    expect(after.cutover).toMatchObject({phase: 'rolled-back', headline: 'Heroku 100% / AWS 0% (live)'});
    expect((await w.cli(['status', '--app', 'shop'])).stdout).toMatch(/Cutover: Heroku 100% \/ AWS 0% \(live\)\n  Rolled back by /);
  }, 90_000);

  it('case 2: killed during a bake, the re-run bakes the rest before the next write; killed in the last step, it bakes it instead of "Nothing to do"', async () => {
    const from = w.cloudflare.requests.length;
    const args = ['--to', '10', '--steps', '5,10', '--bake', '3s', '--poll', '200ms', '--min-requests', '0', '--yes', '--no-guard', '--break-lock'];
    const first = spawnShift(w, args);
    await until(() => weightWrites(w, from).some((x) => x.share === 5 && x.readAt !== null));
    await sleep(1_000);
    first.kill('SIGKILL');
    await first.done;
    expect(liveShare(w)).toBe(5);
    const second = spawnShift(w, args);
    await until(() => weightWrites(w, from).some((x) => x.share === 10) && (verifiedAt(10) ?? 0) > 0);
    await sleep(1_000);
    second.kill('SIGKILL');
    await second.done;
    expect(liveShare(w)).toBe(10);
    const third = await w.cli(['shift', '--app', 'shop', ...args]);
    expect(third.code).toBe(0);
    expect(third.stdout).not.toMatch(/Nothing to do/);
    expect(third.stdout).toMatch(/Reached 10%/);
    // measured on the fake: 5% was read back at least the bake before 10% was written
    const bakes = bakesBeforePromotion(w, from).filter((b) => b.share === 5);
    expect(bakes.length).toBe(1);
    expect(bakes[0]!.bakedMs).toBeGreaterThanOrEqual(3_000);
    // and the 10% step passed at least the bake after it was verified, in the journal
    const passed = cutoverEntries(w).filter((e) => e.op === 'step-passed' && e.share === 10).at(-1)!;
    const tenVerified = weightWrites(w, from).find((x) => x.share === 10)!.readAt!;
    expect(passed.at - tenVerified).toBeGreaterThanOrEqual(3_000);
    expect(weightWrites(w, from).map((x) => x.share)).toEqual([5, 10]);
  }, 90_000);

  it('case 1: a paused step is resumed, never promoted, until its request minimum is in CloudWatch', async () => {
    // down to 0 first, then pause at 1% for want of requests
    expect((await w.cli(['shift', '--app', 'shop', '--to', '0', '--yes', '--no-guard', '--break-lock'])).code).toBe(0);
    const from = w.cloudflare.requests.length;
    const args = ['shift', '--app', 'shop', '--to', '5', '--steps', '1,5', '--bake', '2s', '--poll', '250ms', '--min-requests', '50', '--max-bake-extension', '1', '--yes', '--no-guard'];
    const paused = await w.cli(args);
    expect(paused.code).toBe(4);
    expect(paused.stdout).toMatch(/Paused at 1%.*0 of 50 requests/s);
    const oneAt = verifiedAt(1)!;
    // the same command again, still without requests: no write, paused again at 1%
    const again = await w.cli(args);
    expect(again.code).toBe(4);
    expect(again.stdout).toMatch(/Paused at 1%/);
    expect(weightWrites(w, from).map((x) => x.share)).toEqual([1]);
    expect(liveShare(w)).toBe(1);
    // 60 requests in a whole minute after 1% was verified (ALB metrics have one-minute resolution)
    const minute = Math.ceil(oneAt / MINUTE) * MINUTE;
    await postRequestCount(w, new Date(minute + 30_000), 60);
    await sleep(Math.max(0, minute + MINUTE + 500 - Date.now()));
    const resumed = await w.cli([...args, '--json']);
    const result = JSON.parse(resumed.stdout).result;
    expect(result.resumed).toMatchObject({share: 1, passedShare: 0});
    // 1% passed on its requests; 5% then pauses for want of its own
    expect(result.status.history.map((h: {share: number; outcome: string}) => `${h.share}:${h.outcome}`)).toEqual(['1:passed', '5:paused']);
    expect(resumed.code).toBe(4);
    const passed = cutoverEntries(w).filter((e) => e.op === 'step-passed' && e.share === 1).at(-1)!;
    expect(passed.requests).toBeGreaterThanOrEqual(50);
    expect(weightWrites(w, from).map((x) => x.share)).toEqual([1, 5]);
    expect(liveShare(w)).toBe(5);
  }, 200_000);
});
