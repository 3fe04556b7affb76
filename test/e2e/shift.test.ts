/** `migrate shift`, `status` and `rollback` through the built CLI against fake Cloudflare and moto CloudWatch. */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN, ROOT, type CliResult} from '../support/cli.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms, GATES, setAlarm} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
const FAST = ['--bake', '1s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard'];

/** the AWS weight of every PATCH the fake saw, in order, and whether each carried both weights */
function weightWrites(from = 0) {
  const state = JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
  const {herokuPoolId, awsPoolId} = state.edge;
  return w.cloudflare.requests.slice(from).flatMap((q, i, all) => {
    const weights = (q.body as {random_steering?: {pool_weights?: Record<string, number>}} | undefined)?.random_steering?.pool_weights;
    if (q.method !== 'PATCH' || !weights) return [];
    const readBack = all.slice(i + 1).find((n) => n.method === 'GET' && n.path.includes('/load_balancers/'));
    return [{aws: weights[awsPoolId], heroku: weights[herokuPoolId], both: awsPoolId in weights && herokuPoolId in weights, readBack: !!readBack}];
  });
}
const liveShare = () => {
  const lb = [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
  const state = JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
  return Math.round((lb.random_steering?.pool_weights[state.edge.awsPoolId] ?? 0) * 100);
};
function startShift(args: string[]): {done: Promise<CliResult>; kill: (signal: NodeJS.Signals) => void} {
  const child = spawn(process.execPath, [BIN, 'shift', '--app', 'shop', '--plan-dir', w.planDir, '--no-guard', ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {done: new Promise((resolve) => child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))), kill: (s) => child.kill(s)};
}
async function until(check: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  const setup = await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn]);
  expect(setup.code).toBe(0);
});
afterAll(() => w.close());

describe('migrate shift', () => {
  it('refuses to shift up without the gate alarms', async () => {
    const r = await w.cli(['shift', '--app', 'shop', '--to', '5', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Gate alarms do not exist: shop-web-5xx-rate/);
    expect(liveShare()).toBe(0);
  });

  it('--dry-run prints the schedule and gates and touches nothing', async () => {
    await createGateAlarms();
    const before = w.cloudflare.requests.filter((q) => q.method !== 'GET').length;
    const r = await w.cli(['shift', '--app', 'shop', '--to', '25%', '--dry-run', '--no-guard']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run: AWS 0% → 25% in 4 step\(s\)/);
    expect(r.stdout).toContain('shop-web-5xx-rate');
    expect(w.cloudflare.requests.filter((q) => q.method !== 'GET').length).toBe(before);
  });

  it('without a TTY and without --yes it fails at once (exit 2)', async () => {
    const r = await w.cli(['shift', '--app', 'shop', '--to', '5', '--bake', '1s', '--no-guard']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
  });

  it('steps 1 -> 5 -> 25: both weights in every write, a read-back after each, never above the target', async () => {
    const from = w.cloudflare.requests.length;
    const r = await w.cli(['shift', '--app', 'shop', '--to', '25', '--steps', '1,5,25', ...FAST, '--json']);
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.status).toBe('ok');
    expect(env.result.status.history.map((h: {share: number; outcome: string}) => `${h.share}:${h.outcome}`)).toEqual(['1:passed', '5:passed', '25:passed']);
    const writes = weightWrites(from);
    expect(writes.map((x) => x.aws)).toEqual([0.01, 0.05, 0.25]);
    for (const x of writes) {
      expect(x.both).toBe(true);
      expect(x.readBack).toBe(true);
      expect((x.aws ?? 0) + (x.heroku ?? 0)).toBeCloseTo(1, 10);
      expect(x.aws).toBeLessThanOrEqual(0.25);
    }
    expect(liveShare()).toBe(25);
    // --json: progress events on stderr as JSON lines
    expect(r.stderr.trim().split('\n').every((l) => JSON.parse(l).event)).toBe(true);
  });

  it('status shows live weights, gates, the last shift and the chart', async () => {
    const r = await w.cli(['status', '--app', 'shop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Heroku 75% \/ AWS 25% \(live\)/);
    expect(r.stdout).toMatch(/✓ shop-web-5xx-rate: OK/);
    expect(r.stdout).toMatch(/\n25%\s+\S+ \S+\s+passed\s+\d+ pass/);
    expect(r.stdout).toMatch(/Next: /);
    expect(r.stdout).toMatch(/AWS share over time/);
    const json = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout);
    expect(json.result.edge.awsShare).toBe(25);
  });

  it('an alarm entering ALARM during a bake halts, rolls back to the last passed share, exits 3', async () => {
    const from = w.cloudflare.requests.length;
    const run = startShift(['--to', '75', '--steps', '50,75', '--bake', '30s', '--poll', '250ms', '--min-requests', '0', '--yes']);
    await until(() => weightWrites(from).some((x) => x.aws === 0.5));
    await new Promise((r) => setTimeout(r, 500));
    await setAlarm(GATES[0]!, 'ALARM');
    const r = await run.done;
    await setAlarm(GATES[0]!, 'OK');
    expect(r.stdout).toMatch(/shop-web-5xx-rate/);
    expect(r.code).toBe(3);
    expect(weightWrites(from).map((x) => x.aws)).toEqual([0.5, 0.25]);
    expect(liveShare()).toBe(25);
  });

  it('rollback while a shift runs: the shift stops without writing again; AWS 0%', async () => {
    const from = w.cloudflare.requests.length;
    const run = startShift(['--to', '50', '--steps', '50', '--bake', '60s', '--poll', '250ms', '--min-requests', '0', '--yes']);
    await until(() => weightWrites(from).some((x) => x.aws === 0.5));
    const rb = await w.cli(['rollback', '--app', 'shop', '--json']);
    expect(rb.code).toBe(0);
    // the request reaches the shift first or the rollback writes first: either way 0, verified
    expect(JSON.parse(rb.stdout).result).toMatchObject({live: 0});
    const r = await run.done;
    expect(r.code).toBe(3);
    const writes = weightWrites(from).map((x) => x.aws);
    expect(writes[0]).toBe(0.5);
    expect(writes.slice(1).length).toBeGreaterThan(0);
    expect(writes.slice(1).every((x) => x === 0)).toBe(true);
    expect(liveShare()).toBe(0);
  });

  it('Ctrl-C (SIGINT) during a bake stops at the verified share, exit 4', async () => {
    const from = w.cloudflare.requests.length;
    const run = startShift(['--to', '5', '--steps', '5', '--bake', '60s', '--poll', '250ms', '--min-requests', '0', '--yes']);
    await until(() => weightWrites(from).some((x) => x.aws === 0.05));
    await new Promise((r) => setTimeout(r, 300));
    run.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(4);
    expect(liveShare()).toBe(5);
    const status = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout).result;
    expect(status.shift.running).toBe(false);
    expect(status.lock).toBeNull();
  });

  it('weights changed outside migrate are refused unless --adopt', async () => {
    const lb = [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
    const state = JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
    lb.random_steering = {default_weight: 0, pool_weights: {[state.edge.herokuPoolId]: 0.9, [state.edge.awsPoolId]: 0.1}};
    const r = await w.cli(['shift', '--app', 'shop', '--to', '0', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/live AWS share is 10%, but the journal last verified 5%/);
    const adopted = await w.cli(['shift', '--app', 'shop', '--to', '0', '--adopt', ...FAST]);
    expect(adopted.code).toBe(0);
    expect(liveShare()).toBe(0);
  });

  it('with 20% of Cloudflare calls failing (429/5xx) every run stops cleanly, says the live share, and the next needs no --adopt', async () => {
    await createGateAlarms();
    for (let run = 0; run < 4; run++) {
      const target = run % 2 ? 0 : 10;
      const before = liveShare();
      const from = w.cloudflare.requests.length;
      w.cloudflare.failRate(0.2, {statuses: [500, 502, 503, 429], retryAfterSeconds: 0});
      const r = await w.cli(['shift', '--app', 'shop', '--to', String(target), '--steps', '1,5,10', ...FAST]);
      w.cloudflare.clearFaults();
      // done (0), stopped with an error it names (1), or paused when failed gate reads left a step
      // without evidence until its longest bake ran out (4): all clean stops
      expect({run, clean: [0, 1, 4].includes(r.code), stderr: [0, 1, 4].includes(r.code) ? '' : r.stderr}).toEqual({run, clean: true, stderr: ''});
      const live = liveShare();
      const output = r.stdout + r.stderr;
      if (r.code === 0) expect(live).toBe(target);
      else if (weightWrites(from).length === 0) expect(live).toBe(before);
      else expect({run, code: r.code, named: [...output.matchAll(/(\d+)%/g)].map((m) => Number(m[1])).includes(live), output}).toMatchObject({run, named: true});
      if (r.code === 1) expect(r.stdout + r.stderr).toMatch(/Error: |Could not|could not|Someone/);
      const status = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout).result;
      // the journal's last verified point is the live share, unless the shift said it could not verify
      if (!/unverified/.test(output)) expect(status.timeline.at(-1)?.share ?? 0).toBe(live);
    }
    // whatever the runs left, a clean run continues from the live share without --adopt
    const last = await w.cli(['shift', '--app', 'shop', '--to', '0', ...FAST]);
    expect({code: last.code, stderr: last.stderr}).toMatchObject({code: 0});
    expect(liveShare()).toBe(0);
  });
});
