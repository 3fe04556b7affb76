/**
 * `migrate data cutover` through the built CLI: fake Heroku (maintenance, formation, config
 * vars), moto (provisioned RDS/MemoryDB records, the connection secret, the app secret) and real
 * PostgreSQL and redis-server on loopback standing in for the provisioned stores (moto's RDS
 * endpoint does not run a database: the test points the connection secret at the loopback
 * target, as a tunnel would).
 */
import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client} from '@aws-sdk/client-ec2';
import {GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary} from '../support/canary.ts';
import {BIN, filesUnder, ROOT, runCli, tempDir} from '../support/cli.ts';
import {canaryPasswords, startDataStores, type DataStores} from '../support/datastores.ts';
import {motoClientConfig, motoEnv, resetMoto} from '../support/moto.ts';
import {seedPostgres, seedRedis, type PgSeed} from '../support/seed.ts';

let ds: DataStores;
let heroku: FakeHeroku;
let planDir: string;
let pgSeed: PgSeed;
let pgAddon: string;
let redisAddon: string;
const outputs: [string, string][] = [];

const shop = () => heroku.state.apps.find((a) => a.app.name === 'shop')!;
const worker = () => shop().formation.find((f) => f.type === 'worker')!.quantity;
const env = (extra: Record<string, string> = {}) => ({...motoEnv(), HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), AWS_EC2_METADATA_DISABLED: 'true', ...extra});
const cli = async (args: string[], extra: Record<string, string> = {}) => {
  const r = await runCli([...args, '--app', 'shop', '--plan-dir', planDir], {env: env(extra)});
  outputs.push([`${args.join(' ')} stdout`, r.stdout], [`${args.join(' ')} stderr`, r.stderr]);
  return r;
};
const state = () => (existsSync(join(planDir, 'state.json')) ? JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8')) : {});
const journal = () => readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {op: string; phase: string; ok?: boolean; details: {step?: string}});
const sm = () => new SecretsManagerClient(motoClientConfig());
const appSecret = async () => JSON.parse((await sm().send(new GetSecretValueCommand({SecretId: 'heroku2aws/shop', VersionStage: 'AWSCURRENT'}))).SecretString!) as Record<string, string>;
const targetTables = () => Number(ds.pgTarget.sql(`SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`));

beforeAll(async () => {
  await resetMoto();
  ds = await startDataStores();
  pgSeed = seedPostgres(ds.pgSource, 0.25);
  await seedRedis(ds.redisSource.url(), 0.1);
  heroku = await startFakeHeroku();
  const app = sampleApp();
  app.configVars.DATABASE_URL = ds.pgSource.url();
  app.configVars.REDIS_URL = ds.redisSource.url();
  seedApp(heroku.state, app);
  planDir = tempDir();
  expect((await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()})).code).toBe(0);
  const addons = JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8')).addons as {name: string; category: string}[];
  pgAddon = addons.find((a) => a.category === 'postgres')!.name;
  redisAddon = addons.find((a) => a.category === 'redis')!.name;
  // provision against moto, then point the connection secret at the loopback target
  const ec2 = new EC2Client(motoClientConfig());
  const vpc = (await ec2.send(new CreateVpcCommand({CidrBlock: '10.30.0.0/16'}))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({VpcId: vpc, CidrBlock: '10.30.1.0/24'}))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({GroupName: 'tasks', Description: 'tasks', VpcId: vpc}))).GroupId!;
  const p = await cli(['addons', 'provision', '--only', `${pgAddon},${redisAddon}`, '--subnets', subnet, '--task-security-group', sg]);
  expect(p.code).toBe(0);
  const remap = state().addons[pgAddon].remaps.DATABASE_URL;
  const keys = Object.keys(JSON.parse((await sm().send(new GetSecretValueCommand({SecretId: remap.fromSecret.arn}))).SecretString!));
  expect(keys).toContain('DATABASE_URL');
  await sm().send(new PutSecretValueCommand({SecretId: remap.fromSecret.arn, SecretString: JSON.stringify(Object.fromEntries(keys.map((k) => [k, ds.pgTarget.url()])))}));
  expect((await cli(['secrets', 'import'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await heroku?.close();
  await ds?.stop();
});

describe('data cutover --addon postgres', () => {
  it('refuses an add-on that holds no data, before freezing anything', async () => {
    const requests = heroku.requests.length;
    const email = (JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8')).addons as {name: string; category: string}[]).find((a) => a.category === 'email')!.name;
    const r = await cli(['data', 'cutover', '--yes', '--addon', email]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only Postgres and Redis data is copied/);
    expect(heroku.requests.slice(requests).filter((q) => q.method === 'PATCH')).toEqual([]);
  });

  it('asks first: without a terminal and without --yes it fails at once (exit 2); --dry-run shows the window; neither changes anything', async () => {
    const requests = heroku.requests.length;
    const before = readFileSync(join(planDir, 'state.json'), 'utf8');
    const journalBefore = journal().length;
    const r = await cli(['data', 'cutover', '--addon', 'postgres']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cut over .*maintenance mode on; worker 1 -> 0.*confirmation needed[\s\S]*--yes/);
    const dry = await cli(['data', 'cutover', '--addon', 'postgres', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Dry run: nothing was changed\. The window would:\n  1\. Heroku shop: maintenance mode on; worker 1 -> 0/);
    expect(dry.stdout).not.toContain(ds.pgSource.url());
    expect(heroku.requests.slice(requests).filter((q) => q.method !== 'GET')).toEqual([]);
    expect(shop().app.maintenance).toBe(false);
    expect(readFileSync(join(planDir, 'state.json'), 'utf8')).toBe(before);
    expect(journal().length).toBe(journalBefore);
  });

  it('a failure in the window (target not empty) unfreezes Heroku on the old store; the secret keeps the Heroku URL', async () => {
    ds.pgTarget.sql('CREATE TABLE stray (id int)');
    const r = await cli(['data', 'cutover', '--yes', '--addon', 'postgres']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Freezing shop: maintenance on, worker=0/);
    expect(r.stderr).toMatch(/is not empty\. The cutover of .* stopped; Heroku was unfrozen on the old store\.[\s\S]*Fix: .*--force/);
    expect(shop().app.maintenance).toBe(false);
    expect(worker()).toBe(1);
    expect(state().addons[pgAddon].remaps.DATABASE_URL.active).toBe(false);
    expect((await appSecret()).DATABASE_URL).toBe(ds.pgSource.url());
    const steps = journal().filter((e) => e.op === 'data-cutover').map((e) => `${e.details.step}:${e.phase}`);
    expect(steps).toEqual(['freeze:intent', 'freeze:result', 'copy:intent', 'unfreeze:intent', 'unfreeze:result']);
    ds.pgTarget.sql('DROP TABLE stray');
  });

  it('interrupted mid-copy: Heroku stays frozen; the re-run resumes, copies, verifies, switches the secret and keeps Heroku frozen', async () => {
    const child = spawn(process.execPath, [BIN, 'data', 'cutover', '--yes', '--addon', 'postgres', '--jobs', '1', '--app', 'shop', '--plan-dir', planDir], {
      cwd: ROOT,
      env: {...process.env, ...env(), NO_COLOR: '1'},
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/restore: 1\//.test(stderr)) resolve();
      });
      child.on('close', () => resolve());
    });
    if (child.exitCode !== null) throw new Error(`the cutover ended before pg_restore started: ${stderr}`);
    process.kill(-child.pid!, 'SIGINT');
    await closed;
    outputs.push(['interrupted stderr', stderr]);
    expect(shop().app.maintenance).toBe(true);
    expect(worker()).toBe(0);
    expect(state().addons[pgAddon].data).toMatchObject({phase: 'copying', details: {cutover: {step: 'frozen', formation: {worker: 1}, maintenanceWas: false}}});
    expect(targetTables()).toBeGreaterThan(0);

    const r = await cli(['data', 'cutover', '--yes', '--addon', 'postgres', '--break-lock']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Resuming the cutover of .* \(it stopped after: frozen\)/);
    expect(r.stderr).toMatch(/An earlier copy into this target did not finish/);
    expect(r.stdout).toMatch(/Verified: /);
    expect(r.stdout).toMatch(/Active now: DATABASE_URL, HEROKU_POSTGRESQL_AMBER_URL -> the AWS store/);
    // no ECS cluster in this test: nothing to restart, and the output says so (the redeployer is contract-tested)
    expect(r.stdout).toMatch(/Not deployed yet, so nothing to restart: shop-web/);
    expect(r.stdout).toMatch(/Heroku stays in maintenance with worker at 0/);
    for (const [table, rows] of Object.entries(pgSeed.rows)) expect(Number(ds.pgTarget.sql(`SELECT count(*) FROM ${table}`))).toBe(rows);
    const secret = await appSecret();
    expect(secret.DATABASE_URL).toBe(ds.pgTarget.url());
    expect(secret.REDIS_URL).toBe(ds.redisSource.url()); // other stores untouched
    expect(secret.STRIPE_SECRET_KEY).toBe(sampleApp().configVars.STRIPE_SECRET_KEY);
    expect(shop().app.maintenance).toBe(true);
    expect(worker()).toBe(0);
    const st = state().addons[pgAddon];
    expect(st.remaps.DATABASE_URL.active).toBe(true);
    expect(st.data).toMatchObject({phase: 'cut-over', details: {cutover: {step: 'done'}, mismatches: 0}});
    const steps = journal().filter((e) => e.op === 'data-cutover').map((e) => `${e.details.step}:${e.phase}`);
    expect(steps.slice(-8)).toEqual(['freeze:intent', 'freeze:result', 'copy:intent', 'copy:result', 'activate:intent', 'activate:result', 'redeploy:intent', 'redeploy:result']);
  });

  it('a re-run after the cutover does nothing', async () => {
    const before = heroku.requests.length;
    const r = await cli(['data', 'cutover', '--yes', '--addon', 'postgres', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toMatchObject({alreadyDone: true});
    expect(heroku.requests.slice(before).filter((q) => q.method === 'PATCH')).toEqual([]);
  });
});

describe('data cutover --addon redis', () => {
  it('copies through an explicit target (a tunnel), switches REDIS_URL to the provisioned MemoryDB endpoint and warns about the difference', async () => {
    const r = await cli(['data', 'cutover', '--yes', '--addon', 'redis', '--target-url-env', 'TUNNEL'], {TUNNEL: ds.redisTarget.url()});
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: The copy goes to redis:\/\/127\.0\.0\.1:\d+\/0, but the app will use (rediss:\/\/clustercfg\.shop-[^ ]+|\[redacted\]\/0) \(the provisioned endpoint\)/);
    expect(r.stdout).toMatch(/total\s+10,000\s+10,000\s+[\d,]+\s+[\d,]+\s+ok/);
    const secret = await appSecret();
    expect(secret.REDIS_URL).toBe(state().addons[redisAddon].remaps.REDIS_URL.value);
    expect(secret.REDIS_URL).toMatch(/^rediss:\/\/clustercfg\.shop-/);
    expect(secret.DATABASE_URL).toBe(ds.pgTarget.url());
    expect(state().addons[redisAddon].data.phase).toBe('cut-over');
  });
});

it('never prints or writes a URL or password: stdout, stderr, --json, state, journal', () => {
  expectNoCanary([...outputs, ...filesUnder(planDir)], [...canaryPasswords(), ds.pgSource.url(), ds.pgTarget.url(), ds.redisSource.url(), ds.redisTarget.url()]);
});
