/** `migrate edge setup`: Cloudflare monitor, Heroku and AWS pools, and the load balancer at Heroku 100% / AWS 0%. */
import {MigrateError, usageError} from '../domain/errors.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {AlbLookup} from '../ports/alb.ts';
import type {EdgeBalancer, EdgeSetupResult, EdgeSpec, EdgeView} from '../ports/edge.ts';
import type {StateStore} from '../ports/state.ts';
import {checkCloudflareId, checkHostname} from '../domain/flag-checks.ts';
import {resolveRegion} from '../domain/regions.ts';

export interface EdgeSetupInput {
  app: string;
  zoneId?: string;
  accountId?: string;
  hostname?: string;
  alb?: string;
  region?: string;
  breakLock?: boolean;
}

export interface EdgeDeps {
  state: StateStore;
  edge: () => Promise<EdgeBalancer>;
  alb: (region: string) => Promise<AlbLookup>;
  env: Record<string, string | undefined>;
  onProgress?: (message: string) => void;
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

export async function edgeSetup(input: EdgeSetupInput, deps: EdgeDeps): Promise<EdgeSetupResult & {warnings: string[]; spec: EdgeSpec}> {
  const lock = await deps.state.lock('edge setup', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const appState = await deps.state.readState();
    edgeSpec(input, plan, appState, deps.env); // usage errors before any call
    const alb = input.alb ?? appState.aws?.albArn;
    if (!alb) throw usageError('No AWS load balancer given.', 'Pass --alb ARN (printed by `migrate deploy`): the AWS pool points at its DNS name.');
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    deps.onProgress?.(`Looking up load balancer ${alb} in ${region}`);
    const albInfo = await (await deps.alb(region)).describe(alb);
    const spec = edgeSpec(input, plan, appState, deps.env, albInfo.dnsName);
    const warnings = plan.domains.hostnames.includes(spec.hostname) ? [] : [`${spec.hostname} is not a custom domain in the plan: Heroku answers only for its own domains.`];
    const id = `edge-setup-${spec.namePrefix}`;
    await deps.state.journal({id, op: 'edge-setup', phase: 'intent', details: {zone: spec.zoneId, hostname: spec.hostname, aws: spec.aws.address, heroku: spec.heroku.address}});
    deps.onProgress?.(`Creating or adopting Cloudflare monitor, pools and load balancer for ${spec.hostname}`);
    let result: EdgeSetupResult;
    try {
      result = await (await deps.edge()).ensureSetup(spec);
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
    return {...result, warnings: [...warnings, ...edgeWarnings(v)], spec};
  } finally {
    await lock.release();
  }
}
