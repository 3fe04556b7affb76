/**
 * Records the fake Heroku API serves, shaped like the published Platform API v3 schema
 * (more fields than the HerokuSource port reads, as the live API sends), and two builders:
 * sampleApp() — a realistic app `shop` — and bigApp() for benchmarks and paging tests.
 * Ids are deterministic UUIDs so snapshots and ranges are stable.
 */
import type {
  HerokuAddon,
  HerokuApp,
  HerokuAttachment,
  HerokuBuildpackInstallation,
  HerokuDomain,
  HerokuDynoSize,
  HerokuFormation,
  HerokuLogDrain,
  HerokuRelease,
  HerokuSlug,
} from '../../src/ports/heroku.ts';

interface Ref {
  id: string;
  name: string;
}
interface Stamped {
  id: string;
  created_at: string;
  updated_at: string;
}

export type AppRecord = HerokuApp & Stamped & {web_url: string; git_url: string; owner: {id: string; email: string}; released_at: string; stack: Ref; build_stack: Ref; region: Ref};
export type FormationRecord = HerokuFormation & Stamped & {app: Ref; dyno_size: Ref};
export type AddonRecord = HerokuAddon & Stamped & {id: string; app: Ref; addon_service: Ref; plan: Ref; state: string; web_url: string | null};
export type AttachmentRecord = HerokuAttachment & Stamped & {app: Ref; addon: Ref & {app: Ref}; namespace: string | null};
export type DomainRecord = HerokuDomain & Stamped & {app: Ref; status: string};
export type BuildpackInstallationRecord = HerokuBuildpackInstallation;
export type ReleaseRecord = HerokuRelease & Stamped & {app: Ref; description: string; user: {id: string; email: string}};
export type SlugRecord = HerokuSlug & Stamped & {commit: string | null; stack: Ref; size: number};
export type DynoSizeRecord = HerokuDynoSize & {id: string; compute: number; dedicated: boolean; private_space_only: boolean; cost: null};
export type LogDrainRecord = HerokuLogDrain & Stamped & {token: string; addon: Ref | null};

export interface AppFixture {
  app: AppRecord;
  configVars: Record<string, string>;
  formation: FormationRecord[];
  addons: AddonRecord[];
  attachments: AttachmentRecord[];
  domains: DomainRecord[];
  buildpacks: BuildpackInstallationRecord[];
  releases: ReleaseRecord[];
  slugs: SlugRecord[];
  logDrains: LogDrainRecord[];
}

const STAMP = '2025-06-01T12:00:00Z';
const OWNER = {id: uuid(0xa0, 1), email: 'ops@shop.example.com'};

/** A deterministic v4-shaped UUID: `namespace` tells record kinds apart, `n` orders them. */
export function uuid(namespace: number, n: number): string {
  return `${namespace.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const stamped = (id: string): Stamped => ({id, created_at: STAMP, updated_at: STAMP});

export function dynoSizes(): DynoSizeRecord[] {
  const size = (n: number, name: string, memory: number, compute: number, dedicated: boolean): DynoSizeRecord => ({
    id: uuid(0xd0, n),
    name,
    memory,
    compute,
    dedicated,
    private_space_only: false,
    cost: null,
  });
  return [
    size(1, 'Eco', 0.5, 1, false),
    size(2, 'Basic', 0.5, 1, false),
    size(3, 'Standard-1X', 0.5, 1, false),
    size(4, 'Standard-2X', 1, 2, false),
    size(5, 'Performance-M', 2.5, 11, true),
    size(6, 'Performance-L', 14, 46, true),
    size(7, 'Performance-L-RAM', 30, 48, true),
    size(8, 'Performance-XL', 62, 96, true),
    size(9, 'Performance-2XL', 126, 192, true),
  ];
}

function appRecord(name: string, n: number): AppRecord {
  return {
    ...stamped(uuid(0xa1, n)),
    name,
    region: {id: uuid(0xa2, 1), name: 'us'},
    stack: {id: uuid(0xa3, 24), name: 'heroku-24'},
    build_stack: {id: uuid(0xa3, 24), name: 'heroku-24'},
    generation: {name: 'cedar'},
    maintenance: false,
    owner: OWNER,
    released_at: STAMP,
    web_url: `https://${name}-1a2b3c4d5e6f.herokuapp.com/`,
    git_url: `https://git.heroku.com/${name}.git`,
  };
}

interface SizeRef {
  name: string;
  id: string;
}
const sizeRef = (name: string): SizeRef => {
  const found = dynoSizes().find((s) => s.name === name);
  if (!found) throw new Error(`unknown dyno size ${name}`);
  return {id: found.id, name: found.name};
};

function formation(app: Ref, n: number, type: string, command: string, quantity: number, size: string): FormationRecord {
  const dyno = sizeRef(size);
  return {...stamped(uuid(0xf0, n)), app, type, command, quantity, size: dyno.name, dyno_size: dyno};
}

function addon(app: Ref, n: number, service: string, plan: string, name: string, configVars: string[]): AddonRecord {
  return {
    ...stamped(uuid(0xad, n)),
    name,
    app,
    addon_service: {id: uuid(0xa5, n), name: service},
    plan: {id: uuid(0xa6, n), name: `${service}:${plan}`},
    config_vars: configVars,
    state: 'provisioned',
    web_url: `https://addons-sso.heroku.com/apps/${app.id}/addons/${uuid(0xad, n)}`,
  };
}

function attachment(app: Ref, n: number, name: string, addonRecord: AddonRecord): AttachmentRecord {
  return {...stamped(uuid(0xa7, n)), name, app, addon: {id: addonRecord.id, name: addonRecord.name, app}, namespace: null};
}

function release(app: Ref, version: number, slugId: string, status: string, current: boolean, description: string): ReleaseRecord {
  return {...stamped(uuid(0xe0, version)), app, version, status, current, slug: {id: slugId}, description, user: OWNER};
}

const refOf = (a: AppRecord): Ref => ({id: a.id, name: a.name});

/**
 * The app `shop`: a Rails + Node storefront. Four process types in the slug (web, worker,
 * clock, release); clock is scaled to 0 (jobs moved to Scheduler); six add-ons including one
 * the catalog does not know; Heroku and custom domains; two buildpacks; 42 releases whose
 * v41 failed its release phase; two log drains (one carrying credentials in its URL);
 * config vars mixing add-on-owned, platform (HEROKU_*) and app vars. Values are recognisable
 * canaries so tests can prove none of them leaks.
 */
export function sampleApp(): AppFixture {
  const app = appRecord('shop', 1);
  const ref = refOf(app);
  const pg = addon(ref, 1, 'heroku-postgresql', 'standard-0', 'postgresql-curly-12345', ['DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL']);
  const redis = addon(ref, 2, 'heroku-redis', 'premium-0', 'redis-rigid-54321', ['REDIS_URL']);
  const scheduler = addon(ref, 3, 'scheduler', 'standard', 'scheduler-flat-11111', []);
  const papertrail = addon(ref, 4, 'papertrail', 'choklad', 'papertrail-shaped-22222', ['PAPERTRAIL_API_TOKEN']);
  const sendgrid = addon(ref, 5, 'sendgrid', 'starter', 'sendgrid-clear-33333', ['SENDGRID_USERNAME', 'SENDGRID_PASSWORD']);
  const unknown = addon(ref, 6, 'acme-metrics', 'hobby', 'acme-metrics-fuzzy-44444', ['ACME_METRICS_KEY']);
  const processTypes = {
    web: 'bundle exec puma -C config/puma.rb',
    worker: 'bundle exec sidekiq -C config/sidekiq.yml',
    clock: 'bundle exec clockwork config/clock.rb',
    release: 'bundle exec rails db:migrate',
  };
  const currentSlug: SlugRecord = {
    ...stamped(uuid(0x51, 2)),
    process_types: processTypes,
    commit: '9f3c2a1b7e6d5c4b3a29180716253443a2b1c0d9',
    stack: app.stack,
    size: 98_765_432,
  };
  const previousSlug: SlugRecord = {
    ...stamped(uuid(0x51, 1)),
    process_types: {web: processTypes.web, worker: processTypes.worker, clock: processTypes.clock},
    commit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
    stack: app.stack,
    size: 97_000_000,
  };
  const releases: ReleaseRecord[] = [];
  for (let v = 1; v <= 40; v++) releases.push(release(ref, v, previousSlug.id, 'succeeded', false, v === 1 ? 'Initial release' : `Deploy ${v}`));
  releases.push(release(ref, 41, currentSlug.id, 'failed', false, 'Deploy 9f3c2a1b (release command failed)'));
  releases.push(release(ref, 42, currentSlug.id, 'succeeded', true, 'Deploy 9f3c2a1b'));
  return {
    app,
    configVars: {
      DATABASE_URL: 'postgres://u4canary:p4canary-db-secret@ec2-3-91-0-1.compute-1.amazonaws.com:5432/d4canary',
      HEROKU_POSTGRESQL_AMBER_URL: 'postgres://u4canary:p4canary-db-secret@ec2-3-91-0-1.compute-1.amazonaws.com:5432/d4canary',
      REDIS_URL: 'rediss://:p4canary-redis-secret@ec2-54-80-0-2.compute-1.amazonaws.com:25070',
      PAPERTRAIL_API_TOKEN: 'canary-papertrail-token-7f6e5d',
      SENDGRID_USERNAME: 'app12345678@heroku.com',
      SENDGRID_PASSWORD: 'canary-sendgrid-password-0b1c2d',
      ACME_METRICS_KEY: 'canary-acme-metrics-key-3e4f5a',
      HEROKU_APP_ID: app.id,
      HEROKU_APP_NAME: 'shop',
      HEROKU_RELEASE_VERSION: 'v42',
      HEROKU_SLUG_COMMIT: currentSlug.commit ?? '',
      HEROKU_DYNO_ID: uuid(0xa8, 1),
      LANG: 'en_US.UTF-8',
      RACK_ENV: 'production',
      RAILS_ENV: 'production',
      RAILS_LOG_TO_STDOUT: 'enabled',
      RAILS_SERVE_STATIC_FILES: 'enabled',
      WEB_CONCURRENCY: '3',
      MALLOC_ARENA_MAX: '2',
      SECRET_KEY_BASE: 'canary-secret-key-base-9a8b7c6d5e4f3a2b1c0d',
      STRIPE_SECRET_KEY: 'sk_live_canary_51HxYzStripeSecret',
      SENTRY_DSN: 'https://canary-sentry-key@o123.ingest.sentry.io/456',
      FEATURE_CHECKOUT_V2: 'true',
    },
    formation: [
      formation(ref, 1, 'web', processTypes.web, 2, 'Standard-2X'),
      formation(ref, 2, 'worker', processTypes.worker, 1, 'Performance-M'),
      formation(ref, 3, 'clock', processTypes.clock, 0, 'Standard-1X'),
    ],
    addons: [pg, redis, scheduler, papertrail, sendgrid, unknown],
    attachments: [
      attachment(ref, 1, 'DATABASE', pg),
      attachment(ref, 2, 'HEROKU_POSTGRESQL_AMBER', pg),
      attachment(ref, 3, 'REDIS', redis),
      attachment(ref, 4, 'SCHEDULER', scheduler),
      attachment(ref, 5, 'PAPERTRAIL', papertrail),
      attachment(ref, 6, 'SENDGRID', sendgrid),
      attachment(ref, 7, 'ACME_METRICS', unknown),
    ],
    domains: [
      {...stamped(uuid(0xdd, 1)), app: ref, hostname: 'shop-1a2b3c4d5e6f.herokuapp.com', kind: 'heroku', cname: null, acm_status: null, status: 'none'},
      {...stamped(uuid(0xdd, 2)), app: ref, hostname: 'www.shop.example.com', kind: 'custom', cname: 'tranquil-owl-8k2j4h5g6f7d.herokudns.com', acm_status: 'cert issued', status: 'succeeded'},
      {...stamped(uuid(0xdd, 3)), app: ref, hostname: 'shop.example.com', kind: 'custom', cname: 'fathomless-yak-1q2w3e4r5t6y.herokudns.com', acm_status: 'cert issued', status: 'succeeded'},
    ],
    buildpacks: [
      {ordinal: 0, buildpack: {url: 'heroku/nodejs', name: 'heroku/nodejs'}},
      {ordinal: 1, buildpack: {url: 'heroku/ruby', name: 'heroku/ruby'}},
    ],
    releases,
    slugs: [previousSlug, currentSlug],
    logDrains: [
      {...stamped(uuid(0x1d, 1)), url: 'syslog+tls://logs7.papertrailapp.com:41234', addon: {id: papertrail.id, name: papertrail.name}, token: 'd.canary-drain-token-1'},
      {...stamped(uuid(0x1d, 2)), url: 'https://drain-user:canary-drain-password@logs.shop.example.com/heroku?token=canary-drain-query', addon: null, token: 'd.canary-drain-token-2'},
    ],
  };
}

export interface BigAppOptions {
  name?: string;
  /** distinct apps need distinct numbers (their ids derive from it) */
  index?: number;
  configVars?: number;
  addons?: number;
  processTypes?: number;
  domains?: number;
  releases?: number;
}

const BIG_SERVICES: Array<[service: string, plan: string, vars: (i: number) => string[]]> = [
  ['heroku-postgresql', 'standard-0', (i) => [`HEROKU_POSTGRESQL_C${i}_URL`]],
  ['heroku-redis', 'premium-0', (i) => [`REDIS_${i}_URL`]],
  ['papertrail', 'choklad', (i) => [`PAPERTRAIL_${i}_API_TOKEN`]],
  ['sendgrid', 'starter', (i) => [`SENDGRID_${i}_API_KEY`]],
  ['acme-metrics', 'hobby', (i) => [`ACME_${i}_KEY`]],
];

/** A large app for benchmarks and paging: sizes are counts of each record kind. */
export function bigApp(options: BigAppOptions = {}): AppFixture {
  const {name = 'big', index = 0, configVars = 300, addons = 30, processTypes = 12, domains = 10, releases = 50} = options;
  const app = appRecord(name, 2 + index);
  const ref = refOf(app);
  const sizes = ['Standard-1X', 'Standard-2X', 'Performance-M'];
  const types = Array.from({length: processTypes}, (_, i) => (i === 0 ? 'web' : `worker${i}`));
  const slug: SlugRecord = {
    ...stamped(uuid(0x51, 100)),
    process_types: Object.fromEntries([...types.map((t) => [t, `bin/${t}`]), ['release', 'bin/release']]),
    commit: '0123456789abcdef0123456789abcdef01234567',
    stack: app.stack,
    size: 150_000_000,
  };
  const addonRecords = Array.from({length: addons}, (_, i) => {
    const [service, plan, vars] = BIG_SERVICES[i % BIG_SERVICES.length]!;
    return addon(ref, 100 + i, service, plan, `${service}-big-${String(i).padStart(5, '0')}`, vars(i));
  });
  const vars: Record<string, string> = {};
  for (const a of addonRecords) for (const key of a.config_vars) vars[key] = `canary-${key.toLowerCase()}-value`;
  for (let i = 0; Object.keys(vars).length < configVars; i++) vars[`APP_VAR_${String(i).padStart(4, '0')}`] = `canary-app-value-${i}`;
  return {
    app,
    configVars: vars,
    formation: types.map((t, i) => formation(ref, 100 + i, t, `bin/${t}`, i % 4, sizes[i % sizes.length] ?? 'Standard-1X')),
    addons: addonRecords,
    attachments: addonRecords.map((a, i) => attachment(ref, 100 + i, (a.config_vars[0] ?? `ADDON_${i}_URL`).replace(/_URL$|_API_TOKEN$|_API_KEY$|_KEY$/, ''), a)),
    domains: Array.from({length: domains}, (_, i) => ({
      ...stamped(uuid(0xdd, 100 + i)),
      app: ref,
      hostname: i === 0 ? `${name}-0a1b2c3d4e5f.herokuapp.com` : `d${String(i).padStart(5, '0')}.${name}.example.com`,
      kind: i === 0 ? ('heroku' as const) : ('custom' as const),
      cname: i === 0 ? null : `host-${i}.herokudns.com`,
      acm_status: i === 0 ? null : 'cert issued',
      status: i === 0 ? 'none' : 'succeeded',
    })),
    buildpacks: [{ordinal: 0, buildpack: {url: 'heroku/python', name: 'heroku/python'}}],
    releases: Array.from({length: releases}, (_, i) => release(ref, i + 1, slug.id, 'succeeded', i === releases - 1, `Deploy ${i + 1}`)),
    slugs: [slug],
    logDrains: [],
  };
}
