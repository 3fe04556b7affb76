/**
 * `migrate guard install`: arms the guard of an app. Everything is checked before the first
 * write: the confirmation path, --notify, the team state (the guard must journal where the CLI
 * reads: local state is refused), the edge (set up, one guard per app), the plan's gate alarms
 * (they must exist), and the Cloudflare token the guard will use (a read and a no-op write of the
 * load balancer and of the AWS pool). Then: the token into its own secret, the bundle to the
 * state bucket, and the stack `<app>-guard` through a change set, as `migrate deploy` does.
 */
import {createHash} from 'node:crypto';
import {changeSetName, templateBody, stackAction} from '../domain/deploy.ts';
import {MigrateError, usageError} from '../domain/errors.ts';
import {guardStackName, guardTokenSecretName} from '../domain/guard.ts';
import {guardFunctionName, guardStack, guardStackParameters} from '../domain/guard-stack.ts';
import {resolveRegion} from '../domain/regions.ts';
import type {AppState} from '../domain/state.ts';
import type {EdgeBalancer, EdgeSpec, EdgeView} from '../ports/edge.ts';
import type {Clock} from '../ports/files.ts';
import type {AssetStore, GuardBundle, StateLocation} from '../ports/guard.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {SecretStore} from '../ports/secrets.ts';
import type {StackDeployer, StackView} from '../ports/stacks.ts';
import type {StateStore} from '../ports/state.ts';
import {deployStack, type DeployUi, type StackOutcome} from './deploy.ts';
import {TAG_APP, TAG_TOOL} from './secrets-import.ts';
import {specFromState} from './shift.ts';

export interface GuardInstallInput {
  app: string;
  notify?: string;
  /** the environment variable holding the token the guard gets (default CLOUDFLARE_API_TOKEN) */
  tokenEnv?: string;
  region?: string;
  yes?: boolean;
  breakLock?: boolean;
}

export interface GuardInstallDeps {
  state: StateStore;
  location: () => Promise<StateLocation>;
  stacks: (region: string) => Promise<StackDeployer>;
  secrets: (region: string) => Promise<SecretStore>;
  assets: (region: string) => Promise<AssetStore>;
  metrics: (region: string) => Promise<Pick<MetricsGate, 'alarmStates'>>;
  /** the edge adapter with the given token */
  edge: (token: string) => Promise<EdgeBalancer>;
  bundle: () => Promise<GuardBundle>;
  clock: Clock;
  env: Record<string, string | undefined>;
  ui: DeployUi;
}

export interface GuardInstallResult {
  app: string;
  region: string;
  stack: StackOutcome;
  functionName: string;
  alarms: string[];
  tokenSecretArn: string;
  asset: {bucket: string; key: string; uploaded: boolean; bytes: number};
  notify: string | null;
  checks: string[];
  warnings: string[];
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const refuseLocalState = (app: string) =>
  new MigrateError('input', `The state of ${app} is local (files in the plan directory): the guard runs in AWS and must record its trips where every migrate reads them.`, {
    hint: `Move the state to S3 first: migrate state init --app ${app} --bucket BUCKET (docs/team-state.md), then install the guard.`,
  });

/** One guard per app: the recorded one must be this region's stack, and a live stack of that name must be ours. */
function checkOneGuard(app: string, region: string, recorded: AppState['guard'], live: StackView | null): void {
  if (recorded && recorded.region !== region) {
    throw new MigrateError('conflict', `A guard of ${app} is already installed in ${recorded.region} (${recorded.stackName}); two guards would both write the load balancer.`, {
      hint: `Remove it first (migrate guard remove --app ${app} --region ${recorded.region}), or install in ${recorded.region}.`,
    });
  }
  if (live && !recorded && live.status !== 'REVIEW_IN_PROGRESS') {
    throw new MigrateError('conflict', `Stack ${live.stackName} exists in ${region} (${live.status}) but the state of ${app} records no guard: another installation (another plan directory or state) may own it.`, {
      hint: `If it is a leftover, delete it (aws cloudformation delete-stack --region ${region} --stack-name ${live.stackName}), then install again.`,
    });
  }
}

/** A read and a no-op write of the load balancer and of the AWS pool, naming the missing permission. */
async function checkToken(edge: EdgeBalancer, spec: EdgeSpec, source: string): Promise<EdgeView> {
  const need = {
    read: 'Zone > Load Balancers > Read (or Edit)',
    'load-balancer': 'Zone > Load Balancers > Edit',
    pool: 'Account > Load Balancing: Monitors and Pools > Edit (to disable the AWS pool when session affinity is on)',
  } as const;
  const step = async <T>(what: keyof typeof need, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof MigrateError && (err.code === 'forbidden' || err.code === 'auth')) {
        throw new MigrateError(err.code, `The Cloudflare token in ${source} cannot be the guard's: ${err.code === 'auth' ? 'Cloudflare rejects it' : `it lacks ${need[what]}`}. (${err.message})`, {
          hint: `Create a token in the Cloudflare dashboard (My Profile > API Tokens) with ${need['load-balancer']} on the zone and ${need.pool.split(' (')[0]} on the account, put it in ${source}, and run install again.`,
        });
      }
      throw err;
    }
  };
  const view = await step('read', () => edge.read(spec));
  if (!edge.probeWriteAccess) throw new MigrateError('internal', 'The edge adapter cannot check write access.');
  await step('load-balancer', () => edge.probeWriteAccess!(view, spec, 'load-balancer'));
  await step('pool', () => edge.probeWriteAccess!(view, spec, 'pool'));
  return view;
}

export async function guardInstall(input: GuardInstallInput, deps: GuardInstallDeps): Promise<GuardInstallResult> {
  if (!input.yes && !deps.ui.interactive) {
    throw usageError('migrate guard install creates a stack and asks before its change set runs, but there is no terminal to ask.', 'Re-run with --yes to confirm non-interactively.');
  }
  if (input.notify !== undefined && !EMAIL_RE.test(input.notify)) throw usageError(`--notify '${input.notify}' is not an email address.`, 'Pass the address to notify, e.g. --notify ops@example.com.');
  const tokenEnv = input.tokenEnv ?? 'CLOUDFLARE_API_TOKEN';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw usageError(`--token-env '${tokenEnv}' is not an environment variable name.`, 'Pass the name of the variable holding the token, e.g. --token-env GUARD_CLOUDFLARE_TOKEN.');
  const location = await deps.location();
  if (location.type === 'local') throw refuseLocalState(input.app);

  const lock = await deps.state.lock('guard install', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const appState = await deps.state.readState();
    const spec = specFromState(plan, appState);
    const edgeIds = appState.edge!;
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const checks: string[] = [];
    const warnings: string[] = [];
    const stackName = guardStackName(input.app);
    const cfn = await deps.stacks(region);
    const live = await cfn.describeStack(stackName);
    checkOneGuard(input.app, region, appState.guard, live);
    const action = stackAction(stackName, live?.status ?? null, region);
    checks.push(`one guard: ${live ? `${stackName} ${live.status}` : `no ${stackName} yet`} in ${region}`);

    const alarms = plan.cutover.gates.alarms;
    if (alarms.length === 0) throw new MigrateError('input', `The plan of ${input.app} has no gate alarms: the guard would have nothing to react to.`, {hint: 'Re-plan (migrate plan) to get the default gate alarms.'});
    const states = await (await deps.metrics(region)).alarmStates(alarms);
    const missing = alarms.filter((a) => states[a] === 'MISSING');
    if (missing.length) {
      throw new MigrateError('input', `Gate alarms do not exist in ${region}: ${missing.join(', ')}. The guard would wait for alarms that never fire.`, {hint: 'Deploy the stacks first (migrate deploy), which create the alarms.'});
    }
    checks.push(`gate alarms: ${alarms.map((a) => `${a} ${states[a]}`).join(', ')}`);

    const token = deps.env[tokenEnv]?.trim();
    const secrets = await deps.secrets(region);
    const secretName = guardTokenSecretName(input.app);
    const existing = await secrets.describe(secretName);
    if (existing && existing.tags[TAG_APP] !== input.app) {
      throw new MigrateError('conflict', `Secret ${secretName} exists but is not tagged ${TAG_APP}=${input.app}: heroku2aws did not create it.`, {hint: 'Delete or rename it, then install again.'});
    }
    if (!token && Object.keys(existing?.versions ?? {}).length === 0) {
      throw new MigrateError('input', `No Cloudflare token for the guard: ${tokenEnv} is not set and secret ${secretName} does not exist.`, {
        hint: `Set ${tokenEnv} to a Cloudflare API token with Zone > Load Balancers > Edit and Account > Load Balancing: Monitors and Pools > Edit (ideally one made for the guard), then install again.`,
      });
    }
    if (token) {
      const view = await checkToken(await deps.edge(token), spec, tokenEnv);
      if (view.loadBalancerId !== edgeIds.loadBalancerId) {
        throw new MigrateError('conflict', `The load balancer for ${spec.hostname} is ${view.loadBalancerId}, but edge setup recorded ${edgeIds.loadBalancerId}.`, {hint: `Run migrate edge setup --app ${input.app} again, then install the guard.`});
      }
      checks.push(`Cloudflare token (${tokenEnv}): reads the load balancer, edits it and the AWS pool (no-op writes)`);
    } else {
      warnings.push(`${tokenEnv} is not set: the guard keeps the token already in ${secretName}, which was not checked again.`);
    }
    const bundle = await deps.bundle();
    const sha = createHash('sha256').update(bundle.zip).digest('hex');
    if (sha !== bundle.sha256) throw new MigrateError('internal', 'The guard bundle does not match its recorded sha256.', {hint: 'Rebuild it: npm run build.'});

    // --- writes from here on ---
    const id = `guard-install-${deps.clock.now().toISOString().replace(/[:.]/g, '-')}`;
    await deps.state.journal({id, op: 'guard-install', phase: 'intent', details: {stack: stackName, region, alarms, loadBalancerId: edgeIds.loadBalancerId, bundle: sha}});
    let tokenSecretArn = existing?.arn ?? '';
    if (!existing) tokenSecretArn = (await secrets.create(secretName, {tags: {[TAG_APP]: input.app, [TAG_TOOL]: 'heroku2aws'}, description: `Cloudflare API token of the heroku2aws guard of ${input.app} (read only by the guard function)`})).arn;
    if (token) await secrets.putVersion(tokenSecretArn, token, `${id}-token`.slice(0, 64), 'AWSCURRENT');
    const key = `${location.prefix ? `${location.prefix}/` : ''}${input.app}/guard/${sha}.zip`;
    const uploaded = await (await deps.assets(region)).put(location.bucket, key, bundle.zip);

    const template = guardStack({app: input.app, alarms, edge: {zoneId: edgeIds.zoneId, accountId: edgeIds.accountId, hostname: edgeIds.hostname, namePrefix: edgeIds.namePrefix, loadBalancerId: edgeIds.loadBalancerId, herokuPoolId: edgeIds.herokuPoolId, awsPoolId: edgeIds.awsPoolId}});
    const parameters = guardStackParameters({app: input.app, codeBucket: location.bucket, codeKey: key, tokenSecretArn, notifyEmail: input.notify, stateBucket: location.bucket, statePrefix: location.prefix});
    const outcomes: StackOutcome[] = [];
    let stack: StackOutcome;
    try {
      stack = await deployStack(
        {input: {app: input.app, yes: input.yes, allowReplace: false}, deps, region, image: `guard bundle sha256:${sha.slice(0, 12)}`, cfn, live: new Map([[stackName, live]]), outcomes, csName: changeSetName(deps.clock.now())},
        {stackName, part: 'guard', kind: 'guard'},
        action,
        parameters,
        templateBody(stackName, template),
      );
    } catch (err) {
      await deps.state.journal({id, op: 'guard-install', phase: 'result', ok: false, details: {stack: stackName, error: (err as Error).message}});
      throw err;
    }
    const functionName = stack.outputs.FunctionName || guardFunctionName(input.app);
    await deps.state.writeState({
      ...(await deps.state.readState()),
      guard: {stackName, stackId: stack.stackId, region, functionName, loadBalancerId: edgeIds.loadBalancerId, alarms, tokenSecretArn, installedAt: deps.clock.now().toISOString(), codeSha256: sha},
    });
    await deps.state.journal({id, op: 'guard-install', phase: 'result', ok: true, details: {stack: stackName, result: stack.result, functionName}});
    if (input.notify) warnings.push(`AWS sends ${input.notify} a confirmation email: the subscription is active once it is confirmed.`);
    return {app: input.app, region, stack, functionName, alarms, tokenSecretArn, asset: {bucket: location.bucket, key, uploaded: uploaded.uploaded, bytes: bundle.zip.length}, notify: input.notify ?? null, checks, warnings};
  } finally {
    await lock.release();
  }
}
