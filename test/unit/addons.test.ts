import {readFileSync} from 'node:fs';
import {resolve} from 'node:path';
import type {AddonPlan} from '../../src/domain/addon-plan.ts';
import {mapAddons, ownedVarNames} from '../../src/domain/addons.ts';
import {findEntry, parseCatalog} from '../../src/domain/catalog.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {AddonRef} from '../../src/domain/model.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const catalog = parseCatalog(JSON.parse(readFileSync(resolve(ROOT, 'templates/addons/catalog.json'), 'utf8')));

const addon = (service: string, plan?: string, extra: Partial<AddonRef> = {}): AddonRef => ({
  name: extra.name ?? `${service}-1`,
  service,
  ...(plan === undefined ? {} : {plan}),
  configVars: extra.configVars ?? [],
  attachments: extra.attachments ?? [],
});

const mapOne = (a: AddonRef) => {
  const result = mapAddons([a], catalog);
  expect(result.addons).toHaveLength(1);
  return {...result, plan: result.addons[0]!};
};

function inputError(fn: () => unknown): MigrateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MigrateError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('plan sizes', () => {
  // [service, plan, size, multiAz (undefined = not stated)]
  it.each<[string, string, string | undefined, boolean | undefined]>([
    ['heroku-postgresql', 'essential-0', 'db.t4g.micro', false],
    ['heroku-postgresql', 'essential-1', 'db.t4g.micro', false],
    ['heroku-postgresql', 'essential-2', 'db.t4g.micro', false],
    ['heroku-postgresql', 'standard-0', 'db.t4g.medium', false],
    ['heroku-postgresql', 'standard-2', 'db.m6g.large', false],
    ['heroku-postgresql', 'standard-3', 'db.m6g.xlarge', false],
    ['heroku-postgresql', 'standard-4', 'db.m6g.2xlarge', false],
    ['heroku-postgresql', 'standard-5', 'db.m6g.4xlarge', false],
    ['heroku-postgresql', 'standard-6', 'db.m6g.8xlarge', false],
    ['heroku-postgresql', 'premium-0', 'db.t4g.medium', true],
    ['heroku-postgresql', 'premium-2', 'db.m6g.large', true],
    ['heroku-postgresql', 'premium-3', 'db.m6g.xlarge', true],
    ['heroku-postgresql', 'premium-4', 'db.m6g.2xlarge', true],
    ['heroku-postgresql', 'premium-5', 'db.m6g.4xlarge', true],
    ['heroku-postgresql', 'premium-6', 'db.m6g.8xlarge', true],
    ['heroku-postgresql', 'private-2', 'db.m6g.large', true],
    ['heroku-postgresql', 'shield-4', 'db.m6g.2xlarge', true],
    ['heroku-redis', 'mini', 'db.t4g.small', undefined],
    ['heroku-redis', 'premium-0', 'db.t4g.small', undefined],
    ['heroku-redis', 'premium-5', 'db.t4g.small', undefined],
    ['heroku-redis', 'premium-7', 'db.r7g.large', undefined],
    ['heroku-redis', 'premium-9', 'db.r7g.large', undefined],
    ['heroku-redis', 'premium-10', 'db.r7g.xlarge', undefined],
    ['heroku-redis', 'premium-12', 'db.r7g.2xlarge', undefined],
    ['heroku-redis', 'premium-14', 'db.r7g.4xlarge', undefined],
    ['heroku-redis', 'private-9', 'db.r7g.large', undefined],
    ['memcachier', 'dev', 'cache.t4g.micro', undefined],
    ['memcachier', '1000', 'cache.t4g.small', undefined],
    ['memcachier', '10000', 'cache.r6g.large', undefined],
    ['cloudamqp', 'lemur', 'mq.t3.micro', false],
    ['cloudamqp', 'bunny-1', 'mq.m5.large', false],
    ['cloudamqp', 'rabbit-3', 'mq.m5.large', true],
    ['cloudamqp', 'some-new-plan', 'mq.m5.large', false],
    ['heroku-kafka', 'basic-0', 'kafka.t3.small', undefined],
    ['heroku-kafka', 'standard-1', 'kafka.m7g.large', undefined],
    ['heroku-kafka', 'extended-2', 'kafka.m7g.xlarge', undefined],
    ['bonsai', 'sandbox', 'm7g.large.search', undefined],
    ['scheduler', 'standard', undefined, undefined],
    ['papertrail', 'choklad', undefined, undefined],
    ['sendgrid', 'starter', undefined, undefined],
  ])('%s:%s -> %s (multiAz %s)', (service, plan, size, multiAz) => {
    const {plan: p, warnings} = mapOne(addon(service, plan));
    expect(p.plan).toBe(plan);
    expect(p.target.size).toBe(size);
    expect(p.target.multiAz).toBe(multiAz);
    expect(warnings).toEqual([]);
  });

  it.each(catalog.entries.flatMap((e) => e.sizes.map((s) => [e.id, s.plan, s] as const)))('%s: plan pattern %s maps to its size', (id, pattern, size) => {
    const entry = catalog.entries.find((e) => e.id === id)!;
    const concrete = pattern.replaceAll('*', 'zz');
    const {plan} = mapOne(addon(entry.services[0]!, concrete));
    expect(plan.catalogId).toBe(id);
    expect(plan.target.size).toBe(size.size);
    expect(plan.target.multiAz).toBe(size.multiAz);
    expect(plan.target.details).toEqual(size.details);
    expect(plan.notes).toEqual([...entry.notes, ...(size.notes ?? [])]);
  });

  describe('Heroku Redis -> MemoryDB node memory covers the plan memory', () => {
    // docs/facts.md, "Data stores": Heroku Redis plan memory; GB counted as GiB (1024 MB) to stay on the safe side.
    const herokuMb: Record<string, number> = {
      mini: 25,
      'premium-0': 50,
      'premium-1': 100,
      'premium-2': 250,
      'premium-3': 500,
      'premium-4': 750,
      'premium-5': 1024,
      'premium-7': 7 * 1024,
      'premium-9': 10 * 1024,
      'premium-10': 25 * 1024,
      'premium-12': 50 * 1024,
      'premium-14': 100 * 1024,
    };
    // AWS MemoryDB / ElastiCache node memory (GiB), independent of the catalog.
    const nodeGiB: Record<string, number> = {
      'db.t4g.small': 1.37,
      'db.t4g.medium': 3.09,
      'db.r7g.large': 13.07,
      'db.r7g.xlarge': 26.32,
      'db.r7g.2xlarge': 52.82,
      'db.r7g.4xlarge': 105.81,
      'cache.t4g.micro': 0.5,
      'cache.t4g.small': 1.37,
      'cache.t4g.medium': 3.09,
      'cache.r7g.large': 13.07,
      'cache.r7g.xlarge': 26.32,
      'cache.r7g.2xlarge': 52.82,
      'cache.r7g.4xlarge': 105.81,
    };
    const redis = findEntry(catalog, 'heroku-redis')!;

    it.each(redis.sizes.map((s) => [s.plan, s] as const))('%s', (plan, size) => {
      const base = plan.replace(/^(private|shield)-/, 'premium-');
      const mb = herokuMb[base];
      expect(mb).toBeDefined();
      expect(size.details?.herokuMemoryMb).toBe(mb);
      const node = nodeGiB[size.size!];
      expect(node).toBeDefined();
      expect(size.details?.nodeMemoryGiB).toBe(node);
      expect(node! * 1024).toBeGreaterThanOrEqual(mb!);
      // the ElastiCache (Valkey) alternative also covers the plan
      const alt = String(size.details?.alternative).replace('Amazon ElastiCache (Valkey) ', '');
      expect(nodeGiB[alt]! * 1024).toBeGreaterThanOrEqual(mb!);
      // never smaller than MemoryDB's smallest node, never a needlessly large one for tiny plans
      expect(size.size).toMatch(/^db\.(t4g\.small|t4g\.medium|r7g\.\w+)$/);
    });

    it('premium-9 (10 GB) gets a node with at least 10 GB', () => {
      const {plan} = mapOne(addon('heroku-redis', 'premium-9'));
      expect(nodeGiB[plan.target.size!]! * 1024).toBeGreaterThanOrEqual(10 * 1024);
      expect(plan.target.details?.alternative).toMatch(/ElastiCache \(Valkey\)/);
    });
  });

  it('MemCachier node memory covers the plan size (plan names are MB)', () => {
    for (const size of findEntry(catalog, 'memcachier')!.sizes) {
      const mb = size.plan === 'dev' ? 25 : Number(size.plan);
      expect(size.details?.herokuMemoryMb).toBe(mb);
      expect(Number(size.details?.nodeMemoryGiB) * 1024).toBeGreaterThanOrEqual(mb);
    }
  });

  it('accepts a plan written with its service prefix and in another case', () => {
    expect(mapOne(addon('heroku-redis', 'heroku-redis:premium-9')).plan.plan).toBe('premium-9');
    expect(mapOne(addon('heroku-postgresql', 'Standard-2')).plan.target.size).toBe('db.m6g.large');
  });
});

describe('strategies', () => {
  it.each<[string, string, string, boolean, string]>([
    ['heroku-postgresql', 'postgres', 'shared-then-window', true, 'rds-postgresql'],
    ['heroku-redis', 'redis', 'shared-then-window', true, 'memorydb'],
    ['heroku-kafka', 'kafka', 'manual', true, 'msk'],
    ['cloudamqp', 'queue', 'write-freeze-window', true, 'amazon-mq-rabbitmq'],
    ['memcachier', 'memcache', 'start-empty', false, 'elasticache-memcached'],
    ['scheduler', 'scheduler', 'start-empty', true, 'eventbridge-scheduler'],
    ['papertrail', 'logging', 'start-empty', false, 'cloudwatch-logs'],
    ['logdna', 'logging', 'start-empty', false, 'cloudwatch-logs'],
    ['sendgrid', 'email', 'keep-saas', false, 'saas'],
    ['mailgun', 'email', 'keep-saas', false, 'saas'],
    ['postmark', 'email', 'keep-saas', false, 'saas'],
    ['bucketeer', 'storage', 'shared-then-window', true, 's3'],
    ['newrelic', 'monitoring', 'keep-saas', false, 'saas'],
    ['sentry', 'errors', 'keep-saas', false, 'saas'],
    ['rollbar', 'errors', 'keep-saas', false, 'saas'],
    ['bonsai', 'search', 'shared-then-window', true, 'opensearch'],
    ['coralogix', 'logging', 'keep-saas', false, 'saas'],
    ['cloudinary', 'storage', 'keep-saas', false, 'saas'],
  ])('%s: %s, %s, movesInWindow %s, target %s', (service, category, strategy, movesInWindow, kind) => {
    const {plan} = mapOne(addon(service));
    expect(plan).toMatchObject({catalogId: service, category, strategy, movesInWindow, target: {kind}});
    expect(plan.manual).toBe(strategy === 'manual');
    expect(plan.notes.length).toBeGreaterThan(0);
  });

  it('keep-saas add-ons carry a manual step to move off Heroku billing before finalize', () => {
    const {manualSteps} = mapAddons([addon('sendgrid', 'starter', {name: 'sendgrid-shop'})], catalog);
    expect(manualSteps).toEqual([expect.stringMatching(/^sendgrid-shop \(sendgrid\): Move SendGrid to a direct account .* before `migrate finalize`/)]);
  });

  it('Kafka is manual and says so in a step', () => {
    const {plan, manualSteps} = mapOne(addon('heroku-kafka', 'standard-0'));
    expect(plan.manual).toBe(true);
    expect(manualSteps.join('\n')).toMatch(/Decide how the Kafka topics move to Amazon MSK/);
  });
});

describe('aliases', () => {
  it.each(['logdna', 'mezmo', 'Mezmo'])('%s maps to the logdna entry', (service) => {
    const {plan} = mapOne(addon(service, 'quaco', {configVars: ['LOGDNA_KEY', 'MEZMO_KEY']}));
    expect(plan.catalogId).toBe('logdna');
    expect(plan.service).toBe(service);
    expect(plan.target.kind).toBe('cloudwatch-logs');
    expect(plan.configVars).toEqual([
      {name: 'LOGDNA_KEY', action: 'drop'},
      {name: 'MEZMO_KEY', action: 'drop'},
    ]);
  });
});

describe('unknown services', () => {
  const result = mapAddons([addon('acme-widgets', 'gold', {name: 'acme-widgets-7', configVars: ['ACME_TOKEN'], attachments: ['ACME']})], catalog);
  const plan = result.addons[0]!;

  it('become manual plans with no catalog id', () => {
    expect(plan).toMatchObject({
      name: 'acme-widgets-7',
      service: 'acme-widgets',
      plan: 'gold',
      catalogId: null,
      category: 'unknown',
      strategy: 'manual',
      manual: true,
      movesInWindow: false,
    });
  });

  it('keep their config vars (and the attachment-implied URL) until a person decides', () => {
    expect(plan.configVars).toEqual([
      {name: 'ACME_TOKEN', action: 'keep'},
      {name: 'ACME_URL', action: 'keep'},
    ]);
  });

  it('ask the user to decide: keep as SaaS or replace', () => {
    expect(result.manualSteps).toHaveLength(1);
    expect(result.manualSteps[0]).toMatch(/^acme-widgets-7 \(acme-widgets:gold\): not in the add-on catalog/);
    expect(result.manualSteps[0]).toMatch(/keep it as SaaS \(its config vars — ACME_TOKEN, ACME_URL — travel with the secret/);
    expect(result.manualSteps[0]).toMatch(/or replace it with an AWS service/);
    expect(result.warnings).toEqual([expect.stringMatching(/acme-widgets-7 .* not in the add-on catalog/)]);
  });

  it('never throw for an unknown plan', () => {
    expect(() => mapAddons([addon('acme-widgets', 'whatever')], catalog)).not.toThrow();
  });
});

describe('unknown plan of a known service', () => {
  const error = inputError(() => mapAddons([addon('heroku-postgresql', 'standard-99', {name: 'postgresql-curly-12345'})], catalog));

  it('is an input error with exit code 1', () => {
    expect(error.code).toBe('input');
    expect(error.exitCode).toBe(1);
  });

  it('names the add-on, the plan and the known plans', () => {
    expect(error.message).toContain('postgresql-curly-12345 (heroku-postgresql)');
    expect(error.message).toContain('"standard-99"');
    expect(error.message).toMatch(/Known plans: essential-\*, standard-0, standard-2, .*premium-0/);
  });

  it('hints at app.json and `heroku addons`', () => {
    expect(error.hint).toMatch(/app\.json/);
    expect(error.hint).toMatch(/heroku addons --app/);
    expect(error.hint).toContain('heroku-postgresql:essential-0');
  });

  it.each([
    ['heroku-redis', 'premium-8'],
    ['memcachier', '123'],
    ['scheduler', 'deluxe'],
    ['heroku-kafka', 'gigantic-0'],
  ])('%s:%s is refused', (service, plan) => {
    expect(inputError(() => mapAddons([addon(service, plan)], catalog)).message).toContain(`"${plan}"`);
  });
});

describe('missing plan', () => {
  it.each([
    ['heroku-postgresql', 'essential-0', 'db.t4g.micro'],
    ['heroku-redis', 'mini', 'db.t4g.small'],
    ['memcachier', 'dev', 'cache.t4g.micro'],
    ['scheduler', 'standard', undefined],
  ])('%s uses the default plan %s with a warning', (service, defaultPlan, size) => {
    const {plan, warnings} = mapOne(addon(service));
    expect(plan.plan).toBe(defaultPlan);
    expect(plan.target.size).toBe(size);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`names no plan; planned as the default plan ${defaultPlan}`);
    expect(warnings[0]).toContain(`"${service}:<plan>"`);
  });

  it('treats an empty plan as missing', () => {
    expect(mapOne(addon('heroku-postgresql', '  ')).plan.plan).toBe('essential-0');
  });

  it('needs no warning where the plan does not matter (catch-all size)', () => {
    const {plan, warnings} = mapOne(addon('sentry'));
    expect(plan.plan).toBeUndefined();
    expect(plan).not.toHaveProperty('plan');
    expect(warnings).toEqual([]);
  });
});

describe('config vars', () => {
  it('maps Heroku Postgres vars, including attachment-implied ones', () => {
    const {plan, warnings} = mapOne(
      addon('heroku-postgresql', 'standard-0', {
        configVars: ['DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL'],
        attachments: ['DATABASE', 'HEROKU_POSTGRESQL_AMBER', 'DATABASE_CONNECTION_POOL', 'ANALYTICS_DB'],
      }),
    );
    expect(plan.configVars.map((v) => [v.name, v.action])).toEqual([
      ['ANALYTICS_DB_URL', 'remap'],
      ['DATABASE_CONNECTION_POOL_URL', 'remap'],
      ['DATABASE_URL', 'remap'],
      ['HEROKU_POSTGRESQL_AMBER_URL', 'remap'],
    ]);
    expect(plan.configVars.find((v) => v.name === 'DATABASE_CONNECTION_POOL_URL')?.to).toMatch(/RDS Proxy/);
    expect(plan.configVars.find((v) => v.name === 'DATABASE_URL')?.to).toMatch(/RDS instance/);
    expect(warnings).toEqual([]);
  });

  it('derives attachment vars from an app.json-only add-on (no config_vars known)', () => {
    const {plan} = mapOne(addon('heroku-redis', 'premium-0', {attachments: ['REDIS', 'HEROKU_REDIS_ORANGE']}));
    expect(plan.configVars).toEqual([
      {name: 'HEROKU_REDIS_ORANGE_URL', action: 'remap', to: expect.stringMatching(/MemoryDB/)},
      {name: 'REDIS_URL', action: 'remap', to: expect.stringMatching(/MemoryDB/)},
    ]);
  });

  it('uses the entry-specific attachment suffixes (Kafka: URL and certificates)', () => {
    const {plan} = mapOne(addon('heroku-kafka', 'basic-0', {configVars: ['KAFKA_PREFIX'], attachments: ['KAFKA']}));
    expect(plan.configVars.map((v) => [v.name, v.action])).toEqual([
      ['KAFKA_CLIENT_CERT', 'remap'],
      ['KAFKA_CLIENT_CERT_KEY', 'remap'],
      ['KAFKA_PREFIX', 'keep'],
      ['KAFKA_TRUSTED_CERT', 'remap'],
      ['KAFKA_URL', 'remap'],
    ]);
  });

  it('derives nothing from attachments of add-ons whose vars are not <ATTACHMENT>_URL', () => {
    const {plan} = mapOne(addon('sendgrid', 'starter', {configVars: ['SENDGRID_API_KEY'], attachments: ['SENDGRID']}));
    expect(plan.configVars).toEqual([{name: 'SENDGRID_API_KEY', action: 'keep'}]);
  });

  it.each<[string, string, string, 'remap' | 'keep' | 'drop']>([
    ['heroku-redis', 'premium-0', 'REDIS_TLS_URL', 'remap'],
    ['papertrail', 'choklad', 'PAPERTRAIL_API_TOKEN', 'drop'],
    ['sendgrid', 'starter', 'SENDGRID_USERNAME', 'keep'],
    ['bucketeer', 'hobbyist', 'BUCKETEER_BUCKET_NAME', 'remap'],
    ['bucketeer', 'hobbyist', 'BUCKETEER_AWS_SECRET_ACCESS_KEY', 'remap'],
    ['cloudamqp', 'lemur', 'CLOUDAMQP_URL', 'remap'],
    ['cloudamqp', 'lemur', 'CLOUDAMQP_APIKEY', 'drop'],
    ['memcachier', 'dev', 'MEMCACHIER_SERVERS', 'remap'],
    ['memcachier', 'dev', 'MEMCACHIER_PASSWORD', 'drop'],
    ['newrelic', 'wayne', 'NEW_RELIC_LICENSE_KEY', 'keep'],
    ['sentry', 'f1', 'SENTRY_DSN', 'keep'],
    ['rollbar', 'free', 'ROLLBAR_ACCESS_TOKEN', 'keep'],
    ['mailgun', 'starter', 'MAILGUN_SMTP_PASSWORD', 'keep'],
    ['postmark', 'amateur', 'POSTMARK_API_TOKEN', 'keep'],
    ['bonsai', 'sandbox', 'BONSAI_URL', 'remap'],
    ['cloudinary', 'starter', 'CLOUDINARY_URL', 'keep'],
  ])('%s:%s owns %s -> %s', (service, plan, name, action) => {
    const result = mapOne(addon(service, plan, {configVars: [name]}));
    expect(result.plan.configVars).toEqual([expect.objectContaining({name, action})]);
    expect(result.warnings).toEqual([]);
  });

  it('keeps an unlisted var of a keep-saas add-on, with a warning', () => {
    const {plan, warnings} = mapOne(addon('sentry', 'f1', {configVars: ['WEIRD_TOKEN']}));
    expect(plan.configVars).toEqual([{name: 'WEIRD_TOKEN', action: 'keep'}]);
    expect(warnings).toEqual([expect.stringMatching(/owns config var WEIRD_TOKEN, which the catalog does not list; planned as keep/)]);
  });

  it('remaps an unlisted var of an AWS-mapped add-on, with a warning', () => {
    const {plan, warnings} = mapOne(addon('heroku-redis', 'premium-0', {configVars: ['REDIS_WEIRD']}));
    expect(plan.configVars).toEqual([{name: 'REDIS_WEIRD', action: 'remap', to: expect.stringMatching(/Amazon MemoryDB equivalent of REDIS_WEIRD/)}]);
    expect(warnings).toEqual([expect.stringMatching(/owns config var REDIS_WEIRD, .* planned as remap to Amazon MemoryDB/)]);
  });
});

describe('determinism and ownership', () => {
  const inputs: AddonRef[] = [
    addon('sentry', 'f1', {name: 'sentry-b', configVars: ['SENTRY_DSN']}),
    addon('heroku-postgresql', 'standard-2', {name: 'postgresql-a', configVars: ['DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL'], attachments: ['DATABASE', 'HEROKU_POSTGRESQL_AMBER']}),
    addon('heroku-redis', 'premium-9', {name: 'redis-c', configVars: ['REDIS_URL', 'REDIS_TLS_URL'], attachments: ['REDIS']}),
    addon('acme-widgets', 'gold', {name: 'acme-d', configVars: ['ACME_TOKEN']}),
    addon('scheduler', undefined, {name: 'scheduler-e'}),
  ];

  it('sorts by add-on name and gives byte-identical output for any input order', () => {
    const first = mapAddons(inputs, catalog);
    expect(first.addons.map((a) => a.name)).toEqual(['acme-d', 'postgresql-a', 'redis-c', 'scheduler-e', 'sentry-b']);
    const reversed = mapAddons([...inputs].reverse(), catalog);
    const rotated = mapAddons([...inputs.slice(2), ...inputs.slice(0, 2)], catalog);
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(first));
    expect(JSON.stringify(rotated)).toBe(JSON.stringify(first));
  });

  it('sorts each add-on config vars by name', () => {
    for (const plan of mapAddons(inputs, catalog).addons) {
      const names = plan.configVars.map((v) => v.name);
      expect(names).toEqual([...names].sort());
    }
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(inputs);
    mapAddons(inputs, catalog);
    expect(inputs).toEqual(copy);
  });

  it('ownedVarNames maps every owned var to its add-on', () => {
    const owned = ownedVarNames(mapAddons(inputs, catalog).addons);
    expect(Object.fromEntries(owned)).toEqual({
      ACME_TOKEN: 'acme-d',
      DATABASE_URL: 'postgresql-a',
      HEROKU_POSTGRESQL_AMBER_URL: 'postgresql-a',
      REDIS_TLS_URL: 'redis-c',
      REDIS_URL: 'redis-c',
      SENTRY_DSN: 'sentry-b',
    });
    expect([...owned.keys()]).toEqual(['ACME_TOKEN', 'DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL', 'REDIS_TLS_URL', 'REDIS_URL', 'SENTRY_DSN']);
  });

  it('warns when two add-ons claim the same var; the first in name order owns it', () => {
    const result = mapAddons(
      [addon('heroku-redis', 'mini', {name: 'redis-z', configVars: ['REDIS_URL']}), addon('heroku-redis', 'mini', {name: 'redis-a', configVars: ['REDIS_URL']})],
      catalog,
    );
    expect(result.warnings).toEqual([expect.stringMatching(/REDIS_URL is claimed by add-ons redis-a and redis-z/)]);
    expect(ownedVarNames(result.addons).get('REDIS_URL')).toBe('redis-a');
  });

  it('ownedVarNames is order-independent', () => {
    const plans = mapAddons(inputs, catalog).addons;
    const reversed: AddonPlan[] = [...plans].reverse();
    expect([...ownedVarNames(reversed)]).toEqual([...ownedVarNames(plans)]);
  });
});

describe('purity', () => {
  it.each(['src/domain/addons.ts', 'src/domain/catalog.ts'])('%s does no I/O and reads no clock or environment', (file) => {
    const source = readFileSync(resolve(ROOT, file), 'utf8');
    expect(source).not.toMatch(/from 'node:|require\(|process\.|Date\b|Math\.random/);
  });
});

describe('default vars when the source lists none (app.json add-ons without `as`)', () => {
  it.each([
    ['heroku-postgresql', 'standard-0', ['DATABASE_URL']],
    ['heroku-redis', 'premium-0', ['REDIS_URL']],
    ['papertrail', 'choklad', ['PAPERTRAIL_API_TOKEN']],
  ])('%s:%s owns %j', (service, plan, vars) => {
    expect(mapOne(addon(service, plan)).plan.configVars.map((v) => v.name)).toEqual(vars);
  });

  it('uses the live config vars and attachments instead when known', () => {
    const {plan} = mapOne(addon('heroku-postgresql', 'standard-0', {configVars: ['HEROKU_POSTGRESQL_AMBER_URL'], attachments: ['HEROKU_POSTGRESQL_AMBER']}));
    expect(plan.configVars.map((v) => v.name)).toEqual(['HEROKU_POSTGRESQL_AMBER_URL']);
  });
});
