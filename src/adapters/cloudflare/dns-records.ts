/**
 * DnsZoneRecords over the official `cloudflare` SDK: the zone's DNS records API
 * (`/zones/{zone_id}/dns_records`, v4 envelope). Records this tool creates are DNS-only
 * (`proxied: false`): ACM must see the CNAME itself, not a Cloudflare proxy. Facts: docs/facts.md.
 */
import type {RecordResponse} from 'cloudflare/resources/dns/records';
import {MigrateError} from '../../domain/errors.ts';
import type {DnsRecord, DnsZoneRecords} from '../../ports/certificates.ts';
import {createCaller, resolveSettings, type CallCounters, type Env} from './client.ts';

export const DNS_TOKEN_PERMISSIONS = 'Zone > DNS > Edit (on the zone of the hostnames)';

/** Sent with creates: the SDK must not repeat a POST whose answer was lost. */
const ONCE = {maxRetries: 0};

const toRecord = (r: RecordResponse): DnsRecord => ({id: r.id, name: r.name, type: r.type, content: String(r.content ?? ''), proxied: r.proxied ?? false});

export function createDnsZoneRecords(options: {token?: string; baseUrl?: string; maxRetries?: number; env?: Env} = {}): DnsZoneRecords {
  const settings = resolveSettings({token: options.token, baseUrl: options.baseUrl, env: options.env ?? process.env});
  const counters: CallCounters = {requests: 0, retries: 0};
  const call = createCaller(settings, counters, {maxRetries: options.maxRetries, maxRetryAfterMs: 30_000}, {
    permissions: DNS_TOKEN_PERMISSIONS,
    notFoundHint: 'Check --zone (or CLOUDFLARE_ZONE_ID): the zone id is on the zone\'s Overview page in the Cloudflare dashboard.',
  });
  const list = async (zoneId: string, name: string) =>
    call(`listing the DNS records named ${name} in zone ${zoneId}`, async (cf) => {
      const out: DnsRecord[] = [];
      for await (const r of cf.dns.records.list({zone_id: zoneId, name: {exact: name}, per_page: 100})) out.push(toRecord(r));
      return out;
    });
  return {
    async zoneName(zoneId) {
      const zone = await call(`reading zone ${zoneId}`, (cf) => cf.zones.get({zone_id: zoneId}));
      if (!zone.name) throw new MigrateError('upstream', `Cloudflare answered zone ${zoneId} without a name.`);
      return zone.name;
    },
    list,
    async get(zoneId, id) {
      try {
        return toRecord(await call(`reading DNS record ${id} in zone ${zoneId}`, (cf) => cf.dns.records.get(id, {zone_id: zoneId})));
      } catch (err) {
        if (err instanceof MigrateError && err.code === 'not-found') return null;
        throw err;
      }
    },
    async create(zoneId, record) {
      const what = `creating the ${record.type} record ${record.name} in zone ${zoneId}`;
      try {
        const r = await call(what, (cf) =>
          cf.dns.records.create({zone_id: zoneId, type: record.type as 'CNAME', name: record.name, content: record.content, ttl: 1, proxied: false, comment: record.comment}, ONCE),
        );
        return toRecord(r);
      } catch (err) {
        // the answer may have been lost after the record landed: take it if it is there
        const landed = (await list(zoneId, record.name).catch(() => [])).find((r) => r.type === record.type && r.content.toLowerCase() === record.content.toLowerCase());
        if (landed) return landed;
        throw err;
      }
    },
    async delete(zoneId, id) {
      await call(`deleting DNS record ${id} in zone ${zoneId}`, (cf) => cf.dns.records.delete(id, {zone_id: zoneId}));
    },
  };
}
