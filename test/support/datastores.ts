/**
 * Real data stores on loopback for the data tests: two PostgreSQL clusters (source, target)
 * and two redis-server instances (source plain, target optionally a one-node cluster, like
 * MemoryDB), each on a free port in a temp dir, with canary passwords. Started per test file
 * (a few seconds) and stopped by stop(). Nothing is skipped: missing binaries fail with the
 * install command. PostgreSQL refuses to run as root, so as root initdb/postgres run as the
 * `postgres` user (created by Debian's package).
 */
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir, userInfo} from 'node:os';
import {join} from 'node:path';
import {freePort} from './moto.ts';

export const INSTALL_HINT = 'bash scripts/setup-test-deps.sh (npm test runs it first), or apt-get update && apt-get install -y postgresql redis-server   (Debian/Ubuntu; the tests start their own servers, no system service is needed)';

/** passwords carry "canary" so the canary scan proves they never reach output or files */
export const PASSWORDS = {pgSource: 'pgsrc-canary-Pw!7#q', pgTarget: 'pgtgt-canary-Pw@8%z', redisSource: 'rsrc-canary-pw-31', redisTarget: 'rtgt-canary-pw-42'};
export const canaryPasswords = () => Object.values(PASSWORDS);

export function pgBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error(`PostgreSQL server binaries (initdb, postgres) not found under ${base} (or PG_BIN). Install them: ${INSTALL_HINT}`);
  return join(base, versions[0]!, 'bin');
}

export function redisServerBin(): string {
  const r = spawnSync('redis-server', ['--version'], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`redis-server not found on PATH. Install it: ${INSTALL_HINT}`);
  return 'redis-server';
}

const asRoot = userInfo().uid === 0;
/** runs a PostgreSQL server binary, as the postgres user when we are root */
const pgCommand = (bin: string, args: string[]): [string, string[]] =>
  asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]] : [bin, args]; // setpriv execs: the pid is the server's
const chownToPostgres = (path: string) => {
  if (!asRoot) return;
  const ids = execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim();
  chownSync(path, Number(ids), Number(gid));
};

export interface PgServer {
  port: number;
  user: string;
  password: string;
  /** postgres://user:password@127.0.0.1:port/db (password percent-encoded) */
  url(db?: string): string;
  /** runs SQL through psql as the superuser; returns stdout (unaligned, tuples only) */
  sql(sql: string, db?: string): string;
  /** the same, in the background (e.g. writes that race a copy) */
  sqlAsync(sql: string, db?: string): Promise<void>;
  stop(): Promise<void>;
  process: ChildProcess;
}

export interface RedisServer {
  port: number;
  password: string;
  cluster: boolean;
  url(db?: number): string;
  /** with {tls: true}: the same server's TLS port (rediss://), its certificate's file for NODE_EXTRA_CA_CERTS */
  tls?: {port: number; url(db?: number): string; caFile: string};
  cli(...args: string[]): string;
  stop(): Promise<void>;
  process: ChildProcess;
}

const waitFor = async (what: string, ok: () => boolean, child: ChildProcess, log: () => string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (child.exitCode !== null) throw new Error(`${what} exited early (${child.exitCode}): ${log()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within ${ms / 1000} s: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const stopChild = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });

let template: {dir: string; password: string} | undefined;

/** initdb once per process into a template; each cluster copies it (cp is faster than initdb) */
function initTemplate(bin: string): string {
  if (template) return template.dir;
  const root = mkdtempSync(join(tmpdir(), 'h2a-pgtpl-'));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, 'template-password\n');
  chownToPostgres(pwfile);
  const [cmd, args] = pgCommand(join(bin, 'initdb'), ['-D', join(root, 'data'), '-U', 'admin', `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const r = spawnSync(cmd, args, {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  rmSync(pwfile);
  template = {dir: join(root, 'data'), password: 'template-password'};
  process.once('exit', () => rmSync(root, {recursive: true, force: true}));
  return template.dir;
}

export async function startPostgres(password: string, options: {user?: string} = {}): Promise<PgServer> {
  const bin = pgBinDir();
  const tpl = initTemplate(bin);
  const root = mkdtempSync(join(tmpdir(), 'h2a-pg-'));
  chmodSync(root, 0o755);
  chownToPostgres(root);
  const data = join(root, 'data');
  cpSync(tpl, data, {recursive: true});
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', data]);
  chmodSync(data, 0o700);
  const port = await freePort();
  const [cmd, args] = pgCommand(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off', '-c', 'max_connections=60', '-c', 'shared_buffers=64MB', '-c', 'log_min_messages=warning',
  ]);
  const child = spawn(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']});
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const user = options.user ?? 'admin';
  const psql = (sql: string, db = 'postgres', pw = password) =>
    execFileSync(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', 'admin', '-d', db], {
      input: sql,
      encoding: 'utf8',
      env: {...process.env, PGPASSWORD: pw, PGCONNECT_TIMEOUT: '2'},
    });
  await waitFor('postgres', () => spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0, child, () => log);
  const escaped = password.replace(/'/g, "''");
  psql(`ALTER ROLE admin PASSWORD '${escaped}';`, 'postgres', template!.password);
  if (user !== 'admin') psql(`CREATE ROLE "${user}" LOGIN PASSWORD '${escaped}' CREATEDB;`);
  // like RDS: the app's database belongs to a role that is not a superuser (the target's), or to the admin (the source's)
  psql(`CREATE DATABASE app OWNER "${user}";`);
  return {
    port,
    user,
    password,
    url: (db = 'app') => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    sql: (sql, db = 'app') => psql(sql, db),
    sqlAsync: (sql, db = 'app') =>
      new Promise<void>((resolve, reject) => {
        const c = spawn(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'admin', '-d', db, '-c', sql], {
          env: {...process.env, PGPASSWORD: password},
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql failed: ${err}`))));
      }),
    process: child,
    stop: async () => {
      await stopChild(child, 'SIGINT'); // fast shutdown
      rmSync(root, {recursive: true, force: true});
    },
  };
}

/** a self-signed certificate for 127.0.0.1 (openssl), made once per process */
let loopbackCert: {cert: string; key: string} | undefined;
function selfSignedLoopbackCert(): {cert: string; key: string} {
  if (loopbackCert) return loopbackCert;
  const dir = mkdtempSync(join(tmpdir(), 'h2a-cert-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`openssl could not make a test certificate (${r.error?.message ?? r.stderr}); install it: apt-get install -y openssl`);
  process.once('exit', () => rmSync(dir, {recursive: true, force: true}));
  return (loopbackCert = {cert, key});
}

/**
 * `slots`: the slot range a cluster node serves (default all 16384; null: none yet, e.g. for a
 * multi-shard cluster). `tls`: also listen with TLS on a second port (Debian's redis-server is
 * built with TLS), as Heroku Redis and MemoryDB do.
 */
export async function startRedis(password: string, options: {cluster?: boolean; slots?: [number, number] | null; tls?: boolean} = {}): Promise<RedisServer> {
  const bin = redisServerBin();
  const dir = mkdtempSync(join(tmpdir(), 'h2a-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', password, '--dir', dir, '--loglevel', 'warning'];
  const cert = options.tls ? selfSignedLoopbackCert() : undefined;
  const tlsPort = cert ? await freePort() : 0;
  if (cert) args.push('--tls-port', String(tlsPort), '--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--tls-ca-cert-file', cert.cert, '--tls-auth-clients', 'no');
  if (options.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--masterauth', password, '--cluster-announce-ip', '127.0.0.1');
  const child = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe']});
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const cli = (...a: string[]) =>
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...a], {encoding: 'utf8', env: {...process.env, REDISCLI_AUTH: password}}).trim();
  await waitFor('redis-server', () => spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], {encoding: 'utf8'}).stdout.includes('NOAUTH') || false, child, () => log);
  if (options.cluster && options.slots !== null) {
    const [from, to] = options.slots ?? [0, 16383];
    cli('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
    // a node serving part of the slots is ok only once its cluster covers them all (startRedisCluster waits)
    if (from === 0 && to === 16383) await waitFor('redis cluster', () => cli('CLUSTER', 'INFO').includes('cluster_state:ok'), child, () => log);
  }
  return {
    port,
    password,
    cluster: options.cluster ?? false,
    url: (db = 0) => `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}${db ? `/${db}` : ''}`,
    ...(cert ? {tls: {port: tlsPort, url: (db = 0) => `rediss://:${encodeURIComponent(password)}@127.0.0.1:${tlsPort}${db ? `/${db}` : ''}`, caFile: cert.cert}} : {}),
    cli,
    process: child,
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

export interface RedisCluster {
  nodes: RedisServer[];
  /** the URL of the first node: a cluster client discovers the others */
  url(): string;
  stop(): Promise<void>;
}

/** `shards` primaries (no replicas) from Debian's redis-server, the 16384 slots split evenly, met and converged. */
export async function startRedisCluster(password: string, shards: number): Promise<RedisCluster> {
  const per = Math.ceil(16384 / shards);
  const nodes = await Promise.all(Array.from({length: shards}, (_, i) => startRedis(password, {cluster: true, slots: [i * per, Math.min(16383, (i + 1) * per - 1)]})));
  for (const node of nodes.slice(1)) nodes[0]!.cli('CLUSTER', 'MEET', '127.0.0.1', String(node.port));
  const deadline = Date.now() + 20_000;
  const converged = () => nodes.every((n) => n.cli('CLUSTER', 'INFO').includes('cluster_state:ok') && n.cli('CLUSTER', 'INFO').includes(`cluster_known_nodes:${shards}`));
  while (!converged()) {
    if (Date.now() > deadline) throw new Error(`the ${shards}-shard redis cluster did not converge within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {nodes, url: () => nodes[0]!.url(), stop: async () => void (await Promise.all(nodes.map((n) => n.stop())))};
}

export interface DataStores {
  pgSource: PgServer;
  pgTarget: PgServer;
  redisSource: RedisServer;
  redisTarget: RedisServer;
  stop(): Promise<void>;
}

/** Both PostgreSQL clusters and both redis servers, started in parallel. */
export async function startDataStores(options: {redisTargetCluster?: boolean; redisTls?: boolean} = {}): Promise<DataStores> {
  pgBinDir();
  redisServerBin();
  const started = await Promise.allSettled([
    startPostgres(PASSWORDS.pgSource),
    startPostgres(PASSWORDS.pgTarget, {user: 'rdsadmin_app'}),
    startRedis(PASSWORDS.redisSource, {tls: options.redisTls}),
    startRedis(PASSWORDS.redisTarget, {cluster: options.redisTargetCluster ?? false, tls: options.redisTls}),
  ]);
  const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((s) => s.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [pgSource, pgTarget, redisSource, redisTarget] = ok as [PgServer, PgServer, RedisServer, RedisServer];
  return {pgSource, pgTarget, redisSource, redisTarget, stop: async () => void (await Promise.all(ok.map((s) => s.stop())))};
}
