/**
 * The Cloudflare DNS records API: the fake's behaviour over plain HTTP (published records API:
 * envelope, names, proxied, ttl, conflicts, paging), and the DnsZoneRecords adapter through the
 * official SDK against it.
 */
import {createDnsZoneRecords} from '../../src/adapters/cloudflare/dns-records.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {startFakeCloudflare, type FakeCloudflare, type SeededZone} from '../fakes/cloudflare-server.ts';

let fake: FakeCloudflare;
let zone: SeededZone;

beforeEach(async () => {
  fake = await startFakeCloudflare({zones: [{zoneName: 'example.com'}]});
  zone = fake.zones[0] as SeededZone;
});
afterEach(() => fake.close());

interface Reply {
  status: number;
  body: {success: boolean; errors: Array<{code: number; message: string}>; result: Record<string, unknown> & {id: string}; result_info?: Record<string, number>};
}

async function api(method: string, path: string, body?: unknown, token = 'good'): Promise<Reply> {
  const res = await fetch(`${fake.url}${path}`, {method, headers: {'Content-Type': 'application/json', Authorization: `Bearer ${token}`}, ...(body === undefined ? {} : {body: JSON.stringify(body)})});
  return {status: res.status, body: (await res.json()) as Reply['body']};
}
const records = () => `/zones/${zone.zoneId}/dns_records`;
const errorOf = (r: Reply) => [r.status, r.body.errors[0]?.code];
const adapter = (token = 'good') => createDnsZoneRecords({token, baseUrl: fake.url, maxRetries: 0, env: {}});

describe('fake Cloudflare DNS records API', () => {
  it('creates a record in the v4 envelope, fully qualified, DNS-only by default, ttl 1 = automatic', async () => {
    const r = await api('POST', records(), {type: 'CNAME', name: '_abc.www', content: '_x.acm-validations.aws.'});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({success: true, errors: []});
    expect(r.body.result).toMatchObject({name: '_abc.www.example.com', type: 'CNAME', content: '_x.acm-validations.aws', proxied: false, proxiable: true, ttl: 1, zone_id: zone.zoneId, zone_name: 'example.com'});
    expect(r.body.result.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await api('POST', records(), {type: 'A', name: '@', content: '192.0.2.1'})).body.result.name).toBe('example.com');
  });

  it("appends the zone name to a name outside the zone, as Cloudflare does", async () => {
    expect((await api('POST', records(), {type: 'TXT', name: 'shop.other.org', content: 'x'})).body.result.name).toBe('shop.other.org.example.com');
  });

  it.each([
    ['a bad ttl', {type: 'CNAME', name: 'a', content: 'b.example.net', ttl: 10}],
    ['a proxied TXT', {type: 'TXT', name: 'a', content: 'x', proxied: true}],
    ['an unknown type', {type: 'CNAMEX', name: 'a', content: 'x'}],
    ['no content', {type: 'CNAME', name: 'a'}],
  ])('refuses %s with 400 code 1004', async (_n, body) => {
    expect(errorOf(await api('POST', records(), body))).toEqual([400, 1004]);
  });

  it('refuses a CNAME beside a record of the same name (81053) and an identical record (81057)', async () => {
    await api('POST', records(), {type: 'CNAME', name: 'a', content: 'b.example.net'});
    expect(errorOf(await api('POST', records(), {type: 'CNAME', name: 'a.example.com', content: 'b.example.net'}))).toEqual([400, 81057]);
    expect(errorOf(await api('POST', records(), {type: 'A', name: 'a', content: '192.0.2.1'}))).toEqual([400, 81053]);
    await api('POST', records(), {type: 'A', name: 'c', content: '192.0.2.1'});
    expect(errorOf(await api('POST', records(), {type: 'CNAME', name: 'c', content: 'b.example.net'}))).toEqual([400, 81053]);
  });

  it('lists with name.exact / type filters and pages with result_info', async () => {
    for (let i = 0; i < 12; i++) await api('POST', records(), {type: 'A', name: 'multi', content: `192.0.2.${i}`});
    await api('POST', records(), {type: 'TXT', name: 'multi', content: 'hello'});
    const page2 = await api('GET', `${records()}?name.exact=multi.example.com&type=A&per_page=5&page=2`);
    expect(page2.body.result).toHaveLength(5);
    expect(page2.body.result_info).toEqual({page: 2, per_page: 5, count: 5, total_count: 12, total_pages: 3});
    expect((await api('GET', `${records()}?name=multi.example.com&per_page=5`)).body.result_info?.total_count).toBe(13);
  });

  it('needs Zone DNS permissions: read for GET, edit for writes; unknown ids 404 code 81044', async () => {
    expect((await api('GET', records(), undefined, 'read-only')).status).toBe(200);
    expect(errorOf(await api('POST', records(), {type: 'TXT', name: 'a', content: 'x'}, 'read-only'))).toEqual([403, 10000]);
    expect(errorOf(await api('GET', records(), undefined, 'pools-only'))).toEqual([403, 10000]);
    expect(errorOf(await api('GET', `${records()}/${'0'.repeat(32)}`))).toEqual([404, 81044]);
  });
});

describe('DnsZoneRecords adapter over the SDK', () => {
  it('reads the zone name, creates a DNS-only record, lists it by name, reads and deletes it', async () => {
    const dns = adapter();
    expect(await dns.zoneName(zone.zoneId)).toBe('example.com');
    const made = await dns.create(zone.zoneId, {name: '_v.shop.example.com', type: 'CNAME', content: '_t.acm-validations.aws', comment: 'heroku2aws test'});
    expect(made).toMatchObject({name: '_v.shop.example.com', type: 'CNAME', content: '_t.acm-validations.aws', proxied: false});
    const post = fake.requests.find((q) => q.method === 'POST');
    expect(post?.body).toMatchObject({proxied: false, ttl: 1, comment: 'heroku2aws test'});
    expect(await dns.list(zone.zoneId, '_v.shop.example.com')).toEqual([made]);
    expect(await dns.get(zone.zoneId, made.id)).toEqual(made);
    await dns.delete(zone.zoneId, made.id);
    expect(await dns.get(zone.zoneId, made.id)).toBeNull();
    expect(fake.state.zones.get(zone.zoneId)?.dnsRecords.size).toBe(0);
  });

  it('follows the pages of a long list', async () => {
    const z = fake.state.zones.get(zone.zoneId)!;
    for (let i = 0; i < 230; i++) await api('POST', records(), {type: 'A', name: 'many', content: `10.0.${Math.floor(i / 200)}.${i % 200}`});
    expect(z.dnsRecords.size).toBe(230);
    expect(await adapter().list(zone.zoneId, 'many.example.com')).toHaveLength(230);
  });

  it('takes a record whose create answer was lost (the POST is not repeated)', async () => {
    fake.failNext(1, 502, {afterWrite: true, method: 'POST'});
    const made = await adapter().create(zone.zoneId, {name: '_v.example.com', type: 'CNAME', content: '_t.acm-validations.aws', comment: 'c'});
    expect(made.name).toBe('_v.example.com');
    expect(fake.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('names the DNS permission when the token lacks it, and the zone when it is unknown', async () => {
    const err = await adapter('read-only')
      .create(zone.zoneId, {name: 'a.example.com', type: 'CNAME', content: 'b.example.net', comment: 'c'})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).code).toBe('forbidden');
    expect((err as MigrateError).hint).toMatch(/Zone > DNS > Edit/);
    const missing = await adapter().zoneName('f'.repeat(32)).catch((e: unknown) => e);
    expect((missing as MigrateError).code).toBe('not-found');
    expect((missing as MigrateError).hint).toMatch(/--zone/);
  });
});
