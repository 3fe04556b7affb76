/**
 * StateStore in S3, shared by every operator of an app and by the guard (docs/team-state.md).
 *
 * Layout under s3://BUCKET/PREFIX/APP/:
 *   state.json                 the app state (one object, written whole; versioned by the bucket)
 *   journal/000000000001.json  one object per journal entry, created with If-None-Match: * so an
 *                              entry is never overwritten; zero-padded sequence numbers sort in
 *                              order, and a writer that loses a number to another takes the next
 *   lock.json                  the operator lock: created with If-None-Match: *, renewed and
 *                              released with If-Match on its ETag, with a lease (expires when the
 *                              holder dies); an expired lease is taken over with If-Match too
 *   rollback-request.json      an emergency rollback request a running shift honours
 *   plan.json                  (optional) a copy of the plan for readers without the plan directory
 * S3 conditional writes and deletes, their answers (412, 409) and sources: docs/team-state.md.
 */
import {readFile} from 'node:fs/promises';
import {hostname, userInfo} from 'node:os';
import {join} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import {canonicalJson} from '../../domain/plan.ts';
import {parsePlanText} from '../../domain/plan-schema.ts';
import {emptyState, parseState, type JournalEntry} from '../../domain/state.ts';
import type {Clock} from '../../ports/files.ts';
import type {Lock, LockInfo, RollbackRequest} from '../../ports/state.ts';
import type {RemoteStateStore} from '../../ports/state-backend.ts';
import {awsError} from '../aws/errors.ts';

export interface S3StateOptions {
  bucket: string;
  /** key prefix inside the bucket (no leading or trailing slash); the app's objects live under PREFIX/APP/ */
  prefix: string;
  app: string;
  clock: Clock;
  region?: string;
  /** S3 endpoint (tests: moto); AWS_ENDPOINT_URL(_S3) work too. Either one turns on path-style addressing */
  endpoint?: string;
  /** the committed plan directory: plan.json is read from there; without it, from the bucket's copy */
  planDir?: string;
  /** lock lease; the holder renews it every third of it (default 30 s) */
  leaseMs?: number;
  /** a running shift asks S3 for a rollback request at most this often (default 5 s) */
  rollbackCheckMs?: number;
  /** who takes the lock (default: this process) */
  identity?: {user: string; host: string; pid: number};
  /** warnings (an expired lease taken over, a lost lock) */
  onWarning?: (message: string) => void;
  maxAttempts?: number;
  credentials?: {accessKeyId: string; secretAccessKey: string; sessionToken?: string};
}

/** the lock object's body: the holder and its lease */
export interface S3LockBody extends LockInfo {
  leaseMs: number;
  renewedAt: string;
}

export interface S3StateStore extends RemoteStateStore {
  /** one object's text (null when absent) */
  readObject(key: string): Promise<string | null>;
}

const SEQ_DIGITS = 12;
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_ROLLBACK_CHECK_MS = 5_000;
const READ_CONCURRENCY = 16;
/** state, journal entries, lock and plan copy are far smaller; a larger object was not written by migrate */
const MAX_OBJECT_BYTES = 8 * 1024 * 1024;

interface SdkErr {
  name?: string;
  Code?: string;
  $metadata?: {httpStatusCode?: number};
}
const status = (err: unknown) => (err as SdkErr)?.$metadata?.httpStatusCode;
const isMissing = (err: unknown) => ['NoSuchKey', 'NotFound'].includes((err as SdkErr)?.name ?? '') || status(err) === 404;
/** 412: the condition failed; 409: a concurrent conditional write on the same key was in progress */
const isConflict = (err: unknown) => status(err) === 412 || status(err) === 409 || (err as SdkErr)?.name === 'PreconditionFailed';

export const seqKey = (seq: number) => String(seq).padStart(SEQ_DIGITS, '0') + '.json';
const seqOf = (name: string) => Number(name.replace(/\.json$/, ''));

export function describeHolder(h: Partial<LockInfo>): string {
  return `${h.user ?? '?'}@${h.host ?? '?'} (pid ${h.pid ?? '?'}, '${h.command ?? '?'}' since ${h.startedAt ?? '?'})`;
}

export async function createS3State(options: S3StateOptions): Promise<S3StateStore> {
  const s3 = await import('@aws-sdk/client-s3');
  const env = process.env;
  const endpoint = options.endpoint;
  const client = new s3.S3Client({
    ...(options.region ? {region: options.region} : {}),
    ...(endpoint ? {endpoint} : {}),
    ...(options.credentials ? {credentials: options.credentials} : {}),
    ...(options.maxAttempts ? {maxAttempts: options.maxAttempts} : {}),
    forcePathStyle: Boolean(endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
    requestHandler: {connectionTimeout: 5_000, requestTimeout: 15_000},
  });
  const {bucket, app, clock} = options;
  const base = [options.prefix.replace(/^\/+|\/+$/g, ''), app].filter(Boolean).join('/') + '/';
  const location = `s3://${bucket}/${base}`;
  const keys = {state: `${base}state.json`, lock: `${base}lock.json`, rollback: `${base}rollback-request.json`, plan: `${base}plan.json`, journal: `${base}journal/`};
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const rollbackCheckMs = options.rollbackCheckMs ?? DEFAULT_ROLLBACK_CHECK_MS;
  const me = options.identity ?? {user: userInfo().username, host: hostname(), pid: process.pid};
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`Warning: ${m}\n`));
  const counts: Record<string, number> = {};
  const timers = new Set<NodeJS.Timeout>();

  async function send<T>(op: string, action: string, fn: () => Promise<T>): Promise<T> {
    counts[op] = (counts[op] ?? 0) + 1;
    try {
      return await fn();
    } catch (err) {
      if (isMissing(err) || isConflict(err)) throw err;
      throw awsError(err, `${action} (${location})`);
    }
  }

  async function getText(key: string): Promise<{text: string; etag: string; lastModified: Date} | null> {
    try {
      const r = await send('GetObject', `read s3://${bucket}/${key}`, () => client.send(new s3.GetObjectCommand({Bucket: bucket, Key: key})));
      if ((r.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
        (r.Body as {destroy?: () => void} | undefined)?.destroy?.();
        throw new MigrateError('input', `s3://${bucket}/${key} is ${r.ContentLength} bytes, more than migrate ever writes there (${MAX_OBJECT_BYTES}).`, {
          hint: 'Something other than migrate wrote it: restore an earlier version (the bucket keeps versions).',
        });
      }
      return {text: (await r.Body?.transformToString('utf8')) ?? '', etag: r.ETag ?? '', lastModified: r.LastModified ?? clock.now()};
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async function put(key: string, body: string, condition: {ifNoneMatch?: '*'; ifMatch?: string} = {}): Promise<string> {
    const input = {Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', ...(condition.ifNoneMatch ? {IfNoneMatch: '*'} : {}), ...(condition.ifMatch ? {IfMatch: condition.ifMatch} : {})};
    const r = await send('PutObject', `write s3://${bucket}/${key}`, () => client.send(new s3.PutObjectCommand(input)));
    return r.ETag ?? '';
  }

  async function remove(key: string, ifMatch?: string): Promise<void> {
    try {
      await send('DeleteObject', `delete s3://${bucket}/${key}`, () => client.send(new s3.DeleteObjectCommand({Bucket: bucket, Key: key, ...(ifMatch ? {IfMatch: ifMatch} : {})})));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async function list(prefix: string, startAfter?: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const input = {Bucket: bucket, Prefix: prefix, ...(token ? {ContinuationToken: token} : startAfter ? {StartAfter: startAfter} : {})};
      const r = await send('ListObjectsV2', `list s3://${bucket}/${prefix}`, () => client.send(new s3.ListObjectsV2Command(input)));
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  // ---- journal: immutable objects, cached once read ----
  const entries = new Map<number, JournalEntry | null>();
  /** every sequence number up to this one is in `entries` */
  let contiguous = 0;
  /** the next sequence number to try (0: unknown, list first) */
  let nextSeq = 0;
  const advanceContiguous = () => {
    while (entries.has(contiguous + 1)) contiguous++;
  };
  const journalSeqs = async (after: number) =>
    (await list(keys.journal, after ? keys.journal + seqKey(after) : undefined))
      .map((k) => k.slice(keys.journal.length))
      .filter((n) => /^\d+\.json$/.test(n))
      .map(seqOf);

  async function readEntry(seq: number): Promise<JournalEntry | null> {
    const o = await getText(keys.journal + seqKey(seq));
    if (!o) return null;
    try {
      return JSON.parse(o.text) as JournalEntry;
    } catch {
      return null; // not ours to interpret; skipped like a torn local line
    }
  }

  // ---- lock ----
  const lockBody = (command: string, startedAt: string): S3LockBody => ({command, pid: me.pid, host: me.host, user: me.user, startedAt, leaseMs, renewedAt: clock.now().toISOString()});
  const parseLock = (text: string): Partial<S3LockBody> => {
    try {
      return JSON.parse(text) as Partial<S3LockBody>;
    } catch {
      return {};
    }
  };
  /** a lease is over when S3's last write of the lock is older than its lease (clocks: docs/team-state.md) */
  const expired = (body: Partial<S3LockBody>, lastModified: Date) => clock.now().getTime() > lastModified.getTime() + (body.leaseMs ?? leaseMs);

  function holdLock(etagAtStart: string, command: string, startedAt: string): Lock & {lost(): string | null} {
    let etag = etagAtStart;
    let lost: string | null = null;
    let released = false;
    let renewing: Promise<void> | null = null;
    const renew = async () => {
      if (released || lost) return;
      try {
        etag = await put(keys.lock, JSON.stringify(lockBody(command, startedAt)), {ifMatch: etag});
      } catch (err) {
        if (isConflict(err) || isMissing(err)) {
          lost = `the lock on ${location} was taken over or removed while this ${command} held it`;
          clearInterval(timer);
          timers.delete(timer);
          warn(`${lost}: another operator may be working on ${app} now.`);
        } else {
          warn(`Cannot renew the lock on ${location} (${(err as Error).message}); retrying in ${Math.round(leaseMs / 3000)} s.`);
        }
      }
    };
    // one renewal per third of the lease; unref: a renewal never keeps the process alive
    const timer = setInterval(() => {
      renewing ??= renew().finally(() => {
        renewing = null;
      });
    }, Math.max(1, Math.floor(leaseMs / 3)));
    timer.unref();
    timers.add(timer);
    return {
      lost: () => lost,
      async release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        timers.delete(timer);
        await renewing;
        if (lost) return;
        try {
          await remove(keys.lock, etag);
        } catch (err) {
          if (!isConflict(err)) throw err; // someone else holds it now: theirs to release
        }
      },
    };
  }

  let rollbackCache: {at: number; value: RollbackRequest | null} | null = null;

  const store: S3StateStore = {
    dir: options.planDir ?? location,
    location,
    calls: () => ({...counts}),
    close() {
      for (const t of timers) clearInterval(t);
      timers.clear();
      client.destroy();
    },
    listKeys: () => list(base),
    async readObject(key) {
      return (await getText(key))?.text ?? null;
    },
    async writePlanCopy(text) {
      await put(keys.plan, text);
    },
    async removeAll() {
      const doomed = (await list(base)).filter((k) => k !== keys.lock);
      for (let i = 0; i < doomed.length; i += 1000) {
        const Objects = doomed.slice(i, i + 1000).map((Key) => ({Key}));
        const r = await send('DeleteObjects', `delete the state objects under ${location}`, () => client.send(new s3.DeleteObjectsCommand({Bucket: bucket, Delete: {Objects, Quiet: true}})));
        if (r.Errors?.length) throw new MigrateError('aws', `S3 refused to delete ${r.Errors.length} object(s) under ${location} (${r.Errors[0]?.Code ?? 'error'}).`, {hint: 'Grant s3:DeleteObject on the prefix (docs/team-state.md), then re-run.'});
      }
      entries.clear();
      contiguous = 0;
      nextSeq = 0;
      return doomed.length;
    },

    async readPlan() {
      let text: string | undefined;
      let where: string;
      if (options.planDir) {
        where = join(options.planDir, 'plan.json');
        text = await readFile(where, 'utf8').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return undefined;
          throw new MigrateError('io', `Cannot read ${where}: ${err.code}.`, {hint: 'Check the file permissions.'});
        });
      } else {
        where = `s3://${bucket}/${keys.plan}`;
        text = (await getText(keys.plan))?.text;
      }
      if (text === undefined) throw new MigrateError('input', `No plan at ${where}.`, {hint: 'Run `migrate plan --app NAME` first, or point --plan-dir at the plan directory.'});
      return parsePlanText(text, where, app);
    },

    async readState() {
      const o = await getText(keys.state);
      if (!o) return emptyState(app);
      let data: unknown;
      try {
        data = JSON.parse(o.text);
      } catch {
        throw new MigrateError('schema', `s3://${bucket}/${keys.state} is not valid JSON.`, {hint: 'Restore an earlier version of it (the bucket keeps versions).'});
      }
      return parseState(data, `s3://${bucket}/${keys.state}`);
    },

    async writeState(state) {
      await put(keys.state, canonicalJson(state, 2) + '\n');
    },

    async journal(entry) {
      const full = {at: clock.now().toISOString(), ...entry} satisfies JournalEntry;
      const body = JSON.stringify(full) + '\n';
      if (!nextSeq) nextSeq = ((await journalSeqs(contiguous)).at(-1) ?? contiguous) + 1;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await put(keys.journal + seqKey(nextSeq), body, {ifNoneMatch: '*'});
          entries.set(nextSeq, full);
          advanceContiguous();
          nextSeq++;
          return;
        } catch (err) {
          if (!isConflict(err)) throw err;
          if (status(err) === 409) {
            // a concurrent conditional write on the same key is in progress: S3 asks for a retry
            await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
            continue;
          }
          // another writer took this number: continue after the newest entry
          nextSeq = Math.max(nextSeq + 1, ((await journalSeqs(nextSeq)).at(-1) ?? nextSeq) + 1);
        }
      }
      throw new MigrateError('conflict', `Could not append to the journal at ${location}: 20 attempts met newer entries.`, {hint: 'Another process is writing the journal very fast; retry.'});
    },

    async readJournal() {
      const seqs = (await journalSeqs(contiguous)).filter((s) => !entries.has(s));
      for (let i = 0; i < seqs.length; i += READ_CONCURRENCY) {
        const batch = seqs.slice(i, i + READ_CONCURRENCY);
        const read = await Promise.all(batch.map((s) => readEntry(s)));
        batch.forEach((s, j) => entries.set(s, read[j] ?? null));
      }
      advanceContiguous();
      const last = Math.max(0, ...entries.keys());
      if (last + 1 > nextSeq) nextSeq = last + 1;
      return [...entries.entries()]
        .sort(([a], [b]) => a - b)
        .flatMap(([, e]) => (e ? [e] : []));
    },

    async lock(command, lockOptions = {}) {
      const startedAt = clock.now().toISOString();
      const body = JSON.stringify(lockBody(command, startedAt));
      for (let attempt = 0; attempt < 3; attempt++) {
        if (lockOptions.breakLock && attempt === 0) {
          const old = await getText(keys.lock);
          if (old) {
            warn(`Breaking the lock of ${describeHolder(parseLock(old.text))} on ${location} (--break-lock).`);
            await remove(keys.lock);
          }
        }
        try {
          return holdLock(await put(keys.lock, body, {ifNoneMatch: '*'}), command, startedAt);
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
        const current = await getText(keys.lock);
        if (!current) continue; // released in between: try again
        const holder = parseLock(current.text);
        // our own first write landed though its answer was lost (the SDK retried it): it is ours
        if (holder.pid === me.pid && holder.host === me.host && holder.startedAt === startedAt && holder.command === command) return holdLock(current.etag, command, startedAt);
        if (expired(holder, current.lastModified)) {
          try {
            const etag = await put(keys.lock, body, {ifMatch: current.etag});
            warn(`Took over the lock of ${describeHolder(holder)} on ${location}: its lease expired at ${new Date(current.lastModified.getTime() + (holder.leaseMs ?? leaseMs)).toISOString()} (the holder stopped renewing it).`);
            return holdLock(etag, command, startedAt);
          } catch (err) {
            if (!isConflict(err) && !isMissing(err)) throw err;
            continue; // another contender took it over first
          }
        }
        throw new MigrateError('locked', `${app} is locked by ${describeHolder(holder)}; its lease is renewed until ${new Date(current.lastModified.getTime() + (holder.leaseMs ?? leaseMs)).toISOString()} (${location}).`, {
          hint: 'Wait for the other operator to finish (the lock expires by itself when its process dies), or, if you are sure it is gone, re-run with --break-lock.',
        });
      }
      throw new MigrateError('locked', `${app}'s lock at ${location} kept changing hands while this ${command} tried to take it.`, {hint: 'Another operator is starting a command at the same time; retry in a moment.'});
    },

    async lockHolder() {
      const o = await getText(keys.lock);
      if (!o) return null;
      const h = parseLock(o.text);
      if (typeof h.pid !== 'number') return null;
      const expiresAt = new Date(o.lastModified.getTime() + (h.leaseMs ?? leaseMs)).toISOString();
      return {command: h.command ?? '?', pid: h.pid, host: h.host ?? '?', user: h.user ?? '?', startedAt: h.startedAt ?? '?', leaseExpiresAt: expiresAt, expired: expired(h, o.lastModified)};
    },

    async writeRollbackRequest(request) {
      await put(keys.rollback, JSON.stringify(request) + '\n');
      rollbackCache = {at: Date.now(), value: request};
    },

    async readRollbackRequest() {
      // a running shift asks several times a second: one S3 read per rollbackCheckMs at most
      if (rollbackCache && Date.now() - rollbackCache.at < rollbackCheckMs) return rollbackCache.value;
      const o = await getText(keys.rollback);
      let value: RollbackRequest | null = null;
      if (o) {
        try {
          value = JSON.parse(o.text) as RollbackRequest;
        } catch {
          value = null;
        }
      }
      rollbackCache = {at: Date.now(), value};
      return value;
    },

    async clearRollbackRequest() {
      await remove(keys.rollback);
      rollbackCache = {at: Date.now(), value: null};
    },
  };
  return store;
}
