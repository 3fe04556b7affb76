/**
 * EdgeBalancer over the official `cloudflare` SDK: a health monitor, a Heroku pool, an AWS pool
 * and a zone load balancer with random steering. Objects are found by name (the monitor, which
 * has no name, by its description), so setup is idempotent and adopts what exists, never
 * touching an adopted load balancer's weights. Creates go out once (POST is not idempotent):
 * when one fails, the list is read again, and an object that landed anyway is taken.
 * Weights always go out as one PATCH holding both pool weights; PATCH replaces `random_steering`
 * as a whole, so a write with one weight would reset the other (docs/facts.md, "Cloudflare Load Balancing").
 * Ids found once are remembered, so a read is two GETs (load balancer, AWS pool).
 * Host headers (docs/facts.md, "Cloudflare: Host header overrides"): the monitor and the AWS
 * origin carry the load-balanced hostname, the Heroku origin the Host the workflow chose.
 */
import {lookup} from 'node:dns/promises';
import {isIP} from 'node:net';
import type {LoadBalancer} from 'cloudflare/resources/load-balancers/load-balancers';
import type {Pool} from 'cloudflare/resources/load-balancers/pools/pools';
import {hostRuleWithoutDns} from '../../domain/edge-hosts.ts';
import {MigrateError} from '../../domain/errors.ts';
import type {EdgeBalancer, EdgeSetupResult, EdgeSpec, EdgeView, PoolHealth} from '../../ports/edge.ts';
import {createCaller, resolveSettings, type CallCounters, type Env} from './client.ts';
import {poolWeights, shareOf, summarizeHealth} from './weights.ts';

export interface EdgeBalancerOptions {
  /** else CLOUDFLARE_API_TOKEN */
  token?: string;
  /** else CLOUDFLARE_BASE_URL, else https://api.cloudflare.com/client/v4 */
  baseUrl?: string;
  /** the SDK's retries of 429/5xx/connection failures (SDK default 2) */
  maxRetries?: number;
  /** the longest `Retry-After` the SDK may wait out before retrying a 429 (default 30 s) */
  maxRetryAfterSeconds?: number;
  env?: Env;
  /** the addresses a name resolves to (default: the system resolver, 5 s; [] when it does not resolve) */
  resolveHost?: (host: string) => Promise<string[]>;
}

const DNS_TIMEOUT_MS = 5000;

async function systemResolve(host: string): Promise<string[]> {
  const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), DNS_TIMEOUT_MS).unref());
  const found = lookup(host, {all: true, verbatim: true}).then(
    (list) => list.map((a) => a.address),
    () => [] as string[],
  );
  return Promise.race([found, timeout]);
}

/** The Host header of an origin record, if it has one. */
const hostOf = (origin: {header?: {Host?: string[]} | null} | undefined) => origin?.header?.Host?.[0];

interface Ids {
  herokuPoolId: string;
  awsPoolId: string;
  loadBalancerId: string;
}

/** Sent with creates: the SDK must not repeat a POST whose answer was lost. */
const ONCE = {maxRetries: 0};

const names = (spec: EdgeSpec) => ({monitor: `${spec.namePrefix}-monitor`, heroku: `${spec.namePrefix}-heroku`, aws: `${spec.namePrefix}-aws`});
const zoneOf = (spec: EdgeSpec) => `zone ${spec.zoneId}`;
const accountOf = (spec: EdgeSpec) => `account ${spec.accountId}`;

function only<T>(items: T[], match: (item: T) => boolean, label: string): T | undefined {
  const found = items.filter(match);
  if (found.length > 1) {
    throw new MigrateError('conflict', `Cloudflare holds ${found.length} ${label}; heroku2aws cannot tell which one is its own.`, {
      hint: 'Delete the extra ones in the Cloudflare dashboard (Traffic > Load Balancing), keeping the one the load balancer uses, then retry.',
    });
  }
  return found[0];
}

function missing(what: string): MigrateError {
  return new MigrateError('not-found', `Cloudflare has no ${what}.`, {hint: 'Run `migrate edge setup` to create it.'});
}

function toView(lb: LoadBalancer, awsPool: Pool, ids: Ids): EdgeView {
  return {
    loadBalancerId: ids.loadBalancerId,
    hostname: lb.name ?? '',
    steeringPolicy: lb.steering_policy ?? '',
    herokuPoolId: ids.herokuPoolId,
    awsPoolId: ids.awsPoolId,
    awsShare: shareOf(lb, ids.awsPoolId),
    fallbackPoolId: lb.fallback_pool ?? '',
    defaultPools: lb.default_pools ?? [],
    awsPoolEnabled: awsPool.enabled ?? true,
    sessionAffinity: lb.session_affinity ?? 'none',
    adaptiveFailover: lb.adaptive_routing?.failover_across_pools ?? false,
  };
}

/** Throws MigrateError('auth') at once when no token can be found, before any request. */
export function createEdgeBalancer(options: EdgeBalancerOptions = {}): EdgeBalancer {
  const settings = resolveSettings({token: options.token, baseUrl: options.baseUrl, env: options.env ?? process.env});
  const counters: CallCounters = {requests: 0, retries: 0};
  const known = new Map<string, Ids>();
  const keyOf = (spec: EdgeSpec) => `${spec.zoneId}/${spec.hostname}`;
  const call = createCaller(settings, counters, {maxRetries: options.maxRetries, maxRetryAfterMs: (options.maxRetryAfterSeconds ?? 30) * 1000});

  const listMonitors = async (spec: EdgeSpec) =>
    (await call(`listing the load balancing monitors of ${accountOf(spec)}`, (cf) => cf.loadBalancers.monitors.list({account_id: spec.accountId}))).result;
  const listPools = async (spec: EdgeSpec) =>
    (await call(`listing the load balancing pools of ${accountOf(spec)}`, (cf) => cf.loadBalancers.pools.list({account_id: spec.accountId}))).result;
  const listLoadBalancers = async (spec: EdgeSpec) =>
    (await call(`listing the load balancers of ${zoneOf(spec)}`, (cf) => cf.loadBalancers.list({zone_id: spec.zoneId}))).result;

  const zoneNames = new Map<string, Promise<string[] | null>>();
  /** The names of the account's zones (all pages), or null when the token may not list them. */
  const accountZones = (accountId: string) => {
    let names = zoneNames.get(accountId);
    if (!names) {
      names = call(`listing the zones of account ${accountId}`, async (cf) => {
        const found: string[] = [];
        for await (const zone of cf.zones.list({account: {id: accountId}, per_page: 50})) found.push(zone.name);
        return found;
      }).catch((err: unknown) => {
        if (err instanceof MigrateError && err.code === 'forbidden') return null;
        zoneNames.delete(accountId);
        throw err;
      });
      zoneNames.set(accountId, names);
    }
    return names;
  };
  const resolveHost = options.resolveHost ?? systemResolve;
  const addressesOf = async (name: string) => (isIP(name) ? [name] : (await resolveHost(name)).map((a) => a.toLowerCase()));

  const monitorNamed = async (spec: EdgeSpec) => only(await listMonitors(spec), (m) => m.description === names(spec).monitor, `monitors described '${names(spec).monitor}'`);
  const poolNamed = (pools: Pool[], name: string) => only(pools, (p) => p.name === name, `pools named '${name}'`);
  const balancerFor = async (spec: EdgeSpec) => only(await listLoadBalancers(spec), (lb) => lb.name === spec.hostname, `load balancers named '${spec.hostname}'`);

  /** Finds both pools and the load balancer by name in the lists, and remembers their ids. */
  async function resolve(spec: EdgeSpec): Promise<{ids: Ids; lb: LoadBalancer; awsPool: Pool}> {
    const n = names(spec);
    const pools = await listPools(spec);
    const heroku = poolNamed(pools, n.heroku);
    const aws = poolNamed(pools, n.aws);
    if (!heroku?.id || !aws?.id) throw missing(`pool '${heroku ? n.aws : n.heroku}' in ${accountOf(spec)}`);
    const lb = await balancerFor(spec);
    if (!lb?.id) throw missing(`load balancer for ${spec.hostname} in ${zoneOf(spec)}`);
    const ids = {herokuPoolId: heroku.id, awsPoolId: aws.id, loadBalancerId: lb.id};
    known.set(keyOf(spec), ids);
    return {ids, lb, awsPool: aws};
  }

  async function readKnown(spec: EdgeSpec, ids: Ids): Promise<EdgeView> {
    const lb = await call(`reading load balancer ${ids.loadBalancerId} (${spec.hostname}) in ${zoneOf(spec)}`, (cf) =>
      cf.loadBalancers.get(ids.loadBalancerId, {zone_id: spec.zoneId}),
    );
    const awsPool = await call(`reading pool ${ids.awsPoolId} (${names(spec).aws}) in ${accountOf(spec)}`, (cf) =>
      cf.loadBalancers.pools.get(ids.awsPoolId, {account_id: spec.accountId}),
    );
    return toView(lb, awsPool, ids);
  }

  async function readPoolHealth(poolId: string, spec: EdgeSpec): Promise<PoolHealth> {
    const health = await call(`reading the health of pool ${poolId} in ${accountOf(spec)}`, (cf) => cf.loadBalancers.pools.health.get(poolId, {account_id: spec.accountId}));
    return summarizeHealth(health);
  }

  return {
    async acceptedHostHeaders(spec, address, hosts) {
      const zones = await accountZones(spec.accountId);
      // unreadable zones: the load balancer's own hostname is on its zone, which holds the pools' account in any usual setup
      const facts = {zoneNames: zones ?? [spec.hostname]};
      const accepted: string[] = [];
      let target: Promise<string[]> | undefined;
      for (const host of hosts) {
        if (hostRuleWithoutDns(host, address, facts)) {
          accepted.push(host);
          continue;
        }
        const [mine, theirs] = await Promise.all([addressesOf(host), (target ??= addressesOf(address))]);
        if (mine.some((a) => theirs.includes(a))) accepted.push(host);
      }
      return {accepted, zonesReadable: zones !== null};
    },

    async ensureSetup(spec, options = {}): Promise<EdgeSetupResult> {
      const n = names(spec);
      const created: string[] = [];
      const adopted: string[] = [];
      const warnings: string[] = [];
      /** An adopted monitor or origin whose Host differs from the one setup would give it is reported, not changed (it may carry traffic). */
      const checkHost = (what: string, live: string | undefined, wanted: string) => {
        if (live?.toLowerCase() !== wanted.toLowerCase()) {
          warnings.push(
            `The adopted ${what} has ${live ? `Host header ${live}` : 'no Host header'}, not ${wanted}: Cloudflare's health checks and requests reach it under the wrong name. Set its Host header to ${wanted} in the Cloudflare dashboard (Traffic > Load Balancing), or delete it and run edge setup again.`,
          );
        }
      };
      /** Adopts `existing`, else creates once; after a failed create, takes the object if it landed anyway. */
      async function ensure<T>(name: string, existing: T | undefined, create: () => Promise<T>, find: () => Promise<T | undefined>): Promise<T> {
        if (existing) {
          adopted.push(name);
          return existing;
        }
        let made: T | undefined;
        try {
          made = await create();
        } catch (err) {
          made = await find().catch(() => undefined);
          if (!made) throw err;
        }
        created.push(name);
        return made;
      }

      const account = {account_id: spec.accountId};
      const createMonitor = () =>
        call(`creating monitor '${n.monitor}' in ${accountOf(spec)}`, (cf) =>
          cf.loadBalancers.monitors.create(
            {
              ...account,
              type: spec.monitor.type,
              description: n.monitor,
              method: 'GET',
              path: spec.monitor.path,
              expected_codes: spec.monitor.expectedCodes,
              interval: spec.monitor.intervalSeconds,
              header: {Host: [spec.hostname]},
            },
            ONCE,
          ),
        );
      const liveMonitor = await monitorNamed(spec);
      if (liveMonitor) checkHost(`monitor '${n.monitor}'`, hostOf(liveMonitor), spec.hostname);
      const monitor = await ensure(n.monitor, liveMonitor, createMonitor, () => monitorNamed(spec));

      const createPool = (name: string, origin: {name: string; address: string; hostHeader: string | null}) =>
        call(`creating pool '${name}' in ${accountOf(spec)}`, (cf) =>
          cf.loadBalancers.pools.create(
            {
              ...account,
              name,
              description: `${origin.name === 'heroku' ? 'Heroku' : 'AWS'} origin of ${spec.hostname} (heroku2aws)`,
              enabled: true,
              minimum_origins: 1,
              monitor: monitor.id,
              origins: [{name: origin.name, address: origin.address, enabled: true, weight: 1, ...(origin.hostHeader ? {header: {Host: [origin.hostHeader]}} : {})}],
            },
            ONCE,
          ),
        );
      const pools = await listPools(spec);
      const ensurePool = async (name: string, origin: Parameters<typeof createPool>[1]) => {
        const live = poolNamed(pools, name);
        if (live && origin.hostHeader) checkHost(`pool '${name}'`, hostOf(live.origins?.find((o) => o.address === origin.address) ?? live.origins?.[0]), origin.hostHeader);
        const pool = await ensure(name, live, () => createPool(name, origin), async () => poolNamed(await listPools(spec), name));
        if (!pool.id) throw new MigrateError('upstream', `Cloudflare answered pool '${name}' without an id.`);
        return {...pool, id: pool.id};
      };
      const heroku = await ensurePool(n.heroku, {name: 'heroku', ...spec.heroku});
      const aws = await ensurePool(n.aws, {name: 'aws', address: spec.aws.address, hostHeader: spec.hostname});

      const createBalancer = () =>
        call(`creating the load balancer for ${spec.hostname} in ${zoneOf(spec)}`, (cf) =>
          cf.loadBalancers.create(
            {
              zone_id: spec.zoneId,
              name: spec.hostname,
              description: `Managed by heroku2aws (${spec.namePrefix})`,
              default_pools: [heroku.id, aws.id],
              fallback_pool: heroku.id,
              proxied: true,
              steering_policy: 'random',
              random_steering: {default_weight: 0, pool_weights: {[heroku.id]: 1, [aws.id]: 0}},
            },
            ONCE,
          ),
        );
      const existingLb = await balancerFor(spec);
      // the load balancer takes over routing for the hostname: the caller may hold it back (health first)
      if (!existingLb) await options.beforeLoadBalancer?.({herokuPoolId: heroku.id, awsPoolId: aws.id});
      const lb = await ensure(spec.hostname, existingLb, createBalancer, () => balancerFor(spec));
      if (!lb.id) throw new MigrateError('upstream', 'Cloudflare answered a load balancer without an id.');
      const pooled = lb.default_pools ?? [];
      if (!pooled.includes(heroku.id) || !pooled.includes(aws.id)) {
        throw new MigrateError('conflict', `The load balancer for ${spec.hostname} in ${zoneOf(spec)} exists but does not use the pools '${n.heroku}' and '${n.aws}'.`, {
          hint: 'heroku2aws does not take over a load balancer it did not set up: delete it, or add both pools to its default pools in the Cloudflare dashboard, then run `migrate edge setup` again.',
        });
      }
      const ids = {herokuPoolId: heroku.id, awsPoolId: aws.id, loadBalancerId: lb.id};
      known.set(keyOf(spec), ids);
      return {created, adopted, view: toView(lb, aws, ids), warnings};
    },

    async read(spec) {
      const ids = known.get(keyOf(spec));
      if (ids) {
        try {
          return await readKnown(spec, ids);
        } catch (err) {
          if (!(err instanceof MigrateError && err.code === 'not-found')) throw err;
          known.delete(keyOf(spec));
        }
      }
      const found = await resolve(spec);
      return toView(found.lb, found.awsPool, found.ids);
    },

    async writeWeights(view, awsShare, spec) {
      const weights = poolWeights(awsShare);
      await call(`writing the pool weights of load balancer ${view.loadBalancerId} (${view.hostname}) in ${zoneOf(spec)}`, (cf) =>
        cf.loadBalancers.edit(view.loadBalancerId, {
          zone_id: spec.zoneId,
          steering_policy: 'random',
          random_steering: {default_weight: 0, pool_weights: {[view.herokuPoolId]: weights.heroku, [view.awsPoolId]: weights.aws}},
        }),
      );
    },

    async setAwsPoolEnabled(view, enabled, spec) {
      await call(`${enabled ? 'enabling' : 'disabling'} pool ${view.awsPoolId} (${names(spec).aws}) in ${accountOf(spec)}`, (cf) =>
        cf.loadBalancers.pools.edit(view.awsPoolId, {account_id: spec.accountId, enabled}),
      );
    },

    awsPoolHealth: (view, spec) => readPoolHealth(view.awsPoolId, spec),
    poolHealth: readPoolHealth,

    async retireHerokuPool(view, spec) {
      await call(`removing pool ${view.herokuPoolId} (${names(spec).heroku}) from load balancer ${view.loadBalancerId} (${view.hostname}) in ${zoneOf(spec)}`, (cf) =>
        cf.loadBalancers.edit(view.loadBalancerId, {
          zone_id: spec.zoneId,
          default_pools: [view.awsPoolId],
          fallback_pool: view.awsPoolId,
          steering_policy: 'random',
          random_steering: {default_weight: 0, pool_weights: {[view.herokuPoolId]: 0, [view.awsPoolId]: 1}},
        }),
      );
      const back = await readKnown(spec, {herokuPoolId: view.herokuPoolId, awsPoolId: view.awsPoolId, loadBalancerId: view.loadBalancerId});
      if (back.defaultPools.join(',') !== view.awsPoolId || back.fallbackPoolId !== view.awsPoolId || back.awsShare !== 100) {
        throw new MigrateError('upstream', `After the write, load balancer ${view.hostname} reads back default pools [${back.defaultPools.join(', ')}], fallback ${back.fallbackPoolId}, AWS ${back.awsShare}%: not the AWS pool alone.`, {
          hint: 'Check the load balancer in the Cloudflare dashboard (Traffic > Load Balancing), then re-run.',
        });
      }
      return back;
    },

    async restoreHerokuPool(view, spec) {
      await call(`adding pool ${view.herokuPoolId} (${names(spec).heroku}) back to load balancer ${view.loadBalancerId} (${view.hostname}) in ${zoneOf(spec)}`, (cf) =>
        cf.loadBalancers.edit(view.loadBalancerId, {
          zone_id: spec.zoneId,
          default_pools: [view.herokuPoolId, view.awsPoolId],
          fallback_pool: view.herokuPoolId,
          steering_policy: 'random',
          random_steering: {default_weight: 0, pool_weights: {[view.herokuPoolId]: 0, [view.awsPoolId]: 1}},
        }),
      );
      const back = await readKnown(spec, {herokuPoolId: view.herokuPoolId, awsPoolId: view.awsPoolId, loadBalancerId: view.loadBalancerId});
      if (!back.defaultPools.includes(view.herokuPoolId) || !back.defaultPools.includes(view.awsPoolId) || back.fallbackPoolId !== view.herokuPoolId || back.awsShare !== 100) {
        throw new MigrateError('upstream', `After the write, load balancer ${view.hostname} reads back default pools [${back.defaultPools.join(', ')}], fallback ${back.fallbackPoolId}, AWS ${back.awsShare}%: the Heroku pool is not back at weight 0.`, {
          hint: 'Check the load balancer in the Cloudflare dashboard (Traffic > Load Balancing), then re-run `migrate finalize --undo`.',
        });
      }
      return back;
    },

    async probeWriteAccess(view, spec, what) {
      if (what === 'load-balancer') {
        const lb = await call(`reading load balancer ${view.loadBalancerId} (${view.hostname}) in ${zoneOf(spec)}`, (cf) => cf.loadBalancers.get(view.loadBalancerId, {zone_id: spec.zoneId}));
        await call(`editing load balancer ${view.loadBalancerId} (${view.hostname}) in ${zoneOf(spec)} (a no-op write of its description)`, (cf) =>
          cf.loadBalancers.edit(view.loadBalancerId, {zone_id: spec.zoneId, description: lb.description ?? ''}),
        );
        return;
      }
      const pool = await call(`reading pool ${view.awsPoolId} (${names(spec).aws}) in ${accountOf(spec)}`, (cf) => cf.loadBalancers.pools.get(view.awsPoolId, {account_id: spec.accountId}));
      await call(`editing pool ${view.awsPoolId} (${names(spec).aws}) in ${accountOf(spec)} (a no-op write of its description)`, (cf) =>
        cf.loadBalancers.pools.edit(view.awsPoolId, {account_id: spec.accountId, description: pool.description ?? ''}),
      );
    },

    stats: () => ({...counters}),
  };
}
