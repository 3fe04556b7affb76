/**
 * Contract tests of the Cloudflare adapter: the official `cloudflare` SDK against the fake API.
 */
import {Cloudflare} from 'cloudflare';
import {createEdgeBalancer, type EdgeBalancerOptions} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {summarizeHealth} from '../../src/adapters/cloudflare/weights.ts';
import {MigrateError, type ErrorCode} from '../../src/domain/errors.ts';
import type {EdgeSpec} from '../../src/ports/edge.ts';
import {DEFAULT_TOKENS, startFakeCloudflare, type FakeCloudflare, type FakeLoadBalancer, type SeededZone} from '../fakes/cloudflare-server.ts';

const CANARY_TOKEN = 'cf-canary-7d1e0b9a-never-print-me';
const SHARES = [0, 1, 5, 25, 33, 50, 99, 100];

let fake: FakeCloudflare;
let zone: SeededZone;
let spec: EdgeSpec;

beforeEach(async () => {
  fake = await startFakeCloudflare({
    zones: [{zoneName: 'example.com'}],
    tokens: [...structuredClone(DEFAULT_TOKENS), {token: CANARY_TOKEN, permissions: ['pools:read']}],
  });
  zone = fake.zones[0] as SeededZone;
  spec = {
    zoneId: zone.zoneId,
    accountId: zone.accountId,
    hostname: 'shop.example.com',
    namePrefix: 'heroku2aws-shop',
    monitor: {path: '/healthz', expectedCodes: '200', intervalSeconds: 60, type: 'https'},
    heroku: {address: 'shop-1a2b3c4d5e6f.herokuapp.com', hostHeader: 'shop.example.com'},
    aws: {address: 'shop-alb-1234567890.us-east-1.elb.amazonaws.com'},
  };
});
afterEach(() => fake.close());

const balancer = (options: EdgeBalancerOptions = {}) => createEdgeBalancer({token: 'good', baseUrl: fake.url, env: {}, ...options});
const sdk = () => new Cloudflare({apiToken: 'good', baseURL: fake.url, maxRetries: 0, logLevel: 'off'});
const lbRecord = (): FakeLoadBalancer => {
  const [lb] = fake.state.zones.get(zone.zoneId)?.loadBalancers.values() ?? [];
  if (!lb) throw new Error('no load balancer in the fake');
  return lb;
};
const writes = () => fake.requests.filter((r) => r.method !== 'GET');
const text = (e: MigrateError) => `${e.message}\n${e.hint ?? ''}`;

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<MigrateError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  expect((err as MigrateError).code).toBe(code);
  return err as MigrateError;
}

describe('Cloudflare adapter: edge setup', () => {
  it('creates the monitor, both pools and the load balancer at Heroku 1 / AWS 0', async () => {
    const edge = balancer();
    const {created, adopted, view} = await edge.ensureSetup(spec);

    expect(created).toEqual(['heroku2aws-shop-monitor', 'heroku2aws-shop-heroku', 'heroku2aws-shop-aws', 'shop.example.com']);
    expect(adopted).toEqual([]);
    const accountPath = `/accounts/${zone.accountId}/load_balancers`;
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET ${accountPath}/monitors 200`,
      `POST ${accountPath}/monitors 200`,
      `GET ${accountPath}/pools 200`,
      `POST ${accountPath}/pools 200`,
      `POST ${accountPath}/pools 200`,
      `GET /zones/${zone.zoneId}/load_balancers 200`,
      `POST /zones/${zone.zoneId}/load_balancers 200`,
    ]);
    const [monitorPost, herokuPost, awsPost, lbPost] = writes();
    // the monitor's default Host header is the load-balanced hostname (docs/facts.md)
    expect(monitorPost?.body).toEqual({type: 'https', description: 'heroku2aws-shop-monitor', method: 'GET', path: '/healthz', expected_codes: '200', interval: 60, header: {Host: ['shop.example.com']}});
    const monitorId = [...(fake.state.accounts.get(zone.accountId)?.monitors.keys() ?? [])][0];
    expect(herokuPost?.body).toMatchObject({
      name: 'heroku2aws-shop-heroku',
      enabled: true,
      monitor: monitorId,
      origins: [{name: 'heroku', address: 'shop-1a2b3c4d5e6f.herokuapp.com', enabled: true, weight: 1, header: {Host: ['shop.example.com']}}],
    });
    expect(awsPost?.body).toMatchObject({
      name: 'heroku2aws-shop-aws',
      monitor: monitorId,
      // the ALB is reached as the app's hostname: its certificate's name, and what host checks expect
      origins: [{name: 'aws', address: 'shop-alb-1234567890.us-east-1.elb.amazonaws.com', enabled: true, weight: 1, header: {Host: ['shop.example.com']}}],
    });
    expect(lbPost?.body).toEqual({
      name: 'shop.example.com',
      description: 'Managed by heroku2aws (heroku2aws-shop)',
      default_pools: [view.herokuPoolId, view.awsPoolId],
      fallback_pool: view.herokuPoolId,
      proxied: true,
      steering_policy: 'random',
      random_steering: {default_weight: 0, pool_weights: {[view.herokuPoolId]: 1, [view.awsPoolId]: 0}},
    });
    expect(view).toEqual({
      loadBalancerId: lbRecord().id,
      hostname: 'shop.example.com',
      steeringPolicy: 'random',
      herokuPoolId: view.herokuPoolId,
      awsPoolId: view.awsPoolId,
      awsShare: 0,
      fallbackPoolId: view.herokuPoolId,
      defaultPools: [view.herokuPoolId, view.awsPoolId],
      awsPoolEnabled: true,
      sessionAffinity: 'none',
      adaptiveFailover: false,
    });
    expect(edge.stats()).toEqual({requests: 7, retries: 0});
  });

  it('adopts everything on a second run: creates nothing and keeps the live weights', async () => {
    const first = balancer();
    const {view} = await first.ensureSetup(spec);
    await first.writeWeights(view, 25, spec);
    const before = fake.requests.length;

    const second = await balancer().ensureSetup(spec);
    expect(second.created).toEqual([]);
    expect(second.warnings).toEqual([]);
    expect(second.adopted).toEqual(['heroku2aws-shop-monitor', 'heroku2aws-shop-heroku', 'heroku2aws-shop-aws', 'shop.example.com']);
    expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(second.view.awsShare).toBe(25);
    expect(lbRecord().random_steering?.pool_weights).toEqual({[view.herokuPoolId]: 0.75, [view.awsPoolId]: 0.25});
  });

  it('refuses to adopt a load balancer for the hostname that does not use its pools', async () => {
    const cf = sdk();
    const other = await cf.loadBalancers.pools.create({account_id: zone.accountId, name: 'legacy', origins: [{name: 'old', address: '192.0.2.10'}]});
    await cf.loadBalancers.create({zone_id: zone.zoneId, name: 'shop.example.com', default_pools: [other.id ?? ''], fallback_pool: other.id ?? ''});
    const err = await failure(balancer().ensureSetup(spec), 'conflict');
    expect(err.message).toContain("does not use the pools 'heroku2aws-shop-heroku' and 'heroku2aws-shop-aws'");
    expect(lbRecord().default_pools).toEqual([other.id]);
  });

  it('takes a created object whose answer was lost instead of creating it twice', async () => {
    fake.failNext(1, 500, {afterWrite: true, method: 'POST'});
    const edge = balancer();
    const {created} = await edge.ensureSetup(spec);
    expect(created).toHaveLength(4);
    expect(fake.state.accounts.get(zone.accountId)?.monitors.size).toBe(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/monitors')).map((r) => r.status)).toEqual([500]);
    expect((await balancer().ensureSetup(spec)).created).toEqual([]);
  });
});

describe('Cloudflare adapter: weights', () => {
  it.each(SHARES)('writes %i%% as one PATCH holding both weights, and reads it back', async (share) => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    const before = fake.requests.length;
    await edge.writeWeights(view, share, spec);

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({method: 'PATCH', path: `/zones/${zone.zoneId}/load_balancers/${view.loadBalancerId}`, status: 200});
    expect(sent[0]?.body).toEqual({
      steering_policy: 'random',
      random_steering: {default_weight: 0, pool_weights: {[view.herokuPoolId]: (100 - share) / 100, [view.awsPoolId]: share / 100}},
    });
    const weights = lbRecord().random_steering?.pool_weights ?? {};
    expect(Math.round(((weights[view.herokuPoolId] ?? NaN) + (weights[view.awsPoolId] ?? NaN)) * 100)).toBe(100);
    expect((await edge.read(spec)).awsShare).toBe(share);
    expect((await balancer().read(spec)).awsShare).toBe(share);
  });

  it('refuses shares that are not whole percentages from 0 to 100, before any request', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    const before = fake.requests.length;
    for (const share of [-1, 101, 2.5, Number.NaN]) await failure(edge.writeWeights(view, share, spec), 'input');
    expect(fake.requests.length).toBe(before);
  });

  it('leaves every other load balancer field as it was (PATCH)', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    await sdk().loadBalancers.edit(view.loadBalancerId, {
      zone_id: zone.zoneId,
      session_affinity: 'cookie',
      session_affinity_ttl: 1800,
      adaptive_routing: {failover_across_pools: true},
      description: 'edited by hand',
      ttl: 60,
    });
    const {modified_on: _before, random_steering: _weights, ...untouched} = lbRecord();
    await edge.writeWeights(view, 5, spec);
    const {modified_on: _after, random_steering: weights, ...after} = lbRecord();
    expect(after).toEqual(untouched);
    expect(weights).toEqual({default_weight: 0, pool_weights: {[view.herokuPoolId]: 0.95, [view.awsPoolId]: 0.05}});
    expect(await edge.read(spec)).toMatchObject({awsShare: 5, sessionAffinity: 'cookie', adaptiveFailover: true});
  });

  it('reads a known load balancer with two GETs, and finds it again when it was recreated', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    let before = fake.requests.length;
    await edge.read(spec);
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual([
      `/zones/${zone.zoneId}/load_balancers/${view.loadBalancerId}`,
      `/accounts/${zone.accountId}/load_balancers/pools/${view.awsPoolId}`,
    ]);

    const cf = sdk();
    await cf.loadBalancers.delete(view.loadBalancerId, {zone_id: zone.zoneId});
    const again = await cf.loadBalancers.create({
      zone_id: zone.zoneId,
      name: 'shop.example.com',
      default_pools: [view.herokuPoolId, view.awsPoolId],
      fallback_pool: view.herokuPoolId,
      steering_policy: 'random',
      random_steering: {pool_weights: {[view.herokuPoolId]: 0.9, [view.awsPoolId]: 0.1}},
    });
    before = fake.requests.length;
    const read = await edge.read(spec);
    expect(read).toMatchObject({loadBalancerId: again.id, awsShare: 10});
    expect(fake.requests.slice(before).map((r) => r.status)).toEqual([404, 200, 200]);
  });

  it('computes the share from relative weights, defaults and default pools', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    const lb = lbRecord();
    lb.random_steering = {default_weight: 1, pool_weights: {[view.awsPoolId]: 0.25}};
    expect((await edge.read(spec)).awsShare).toBe(20);
    lb.random_steering = {default_weight: 0, pool_weights: {[view.herokuPoolId]: 0.6, [view.awsPoolId]: 0.3}};
    expect((await edge.read(spec)).awsShare).toBe(33.33);
    lb.default_pools = [view.herokuPoolId];
    expect((await edge.read(spec)).awsShare).toBe(0);
  });
});

describe('Cloudflare adapter: AWS pool', () => {
  it('disables and enables the AWS pool with a PATCH that changes nothing else', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    const pools = fake.state.accounts.get(zone.accountId)?.pools;
    const {modified_on: _m, ...original} = pools?.get(view.awsPoolId) ?? {};

    await edge.setAwsPoolEnabled(view, false, spec);
    expect(writes().at(-1)).toMatchObject({method: 'PATCH', path: `/accounts/${zone.accountId}/load_balancers/pools/${view.awsPoolId}`, body: {enabled: false}});
    const {modified_on: _n, ...disabled} = pools?.get(view.awsPoolId) ?? {};
    expect(disabled).toEqual({...original, enabled: false});
    expect((await edge.read(spec)).awsPoolEnabled).toBe(false);
    expect(pools?.get(view.herokuPoolId)?.enabled).toBe(true);

    await edge.setAwsPoolEnabled(view, true, spec);
    expect((await edge.read(spec)).awsPoolEnabled).toBe(true);
  });

  it('reads the AWS pool health: unknown before the first probe, then healthy, unhealthy, unknown while disabled', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    fake.setProbeDelay(60_000);
    expect(await edge.awsPoolHealth(view, spec)).toBe('unknown');
    fake.setProbeDelay(0);
    expect(await edge.awsPoolHealth(view, spec)).toBe('healthy');
    expect(fake.requests.at(-1)?.path).toBe(`/accounts/${zone.accountId}/load_balancers/pools/${view.awsPoolId}/health`);
    fake.setPoolHealth(view.awsPoolId, false);
    expect(await edge.awsPoolHealth(view, spec)).toBe('unhealthy');
    await edge.setAwsPoolEnabled(view, false, spec);
    expect(await edge.awsPoolHealth(view, spec)).toBe('unknown');
  });

  it('calls a pool healthy when most regions see it healthy, and reads the SDK-typed flat shape too', () => {
    const regions = (...healthy: boolean[]) => ({pool_id: 'p', pop_health: Object.fromEntries(healthy.map((h, i) => [`Region ${i}`, {healthy: h, origins: []}]))});
    expect(summarizeHealth(regions(true, true, false))).toBe('healthy');
    expect(summarizeHealth(regions(true, false))).toBe('unhealthy');
    expect(summarizeHealth(regions())).toBe('unknown');
    expect(summarizeHealth({pool_id: 'p', pop_health: {healthy: false, origins: []}})).toBe('unhealthy');
    expect(summarizeHealth(null)).toBe('unknown');
  });

  it('refuses to guess between two pools of the same name', async () => {
    await balancer().ensureSetup(spec);
    await sdk().loadBalancers.pools.create({account_id: zone.accountId, name: 'heroku2aws-shop-aws', origins: [{name: 'aws', address: 'other.example.net'}]});
    const err = await failure(balancer().read(spec), 'conflict');
    expect(err.message).toBe("Cloudflare holds 2 pools named 'heroku2aws-shop-aws'; heroku2aws cannot tell which one is its own.");
  });
});

describe('Cloudflare adapter: failures', () => {
  it('waits out a 429 with Retry-After, then succeeds (SDK retry)', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    fake.failNext(1, 429, {retryAfterSeconds: 1});
    const started = Date.now();
    await edge.writeWeights(view, 5, spec);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.requests.slice(-2).map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 429', 'PATCH 200']);
    expect(edge.stats()).toEqual({requests: 9, retries: 1});
    expect((await edge.read(spec)).awsShare).toBe(5);
  });

  it('gives up at once on a long Retry-After (Cloudflare blocks for 5 minutes) with a rate-limited error', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    fake.failNext(1, 429, {retryAfterSeconds: 300});
    const err = await failure(edge.writeWeights(view, 5, spec), 'rate-limited');
    expect(err.message).toContain('1,200 requests per 5 minutes');
    expect(err.message).toContain('wait 300 s');
    expect(err.message).toContain(view.loadBalancerId);
    expect(edge.stats().retries).toBe(0);
  });

  it('reports rate-limited after the SDK retries are spent', async () => {
    const edge = balancer({maxRetries: 1});
    fake.failNext(2, 429, {retryAfterSeconds: 1});
    const err = await failure(edge.read(spec), 'rate-limited');
    expect(err.message).toContain('after 1 retry');
    expect(edge.stats()).toEqual({requests: 2, retries: 1});
  });

  it('reports a persistent 5xx as upstream after the SDK retries', async () => {
    const edge = balancer();
    await edge.ensureSetup(spec);
    fake.failNext(3, 503);
    const err = await failure(edge.read(spec), 'upstream');
    expect(err.message).toMatch(/answered 503 10001 Service temporarily unavailable while reading load balancer \w+ \(shop\.example\.com\) in zone \w+ after 2 retries/);
    fake.failNext(3, 502);
    expect((await failure(edge.read(spec), 'upstream')).message).toContain('answered 502 no error details');
  });

  it('reports a write that landed although every answer was a 502, and read-back shows it', async () => {
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    fake.failNext(1, 502, {afterWrite: true, method: 'PATCH'});
    await edge.writeWeights(view, 1, spec);
    expect(fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([502, 200]);

    fake.failNext(3, 502, {afterWrite: true, method: 'PATCH'});
    const err = await failure(edge.writeWeights(view, 5, spec), 'upstream');
    expect(err.hint).toContain('A write may have landed');
    expect((await edge.read(spec)).awsShare).toBe(5);
  });

  it('with 20% of calls failing (some after the write landed), the live share is always the last one or the target', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    await fake.close();
    fake = await startFakeCloudflare({zones: [zone], random});
    const edge = balancer();
    const {view} = await edge.ensureSetup(spec);
    fake.failRate(0.2, {statuses: [500, 502, 503], afterWrite: true});
    let live = 0;
    for (const target of [1, 5, 10, 25, 50, 75, 100, 0]) {
      const wrote = await edge.writeWeights(view, target, spec).then(
        () => true,
        (e: unknown) => {
          if ((e as MigrateError).code !== 'upstream') throw e;
          return false;
        },
      );
      const share = await edge.read(spec).then(
        (v) => v.awsShare,
        () => undefined,
      );
      if (share !== undefined) expect([live, target]).toContain(share);
      if (wrote && share !== undefined) expect(share).toBe(target);
      live = share ?? live;
    }
    expect(edge.stats().retries).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.method === 'PATCH').every((r) => Object.keys((r.body as {random_steering: {pool_weights: object}}).random_steering.pool_weights).length === 2)).toBe(true);
  });

  it('maps 401, 403 and 404 and never shows the token', async () => {
    const unknownToken = 'cf-unknown-3c9f-never-print-me';
    const auth = await failure(balancer({token: unknownToken}).read(spec), 'auth');
    expect(auth.message).toContain('401 10000 Authentication error');
    expect(text(auth)).toContain('Load Balancers > Edit');
    expect(text(auth)).not.toContain(unknownToken);

    const forbidden = await failure(balancer({token: CANARY_TOKEN}).ensureSetup(spec), 'forbidden');
    expect(forbidden.message).toContain(`creating monitor 'heroku2aws-shop-monitor' in account ${zone.accountId} (403 10000 Authentication error)`);
    expect(text(forbidden)).toContain('Load Balancing: Monitors and Pools > Edit');
    expect(text(forbidden)).not.toContain(CANARY_TOKEN);

    const nothing = await failure(balancer().read(spec), 'not-found');
    expect(nothing.message).toBe(`Cloudflare has no pool 'heroku2aws-shop-heroku' in account ${zone.accountId}.`);
    expect(nothing.hint).toContain('migrate edge setup');
    await balancer().ensureSetup(spec);
    const notFound = await failure(balancer().read({...spec, zoneId: '0123456789abcdef0123456789abcdef'}), 'not-found');
    expect(notFound.message).toContain('listing the load balancers of zone 0123456789abcdef0123456789abcdef (404 7003 Could not route');
  });

  it('refuses to start without a token, before any request', () => {
    expect(() => createEdgeBalancer({env: {}})).toThrow(MigrateError);
    expect(fake.requests).toHaveLength(0);
  });

  it('takes the token and base URL from CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL', async () => {
    const edge = createEdgeBalancer({env: {CLOUDFLARE_API_TOKEN: 'good', CLOUDFLARE_BASE_URL: fake.url}});
    expect((await edge.ensureSetup(spec)).created).toHaveLength(4);
    expect(edge.stats().requests).toBe(fake.requests.length);
  });
});
