/**
 * `migrate deploy`: the plan's stacks through CloudFormation change sets, in deploy order
 * (network when asked, shared, release, services). Each change set is shown and confirmed
 * before it runs; stateful replacements need --allow-replace; the release phase runs as a
 * one-off ECS task between the release stack and the services and must exit 0.
 *
 * Before anything is written it checks: the confirmation path (--yes or a terminal), the
 * flags, the imported secret (exists, not being deleted, holds exactly the keys the plan's task
 * definitions reference), every stack's state, and that no parameter is left unfilled.
 */
import {
  changeSetName,
  checkCertificateArn,
  checkImageUri,
  checkVpc,
  countsText,
  eventLine,
  failureReasons,
  fillParameters,
  KEEP_LIVE_PARAMETERS,
  listNames,
  PARAMETER_SOURCES,
  parseSubnets,
  reusable,
  secretDrift,
  stackAction,
  summarizeChanges,
  templateBody,
  arnRegion,
  type ChangeSummary,
  type ResourceChange,
  type StackAction,
  type StackEvent,
} from '../domain/deploy.ts';
import {MigrateError, usageError} from '../domain/errors.ts';
import type {Plan} from '../domain/plan.ts';
import {parseSecretJson} from '../domain/secret-content.ts';
import {buildStacks, deployOrder, unfilledParameters, type StackBlocks, type StackDoc, type StackKind, type StackParameter} from '../domain/stacks/index.ts';
import type {AppState} from '../domain/state.ts';
import type {Clock} from '../ports/files.ts';
import type {KeyChecker, SecretStore} from '../ports/secrets.ts';
import type {StackDeployer, StackView} from '../ports/stacks.ts';
import type {StateStore} from '../ports/state.ts';
import type {TaskRunner} from '../ports/tasks.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import {planDrift} from '../domain/plan-drift.ts';
import {discoverApp} from './discover.ts';
import {runReleasePhase, type ReleaseOutcome} from './release-phase.ts';
import {recordedCertificate} from '../domain/certificates.ts';
import {resolveRegion} from '../domain/regions.ts';
import {TAG_APP, TAG_TOOL} from './secrets-import.ts';

export type {ReleaseOutcome} from './release-phase.ts';

export interface DeployInput {
  app: string;
  image?: string;
  certificateArn?: string;
  vpc?: string;
  /** comma-separated subnet ids, as given */
  publicSubnets?: string;
  privateSubnets?: string;
  createNetwork?: boolean;
  allowReplace?: boolean;
  allowDrift?: boolean;
  /** do not compare the plan with the live Heroku app */
  skipHerokuCheck?: boolean;
  yes?: boolean;
  /** show every change set and delete it: nothing executed, no release task, no state written (CI on pull requests) */
  review?: boolean;
  region?: string;
  breakLock?: boolean;
}

export interface ChangeSetReview {
  stackName: string;
  part: string;
  action: StackAction;
  changeSetId: string;
  changes: ResourceChange[];
  summary: ChangeSummary;
  templateMinified: boolean;
}

export type Report = (line: string, data?: Record<string, unknown>) => void;

/** How the deploy talks to the operator (terminal, CI log or --json); the command provides it. */
export interface DeployUi {
  /** a terminal can answer prompts */
  interactive: boolean;
  showChangeSet(review: ChangeSetReview): void;
  confirm(question: string): Promise<boolean>;
  /** runs one long step with progress (listr2 in a terminal, timestamped lines otherwise) */
  track<T>(title: string, run: (report: Report) => Promise<T>): Promise<T>;
  note(message: string): void;
}

export interface DeployDeps {
  state: StateStore;
  stacks: (region: string) => Promise<StackDeployer>;
  tasks: (region: string) => Promise<TaskRunner>;
  secrets: (region: string) => Promise<SecretStore>;
  keys: (region: string) => Promise<KeyChecker>;
  stackBlocks: () => Promise<StackBlocks>;
  clock: Clock;
  env: Record<string, string | undefined>;
  ui: DeployUi;
  /** the live Heroku app, when a Heroku token is configured (null otherwise) */
  heroku?: () => Promise<HerokuSource | null>;
}

export interface StackOutcome {
  stackName: string;
  part: string;
  kind: StackKind | 'guard';
  result: 'created' | 'updated' | 'no changes' | 'reviewed' | 'not previewed';
  changeSetId: string | null;
  changes: ResourceChange[];
  status: string;
  stackId: string;
  outputs: Record<string, string>;
  events: StackEvent[];
}

export interface DeployResult {
  app: string;
  region: string;
  imageUri: string;
  stacks: StackOutcome[];
  release: ReleaseOutcome | null;
  /** the load balancer recorded in the state (for `migrate edge setup`) */
  alb: NonNullable<AppState['aws']> | null;
  /** false when nothing was changed anywhere */
  changed: boolean;
  /** what was compared before deploying */
  checks: string[];
  /** --review: change sets shown and deleted, nothing executed */
  review?: boolean;
  warnings: string[];
}

/** What running one stack's change set needs (deploy, and `migrate guard install`). */
export interface ChangeSetContext {
  input: Pick<DeployInput, 'app' | 'allowReplace' | 'yes' | 'review'>;
  deps: Pick<DeployDeps, 'state' | 'ui'>;
  region: string;
  /** what is deployed, for the change set's description and the journal (an image, a bundle) */
  image: string;
  cfn: StackDeployer;
  live: Map<string, StackView | null>;
  outcomes: StackOutcome[];
  csName: string;
}

interface Context extends ChangeSetContext {
  input: DeployInput;
  deps: DeployDeps;
  plan: Plan;
}

const NETWORK_KEYS = ['VpcId', 'PublicSubnetIds', 'PrivateSubnetIds'] as const;

export async function deploy(input: DeployInput, deps: DeployDeps): Promise<DeployResult> {
  if (!input.yes && !input.review && !deps.ui.interactive) {
    throw usageError('migrate deploy changes live stacks and asks before each change set, but there is no terminal to ask.', 'Re-run with --yes to confirm non-interactively, or run it in a terminal to review and confirm each change set.');
  }
  const network = networkFlags(input);
  const lock = await deps.state.lock('deploy', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    let appState = await deps.state.readState();
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const image = input.image ?? appState.deploy?.imageUri;
    if (!image) {
      throw usageError('No container image given.', 'Pass --image REGISTRY/REPOSITORY:TAG: build the app with Cloud Native Buildpacks or its Dockerfile and push it to ECR (README, "Deploying").');
    }
    checkImageUri(image);
    if (input.certificateArn) checkCertificateArn(input.certificateArn, region);
    const warnings: string[] = [];
    const checks: string[] = [];
    await checkHerokuDrift(input, deps, plan, warnings, checks);
    const secret = await checkSecret(input, deps, plan, appState, warnings, checks);
    const set = buildStacks(plan, await deps.stackBlocks(), {extraSecretKeys: secret.extraKeys});
    const order = deployOrder(set, input.createNetwork ?? false);
    const web = plan.services.some((s) => s.loadBalanced);
    if (!web && (input.certificateArn || input.publicSubnets)) warnings.push('The plan has no web process, so no load balancer: --certificate-arn and --public-subnets are not used.');

    const cfn = await deps.stacks(region);
    const live = new Map<string, StackView | null>();
    for (const doc of [set.network, ...deployOrder(set)]) live.set(doc.stackName, await cfn.describeStack(doc.stackName));
    const actions = new Map(order.map((doc) => [doc.stackName, stackAction(doc.stackName, live.get(doc.stackName)?.status ?? null, region)] as const));
    checks.push(`stack states: ${order.map((d) => `${d.stackName} ${live.get(d.stackName)?.status ?? 'absent'}`).join(', ')}`);
    const bodies = new Map(order.map((doc) => [doc.stackName, templateBody(doc.stackName, doc.template)] as const));

    const liveNetwork = live.get(set.network.stackName)?.outputs ?? {};
    const valuesFor = (doc: StackDoc, networkOutputs: Record<string, string> | null): StackParameter[] => {
      const prev = live.get(doc.stackName)?.parameters ?? {};
      const values: Record<string, string | undefined> = {ImageUri: image, SecretArn: secret.arn, KmsKeyArn: secret.kmsKeyArn};
      if (doc.kind === 'shared') {
        values.CertificateArn = input.certificateArn ?? recordedCertificate(appState.certificate, region) ?? reusable('CertificateArn', prev.CertificateArn);
        for (const key of NETWORK_KEYS) values[key] = network[key] ?? (networkOutputs ? networkOutputs[key] : (reusable(key, prev[key]) ?? liveNetwork[key]));
      }
      if (actions.get(doc.stackName) === 'update') for (const key of KEEP_LIVE_PARAMETERS) values[key] = prev[key];
      return fillParameters(doc.parameters, values);
    };
    const unfilled = order.flatMap((doc) =>
      unfilledParameters(valuesFor(doc, null))
        .filter((key) => !(input.createNetwork && doc.kind === 'shared' && (NETWORK_KEYS as readonly string[]).includes(key)))
        .map((key) => ({key, stack: doc.stackName})),
    );
    if (unfilled.length > 0) {
      const sources = [...new Set(unfilled.map((u) => PARAMETER_SOURCES[u.key] ?? `a value for ${u.key}`))];
      throw usageError(
        `Missing values for ${unfilled.map((u) => `${u.key} (${u.stack})`).join(', ')}: the plan cannot know them.`,
        `Pass ${sources.join(', ')}. Nothing was changed.`,
      );
    }

    const ctx: Context = {input, deps, plan, region, image, cfn, live, outcomes: [], csName: changeSetName(deps.clock.now())};
    let networkOutputs: Record<string, string> | null = null;
    let sharedOutputs: Record<string, string> = {};
    let release: ReleaseOutcome | null = null;
    let alb: DeployResult['alb'] = appState.aws ?? null;
    for (const doc of order) {
      const parameters = valuesFor(doc, doc.kind === 'shared' && input.createNetwork ? (networkOutputs ?? {}) : null);
      const missing = unfilledParameters(parameters);
      if (missing.length > 0) {
        throw new MigrateError('aws', `Stack ${set.network.stackName} did not give ${missing.join(', ')} for ${doc.stackName}.`, {hint: 'Check the network stack\'s outputs (aws cloudformation describe-stacks), or pass --vpc and the subnets.'});
      }
      const outcome = await deployStack(ctx, doc, actions.get(doc.stackName) as StackAction, parameters, bodies.get(doc.stackName) as {body: string; minified: boolean});
      if (doc.kind === 'network') networkOutputs = outcome.outputs;
      if (doc.kind === 'shared') {
        sharedOutputs = outcome.outputs;
        const o = outcome.outputs;
        if (o.LoadBalancerArn && o.LoadBalancerDnsName && o.LoadBalancerFullName) {
          alb = {albArn: o.LoadBalancerArn, albDnsName: o.LoadBalancerDnsName, albFullName: o.LoadBalancerFullName};
          if (JSON.stringify(appState.aws) !== JSON.stringify(alb)) {
            appState = {...appState, aws: alb};
            await deps.state.writeState(appState); // now, so `edge setup` finds the ALB even if a later stack fails
          }
        } else if (web) {
          deps.ui.note(`${doc.stackName} has no load balancer outputs: the state does not record the ALB.`);
          warnings.push(`Stack ${doc.stackName} has no LoadBalancerArn/DnsName/FullName outputs, so the state does not record the ALB: pass --alb to migrate edge setup.`);
        }
      }
      if (doc.kind === 'release' && !input.review) {
        release = await runReleasePhase({
          deps,
          plan,
          region,
          token: `${ctx.csName}-release`,
          releasedBefore: appState.deploy?.releaseTaskDefinitionArn,
          shared: {stackName: set.shared.stackName, outputs: sharedOutputs},
          release: {stackName: doc.stackName, outputs: outcome.outputs},
        });
      }
    }

    const changed = ctx.outcomes.some((o) => o.result === 'created' || o.result === 'updated') || (release?.ran ?? false);
    if (!input.review && (changed || appState.deploy?.imageUri !== image)) {
      const stacks = Object.fromEntries(ctx.outcomes.map((o) => [o.stackName, {stackId: o.stackId, outputs: o.outputs}]));
      const releaseArn = release?.taskDefinitionArn;
      await deps.state.writeState({
        ...appState,
        deploy: {imageUri: image, deployedAt: deps.clock.now().toISOString(), stacks: {...appState.deploy?.stacks, ...stacks}, ...(releaseArn ? {releaseTaskDefinitionArn: releaseArn} : {})},
      });
    }
    return {app: input.app, region, imageUri: image, stacks: ctx.outcomes, release, alb, changed, checks, warnings, ...(input.review ? {review: true} : {})};
  } finally {
    await lock.release();
  }
}

function networkFlags(input: DeployInput): Partial<Record<(typeof NETWORK_KEYS)[number], string>> {
  const given = [input.vpc, input.publicSubnets, input.privateSubnets].some((v) => v !== undefined);
  if (input.createNetwork && given) {
    throw usageError('--create-network makes a new VPC; it cannot be combined with --vpc, --public-subnets or --private-subnets.', 'Pass either your VPC and subnets, or --create-network.');
  }
  return {
    ...(input.vpc !== undefined ? {VpcId: checkVpc(input.vpc)} : {}),
    ...(input.publicSubnets !== undefined ? {PublicSubnetIds: parseSubnets('--public-subnets', input.publicSubnets).join(',')} : {}),
    ...(input.privateSubnets !== undefined ? {PrivateSubnetIds: parseSubnets('--private-subnets', input.privateSubnets).join(',')} : {}),
  };
}

/**
 * The secret the task definitions read: it must exist, hold every key the plan references
 * (ECS refuses to start a task whose secret lacks a key) and no key the plan does not know
 * (then the plan is older than the secret's key set). Only key names are kept.
 */
/** A plan older than the Heroku app would deploy yesterday's app: refuse, naming what changed. */
async function checkHerokuDrift(input: DeployInput, deps: DeployDeps, plan: Plan, warnings: string[], checks: string[]) {
  if (input.skipHerokuCheck || plan.app.origin !== 'heroku') {
    checks.push(`Heroku drift: not checked (${input.skipHerokuCheck ? '--skip-heroku-check' : 'the plan was made from app.json'})`);
    return;
  }
  const heroku = await deps.heroku?.();
  if (!heroku) {
    warnings.push('No Heroku token: the plan was not compared with the live Heroku app (set HEROKU_API_KEY, or pass --skip-heroku-check to say so).');
    checks.push('Heroku drift: not checked (no Heroku token)');
    return;
  }
  const drift = planDrift(plan, await discoverApp(heroku, input.app));
  checks.push(`Heroku drift: the plan matches the live app's process types, add-ons and config var names`);
  if (drift.length) {
    checks.pop();
    throw new MigrateError('conflict', `The plan is older than the Heroku app: ${drift.slice(0, 8).join('; ')}${drift.length > 8 ? ` and ${drift.length - 8} more` : ''}.`, {
      hint: `Re-plan (migrate plan --app ${input.app}), review the change, re-import the secret, then deploy; or --skip-heroku-check if you mean to deploy the older plan.`,
    });
  }
}

async function checkSecret(input: DeployInput, deps: DeployDeps, plan: Plan, appState: AppState, warnings: string[], checks: string[]) {
  const recorded = appState.secret;
  if (!recorded) {
    throw new MigrateError('input', `No secret is recorded for ${input.app}: the containers read their config vars from the secret that \`migrate secrets import\` writes.`, {
      hint: `Run migrate secrets import --app ${input.app} first (see migrate secrets import --help).`,
    });
  }
  const secretRegion = arnRegion(recorded.arn);
  const store = await deps.secrets(secretRegion);
  const desc = await store.describe(recorded.arn);
  if (!desc) {
    throw new MigrateError('not-found', `Secret ${recorded.name} (${recorded.arn}), recorded by migrate secrets import, does not exist.`, {hint: `Re-run migrate secrets import --app ${input.app}.`});
  }
  if (desc.deletedDate) {
    throw new MigrateError('conflict', `Secret ${recorded.name} is scheduled for deletion (${desc.deletedDate.toISOString()}).`, {
      hint: `Restore it (aws secretsmanager restore-secret --secret-id ${recorded.name} --region ${secretRegion}) before deploying.`,
    });
  }
  const remapped = Object.values(appState.addons ?? {}).flatMap((a) => Object.entries(a.remaps).filter(([, r]) => r.active).map(([k]) => k));
  const kmsKeyArn = desc.kmsKeyId && !/alias\/aws\/secretsmanager$/.test(desc.kmsKeyId) ? (await (await deps.keys(secretRegion)).checkKey(desc.kmsKeyId)).arn : '';
  if (input.review) {
    checks.push(`secret ${recorded.name}: exists; key names not compared (review mode reads no secret value)`);
    return {arn: desc.arn, kmsKeyArn, extraKeys: remapped.filter((k) => !plan.secret.keys.includes(k)).sort()};
  }
  const current = await store.getValue(desc.arn);
  if (!current) throw new MigrateError('input', `Secret ${recorded.name} has no current version.`, {hint: `Re-run migrate secrets import --app ${input.app}.`});
  const keys = Object.keys(parseSecretJson(current.value, recorded.name)); // the values go no further than this line
  if (current.versionId !== recorded.versionId) {
    warnings.push(`The current version of ${recorded.name} (${current.versionId}) is not the one migrate secrets import recorded (${recorded.versionId}): it was changed outside heroku2aws.`);
  }
  const drift = secretDrift(plan.secret.keys, keys, remapped);
  checks.push(`secret ${recorded.name}: ${keys.length} keys in version ${current.versionId}; the plan's task definitions reference ${plan.secret.keys.length + drift.extra.length}`);
  if (drift.missing.length > 0) {
    throw new MigrateError('conflict', `The plan's task definitions reference ${drift.missing.length} config var(s) that secret ${recorded.name} does not hold: ${listNames(drift.missing)}. ECS would not start the tasks.`, {
      hint: `The plan is newer than the last import: run migrate secrets import --app ${input.app} (if Heroku no longer has those vars, re-plan instead).`,
    });
  }
  if (drift.unknown.length > 0) {
    const message = `Secret ${recorded.name} holds ${drift.unknown.length} key(s) the plan does not know: ${listNames(drift.unknown)}. The plan is older than the secret's key set (re-planned and imported since, or vars kept after they left Heroku).`;
    if (!input.allowDrift) {
      throw new MigrateError('conflict', message, {hint: `Re-plan (migrate plan --app ${input.app}) and review, or drop them (migrate secrets import --prune), or pass --allow-drift to deploy without giving them to the containers.`});
    }
    warnings.push(`${message} Deployed without them (--allow-drift).`);
  }
  return {arn: desc.arn, kmsKeyArn, extraKeys: drift.extra};
}

/**
 * One stack through a change set: create it, show it, refuse stateful replacements without
 * --allow-replace, confirm, execute with a journal intent and result, wait and report events.
 */
export async function deployStack(
  ctx: ChangeSetContext,
  doc: Pick<StackDoc, 'stackName' | 'part'> & {kind: StackOutcome['kind']},
  action: StackAction,
  parameters: StackParameter[],
  body: {body: string; minified: boolean},
): Promise<StackOutcome> {
  const {cfn, deps, input} = ctx;
  const name = doc.stackName;
  const token = `${ctx.csName}-${name}`.slice(0, 128);
  if (input.review && action === 'create') {
    // a CREATE change set would leave an empty REVIEW_IN_PROGRESS stack behind: say so instead
    deps.ui.note(`${name}: does not exist yet; the first deploy creates it (not previewed in review mode)`);
    const outcome: StackOutcome = {stackName: name, part: doc.part, kind: doc.kind, changeSetId: null, changes: [], result: 'not previewed', status: 'absent', stackId: '', outputs: {}, events: []};
    ctx.outcomes.push(outcome);
    return outcome;
  }
  const view = await withContext(ctx, () => cfn.createChangeSet({
    stackName: name,
    changeSetName: ctx.csName,
    type: action === 'create' ? 'CREATE' : 'UPDATE',
    templateBody: body.body,
    parameters: parameters.map((p) => ({key: p.ParameterKey, value: p.ParameterValue})),
    tags: {[TAG_APP]: input.app, [TAG_TOOL]: 'heroku2aws'},
    description: `heroku2aws deploy of ${ctx.image}`,
    clientToken: token,
  }));
  const base = {stackName: name, part: doc.part, kind: doc.kind, changeSetId: view.id, changes: view.changes};
  if (view.noChanges) {
    if (view.id) await cfn.deleteChangeSet(name, view.id);
    deps.ui.note(`${name}: no changes`);
    const live = ctx.live.get(name);
    const outcome: StackOutcome = {...base, result: 'no changes', changeSetId: null, status: live?.status ?? 'UNKNOWN', stackId: live?.stackId ?? '', outputs: live?.outputs ?? {}, events: []};
    ctx.outcomes.push(outcome);
    return outcome;
  }
  const id = view.id;
  if (view.status !== 'CREATE_COMPLETE' || !id) {
    if (id) await cfn.deleteChangeSet(name, id).catch(() => undefined);
    throw new MigrateError('aws', `CloudFormation could not make a change set for ${name}: ${view.statusReason ?? view.status}.`, {hint: `${doneSoFar(ctx)} Fix the cause and re-run.`});
  }
  const summary = summarizeChanges(view.changes);
  deps.ui.showChangeSet({stackName: name, part: doc.part, action, changeSetId: id, changes: view.changes, summary, templateMinified: body.minified});
  if (summary.guarded.length > 0 && !input.allowReplace) {
    await cfn.deleteChangeSet(name, id);
    const what = summary.guarded.map((g) => `${g.change.logicalId} (${g.change.resourceType}, ${g.change.action === 'Remove' ? 'removed' : `replacement ${g.change.replacement}`}): ${g.why}`);
    throw usageError(`The change set for ${name} would replace or remove stateful resources: ${what.join('; ')}.`, `If that is really meant, re-run with --allow-replace. The change set was deleted. ${doneSoFar(ctx)}`);
  }
  if (input.review) {
    await cfn.deleteChangeSet(name, id);
    const live = ctx.live.get(name);
    const outcome: StackOutcome = {...base, result: 'reviewed', status: live?.status ?? 'UNKNOWN', stackId: live?.stackId ?? '', outputs: live?.outputs ?? {}, events: []};
    ctx.outcomes.push(outcome);
    return outcome;
  }
  if (!input.yes) {
    const replaced = summary.guarded.length > 0 ? ` It REPLACES ${summary.guarded.map((g) => g.change.logicalId).join(', ')}.` : '';
    if (!(await deps.ui.confirm(`Execute the change set for ${name} (${countsText(summary)})?${replaced}`))) {
      await cfn.deleteChangeSet(name, id);
      throw usageError(`Cancelled at ${name}: its change set was deleted.`, doneSoFar(ctx));
    }
  }
  const afterEventId = await cfn.latestEventId(name); // the stack exists now (a CREATE change set makes it REVIEW_IN_PROGRESS)
  const journalId = `deploy-${token}`;
  const details = {stack: name, changeSet: id, type: action, image: ctx.image, add: summary.add.length, modify: summary.modify.length, replace: summary.replace.map((c) => c.logicalId), remove: summary.remove.length};
  await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'intent', details});
  try {
    await withContext(ctx, () => cfn.executeChangeSet(name, id, token));
  } catch (err) {
    await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'result', ok: false, details: {stack: name, error: (err as Error).message}});
    throw err;
  }
  const waited = await deps.ui.track(`${action === 'create' ? 'Creating' : 'Updating'} ${name}`, (report) =>
    cfn.waitForStack(name, action, {afterEventId, onEvent: (e) => report(eventLine(e), {stack: name, logicalId: e.logicalId, status: e.status, ...(e.reason ? {reason: e.reason} : {})})}),
  );
  const failed = failureReasons(waited.events);
  await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'result', ok: waited.ok, details: {stack: name, status: waited.stack.status, ...(failed.length ? {failed: failed.map((e) => `${e.logicalId}: ${e.reason}`)} : {})}});
  if (!waited.ok) throw stackFailure(ctx, name, waited.stack.status, waited.settled, failed);
  const outcome: StackOutcome = {...base, changeSetId: id, result: action === 'create' ? 'created' : 'updated', status: waited.stack.status, stackId: waited.stack.stackId, outputs: waited.stack.outputs, events: waited.events};
  ctx.outcomes.push(outcome);
  return outcome;
}

/** An AWS error of a later stack also says what this run already deployed. */
async function withContext<T>(ctx: ChangeSetContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof MigrateError)) throw err;
    throw new MigrateError(err.code, err.message, {hint: `${err.hint ?? ''} ${doneSoFar(ctx)}`.trim(), exitCode: err.exitCode, cause: err});
  }
}

const doneSoFar = (ctx: ChangeSetContext) => {
  const done = ctx.outcomes.filter((o) => o.result !== 'no changes');
  return done.length ? `Already deployed in this run: ${done.map((o) => `${o.stackName} (${o.result})`).join(', ')}.` : 'Nothing was changed by this run.';
};

function stackFailure(ctx: ChangeSetContext, name: string, status: string, settled: boolean, failed: StackEvent[]): MigrateError {
  const reasons = failed.length ? ` Failing resources:\n${failed.map((e) => `  ${e.logicalId} (${e.resourceType}) ${e.status}: ${e.reason}`).join('\n')}` : '';
  const events = `aws cloudformation describe-stack-events --region ${ctx.region} --stack-name ${name}`;
  if (!settled) {
    return new MigrateError('aws', `Stack ${name} is still ${status} after the wait timed out.${reasons}`, {hint: `It continues in CloudFormation: follow it with ${events}, then re-run. ${doneSoFar(ctx)}`});
  }
  const next =
    status === 'ROLLBACK_COMPLETE'
      ? `Its creation was rolled back; fix the cause, delete the empty stack (aws cloudformation delete-stack --region ${ctx.region} --stack-name ${name}) and re-run.`
      : `CloudFormation rolled it back to its previous state; fix the cause and re-run.`;
  return new MigrateError('aws', `Stack ${name} failed: ${status}.${reasons}`, {hint: `${next} Stacks after it were not changed. ${doneSoFar(ctx)}`});
}
