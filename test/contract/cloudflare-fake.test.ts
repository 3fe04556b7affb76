/**
 * The fake Cloudflare API's own behaviour (envelopes, auth, validation, PUT/PATCH semantics,
 * faults), over plain HTTP where the SDK would hide the detail, and through the SDK where it matters.
 */
import {BadRequestError, Cloudflare} from 'cloudflare';
import {seedZone, startFakeCloudflare, type FakeCloudflare, type SeededZone} from '../fakes/cloudflare-server.ts';

let fake: FakeCloudflare;
let zone: SeededZone;

beforeEach(async () => {
  fake = await startFakeCloudflare({zones: [{zoneName: 'example.com'}]});
  zone = fake.zones[0] as SeededZone;
});
afterEach(() => fake.close());

interface Reply {
  status: number;
  body: {success: boolean; errors: Array<{code: number; message: string}>; result: Record<string, unknown> & {id: string}; result_info?: unknown};
  headers: Headers;
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {Authorization: 'Bearer good'}): Promise<Reply> {
  const res = await fetch(`${fake.url}${path}`, {method, headers: {'Content-Type': 'application/json', ...headers}, ...(body === undefined ? {} : {body: JSON.stringify(body)})});
  const text = await res.text();
  return {status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers};
}

const pools = () => `/accounts/${zone.accountId}/load_balancers/pools`;
const lbs = () => `/zones/${zone.zoneId}/load_balancers`;
const errorOf = (reply: Reply) => [reply.status, reply.body.errors?.[0]?.code];

async function twoPools(): Promise<[string, string]> {
  const a = await api('POST', pools(), {name: 'heroku', origins: [{name: 'h', address: 'shop.herokuapp.com'}]});
  const b = await api('POST', pools(), {name: 'aws', origins: [{name: 'a', address: 'alb.example.net'}]});
  return [a.body.result.id, b.body.result.id];
}

describe('fake Cloudflare API: envelope and auth', () => {
  it('answers the v4 envelope, with result_info on lists', async () => {
    const [h] = await twoPools();
    const list = await api('GET', pools());
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({success: true, errors: [], messages: [], result_info: {count: 2, total_count: 2}});
    expect(list.body.result).toHaveLength(2);
    const pool = (await api('GET', `${pools()}/${h}`)).body.result;
    expect(pool).toMatchObject({id: h, name: 'heroku', enabled: true, minimum_origins: 1, origins: [{name: 'h', address: 'shop.herokuapp.com', enabled: true, weight: 1}]});
    expect(h).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers missing, malformed, unknown and insufficient credentials as Cloudflare does', async () => {
    expect(errorOf(await api('GET', lbs(), undefined, {}))).toEqual([400, 9106]);
    expect(errorOf(await api('GET', lbs(), undefined, {Authorization: 'Basic Z29vZA=='}))).toEqual([400, 6003]);
    expect(await api('GET', lbs(), undefined, {Authorization: 'Bearer nope'})).toMatchObject({
      status: 401,
      body: {success: false, errors: [{code: 10000, message: 'Authentication error'}], result: null},
    });
    expect(errorOf(await api('GET', lbs(), undefined, {Authorization: 'Bearer pools-only'}))).toEqual([403, 10000]);
    expect((await api('GET', pools(), undefined, {Authorization: 'Bearer read-only'})).status).toBe(200);
    expect(errorOf(await api('POST', pools(), {}, {Authorization: 'Bearer read-only'}))).toEqual([403, 10000]);
    expect(errorOf(await api('GET', '/zones/0123456789abcdef0123456789abcdef/load_balancers'))).toEqual([404, 7003]);
    expect(errorOf(await api('GET', `${lbs()}/nope`))).toEqual([404, 1000]);
  });
});

describe('fake Cloudflare API: load balancer writes', () => {
  it('validates a PUT as a whole body: required fields, known pools, weights within 0..1', async () => {
    const [h, a] = await twoPools();
    const cf = new Cloudflare({apiToken: 'good', baseURL: fake.url, maxRetries: 0, logLevel: 'off'});
    const lb = await cf.loadBalancers.create({zone_id: zone.zoneId, name: 'shop.example.com', default_pools: [h, a], fallback_pool: h, session_affinity: 'cookie'});
    const put = (body: Record<string, unknown>) => api('PUT', `${lbs()}/${lb.id}`, body);

    const noFallback = cf.loadBalancers.update(lb.id ?? '', {zone_id: zone.zoneId, name: 'shop.example.com', default_pools: [h]} as unknown as Parameters<typeof cf.loadBalancers.update>[1]);
    await expect(noFallback).rejects.toBeInstanceOf(BadRequestError);
    await expect(noFallback).rejects.toMatchObject({status: 400, errors: [{code: 1002, message: 'fallback_pool is required: validation failed'}]});
    expect(errorOf(await put({name: 'shop.example.com', default_pools: [h, 'f'.repeat(32)], fallback_pool: h}))).toEqual([400, 1002]);
    expect(errorOf(await put({name: 'shop.example.com', default_pools: [h], fallback_pool: h, random_steering: {pool_weights: {[a]: -0.5}}}))).toEqual([400, 1002]);
    expect(errorOf(await put({name: 'shop.example.com', default_pools: [h], fallback_pool: h, steering_policy: 'fastest'}))).toEqual([400, 1002]);

    const replaced = await put({name: 'shop.example.com', default_pools: [a], fallback_pool: a});
    expect(replaced.body.result).toMatchObject({default_pools: [a], fallback_pool: a, session_affinity: 'none', steering_policy: '', proxied: false});
  });

  it('PATCH overwrites only the fields sent, and a sent random_steering as a whole', async () => {
    const [h, a] = await twoPools();
    const created = await api('POST', lbs(), {
      name: 'shop.example.com',
      default_pools: [h, a],
      fallback_pool: h,
      session_affinity: 'cookie',
      steering_policy: 'random',
      random_steering: {default_weight: 0, pool_weights: {[h]: 0.95, [a]: 0.05}},
    });
    const id = created.body.result.id;
    const patched = await api('PATCH', `${lbs()}/${id}`, {random_steering: {pool_weights: {[a]: 0.05}}});
    expect(patched.body.result).toMatchObject({session_affinity: 'cookie', steering_policy: 'random', default_pools: [h, a]});
    // the Heroku weight is gone and the default weight is back to 1: 1 : 0.05, no longer 95/5
    expect(patched.body.result.random_steering).toEqual({default_weight: 1, pool_weights: {[a]: 0.05}});
    expect(errorOf(await api('PATCH', `${lbs()}/${id}`, {fallback_pool: 'f'.repeat(32)}))).toEqual([400, 1002]);
  });

  it('refuses a duplicate name and deleting what is still referenced', async () => {
    const [h] = await twoPools();
    const body = {name: 'shop.example.com', default_pools: [h], fallback_pool: h};
    const {id} = (await api('POST', lbs(), body)).body.result;
    expect(errorOf(await api('POST', lbs(), body))).toEqual([400, 1003]);
    expect(errorOf(await api('DELETE', `${pools()}/${h}`))).toEqual([412, 1005]);
    expect((await api('DELETE', `${lbs()}/${id}`)).body.result).toEqual({id});
    expect((await api('DELETE', `${pools()}/${h}`)).status).toBe(200);

    const monitor = (await api('POST', `/accounts/${zone.accountId}/load_balancers/monitors`, {type: 'https', expected_codes: '2xx', path: '/up'})).body.result;
    await api('POST', pools(), {name: 'watched', monitor: monitor.id, origins: [{name: 'o', address: 'o.example.net'}]});
    expect(errorOf(await api('DELETE', `/accounts/${zone.accountId}/load_balancers/monitors/${monitor.id}`))).toEqual([412, 1005]);
    expect(errorOf(await api('POST', `/accounts/${zone.accountId}/load_balancers/monitors`, {type: 'https'}))).toEqual([400, 1002]);
  });
});

describe('fake Cloudflare API: published rules for weights and Host overrides', () => {
  const lbBody = (h: string, a: string, steering: unknown) => ({name: 'shop.example.com', default_pools: [h, a], fallback_pool: h, steering_policy: 'random', random_steering: steering});

  it('random_steering: default_weight 0..1 in steps of 0.1, pool_weights non-negative numbers', async () => {
    const [h, a] = await twoPools();
    const post = (steering: unknown) => api('POST', lbs(), lbBody(h, a, steering));
    for (const bad of [{default_weight: 0.05}, {default_weight: 1.1}, {default_weight: -0.1}, {pool_weights: {[a]: -0.01}}, {pool_weights: {[a]: '0.5'}}]) {
      expect(errorOf(await post(bad))).toEqual([400, 1002]);
    }
    const made = await post({default_weight: 0.3, pool_weights: {[h]: 2.5, [a]: 0.01}});
    expect(made.status).toBe(200);
    expect(made.body.result.random_steering).toEqual({default_weight: 0.3, pool_weights: {[h]: 2.5, [a]: 0.01}});
  });

  it('origin weight: 0..1 in steps of 0.01', async () => {
    const pool = (weight: unknown) => api('POST', pools(), {name: `p${fake.requests.length}`, origins: [{name: 'o', address: 'o.example.net', weight}]});
    for (const bad of [1.01, -0.01, 0.005, 0.333]) expect(errorOf(await pool(bad))).toEqual([400, 1002]);
    for (const good of [0, 0.07, 0.5, 1]) expect((await pool(good)).body.result.origins).toMatchObject([{weight: good}]);
  });

  it('accepts a Host override only on an account zone, the origin address, or a name resolving to it', async () => {
    await fake.close();
    fake = await startFakeCloudflare({
      zones: [{zoneName: 'example.com'}],
      dns: {'www.shop.io': ['203.0.113.7'], 'shop.herokuapp.com': ['203.0.113.7', '203.0.113.8'], 'elsewhere.io': ['198.51.100.1']},
    });
    zone = fake.zones[0] as SeededZone;
    const post = (host: string, address = 'shop.herokuapp.com') =>
      api('POST', pools(), {name: `p${fake.requests.length}`, origins: [{name: 'o', address, header: {Host: [host]}}]});
    // a subdomain of a zone of the account (and the zone itself)
    expect((await post('shop.example.com')).status).toBe(200);
    expect((await post('example.com')).status).toBe(200);
    // the origin address itself, and a name that resolves to one of its addresses
    expect((await post('shop.herokuapp.com')).status).toBe(200);
    expect((await post('www.shop.io')).status).toBe(200);
    expect((await post('203.0.113.7', '203.0.113.7')).status).toBe(200);
    // none of the three: a lookalike of the zone, a name resolving elsewhere, an unknown name, a zone of another account
    const refused = await post('badexample.com');
    expect(errorOf(refused)).toEqual([400, 1002]);
    expect(refused.body.errors[0]?.message).toMatch(/subdomain of a zone associated with this account/);
    expect(errorOf(await post('elsewhere.io'))).toEqual([400, 1002]);
    expect(errorOf(await post('nowhere.io'))).toEqual([400, 1002]);
    seedZone(fake.state, {zoneName: 'other-account.net'});
    expect(errorOf(await post('www.other-account.net'))).toEqual([400, 1002]);
    // PATCH validates the whole record again
    const made = (await post('shop.example.com')).body.result;
    expect(errorOf(await api('PATCH', `${pools()}/${made.id}`, {origins: [{name: 'o', address: 'shop.herokuapp.com', header: {Host: ['nowhere.io']}}]}))).toEqual([400, 1002]);
  });

  it('lists the zones of an account, paged, for a token with zone read', async () => {
    for (let i = 0; i < 6; i++) seedZone(fake.state, {zoneName: `z${i}.example.org`, accountId: zone.accountId});
    seedZone(fake.state, {zoneName: 'not-mine.example'});
    const cf = new Cloudflare({apiToken: 'good', baseURL: fake.url, maxRetries: 0, logLevel: 'off'});
    const names: string[] = [];
    for await (const z of cf.zones.list({account: {id: zone.accountId}, per_page: 5})) names.push(z.name);
    expect(names).toEqual(['example.com', ...Array.from({length: 6}, (_, i) => `z${i}.example.org`)]);
    // the SDK asks for pages until one comes back empty
    expect(fake.requests.filter((r) => r.path === '/zones')).toHaveLength(3);
    expect(errorOf(await api('GET', '/zones', undefined, {Authorization: 'Bearer pools-only'}))).toEqual([403, 10000]);
  });
});

describe('fake Cloudflare API: health and faults', () => {
  it('reports pool health per region once the monitor has probed it (unknown before), settable by tests', async () => {
    fake.setProbeDelay(300);
    const monitor = (await api('POST', `/accounts/${zone.accountId}/load_balancers/monitors`, {type: 'http', expected_codes: '200'})).body.result;
    const pool = (await api('POST', pools(), {name: 'aws', monitor: monitor.id, origins: [{name: 'a', address: 'alb.example.net'}]})).body.result;
    const health = async () => (await api('GET', `${pools()}/${pool.id}/health`)).body.result.pop_health as Record<string, {healthy: boolean; origins: unknown[]}>;
    // a new pool: no probe has landed yet, so no region reports on it
    expect(await health()).toEqual({});
    await new Promise((r) => setTimeout(r, 350));
    expect(Object.values(await health()).map((r) => r.healthy)).toEqual([true, true, true]);
    expect(Object.values(await health())[0]?.origins).toEqual([{'alb.example.net': {healthy: true, rtt: '12.1ms', failure_reason: 'No failures', response_code: 200}}]);
    fake.setPoolHealth(pool.id, false);
    expect(Object.values(await health()).every((r) => !r.healthy)).toBe(true);
  });

  it('injects 429 with Retry-After, 5xx, latency, and faults after the write landed', async () => {
    fake.failNext(1, 429, {retryAfterSeconds: 300});
    const limited = await api('GET', pools());
    expect(errorOf(limited)).toEqual([429, 971]);
    expect(limited.headers.get('retry-after')).toBe('300');
    fake.failNext(1, 502);
    expect(await api('GET', pools())).toMatchObject({status: 502, body: 'error code: 502'});

    fake.failNext(1, 500, {afterWrite: true, method: 'POST'});
    expect((await api('GET', pools())).status).toBe(200);
    expect(errorOf(await api('POST', pools(), {name: 'x', origins: [{name: 'o', address: 'o.example.net'}]}))).toEqual([500, 10001]);
    expect((await api('GET', pools())).body.result).toHaveLength(1);

    fake.setLatency(150);
    const started = Date.now();
    await api('GET', pools());
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 502, 200, 500, 200, 200]);
  });

  it('fails a given fraction of requests at random', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    await fake.close();
    fake = await startFakeCloudflare({zones: [zone], random});
    fake.failRate(0.2);
    for (let i = 0; i < 200; i++) await api('GET', pools());
    const failed = fake.requests.filter((r) => r.status !== 200);
    expect(failed.length).toBeGreaterThan(20);
    expect(failed.length).toBeLessThan(60);
    expect(new Set(failed.map((r) => r.status))).toEqual(new Set([429, 500, 502, 503]));
    fake.clearFaults();
    expect((await api('GET', pools())).status).toBe(200);
  });
});
