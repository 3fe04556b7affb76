import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import {bestMatch, findEntry, findSize, findVarRule, matchesPattern, parseCatalog, CATALOG_SCHEMA_VERSION} from '../../src/domain/catalog.ts';
import {MigrateError} from '../../src/domain/errors.ts';

const CATALOG_FILE = resolve(import.meta.dirname, '../../templates/addons/catalog.json');
const raw = (): Record<string, unknown> & {entries: Record<string, unknown>[]} => JSON.parse(readFileSync(CATALOG_FILE, 'utf8'));

function parseError(json: unknown): MigrateError {
  try {
    parseCatalog(json);
  } catch (e) {
    if (e instanceof MigrateError) return e;
    throw e;
  }
  throw new Error('expected parseCatalog to throw');
}

const entryIndex = (json: {entries: Record<string, unknown>[]}, id: string) => json.entries.findIndex((e) => e.id === id);

describe('the shipped add-on catalog', () => {
  const catalog = parseCatalog(raw());

  it('parses and carries the current schema version', () => {
    expect(catalog.schemaVersion).toBe(CATALOG_SCHEMA_VERSION);
  });

  it.each([
    'heroku-postgresql',
    'heroku-redis',
    'scheduler',
    'papertrail',
    'logdna',
    'sendgrid',
    'mailgun',
    'postmark',
    'bucketeer',
    'cloudamqp',
    'memcachier',
    'heroku-kafka',
    'newrelic',
    'sentry',
    'rollbar',
    'bonsai',
    'coralogix',
    'cloudinary',
  ])('has an entry for %s', (id) => {
    expect(catalog.entries.map((e) => e.id)).toContain(id);
  });

  it('resolves mezmo and logdna to the same entry', () => {
    expect(findEntry(catalog, 'mezmo')?.id).toBe('logdna');
    expect(findEntry(catalog, 'logdna')?.id).toBe('logdna');
    expect(findEntry(catalog, 'no-such-addon')).toBeUndefined();
  });

  it.each(catalog.entries.map((e) => [e.id, e] as const))('%s: every exact plan pattern resolves to itself and the default plan resolves', (_id, entry) => {
    for (const size of entry.sizes) {
      if (!size.plan.includes('*')) expect(findSize(entry, size.plan)).toBe(size);
    }
    if (entry.defaultPlan !== undefined) expect(findSize(entry, entry.defaultPlan)).toBeDefined();
    else expect(entry.sizes.some((s) => s.plan === '*')).toBe(true);
  });

  it.each(catalog.entries.map((e) => [e.id, e] as const))('%s: remap rules say what the variable becomes', (_id, entry) => {
    for (const rule of entry.configVars) {
      if (rule.action === 'remap') expect(rule.to).toEqual(expect.any(String));
      else expect(rule.to).toBeUndefined();
    }
  });

  it('keeps the data-store facts (docs/facts.md) in the notes', () => {
    const pg = findEntry(catalog, 'heroku-postgresql')!;
    expect(pg.notes.join(' ')).toMatch(/no logical replication/);
    expect(pg.notes.join(' ')).toMatch(/over TLS/);
    expect(pg.notes.join(' ')).toMatch(/announced write-freeze window/);
    const redis = findEntry(catalog, 'heroku-redis')!;
    expect(redis.notes.join(' ')).toMatch(/self-signed certificates/);
    expect(redis.notes.join(' ')).toMatch(/ElastiCache \(Valkey\)/);
    expect(findEntry(catalog, 'papertrail')!.notes.join(' ')).toMatch(/CloudWatch Logs is not Papertrail/);
  });

  it('is plain data: the file is formatted JSON with sorted, unique ids', () => {
    const text = readFileSync(CATALOG_FILE, 'utf8');
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
    const ids = catalog.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
  });
});

describe('pattern matching', () => {
  it.each([
    ['standard-*', 'standard-2', true],
    ['standard-*', 'standard-', true],
    ['standard-*', 'premium-2', false],
    ['*', 'anything', true],
    ['*-1', 'rabbit-1', true],
    ['*-1', 'rabbit-10', false],
    ['HEROKU_POSTGRESQL_*_URL', 'HEROKU_POSTGRESQL_AMBER_URL', true],
    ['HEROKU_POSTGRESQL_*_URL', 'HEROKU_POSTGRESQL_AMBER_JDBC', false],
    ['premium.0', 'premiumX0', false],
    ['DATABASE_URL', 'DATABASE_URL', true],
    ['DATABASE_URL', 'DATABASE_URL2', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(matchesPattern(pattern, name)).toBe(expected);
  });

  it('prefers an exact name, then the most specific glob, then the earlier item', () => {
    const items = ['*', 'standard-*', 'standard-2', 'st*'];
    expect(bestMatch(items, (i) => i, 'standard-2')).toBe('standard-2');
    expect(bestMatch(items, (i) => i, 'standard-3')).toBe('standard-*');
    expect(bestMatch(items, (i) => i, 'stx')).toBe('st*');
    expect(bestMatch(items, (i) => i, 'other')).toBe('*');
    expect(bestMatch(['a*', '*a'], (i) => i, 'aa')).toBe('a*');
    expect(bestMatch(['x'], (i) => i, 'y')).toBeUndefined();
  });

  it('finds config var rules by specificity', () => {
    const catalog = parseCatalog(raw());
    const pg = findEntry(catalog, 'heroku-postgresql')!;
    expect(findVarRule(pg, 'DATABASE_URL')?.pattern).toBe('DATABASE_URL');
    expect(findVarRule(pg, 'HEROKU_POSTGRESQL_AMBER_URL')?.pattern).toBe('HEROKU_POSTGRESQL_*_URL');
    expect(findVarRule(pg, 'DATABASE_CONNECTION_POOL_URL')?.pattern).toBe('*_CONNECTION_POOL_URL');
    expect(findVarRule(pg, 'ANALYTICS_DB_URL')?.pattern).toBe('*_URL');
    expect(findVarRule(pg, 'SOMETHING_ELSE')).toBeUndefined();
  });
});

describe('catalog schema violations', () => {
  type Json = ReturnType<typeof raw>;
  const cases: [string, (json: Json) => void, RegExp][] = [
    ['an unknown strategy', (j) => (j.entries[entryIndex(j, 'heroku-redis')]!.strategy = 'teleport'), /entries\[\d+\] \(heroku-redis\)\.strategy/],
    ['an unknown category', (j) => (j.entries[0]!.category = 'nosql'), /entries\[0\] \(\S+\)\.category/],
    [
      'a remap rule without `to`',
      (j) => ((j.entries[entryIndex(j, 'heroku-postgresql')]!.configVars as Record<string, unknown>[])[0] = {pattern: 'DATABASE_URL', action: 'remap'}),
      /\(heroku-postgresql\)\.configVars\[0\]\.to: a remap rule needs `to`/,
    ],
    [
      'a keep rule with `to`',
      (j) => ((j.entries[entryIndex(j, 'sentry')]!.configVars as Record<string, unknown>[])[0] = {pattern: 'SENTRY_DSN', action: 'keep', to: 'x'}),
      /\(sentry\)\.configVars\[0\]\.to/,
    ],
    ['an unknown var action', (j) => ((j.entries[entryIndex(j, 'sentry')]!.configVars as Record<string, unknown>[])[0] = {pattern: 'SENTRY_DSN', action: 'copy'}), /\(sentry\)\.configVars\[0\]\.action/],
    ['a service claimed by two entries', (j) => (j.entries[entryIndex(j, 'papertrail')]!.services = ['papertrail', 'mezmo']), /\(papertrail\)\.services\[1\]: service "mezmo" is already claimed by entry "logdna"/],
    ['a duplicate id', (j) => (j.entries[entryIndex(j, 'rollbar')]!.id = 'sentry'), /id "sentry" is used by two entries/],
    ['a default plan that matches no size', (j) => (j.entries[entryIndex(j, 'heroku-redis')]!.defaultPlan = 'premium-99'), /\(heroku-redis\)\.defaultPlan: defaultPlan "premium-99" matches none/],
    ['a default plan that is a pattern', (j) => (j.entries[entryIndex(j, 'heroku-redis')]!.defaultPlan = 'premium-*'), /\(heroku-redis\)\.defaultPlan/],
    ['neither a default plan nor a "*" size', (j) => delete j.entries[entryIndex(j, 'heroku-kafka')]!.defaultPlan, /\(heroku-kafka\)\.defaultPlan: needs a defaultPlan/],
    ['no sizes', (j) => (j.entries[entryIndex(j, 'sentry')]!.sizes = []), /\(sentry\)\.sizes/],
    ['a duplicate plan pattern', (j) => (j.entries[entryIndex(j, 'heroku-postgresql')]!.sizes as unknown[]).push({plan: 'standard-2', size: 'db.m6g.large'}), /\(heroku-postgresql\)\.sizes\[\d+\]\.plan: plan pattern "standard-2" is listed twice/],
    ['an uppercase plan pattern', (j) => ((j.entries[entryIndex(j, 'heroku-postgresql')]!.sizes as Record<string, unknown>[])[0]!.plan = 'Standard-0'), /\(heroku-postgresql\)\.sizes\[0\]\.plan/],
    ['a typo in a key', (j) => (j.entries[entryIndex(j, 'scheduler')]!.movesInWindo = true), /\(scheduler\): Unrecognized key/],
    ['a missing target', (j) => delete j.entries[entryIndex(j, 'bonsai')]!.target, /\(bonsai\)\.target/],
    ['no entries', (j) => (j.entries = []), /^The add-on catalog is invalid: entries/],
    ['a missing schemaVersion', (j) => delete j.schemaVersion, /schemaVersion/],
    ['a malformed schemaVersion', (j) => (j.schemaVersion = 'one'), /schemaVersion/],
  ];

  it.each(cases)('refuses %s, naming the path', (_name, mutate, expected) => {
    const json = raw();
    mutate(json);
    const error = parseError(json);
    expect(error.code).toBe('schema');
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(expected);
    expect(error.hint).toMatch(/catalog\.json/);
  });

  it.each([null, 42, 'catalog', []])('refuses a top level that is not an object (%p)', (json) => {
    expect(parseError(json).message).toMatch(/\(top level\)/);
  });

  it('reports at most three issues and counts the rest', () => {
    const json = raw();
    for (const e of json.entries) e.strategy = 'teleport';
    expect(parseError(json).message).toMatch(/\(and \d+ more\)\.$/);
  });

  it('refuses a newer major schemaVersion with a clear message', () => {
    const json = raw();
    json.schemaVersion = '2.0';
    json.entries = [{completely: 'different'}];
    const error = parseError(json);
    expect(error.code).toBe('schema');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('The add-on catalog has schemaVersion 2.0, newer than this heroku2aws reads (1.x).');
    expect(error.hint).toMatch(/Upgrade heroku2aws/);
  });

  it('refuses an older major schemaVersion', () => {
    const json = raw();
    json.schemaVersion = '0.9';
    expect(parseError(json).message).toMatch(/schemaVersion 0\.9, older than/);
  });

  it('reads a newer minor leniently (unknown keys ignored) but the current minor strictly', () => {
    const json = raw();
    json.entries[0]!.futureField = {anything: true};
    expect(() => parseCatalog(json)).toThrow(/Unrecognized key/);
    json.schemaVersion = '1.7';
    const catalog = parseCatalog(json);
    expect(catalog.entries[0]).not.toHaveProperty('futureField');
  });
});
