/**
 * Data copy throughput on real servers on loopback, in the same run, on the same data, and the
 * two ratios the goals are set on (each >= 0.9x):
 *   Postgres: `migrate data copy` (pg_dump -Fd --jobs | pg_restore --jobs, with counting, ANALYZE
 *             and verification: the copy's own time, `stats.seconds.total`) vs a plain
 *             `pg_dump -Fc | pg_restore` (one pipe, no checks). --jobs follows the cores.
 *   Redis:    `migrate data copy` (its copy time) vs the reference method of Redis migration
 *             tools, written out here: SCAN + pipelined DUMP/PTTL, pipelined RESTORE, 16 batches
 *             in flight per node; and, for scale, `redis-cli --pipe` loading pre-generated
 *             RESTOREs (the target's raw ingest rate, no reading at all).
 * BENCH_SCALE (default 5) multiplies the test data: 1 = 132,000 rows and 100,000 keys.
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
const ds = await startDataStores();
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

/**
 * The reference method of Redis migration tools: SCAN the source in batches of 1,000; for each
 * batch one pipeline of DUMP + PTTL on the source, then one pipeline of RESTORE ... REPLACE on
 * the target; 16 batches in flight (the source is one node here).
 */
async function referenceRedisCopy(from: {port: number; password: string}, to: {port: number; password: string}) {
  const src = new Redis({host: '127.0.0.1', port: from.port, password: from.password});
  const dst = new Redis({host: '127.0.0.1', port: to.port, password: to.password});
  const t0 = process.hrtime.bigint();
  const running = new Set<Promise<void>>();
  let [cursor, keys, bytes] = ['0', 0, 0];
  do {
    const [next, batch] = await src.scanBuffer(cursor, 'COUNT', 1000);
    cursor = next.toString();
    const job = (async () => {
      const read = src.pipeline();
      for (const k of batch) read.dumpBuffer(k).pttl(k);
      const res = (await read.exec()) ?? [];
      const write = dst.pipeline();
      batch.forEach((k, i) => {
        const payload = res[2 * i]?.[1] as Buffer | null;
        const ttl = Number(res[2 * i + 1]?.[1]);
        if (!payload || ttl === -2) return;
        write.restore(k, ttl > 0 ? ttl : 0, payload, 'REPLACE');
        keys++;
        bytes += payload.length;
      });
      await write.exec();
    })();
    running.add(job);
    void job.finally(() => running.delete(job));
    if (running.size >= 16) await Promise.race(running);
  } while (cursor !== '0');
  await Promise.all(running);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  src.disconnect();
  dst.disconnect();
  return {ms, keys, bytes};
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
  console.log('\nPostgres (same data, empty target each time)');
  const rows: [string, number, number?][] = [];
  resetTarget();
  const raw = await sh(`"${bin}/pg_dump" -Fc -h 127.0.0.1 -p ${ds.pgSource.port} -U ${ds.pgSource.user} -d app | PGPASSWORD="$TGT_PW" "${bin}/pg_restore" --no-owner --no-privileges -h 127.0.0.1 -p ${ds.pgTarget.port} -U ${ds.pgTarget.user} -d app`, {
    PGPASSWORD: src.PGPASSWORD,
    TGT_PW: tgt.PGPASSWORD,
  });
  must('pg_dump | pg_restore', raw);
  rows.push(['plain pg_dump -Fc | pg_restore (1 pipe, no checks)', raw.ms]);
  const env = {SRC: ds.pgSource.url(), DST: ds.pgTarget.url(), RSRC: ds.redisSource.url(), RDST: ds.redisTarget.url()};
  let pgRatio = 0;
  for (const jobs of [1, undefined]) {
    resetTarget();
    const r = await cli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'postgres', '--frozen', '--source-url-env', 'SRC', '--target-url-env', 'DST', ...(jobs ? ['--jobs', String(jobs)] : []), '--json', '--break-lock'], env);
    must(`migrate data copy --jobs ${jobs ?? 'default'}`, r);
    const s = JSON.parse(r.stdout).result.stats;
    const label = jobs ? `--jobs ${jobs}` : `--jobs default (${availableParallelism()} cores)`;
    rows.push([`migrate data copy ${label}: with verification`, s.seconds.total * 1000, r.ms]);
    if (!jobs) pgRatio = raw.ms / (s.seconds.total * 1000);
  }
  console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'rows/s'.padStart(10)} ${'MB/s'.padStart(7)} ${'vs plain'.padStart(9)}   whole command (CLI start-up included)`);
  for (const [name, ms, whole] of rows) {
    const ratio = raw.ms / ms;
    console.log(`  ${name.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(7)} ${fmt(seed.total / (ms / 1000)).padStart(10)} ${fmt(mb / (ms / 1000), 1).padStart(7)} ${`${ratio.toFixed(2)}x`.padStart(9)}   ${whole ? `${(whole / 1000).toFixed(2)} s` : ''}`);
  }

  // ---- Redis ----
  console.log('\nRedis (same keys, empty target each time)');
  ds.redisTarget.cli('FLUSHALL');
  const r = await cli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'redis', '--frozen', '--source-url-env', 'RSRC', '--target-url-env', 'RDST', '--json', '--break-lock'], env);
  must('migrate data copy --addon redis', r);
  const rs = JSON.parse(r.stdout).result.stats;
  // reference: the same RESTOREs as a RESP stream, generated beforehand (not timed), loaded by redis-cli --pipe
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
  // the reference runs twice (this process is busier than the CLI's); the faster run counts
  const refs = [];
  for (let i = 0; i < 2; i++) {
    ds.redisTarget.cli('FLUSHALL');
    refs.push(await referenceRedisCopy(ds.redisSource, ds.redisTarget));
  }
  const ref = refs.reduce((a, b) => (a.ms <= b.ms ? a : b));
  ds.redisTarget.cli('FLUSHALL');
  const pipe = await sh(`redis-cli -h 127.0.0.1 -p ${ds.redisTarget.port} --no-auth-warning --pipe < "${file}"`, {REDISCLI_AUTH: ds.redisTarget.password});
  must('redis-cli --pipe', pipe);
  const loaded = Number(ds.redisTarget.cli('DBSIZE'));
  console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'keys/s'.padStart(10)} ${'MB/s'.padStart(7)}`);
  console.log(`  ${'redis-cli --pipe, pre-generated RESTOREs (load only)'.padEnd(52)} ${(pipe.ms / 1000).toFixed(2).padStart(7)} ${fmt(loaded / (pipe.ms / 1000)).padStart(10)} ${fmt(bytes / 1e6 / (pipe.ms / 1000), 1).padStart(7)}`);
  console.log(`  ${'reference: SCAN + pipelined DUMP/RESTORE, 16 in flight (best of 2)'.padEnd(52)} ${(ref.ms / 1000).toFixed(2).padStart(7)} ${fmt(ref.keys / (ref.ms / 1000)).padStart(10)} ${fmt(ref.bytes / 1e6 / (ref.ms / 1000), 1).padStart(7)}`);
  console.log(
    `  ${'migrate data copy: SCAN + DUMP/PTTL + RESTORE'.padEnd(52)} ${rs.seconds.copy.toFixed(2).padStart(7)} ${fmt(rs.keys / rs.seconds.copy).padStart(10)} ${fmt(rs.bytes / 1e6 / rs.seconds.copy, 1).padStart(7)}   whole command (with verification): ${(r.ms / 1000).toFixed(2)} s`,
  );
  const redisRatio = rs.keys / rs.seconds.copy / (ref.keys / (ref.ms / 1000));
  console.log(`\nratios (goal >= 0.90x each, same run):`);
  console.log(`  Postgres: migrate data copy (with counting, ANALYZE, verification) vs pg_dump -Fc | pg_restore: ${pgRatio.toFixed(2)}x`);
  console.log(`  Redis:    migrate data copy vs SCAN + pipelined DUMP/RESTORE, 16 batches in flight:       ${redisRatio.toFixed(2)}x`);
} finally {
  await ds.stop();
  rmSync(planDir, {recursive: true, force: true});
}
