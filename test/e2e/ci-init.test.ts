/**
 * `migrate ci init` through the built CLI on moto: the CI stack goes through a real change set
 * (CAPABILITY_NAMED_IAM), the pipeline file lands in a scratch git repository, a re-run changes
 * nothing, an OIDC provider the account has is reused, and refusals change nothing.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT, runCli, tempDir, type CliResult} from '../support/cli.ts';
import {motoClientConfig, motoEnv, resetMoto} from '../support/moto.ts';

let planDir: string;
let repo: string;
let env: Record<string, string>;
const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> =>
  runCli(['ci', 'init', '--app', 'shop', '--plan-dir', planDir, ...args], {env: {...env, ...extraEnv}});

async function cfn() {
  const {CloudFormationClient, DescribeStacksCommand} = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(motoClientConfig());
  return {
    stacks: async () => ((await client.send(new DescribeStacksCommand({}))).Stacks ?? []).map((s) => ({name: s.StackName, status: s.StackStatus, parameters: s.Parameters ?? []})),
  };
}
async function iam() {
  const sdk = await import('@aws-sdk/client-iam');
  const client = new sdk.IAMClient(motoClientConfig());
  return {
    role: async (name: string) => (await client.send(new sdk.GetRoleCommand({RoleName: name}))).Role,
    providers: async () => ((await client.send(new sdk.ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).map((p) => p.Arn),
    createProvider: async (url: string) => (await client.send(new sdk.CreateOpenIDConnectProviderCommand({Url: url, ClientIDList: ['https://gitlab.com'], ThumbprintList: ['0'.repeat(40)]}))).OpenIDConnectProviderArn,
  };
}

beforeAll(async () => {
  await resetMoto();
  env = {...motoEnv(), AWS_EC2_METADATA_DISABLED: 'true', HOME: tempDir()};
  planDir = tempDir();
  const plan = await runCli(['plan', '--from', 'examples/shop', '--out', planDir], {env});
  if (plan.code !== 0) throw new Error(`plan failed: ${plan.stderr}`);
  repo = tempDir();
  mkdirSync(join(repo, '.git'));
  writeFileSync(join(repo, '.git/config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n');
});

describe('migrate ci init: refusals change nothing', () => {
  it.each([
    ['no terminal and no --yes', ['--provider', 'github', '--repo', 'REPO'], 2, /no terminal to ask[\s\S]*--yes/],
    ['a bad branch', ['--provider', 'github', '--repo', 'REPO', '--branch', 'feat/*', '--yes'], 2, /--branch 'feat\/\*'/],
    ['a repository that is not a directory', ['--provider', 'github', '--repo', '/nonexistent/repo', '--yes'], 2, /is not a directory/],
    ['a GitLab project from a GitHub remote', ['--provider', 'gitlab', '--repo', 'REPO', '--yes'], 2, /Cannot tell the GitLab project[\s\S]*--project GROUP\/PROJECT/],
  ])('%s', async (_n, args, code, message) => {
    const r = await cli((args as string[]).map((a) => (a === 'REPO' ? repo : a)));
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.code).toBe(code);
    expect(await (await cfn()).stacks()).toEqual([]);
    expect(existsSync(join(repo, '.github'))).toBe(false);
  });

  it('--dry-run shows the pipeline and writes nothing', async () => {
    const r = await cli(['--provider', 'github', '--repo', repo, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const {result} = JSON.parse(r.stdout);
    expect(result).toMatchObject({project: 'acme/shop', branch: 'main', written: false, stack: {name: 'h2a-ci-shop', result: 'dry-run', oidcProvider: 'created by the stack'}});
    expect(result.content).toMatch(/role-to-assume: arn:aws:iam::123456789012:role\/h2a-ci-shop-deploy/);
    expect(await (await cfn()).stacks()).toEqual([]);
    expect(existsSync(join(repo, '.github'))).toBe(false);
  });
});

describe('migrate ci init on moto', () => {
  it('deploys the CI stack through a change set and writes the workflow into the repository', async () => {
    const r = await cli(['--provider', 'github', '--repo', repo, '--yes', '--json']);
    expect(r.code).toBe(0);
    const {result} = JSON.parse(r.stdout);
    expect(result).toMatchObject({written: true, stack: {name: 'h2a-ci-shop', result: 'created'}, repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/heroku2aws/shop'});
    const stacks = await (await cfn()).stacks();
    expect(stacks).toEqual([{name: 'h2a-ci-shop', status: 'CREATE_COMPLETE', parameters: [{ParameterKey: 'ExistingOidcProviderArn', ParameterValue: ''}]}]);
    const role = await (await iam()).role('h2a-ci-shop-deploy');
    const trust = JSON.parse(decodeURIComponent(role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe('repo:acme/shop:ref:refs/heads/main');
    const workflow = readFileSync(join(repo, '.github/workflows/heroku2aws-deploy.yml'), 'utf8');
    // the example app builds with CNB (heroku/nodejs) like the golden file's spec: byte-identical
    expect(workflow).toBe(readFileSync(join(ROOT, 'test/golden/ci/github-cnb.yml'), 'utf8'));
    const state = JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
    expect(state.ci).toMatchObject({provider: 'github', project: 'acme/shop', stackName: 'h2a-ci-shop', pipelineFile: '.github/workflows/heroku2aws-deploy.yml'});
    const journal = readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.map((e) => `${e.op}:${e.phase}:${e.ok ?? ''}`)).toEqual(['stack-change-set:intent:', 'stack-change-set:result:true']);
  });

  it('a re-run finds no changes and rewrites the same file', async () => {
    const before = readFileSync(join(repo, '.github/workflows/heroku2aws-deploy.yml'), 'utf8');
    const r = await cli(['--provider', 'github', '--repo', repo, '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.stack.result).toBe('no changes');
    expect(readFileSync(join(repo, '.github/workflows/heroku2aws-deploy.yml'), 'utf8')).toBe(before);
  });

  it('GitLab: reuses the OIDC provider the account has, and refuses to overwrite a .gitlab-ci.yml it did not write', async () => {
    await resetMoto();
    const arn = await (await iam()).createProvider('https://gitlab.com');
    writeFileSync(join(repo, '.gitlab-ci.yml'), 'test:\n  script: [make test]\n');
    const refused = await cli(['--provider', 'gitlab', '--repo', repo, '--project', 'acme/shop', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\.gitlab-ci\.yml exists[\s\S]*--output \.gitlab\/heroku2aws\.yml/);
    expect(await (await cfn()).stacks()).toEqual([]);
    expect(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8')).toBe('test:\n  script: [make test]\n');

    const r = await cli(['--provider', 'gitlab', '--repo', repo, '--project', 'acme/shop', '--output', '.gitlab/heroku2aws.yml', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.stack).toMatchObject({result: 'created', oidcProvider: 'existing'});
    const [stack] = await (await cfn()).stacks();
    expect(stack!.parameters).toEqual([{ParameterKey: 'ExistingOidcProviderArn', ParameterValue: arn}]);
    expect(await (await iam()).providers()).toEqual([arn]);
    expect(readFileSync(join(repo, '.gitlab/heroku2aws.yml'), 'utf8')).toMatch(/AWS_ROLE_ARN: arn:aws:iam::123456789012:role\/h2a-ci-shop-deploy/);
  });
});
