/**
 * Contract tests of the Heroku adapter: the real heroku-client against the fake Platform API.
 */
import {jest} from '@jest/globals';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createHerokuSource, type HerokuSourceOptions} from '../../src/adapters/heroku/heroku-source.ts';
import {ExitCode, MigrateError, type ErrorCode} from '../../src/domain/errors.ts';
import {bigApp, sampleApp, seedApp, startFakeHeroku, type FakeHeroku, type FakeHerokuOptions} from '../fakes/heroku-server.ts';

const CANARY_TOKEN = 'tok-canary-5f0c9e1d-never-print-me';
const SAMPLE_VALUES = Object.values(sampleApp().configVars).filter((v) => v.includes('canary'));

let fake: FakeHeroku;
let sleeps: number[];

async function startWith(options: FakeHerokuOptions = {}): Promise<void> {
  fake = await startFakeHeroku({tokens: [{token: 'good', scopes: ['global']}, {token: CANARY_TOKEN, scopes: ['global']}, {token: 'read-only', scopes: ['read']}, {token: 'identity-only', scopes: ['identity']}], ...options});
  seedApp(fake.state, sampleApp());
}

/** An adapter pointed at the fake, with recorded (instant) sleeps and fixed jitter. */
function source(options: HerokuSourceOptions = {}) {
  return createHerokuSource({
    token: 'good',
    apiUrl: fake.url,
    env: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    retry: {baseDelayMs: 10, maxDelayMs: 1000},
    ...options,
  });
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<MigrateError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  const migrateError = err as MigrateError;
  expect({code: migrateError.code, message: migrateError.message}).toEqual({code, message: expect.any(String)});
  return migrateError;
}

const text = (e: MigrateError) => `${e.message}\n${e.hint ?? ''}`;
const statuses = (path?: string) => fake.requests.filter((r) => path === undefined || r.path === path).map((r) => r.status);

beforeEach(async () => {
  sleeps = [];
  await startWith();
});
afterEach(() => fake.close());

describe('Heroku adapter over heroku-client: reading an app', () => {
  it('reads every record of the sample app, one request each, with Bearer auth', async () => {
    const heroku = source();
    const fixture = sampleApp();
    const app = await heroku.getApp('shop');
    expect(app).toMatchObject({id: fixture.app.id, name: 'shop', region: {name: 'us'}, stack: {name: 'heroku-24'}, maintenance: false});
    expect((await heroku.getApp(fixture.app.id)).name).toBe('shop');
    expect(await heroku.getConfigVars('shop')).toEqual(fixture.configVars);

    const formation = await heroku.listFormation('shop');
    expect(formation.map((f) => [f.type, f.quantity, f.size])).toEqual([
      ['web', 2, 'Standard-2X'],
      ['worker', 1, 'Performance-M'],
      ['clock', 0, 'Standard-1X'],
    ]);
    const addons = await heroku.listAddons('shop');
    expect(addons.map((a) => a.plan.name)).toEqual([
      'heroku-postgresql:standard-0',
      'heroku-redis:premium-0',
      'scheduler:standard',
      'papertrail:choklad',
      'sendgrid:starter',
      'acme-metrics:hobby',
    ]);
    expect(addons[0]?.config_vars).toEqual(['DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL']);
    const attachments = await heroku.listAttachments('shop');
    expect(attachments.filter((a) => a.addon.name === 'postgresql-curly-12345').map((a) => a.name)).toEqual(['DATABASE', 'HEROKU_POSTGRESQL_AMBER']);
    expect((await heroku.listDomains('shop')).map((d) => [d.hostname, d.kind])).toEqual([
      ['shop-1a2b3c4d5e6f.herokuapp.com', 'heroku'],
      ['www.shop.example.com', 'custom'],
      ['shop.example.com', 'custom'],
    ]);
    expect((await heroku.listBuildpacks('shop')).map((b) => [b.ordinal, b.buildpack.url])).toEqual([
      [0, 'heroku/nodejs'],
      [1, 'heroku/ruby'],
    ]);
    const releases = await heroku.listReleases('shop');
    expect(releases).toHaveLength(42);
    const current = releases.find((r) => r.current);
    expect(current).toMatchObject({version: 42, status: 'succeeded'});
    expect(releases.find((r) => r.version === 41)?.status).toBe('failed');
    const slug = await heroku.getSlug('shop', current?.slug?.id ?? '');
    expect(slug.process_types.release).toBe('bundle exec rails db:migrate');
    const sizes = await heroku.listDynoSizes();
    expect(sizes.find((s) => s.name === 'Performance-M')).toMatchObject({memory: 2.5, dedicated: true});
    expect((await heroku.listLogDrains('shop')).map((d) => d.addon?.name ?? null)).toEqual(['papertrail-shaped-22222', null]);

    expect(heroku.stats()).toEqual({requests: 12, retries: 0});
    expect(fake.requests).toHaveLength(12);
    expect(fake.requests.every((r) => r.auth === 'bearer' && r.status === 200)).toBe(true);
    expect(fake.requests.find((r) => r.path === '/apps/shop/releases')?.range).toBe('id ..; max=1000');
  });

  it('follows Next-Range through 2,500 items in small pages without losing or repeating any', async () => {
    fake.state.maxPageSize = 100;
    const big = seedApp(fake.state, bigApp({domains: 2500, releases: 2500}));
    const heroku = source();

    const domains = await heroku.listDomains('big');
    expect(domains).toHaveLength(2500);
    expect(new Set(domains.map((d) => d.hostname))).toEqual(new Set(big.domains.map((d) => d.hostname)));
    const pages = fake.requests.filter((r) => r.path === '/apps/big/domains');
    expect(pages).toHaveLength(25);
    expect(pages.map((r) => r.status)).toEqual([...Array(24).fill(206), 200]);
    expect(pages[0]?.range).toBe('id ..; max=1000');
    expect(pages[1]?.range).toBe(`id ]${big.domains[99]?.id}..; max=100`);
    expect(heroku.stats()).toEqual({requests: 25, retries: 0});

    const releases = await heroku.listReleases('big');
    expect(releases.map((r) => r.version)).toEqual(big.releases.map((r) => r.version));
  });

  it('pages at the real maximum of 1,000 by default', async () => {
    seedApp(fake.state, bigApp({releases: 2500}));
    const releases = await source().listReleases('big');
    expect(releases).toHaveLength(2500);
    expect(statuses('/apps/big/releases')).toEqual([206, 206, 200]);
  });

  it('reads a big app (300 config vars, 30 add-ons, 12 process types)', async () => {
    const big = seedApp(fake.state, bigApp({configVars: 300, addons: 30, processTypes: 12}));
    const heroku = source();
    expect(Object.keys(await heroku.getConfigVars('big'))).toHaveLength(300);
    expect(await heroku.listAddons('big')).toHaveLength(30);
    expect((await heroku.listFormation('big')).map((f) => f.type)).toEqual(big.formation.map((f) => f.type));
  });

  it('waits for injected latency on every request', async () => {
    fake.setLatency(120);
    const started = Date.now();
    await source().getApp('shop');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('Heroku adapter: rate limits and server errors', () => {
  it('backs off on 429 with exponential delay and jitter, then succeeds', async () => {
    fake.failNext(2, 429);
    const heroku = source();
    expect((await heroku.getApp('shop')).name).toBe('shop');
    expect(statuses()).toEqual([429, 429, 200]);
    // base 10 ms, equal jitter at 0.5: 10/2 + 0.5*10/2 = 7.5 -> 8; then 20/2 + 0.5*20/2 = 15
    expect(sleeps).toEqual([8, 15]);
    expect(heroku.stats()).toEqual({requests: 3, retries: 2});
  });

  it('caps the back-off at maxDelayMs', async () => {
    fake.failNext(4, 429);
    await source({retry: {baseDelayMs: 100, maxDelayMs: 300}}).getApp('shop');
    expect(sleeps).toEqual([75, 150, 225, 225]);
  });

  it('honours Retry-After, and gives up at once when it is longer than maxDelayMs', async () => {
    fake.failNext(1, 429, {retryAfterSeconds: 1});
    await source().getApp('shop');
    expect(sleeps).toEqual([1000]);

    fake.failNext(1, 429, {retryAfterSeconds: 3600});
    const err = await failure(source().getApp('shop'), 'rate-limited');
    expect(err.message).toContain('retry after 3600 s');
    expect(statuses()).toEqual([429, 200, 429]);
  });

  it('retries a re-filling pool with real waits until a token is free', async () => {
    await fake.close();
    await startWith({rateLimit: {capacity: 1, refillPerMinute: 600}}); // one token per 100 ms
    const heroku = source({sleep: undefined, retry: {baseDelayMs: 40, maxDelayMs: 400}});
    await heroku.getApp('shop');
    await heroku.getApp('shop');
    expect(heroku.stats().retries).toBeGreaterThanOrEqual(1);
    expect(statuses().at(-1)).toBe(200);
  });

  it('ends with a clear rate-limited error when the pool stays empty', async () => {
    await fake.close();
    await startWith({rateLimit: {capacity: 2, refillPerMinute: 0}});
    const heroku = source({retry: {maxRetries: 3, baseDelayMs: 10, maxDelayMs: 1000}});
    await heroku.getApp('shop');
    await heroku.listFormation('shop');
    const err = await failure(heroku.listAddons('shop'), 'rate-limited');
    expect(err.exitCode).toBe(ExitCode.error);
    expect(err.message).toMatch(/add-ons of app 'shop' after 3 retries: the account's pool of request tokens is exhausted \(RateLimit-Remaining: 0\)/);
    expect(err.hint).toMatch(/75 requests per minute.*retry/);
    expect(statuses()).toEqual([200, 200, 429, 429, 429, 429]);
    expect(heroku.stats()).toEqual({requests: 6, retries: 3});
  });

  it('reports RateLimit-Remaining on every answer, and /account/rate-limits costs nothing', async () => {
    const res = await fetch(`${fake.url}/account/rate-limits`, {headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: 'Bearer good'}});
    expect(await res.json()).toEqual({remaining: 4500});
    expect(res.headers.get('ratelimit-remaining')).toBe('4500');
    await source().getApp('shop');
    expect(fake.rateLimitRemaining('good')).toBe(4499);
  });

  it('retries 5xx twice, then succeeds or fails with an upstream error', async () => {
    fake.failNext(2, 503);
    const heroku = source();
    await heroku.listDomains('shop');
    expect(heroku.stats()).toEqual({requests: 3, retries: 2});

    fake.failNext(3, 500);
    const err = await failure(heroku.listDomains('shop'), 'upstream');
    expect(err.message).toBe("The Heroku API answered 500 (internal_server_error: Internal server error.) while reading the domains of app 'shop' after 2 retries.");
    expect(err.hint).toContain('status.heroku.com');
    expect(statuses()).toEqual([503, 503, 200, 500, 500, 500]);
  });

  it('restarts a list from its first page when a later page fails, so nothing is lost', async () => {
    fake.state.maxPageSize = 100;
    const big = seedApp(fake.state, bigApp({domains: 250}));
    fake.failNext(1, 503, {skip: 1}); // the first page passes, the second fails once
    const domains = await source().listDomains('big');
    expect(domains.map((d) => d.hostname)).toEqual(big.domains.map((d) => d.hostname));
    expect(statuses()).toEqual([206, 503, 206, 206, 200]);
  });
});

describe('Heroku adapter: error mapping', () => {
  it('maps 401 to auth, naming where the token came from but not the token', async () => {
    const err = await failure(source({token: 'not-a-real-token'}).getApp('shop'), 'auth');
    expect(err.exitCode).toBe(ExitCode.error);
    expect(err.message).toBe('Heroku rejected the API token from the token option (401 unauthorized): it is invalid, revoked or expired.');
    expect(err.hint).toContain('heroku login');
    expect(text(err)).not.toContain('not-a-real-token');
    expect(statuses()).toEqual([401]);
  });

  it('maps 403 on config vars to forbidden with the read-protected scope hint', async () => {
    const heroku = source({token: 'read-only'});
    expect((await heroku.getApp('shop')).name).toBe('shop');
    const err = await failure(heroku.getConfigVars('shop'), 'forbidden');
    expect(err.exitCode).toBe(ExitCode.error);
    expect(err.message).toContain("may not read the config vars of app 'shop' (403 forbidden)");
    expect(err.hint).toContain('read-protected or global scope');
    expect(err.hint).toContain('heroku authorizations:create --scope read-protected');
  });

  it('maps 403 elsewhere to forbidden with a read-scope hint', async () => {
    const err = await failure(source({token: 'identity-only'}).listFormation('shop'), 'forbidden');
    expect(err.message).toContain("may not read the formation of app 'shop'");
    expect(err.hint).toContain('read (or global) scope');
  });

  it('maps 404 on an app to not-found, for the app and for its sub-resources', async () => {
    const heroku = source();
    const err = await failure(heroku.getApp('nope'), 'not-found');
    expect(err.exitCode).toBe(ExitCode.error);
    expect(err.message).toMatch(/^Heroku app 'nope' not found/);
    expect(err.hint).toContain('heroku apps');
    expect((await failure(heroku.listReleases('nope'), 'not-found')).message).toMatch(/^Heroku app 'nope' not found/);
    expect((await failure(heroku.getSlug('shop', 'missing-slug'), 'not-found')).message).toBe(
      "Heroku could not find slug 'missing-slug' of app 'shop' (404 not_found: Couldn't find that slug.).",
    );
  });

  it('maps a refused connection to upstream naming the URL (after heroku-client retries it)', async () => {
    const closed = fake.url;
    await fake.close();
    jest.useFakeTimers({doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance']});
    try {
      let settled = false;
      const outcome = source({apiUrl: closed})
        .getApp('shop')
        .then(
          () => undefined,
          (e: unknown) => e,
        )
        .finally(() => {
          settled = true;
        });
      // heroku-client waits 1, 2, 4 and 8 s (plus jitter) between connection attempts
      for (let i = 0; i < 500 && !settled; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        jest.advanceTimersByTime(500);
      }
      const err = (await outcome) as MigrateError;
      expect(err).toBeInstanceOf(MigrateError);
      expect(err.code).toBe('upstream');
      expect(err.message).toBe(`Cannot reach the Heroku API at ${closed} (ECONNREFUSED) while reading app 'shop'.`);
    } finally {
      jest.useRealTimers();
      await startWith();
    }
  });

  it('never puts the token or config var values in error text', async () => {
    const heroku = source({token: CANARY_TOKEN});
    await heroku.getConfigVars('shop');
    fake.state.tokens = fake.state.tokens.filter((t) => t.token !== CANARY_TOKEN);
    const errors = [await failure(heroku.getConfigVars('shop'), 'auth')];
    fake.state.tokens.push({token: CANARY_TOKEN, scopes: ['read']});
    errors.push(await failure(heroku.getConfigVars('shop'), 'forbidden'));
    errors.push(await failure(heroku.getApp('nope'), 'not-found'));
    fake.failNext(6, 429); // the first try and 5 retries
    errors.push(await failure(heroku.getConfigVars('shop'), 'rate-limited'));
    fake.failNext(3, 502); // the first try and 2 retries
    errors.push(await failure(heroku.getConfigVars('shop'), 'upstream'));
    for (const err of errors) {
      const all = `${text(err)}\n${err.stack ?? ''}`;
      expect(all).not.toContain(CANARY_TOKEN);
      for (const value of SAMPLE_VALUES) expect(all).not.toContain(value);
    }
  });

  it('maps answers that are not JSON or not the expected shape to upstream, quoting neither', async () => {
    const impostor = createServer((req, res) => {
      res.writeHead(200, {'Content-Type': req.url === '/dyno-sizes' ? 'application/json' : 'text/html'});
      res.end(req.url === '/dyno-sizes' ? '{"not": "a list"}' : `<html>${SAMPLE_VALUES[0]}</html>`);
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
    try {
      const heroku = source({apiUrl: url});
      const notJson = await failure(heroku.getConfigVars('shop'), 'upstream');
      expect(notJson.message).toBe(`The Heroku API at ${url} sent a response that is not JSON while reading the config vars of app 'shop'.`);
      expect(text(notJson)).not.toContain(SAMPLE_VALUES[0]);
      expect(notJson.cause).toBeUndefined();
      expect((await failure(heroku.listDynoSizes(), 'upstream')).message).toContain('unexpected shape while reading the dyno sizes');
    } finally {
      impostor.closeAllConnections();
      await new Promise((resolve) => impostor.close(resolve));
    }
  });
});

describe('Heroku adapter: token and URL resolution', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'heroku-home-'));
  });
  afterEach(() => rmSync(home, {recursive: true, force: true}));

  const fromEnv = (env: Record<string, string>) => createHerokuSource({env: {HEROKU_API_URL: fake.url, ...env}, homeDir: home});

  it('uses HEROKU_API_KEY and HEROKU_API_URL from the environment', async () => {
    expect((await fromEnv({HEROKU_API_KEY: 'good'}).getApp('shop')).name).toBe('shop');
  });

  it('falls back to ~/.netrc (multi-line form) in HOME', async () => {
    writeFileSync(join(home, '.netrc'), 'machine git.heroku.com\n  login me@example.com\n  password git-only\nmachine api.heroku.com\n  login me@example.com\n  password good\n');
    expect((await createHerokuSource({env: {HEROKU_API_URL: fake.url, HOME: home}}).getApp('shop')).name).toBe('shop');
  });

  it('reads the single-line netrc form', async () => {
    writeFileSync(join(home, '.netrc'), 'machine api.heroku.com login me@example.com password good\n');
    expect((await fromEnv({}).getApp('shop')).name).toBe('shop');
  });

  it('prefers the option over HEROKU_API_KEY over ~/.netrc, and names the source on 401', async () => {
    writeFileSync(join(home, '.netrc'), 'machine api.heroku.com login me password good\n');
    const err = await failure(fromEnv({HEROKU_API_KEY: 'stale'}).getApp('shop'), 'auth');
    expect(err.message).toContain('from HEROKU_API_KEY');
    expect((await createHerokuSource({token: 'good', env: {HEROKU_API_KEY: 'stale', HEROKU_API_URL: fake.url}, homeDir: home}).getApp('shop')).name).toBe('shop');

    writeFileSync(join(home, '.netrc'), 'machine api.heroku.com login me password expired\n');
    expect((await failure(fromEnv({}).getApp('shop'), 'auth')).message).toContain(`from ${join(home, '.netrc')}`);
  });

  it('fails before any request when there is no token, naming HEROKU_API_KEY and heroku login', () => {
    writeFileSync(join(home, '.netrc'), 'machine git.heroku.com login me password git-only\n');
    let err: unknown;
    try {
      fromEnv({});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).code).toBe('auth');
    expect((err as MigrateError).hint).toMatch(/HEROKU_API_KEY.*heroku login/s);
    expect((err as MigrateError).hint).toContain('heroku authorizations:create');
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects an API URL that is not http(s) or carries credentials', () => {
    expect(() => createHerokuSource({token: 'x', apiUrl: 'ftp://example.com'})).toThrow(MigrateError);
    expect(() => createHerokuSource({token: 'x', apiUrl: 'https://u:p@example.com'})).toThrow(/must not contain credentials/);
  });

  it('keeps a path prefix of the API URL (heroku-client alone would drop it)', async () => {
    const err = await failure(createHerokuSource({token: 'good', apiUrl: `${fake.url}/proxy/`, env: {}}).getApp('shop'), 'not-found');
    expect(err.message).toContain('The requested API endpoint was not found');
    expect(fake.requests.map((r) => r.path)).toEqual(['/proxy/apps/shop']);
  });
});
