/**
 * Every Heroku call ends: the real heroku-client against the fake Platform API when the server
 * never answers, sends less than it announced and closes, or streams a 2 GB answer (with and
 * without a Content-Length). Each ends fast with a clear MigrateError, bounded memory, and no
 * request left running behind it.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {createHerokuControl} from '../../src/adapters/heroku/heroku-control.ts';
import {createHerokuSource} from '../../src/adapters/heroku/heroku-source.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';

let fake: FakeHeroku;
const LIMITS = {idleTimeoutMs: 800, deadlineMs: 2500, maxBytes: 8 * 1024 * 1024};

beforeAll(async () => {
  fake = await startFakeHeroku();
  seedApp(fake.state, sampleApp());
});
afterEach(() => fake.clearFaults());
afterAll(() => fake.close());

const source = () => createHerokuSource({token: 'good', apiUrl: fake.url, env: {}, limits: LIMITS});

async function timed<T>(p: Promise<T>): Promise<{err: MigrateError; ms: number}> {
  const t0 = Date.now();
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  return {err: err as MigrateError, ms: Date.now() - t0};
}

const hits = (path: string) => fake.requests.filter((r) => r.path === path).length;

describe('Heroku calls have a timeout and a size cap', () => {
  it('a server that accepts and never answers: a clear timeout within the idle limit, no retry left behind', async () => {
    fake.sabotageNext('stall', {path: '/apps/shop/config-vars', times: 10});
    const before = hits('/apps/shop/config-vars');
    const {err, ms} = await timed(source().getConfigVars('shop'));
    expect(err.message).toMatch(/^The Heroku API at http:\/\/127\.0\.0\.1:\d+ did not answer in time \(.+\) while reading the config vars of app 'shop'\.$/);
    expect(err.hint).toMatch(/MIGRATE_HTTP_TIMEOUT/);
    expect(err.exitCode).toBe(1);
    expect(ms).toBeLessThan(LIMITS.idleTimeoutMs + 1500);
    await sleep(2500); // heroku-client would retry an aborted request 1-8 s later
    expect(hits('/apps/shop/config-vars') - before).toBe(1);
  });

  it('a body shorter than its Content-Length, then close: a clear error at once, not a hang', async () => {
    fake.sabotageNext('truncate', {path: '/apps/shop'});
    const {err, ms} = await timed(source().getApp('shop'));
    expect(err.message).toMatch(/sent an incomplete answer \(the connection closed before the answer was complete\) while reading app 'shop'/);
    expect(ms).toBeLessThan(1500);
  });

  it.each([
    ['chunked, no length announced', false],
    ['announcing 2 GB', true],
  ])('a 2 GB answer (%s): refused at the cap, fast, with bounded memory', async (_name, declareLength) => {
    fake.sabotageNext('oversize', {path: '/apps/shop/releases', declareLength});
    const sentBefore = fake.sabotageBytesSent();
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const {err, ms} = await timed(source().listReleases('shop'));
    const grew = process.memoryUsage().rss - rss0;
    expect(err.message).toMatch(/sent an answer too large to accept \(the answer is larger than 8 MB\) while reading the releases of app 'shop'/);
    expect(ms).toBeLessThan(5000);
    expect(grew).toBeLessThan(300 * 1024 * 1024);
    // the server could write only what the socket buffers took before the client hung up
    expect(fake.sabotageBytesSent() - sentBefore).toBeLessThan(declareLength ? 16 * 1024 * 1024 : 64 * 1024 * 1024);
  });

  it('the deadline covers a slow answer as a whole', async () => {
    fake.setLatency(2000); // each page waits; the idle timer is reset by nothing, the deadline ends it
    try {
      const {err, ms} = await timed(createHerokuSource({token: 'good', apiUrl: fake.url, env: {}, limits: {...LIMITS, idleTimeoutMs: 5000, deadlineMs: 1000}}).getApp('shop'));
      expect(err.message).toMatch(/did not answer in time \(no complete answer within 1 s\)/);
      expect(ms).toBeLessThan(2000);
    } finally {
      fake.setLatency(0);
    }
  });

  it('after a failed call the same client reads normally', async () => {
    const heroku = source();
    fake.sabotageNext('truncate', {path: '/apps/shop'});
    await expect(heroku.getApp('shop')).rejects.toThrow(/incomplete/);
    await expect(heroku.getApp('shop')).resolves.toMatchObject({name: 'shop'});
    expect(Object.keys(await heroku.getConfigVars('shop')).length).toBeGreaterThan(10);
  });

  it('writes are bounded the same way (a hung PATCH ends with a clear error)', async () => {
    fake.sabotageNext('stall', {path: '/apps/shop'});
    const control = createHerokuControl({token: 'good', apiUrl: fake.url, env: {}, limits: LIMITS});
    const {err, ms} = await timed(control.setMaintenance('shop', true));
    expect(err.message).toMatch(/did not answer in time .* while changing the maintenance mode of app 'shop'/);
    expect(ms).toBeLessThan(LIMITS.idleTimeoutMs + 1500);
  });

  it('MIGRATE_HTTP_TIMEOUT sets the limits from the environment', async () => {
    fake.sabotageNext('stall', {path: '/apps/shop'});
    const {err, ms} = await timed(createHerokuSource({token: 'good', apiUrl: fake.url, env: {MIGRATE_HTTP_TIMEOUT: '0.5'}}).getApp('shop'));
    expect(err.message).toMatch(/did not answer in time/);
    expect(ms).toBeLessThan(2000);
  });
});
