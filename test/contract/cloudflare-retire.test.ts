/**
 * Contract tests of the finalize methods of the Cloudflare adapter (retireHerokuPool,
 * restoreHerokuPool): the official `cloudflare` SDK against the fake API.
 */
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {EdgeSpec} from '../../src/ports/edge.ts';
import {startFakeCloudflare, type FakeCloudflare, type FakeLoadBalancer, type SeededZone} from '../fakes/cloudflare-server.ts';

let fake: FakeCloudflare;
let zone: SeededZone;
let spec: EdgeSpec;

beforeEach(async () => {
  fake = await startFakeCloudflare({zones: [{zoneName: 'example.com'}]});
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

const balancer = () => createEdgeBalancer({token: 'good', baseUrl: fake.url, env: {}, maxRetries: 0});
const lbRecord = (): FakeLoadBalancer => [...(fake.state.zones.get(zone.zoneId)?.loadBalancers.values() ?? [])][0]!;

async function at100() {
  const edge = balancer();
  const {view} = await edge.ensureSetup(spec);
  await edge.writeWeights(view, 100, spec);
  return {edge, view: await edge.read(spec)};
}

describe('Cloudflare adapter: retire and restore the Heroku pool', () => {
  it('retire: the AWS pool alone in default_pools and as fallback, read back; both pools still exist', async () => {
    const {edge, view} = await at100();
    const back = await edge.retireHerokuPool(view, spec);
    expect(back).toMatchObject({defaultPools: [view.awsPoolId], fallbackPoolId: view.awsPoolId, awsShare: 100});
    expect(lbRecord()).toMatchObject({default_pools: [view.awsPoolId], fallback_pool: view.awsPoolId, steering_policy: 'random'});
    expect(lbRecord().random_steering?.pool_weights).toEqual({[view.herokuPoolId]: 0, [view.awsPoolId]: 1});
    expect(fake.state.accounts.get(zone.accountId)?.pools.size).toBe(2);
    // one PATCH, then GETs (the read-back)
    const after = fake.requests.slice(fake.requests.findIndex((q) => q.method === 'PATCH' && (q.body as {default_pools?: unknown})?.default_pools));
    expect(after[0]?.method).toBe('PATCH');
    expect(after.slice(1).every((q) => q.method === 'GET')).toBe(true);
    expect(after.slice(1).some((q) => q.path.includes('/load_balancers/'))).toBe(true);
    // a later read sees the same, and a repeat is harmless
    expect(await edge.read(spec)).toMatchObject({defaultPools: [view.awsPoolId], awsShare: 100});
    await expect(edge.retireHerokuPool(back, spec)).resolves.toMatchObject({defaultPools: [view.awsPoolId]});
  });

  it('restore: Heroku back in default_pools at weight 0 and as fallback; AWS keeps 100%', async () => {
    const {edge, view} = await at100();
    const retired = await edge.retireHerokuPool(view, spec);
    const back = await edge.restoreHerokuPool(retired, spec);
    expect(back.defaultPools.sort()).toEqual([view.awsPoolId, view.herokuPoolId].sort());
    expect(back).toMatchObject({fallbackPoolId: view.herokuPoolId, awsShare: 100});
    expect(lbRecord().random_steering?.pool_weights).toEqual({[view.herokuPoolId]: 0, [view.awsPoolId]: 1});
    // the normal cutover works again from there: weights back to Heroku
    await edge.writeWeights(back, 0, spec);
    expect((await edge.read(spec)).awsShare).toBe(0);
  });

  it('a failed write maps to MigrateError and changes nothing', async () => {
    const {edge, view} = await at100();
    const before = structuredClone(lbRecord());
    fake.failNext(1, 503, {method: 'PATCH'});
    const err = await edge.retireHerokuPool(view, spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).message).toMatch(/removing pool/);
    expect(lbRecord().default_pools).toEqual(before.default_pools);
    expect(lbRecord().fallback_pool).toBe(before.fallback_pool);
  });

  it('a token that may only read is refused with a clear error', async () => {
    const {view} = await at100();
    const readOnly = createEdgeBalancer({token: 'readonly', baseUrl: fake.url, env: {}, maxRetries: 0});
    fake.state.tokens.push({token: 'readonly', permissions: ['load_balancers:read', 'pools:read']});
    const err = await readOnly.retireHerokuPool(view, spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrateError);
    expect(['forbidden', 'auth']).toContain((err as MigrateError).code);
  });
});
