/**
 * Pure rules of `migrate data copy` and `data cutover`: which add-on, whether the versions
 * allow the copy, whether the dump fits on disk, whether the target is safe to (re)write,
 * and whether the copy verified (Postgres: rows per table and schema objects by name,
 * sequence values; Redis: keys per type, with and without TTL).
 */
import type {AddonPlan} from './addon-plan.ts';
import {MigrateError} from './errors.ts';

export type DataKind = 'postgres' | 'redis';

/** add-on data phases in state.addons[name].data.phase */
export const PHASE = {
  copying: 'copying',
  copied: 'copied',
  verified: 'verified',
  verifyFailed: 'verify-failed',
  failed: 'copy-failed',
  /** verified once, but the source took writes since (a cutover that failed and unfroze) */
  stale: 'stale',
} as const;

/** `--addon postgres|redis|NAME` -> the plan's add-on (by name first, then by category when unique) */
export function resolveDataAddon(addons: readonly AddonPlan[], arg: string): AddonPlan & {category: DataKind} {
  const data = addons.filter((a): a is AddonPlan & {category: DataKind} => a.category === 'postgres' || a.category === 'redis');
  const byName = addons.find((a) => a.name === arg);
  if (byName) {
    if (byName.category !== 'postgres' && byName.category !== 'redis') {
      throw new MigrateError('usage', `Add-on ${arg} is a ${byName.category} add-on (${byName.service}); only Postgres and Redis data is copied.`, {
        hint: `Data add-ons in the plan: ${data.map((a) => `${a.name} (${a.category})`).join(', ') || 'none'}.`,
      });
    }
    return byName as AddonPlan & {category: DataKind};
  }
  const byKind = data.filter((a) => a.category === arg);
  if (byKind.length === 1) return byKind[0]!;
  if (byKind.length > 1) {
    throw new MigrateError('usage', `The plan has ${byKind.length} ${arg} add-ons: ${byKind.map((a) => a.name).join(', ')}.`, {hint: 'Name one with --addon NAME.'});
  }
  throw new MigrateError('usage', `No Postgres or Redis add-on '${arg}' in the plan.`, {
    hint: `Data add-ons in the plan: ${data.map((a) => `${a.name} (${a.category})`).join(', ') || 'none'}. Use --addon postgres, --addon redis or an add-on name.`,
  });
}

/** the config var the add-on owns that holds its URL (DATABASE_URL, REDIS_URL...) */
export function urlVarOf(addon: AddonPlan): string {
  const remap = addon.configVars.find((v) => v.action === 'remap' && /_URL$/.test(v.name)) ?? addon.configVars.find((v) => /_URL$/.test(v.name));
  if (!remap) throw new MigrateError('input', `The plan lists no URL config var for add-on ${addon.name}.`, {hint: 'Pass --source-url-env NAME (and --target-url-env NAME).'});
  return remap.name;
}

/** 160004 -> 16; before 10 the major had two parts: 90624 -> 9.6 */
export const pgMajor = (versionNum: number) => (versionNum >= 100000 ? Math.floor(versionNum / 10000) : Math.floor(versionNum / 10000) + (Math.floor(versionNum / 100) % 100) / 10);

/**
 * pg_dump must be at least the source's major (it refuses older servers' newer catalogs);
 * the target must be at least the source's major (a dump does not restore into an older server).
 */
export function checkPgVersions(v: {source: number; target: number; client: number}): void {
  const [s, t, c] = [pgMajor(v.source), pgMajor(v.target), pgMajor(v.client)];
  if (t < s) {
    throw new MigrateError('conflict', `The target runs PostgreSQL ${t}, older than the source's ${s}: a dump of ${s} does not restore into ${t}.`, {
      hint: `Create the target with PostgreSQL ${s} or newer (RDS: EngineVersion ${s}.x), then run the copy again.`,
    });
  }
  if (c < s) {
    throw new MigrateError('conflict', `pg_dump is version ${c}, older than the source server's ${s}; it cannot dump it.`, {
      hint: `Install the PostgreSQL ${s} (or newer) client tools (apt-get install postgresql-client-${s}) or point --pg-bin at them.`,
    });
  }
}

/** "7.2.4" -> [7, 2, 4] */
const versionParts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** RESTORE refuses DUMP payloads of a newer RDB format: the target must be at least the source's major.minor. */
export function checkRedisVersions(source: string, target: string): void {
  const [s, t] = [versionParts(source).slice(0, 2).join('.'), versionParts(target).slice(0, 2).join('.')];
  if (compareVersions(t, s) < 0) {
    throw new MigrateError('conflict', `The target runs Redis ${target}, older than the source's ${source}: DUMP payloads of ${s} may not RESTORE into ${t}.`, {
      hint: `Create the target with engine version ${s} or newer, then run the copy again.`,
    });
  }
}

export function checkRedisMemory(sourceUsedBytes: number, targetMaxMemory: number): void {
  if (targetMaxMemory > 0 && sourceUsedBytes > targetMaxMemory * 0.9) {
    throw new MigrateError('conflict', `The source's data uses ${formatBytes(sourceUsedBytes)}, more than 90% of the target's maxmemory ${formatBytes(targetMaxMemory)}.`, {
      hint: 'Choose a larger node type for the target (migrate addons provision --redis-node-type), then run the copy again.',
    });
  }
}

/**
 * Space the dump directory needs: table data (heap + TOAST, not indexes, which are rebuilt)
 * uncompressed, or half of it when compressed (text data compresses far better; half is
 * the conservative figure), plus 64 MiB for the table of contents and slack.
 */
export const dumpSpaceEstimate = (dataBytes: number, compressLevel: number) => Math.ceil(compressLevel > 0 ? dataBytes / 2 : dataBytes) + 64 * 1024 * 1024;

/**
 * The dump's gzip level: the one asked for, else none when the volume holds the uncompressed dump
 * (on a loopback or in-VPC copy, compressing costs more CPU time than writing the bytes saves:
 * bench/data.ts), else level 1. The space check then runs with the level chosen.
 */
export const chooseCompression = (requested: number | undefined, dataBytes: number, free: number): number =>
  requested ?? (dumpSpaceEstimate(dataBytes, 0) <= free ? 0 : 1);

export function checkDiskSpace(estimate: number, free: number, dir: string): void {
  if (estimate > free) {
    throw new MigrateError('io', `The dump needs about ${formatBytes(estimate)} in ${dir}, but only ${formatBytes(free)} is free.`, {
      hint: 'Point --dump-dir at a volume with more free space (or raise --compress).',
    });
  }
}

export interface DataProgressState {
  phase: string;
  details?: Record<string, unknown>;
}

/**
 * A target may be written when it is empty, when --force is given, or when this tool's own
 * earlier copy into the same target (same endpoint id) did not finish: that data is ours and
 * half-copied, so it is wiped and the copy starts over.
 */
export function targetDecision(o: {empty: boolean; force: boolean; previous?: DataProgressState; targetId: string; what: string}): 'write' | 'wipe-restart' | 'wipe-force' {
  if (o.empty) return 'write';
  const prev = o.previous;
  const ours = prev?.details?.targetId === o.targetId;
  if (ours && prev && prev.phase !== PHASE.verified) return 'wipe-restart';
  if (o.force) return 'wipe-force';
  throw new MigrateError('conflict', `The target ${o.what} is not empty.`, {
    hint: ours
      ? 'It holds a verified copy made by an earlier run: pass --force to wipe it and copy again.'
      : 'Copy into an empty database, or pass --force to wipe everything in it first (this deletes its data).',
  });
}

// ---- Postgres verification ----

export interface PgInventory {
  versionNum: number;
  version: string;
  /** "schema.table" -> exact row count */
  tables: Record<string, number>;
  /** "schema.sequence" -> last_value as text, null when never called */
  sequences: Record<string, string | null>;
  indexes: string[];
  foreignKeys: string[];
  views: string[];
  functions: string[];
  triggers: string[];
  extensions: string[];
  /** heap + TOAST bytes of the user tables */
  dataBytes: number;
}

export interface CountRow {
  name: string;
  source: number | string | null;
  target: number | string | null;
  ok: boolean;
}

export interface ObjectRow {
  kind: string;
  source: number;
  target: number;
  ok: boolean;
  missing: string[];
  extra: string[];
}

export interface PgVerification {
  ok: boolean;
  tables: CountRow[];
  sequences: CountRow[];
  objects: ObjectRow[];
  totals: {tables: number; rows: {source: number; target: number}};
}

const setDiff = (a: string[], b: string[]) => {
  const sb = new Set(b);
  return a.filter((x) => !sb.has(x)).sort();
};

export function verifyPostgres(source: PgInventory, target: PgInventory): PgVerification {
  const names = [...new Set([...Object.keys(source.tables), ...Object.keys(target.tables)])].sort();
  const tables = names.map((name) => {
    const [s, t] = [source.tables[name] ?? null, target.tables[name] ?? null];
    return {name, source: s, target: t, ok: s !== null && s === t};
  });
  const seqNames = [...new Set([...Object.keys(source.sequences), ...Object.keys(target.sequences)])].sort();
  const sequences = seqNames.map((name) => {
    const [s, t] = [name in source.sequences ? source.sequences[name]! : 'missing', name in target.sequences ? target.sequences[name]! : 'missing'];
    return {name, source: s, target: t, ok: s === t && s !== 'missing'};
  });
  const kinds: [string, string[], string[]][] = [
    ['tables', Object.keys(source.tables), Object.keys(target.tables)],
    ['sequences', Object.keys(source.sequences), Object.keys(target.sequences)],
    ['indexes', source.indexes, target.indexes],
    ['foreign keys', source.foreignKeys, target.foreignKeys],
    ['views', source.views, target.views],
    ['functions', source.functions, target.functions],
    ['triggers', source.triggers, target.triggers],
    ['extensions', source.extensions, target.extensions],
  ];
  const objects = kinds.map(([kind, s, t]) => {
    const missing = setDiff(s, t);
    const extra = setDiff(t, s);
    return {kind, source: s.length, target: t.length, ok: !missing.length && !extra.length, missing, extra};
  });
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  return {
    ok: tables.every((r) => r.ok) && sequences.every((r) => r.ok) && objects.every((r) => r.ok),
    tables,
    sequences,
    objects,
    totals: {tables: names.length, rows: {source: sum(source.tables), target: sum(target.tables)}},
  };
}

// ---- Redis verification ----

export interface RedisTypeCount {
  keys: number;
  withTtl: number;
}

export interface RedisInventory {
  version: string;
  /** per type, keys that do not expire within the verification margin */
  types: Record<string, RedisTypeCount>;
  /** keys left out because they expire within the margin (they may vanish between the two scans) */
  volatile: number;
  total: number;
}

export interface RedisVerification {
  ok: boolean;
  types: {type: string; source: RedisTypeCount; target: RedisTypeCount; ok: boolean}[];
  volatile: {source: number; target: number};
}

export function verifyRedis(source: RedisInventory, target: RedisInventory): RedisVerification {
  const zero = {keys: 0, withTtl: 0};
  const types = [...new Set([...Object.keys(source.types), ...Object.keys(target.types)])].sort().map((type) => {
    const [s, t] = [source.types[type] ?? zero, target.types[type] ?? zero];
    return {type, source: s, target: t, ok: s.keys === t.keys && s.withTtl === t.withTtl};
  });
  return {ok: types.every((r) => r.ok), types, volatile: {source: source.volatile, target: target.volatile}};
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** what one copy measured (the copy's own seconds; Postgres: dump and restore, Redis: copy) */
export interface CopyStats {
  tables?: number;
  rows?: number;
  keys?: number;
  /** the dump's gzip level (Postgres) */
  compress?: number;
  expired?: number;
  bytes: number;
  seconds: {dump?: number; restore?: number; copy?: number; total: number};
}

/** the outcome of a copy, local or in a runner task (where it travels as the result line) */
export interface DataCopyResult {
  addon: string;
  kind: DataKind;
  source: string;
  target: string;
  phase: string;
  wiped: 'no' | 'restart' | 'force';
  stats: CopyStats;
  verification: {kind: 'postgres'; result: PgVerification} | {kind: 'redis'; result: RedisVerification};
  warnings: string[];
}

/**
 * Copy progress thinned out: at most one report every `everyMs`, but always the first of a new
 * stage and the last of one (done = total). `emit` gets the report and the clock's time.
 */
export function throttleProgress<P extends {stage: string; done: number; total: number}>(everyMs: number, emit: (p: P, now: number) => void, clock: () => number = Date.now): (p: P) => void {
  let last = 0;
  let stage = '';
  return (p) => {
    const now = clock();
    const final = p.done >= p.total && p.total > 0;
    if (now - last < everyMs && p.stage === stage && !final) return;
    last = now;
    stage = p.stage;
    emit(p, now);
  };
}
