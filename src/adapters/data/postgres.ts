/**
 * PostgresTools over node-postgres (inspection: versions, counts, schema objects, wipe) and
 * the real pg_dump / pg_restore (the copy itself: directory format, parallel jobs). `pg` is
 * loaded lazily. Credentials reach the tools only through PG* environment variables, and
 * every message passes through redact().
 */
import {execFile} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {mkdir, mkdtemp, readdir, rm, stat, statfs} from 'node:fs/promises';
import {join} from 'node:path';
import type {Client, ClientConfig} from 'pg';
import type {PgInventory} from '../../domain/data-copy.ts';
import {redact, type DataUrl} from '../../domain/data-url.ts';
import {MigrateError} from '../../domain/errors.ts';
import type {PostgresTools, Role} from '../../ports/data.ts';
import {runTool} from './process.ts';

export const PG_INSTALL_HINT = 'Install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client; the major must be at least the source server\'s), or point --pg-bin at their directory.';

/** --pg-bin, else PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian), else PATH */
export function resolvePgBin(flag: string | undefined, env: Record<string, string | undefined>): string {
  const dir = flag ?? env.PG_BIN;
  if (dir) return dir;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_dump'))).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.length ? join(base, versions[0]!, 'bin') : '';
}

const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
const NOT_EXTENSION = (cls: string, alias: string) => `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${alias}.oid AND d.deptype = 'e')`;

const Q = {
  probe: `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version,
    (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${SYSTEM_SCHEMAS} AND c.relkind IN ('r','p','v','m','S','f') AND ${NOT_EXTENSION('pg_class', 'c')})
    + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${SYSTEM_SCHEMAS} AND ${NOT_EXTENSION('pg_proc', 'p')})
    + (SELECT count(*) FROM pg_namespace n WHERE ${SYSTEM_SCHEMAS} AND n.nspname <> 'public' AND ${NOT_EXTENSION('pg_namespace', 'n')})
    + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${SYSTEM_SCHEMAS} AND t.typtype IN ('e','d','c','r') AND t.typrelid = 0 AND ${NOT_EXTENSION('pg_type', 't')})
    + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS objects,
    (SELECT coalesce(sum(pg_table_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${SYSTEM_SCHEMAS} AND c.relkind IN ('r','m')) AS data_bytes,
    pg_database_size(current_database()) AS database_bytes`,
  tables: `SELECT n.nspname AS s, c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${SYSTEM_SCHEMAS} AND c.relkind IN ('r','p') AND ${NOT_EXTENSION('pg_class', 'c')} ORDER BY 1, 2`,
  sequences: `SELECT schemaname || '.' || sequencename AS name, last_value::text AS value FROM pg_sequences n WHERE n.schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  indexes: `SELECT n.nspname || '.' || c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${SYSTEM_SCHEMAS} AND ${NOT_EXTENSION('pg_class', 'c')} ORDER BY 1`,
  foreignKeys: `SELECT n.nspname || '.' || c.relname || '.' || co.conname AS name FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'f' AND ${SYSTEM_SCHEMAS} ORDER BY 1`,
  views: `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v','m') AND ${SYSTEM_SCHEMAS} AND ${NOT_EXTENSION('pg_class', 'c')} ORDER BY 1`,
  functions: `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${SYSTEM_SCHEMAS} AND ${NOT_EXTENSION('pg_proc', 'p')} ORDER BY 1`,
  triggers: `SELECT n.nspname || '.' || c.relname || '.' || t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND ${SYSTEM_SCHEMAS} ORDER BY 1`,
  extensions: `SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`,
};

const WIPE = `DO $wipe$
DECLARE s record; owner text;
BEGIN
  FOR s IN SELECT n.nspname FROM pg_namespace n WHERE ${SYSTEM_SCHEMAS} AND n.nspname <> 'public' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
  END LOOP;
  SELECT pg_get_userbyid(nspowner) INTO owner FROM pg_namespace WHERE nspname = 'public';
  DROP SCHEMA IF EXISTS public CASCADE;
  BEGIN
    EXECUTE format('CREATE SCHEMA public AUTHORIZATION %I', coalesce(owner, current_user));
  EXCEPTION WHEN insufficient_privilege OR undefined_object THEN
    CREATE SCHEMA public;
  END;
  GRANT USAGE ON SCHEMA public TO PUBLIC;
  PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
END
$wipe$`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** node-postgres / libpq failures -> MigrateError with a fix; the message is redacted */
export function pgError(err: unknown, url: DataUrl, role: Role, action: string): MigrateError {
  if (err instanceof MigrateError) return err;
  const e = isRecord(err) ? err : {};
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = err instanceof Error ? err.message : String(err);
  const msg = redact(raw, [url]).replace(/\s+/g, ' ').slice(0, 300);
  const where = `the ${role} database ${url.display} (${url.label})`;
  if (code === '28P01' || code === '28000' || /password authentication failed|no pg_hba\.conf entry/i.test(raw)) {
    return new MigrateError('auth', `${where} rejected the credentials while trying to ${action}: ${msg}.`, {hint: `Check the user and password in ${url.label}.`});
  }
  if (code === '3D000') return new MigrateError('not-found', `${where} does not exist (${msg}).`, {hint: `Create the database first, or fix the database name in ${url.label}.`});
  if (code === '42501') return new MigrateError('forbidden', `${where} refused permission while trying to ${action}: ${msg}.`, {hint: 'Connect as the database owner (on RDS: the master user).'});
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'ENETUNREACH'].includes(code) || /timeout|terminated unexpectedly|could not connect|Connection refused/i.test(raw)) {
    return new MigrateError('upstream', `Cannot reach ${where} while trying to ${action} (${code || msg}).`, {
      hint: role === 'target' ? 'Run from a host that can reach the target (inside its VPC, or through a tunnel), and check its security group allows port ' + url.port + '.' : 'Check the host, port and network; Heroku Postgres needs TLS (sslmode=require).',
    });
  }
  if (/does not support SSL|SSL off|SSL connection is required|self[- ]signed|certificate/i.test(raw)) {
    return new MigrateError('usage', `TLS negotiation with ${where} failed: ${msg}.`, {hint: `Set sslmode in ${url.label} (sslmode=disable for a local server, sslmode=require or no-verify for one with a self-signed certificate).`});
  }
  return new MigrateError('upstream', `${where} failed while trying to ${action}: ${msg}.`, {hint: 'See the database error above.'});
}

const libpqSslMode = (mode: string) => (mode === 'no-verify' ? 'require' : mode);

/**
 * libpq's environment for pg_dump / pg_restore. A restore's sessions commit without waiting for
 * the WAL flush (synchronous_commit=off, a per-session setting any user may change): pg_restore
 * commits every table, index and constraint on its own, and each would otherwise wait for a disk
 * flush on the target. A crash can lose only the last such commits, never corrupt anything
 * (docs/facts.md); restore() then commits once synchronously, which flushes the WAL up to that
 * commit, so everything the verification then reads is durable.
 */
export function pgEnv(url: DataUrl, options: {restore?: boolean} = {}): Record<string, string> {
  return {
    PGHOST: url.host,
    PGPORT: String(url.port),
    PGUSER: url.user,
    PGPASSWORD: url.password,
    PGDATABASE: url.database,
    PGSSLMODE: libpqSslMode(url.sslMode),
    PGCONNECT_TIMEOUT: '10',
    PGAPPNAME: 'heroku2aws',
    ...(options.restore ? {PGOPTIONS: '-c synchronous_commit=off'} : {}),
  };
}

/** a conninfo naming only the database (the rest comes from the environment) */
const conninfoDb = (db: string) => `dbname='${db.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, name)).catch(() => ({size: 0}))).size;
  return total;
}

function toolError(tool: string, run: {code: number | null; signal: NodeJS.Signals | null; tail: string[]}, url: DataUrl, role: Role): MigrateError {
  const text = run.tail.join('\n');
  const last = run.tail.filter((l) => /error|fatal|failed|could not/i.test(l)).slice(-3).join(' | ') || run.tail.slice(-2).join(' | ') || `exit ${run.code ?? run.signal}`;
  const where = `the ${role} database ${url.display} (${url.label})`;
  if (/password authentication failed|no pg_hba\.conf entry/i.test(text)) return new MigrateError('auth', `${tool}: ${where} rejected the credentials: ${last}`, {hint: `Check the user and password in ${url.label}.`});
  if (/could not connect|Connection refused|could not translate host name|timeout expired/i.test(text)) return new MigrateError('upstream', `${tool} cannot reach ${where}: ${last}`, {hint: 'Check the host, port, network and sslmode.'});
  if (/server version mismatch/i.test(text)) return new MigrateError('conflict', `${tool} is older than ${where}: ${last}`, {hint: PG_INSTALL_HINT});
  if (/No space left on device/i.test(text)) return new MigrateError('io', `${tool} ran out of disk space: ${last}`, {hint: 'Point --dump-dir at a volume with more free space.'});
  if (run.signal) return new MigrateError('io', `${tool} was stopped by ${run.signal}.`, {hint: 'Run the copy again: it starts over cleanly.'});
  return new MigrateError('upstream', `${tool} failed on ${where} (exit ${run.code}): ${last}`, {hint: 'Fix the cause above and run the copy again: an unfinished copy is wiped and restarted, never marked done.'});
}

export function createPostgresTools(options: {pgBin?: string; env?: Record<string, string | undefined>} = {}): PostgresTools {
  const binDir = resolvePgBin(options.pgBin, options.env ?? process.env);
  const bin = (name: string) => (binDir ? join(binDir, name) : name);
  let pgModule: Promise<typeof import('pg')> | undefined;

  async function connect(url: DataUrl, role: Role, action: string): Promise<Client> {
    const pg = (await (pgModule ??= import('pg'))).default;
    const config: ClientConfig = {
      host: url.host,
      port: url.port,
      user: url.user,
      password: url.password,
      database: url.database,
      ssl: url.tls ? {rejectUnauthorized: url.sslMode.startsWith('verify')} : false,
      connectionTimeoutMillis: 10_000,
      application_name: 'heroku2aws',
    };
    const client = new pg.Client(config);
    client.on('error', () => undefined); // a dropped idle connection surfaces on the next query
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw pgError(err, url, role, action);
    }
    return client;
  }

  async function withClient<T>(url: DataUrl, role: Role, action: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await connect(url, role, action);
    try {
      return await fn(c);
    } catch (err) {
      throw pgError(err, url, role, action);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  const names = async (c: Client, sql: string) => (await c.query<{name: string}>(sql)).rows.map((r) => r.name);

  return {
    probe: (url, role) =>
      withClient(url, role, 'read its version', async (c) => {
        const r = (await c.query<{num: number; version: string; objects: string; data_bytes: string; database_bytes: string}>(Q.probe)).rows[0]!;
        return {versionNum: r.num, version: r.version, objects: Number(r.objects), dataBytes: Number(r.data_bytes), databaseBytes: Number(r.database_bytes)};
      }),

    async clientVersion() {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(bin('pg_dump'), ['--version'], (err, stdout) =>
          err ? reject(new MigrateError('io', `${bin('pg_dump')} was not found or did not run (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: PG_INSTALL_HINT})) : resolve(stdout),
        ),
      );
      const m = /(\d+)(?:\.(\d+))?/.exec(out);
      if (!m) throw new MigrateError('io', `Cannot read the version of ${bin('pg_dump')}.`, {hint: PG_INSTALL_HINT});
      return Number(m[1]) * 10000 + Number(m[2] ?? 0);
    },

    async inventory(url, role, {jobs}) {
      const head = await withClient(url, role, 'list its schema objects', async (c) => {
        // one connection runs one query at a time
        const tables = await c.query<{s: string; t: string}>(Q.tables);
        const sequences = await c.query<{name: string; value: string | null}>(Q.sequences);
        const indexes = await names(c, Q.indexes);
        const foreignKeys = await names(c, Q.foreignKeys);
        const views = await names(c, Q.views);
        const functions = await names(c, Q.functions);
        const triggers = await names(c, Q.triggers);
        const extensions = await names(c, Q.extensions);
        const probe = await c.query<{num: number; version: string; data_bytes: string}>(Q.probe);
        return {tables: tables.rows, sequences: Object.fromEntries(sequences.rows.map((r) => [r.name, r.value])), indexes, foreignKeys, views, functions, triggers, extensions, probe: probe.rows[0]!};
      });
      // exact counts, `jobs` connections in parallel, biggest tables first would be ideal; order by name keeps it simple
      const counts: Record<string, number> = {};
      const queue = [...head.tables];
      const worker = () =>
        withClient(url, role, 'count rows', async (c) => {
          for (let t = queue.shift(); t; t = queue.shift()) {
            const ident = `${c.escapeIdentifier(t.s)}.${c.escapeIdentifier(t.t)}`;
            counts[`${t.s}.${t.t}`] = Number((await c.query<{n: string}>(`SELECT count(*) AS n FROM ${ident}`)).rows[0]!.n);
          }
        });
      await Promise.all(Array.from({length: Math.max(1, Math.min(jobs, head.tables.length))}, worker));
      const tables = Object.fromEntries(head.tables.map((t) => [`${t.s}.${t.t}`, counts[`${t.s}.${t.t}`] ?? 0]));
      return {
        versionNum: head.probe.num,
        version: head.probe.version,
        tables,
        sequences: head.sequences,
        indexes: head.indexes,
        foreignKeys: head.foreignKeys,
        views: head.views,
        functions: head.functions,
        triggers: head.triggers,
        extensions: head.extensions,
        dataBytes: Number(head.probe.data_bytes),
      } satisfies PgInventory;
    },

    wipe: (url) => withClient(url, 'target', 'empty it', async (c) => void (await c.query(WIPE))),

    async freeSpace(dir) {
      try {
        await mkdir(dir, {recursive: true});
        const s = await statfs(dir);
        return s.bavail * s.bsize;
      } catch (err) {
        throw new MigrateError('io', `Cannot use ${dir} for the dump (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: 'Point --dump-dir at a writable directory.'});
      }
    },

    async dump(url, parentDir, o) {
      const work = await mkdtemp(join(parentDir, 'heroku2aws-dump-'));
      const dir = join(work, 'dump');
      // the row counts may arrive while the dump runs: read them at each report
      const total = () => Object.keys(o.rows).length;
      const totalRows = () => Object.values(o.rows).reduce((a, b) => a + b, 0);
      const started: string[] = [];
      let [done, rows, bytes] = [0, 0, 0];
      const emit = () => o.onProgress?.({stage: 'dump', done, total: total(), rows, totalRows: totalRows(), bytes});
      const finish = (qualified: string) => {
        done++;
        rows += o.rows[qualified] ?? 0;
        emit();
      };
      const t0 = Date.now();
      const timer = setInterval(() => void dirBytes(dir).then((b) => ((bytes = b), emit())), 1000);
      const run = await runTool(
        bin('pg_dump'),
        ['--format=directory', `--jobs=${o.jobs}`, `--compress=${o.compress}`, '--no-sync', '--verbose', `--file=${dir}`],
        {
          env: pgEnv(url),
          redact: (s) => redact(s, [url]),
          installHint: PG_INSTALL_HINT,
          onLine: (line) => {
            const s = /dumping contents of table "(.+)"/.exec(line);
            if (s) {
              // without --jobs, tables are dumped one after the other: a new one means the last is done
              if (o.jobs === 1 && started.length) finish(started.shift()!);
              started.push(s[1]!);
              return;
            }
            const f = /finished item \d+ TABLE DATA (.+)$/.exec(line);
            if (f) {
              const i = started.findIndex((q) => q === f[1] || q.endsWith(`.${f[1]}`));
              if (i >= 0) finish(started.splice(i, 1)[0]!);
            }
          },
        },
      ).finally(() => clearInterval(timer));
      if (run.code !== 0) {
        await rm(work, {recursive: true, force: true});
        throw toolError('pg_dump', run, url, 'source');
      }
      for (const q of started.splice(0)) finish(q);
      bytes = await dirBytes(dir);
      emit();
      return {dir: work, result: {tables: done, bytes, seconds: (Date.now() - t0) / 1000}};
    },

    async restore(url, workDir, o) {
      const dir = join(workDir, 'dump');
      const t0 = Date.now();
      // the table of contents maps item ids to tables and to their data files (for progress)
      const toc = await listToc(bin('pg_restore'), dir, url);
      const files = await readdir(dir);
      const sizes = new Map<string, number>();
      for (const f of files) {
        const id = /^(\d+)\.dat/.exec(f)?.[1];
        if (id) sizes.set(id, (await stat(join(dir, f))).size);
      }
      const total = toc.size;
      const totalRows = Object.values(o.rows).reduce((a, b) => a + b, 0);
      let [done, rows, bytes] = [0, 0, 0];
      const run = await runTool(
        bin('pg_restore'),
        [`--dbname=${conninfoDb(url.database)}`, `--jobs=${o.jobs}`, '--no-owner', '--no-privileges', '--exit-on-error', '--verbose', dir],
        {
          env: pgEnv(url, {restore: true}),
          redact: (s) => redact(s, [url]),
          installHint: PG_INSTALL_HINT,
          onLine: (line) => {
            const f = /finished item (\d+) TABLE DATA/.exec(line) ?? (o.jobs === 1 ? /processing data for table "(.+)"/.exec(line) : null);
            if (!f) return;
            const table = toc.get(f[1]!) ?? f[1]!;
            done++;
            rows += o.rows[table] ?? 0;
            bytes += sizes.get(f[1]!) ?? 0;
            o.onProgress?.({stage: 'restore', done, total, rows, totalRows, bytes});
          },
        },
      );
      if (run.code !== 0) throw toolError('pg_restore', run, url, 'target');
      // one synchronous commit (an XID makes a commit record) flushes the WAL of every asynchronous
      // commit pg_restore made before it: what the verification reads from here on is durable
      await withClient(url, 'target', 'flush the restore to disk', async (c) => void (await c.query('SELECT txid_current()')));
      // ANALYZE table by table on `jobs` connections (one ANALYZE of the database uses one core)
      const queue = [...new Set(toc.values())];
      const analyze = () =>
        withClient(url, 'target', 'analyze the restored tables', async (c) => {
          for (let t = queue.shift(); t; t = queue.shift()) {
            const [schema, table] = [t.slice(0, t.indexOf('.')), t.slice(t.indexOf('.') + 1)];
            await c.query(`ANALYZE ${c.escapeIdentifier(schema)}.${c.escapeIdentifier(table)}`);
          }
        });
      await Promise.all(Array.from({length: Math.max(1, Math.min(o.jobs, queue.length))}, analyze));
      const allBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
      o.onProgress?.({stage: 'restore', done: total, total, rows: totalRows, totalRows, bytes: allBytes});
      return {tables: total, bytes: allBytes, seconds: (Date.now() - t0) / 1000};
    },

    removeDump: (dir) => rm(dir, {recursive: true, force: true}),
  };
}

/** `pg_restore --list`: item id -> "schema.table" for TABLE DATA items */
async function listToc(pgRestore: string, dir: string, url: DataUrl): Promise<Map<string, string>> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(pgRestore, ['--list', dir], {maxBuffer: 256 * 1024 * 1024}, (err, stdout, stderr) =>
      err ? reject(new MigrateError('io', `pg_restore --list failed: ${redact(String(stderr).trim().split('\n').pop() ?? '', [url])}`, {hint: PG_INSTALL_HINT})) : resolve(stdout),
    ),
  );
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    // "3356; 0 16385 TABLE DATA public customers admin"
    const m = /^(\d+); \d+ \d+ TABLE DATA (\S+) (\S+) /.exec(line);
    if (m) map.set(m[1]!, `${m[2]}.${m[3]}`);
  }
  return map;
}
