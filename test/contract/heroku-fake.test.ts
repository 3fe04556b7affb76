/**
 * The fake Heroku Platform API itself: protocol details the adapter tests do not reach
 * (Accept, Basic auth, write endpoints through heroku-client, Range edge cases).
 */
import Heroku from 'heroku-client';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';

const ACCEPT = 'application/vnd.heroku+json; version=3';
let fake: FakeHeroku;

const raw = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${fake.url}${path}`, {...init, headers: {Accept: ACCEPT, Authorization: 'Bearer good', ...headers}});

beforeEach(async () => {
  fake = await startFakeHeroku();
  seedApp(fake.state, sampleApp());
});
afterEach(() => fake.close());

describe('fake Heroku API', () => {
  it('requires the v3 Accept header (406 not_acceptable) and accepts 3.x variants', async () => {
    const res = await raw('/apps/shop', {Accept: 'application/json'});
    expect(res.status).toBe(406);
    expect(((await res.json()) as {id: string}).id).toBe('not_acceptable');
    expect((await raw('/apps/shop', {Accept: 'application/vnd.heroku+json; version=3.sdk'})).status).toBe(200);
  });

  it('answers 401 unauthorized without a known token, and takes Basic auth as heroku-client sends it', async () => {
    const res = await raw('/apps/shop', {Authorization: 'Bearer nope'});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({id: 'unauthorized', message: 'Invalid credentials provided.'});
    expect((await raw('/apps/shop', {Authorization: `Basic ${Buffer.from(':good').toString('base64')}`})).status).toBe(200);
    expect(fake.requests.map((r) => r.auth)).toEqual(['bearer', 'basic']);
  });

  it('answers 403 forbidden when the token lacks the scope, 404 for unknown apps and endpoints', async () => {
    expect((await raw('/apps/shop', {Authorization: 'Bearer identity-only'})).status).toBe(403);
    const forbidden = await raw('/apps/shop/config-vars', {Authorization: 'Bearer read-only'});
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as {id: string}).id).toBe('forbidden');
    expect(await (await raw('/apps/nope/domains')).json()).toEqual({id: 'not_found', message: "Couldn't find that app.", resource: 'app'});
    expect((await raw('/apps/shop/nothing-here')).status).toBe(404);
  });

  it('pages with Range in either order and answers 416 for a bad Range', async () => {
    const first = await raw('/apps/shop/releases', {Range: 'version ..; max=5; order=desc'});
    expect(first.status).toBe(206);
    expect(((await first.json()) as Array<{version: number}>).map((r) => r.version)).toEqual([42, 41, 40, 39, 38]);
    expect(first.headers.get('content-range')).toBe('version 42..38');
    expect(first.headers.get('next-range')).toBe('version ]38..; max=5; order=desc');
    const next = await raw('/apps/shop/releases', {Range: first.headers.get('next-range') ?? ''});
    expect(((await next.json()) as Array<{version: number}>)[0]?.version).toBe(37);

    const domains = await raw('/apps/shop/domains', {Range: 'hostname ]shop.example.com..'});
    expect(domains.status).toBe(200);
    expect(domains.headers.get('next-range')).toBeNull();
    expect(((await domains.json()) as Array<{hostname: string}>).map((d) => d.hostname)).toEqual(['www.shop.example.com']);

    const bad = await raw('/apps/shop/releases', {Range: 'colour ..'});
    expect(bad.status).toBe(416);
    expect(((await bad.json()) as {id: string}).id).toBe('requested_range_not_satisfiable');
  });

  it('answers 429 rate_limit from an empty pool, with RateLimit-Remaining: 0', async () => {
    fake.setRateLimitRemaining('good', 0);
    const res = await raw('/apps/shop');
    expect(res.status).toBe(429);
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await res.json()) as {id: string}).id).toBe('rate_limit');
    expect((await raw('/account/rate-limits')).status).toBe(200);
  });

  it('takes maintenance, scaling and config var writes through heroku-client', async () => {
    const heroku = new Heroku({host: fake.url, token: 'good'});
    expect(await heroku.patch<{maintenance: boolean}>('/apps/shop', {body: {maintenance: true}})).toMatchObject({maintenance: true});

    const formation = await heroku.patch<Array<{type: string; quantity: number; size: string}>>('/apps/shop/formation', {
      body: {updates: [{type: 'web', quantity: 0}, {type: 'clock', quantity: 1, size: 'standard-2x'}]},
    });
    expect(formation.map((f) => [f.type, f.quantity, f.size])).toEqual([
      ['web', 0, 'Standard-2X'],
      ['worker', 1, 'Performance-M'],
      ['clock', 1, 'Standard-2X'],
    ]);

    const vars = await heroku.patch<Record<string, string>>('/apps/shop/config-vars', {body: {FEATURE_CHECKOUT_V2: null, NEW_FLAG: 'on'}});
    expect(vars.NEW_FLAG).toBe('on');
    expect('FEATURE_CHECKOUT_V2' in vars).toBe(false);

    const unknownType = await heroku.patch('/apps/shop/formation', {body: {updates: [{type: 'nope', quantity: 1}]}}).catch((e: {statusCode: number}) => e.statusCode);
    expect(unknownType).toBe(404);
    const readOnly = new Heroku({host: fake.url, token: 'read-only'});
    expect(await readOnly.patch('/apps/shop/config-vars', {body: {X: '1'}}).catch((e: {statusCode: number}) => e.statusCode)).toBe(403);
  });
});
