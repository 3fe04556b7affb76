/**
 * Data copy throughput on real servers on loopback, in the same run, on the same data, and the
 * two ratios the goals are set on (each >= 0.9x):
 *   Postgres: `migrate data copy` (pg_dump -Fd --jobs | pg_restore --jobs, with counting, ANALYZE
 *             and verification: the copy's own time, `stats.seconds.total`) vs a plain
 *             `pg_dump -Fc | pg_restore` (one pipe, no checks). --jobs follows the cores.
 *   Redis:    `migrate data copy` (its copy time) vs the reference method of Redis migration
 *             tools, written out in bench/redis-reference.ts: SCAN + pipelined DUMP/PTTL,
 *             pipelined RESTORE, 16 batches in flight per node; over plain TCP and over TLS at
 *             both ends (as Heroku Redis and MemoryDB serve); and, for scale, `redis-cli --pipe` loading pre-generated
 *             RESTOREs (the target's raw ingest rate, no reading at all).
 * Each side of a ratio runs BENCH_ROUNDS times (default 2), alternating which goes first, each in
 * a fresh process; the best run of each side counts (the machines are shared and noisy).
 * BENCH_SCALE (default 5) multiplies the test data: 1 = 132,000 rows and 100,000 keys.
 * Needs openssl (the loopback TLS certificate).
 * Prints figures; asserts nothing.
 */
import {spawn} from 'node:child_process';
import {createWriteStream, mkdtempSync, rmSync} from 'node:fs';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {Redis} from 'ioredis';
import {pgBinDir, startDataStores, type PgServer} from '../test/support/datastores.ts';
import {seedPostgres, seedRedis} from '../test/support/seed.ts';

const ROOT = join(import.meta.dirname, '..');
const scale = Number(process.env.BENCH_SCALE ?? 5);
const bin = pgBinDir();
const ds = await startDataStores({redisTls: true});
const planDir = mkdtempSync(join(tmpdir(), 'bench-data-'));

const run = (cmd: string, args: string[], env: Record<string, string> = {}, input?: string) =>
  new Promise<{ms: number; code: number | null; stdout: string; stderr: string}>((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {cwd: ROOT, env: {...process.env, ...env}, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe']});
    let [stdout, stderr] = ['', ''];
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (input) child.stdin!.end(input);
    child.on('close', (code) => resolve({ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stdout, stderr}));
  });
const sh = (script: string, env: Record<string, string> = {}) => run('bash', ['-o', 'pipefail', '-c', script], env);
const cli = (args: string[], env: Record<string, string>) => run(process.execPath, [join(ROOT, 'bin/run.js'), ...args], env);
const pgEnv = (pg: PgServer, user = pg.user) => ({PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGUSER: user, PGPASSWORD: pg.password, PGDATABASE: 'app'});
const resetTarget = () => ds.pgTarget.sql(`DROP DATABASE app WITH (FORCE); CREATE DATABASE app OWNER "${ds.pgTarget.user}";`, 'postgres');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', {maximumFractionDigits: d, minimumFractionDigits: d});
const must = (what: string, r: {code: number | null; stderr: string}) => {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr.slice(-500)}`);
};

const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
/** each side `rounds` times, alternating which goes first; the fastest run of each side */
async function alternate<A extends {ms: number}, B extends {ms: number}>(a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  const [as, bs]: [A[], B[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) as.push(await a()), bs.push(await b());
    else bs.push(await b()), as.push(await a());
  }
  const best = <T extends {ms: number}>(xs: T[]) => xs.reduce((x, y) => (x.ms <= y.ms ? x : y));
  return [best(as), best(bs)];
}

try {
  must('plan', await cli(['plan', '--from', 'examples/shop', '--out', planDir], {}));
  const t0 = Date.now();
  const seed = seedPostgres(ds.pgSource, scale);
  const keys = await seedRedis(ds.redisSource.url(), scale);
  const heapBytes = Number(ds.pgSource.sql(`SELECT sum(pg_table_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname IN ('public', 'audit')`));
  const mb = heapBytes / 1e6;
  console.log(`data: ${fmt(seed.total)} rows in 5 tables (${fmt(mb, 1)} MB of table data), ${fmt(keys.total)} Redis keys; seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${ds.pgSource.sql('SHOW server_version').trim()}, pg_dump from ${bin}`);

  // ---- Postgres ----
  const src = pgEnv(ds.pgSource);
  const tgt = pgEnv(ds.pgTarget);
  console.log(`\nPostgres (same data, empty target each time; best of ${rounds} runs each, alternating)`);
  const env = {SRC: ds.pgSource.url(), DST: ds.pgTarget.url(), RSRC: ds.redisSource.url(), RDST: ds.redisTarget.url()};
  const plainPg = async () => {
    resetTarget();
    const r = await sh(`"${bin}/pg_dump" -Fc -h 127.0.0.1 -p ${ds.pgSource.port} -U ${ds.pgSource.user} -d app | PGPASSWORD="$TGT_PW" "${bin}/pg_restore" --no-owner --no-privileges -h 127.0.0.1 -p ${ds.pgTarget.port} -U ${ds.pgTarget.user} -d app`, {
      PGPASSWORD: src.PGPASSWORD,
      TGT_PW: tgt.PGPASSWORD,
    });
    must('pg_dump | pg_restore', r);
    return r;
  };
  const migratePg = async (jobs?: number) => {
    resetTarget();
    const r = await cli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'postgres', '--frozen', '--source-url-env', 'SRC', '--target-url-env', 'DST', ...(jobs ? ['--jobs', String(jobs)] : []), '--json', '--break-lock'], env);
    must(`migrate data copy --jobs ${jobs ?? 'default'}`, r);
    return {ms: JSON.parse(r.stdout).result.stats.seconds.total * 1000 as number, whole: r.ms};
  };
  const [raw, pgDefault] = await alternate(plainPg, () => migratePg());
  const pgOne = await migratePg(1);
  const pgRatio = raw.ms / pgDefault.ms;
  const rows: [string, number, number?][] = [
    ['plain pg_dump -Fc | pg_restore (1 pipe, no checks)', raw.ms],
    ['migrate data copy --jobs 1: with verification (1 run)', pgOne.ms, pgOne.whole],
    [`migrate data copy --jobs default (${availableParallelism()} cores): with verification`, pgDefault.ms, pgDefault.whole],
  ];
  const table = (rowsTotal: number, megabytes: number, lines: [string, number, number?][], plainMs: number) => {
    console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'rows/s'.padStart(10)} ${'MB/s'.padStart(7)} ${'vs plain'.padStart(9)}   whole command (CLI start-up included)`);
    for (const [name, ms, whole] of lines) {
      console.log(`  ${name.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(7)} ${fmt(rowsTotal / (ms / 1000)).padStart(10)} ${fmt(megabytes / (ms / 1000), 1).padStart(7)} ${`${(plainMs / ms).toFixed(2)}x`.padStart(9)}   ${whole ? `${(whole / 1000).toFixed(2)} s` : ''}`);
    }
  };
  table(seed.total, mb, rows, raw.ms);
  // rows of application width (the seed's are 65 bytes on average): a documents table of ~1 KB rows
  // added to the same database, so the data is about 2.5x the narrow data's size
  const wideRows = Math.round(12_000 * scale);
  ds.pgSource.sql(`CREATE TABLE documents (id bigserial PRIMARY KEY, title text NOT NULL, body text NOT NULL, meta jsonb NOT NULL); INSERT INTO documents (title, body, meta) SELECT 'document ' || g, (SELECT string_agg(md5((g * 31 + k)::text), ' ') FROM generate_series(1, 28) k), jsonb_build_object('n', g, 'h', md5(g::text)) FROM generate_series(1, ${wideRows}) g; ANALYZE documents;`);
  const wideMb = Number(ds.pgSource.sql(`SELECT sum(pg_table_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname IN ('public', 'audit')`)) / 1e6;
  console.log(`\nPostgres with a documents table of ~1 KB rows added (${fmt(seed.total + wideRows)} rows, ${fmt(wideMb, 1)} MB of table data)`);
  const [rawWide, pgWide] = await alternate(plainPg, () => migratePg());
  const pgWideRatio = rawWide.ms / pgWide.ms;
  table(seed.total + wideRows, wideMb, [['plain pg_dump -Fc | pg_restore (1 pipe, no checks)', rawWide.ms], [`migrate data copy --jobs default: with verification`, pgWide.ms, pgWide.whole]], rawWide.ms);

  // ---- Redis ----
  console.log(`\nRedis (same keys, empty target each time; best of ${rounds} runs each, alternating, each in its own process)`);
  /** migrate data copy vs the reference, both from `from` to `to`, alternating, best of each */
  const redisPair = async (from: string, to: string, extra: Record<string, string> = {}) => {
    const migrateRedis = async () => {
      ds.redisTarget.cli('FLUSHALL');
      const r = await cli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'redis', '--frozen', '--source-url-env', 'RSRC', '--target-url-env', 'RDST', '--json', '--break-lock'], {...env, ...extra, RSRC: from, RDST: to});
      must('migrate data copy --addon redis', r);
      const stats = JSON.parse(r.stdout).result.stats;
      return {ms: stats.seconds.copy * 1000 as number, keys: stats.keys as number, bytes: stats.bytes as number, whole: r.ms};
    };
    const referenceRedis = async () => {
      ds.redisTarget.cli('FLUSHALL');
      const r = await run(process.execPath, [join(ROOT, 'bench/redis-reference.ts')], {...extra, SRC: from, DST: to});
      must('reference Redis copy', r);
      return JSON.parse(r.stdout) as {ms: number; keys: number; bytes: number};
    };
    const [product, reference] = await alternate(migrateRedis, referenceRedis);
    return {product, reference, ratio: product.keys / product.ms / (reference.keys / reference.ms)};
  };
  const plainRedis = await redisPair(ds.redisSource.url(), ds.redisTarget.url());
  // both ends over TLS, as Heroku Redis (source) and MemoryDB (target) serve; the loopback certificate is trusted through NODE_EXTRA_CA_CERTS
  const tlsRedis = await redisPair(ds.redisSource.tls!.url(), ds.redisTarget.tls!.url(), {NODE_EXTRA_CA_CERTS: ds.redisSource.tls!.caFile});
  // for scale: the same RESTOREs as a RESP stream, generated beforehand (not timed), loaded by redis-cli --pipe
  const file = join(planDir, 'restore.resp');
  const out = createWriteStream(file);
  const source = new Redis({host: '127.0.0.1', port: ds.redisSource.port, password: ds.redisSource.password});
  const resp = (parts: (string | Buffer)[]) => {
    out.write(`*${parts.length}\r\n`);
    for (const p of parts) {
      const b = typeof p === 'string' ? Buffer.from(p) : p;
      out.write(`$${b.length}\r\n`);
      out.write(b);
      out.write('\r\n');
    }
  };
  let cursor = '0';
  let bytes = 0;
  do {
    const [next, batch] = await source.scanBuffer(cursor, 'COUNT', 1000);
    cursor = next.toString();
    const p = source.pipeline();
    for (const k of batch) p.dumpBuffer(k).pttl(k);
    const res = (await p.exec()) ?? [];
    batch.forEach((k, i) => {
      const payload = res[2 * i]?.[1] as Buffer | null;
      const ttl = Number(res[2 * i + 1]?.[1]);
      if (!payload || ttl === -2) return;
      bytes += payload.length;
      resp(['RESTORE', k, String(ttl > 0 ? ttl : 0), payload, 'REPLACE']);
    });
  } while (cursor !== '0');
  await new Promise((resolve) => out.end(resolve));
  source.disconnect();
  ds.redisTarget.cli('FLUSHALL');
  const pipe = await sh(`redis-cli -h 127.0.0.1 -p ${ds.redisTarget.port} --no-auth-warning --pipe < "${file}"`, {REDISCLI_AUTH: ds.redisTarget.password});
  must('redis-cli --pipe', pipe);
  const loaded = Number(ds.redisTarget.cli('DBSIZE'));
  console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'keys/s'.padStart(10)} ${'MB/s'.padStart(7)}`);
  console.log(`  ${'redis-cli --pipe, pre-generated RESTOREs (load only)'.padEnd(52)} ${(pipe.ms / 1000).toFixed(2).padStart(7)} ${fmt(loaded / (pipe.ms / 1000)).padStart(10)} ${fmt(bytes / 1e6 / (pipe.ms / 1000), 1).padStart(7)}`);
  const line = (name: string, x: {ms: number; keys: number; bytes: number; whole?: number}) =>
    console.log(`  ${name.padEnd(52)} ${(x.ms / 1000).toFixed(2).padStart(7)} ${fmt(x.keys / (x.ms / 1000)).padStart(10)} ${fmt(x.bytes / 1e6 / (x.ms / 1000), 1).padStart(7)}${x.whole ? `   whole command (with verification): ${(x.whole / 1000).toFixed(2)} s` : ''}`);
  for (const [how, pair] of [['plain TCP', plainRedis], ['TLS both ends', tlsRedis]] as const) {
    line(`reference, ${how}: SCAN + DUMP/RESTORE, 16 in flight`, pair.reference);
    line(`migrate data copy, ${how}`, pair.product);
  }
  console.log(`\nratios (goal >= 0.90x each, same run, best of ${rounds} each):`);
  console.log(`  Postgres: migrate data copy (with counting, ANALYZE, verification) vs pg_dump -Fc | pg_restore: ${pgRatio.toFixed(2)}x narrow rows, ${pgWideRatio.toFixed(2)}x with ~1 KB rows`);
  console.log(`  Redis:    migrate data copy vs SCAN + pipelined DUMP/RESTORE, 16 batches in flight:       ${plainRedis.ratio.toFixed(2)}x plain TCP, ${tlsRedis.ratio.toFixed(2)}x TLS`);
} finally {
  await ds.stop();
  rmSync(planDir, {recursive: true, force: true});
}
