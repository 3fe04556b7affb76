/**
 * RedisTools over ioredis (loaded lazily): SCAN the source, DUMP + PTTL each batch, RESTORE on
 * the target with the remaining TTL, 16 batches in flight per source node. A single-node side
 * (Heroku Redis) does a batch in one Lua call; a cluster side (MemoryDB always is one) gets one
 * pipeline per batch, per primary on the target, routed on the keys' bytes; so does a server
 * that refuses scripts. Only INFO, SCAN, TYPE, PTTL, DUMP, RESTORE, EVAL (of those), DBSIZE and
 * FLUSHDB are used: MemoryDB and ElastiCache restrict CONFIG.
 * Connections are built from the parsed URL (never the raw URL, so driver errors cannot echo
 * it), and every message passes through redact().
 */
import {isIP} from 'node:net';
import type {Cluster, Redis, RedisOptions} from 'ioredis';
import type {RedisInventory} from '../../domain/data-copy.ts';
import {redact, type DataUrl} from '../../domain/data-url.ts';
import {MigrateError} from '../../domain/errors.ts';
import {keySlot} from '../../domain/redis-slot.ts';
import type {RedisTools, Role} from '../../ports/data.ts';

type Conn = {client: Redis | Cluster; nodes: Redis[]; cluster: boolean; close(): Promise<void>};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function redisError(err: unknown, url: DataUrl, role: Role, action: string): MigrateError {
  if (err instanceof MigrateError) return err;
  const e = isRecord(err) ? err : {};
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = err instanceof Error ? err.message : String(err);
  const msg = redact(raw, [url]).replace(/\s+/g, ' ').slice(0, 300);
  const where = `the ${role} Redis ${url.display} (${url.label})`;
  if (/WRONGPASS|NOAUTH|invalid username-password|AUTH failed|NOPERM/i.test(raw)) {
    return new MigrateError('auth', `${where} rejected the credentials while trying to ${action}: ${msg}.`, {hint: `Check the user and password in ${url.label}.`});
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'ENETUNREACH'].includes(code) || /connect ETIMEDOUT|Connection is closed|ECONNREFUSED|ENOTFOUND|Failed to refresh slots cache|None of startup nodes is available/i.test(raw)) {
    return new MigrateError('upstream', `Cannot reach ${where} while trying to ${action} (${code || msg}).`, {
      hint: role === 'target' ? 'Run from a host inside the target\'s VPC (MemoryDB has no public endpoint), and check its security group allows the port.' : 'Check the host, port and network (Heroku Redis needs rediss:// and --source-tls-no-verify for its self-signed certificate).',
    });
  }
  if (/certificate|self[- ]signed|SSL|TLS|wrong version number/i.test(raw)) {
    return new MigrateError('usage', `TLS with ${where} failed: ${msg}.`, {hint: 'Use rediss:// for TLS endpoints; Heroku Redis uses a self-signed certificate: pass --source-tls-no-verify.'});
  }
  if (/OOM/i.test(raw)) return new MigrateError('conflict', `${where} is out of memory (${msg}).`, {hint: 'Choose a larger node type for the target and copy again.'});
  if (/DUMP payload version/i.test(raw)) return new MigrateError('conflict', `${where} cannot read the source's DUMP format (${msg}).`, {hint: 'Use a target engine version at least the source\'s.'});
  return new MigrateError('upstream', `${where} failed while trying to ${action}: ${msg}.`, {hint: 'See the Redis error above.'});
}

/** rejects with timeoutError() when p has not settled after ms (a driver that neither connects nor fails) */
function withTimeout<T>(p: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timeoutError()), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Batches in flight per source node: the reference method of Redis migration tools (SCAN +
 * pipelined DUMP/RESTORE with many batches in flight), measured against in bench/data.ts.
 */
export const IN_FLIGHT_PER_NODE = 16;

type Restore = {key: Buffer; ttl: number; payload: Buffer};

/** DUMP and PTTL of every key of a batch in one call (false: the key is gone) */
const READ_SCRIPT = "local r = {} for i, k in ipairs(KEYS) do r[2 * i - 1] = redis.call('DUMP', k) or false; r[2 * i] = redis.call('PTTL', k) end return r";
/** RESTORE ... REPLACE of every key of a batch in one call: ARGV holds ttl, payload pairs */
const WRITE_SCRIPT = "for i, k in ipairs(KEYS) do redis.call('RESTORE', k, ARGV[2 * i - 1], ARGV[2 * i], 'REPLACE') end return #KEYS";
/** TYPE and PTTL of every key of a batch in one call (TYPE answers a status: its `ok` field) */
const INVENTORY_SCRIPT = "local r = {} for i, k in ipairs(KEYS) do r[2 * i - 1] = redis.call('TYPE', k)['ok']; r[2 * i] = redis.call('PTTL', k) end return r";
/** a server (or its ACL) that refuses scripts: the copy falls back to per-key commands */
const SCRIPTS_REFUSED = /unknown command|NOPERM|not allowed|disabled|NOSCRIPT|ERR.*(eval|script)/i;
/**
 * `script` (one Lua call) while the server takes scripts, else `pipelined`: after the first
 * refusal (a server or ACL without scripting) every later call goes the pipelined way. Batches in
 * flight when the refusal comes each fall back on their own.
 */
function scriptsOrPipelines<A extends unknown[], T>(scripts: boolean, script: (...a: A) => Promise<T>, pipelined: (...a: A) => Promise<T>): (...a: A) => Promise<T> {
  let on = scripts;
  return async (...a) => {
    if (on) {
      try {
        return await script(...a);
      } catch (err) {
        if (!SCRIPTS_REFUSED.test((err as Error).message ?? '')) throw err;
        on = false;
      }
    }
    return pipelined(...a);
  };
}
/** EVAL with Buffer replies: ioredis generates evalBuffer at run time, its types lack it */
const evalBuffer = (node: Redis, script: string, keys: Buffer[]): Promise<unknown> =>
  (node as unknown as {evalBuffer: (...args: unknown[]) => Promise<unknown>}).evalBuffer(script, keys.length, ...keys);
/** replies that mean "ask another node": the slot map moved under us */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * RESTOREs into a cluster, grouped per primary by each key's slot computed on its bytes
 * (docs/facts.md, "Redis Cluster"), one pipeline per node. The driver's own routing hashes a
 * Buffer key as decoded text, which sends non-UTF-8 keys to the wrong node. Keys answered with
 * a redirection are routed again after a slot map refresh.
 */
function clusterWriter(cluster: Cluster) {
  let byNode = new Map<string, Redis>();
  const index = () => (byNode = new Map(cluster.nodes('master').map((n) => [`${n.options.host}:${n.options.port}`, n])));
  const refresh = () => new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve())).then(index);
  index();
  const owner = (key: Buffer) => byNode.get(cluster.slots[keySlot(key)]?.[0] ?? '');
  return async (batch: Restore[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await refresh();
      const groups = new Map<Redis, Restore[]>();
      const lost: Restore[] = [];
      for (const item of pending) {
        const node = owner(item.key);
        if (node) (groups.get(node) ?? groups.set(node, []).get(node)!).push(item);
        else lost.push(item);
      }
      const redirected: Restore[] = [...lost];
      await Promise.all(
        [...groups].map(async ([node, items]) => {
          const p = node.pipeline();
          for (const it of items) p.restore(it.key, it.ttl, it.payload, 'REPLACE');
          const res = (await p.exec()) ?? [];
          res.forEach(([err], i) => {
            if (!err) return;
            if (!REDIRECTED.test(err.message)) throw err;
            redirected.push(items[i]!);
          });
        }),
      );
      if (redirected.length > 0 && attempt >= 3) throw new Error(`the cluster's slot map kept moving: ${redirected.length} keys could not be placed after 3 refreshes`);
      pending = redirected;
    }
  };
}

/** every key of every primary, batch by batch */
async function* scan(nodes: Redis[], batch: number): AsyncGenerator<{node: Redis; keys: Buffer[]}> {
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'COUNT', batch);
      cursor = next.toString();
      if (keys.length) yield {node, keys};
    } while (cursor !== '0');
  }
}

/**
 * `work` on every SCAN batch of every primary, IN_FLIGHT_PER_NODE batches at once per node (SCAN
 * goes on meanwhile); the first failure stops the scan and is thrown once the batches in flight
 * have settled.
 */
async function eachBatch(nodes: Redis[], batch: number, work: (node: Redis, keys: Buffer[]) => Promise<void>): Promise<void> {
  const inflight = new Map<Redis, Set<Promise<void>>>();
  let failed: {err: unknown} | undefined;
  for await (const {node, keys} of scan(nodes, batch)) {
    if (failed) break;
    const tracked = work(node, keys).catch((err: unknown) => void (failed ??= {err}));
    const mine = inflight.get(node) ?? inflight.set(node, new Set()).get(node)!;
    mine.add(tracked);
    void tracked.finally(() => mine.delete(tracked));
    if (mine.size >= IN_FLIGHT_PER_NODE) await Promise.race(mine);
  }
  await Promise.all([...inflight.values()].flatMap((set) => [...set]));
  if (failed) throw failed.err;
}

const parseInfo = (text: string) => Object.fromEntries(text.split(/\r?\n/).filter((l) => l.includes(':') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));

export function createRedisTools(): RedisTools {
  let mod: Promise<{Redis: typeof Redis; Cluster: typeof Cluster}> | undefined;

  async function open(url: DataUrl, role: Role, action: string, tlsVerify = true): Promise<Conn> {
    const {Redis: RedisClient, Cluster: ClusterClient} = await (mod ??= import('ioredis'));
    const base: RedisOptions = {
      host: url.host,
      port: url.port,
      ...(url.user ? {username: url.user} : {}),
      ...(url.password ? {password: url.password} : {}),
      // SNI carries host names only (RFC 6066): none for an address
      ...(url.tls ? {tls: {rejectUnauthorized: tlsVerify, ...(isIP(url.host) ? {} : {servername: url.host})}} : {}),
      connectTimeout: 10_000,
      maxRetriesPerRequest: 2,
      retryStrategy: () => null,
      lazyConnect: true,
    };
    let lastError: unknown;
    const first = new RedisClient({...base, db: Number(url.database)});
    first.on('error', (err) => (lastError = err));
    try {
      await withTimeout(first.connect(), 15_000, () => {
        first.disconnect();
        return Object.assign(new Error('connect ETIMEDOUT'), {code: 'ETIMEDOUT'});
      });
      const info = parseInfo(await first.info('cluster'));
      if (info.cluster_enabled !== '1') return {client: first, nodes: [first], cluster: false, close: async () => void (await first.quit().catch(() => first.disconnect()))};
      await first.quit().catch(() => first.disconnect());
      if (url.database !== '0') throw new MigrateError('usage', `${url.label} names database ${url.database}, but ${url.display} runs in cluster mode, which has database 0 only.`, {hint: 'Drop the /N from the URL.'});
      const cluster = new ClusterClient([{host: url.host, port: url.port}], {
        redisOptions: {...base, lazyConnect: false},
        enableAutoPipelining: true,
        lazyConnect: true,
        clusterRetryStrategy: () => null,
        // AWS: TLS certificates name the cluster endpoint; keep host names as given
        dnsLookup: (address, callback) => callback(null, address),
        slotsRefreshTimeout: 10_000,
      });
      cluster.on('error', (err) => (lastError = err));
      await withTimeout(cluster.connect(), 20_000, () => {
        cluster.disconnect();
        return new Error(`Failed to refresh slots cache: no cluster node answered within 20 s (${lastError instanceof Error ? lastError.message : 'no error'})`);
      });
      return {client: cluster, nodes: cluster.nodes('master'), cluster: true, close: async () => void (await cluster.quit().catch(() => cluster.disconnect()))};
    } catch (err) {
      first.disconnect();
      throw redisError(err instanceof Error && /Connection is closed/.test(err.message) && lastError ? lastError : err, url, role, action);
    }
  }

  async function guarded<T>(conn: Conn, url: DataUrl, role: Role, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw redisError(err, url, role, action);
    } finally {
      await conn.close();
    }
  }

  return {
    async probe(url, role, options = {}) {
      const conn = await open(url, role, 'read its INFO', options.tlsVerify);
      return guarded(conn, url, role, 'read its INFO', async () => {
        const info = parseInfo(await conn.nodes[0]!.info());
        const sizes = await Promise.all(conn.nodes.map((n) => n.dbsize()));
        const db = `db${url.database}`;
        const otherDatabases: Record<string, number> = {};
        for (const [k, v] of Object.entries(info)) if (/^db\d+$/.test(k) && k !== db) otherDatabases[k] = Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
        return {
          version: info.redis_version ?? info.valkey_version ?? '0',
          keys: sizes.reduce((a, b) => a + b, 0),
          usedMemory: Number(info.used_memory ?? 0),
          maxMemory: Number(info.maxmemory ?? 0),
          cluster: conn.cluster,
          otherDatabases,
        };
      });
    },

    async wipe(url) {
      const conn = await open(url, 'target', 'empty it');
      await guarded(conn, url, 'target', 'empty it', async () => void (await Promise.all(conn.nodes.map((n) => n.flushdb()))));
    },

    async copy(source, target, o) {
      const src = await open(source, 'source', 'read keys', o.sourceTlsVerify);
      let dst: Conn;
      try {
        dst = await open(target, 'target', 'write keys');
      } catch (err) {
        await src.close();
        throw err;
      }
      const t0 = Date.now();
      let [keys, expired, bytes] = [0, 0, 0];
      // a single-node side runs one Lua call per batch (one command instead of one or two per key:
      // the client's per-command work is what bounds the copy); a cluster side (RESTOREs per
      // primary, on the keys' bytes), or a server or ACL that refuses scripts, gets the per-key
      // commands, pipelined
      const readBatch = scriptsOrPipelines(
        !src.cluster,
        async (node: Redis, batch: Buffer[]): Promise<[Buffer | null, number][]> => {
          const res = (await evalBuffer(node, READ_SCRIPT, batch)) as (Buffer | number | null)[];
          return batch.map((_, i) => [(res[2 * i] as Buffer | null) ?? null, Number(res[2 * i + 1])]);
        },
        async (node: Redis, batch: Buffer[]): Promise<[Buffer | null, number][]> => {
          const p = node.pipeline();
          for (const k of batch) p.dumpBuffer(k).pttl(k);
          const res = (await p.exec()) ?? [];
          return batch.map((_, i) => {
            const err = res[2 * i]?.[0] ?? res[2 * i + 1]?.[0];
            if (err) throw err;
            return [(res[2 * i]?.[1] as Buffer | null) ?? null, Number(res[2 * i + 1]?.[1])];
          });
        },
      );
      const read = (node: Redis, batch: Buffer[]) =>
        readBatch(node, batch).catch((err: unknown) => {
          throw redisError(err, source, 'source', 'DUMP keys');
        });
      const toNode = scriptsOrPipelines(
        !dst.cluster,
        async (batch: Restore[]) => void (await (dst.client as Redis).eval(WRITE_SCRIPT, batch.length, ...batch.map((b) => b.key), ...batch.flatMap((b) => [b.ttl, b.payload]))),
        async (batch: Restore[]) => {
          const p = (dst.client as Redis).pipeline();
          for (const b of batch) p.restore(b.key, b.ttl, b.payload, 'REPLACE');
          for (const [err] of (await p.exec()) ?? []) if (err) throw err;
        },
      );
      const write = dst.cluster ? clusterWriter(dst.client as Cluster) : toNode;
      try {
        // read and write of several batches overlap; SCAN goes on meanwhile
        await eachBatch(src.nodes, o.batch, async (node, batch) => {
          const dumped = await read(node, batch);
          const out: Restore[] = [];
          dumped.forEach(([payload, ttl], i) => {
            if (!payload || ttl === -2) expired++; // gone between SCAN and DUMP
            else out.push({key: batch[i]!, ttl: ttl > 0 ? ttl : 0, payload});
          });
          try {
            await write(out);
          } catch (err) {
            throw redisError(err, target, 'target', 'RESTORE keys');
          }
          keys += out.length;
          bytes += out.reduce((a, b) => a + b.payload.length, 0);
          o.onProgress?.({stage: 'copy', done: keys, total: o.totalKeys, rows: keys, totalRows: o.totalKeys, bytes});
        });
      } catch (err) {
        throw err instanceof MigrateError ? err : redisError(err, source, 'source', 'SCAN and DUMP keys');
      } finally {
        await Promise.all([src.close(), dst.close()]);
      }
      return {keys, expired, bytes, seconds: (Date.now() - t0) / 1000};
    },

    async inventory(url, role, o) {
      const conn = await open(url, role, 'count keys', o.tlsVerify);
      return guarded(conn, url, role, 'count keys by type', async () => {
        const info = parseInfo(await conn.nodes[0]!.info('server'));
        const types: RedisInventory['types'] = {};
        let [volatile, total] = [0, 0];
        const typesAndTtls = scriptsOrPipelines(
          !conn.cluster,
          async (node: Redis, keys: Buffer[]) => (await evalBuffer(node, INVENTORY_SCRIPT, keys)) as unknown[],
          async (node: Redis, keys: Buffer[]) => {
            const p = node.pipeline();
            for (const k of keys) p.type(k).pttl(k);
            return ((await p.exec()) ?? []).map(([err, value]) => {
              if (err) throw err;
              return value;
            });
          },
        );
        await eachBatch(conn.nodes, 1000, async (node, keys) => {
          const res = await typesAndTtls(node, keys);
          for (let i = 0; i < keys.length; i++) {
            const type = String(res[2 * i] ?? 'none');
            const ttl = Number(res[2 * i + 1] ?? -2);
            if (type === 'none' || ttl === -2) continue;
            total++;
            if (ttl >= 0 && ttl < o.marginMs) {
              volatile++;
              continue;
            }
            const t = (types[type] ??= {keys: 0, withTtl: 0});
            t.keys++;
            if (ttl >= 0) t.withTtl++;
          }
        });
        return {version: info.redis_version ?? info.valkey_version ?? '0', types, volatile, total};
      });
    },
  };
}
