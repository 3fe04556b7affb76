/**
 * The Host headers of `migrate edge setup` on first contact (docs/facts.md, "Cloudflare: Host
 * header overrides"): the workflow over the real adapter (the official SDK) against the fake
 * Cloudflare API, which enforces Cloudflare's rule for Host overrides.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {canonicalJson} from '../../src/domain/plan.ts';
import {edgeSetup} from '../../src/workflows/edge-setup.ts';
import {sampleApp} from '../fakes/heroku-fixtures.ts';
import {DEFAULT_TOKENS, seedZone, startFakeCloudflare, type FakeCloudflare, type FakePool} from '../fakes/cloudflare-server.ts';
import {tempDir} from '../support/cli.ts';
import {livePlan} from '../support/plans.ts';

const HEROKU = 'shop-1a2b3c4d5e6f.herokuapp.com';
const ALB = 'shop-alb-1234567890.us-east-1.elb.amazonaws.com';
const ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';

let fake: FakeCloudflare;
afterEach(() => fake?.close());

interface World {
  /** zones of the account */
  zones: string[];
  /** the fake's public DNS, also what the adapter resolves with */
  dns?: Record<string, string[]>;
  token?: string;
}

async function world({zones, dns = {}, token = 'good'}: World) {
  fake = await startFakeCloudflare({
    zones: [{zoneName: zones[0]}],
    dns,
    tokens: [...structuredClone(DEFAULT_TOKENS), {token: 'no-zone-read', permissions: ['load_balancers:edit', 'pools:edit']}],
  });
  const {zoneId, accountId} = fake.zones[0]!;
  for (const name of zones.slice(1)) seedZone(fake.state, {zoneName: name, accountId});
  seedZone(fake.state, {zoneName: 'someone-else.example'}); // another account's zone
  const resolveHost = async (name: string) => dns[name] ?? [];
  const edge = createEdgeBalancer({token, baseUrl: fake.url, env: {}, resolveHost});
  const dir = tempDir();
  writeFileSync(join(dir, 'plan.json'), canonicalJson(livePlan(sampleApp()), 2)); // custom domains: shop.example.com, www.shop.example.com
  const state = createLocalState(dir, 'shop', {now: () => new Date('2026-12-02T08:00:00Z')});
  const setup = (hostname: string) =>
    edgeSetup(
      {app: 'shop', zoneId, accountId, hostname, alb: ALB_ARN, region: 'us-east-1'},
      {state, edge: async () => edge, alb: async () => ({describe: async () => ({arn: ALB_ARN, dnsName: ALB, fullName: 'app/shop/50dc6c495c0c9188'})}), env: {}, confirm: async () => {}, now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms))},
    );
  const pools = () => [...(fake.state.accounts.get(accountId)?.pools.values() ?? [])];
  const pool = (suffix: string): FakePool => pools().find((p) => p.name === `heroku2aws-shop-${suffix}`)!;
  const monitor = () => [...(fake.state.accounts.get(accountId)?.monitors.values() ?? [])][0];
  return {edge, dir, setup, pool, pools, monitor, accountId, zoneId};
}

describe('edge setup: Host headers', () => {
  it('gives the monitor and both origins the load-balanced hostname when Heroku serves it', async () => {
    const w = await world({zones: ['example.com']});
    const r = await w.setup('shop.example.com');
    expect(r.created).toHaveLength(4);
    expect(r.warnings).toEqual([]);
    expect(w.monitor()?.header).toEqual({Host: ['shop.example.com']});
    expect(w.pool('heroku').origins).toEqual([{name: 'heroku', address: HEROKU, enabled: true, weight: 1, header: {Host: ['shop.example.com']}}]);
    expect(w.pool('aws').origins).toEqual([{name: 'aws', address: ALB, enabled: true, weight: 1, header: {Host: ['shop.example.com']}}]);
    const state = JSON.parse(readFileSync(join(w.dir, 'state.json'), 'utf8'));
    expect(state.edge.herokuHostHeader).toBe('shop.example.com');
    // a second run adopts everything and has nothing to say about Host headers
    expect((await w.setup('shop.example.com')).warnings).toEqual([]);
  });

  it('reaches Heroku through another custom domain on an account zone when Heroku does not serve the hostname', async () => {
    const w = await world({zones: ['lb.example.net', 'example.com']});
    const r = await w.setup('shop.lb.example.net');
    expect(w.pool('heroku').origins[0]?.header).toEqual({Host: ['shop.example.com']});
    expect(w.pool('aws').origins[0]?.header).toEqual({Host: ['shop.lb.example.net']});
    expect(w.monitor()?.header).toEqual({Host: ['shop.lb.example.net']});
    expect(r.warnings.join('\n')).toMatch(/Heroku does not serve shop\.lb\.example\.net .* Host shop\.example\.com/);
  });

  it('takes a custom domain that publicly resolves to the Heroku origin', async () => {
    const dns = {[HEROKU]: ['203.0.113.10', '203.0.113.11'], 'www.shop.example.com': ['203.0.113.11'], 'shop.example.com': ['198.51.100.20']};
    const w = await world({zones: ['lb.example.net'], dns});
    await w.setup('shop.lb.example.net');
    expect(w.pool('heroku').origins[0]?.header).toEqual({Host: ['www.shop.example.com']});
  });

  it('stops before anything is created when no custom domain meets the rule', async () => {
    const w = await world({zones: ['lb.example.net'], dns: {[HEROKU]: ['203.0.113.10'], 'shop.example.com': ['198.51.100.20']}});
    const err = await w.setup('shop.lb.example.net').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrateError);
    expect(err).toMatchObject({code: 'input', exitCode: 1});
    expect((err as MigrateError).message).toMatch(/none of shop\.example\.com, www\.shop\.example\.com is one/);
    expect((err as MigrateError).hint).toMatch(/heroku domains:add shop\.lb\.example\.net.*Nothing was created/);
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(w.pools()).toEqual([]);
    expect(existsSync(join(w.dir, 'journal.jsonl')) ? readFileSync(join(w.dir, 'journal.jsonl'), 'utf8') : '').toBe('');
    expect(existsSync(join(w.dir, 'state.json'))).toBe(false);
  });

  it('refuses a hostname that is not on a zone of the account, before anything is created', async () => {
    const w = await world({zones: ['example.com']});
    await expect(w.setup('shop.someone-else.example')).rejects.toThrow(/not on a zone of Cloudflare account/);
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('with a token that cannot list zones, still takes the hostname Heroku serves, and says what is missing otherwise', async () => {
    const w = await world({zones: ['example.com'], token: 'no-zone-read'});
    const spec = {accountId: w.accountId, hostname: 'shop.example.com'} as Parameters<typeof w.edge.acceptedHostHeaders>[0];
    expect(await w.edge.acceptedHostHeaders(spec, HEROKU, ['www.example.com', 'shop.example.com', HEROKU])).toEqual({accepted: ['shop.example.com', HEROKU], zonesReadable: false});
    await expect(w.setup('lb.example.com')).rejects.toThrow(/cannot list the account's zones.*Zone > Zone > Read/);
    expect(fake.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    await w.setup('shop.example.com');
    expect(w.pool('heroku').origins[0]?.header).toEqual({Host: ['shop.example.com']});
  });

  it('reports adopted objects whose Host headers are not the ones setup gives', async () => {
    const w = await world({zones: ['example.com']});
    await w.setup('shop.example.com');
    const aws = w.pool('aws');
    aws.origins = [{...aws.origins[0]!, header: undefined} as never];
    const r = await w.setup('shop.example.com');
    expect(r.created).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/adopted pool 'heroku2aws-shop-aws' has no Host header, not shop\.example\.com/);
  });
});
