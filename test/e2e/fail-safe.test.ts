/**
 * Fault injection through the built CLI: a full disk (a small tmpfs), a read-only plan directory
 * (a read-only bind mount), hung Cloudflare answers (the fake accepts and never answers) and
 * SIGTERM at random points of `secrets import`. Every case asserts the END STATE: the fake
 * Cloudflare weights, moto's secret versions and staging labels, and the local files.
 * Mounting needs root (CAP_SYS_ADMIN); without it those cases are skipped with a message.
 */
import {execFileSync, spawn} from 'node:child_process';
import {cpSync, existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {BIN, ROOT, runCli, tempDir, type CliResult} from '../support/cli.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms} from '../support/gates.ts';
import {motoClientConfig, resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
/** the plan directory right after edge setup (journal: AWS 0%) */
let base: string;
const mounts: string[] = [];
const FAST = ['--bake', '1s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard'];

const stateOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {edge: {herokuPoolId: string; awsPoolId: string}};
const lb = () => [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
const liveShare = () => Math.round((lb().random_steering?.pool_weights[stateOf(base).edge.awsPoolId] ?? 0) * 100);
/** sets the live weights directly in the fake (between cases) */
function setLive(share: number) {
  const {herokuPoolId, awsPoolId} = stateOf(base).edge;
  lb().random_steering = {default_weight: 0, pool_weights: {[herokuPoolId]: (100 - share) / 100, [awsPoolId]: share / 100}};
}
const cli = (dir: string, args: string[]) => runCli([...args, '--plan-dir', dir], {env: w.env});
function spawnCli(dir: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args, '--plan-dir', dir], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult & {ms: number}>((resolve) => {
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr, ms: Date.now() - killedAt}));
  });
  let killedAt = 0;
  return {done, kill: (s: NodeJS.Signals) => ((killedAt = Date.now()), child.kill(s)), stderr: () => stderr};
}
async function until(check: () => boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** a copy of the base plan directory */
function copyOfBase(): string {
  const dir = tempDir();
  cpSync(base, dir, {recursive: true});
  return dir;
}
/** a copy of the base plan directory on a small tmpfs, or null where mounting is not allowed */
function onTmpfs(sizeKb = 256): string | null {
  const dir = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], {stdio: 'ignore'});
  } catch {
    console.warn(`SKIPPED: cannot mount a tmpfs at ${dir} (needs root / CAP_SYS_ADMIN); the full-disk case is not run`);
    return null;
  }
  mounts.push(dir);
  cpSync(base, dir, {recursive: true});
  return dir;
}
/**
 * fills the file system of dir to the last byte. tmpfs allocates whole pages, so the journal is
 * first padded with a valid note to a page boundary: then its very next append needs a new page.
 */
function fill(dir: string) {
  const journal = join(dir, 'journal.jsonl');
  const size = readFileSync(journal).length;
  const frame = (pad: string) => JSON.stringify({at: new Date().toISOString(), id: 'test-padding', op: 'test-padding', phase: 'note', details: {pad}}) + '\n';
  let need = 4096 - (size % 4096);
  if (need < frame('').length) need += 4096;
  writeFileSync(journal, frame('x'.repeat(need - frame('').length)), {flag: 'a'});
  for (const size of [1 << 20, 1 << 14, 1 << 10, 64, 1]) {
    for (let i = 0; i < 10_000; i++) {
      try {
        writeFileSync(join(dir, `filler-${size}-${i}`), Buffer.alloc(size));
      } catch {
        break;
      }
    }
  }
}
function unfill(dir: string) {
  execFileSync('sh', ['-c', `rm -f ${dir}/filler-*`]);
}
/** makes dir read-only in place (a read-only bind mount); false where mounting is not allowed */
function makeReadOnly(dir: string): boolean {
  try {
    execFileSync('mount', ['--bind', dir, dir], {stdio: 'ignore'});
    mounts.push(dir);
    execFileSync('mount', ['-o', 'remount,ro,bind', dir], {stdio: 'ignore'});
    return true;
  } catch {
    console.warn(`SKIPPED: cannot bind-mount ${dir} read-only (needs root / CAP_SYS_ADMIN); the read-only case is not run`);
    return false;
  }
}
function unmount(dir: string) {
  execFileSync('umount', [dir]);
  mounts.splice(mounts.indexOf(dir), 1);
}
const journalLines = (dir: string) => readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  const setup = await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes']);
  expect(setup.code).toBe(0);
  await createGateAlarms();
  base = w.planDir;
});
afterAll(async () => {
  for (const dir of [...mounts].reverse()) execFileSync('umount', ['-l', dir]);
  await w.close();
});
beforeEach(() => {
  w.cloudflare.clearFaults();
  setLive(0);
});

describe('rollback does not depend on the local disk', () => {
  it('read-only plan directory: AWS 0% written and verified, the missing record reported', async () => {
    const dir = copyOfBase();
    expect((await cli(dir, ['shift', '--app', 'shop', '--to', '25', '--steps', '25', ...FAST])).code).toBe(0);
    expect(liveShare()).toBe(25);
    const before = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
    if (!makeReadOnly(dir)) return;
    const r = await cli(dir, ['rollback', '--app', 'shop']);
    expect({code: r.code, stderr: r.stderr}).toEqual({code: 0, stderr: expect.stringMatching(/Warning: The rollback is not recorded in the journal \(Cannot append to .*journal\.jsonl: EROFS/)});
    expect(r.stdout).toMatch(/Rolled back: AWS 25% → 0% \(verified\)/);
    expect(liveShare()).toBe(0);
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toBe(before);
    unmount(dir);
    // writable again: a re-run verifies and records
    const again = await cli(dir, ['rollback', '--app', 'shop', '--json']);
    expect(JSON.parse(again.stdout).result).toMatchObject({live: 0, written: false, recorded: true});
  });

  it('full disk: AWS 0% written and verified; the journal stays readable and whole afterwards', async () => {
    const dir = onTmpfs();
    if (!dir) return;
    expect((await cli(dir, ['shift', '--app', 'shop', '--to', '10', '--steps', '10', ...FAST])).code).toBe(0);
    fill(dir);
    const r = await cli(dir, ['rollback', '--app', 'shop', '--json']);
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.result).toMatchObject({from: 10, live: 0, written: true, recorded: false});
    expect(env.warnings.join()).toMatch(/ENOSPC/);
    expect(liveShare()).toBe(0);
    unfill(dir);
    const again = await cli(dir, ['rollback', '--app', 'shop', '--json']);
    expect(JSON.parse(again.stdout).result).toMatchObject({live: 0, recorded: true});
    // every line parses: a torn append (if any) was set aside, never glued to the next entry
    for (const line of journalLines(dir)) expect(() => JSON.parse(line)).not.toThrow();
    expect(existsSync(join(dir, '.migrate.lock'))).toBe(false);
  });
});

describe('a shift that cannot journal', () => {
  it('disk full during a bake: stops gating, rolls back to the share that passed, says the live share; the next run continues without --adopt', async () => {
    const dir = onTmpfs();
    if (!dir) return;
    expect((await cli(dir, ['shift', '--app', 'shop', '--to', '5', '--steps', '5', ...FAST])).code).toBe(0);
    const run = spawnCli(dir, ['shift', '--app', 'shop', '--to', '10', '--steps', '10', '--bake', '60s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard']);
    await until(() => liveShare() === 10);
    fill(dir);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: Cannot write the journal \(Cannot append to .*journal\.jsonl: ENOSPC\.\): the shift stopped gating and rolled back to AWS 5%: the live AWS share is 5% \(verified\)\./);
    expect(r.stderr).toMatch(/Fix: The disk is full: free space/);
    expect(liveShare()).toBe(5);
    expect(existsSync(join(dir, '.migrate.lock'))).toBe(false);
    unfill(dir);
    const next = await cli(dir, ['shift', '--app', 'shop', '--to', '0', ...FAST]);
    expect({code: next.code, stderr: next.stderr}).toMatchObject({code: 0});
    expect(liveShare()).toBe(0);
    for (const line of journalLines(dir)) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('hung Cloudflare answers', () => {
  it('Ctrl-C during a hung gate read stops within about a second at the verified share (exit 4), lock released', async () => {
    const dir = copyOfBase();
    const run = spawnCli(dir, ['shift', '--app', 'shop', '--to', '5', '--steps', '5', '--bake', '60s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard']);
    await until(() => liveShare() === 5);
    w.cloudflare.stall({method: 'GET', pathIncludes: '/health'});
    const stalledAt = w.cloudflare.requests.length;
    await until(() => w.cloudflare.requests.slice(stalledAt).some((q) => q.path.includes('/health')));
    run.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(4);
    expect(r.ms).toBeLessThan(2500);
    expect(liveShare()).toBe(5);
    expect(existsSync(join(dir, '.migrate.lock'))).toBe(false);
  });

  it('SIGTERM while the first read of a shift hangs: a message, the lock released, exit 4, nothing written', async () => {
    const dir = copyOfBase();
    const from = w.cloudflare.requests.length;
    w.cloudflare.stall({method: 'GET', pathIncludes: '/load_balancers'});
    const run = spawnCli(dir, ['shift', '--app', 'shop', '--to', '5', '--steps', '5', ...FAST]);
    await until(() => w.cloudflare.requests.slice(from).some((q) => q.method === 'GET'));
    expect(existsSync(join(dir, '.migrate.lock'))).toBe(true);
    run.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(4);
    expect(r.ms).toBeLessThan(2500);
    expect(r.stderr).toMatch(/Error: Interrupted by SIGTERM: `migrate shift` stopped; the app's lock was released\.\nFix: Re-run/);
    expect(existsSync(join(dir, '.migrate.lock'))).toBe(false);
    expect(w.cloudflare.requests.slice(from).filter((q) => q.method !== 'GET')).toEqual([]);
    expect(liveShare()).toBe(0);
  });

  it('a rollback whose reads hang writes 0% from state.json, exits in bounded time and journals what it knows', async () => {
    const dir = copyOfBase();
    expect((await cli(dir, ['shift', '--app', 'shop', '--to', '5', '--steps', '5', ...FAST])).code).toBe(0);
    w.cloudflare.stall({method: 'GET'});
    const t0 = Date.now();
    const r = await cli(dir, ['rollback', '--app', 'shop', '--timeout', '1s']);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: AWS 0% was written, but it could not be verified: the live AWS share is unknown/);
    expect(liveShare()).toBe(0);
    const rollback = journalLines(dir).map((l) => JSON.parse(l)).filter((e) => e.op === 'rollback');
    expect(rollback.map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(expect.arrayContaining(['intent:', 'result:true', 'verify:false']));
  });
});

describe('SIGTERM at random points of secrets import', () => {
  const sm = () => new SecretsManagerClient(motoClientConfig());
  it('never leaves an unverified current version; the next run repairs a left-over pending label', async () => {
    const dir = copyOfBase();
    const name = `failsafe/shop-${Math.random().toString(36).slice(2, 8)}`;
    const app = w.heroku.state.apps.find((a) => a.app.name === 'shop')!;
    const contents: string[] = [];
    const planKeys = (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as {secret: {keys: string[]}}).secret.keys.filter((k) => k in app.configVars).sort();
    expect(planKeys).toContain('ACME_METRICS_KEY');
    const tally = {interrupted: 0, pendingLeft: 0, placeholder: 0};
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let run = 0; run < 10; run++) {
      app.configVars.ACME_METRICS_KEY = `canary-acme-metrics-key-run-${run}`;
      const child = spawnCli(dir, ['secrets', 'import', '--app', 'shop', '--secret-name', name]);
      // from the first progress line on (the lock is taken): a random point of the import
      await until(() => child.stderr().includes('›'), 20_000);
      await new Promise((r) => setTimeout(r, random() * 700));
      child.kill('SIGTERM');
      const r = await child.done;
      // a signal that lands while the finished process tears down (its result already printed) kills it: that run was complete
      const finished = r.code === 0 || (r.code === -1 && r.stdout.trim() !== '');
      expect({run, code: finished || r.code === 4 ? 'clean' : r.code, stderr: finished ? '' : r.stderr}).toEqual({
        run,
        code: 'clean',
        stderr: !finished ? expect.stringMatching(/Error: Interrupted by SIGTERM: `migrate secrets import` stopped; the app's lock was released/) : '',
      });
      expect(existsSync(join(dir, '.migrate.lock'))).toBe(false);
      contents.push(app.configVars.ACME_METRICS_KEY);
      if (r.code === 4) tally.interrupted++;
      const d = await sm().send(new DescribeSecretCommand({SecretId: name})).catch(() => null);
      if (!d) continue; // killed before CreateSecret
      const stages = Object.values(d.VersionIdsToStages ?? {});
      expect(stages.filter((s) => s.includes('AWSCURRENT'))).toHaveLength(1);
      expect(stages.filter((s) => s.includes('HEROKU2AWS_PENDING')).length).toBeLessThanOrEqual(1);
      if (stages.some((s) => s.includes('HEROKU2AWS_PENDING'))) tally.pendingLeft++;
      const current = JSON.parse((await sm().send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))).SecretString ?? '');
      // the placeholder, or a complete version of one of the runs: never partial
      if (!Object.keys(current).length) tally.placeholder++;
      if (Object.keys(current).length) {
        expect(contents).toContain(current.ACME_METRICS_KEY);
        expect(Object.keys(current).sort()).toEqual(planKeys);
      }
    }
    console.log(`SIGTERM runs: ${JSON.stringify(tally)}`);
    expect(tally.interrupted).toBeGreaterThan(0);
    const last = await cli(dir, ['secrets', 'import', '--app', 'shop', '--secret-name', name]);
    expect(last.code).toBe(0);
    const d = await sm().send(new DescribeSecretCommand({SecretId: name}));
    expect(Object.values(d.VersionIdsToStages ?? {}).flat()).not.toContain('HEROKU2AWS_PENDING');
    const current = JSON.parse((await sm().send(new GetSecretValueCommand({SecretId: name, VersionStage: 'AWSCURRENT'}))).SecretString ?? '');
    expect(current.ACME_METRICS_KEY).toBe(contents.at(-1));
    rmSync(dir, {recursive: true, force: true});
  });
});
