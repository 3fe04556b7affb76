/** Pure rules of the data copy: add-on choice, versions, disk space, target decisions, verification. */
import {
  checkDiskSpace,
  chooseCompression,
  throttleProgress,
  checkPgVersions,
  checkRedisMemory,
  checkRedisVersions,
  dumpSpaceEstimate,
  resolveDataAddon,
  targetDecision,
  verifyPostgres,
  verifyRedis,
  type PgInventory,
} from '../../src/domain/data-copy.ts';
import type {AddonPlan} from '../../src/domain/addon-plan.ts';

const hintOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return `${(err as Error).message} ${(err as {hint?: string}).hint ?? ''}`;
  }
  return 'did not throw';
};

const addon = (name: string, category: AddonPlan['category']): AddonPlan => ({
  name,
  service: category,
  catalogId: null,
  category,
  target: {kind: 'x', service: 'x'},
  strategy: 'shared-then-window',
  movesInWindow: true,
  configVars: [{name: category === 'redis' ? 'REDIS_URL' : 'DATABASE_URL', action: 'remap'}],
  notes: [],
  manual: false,
});

describe('resolveDataAddon', () => {
  const addons = [addon('DATABASE', 'postgres'), addon('cache', 'redis'), addon('queue', 'redis'), addon('mail', 'email')];
  it('by name, or by category when it is unique', () => {
    expect(resolveDataAddon(addons, 'postgres').name).toBe('DATABASE');
    expect(resolveDataAddon(addons, 'cache').name).toBe('cache');
  });
  it('refuses ambiguity, non-data add-ons and unknown names with the list', () => {
    expect(() => resolveDataAddon(addons, 'redis')).toThrow(/2 redis add-ons: cache, queue/);
    expect(() => resolveDataAddon(addons, 'mail')).toThrow(/email add-on/);
    expect(hintOf(() => resolveDataAddon(addons, 'nope'))).toMatch(/No Postgres or Redis add-on 'nope'.*DATABASE \(postgres\), cache \(redis\), queue \(redis\)/);
  });
});

describe('versions, memory and disk', () => {
  it('a target older than the source is refused; newer or equal passes', () => {
    expect(() => checkPgVersions({source: 160004, target: 150010, client: 170000})).toThrow(/target runs PostgreSQL 15, older than the source's 16/);
    expect(() => checkPgVersions({source: 150004, target: 160001, client: 160000})).not.toThrow();
    expect(() => checkPgVersions({source: 90624, target: 150001, client: 150000})).not.toThrow();
  });
  it('a pg_dump older than the source server is refused with the install hint', () => {
    expect(() => checkPgVersions({source: 160004, target: 170000, client: 150018})).toThrow(/pg_dump is version 15, older than the source server's 16/);
  });
  it('Redis: target major.minor at least the source', () => {
    expect(() => checkRedisVersions('7.2.4', '7.0.15')).toThrow(/target runs Redis 7.0.15, older than the source's 7.2.4/);
    expect(() => checkRedisVersions('6.2.14', '7.1.0')).not.toThrow();
    expect(() => checkRedisVersions('7.2.4', '7.2.0')).not.toThrow();
    expect(() => checkRedisMemory(950_000_000, 1_000_000_000)).toThrow(/more than 90% of the target's maxmemory/);
    expect(() => checkRedisMemory(900_000_000, 0)).not.toThrow();
  });
  it('the dump must fit: estimate above free space is refused', () => {
    expect(dumpSpaceEstimate(1_000_000_000, 0)).toBe(1_000_000_000 + 64 * 1024 * 1024);
    expect(dumpSpaceEstimate(1_000_000_000, 1)).toBe(500_000_000 + 64 * 1024 * 1024);
    expect(() => checkDiskSpace(2_000_000_000, 1_000_000_000, '/tmp')).toThrow(/needs about 2.0 GB in \/tmp, but only 1.0 GB is free/);
  });
  it('the dump is uncompressed when the volume holds it, gzip level 1 when only a compressed one fits, the asked level always', () => {
    const data = 1_000_000_000;
    expect(chooseCompression(undefined, data, dumpSpaceEstimate(data, 0))).toBe(0);
    expect(chooseCompression(undefined, data, dumpSpaceEstimate(data, 0) - 1)).toBe(1);
    expect(chooseCompression(6, data, 10 * data)).toBe(6);
    expect(chooseCompression(0, data, 1)).toBe(0); // asked for: the space check then refuses it
  });
});

describe('targetDecision', () => {
  const base = {targetId: 't1', what: 'postgres x'};
  it.each([
    [{empty: true, force: false}, 'write'],
    [{empty: false, force: true}, 'wipe-force'],
    [{empty: false, force: false, previous: {phase: 'copying', details: {targetId: 't1'}}}, 'wipe-restart'],
    [{empty: false, force: false, previous: {phase: 'verify-failed', details: {targetId: 't1'}}}, 'wipe-restart'],
    [{empty: false, force: false, previous: {phase: 'stale', details: {targetId: 't1'}}}, 'wipe-restart'],
  ])('%j -> %s', (o, decision) => expect(targetDecision({...base, ...o})).toBe(decision));
  it('a non-empty foreign or verified target needs --force', () => {
    expect(() => targetDecision({...base, empty: false, force: false})).toThrow(/not empty/);
    expect(() => targetDecision({...base, empty: false, force: false, previous: {phase: 'copying', details: {targetId: 'other'}}})).toThrow(/not empty/);
    expect(hintOf(() => targetDecision({...base, empty: false, force: false, previous: {phase: 'verified', details: {targetId: 't1'}}}))).toMatch(/not empty.*verified copy made by an earlier run/);
  });
});

describe('verification', () => {
  const inv = (over: Partial<PgInventory> = {}): PgInventory => ({
    versionNum: 150000,
    version: '15',
    tables: {'public.a': 10, 'public.b': 5},
    sequences: {'public.a_id_seq': '10', 'public.n': null},
    indexes: ['public.a_pkey', 'public.b_idx'],
    foreignKeys: ['public.b.b_a_fkey'],
    views: [],
    functions: [],
    triggers: [],
    extensions: [],
    dataBytes: 1,
    ...over,
  });
  it('equal inventories verify', () => expect(verifyPostgres(inv(), inv()).ok).toBe(true));
  it('a row count, a sequence value or a missing index fails, and says which', () => {
    const v = verifyPostgres(inv(), inv({tables: {'public.a': 9, 'public.b': 5}, sequences: {'public.a_id_seq': '9', 'public.n': null}, indexes: ['public.a_pkey']}));
    expect(v.ok).toBe(false);
    expect(v.tables.find((t) => !t.ok)).toMatchObject({name: 'public.a', source: 10, target: 9});
    expect(v.sequences.find((t) => !t.ok)).toMatchObject({name: 'public.a_id_seq'});
    expect(v.objects.find((o) => o.kind === 'indexes')).toMatchObject({ok: false, missing: ['public.b_idx']});
  });
  it('Redis: keys and keys-with-TTL per type', () => {
    const s = {version: '7', types: {string: {keys: 3, withTtl: 1}}, volatile: 0, total: 3};
    expect(verifyRedis(s, s).ok).toBe(true);
    expect(verifyRedis(s, {...s, types: {string: {keys: 3, withTtl: 0}}}).ok).toBe(false);
    expect(verifyRedis(s, {...s, types: {string: {keys: 3, withTtl: 1}, hash: {keys: 1, withTtl: 0}}}).ok).toBe(false);
  });
});

describe('throttleProgress', () => {
  it('passes one report per interval, the first of each stage and the last of one', () => {
    let t = 0;
    const seen: string[] = [];
    const report = throttleProgress(1000, (p: {stage: string; done: number; total: number}, now) => seen.push(`${p.stage} ${p.done}/${p.total} @${now}`), () => t);
    for (const [at, stage, done] of [[0, 'dump', 1], [400, 'dump', 2], [1000, 'dump', 3], [1100, 'restore', 1], [1200, 'restore', 2], [1300, 'restore', 5]] as const) {
      t = at;
      report({stage, done, total: 5});
    }
    expect(seen).toEqual(['dump 1/5 @0', 'dump 3/5 @1000', 'restore 1/5 @1100', 'restore 5/5 @1300']);
  });
});
