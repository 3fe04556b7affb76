/**
 * `migrate ci init`: deploys the CI stack (ECR repository, OIDC provider, deploy and review roles)
 * through a reviewed change set, then writes the pipeline file into the app's repository.
 */
import {join} from 'node:path';
import {checkCiInput, ciNames, ciTemplate, pipelineFile, pipelinePath, PIPELINE_MARKER, projectFromRemote, type CiSpec, GITHUB_OIDC_URL} from '../domain/ci.ts';
import {changeSetName, countsText, eventLine, failureReasons, stackAction, summarizeChanges} from '../domain/deploy.ts';
import {MigrateError, usageError} from '../domain/errors.ts';
import {resolveRegion} from '../domain/regions.ts';
import type {AwsIdentity, CiRepo, OidcProviders} from '../ports/ci.ts';
import type {Clock} from '../ports/files.ts';
import type {StackDeployer} from '../ports/stacks.ts';
import type {StateStore} from '../ports/state.ts';
import type {DeployUi} from './deploy.ts';

export interface CiInitInput {
  app: string;
  provider: string;
  project?: string;
  /** the app's repository (default: the current directory) */
  repo: string;
  branch: string;
  gitlabUrl?: string;
  /** the pipeline file inside the repository [default: the provider's] */
  output?: string;
  /** the plan directory as the pipeline sees it, relative to the repository */
  planPath?: string;
  region?: string;
  toolVersion: string;
  yes?: boolean;
  dryRun?: boolean;
  breakLock?: boolean;
}

export interface CiInitDeps {
  state: StateStore;
  repo: CiRepo;
  identity: (region: string) => Promise<AwsIdentity>;
  oidc: (region: string) => Promise<OidcProviders>;
  stacks: (region: string) => Promise<StackDeployer>;
  clock: Clock;
  env: Record<string, string | undefined>;
  ui: DeployUi;
}

export interface CiInitResult {
  provider: string;
  project: string;
  branch: string;
  region: string;
  stack: {name: string; result: 'created' | 'updated' | 'no changes' | 'dry-run'; oidcProvider: 'created by the stack' | 'existing'};
  repositoryUri: string;
  deployRoleArn: string;
  reviewRoleArn: string;
  pipelineFile: string;
  /** the file's content (dry-run: what would be written) */
  content: string;
  written: boolean;
  warnings: string[];
}

export async function ciInit(input: CiInitInput, deps: CiInitDeps): Promise<CiInitResult> {
  const {provider, gitlabUrl} = checkCiInput(input);
  if (!input.yes && !input.dryRun && !deps.ui.interactive) {
    throw usageError('migrate ci init deploys a stack through a change set and asks first, but there is no terminal to ask.', 'Re-run with --yes, or --dry-run to see the stack and the pipeline file.');
  }
  if ((await deps.repo.kind(input.repo)) !== 'dir') throw usageError(`--repo ${input.repo} is not a directory.`, "Pass the app's repository checkout (default: the current directory).");
  const lock = input.dryRun ? null : await deps.state.lock('ci init', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const remote = await deps.repo.originUrl(input.repo);
    const project = input.project ?? (remote ? projectFromRemote(remote, provider, gitlabUrl) : undefined);
    if (!project) {
      throw usageError(
        `Cannot tell the ${provider === 'github' ? 'GitHub repository' : 'GitLab project'} of ${input.repo}${remote ? ` from its origin remote (${remote})` : ' (it has no origin remote)'}.`,
        `Pass --project ${provider === 'github' ? 'OWNER/REPO' : 'GROUP/PROJECT'}: the roles trust only that ${provider === 'github' ? 'repository' : 'project'}.`,
      );
    }
    checkCiInput({...input, project});
    const relPipeline = input.output ?? pipelinePath(provider);
    const existing = await deps.repo.readText(join(input.repo, relPipeline));
    if (existing !== null && !existing.startsWith(PIPELINE_MARKER)) {
      throw new MigrateError('conflict', `${relPipeline} exists in ${input.repo} and was not written by heroku2aws.`, {
        hint:
          provider === 'gitlab'
            ? 'Pass --output .gitlab/heroku2aws.yml and add `include: {local: .gitlab/heroku2aws.yml}` to your .gitlab-ci.yml. Nothing was changed.'
            : 'Pass --output with another file under .github/workflows/, or move the file away. Nothing was changed.',
      });
    }

    const accountId = await (await deps.identity(region)).accountId();
    const spec: CiSpec = {app: plan.app.name, provider, project, branch: input.branch, region, accountId, gitlabUrl, planPath: input.planPath ?? `plans/${plan.app.name}`, toolVersion: input.toolVersion, build: plan.build};
    const names = ciNames(spec);
    const file = {...pipelineFile(spec), path: relPipeline};
    const warnings: string[] = [];
    if (plan.build.strategy === 'cloud-native-buildpacks' && plan.build.buildpacks.length === 0) warnings.push('The plan names no Cloud Native Buildpack: pack lets the builder detect them; check the first build.');

    const cfn = await deps.stacks(region);
    const live = await cfn.describeStack(names.stackName);
    // a provider this stack created stays with it; otherwise an existing one for the URL is reused (one per URL per account)
    const issuerUrl = provider === 'github' ? GITHUB_OIDC_URL : gitlabUrl;
    const existingProvider = live ? (live.parameters.ExistingOidcProviderArn ?? '') : ((await (await deps.oidc(region)).find(issuerUrl)) ?? '');
    const base = {provider, project, branch: input.branch, region, repositoryUri: names.repositoryUri, deployRoleArn: names.deployRoleArn, reviewRoleArn: names.reviewRoleArn, pipelineFile: file.path, content: file.content, warnings};
    const oidcProvider = existingProvider ? ('existing' as const) : ('created by the stack' as const);
    if (input.dryRun) return {...base, stack: {name: names.stackName, result: 'dry-run', oidcProvider}, written: false};

    const action = stackAction(names.stackName, live?.status ?? null, region);
    const result = await deployCiStack(deps, cfn, names.stackName, action, ciTemplate(spec), existingProvider, input);
    const path = await deps.repo.writeFile(input.repo, file.path, file.content);
    deps.ui.note(`Wrote ${path}: commit and push it.`);
    const st = await deps.state.readState();
    await deps.state.writeState({
      ...st,
      ci: {provider, project, branch: input.branch, stackName: names.stackName, repositoryUri: names.repositoryUri, deployRoleArn: names.deployRoleArn, reviewRoleArn: names.reviewRoleArn, pipelineFile: file.path, updatedAt: deps.clock.now().toISOString()},
    });
    return {...base, stack: {name: names.stackName, result, oidcProvider}, written: true};
  } finally {
    await lock?.release();
  }
}

/** One change set, shown and confirmed, executed, waited for: as `migrate deploy` does for its stacks. */
async function deployCiStack(
  deps: CiInitDeps,
  cfn: StackDeployer,
  stackName: string,
  action: 'create' | 'update',
  template: Record<string, unknown>,
  existingProvider: string,
  input: CiInitInput,
): Promise<'created' | 'updated' | 'no changes'> {
  const csName = changeSetName(deps.clock.now());
  const token = `${csName}-${stackName}`.slice(0, 128);
  const body = {body: `${JSON.stringify(template, null, 2)}\n`, minified: false}; // a few kB: far below the inline limit
  const view = await cfn.createChangeSet({
    stackName,
    changeSetName: csName,
    type: action === 'create' ? 'CREATE' : 'UPDATE',
    templateBody: body.body,
    parameters: [{key: 'ExistingOidcProviderArn', value: existingProvider}],
    tags: {'heroku2aws:app': input.app, 'heroku2aws:tool': 'heroku2aws'},
    description: `heroku2aws ci init (${input.provider})`,
    clientToken: token,
    namedIam: true,
  });
  if (view.noChanges) {
    if (view.id) await cfn.deleteChangeSet(stackName, view.id);
    deps.ui.note(`${stackName}: no changes`);
    return 'no changes';
  }
  const id = view.id;
  if (view.status !== 'CREATE_COMPLETE' || !id) {
    if (id) await cfn.deleteChangeSet(stackName, id).catch(() => undefined);
    throw new MigrateError('aws', `CloudFormation could not make a change set for ${stackName}: ${view.statusReason ?? view.status}.`, {hint: 'Fix the cause and re-run; nothing was changed.'});
  }
  const summary = summarizeChanges(view.changes);
  deps.ui.showChangeSet({stackName, part: 'ci', action, changeSetId: id, changes: view.changes, summary, templateMinified: body.minified});
  if (!input.yes && !(await deps.ui.confirm(`Execute the change set for ${stackName} (${countsText(summary)})?`))) {
    await cfn.deleteChangeSet(stackName, id);
    throw usageError(`Cancelled at ${stackName}: its change set was deleted.`, 'Nothing was changed.');
  }
  const afterEventId = await cfn.latestEventId(stackName);
  const journalId = `ci-init-${token}`;
  await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'intent', details: {stack: stackName, changeSet: id, type: action}});
  try {
    await cfn.executeChangeSet(stackName, id, token);
  } catch (err) {
    await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'result', ok: false, details: {stack: stackName, error: (err as Error).message}});
    throw err;
  }
  const waited = await deps.ui.track(`${action === 'create' ? 'Creating' : 'Updating'} ${stackName}`, (report) =>
    cfn.waitForStack(stackName, action, {afterEventId, onEvent: (e) => report(eventLine(e), {stack: stackName, logicalId: e.logicalId, status: e.status})}),
  );
  const failed = failureReasons(waited.events);
  await deps.state.journal({id: journalId, op: 'stack-change-set', phase: 'result', ok: waited.ok, details: {stack: stackName, status: waited.stack.status, ...(failed.length ? {failed: failed.map((e) => `${e.logicalId}: ${e.reason}`)} : {})}});
  if (!waited.ok) {
    throw new MigrateError('aws', `Stack ${stackName} ended ${waited.stack.status}: ${failed.map((e) => `${e.logicalId}: ${e.reason}`).join('; ') || 'see its events'}.`, {
      hint: 'Fix the cause (often: permissions to create IAM roles or the OIDC provider), then re-run; the pipeline file was not written.',
    });
  }
  return action === 'create' ? 'created' : 'updated';
}
