/**
 * `migrate data copy` through the built CLI against real servers on loopback: two PostgreSQL
 * clusters (132,000 rows, sequences, indexes, foreign keys) and two redis-servers (100,000
 * keys of six types, a third with TTLs; the target a one-node cluster, as MemoryDB is), the
 * source URLs read from the fake Heroku API's config vars. Passwords are canaries.
 */
import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary} from '../support/canary.ts';
import {BIN, filesUnder, ROOT, runCli, tempDir} from '../support/cli.ts';
import {canaryPasswords, startDataStores, type DataStores} from '../support/datastores.ts';
import {seedPostgres, seedRedis, type PgSeed, type RedisSeed} from '../support/seed.ts';

let ds: DataStores;
let heroku: FakeHeroku;
let planDir: string;
let pgSeed: PgSeed;
let redisSeed: RedisSeed;
const outputs: [string, string][] = [];

const shop = () => heroku.state.apps.find((a) => a.app.name === 'shop')!;
const env = (extra: Record<string, string> = {}) => ({HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), AWS_REGION: 'us-east-1', TGT_PG: ds.pgTarget.url(), TGT_REDIS: ds.redisTarget.url(), ...extra});
const copy = async (args: string[], extra: Record<string, string> = {}) => {
  const r = await runCli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, ...args], {env: env(extra)});
  outputs.push([`copy ${args.join(' ')} stdout`, r.stdout], [`copy ${args.join(' ')} stderr`, r.stderr]);
  return r;
};
/** --target-url-env TGT_PG unless the args name another target */
const pgCopy = (args: string[] = [], extra: Record<string, string> = {}) => copy(['--addon', 'postgres', ...(args.includes('--target-url-env') ? [] : ['--target-url-env', 'TGT_PG']), ...args], extra);
const state = () => (existsSync(join(planDir, 'state.json')) ? JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8')) : {});
const dataOf = (addon: string) => state().addons?.[addon]?.data;
const targetCount = (table: string) => Number(ds.pgTarget.sql(`SELECT count(*) FROM ${table}`));
const targetTables = () => Number(ds.pgTarget.sql(`SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`));
let pgAddon: string;
let redisAddon: string;

beforeAll(async () => {
  ds = await startDataStores({redisTargetCluster: true, redisTls: true});
  pgSeed = seedPostgres(ds.pgSource);
  redisSeed = await seedRedis(ds.redisSource.url());
  heroku = await startFakeHeroku();
  const app = sampleApp();
  app.configVars.DATABASE_URL = ds.pgSource.url();
  app.configVars.REDIS_URL = ds.redisSource.url();
  seedApp(heroku.state, app);
  planDir = tempDir();
  const plan = await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()});
  expect(plan.code).toBe(0);
  const addons = JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8')).addons as {name: string; category: string}[];
  pgAddon = addons.find((a) => a.category === 'postgres')!.name;
  redisAddon = addons.find((a) => a.category === 'redis')!.name;
}, 120_000);

afterAll(async () => {
  await heroku?.close();
  await ds?.stop();
});

describe('data copy refuses without writing', () => {
  it('the source is not write-frozen: maintenance off and a worker running (names both, writes nothing)', async () => {
    const r = await pgCopy();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not write-frozen: maintenance mode is off; non-web processes still run \(worker=1\)/);
    expect(r.stderr).toMatch(/Fix: .*heroku maintenance:on -a shop; heroku ps:scale worker=0/);
    expect(targetTables()).toBe(0);
    expect(dataOf(pgAddon)).toBeUndefined();
  });

  it.each([
    ['an unreachable source', () => ['--source-url-env', 'BAD'], () => ({BAD: 'postgres://admin:pw-canary-x@127.0.0.1:1/app'}), /Cannot reach the source database postgres:\/\/127\.0\.0\.1:1\/app/],
    ['wrong source credentials', () => ['--source-url-env', 'BAD'], () => ({BAD: ds.pgSource.url().replace(/:[^:@]+@/, ':wrong-canary-pw@')}), /source database .* rejected the credentials/],
    ['wrong target credentials', () => ['--target-url-env', 'BAD'], () => ({BAD: ds.pgTarget.url().replace(/:[^:@]+@/, ':wrong-canary-pw@')}), /target database .* rejected the credentials/],
    ['a target database that does not exist', () => ['--target-url-env', 'BAD'], () => ({BAD: ds.pgTarget.url('nonesuch')}), /target database .* does not exist/],
    ['a Redis URL for a Postgres add-on', () => ['--target-url-env', 'BAD'], () => ({BAD: ds.redisTarget.url()}), /is a redis:\/\/ URL, not a postgres URL/],
    ['an env var that is not set', () => ['--target-url-env', 'NOT_SET_ANYWHERE'], () => ({}), /NOT_SET_ANYWHERE .* is not set/],
  ])('%s', async (_name, args, extra, message) => {
    const r = await pgCopy(['--frozen', ...args()], extra());
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Fix: /);
    expect(r.code).toBeGreaterThan(0);
    expect(targetTables()).toBe(0);
    expect(dataOf(pgAddon)?.phase).not.toBe('verified');
  });
});

describe('data copy --addon postgres', () => {
  it('copies when Heroku is frozen (maintenance on, workers at 0): progress, then a verification table; state verified', async () => {
    shop().app.maintenance = true;
    shop().formation.find((f) => f.type === 'worker')!.quantity = 0;
    const r = await pgCopy(['--jobs', '4']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dump: \d\/5 tables, [\d,]+\/132,000 rows/);
    expect(r.stderr).toMatch(/restore: 5\/5 tables, 132,000\/132,000 rows/);
    for (const [table, rows] of Object.entries(pgSeed.rows)) {
      expect(r.stdout).toMatch(new RegExp(`${table.replace('.', '\\.')}\\s+${rows.toLocaleString('en-US')}\\s+${rows.toLocaleString('en-US')}\\s+ok`));
      expect(targetCount(table)).toBe(rows);
    }
    expect(r.stdout).toMatch(/public\.invoice_no\s+4242\s+4242\s+ok/);
    expect(r.stdout).toMatch(/foreign keys\s+3\s+3\s+ok/);
    expect(r.stdout).toMatch(/indexes\s+10\s+10\s+ok/);
    expect(r.stdout).toMatch(/Verified: /);
    // the copy works: sequences continue, foreign keys hold, the view and function exist
    expect(ds.pgTarget.sql(`SELECT nextval('invoice_no')`).trim()).toBe('4243');
    expect(ds.pgTarget.sql(`INSERT INTO customers (email) VALUES ('new@example.com') RETURNING id`).trim()).toBe('20001');
    expect(() => ds.pgTarget.sql(`INSERT INTO orders (customer_id, status, placed_at) VALUES (999999, 'new', now())`)).toThrow(/foreign key/);
    expect(Number(ds.pgTarget.sql(`SELECT order_count(1)`))).toBe(Number(ds.pgSource.sql(`SELECT order_count(1)`)));
    expect(dataOf(pgAddon)).toMatchObject({phase: 'verified', details: {kind: 'postgres', rows: 132_000, tables: 5, mismatches: 0}});
    const journal = readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.op === 'data-copy');
    expect(journal.map((e) => `${e.phase}:${e.ok ?? ''}`).slice(-3)).toEqual(['intent:', 'result:true', 'verify:true']);
  });

  it('a non-empty target is refused without --force; --force wipes it (extra objects included) and copies again', async () => {
    ds.pgTarget.sql(`CREATE TABLE stray (id int); INSERT INTO stray VALUES (1)`);
    const refused = await pgCopy();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/target postgres .* is not empty[\s\S]*Fix: .*--force/);
    const forced = await pgCopy(['--force', '--json']);
    expect(forced.code).toBe(0);
    const envelope = JSON.parse(forced.stdout);
    expect(envelope).toMatchObject({status: 'ok', result: {phase: 'verified', wiped: 'force', kind: 'postgres'}});
    expect(envelope.result.verification.result.objects.find((o: {kind: string}) => o.kind === 'tables')).toMatchObject({source: 5, target: 5, ok: true});
    expect(() => ds.pgTarget.sql('SELECT 1 FROM stray')).toThrow(/does not exist/);
  });

  it('an interrupted copy (Ctrl-C during pg_restore) is never marked verified; the re-run wipes the half-copied target and starts over', async () => {
    const child = spawn(process.execPath, [BIN, 'data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'postgres', '--target-url-env', 'TGT_PG', '--jobs', '1', '--force'], {
      cwd: ROOT,
      env: {...process.env, ...env(), NO_COLOR: '1'},
      detached: true, // its own process group, so the signal reaches pg_restore too, as Ctrl-C in a terminal does
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/restore: 1\//.test(stderr)) resolve();
      });
      child.on('close', () => resolve());
    });
    if (child.exitCode !== null) throw new Error(`the copy ended before pg_restore started: ${stderr}`);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(4);
    outputs.push(['interrupted stderr', stderr]);
    expect(stderr).toMatch(/pg_restore: 1 jobs/);
    expect(dataOf(pgAddon).phase).toBe('copying');
    expect(targetTables()).toBeGreaterThan(0); // half-copied
    // the interrupted run said so and released its lock (exit 4): the re-run needs no --break-lock
    expect(stderr).toMatch(/Interrupted by SIGINT: `migrate data copy` stopped; the app's lock was released/);
    expect(existsSync(join(planDir, '.migrate.lock'))).toBe(false);
    const rerun = await pgCopy();
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/An earlier copy into this target did not finish: the target was wiped and the copy started over/);
    expect(dataOf(pgAddon).phase).toBe('verified');
    for (const [table, rows] of Object.entries(pgSeed.rows)) expect(targetCount(table)).toBe(rows);
  });

  it('--allow-live copies an unfrozen source with a warning; writes during the copy fail verification and the add-on is not marked verified', async () => {
    shop().app.maintenance = false;
    // a writer that keeps inserting while the copy runs (each row committed on its own)
    const writer = ds.pgSource.sqlAsync(`DO $$ BEGIN FOR i IN 1..150 LOOP INSERT INTO products (sku, price) VALUES ('LIVE-' || i, 1); COMMIT; PERFORM pg_sleep(0.02); END LOOP; END $$`);
    await new Promise((r) => setTimeout(r, 200));
    const r = await pgCopy(['--force', '--allow-live']).finally(() => (shop().app.maintenance = true));
    await writer;
    expect(r.stderr).toMatch(/Warning: --allow-live: the source is NOT write-frozen/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/public\.products\s+[\d,]+\s+[\d,]+\s+MISMATCH/);
    expect(r.stderr).toMatch(/Verification of .* failed: public\.products: [\d,]+ vs [\d,]+ rows.*not marked verified[\s\S]*Fix: The source took writes/);
    expect(dataOf(pgAddon).phase).toBe('verify-failed');
    ds.pgSource.sql(`DELETE FROM products WHERE sku LIKE 'LIVE-%'`);
  });
});

describe('data copy --addon redis', () => {
  const redisCopy = (args: string[] = [], extra: Record<string, string> = {}) => copy(['--addon', 'redis', ...(args.includes('--target-url-env') ? [] : ['--target-url-env', 'TGT_REDIS']), ...args], extra);

  it('copies 100,000 keys of six types with their TTLs into a cluster-mode target and verifies keys per type', async () => {
    const r = await redisCopy();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/copy: [\d,]+\/100,000 keys/);
    for (const [type, keys] of Object.entries(redisSeed.types)) expect(r.stdout).toMatch(new RegExp(`${type}\\s+${keys.toLocaleString('en-US')}\\s+${keys.toLocaleString('en-US')}\\s`));
    expect(r.stdout).toMatch(new RegExp(`total\\s+100,000\\s+100,000\\s+${redisSeed.withTtl.toLocaleString('en-US')}\\s+${redisSeed.withTtl.toLocaleString('en-US')}\\s+ok`));
    const target = new Redis({host: '127.0.0.1', port: ds.redisTarget.port, password: ds.redisTarget.password});
    const source = new Redis({host: '127.0.0.1', port: ds.redisSource.port, password: ds.redisSource.password});
    try {
      expect(await target.dbsize()).toBe(100_000);
      expect(await target.hgetall('user:8')).toEqual(await source.hgetall('user:8'));
      expect(await target.lrange('queue:7', 0, -1)).toEqual(await source.lrange('queue:7', 0, -1));
      expect(await target.zrange('board:4', '0', '-1', 'WITHSCORES')).toEqual(await source.zrange('board:4', '0', '-1', 'WITHSCORES'));
      expect(await target.xlen('events:3')).toBe(1);
      expect(await target.getBuffer(Buffer.from([0x62, 0x69, 0x6e, 0xff, 0x00, 0x01]))).toEqual(Buffer.from([0x00, 0xfe, 0xff, 0x10]));
      // TTLs travel: within a few seconds of the source's, and keys without one stay without
      for (const key of ['str:0', 'str:5000', 'user:4', 'queue:3', 'board:5']) {
        const [s, t] = [await source.pttl(key), await target.pttl(key)];
        expect(s).toBeGreaterThan(0);
        expect(Math.abs(s - t)).toBeLessThan(15_000);
      }
      expect(await target.pttl('str:3')).toBe(-1);
    } finally {
      target.disconnect();
      source.disconnect();
    }
    expect(dataOf(redisAddon)).toMatchObject({phase: 'verified', details: {kind: 'redis', mismatches: 0}});
  });

  it('refuses a non-empty target without --force, and wrong credentials without printing them', async () => {
    const refused = await redisCopy();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty[\s\S]*--force/);
    const bad = await redisCopy(['--force', '--source-url-env', 'BAD'], {BAD: ds.redisSource.url().replace(/:[^:@]+@/, ':wrong-canary-pw@')});
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/source Redis redis:\/\/127\.0\.0\.1:\d+\/0 .* rejected the credentials/);
    const down = await redisCopy(['--force', '--target-url-env', 'BAD'], {BAD: 'redis://:x-canary@127.0.0.1:1'});
    expect(down.stderr).toMatch(/Cannot reach the target Redis/);
  });

  it('over TLS (rediss://, as Heroku Redis serves): a self-signed source is refused until trusted, then copied and verified', async () => {
    const tls = ds.redisSource.tls!;
    const target = new Redis({host: '127.0.0.1', port: ds.redisTarget.port, password: ds.redisTarget.password});
    try {
      await target.set('tls:marker', 'before');
      const untrusted = await redisCopy(['--force', '--source-url-env', 'TLS_SRC'], {TLS_SRC: tls.url()});
      expect(untrusted.code).toBe(2) // usage: the URL or a flag must change;
      expect(untrusted.stderr).toMatch(/TLS with the source Redis rediss:\/\/127\.0\.0\.1:\d+\/0 .*failed[\s\S]*--source-tls-no-verify/);
      expect(await target.get('tls:marker')).toBe('before'); // refused before the wipe
      // trusted through the certificate (no SNI for an address; the identity is checked against its IP SAN)
      const trusted = await redisCopy(['--force', '--source-url-env', 'TLS_SRC', '--json'], {TLS_SRC: tls.url(), NODE_EXTRA_CA_CERTS: tls.caFile});
      expect(trusted.stderr).not.toMatch(/DEP0123|ServerName/);
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout).result).toMatchObject({phase: 'verified', stats: {keys: 100_000}});
      expect(await target.get('tls:marker')).toBeNull();
      const noVerify = await redisCopy(['--force', '--source-url-env', 'TLS_SRC', '--source-tls-no-verify'], {TLS_SRC: tls.url()});
      expect(noVerify.code).toBe(0);
      expect(await target.dbsize()).toBe(100_000);
    } finally {
      target.disconnect();
    }
    expect(dataOf(redisAddon)).toMatchObject({phase: 'verified'});
  });
});

it('never prints or writes a URL or password: stdout, stderr, --json, state, journal', () => {
  expectNoCanary([...outputs, ...filesUnder(planDir)], [...canaryPasswords(), ds.pgSource.url(), ds.pgTarget.url(), ds.redisSource.url(), ds.redisTarget.url(), ds.redisSource.tls!.url()]);
});
