/**
 * Data copy throughput on real servers on loopback, in the same run, on the same data:
 *   Postgres: `migrate data copy` (pg_dump -Fd --jobs | pg_restore --jobs, plus counting,
 *             ANALYZE and verification) vs plain `pg_dump -Fc | pg_restore` (one pipe, no checks)
 *   Redis:    `migrate data copy` (SCAN + DUMP/PTTL + RESTORE) vs `redis-cli --pipe` loading
 *             the same RESTORE commands pre-generated into a file (the target's raw ingest rate)
 * BENCH_SCALE (default 5) multiplies the test data: 1 = 132,000 rows and 100,000 keys.
 * Prints figures; asserts nothing.
 */
import {spawn} from 'node:child_process';
import {createWriteStream, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
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
  for (const jobs of [1, 4]) {
    resetTarget();
    const r = await cli(['data', 'copy', '--app', 'shop', '--plan-dir', planDir, '--addon', 'postgres', '--frozen', '--source-url-env', 'SRC', '--target-url-env', 'DST', '--jobs', String(jobs), '--json', '--break-lock'], env);
    must(`migrate data copy --jobs ${jobs}`, r);
    const s = JSON.parse(r.stdout).result.stats;
    rows.push([`migrate data copy --jobs ${jobs}: dump + restore`, (s.seconds.dump + s.seconds.restore) * 1000, r.ms]);
  }
  console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'rows/s'.padStart(10)} ${'MB/s'.padStart(7)} ${'vs plain'.padStart(9)}   whole command (count, ANALYZE, verify)`);
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
  ds.redisTarget.cli('FLUSHALL');
  const pipe = await sh(`redis-cli -h 127.0.0.1 -p ${ds.redisTarget.port} --no-auth-warning --pipe < "${file}"`, {REDISCLI_AUTH: ds.redisTarget.password});
  must('redis-cli --pipe', pipe);
  const loaded = Number(ds.redisTarget.cli('DBSIZE'));
  console.log(`  ${'method'.padEnd(52)} ${'copy s'.padStart(7)} ${'keys/s'.padStart(10)} ${'MB/s'.padStart(7)}`);
  console.log(`  ${'redis-cli --pipe, pre-generated RESTOREs (load only)'.padEnd(52)} ${(pipe.ms / 1000).toFixed(2).padStart(7)} ${fmt(loaded / (pipe.ms / 1000)).padStart(10)} ${fmt(bytes / 1e6 / (pipe.ms / 1000), 1).padStart(7)}`);
  console.log(
    `  ${'migrate data copy: SCAN + DUMP/PTTL + RESTORE'.padEnd(52)} ${rs.seconds.copy.toFixed(2).padStart(7)} ${fmt(rs.keys / rs.seconds.copy).padStart(10)} ${fmt(rs.bytes / 1e6 / rs.seconds.copy, 1).padStart(7)}   whole command (with verification): ${(r.ms / 1000).toFixed(2)} s`,
  );
} finally {
  await ds.stop();
  rmSync(planDir, {recursive: true, force: true});
}
