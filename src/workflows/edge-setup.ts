/** `migrate edge setup`: Cloudflare monitor, Heroku and AWS pools, and the load balancer at Heroku 100% / AWS 0%. */
import {MigrateError, usageError} from '../domain/errors.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {AlbLookup} from '../ports/alb.ts';
import type {EdgeBalancer, EdgeSetupResult, EdgeSpec, EdgeView} from '../ports/edge.ts';
import type {StateStore} from '../ports/state.ts';
import {checkCloudflareId, checkHostname} from '../domain/flag-checks.ts';
import {resolveRegion} from '../domain/regions.ts';
import {chooseHerokuHost, herokuHostCandidates} from '../domain/edge-hosts.ts';

export interface EdgeSetupInput {
  app: string;
  zoneId?: string;
  accountId?: string;
  hostname?: string;
  alb?: string;
  region?: string;
  breakLock?: boolean;
  /** validate and show what would be created; no Cloudflare write */
  dryRun?: boolean;
  /** how long to wait for Cloudflare to report the Heroku pool healthy (default 5 minutes) */
  healthTimeoutMs?: number;
}

export interface EdgeDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  alb: (region: string) => Promise<AlbLookup>;
  env: Record<string, string | undefined>;
  /** asked before the first Cloudflare write (the command prompts or checks --yes) */
  confirm: (summary: string) => Promise<void>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  onProgress?: (message: string) => void;
}

/** how often the Heroku pool's health is read while waiting (Cloudflare monitors probe every 15-60 s; see docs/cutover.md) */
const HEALTH_POLL_MS = 1_000;
const DEFAULT_HEALTH_TIMEOUT_MS = 5 * 60_000;

/**
 * Before the load balancer takes over the hostname: wait (bounded, with progress) until
 * Cloudflare's monitor reports the Heroku pool healthy; unhealthy or no verdict in time stops
 * the setup with nothing attached to the hostname.
 */
async function waitForHerokuHealthy(edge: EdgeBalancer, spec: EdgeSpec, poolId: string, input: EdgeSetupInput, deps: EdgeDeps): Promise<void> {
  const timeout = input.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const started = deps.now();
  const fix = `Check that ${spec.heroku.address} answers ${spec.monitor.path} with 2xx over HTTPS for Host ${spec.heroku.hostHeader ?? spec.hostname} (a custom domain of the Heroku app), then re-run migrate edge setup: the monitor and pools are kept and adopted.`;
  for (;;) {
    const health = await edge.poolHealth(poolId, spec);
    const waited = deps.now() - started;
    if (health === 'healthy') {
      deps.onProgress?.(`Cloudflare reports the Heroku pool healthy (after ${Math.round(waited / 1000)} s)`);
      return;
    }
    if (health === 'unhealthy') {
      throw new MigrateError('upstream', `Cloudflare reports the Heroku pool (${spec.heroku.address}) unhealthy: the load balancer was not created, nothing is attached to ${spec.hostname}.`, {hint: fix});
    }
    if (waited >= timeout) {
      throw new MigrateError('upstream', `Cloudflare reported no health for the Heroku pool within ${Math.round(timeout / 1000)} s: the load balancer was not created, nothing is attached to ${spec.hostname}.`, {
        hint: `Monitors probe every 15-60 s; re-run with a longer --health-timeout. ${fix}`,
      });
    }
    deps.onProgress?.(`Waiting for Cloudflare to report the Heroku pool healthy: ${health}, ${Math.round(waited / 1000)} s of ${Math.round(timeout / 1000)} s`);
    await deps.sleep(Math.min(HEALTH_POLL_MS, Math.max(1, timeout - waited)));
  }
}

export function edgeWarnings(view: EdgeView): string[] {
  const w: string[] = [];
  if (view.sessionAffinity && view.sessionAffinity !== 'none') {
    w.push(
      `Session affinity is '${view.sessionAffinity}': pinned users do not move when weights change, so a rollback also disables the AWS pool. Consider turning affinity off for the cutover.`,
    );
  }
  if (view.adaptiveFailover) {
    w.push('Adaptive routing (failover across pools) is on: Cloudflare retries failed requests on the Heroku pool, hiding AWS errors from CloudWatch gates.');
  }
  if (view.steeringPolicy !== 'random') w.push(`The load balancer's steering policy is '${view.steeringPolicy}'; the cutover sets 'random' on its first weight change.`);
  if (view.awsShare > 0) w.push(`The AWS pool already has ${view.awsShare}% of the traffic (an adopted load balancer keeps its weights).`);
  return w;
}

/** The Cloudflare objects for this app, from flags, the environment and what the state already knows. */
export function edgeSpec(input: EdgeSetupInput, plan: Plan, appState: AppState, env: Record<string, string | undefined>, awsAddress = ''): EdgeSpec {
  const zoneId = input.zoneId ?? env.CLOUDFLARE_ZONE_ID ?? appState.edge?.zoneId;
  const accountId = input.accountId ?? env.CLOUDFLARE_ACCOUNT_ID ?? appState.edge?.accountId;
  if (!zoneId) throw usageError('No Cloudflare zone given.', 'Pass --zone ZONE_ID (or set CLOUDFLARE_ZONE_ID): the zone of the app hostname.');
  if (!accountId) throw usageError('No Cloudflare account given.', 'Pass --account ACCOUNT_ID (or set CLOUDFLARE_ACCOUNT_ID): pools and monitors live in the account.');
  checkCloudflareId(zoneId, input.zoneId !== undefined ? '--zone' : 'The zone id');
  checkCloudflareId(accountId, input.accountId !== undefined ? '--account' : 'The account id');
  const hostname = input.hostname ?? appState.edge?.hostname ?? plan.domains.hostnames.find((h) => !h.startsWith('*.'));
  if (!hostname) {
    throw new MigrateError('input', 'The plan has no custom domain to put the Cloudflare load balancer on.', {
      hint: `Add one to the Heroku app and re-plan, or pass --hostname (it must be a custom domain of the Heroku app, on zone ${zoneId}).`,
    });
  }
  checkHostname(hostname, input.hostname !== undefined ? '--hostname' : 'The hostname');
  return {
    zoneId,
    accountId,
    hostname,
    namePrefix: `heroku2aws-${plan.app.name}`,
    monitor: {path: plan.aws.healthCheck.path, expectedCodes: '2xx', intervalSeconds: 60, type: 'https'},
    heroku: {address: plan.domains.herokuOrigin, hostHeader: plan.domains.herokuHostHeader ?? hostname},
    aws: {address: awsAddress},
  };
}

/**
 * The Heroku origin's Host header (the load-balanced hostname when Heroku serves it, else a
 * custom domain of the app Cloudflare accepts), and a check that Cloudflare accepts the AWS
 * origin's (the hostname): reads only, so a refusal comes before anything is created.
 */
async function originHosts(spec: EdgeSpec, plan: Plan, edge: EdgeBalancer): Promise<{spec: EdgeSpec; warnings: string[]}> {
  const candidates = herokuHostCandidates(spec.hostname, plan.domains.hostnames);
  const heroku = await edge.acceptedHostHeaders(spec, spec.heroku.address, candidates);
  const choice = chooseHerokuHost(spec.hostname, candidates, heroku.accepted, heroku.zonesReadable);
  const aws = await edge.acceptedHostHeaders(spec, spec.aws.address, [spec.hostname]);
  if (aws.zonesReadable && aws.accepted.length === 0) {
    throw new MigrateError('input', `${spec.hostname} is not on a zone of Cloudflare account ${spec.accountId}: Cloudflare would refuse it as the AWS origin's Host header.`, {
      hint: 'Pass the account that holds the zone of the hostname (--account), or a hostname on one of its zones (--hostname). Nothing was created.',
    });
  }
  return {spec: {...spec, heroku: {...spec.heroku, hostHeader: choice.hostHeader}}, warnings: choice.warnings};
}

export type EdgeSetupOutcome = EdgeSetupResult & {warnings: string[]; spec: EdgeSpec; dryRun: boolean; summary: string};

export async function edgeSetup(input: EdgeSetupInput, deps: EdgeDeps): Promise<EdgeSetupOutcome> {
  if (input.healthTimeoutMs !== undefined && !(input.healthTimeoutMs > 0)) throw usageError('--health-timeout must be positive.', 'Give a duration such as 5m.');
  const lock = input.dryRun ? null : await deps.state.lock('edge setup', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const appState = await deps.state.readState();
    edgeSpec(input, plan, appState, deps.env); // usage errors before any call
    const alb = input.alb ?? appState.aws?.albArn;
    if (!alb) throw usageError('No AWS load balancer given.', 'Pass --alb ARN (printed by `migrate deploy`): the AWS pool points at its DNS name.');
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const albInfo = await (await deps.alb(region)).describe(alb);
    const base = edgeSpec(input, plan, appState, deps.env, albInfo.dnsName);
    const edge = await deps.edge();
    const {spec, warnings} = await originHosts(base, plan, edge);
    const what = `Create or adopt the Cloudflare monitor and pools for ${plan.app.name} (Heroku ${spec.heroku.address} with Host ${spec.heroku.hostHeader ?? spec.hostname}, AWS ${spec.aws.address}), wait until Cloudflare reports the Heroku pool healthy, then put a load balancer on ${spec.hostname} at Heroku 100% / AWS 0%: it takes over routing for that hostname`;
    if (input.dryRun) return {created: [], adopted: [], view: dryView(spec), warnings, spec, dryRun: true, summary: what};
    await deps.confirm(what);
    const id = `edge-setup-${spec.namePrefix}`;
    await deps.state.journal({id, op: 'edge-setup', phase: 'intent', details: {zone: spec.zoneId, hostname: spec.hostname, aws: spec.aws.address, heroku: spec.heroku.address}});
    deps.onProgress?.(`Creating or adopting Cloudflare monitor, pools and load balancer for ${spec.hostname}`);
    let result: EdgeSetupResult;
    try {
      result = await edge.ensureSetup(spec, {beforeLoadBalancer: ({herokuPoolId}) => waitForHerokuHealthy(edge, spec, herokuPoolId, input, deps)});
    } catch (err) {
      await deps.state.journal({id, op: 'edge-setup', phase: 'result', ok: false, details: {error: (err as Error).message}});
      throw err;
    }
    const v = result.view;
    await deps.state.journal({id, op: 'edge-setup', phase: 'result', ok: true, details: {created: result.created, adopted: result.adopted, awsShare: v.awsShare}});
    await deps.state.writeState({
      ...appState,
      aws: {albArn: albInfo.arn, albDnsName: albInfo.dnsName, albFullName: albInfo.fullName},
      edge: {
        zoneId: spec.zoneId,
        accountId: spec.accountId,
        hostname: spec.hostname,
        namePrefix: spec.namePrefix,
        loadBalancerId: v.loadBalancerId,
        herokuPoolId: v.herokuPoolId,
        awsPoolId: v.awsPoolId,
        monitorPath: spec.monitor.path,
        herokuAddress: spec.heroku.address,
        herokuHostHeader: spec.heroku.hostHeader,
      },
    });
    return {...result, warnings: [...warnings, ...(result.warnings ?? []), ...edgeWarnings(v)], spec, dryRun: false, summary: what};
  } finally {
    await lock?.release();
  }
}

/** what a dry run reports: the load balancer as setup would create it (ids unknown yet) */
function dryView(spec: EdgeSpec): EdgeView {
  return {loadBalancerId: '(new)', hostname: spec.hostname, steeringPolicy: 'random', herokuPoolId: `${spec.namePrefix}-heroku`, awsPoolId: `${spec.namePrefix}-aws`, awsShare: 0, fallbackPoolId: `${spec.namePrefix}-heroku`, defaultPools: [], awsPoolEnabled: true, sessionAffinity: 'none', adaptiveFailover: false};
}
