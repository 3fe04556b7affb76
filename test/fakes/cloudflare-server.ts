/**
 * A fake Cloudflare API v4 for Load Balancing (node:http on 127.0.0.1, a free port), following
 * the public reference (docs/facts.md, "Cloudflare Load Balancing") closely enough that the official `cloudflare` SDK drives it.
 * Its `url` ends in `/client/v4`, like the real base URL; the request log holds paths below it.
 *
 * - Envelope `{success, errors: [{code, message}], messages, result}` (lists add `result_info`).
 * - `GET /ips` (no authentication, as published): `{ipv4_cidrs, ipv6_cidrs, etag}` of Cloudflare's ranges.
 * - Auth: `Authorization: Bearer <token>`. No header: 400 code 9106; not Bearer: 400 code 6003;
 *   unknown token: 401 code 10000 "Authentication error"; a token without the permission: 403
 *   code 10000. Load balancers need `load_balancers:*` (Zone: Load Balancers), monitors, pools
 *   and pool health `pools:*` (Account: Load Balancing: Monitors and Pools); `:read` for GET.
 * - Monitors and pools under `/accounts/{id}/load_balancers/{monitors|pools}[/{id}]`, pool health
 *   at `.../pools/{id}/health`, load balancers under `/zones/{id}/load_balancers[/{id}]`: GET,
 *   list, POST, PUT (whole record), PATCH (top-level fields sent), DELETE. A write builds the
 *   whole record (POST, PUT: the body over the defaults; PATCH: the body's top-level fields over
 *   the stored record, so a sent `random_steering` replaces the stored one) and validates it.
 *   Cloudflare's codes: validation 400 code 1002 ("...: validation failed"), a duplicate load
 *   balancer name 400 code 1003 ("value not unique"), deleting an object still referenced 412
 *   code 1005. The 404 code for an unknown id (1000) is this fake's choice.
 * - Host overrides (an origin's `header.Host`, one name) are accepted only when the name is a
 *   subdomain of a zone of the pool's account, equals the origin's address, or resolves (in
 *   the fake's `dns` table) to an address the origin's address resolves to; otherwise 400 1002.
 * - Weights follow the schema: `random_steering.default_weight` 0..1 in steps of 0.1,
 *   `pool_weights` values non-negative numbers, an origin's `weight` 0..1 in steps of 0.01.
 * - Zones: `GET /zones` (Zone > Zone > Read), filtered by `account.id` and `name`, paged
 *   (`page`, `per_page` 5..50, default 20) like the real list.
 * - Pool health: unknown (empty `pop_health`) until the monitor's first probe, `probeDelayMs`
 *   after the pool was created (default 300 ms, `setProbeDelay`); then healthy unless a test says
 *   otherwise (`setPoolHealth`); a pool without a monitor, or disabled, is not health-checked.
 * - DNS records under `/zones/{id}/dns_records[/{id}]` (list with `name`/`name.exact`, `type`,
 *   `content.exact`, `page`/`per_page` paging; GET, POST, PUT, PATCH, DELETE), and the zone itself
 *   at `GET /zones/{id}` (any valid token). A record's name is stored fully qualified and
 *   lower-case: `@` is the apex, and a name outside the zone gets the zone name appended, as
 *   Cloudflare does. `ttl` is 1 (automatic) or 60..86400; only A, AAAA and CNAME records may be
 *   `proxied`. A CNAME next to any record of the same name, or another record next to a CNAME:
 *   400 code 81053; the same type, name and content twice: 400 code 81057 (Cloudflare's codes).
 *   Other validation failures answer 400 code 1004 ("DNS Validation Error"). Permissions
 *   `dns_records:read|edit` (Zone: DNS).
 * - Faults: latency per request; the next N requests (optionally only of one method) or a
 *   random fraction of requests answer 429 (Cloudflare's code 971 and `Retry-After`), 500, 502,
 *   503 or 504; with `afterWrite` the request is carried out first and only its answer is lost.
 */
import {randomBytes} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {isIP, type AddressInfo} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';

// ---- records and their validation ----

class CfError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Cloudflare identifiers are 32 hex characters. */
const newId = (): string => randomBytes(16).toString('hex');

export interface FakeMonitor {
  id: string;
  created_on: string;
  modified_on: string;
  type: string;
  description: string;
  method: string;
  path: string;
  header: Record<string, string[]>;
  port: number;
  timeout: number;
  retries: number;
  interval: number;
  expected_codes: string;
  expected_body: string;
  follow_redirects: boolean;
  allow_insecure: boolean;
  consecutive_up: number;
  consecutive_down: number;
}

export interface FakeOrigin {
  name: string;
  address: string;
  enabled: boolean;
  weight: number;
  header?: {Host: string[]};
}

export interface FakePool {
  id: string;
  created_on: string;
  modified_on: string;
  name: string;
  description: string;
  enabled: boolean;
  minimum_origins: number;
  monitor?: string;
  origins: FakeOrigin[];
  notification_email: string;
  check_regions: string[] | null;
}

const STEERING_POLICIES = ['off', 'geo', 'random', 'dynamic_latency', 'proximity', 'least_outstanding_requests', 'least_connections', ''] as const;
const SESSION_AFFINITIES = ['none', 'cookie', 'ip_cookie', 'header'] as const;

export interface FakeLoadBalancer {
  id: string;
  created_on: string;
  modified_on: string;
  name: string;
  description: string;
  zone_name: string;
  ttl: number;
  proxied: boolean;
  enabled: boolean;
  default_pools: string[];
  fallback_pool: string;
  region_pools: Record<string, string[]>;
  pop_pools: Record<string, string[]>;
  country_pools: Record<string, string[]>;
  steering_policy: (typeof STEERING_POLICIES)[number];
  random_steering?: {default_weight: number; pool_weights: Record<string, number>};
  session_affinity: (typeof SESSION_AFFINITIES)[number];
  session_affinity_ttl?: number;
  adaptive_routing: {failover_across_pools: boolean};
  rules: unknown[];
}

export interface FakeAccount {
  id: string;
  monitors: Map<string, FakeMonitor>;
  pools: Map<string, FakePool>;
}

export interface FakeDnsRecord {
  id: string;
  created_on: string;
  modified_on: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  proxiable: boolean;
  proxied: boolean;
  ttl: number;
  comment: string | null;
  tags: string[];
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
}

export interface FakeZone {
  id: string;
  name: string;
  accountId: string;
  loadBalancers: Map<string, FakeLoadBalancer>;
  dnsRecords: Map<string, FakeDnsRecord>;
}

const invalid = (message: string) => new CfError(400, 1002, `${message}: validation failed`);

/** `value` is a multiple of `step` (to float precision), e.g. 0.07 of 0.01. */
const stepOf = (value: number, step: number) => Math.abs(value / step - Math.round(value / step)) < 1e-9;

/** Reads typed fields from a record, applying defaults and failing with Cloudflare's validation error. */
function fields(input: Json) {
  const get = <T>(name: string, ok: (v: unknown) => boolean, what: string, fallback?: T): T => {
    const v = input[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) throw invalid(`${name} is required`);
      return fallback;
    }
    if (!ok(v)) throw invalid(`${name} must be ${what}`);
    return v as T;
  };
  return {
    str: (name: string, fallback?: string) => get<string>(name, (v) => typeof v === 'string', 'a string', fallback),
    bool: (name: string, fallback: boolean) => get<boolean>(name, (v) => typeof v === 'boolean', 'a boolean', fallback),
    num: (name: string, min: number, max: number, fallback?: number) =>
      get<number>(name, (v) => typeof v === 'number' && v >= min && v <= max, `a number in [${min}, ${max}]`, fallback),
    oneOf: <T extends string>(name: string, values: readonly T[], fallback: T) => get<T>(name, (v) => values.includes(v as T), `one of ${values.map((x) => `'${x}'`).join(', ')}`, fallback),
    obj: <T>(name: string, fallback: T) => get<T>(name, isRecord, 'an object', fallback),
    list: <T>(name: string, fallback?: T[]) => get<T[]>(name, Array.isArray, 'an array', fallback),
  };
}

interface Stamp {
  id: string;
  created_on: string;
  modified_on: string;
}

function stamp(existing?: Stamp): Stamp {
  const now = new Date().toISOString();
  return {id: existing?.id ?? newId(), created_on: existing?.created_on ?? now, modified_on: now};
}

const MONITOR_TYPES = ['http', 'https', 'tcp', 'udp_icmp', 'icmp_ping', 'smtp'] as const;

function buildMonitor(input: Json, base: Stamp): FakeMonitor {
  const f = fields(input);
  const type = f.oneOf('type', MONITOR_TYPES, 'http');
  const web = type === 'http' || type === 'https';
  return {
    ...base,
    type,
    description: f.str('description', ''),
    method: f.str('method', web ? 'GET' : 'connection_established'),
    path: f.str('path', '/'),
    header: f.obj('header', {}),
    port: f.num('port', 0, 65535, 0),
    timeout: f.num('timeout', 1, 10, 5),
    retries: f.num('retries', 0, 5, 2),
    interval: f.num('interval', 10, 3600, 60),
    expected_codes: web ? f.str('expected_codes') : f.str('expected_codes', ''),
    expected_body: f.str('expected_body', ''),
    follow_redirects: f.bool('follow_redirects', false),
    allow_insecure: f.bool('allow_insecure', false),
    consecutive_up: f.num('consecutive_up', 1, 100, 1),
    consecutive_down: f.num('consecutive_down', 1, 100, 1),
  };
}

/** What a Host override is checked against: the account's zone names and the fake's DNS table. */
interface HostContext {
  zoneNames: string[];
  dns: Map<string, string[]>;
}

const resolveName = (dns: Map<string, string[]>, name: string) => (isIP(name) ? [name] : (dns.get(name.toLowerCase()) ?? []));

/** Cloudflare's rule for an endpoint Host override: a subdomain of an account zone, the address, or a name resolving to it. */
function hostAllowed(host: string, address: string, ctx: HostContext): boolean {
  const h = host.toLowerCase();
  if (h === address.toLowerCase()) return true;
  if (ctx.zoneNames.some((z) => h === z.toLowerCase() || h.endsWith(`.${z.toLowerCase()}`))) return true;
  const target = resolveName(ctx.dns, address);
  return resolveName(ctx.dns, h).some((a) => target.includes(a));
}

function buildOrigin(input: unknown, index: number, ctx: HostContext): FakeOrigin {
  if (!isRecord(input)) throw invalid(`origins[${index}] must be an object`);
  const f = fields(input);
  const weight = f.num('weight', 0, 1, 1);
  if (!stepOf(weight, 0.01)) throw invalid(`origins[${index}].weight must be a multiple of 0.01`);
  const origin: FakeOrigin = {name: f.str('name'), address: f.str('address'), enabled: f.bool('enabled', true), weight};
  if (input.header !== undefined && input.header !== null) {
    const host = isRecord(input.header) ? input.header.Host : undefined;
    if (!Array.isArray(host) || host.length !== 1 || typeof host[0] !== 'string') throw invalid(`origins[${index}].header.Host must hold exactly one hostname`);
    if (!hostAllowed(host[0], origin.address, ctx)) {
      throw invalid(`origins[${index}].header.Host ${host[0]} must be a subdomain of a zone associated with this account, match the origin address, or resolve to it`);
    }
    origin.header = {Host: [host[0]]};
  }
  return origin;
}

function buildPool(input: Json, base: Stamp, account: FakeAccount, ctx: HostContext): FakePool {
  const f = fields(input);
  const name = f.str('name');
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw invalid('name may hold only alphanumeric characters, hyphens and underscores');
  const origins = f.list<unknown>('origins');
  if (origins.length < 1) throw invalid('origins must list at least one origin');
  const monitor = input.monitor === undefined || input.monitor === null || input.monitor === '' ? undefined : f.str('monitor');
  if (monitor !== undefined && !account.monitors.has(monitor)) throw invalid(`monitor ${monitor} does not exist`);
  return {
    ...base,
    name,
    description: f.str('description', ''),
    enabled: f.bool('enabled', true),
    minimum_origins: f.num('minimum_origins', 1, origins.length, 1),
    ...(monitor === undefined ? {} : {monitor}),
    origins: origins.map((o, i) => buildOrigin(o, i, ctx)),
    notification_email: f.str('notification_email', ''),
    check_regions: input.check_regions === undefined || input.check_regions === null ? null : f.list<string>('check_regions'),
  };
}

function knownPool(account: FakeAccount, field: string, id: unknown): string {
  if (typeof id !== 'string' || !account.pools.has(id)) throw invalid(`${field}: pool ${String(id)} does not exist`);
  return id;
}

function buildRandomSteering(value: unknown, account: FakeAccount): FakeLoadBalancer['random_steering'] {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalid('random_steering must be an object');
  const f = fields(value);
  const weights = f.obj<Json>('pool_weights', {});
  const poolWeights: Record<string, number> = {};
  for (const [id, weight] of Object.entries(weights)) {
    knownPool(account, 'random_steering.pool_weights', id);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw invalid(`random_steering.pool_weights.${id} must be a non-negative number`);
    poolWeights[id] = weight;
  }
  const defaultWeight = f.num('default_weight', 0, 1, 1);
  if (!stepOf(defaultWeight, 0.1)) throw invalid('random_steering.default_weight must be a multiple of 0.1');
  return {default_weight: defaultWeight, pool_weights: poolWeights};
}

function buildLoadBalancer(input: Json, base: Stamp, zone: FakeZone, account: FakeAccount): FakeLoadBalancer {
  const f = fields(input);
  const name = f.str('name');
  for (const other of zone.loadBalancers.values()) {
    if (other.id !== base.id && other.name === name) throw new CfError(400, 1003, 'value not unique');
  }
  const defaultPools = f.list<unknown>('default_pools');
  if (defaultPools.length < 1) throw invalid('default_pools must list at least one pool');
  const randomSteering = buildRandomSteering(input.random_steering, account);
  const sessionAffinity = f.oneOf('session_affinity', SESSION_AFFINITIES, 'none');
  const adaptive = f.obj<Json>('adaptive_routing', {});
  if (adaptive.failover_across_pools !== undefined && typeof adaptive.failover_across_pools !== 'boolean') {
    throw invalid('adaptive_routing.failover_across_pools must be a boolean');
  }
  return {
    ...base,
    name,
    description: f.str('description', ''),
    zone_name: zone.name,
    ttl: f.num('ttl', 1, 86400, 30),
    proxied: f.bool('proxied', false),
    enabled: f.bool('enabled', true),
    default_pools: defaultPools.map((id) => knownPool(account, 'default_pools', id)),
    fallback_pool: knownPool(account, 'fallback_pool', f.str('fallback_pool')),
    region_pools: f.obj('region_pools', {}),
    pop_pools: f.obj('pop_pools', {}),
    country_pools: f.obj('country_pools', {}),
    steering_policy: f.oneOf('steering_policy', STEERING_POLICIES, ''),
    ...(randomSteering === undefined ? {} : {random_steering: randomSteering}),
    session_affinity: sessionAffinity,
    ...(input.session_affinity_ttl === undefined ? {} : {session_affinity_ttl: f.num('session_affinity_ttl', 30, 604800)}),
    adaptive_routing: {failover_across_pools: adaptive.failover_across_pools === true},
    rules: f.list('rules', []),
  };
}

const DNS_TYPES = ['A', 'AAAA', 'CAA', 'CERT', 'CNAME', 'DNSKEY', 'DS', 'HTTPS', 'LOC', 'MX', 'NAPTR', 'NS', 'OPENPGPKEY', 'PTR', 'SMIMEA', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT', 'URI'] as const;
const PROXIABLE = ['A', 'AAAA', 'CNAME'];
const dnsInvalid = (message: string) => new CfError(400, 1004, `DNS Validation Error: ${message}`);

/** Cloudflare stores names fully qualified: `@` is the apex, a name outside the zone is taken as relative to it. */
function qualify(name: string, zoneName: string): string {
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (n === '@' || n === zoneName) return zoneName;
  return n.endsWith(`.${zoneName}`) ? n : `${n}.${zoneName}`;
}

function buildDnsRecord(input: Json, base: Stamp, zone: FakeZone): FakeDnsRecord {
  const type = input.type;
  if (typeof type !== 'string' || !(DNS_TYPES as readonly string[]).includes(type)) throw dnsInvalid('type must be one of the DNS record types');
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 255) throw dnsInvalid('name must be a non-empty string of at most 255 characters');
  if (typeof input.content !== 'string' || input.content.trim() === '') throw dnsInvalid('content is required');
  const ttl = input.ttl ?? 1;
  if (typeof ttl !== 'number' || !(ttl === 1 || (ttl >= 60 && ttl <= 86400))) throw dnsInvalid('ttl must be between 60 and 86400 seconds, or 1 for automatic');
  const proxied = input.proxied ?? false;
  if (typeof proxied !== 'boolean') throw dnsInvalid('proxied must be a boolean');
  if (proxied && !PROXIABLE.includes(type)) throw dnsInvalid(`a ${type} record cannot be proxied`);
  if (input.comment !== undefined && input.comment !== null && typeof input.comment !== 'string') throw dnsInvalid('comment must be a string');
  const name = qualify(input.name, zone.name);
  const content = type === 'CNAME' ? input.content.trim().replace(/\.$/, '') : input.content;
  for (const other of zone.dnsRecords.values()) {
    if (other.id === base.id || other.name !== name) continue;
    if (other.type === type && other.content === content) throw new CfError(400, 81057, 'Record already exists.');
    if (type === 'CNAME' || other.type === 'CNAME') throw new CfError(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
  }
  return {
    ...base,
    zone_id: zone.id,
    zone_name: zone.name,
    name,
    type,
    content,
    proxiable: PROXIABLE.includes(type),
    proxied,
    ttl,
    comment: typeof input.comment === 'string' ? input.comment : null,
    tags: Array.isArray(input.tags) ? (input.tags as string[]) : [],
    settings: isRecord(input.settings) ? input.settings : {},
    meta: {},
  };
}

/** The list filters of the published API this fake supports: name (exact and its variants), type, content.exact. */
function dnsFilter(query: URLSearchParams): (r: FakeDnsRecord) => boolean {
  const name = (query.get('name.exact') ?? query.get('name'))?.toLowerCase().replace(/\.$/, '');
  const contains = query.get('name.contains')?.toLowerCase();
  const starts = query.get('name.startswith')?.toLowerCase();
  const ends = query.get('name.endswith')?.toLowerCase();
  const type = query.get('type');
  const content = (query.get('content.exact') ?? query.get('content'))?.toLowerCase();
  const all = [
    (r: FakeDnsRecord) => name === undefined || r.name === name,
    (r: FakeDnsRecord) => contains === undefined || r.name.includes(contains),
    (r: FakeDnsRecord) => starts === undefined || r.name.startsWith(starts),
    (r: FakeDnsRecord) => ends === undefined || r.name.endsWith(ends),
    (r: FakeDnsRecord) => type === null || r.type === type,
    (r: FakeDnsRecord) => content === undefined || r.content.toLowerCase() === content,
  ];
  return query.get('match') === 'any' ? (r) => all.some((f) => f(r)) : (r) => all.every((f) => f(r));
}

function paged(items: unknown[], query: URLSearchParams): Answer {
  const page = Number(query.get('page') ?? 1);
  const perPage = Number(query.get('per_page') ?? 100);
  if (!Number.isInteger(page) || page < 1) throw dnsInvalid('page must be a positive integer');
  if (!Number.isInteger(perPage) || perPage < 5 || perPage > 5_000_000) throw dnsInvalid('per_page must be between 5 and 5000000');
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    status: 200,
    body: envelope(slice, {result_info: {page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage))}}),
  };
}

/** `GET /zones/{id}` and `/zones/{id}/dns_records[/{id}]`. */
function routeZone(state: FakeCloudflareState, token: FakeToken, method: string, segments: string[], body: unknown, query: URLSearchParams): Answer {
  const [, zoneId = '', , recordId, ...rest] = segments;
  const zone = state.zones.get(zoneId);
  if (!zone) throw new CfError(404, 7003, `Could not route to /zones/${zoneId}, perhaps your object identifier is invalid?`);
  if (segments.length === 2) {
    if (method !== 'GET') throw new CfError(405, 10405, 'Method not allowed for this endpoint');
    return ok({id: zone.id, name: zone.name, status: 'active', paused: false, type: 'full', account: {id: zone.accountId, name: 'Fake account'}, name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com']});
  }
  if (rest.length > 0) throw new CfError(404, 7000, 'No route for that URI');
  const allowed: Permission[] = method === 'GET' ? ['dns_records:read', 'dns_records:edit'] : ['dns_records:edit'];
  if (!token.permissions.some((p) => allowed.includes(p))) throw new CfError(403, 10000, 'Authentication error');
  if (recordId === undefined && method === 'GET') return paged([...zone.dnsRecords.values()].filter(dnsFilter(query)), query);
  const build = (input: Json, base: Stamp) => buildDnsRecord(input, base, zone);
  try {
    return crud({label: 'Record', items: zone.dnsRecords, build, beforeDelete: () => undefined}, method, recordId, body);
  } catch (err) {
    // Cloudflare answers an unknown record id with 404 code 81044
    if (err instanceof CfError && err.status === 404) throw new CfError(404, 81044, 'Record does not exist.');
    throw err;
  }
}

const referenced = () => new CfError(412, 1005, 'This object is referenced by other objects, delete them first.');

/** Refuses to delete a monitor used by a pool, or a pool used by a load balancer (as Cloudflare does). */
function assertUnreferenced(kind: 'monitor' | 'pool', id: string, account: FakeAccount, zones: Iterable<FakeZone>): void {
  if (kind === 'monitor' && [...account.pools.values()].some((p) => p.monitor === id)) throw referenced();
  if (kind !== 'pool') return;
  for (const zone of zones) {
    for (const lb of zone.loadBalancers.values()) {
      if (lb.fallback_pool === id || lb.default_pools.includes(id)) throw referenced();
    }
  }
}

// ---- the server ----

export type Permission = 'load_balancers:read' | 'load_balancers:edit' | 'pools:read' | 'pools:edit' | 'zones:read' | 'dns_records:read' | 'dns_records:edit';
export interface FakeToken {
  token: string;
  permissions: Permission[];
}
export interface FakeCloudflareState {
  tokens: FakeToken[];
  accounts: Map<string, FakeAccount>;
  zones: Map<string, FakeZone>;
  /** pool id (or name, for a pool not created yet) -> healthy; pools not listed are healthy */
  poolHealth: Map<string, boolean>;
  /** name (lower case) -> addresses: what "publicly resolves" means in the fake */
  dns: Map<string, string[]>;
  /** how long after a pool is created (with a monitor) its first probe lands: until then its health is unknown */
  probeDelayMs: number;
}
export interface RequestLogEntry {
  method: string;
  /** below /client/v4, without the query */
  path: string;
  /** the parsed JSON body, if any */
  body?: unknown;
  /** 0 until the answer is sent */
  status: number;
  /** when the request arrived (epoch ms) */
  at: number;
}
export type FaultStatus = 429 | 500 | 502 | 503 | 504;
export interface FaultOptions {
  /** `Retry-After` on 429 answers, in seconds (default 1; Cloudflare's block lasts 300) */
  retryAfterSeconds?: number;
  /** carry the request out, then answer the fault (the write landed, the client saw an error) */
  afterWrite?: boolean;
  /** only requests with this method take the fault */
  method?: string;
}
export interface StallOptions {
  /** only requests with this method stall (default: all) */
  method?: string;
  /** only requests whose path (below /client/v4) contains this stall */
  pathIncludes?: string;
  afterWrite?: boolean;
}
export interface ZoneSeed {
  zoneId?: string;
  zoneName?: string;
  accountId?: string;
}
export interface SeededZone {
  zoneId: string;
  zoneName: string;
  accountId: string;
}
export interface FakeCloudflareOptions {
  tokens?: FakeToken[];
  zones?: ZoneSeed[];
  latencyMs?: number;
  /** name -> addresses, for the Host override rule (names not listed resolve to nothing) */
  dns?: Record<string, string[]>;
  /** delay before a new pool's first health probe lands (default 300 ms); until then its health is unknown */
  probeDelayMs?: number;
  /** the source of randomness for failRate (default Math.random) */
  random?: () => number;
  /** what `GET /ips` answers */
  ips?: {ipv4_cidrs: string[]; ipv6_cidrs: string[]};
}
export interface FakeCloudflare {
  /** the base URL, ending in /client/v4 */
  url: string;
  state: FakeCloudflareState;
  requests: RequestLogEntry[];
  /** the zones seeded by the options, in order */
  zones: SeededZone[];
  setLatency(ms: number): void;
  /** the next `n` requests (of `options.method`, if given) answer `status` */
  failNext(n: number, status: FaultStatus, options?: FaultOptions): void;
  /** a fraction `p` of requests answer one of `statuses` (default 429, 500, 502, 503); 0 stops it */
  failRate(p: number, options?: Omit<FaultOptions, 'method'> & {statuses?: FaultStatus[]}): void;
  setPoolHealth(poolId: string, healthy: boolean): void;
  /**
   * matching requests are accepted and never answered (a hung service); `afterWrite` carries the
   * request out first (the write landed, the client never learns it). Cleared by clearFaults.
   */
  stall(options?: StallOptions): void;
  /** delay before a new pool's first probe (health unknown until then) */
  setProbeDelay(ms: number): void;
  /** drops queued faults, stalls and the fault rate */
  clearFaults(): void;
  close(): Promise<void>;
}

export const DEFAULT_TOKENS: FakeToken[] = [
  {token: 'good', permissions: ['load_balancers:edit', 'pools:edit', 'zones:read', 'dns_records:edit']},
  {token: 'read-only', permissions: ['load_balancers:read', 'pools:read', 'zones:read', 'dns_records:read']},
  {token: 'pools-only', permissions: ['pools:edit']},
];

const BASE_PATH = '/client/v4';
const REGIONS = ['Amsterdam, NL', 'Ashburn, VA', 'Singapore, SG'];

/** Adds an account (unless it exists) and a zone in it. */
export function seedZone(state: FakeCloudflareState, seed: ZoneSeed = {}): SeededZone {
  const zone: SeededZone = {zoneId: seed.zoneId ?? newId(), zoneName: seed.zoneName ?? 'example.com', accountId: seed.accountId ?? newId()};
  if (!state.accounts.has(zone.accountId)) state.accounts.set(zone.accountId, {id: zone.accountId, monitors: new Map(), pools: new Map()});
  state.zones.set(zone.zoneId, {id: zone.zoneId, name: zone.zoneName, accountId: zone.accountId, loadBalancers: new Map(), dnsRecords: new Map()});
  return zone;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Fault extends FaultOptions {
  status: FaultStatus;
}

const envelope = (result: unknown, extra: Json = {}) => ({success: true, errors: [], messages: [], result, ...extra});
const failure = (status: number, code: number, message: string): Answer => ({status, body: {success: false, errors: [{code, message}], messages: [], result: null}});
const ok = (result: unknown): Answer => ({status: 200, body: envelope(result)});
const list = (items: unknown[]): Answer => ({
  status: 200,
  body: envelope(items, {result_info: {page: 1, per_page: items.length, count: items.length, total_count: items.length, total_pages: 1}}),
});

function faultAnswer(fault: Fault): Answer {
  if (fault.status === 429) {
    return {...failure(429, 971, 'Please wait and consider throttling your request speed'), headers: {'Retry-After': String(fault.retryAfterSeconds ?? 1)}};
  }
  if (fault.status === 502 || fault.status === 504) return {status: fault.status, body: `error code: ${fault.status}`};
  return failure(fault.status, 10001, fault.status === 500 ? 'Internal server error' : 'Service temporarily unavailable');
}

interface Collection<T extends Stamp> {
  label: string;
  items: Map<string, T>;
  build(input: Json, base: Stamp): T;
  beforeDelete(id: string): void;
}

function crud<T extends Stamp>(c: Collection<T>, method: string, id: string | undefined, body: unknown): Answer {
  const input = () => {
    if (!isRecord(body)) throw new CfError(400, 1002, 'the request body must be a JSON object: validation failed');
    return body;
  };
  const save = (item: T) => {
    c.items.set(item.id, item);
    return ok(item);
  };
  if (id === undefined) {
    if (method === 'GET') return list([...c.items.values()]);
    if (method === 'POST') return save(c.build(input(), stamp()));
    throw new CfError(405, 10405, 'Method not allowed for this endpoint');
  }
  const existing = c.items.get(id);
  if (!existing) throw new CfError(404, 1000, `${c.label} not found`);
  switch (method) {
    case 'GET':
      return ok(existing);
    case 'PUT':
      return save(c.build(input(), stamp(existing)));
    case 'PATCH':
      return save(c.build({...existing, ...input()}, stamp(existing)));
    case 'DELETE':
      c.beforeDelete(id);
      c.items.delete(id);
      return ok({id});
  }
  throw new CfError(405, 10405, 'Method not allowed for this endpoint');
}

function poolHealth(state: FakeCloudflareState, account: FakeAccount, poolId: string): Answer {
  const pool = account.pools.get(poolId);
  if (!pool) throw new CfError(404, 1000, 'Pool not found');
  const healthy = state.poolHealth.get(poolId) ?? state.poolHealth.get(pool.name) ?? true;
  const origins = pool.origins.map((o) => ({
    [o.address]: healthy && o.enabled
      ? {healthy: true, rtt: '12.1ms', failure_reason: 'No failures', response_code: 200}
      : {healthy: false, rtt: '0s', failure_reason: 'HTTP timeout occurred', response_code: 0},
  }));
  // no probe has landed yet: the monitor probes a new pool after its interval, so health is unknown (empty pop_health)
  const probed = Date.now() - Date.parse(pool.created_on) >= state.probeDelayMs;
  const checked = pool.monitor !== undefined && pool.enabled && probed;
  return ok({pool_id: poolId, pop_health: checked ? Object.fromEntries(REGIONS.map((r) => [r, {healthy, origins}])) : {}});
}

function requirePermission(token: FakeToken, area: 'load_balancers' | 'pools' | 'zones', method: string): void {
  const allowed: Permission[] = area === 'zones' ? ['zones:read'] : method === 'GET' ? [`${area}:read`, `${area}:edit`] : [`${area}:edit`];
  if (!token.permissions.some((p) => allowed.includes(p))) throw new CfError(403, 10000, 'Authentication error');
}

/** `GET /zones`: the zones the token sees, filtered by `account.id` (or `account[id]`) and `name`, paged. */
function listZones(state: FakeCloudflareState, query: URLSearchParams): Answer {
  const accountId = query.get('account.id') ?? query.get('account[id]');
  const name = query.get('name');
  const zones = [...state.zones.values()]
    .filter((z) => (accountId === null || z.accountId === accountId) && (name === null || z.name === name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const perPage = Number(query.get('per_page') ?? 20);
  const page = Number(query.get('page') ?? 1);
  if (!Number.isInteger(perPage) || perPage < 5 || perPage > 50) throw invalid('per_page must be an integer in [5, 50]');
  if (!Number.isInteger(page) || page < 1) throw invalid('page must be a positive integer');
  const items = zones.slice((page - 1) * perPage, page * perPage).map((z) => ({id: z.id, name: z.name, status: 'active', type: 'full', account: {id: z.accountId, name: `account ${z.accountId}`}}));
  return {
    status: 200,
    body: envelope(items, {result_info: {page, per_page: perPage, count: items.length, total_count: zones.length, total_pages: Math.max(1, Math.ceil(zones.length / perPage))}}),
  };
}

function route(state: FakeCloudflareState, token: FakeToken, method: string, segments: string[], body: unknown, query: URLSearchParams): Answer {
  const [scope, scopeId = '', lbs, kind, id, sub, ...rest] = segments;
  const noRoute = new CfError(404, 7000, 'No route for that URI');
  if (scope === 'zones' && segments.length === 1) {
    if (method !== 'GET') throw noRoute;
    requirePermission(token, 'zones', method);
    return listZones(state, query);
  }
  if (lbs !== 'load_balancers' || rest.length > 0) throw noRoute;
  const unroutable = new CfError(404, 7003, `Could not route to /${segments.slice(0, 3).join('/')}, perhaps your object identifier is invalid?`);
  if (scope === 'zones') {
    const zone = state.zones.get(scopeId);
    if (!zone) throw unroutable;
    if (id !== undefined) throw noRoute;
    requirePermission(token, 'load_balancers', method);
    const account = state.accounts.get(zone.accountId);
    if (!account) throw unroutable;
    const build = (input: Json, base: Stamp) => buildLoadBalancer(input, base, zone, account);
    return crud({label: 'Load balancer', items: zone.loadBalancers, build, beforeDelete: () => undefined}, method, kind, body);
  }
  const account = scope === 'accounts' ? state.accounts.get(scopeId) : undefined;
  if (!account) throw scope === 'accounts' ? unroutable : noRoute;
  requirePermission(token, 'pools', method);
  if (kind === 'pools' && id !== undefined && sub === 'health' && method === 'GET') return poolHealth(state, account, id);
  if (sub !== undefined) throw noRoute;
  const beforeDelete = (what: 'monitor' | 'pool') => (itemId: string) => assertUnreferenced(what, itemId, account, state.zones.values());
  if (kind === 'monitors') return crud({label: 'Monitor', items: account.monitors, build: buildMonitor, beforeDelete: beforeDelete('monitor')}, method, id, body);
  if (kind === 'pools') {
    const ctx: HostContext = {zoneNames: [...state.zones.values()].filter((z) => z.accountId === account.id).map((z) => z.name), dns: state.dns};
    const build = (input: Json, base: Stamp) => buildPool(input, base, account, ctx);
    return crud({label: 'Pool', items: account.pools, build, beforeDelete: beforeDelete('pool')}, method, id, body);
  }
  throw noRoute;
}

async function readBody(req: IncomingMessage): Promise<{body?: unknown; malformed: boolean}> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {malformed: false};
  try {
    return {body: JSON.parse(text) as unknown, malformed: false};
  } catch {
    return {malformed: true};
  }
}

function authenticate(state: FakeCloudflareState, header: string | undefined): FakeToken | Answer {
  if (!header) return failure(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (!bearer) return failure(400, 6003, 'Invalid request headers');
  return state.tokens.find((t) => t.token === bearer[1]) ?? failure(401, 10000, 'Authentication error');
}

export async function startFakeCloudflare(options: FakeCloudflareOptions = {}): Promise<FakeCloudflare> {
  const state: FakeCloudflareState = {
    tokens: options.tokens ?? structuredClone(DEFAULT_TOKENS),
    accounts: new Map(),
    zones: new Map(),
    poolHealth: new Map(),
    probeDelayMs: options.probeDelayMs ?? 300,
    dns: new Map(Object.entries(options.dns ?? {}).map(([name, addresses]) => [name.toLowerCase(), addresses])),
  };
  const zones = (options.zones ?? []).map((seed) => seedZone(state, seed));
  const requests: RequestLogEntry[] = [];
  const queue: Fault[] = [];
  const random = options.random ?? Math.random;
  let rate: {p: number; statuses: FaultStatus[]; options: Omit<FaultOptions, 'method'>} | undefined;
  let latencyMs = options.latencyMs ?? 0;
  let stalls: StallOptions[] = [];
  const stalled = new Set<ServerResponse>();

  const takeFault = (method: string): Fault | undefined => {
    const i = queue.findIndex((f) => f.method === undefined || f.method === method);
    if (i >= 0) return queue.splice(i, 1)[0];
    if (!rate || random() >= rate.p) return undefined;
    return {...rate.options, status: rate.statuses[Math.floor(random() * rate.statuses.length)] ?? 500};
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = req.method ?? 'GET';
    const {body, malformed} = await readBody(req);
    const entry: RequestLogEntry = {method, path: url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length) : url.pathname, status: 0, at: Date.now()};
    if (body !== undefined) entry.body = body;
    requests.push(entry);
    const send = ({status, body: payload, headers = {}}: Answer) => {
      entry.status = status;
      const text = typeof payload === 'string';
      res.writeHead(status, {'Content-Type': text ? 'text/plain; charset=UTF-8' : 'application/json', 'CF-Ray': `${newId().slice(0, 16)}-AMS`, ...headers});
      res.end(text ? payload : JSON.stringify(payload));
    };

    if (latencyMs > 0) await sleep(latencyMs);
    const stall = stalls.find((st) => (st.method === undefined || st.method === method) && (st.pathIncludes === undefined || entry.path.includes(st.pathIncludes)));
    if (stall) {
      if (stall.afterWrite && !malformed && 'token' in authenticate(state, req.headers.authorization)) {
        try {
          route(state, authenticate(state, req.headers.authorization) as FakeToken, method, url.pathname.slice(BASE_PATH.length).split('/').filter(Boolean).map(decodeURIComponent), body, url.searchParams);
        } catch {
          // the answer is never sent anyway
        }
      }
      stalled.add(res); // accepted, never answered
      return;
    }
    const fault = takeFault(method);
    if (fault && !fault.afterWrite) return send(faultAnswer(fault));
    if (method === 'GET' && url.pathname === `${BASE_PATH}/ips`) {
      const ips = options.ips ?? {ipv4_cidrs: ['192.0.2.0/24'], ipv6_cidrs: ['2001:db8::/32']};
      return send({status: 200, body: {success: true, errors: [], messages: [], result: {...ips, etag: newId().slice(0, 32)}}});
    }
    const token = authenticate(state, req.headers.authorization);
    if (!('token' in token)) return send(token);
    let answer: Answer;
    try {
      if (!url.pathname.startsWith(`${BASE_PATH}/`)) throw new CfError(404, 7000, 'No route for that URI');
      if (malformed) throw new CfError(400, 6007, 'Malformed JSON in request body');
      const segments = url.pathname.slice(BASE_PATH.length).split('/').filter(Boolean).map(decodeURIComponent);
      const zoneLevel = segments[0] === 'zones' && (segments.length === 2 || segments[2] === 'dns_records');
      answer = zoneLevel ? routeZone(state, token, method, segments, body, url.searchParams) : route(state, token, method, segments, body, url.searchParams);
    } catch (err) {
      if (!(err instanceof CfError)) throw err;
      answer = failure(err.status, err.code, err.message);
    }
    send(fault ? faultAnswer(fault) : answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, {'Content-Type': 'application/json'});
      res.end(JSON.stringify({success: false, errors: [{code: 10001, message: `fake server error: ${String(err)}`}], messages: [], result: null}));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const {port} = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    state,
    requests,
    zones,
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(n, status, faultOptions = {}) {
      for (let i = 0; i < n; i++) queue.push({...faultOptions, status});
    },
    failRate(p, {statuses = [429, 500, 502, 503] as FaultStatus[], ...faultOptions} = {}) {
      rate = p > 0 ? {p, statuses, options: faultOptions} : undefined;
    },
    setPoolHealth(poolId, healthy) {
      state.poolHealth.set(poolId, healthy);
    },
    stall(stallOptions = {}) {
      stalls.push(stallOptions);
    },
    setProbeDelay(ms) {
      state.probeDelayMs = ms;
    },
    clearFaults() {
      queue.length = 0;
      rate = undefined;
      stalls = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
