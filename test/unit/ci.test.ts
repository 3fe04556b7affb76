/**
 * `migrate ci init`'s pure parts: the pipeline files (golden files, validated against the
 * providers' published schemas: GitHub workflows by action-validator, which embeds SchemaStore's
 * github-workflow schema; GitLab files by gitlab-ci-local, which embeds GitLab's own
 * app/assets/javascripts/editor/schema/ci.json), the CI stack (cfn-lint clean, trust limited to
 * the repository and branch) and input checks.
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {validateWorkflow} from '@action-validator/core';
import {parse, stringify} from 'yaml';
import {checkCiInput, ciNames, ciTemplate, pipelineFile, projectFromRemote, trustedSubjects, type CiSpec} from '../../src/domain/ci.ts';
import {ROOT} from '../support/cli.ts';

const cnb = {strategy: 'cloud-native-buildpacks' as const, builder: 'heroku/builder:24', buildpacks: ['heroku/nodejs'], command: 'pack build shop:<git-sha> --builder heroku/builder:24 --buildpack heroku/nodejs'};
const docker = {strategy: 'dockerfile' as const, buildpacks: [], command: 'docker build -t shop:<git-sha> .'};
const base: CiSpec = {app: 'shop', provider: 'github', project: 'acme/shop', branch: 'main', region: 'us-east-1', accountId: '123456789012', gitlabUrl: 'https://gitlab.com', planPath: 'plans/shop', toolVersion: '0.1.0', build: cnb};
const cases: Array<[string, CiSpec]> = [
  ['github-cnb.yml', base],
  ['github-dockerfile.yml', {...base, build: docker, branch: 'release/prod'}],
  ['gitlab-cnb.yml', {...base, provider: 'gitlab', project: 'acme/web/shop'}],
  ['gitlab-dockerfile.yml', {...base, provider: 'gitlab', project: 'acme/shop', gitlabUrl: 'https://gitlab.example.com', build: docker, region: 'eu-west-1'}],
];
const GOLDEN = join(ROOT, 'test/golden/ci');
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
/**
 * gitlab-ci-local's verdict on a .gitlab-ci.yml (text or parsed) in a scratch repository: its
 * schema validation (GitLab's published CI schema) and its job checks; [] when valid, else the
 * lines it printed about the file.
 */
function gitlabErrors(file: string | object): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'h2a-gitlab-ci-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), typeof file === 'string' ? file : stringify(file));
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], {cwd: dir, encoding: 'utf8'});
  git('init', '-q');
  git('remote', 'add', 'origin', 'https://gitlab.com/acme/shop.git');
  git('add', '-A');
  git('commit', '-qm', 'pipeline');
  const r = spawnSync(process.execPath, [GITLAB_CI_LOCAL, '--list-json'], {cwd: dir, encoding: 'utf8', env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'}});
  if (r.status === 0 && JSON.parse(r.stdout).length > 0) return [];
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() && !/remote branch|symbolic-ref|refs\/remotes|^fatal:/.test(l));
}
/** the published schema's findings for a workflow (text or parsed), [] when valid */
const githubErrors = (workflow: string | object) => validateWorkflow(typeof workflow === 'string' ? workflow : stringify(workflow)).errors;

describe('pipeline files', () => {
  it.each(cases)('%s matches its golden file (UPDATE_GOLDEN=1 rewrites it)', (name, spec) => {
    const {content} = pipelineFile(spec);
    const file = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(GOLDEN, {recursive: true});
      writeFileSync(file, content);
    }
    expect(content).toBe(readFileSync(file, 'utf8'));
  });

  it.each(cases)('%s is valid against the published syntax', (_name, spec) => {
    const {content} = pipelineFile(spec);
    expect(spec.provider === 'github' ? githubErrors(content) : gitlabErrors(content)).toEqual([]);
  });

  it('the schemas refuse what the providers refuse (they are not vacuous)', () => {
    const gh = parse(pipelineFile(base).content) as {jobs: {deploy: {steps: Array<Record<string, unknown>>}}; permissions: Record<string, string>};
    expect(githubErrors({...gh, permissions: {...gh.permissions, 'id-token': 'maybe'}})).not.toEqual([]);
    expect(githubErrors({...gh, jobs: {deploy: {...gh.jobs.deploy, 'runs_on': 'x'}}})).not.toEqual([]);
    expect(githubErrors({...gh, jobs: {deploy: {...gh.jobs.deploy, steps: [{name: 'a step', uses: 'actions/checkout@v4', bogus: 1}]}}})).not.toEqual([]);
    const gl = parse(pipelineFile({...base, provider: 'gitlab'}).content) as Record<string, Record<string, unknown>>;
    expect(gitlabErrors({...gl, deploy: {...gl.deploy, unknown_keyword: ['x']}}).join('\n')).toMatch(/additionalProperties|unknown_keyword/);
    expect(gitlabErrors({...gl, '.aws-oidc': {...gl['.aws-oidc'], id_tokens: {AWS_ID_TOKEN: {audience: 'x'}}}})).not.toEqual([]);
  });

  it('builds for linux/amd64, tags with the commit SHA, deploys on the branch, reviews on pull/merge requests', () => {
    const gh = parse(pipelineFile(base).content) as {on: unknown; jobs: Record<string, {if: string; env: {IMAGE: string}; steps: Array<{run?: string; with?: Record<string, string>}>}>};
    expect(gh.on).toEqual({push: {branches: ['main']}, pull_request: {branches: ['main']}});
    const runs = (job: string) => gh.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');
    expect(gh.jobs.deploy!.env.IMAGE).toBe(`${ciNames(base).repositoryUri}:\${{ github.sha }}`);
    expect(runs('deploy')).toMatch(/pack build "\$IMAGE" --builder heroku\/builder:24 --buildpack heroku\/nodejs --platform linux\/amd64 --publish/);
    expect(runs('deploy')).toMatch(/migrate deploy --app shop --plan-dir plans\/shop --image "\$IMAGE" --yes/);
    expect(runs('review')).toMatch(/migrate deploy .* --review/);
    expect(runs('review')).not.toMatch(/pack build|docker/);
    expect(gh.jobs.review!.steps.find((s) => s.with?.['role-to-assume'])!.with!['role-to-assume']).toBe(ciNames(base).reviewRoleArn);
    const text = pipelineFile({...base, build: docker}).content;
    expect(text).toMatch(/docker buildx build --platform linux\/amd64 --tag "\$IMAGE" --push \./);
    // never a stored key
    for (const [, spec] of cases) expect(pipelineFile(spec).content).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\./);
  });
});

describe('the CI stack', () => {
  it('passes cfn-lint for both providers, with no warning or informational finding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'h2a-ci-lint-'));
    const files = cases.map(([name, spec]) => {
      const file = join(dir, name.replace('.yml', '.json'));
      writeFileSync(file, JSON.stringify(ciTemplate(spec), null, 2));
      return file;
    });
    const lint = spawnSync('cfn-lint', ['--regions', 'us-east-1', 'eu-west-1', '--include-checks', 'I', '--', ...files], {encoding: 'utf8'});
    expect({status: lint.status, output: (lint.stdout + lint.stderr).trim()}).toEqual({status: 0, output: ''});
  });

  it('has the ECR repository with scan on push, immutable tags and a lifecycle policy', () => {
    const repo = (ciTemplate(base).Resources as Record<string, {Properties: Record<string, unknown>}>).Repository!.Properties;
    expect(repo).toMatchObject({RepositoryName: 'heroku2aws/shop', ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: {ScanOnPush: true}});
    const rules = JSON.parse((repo.LifecyclePolicy as {LifecyclePolicyText: string}).LifecyclePolicyText).rules as Array<{selection: {tagStatus: string}}>;
    expect(rules.map((r) => r.selection.tagStatus)).toEqual(['untagged', 'any']);
  });

  it('trusts only the repository and branch (deploy) and its pull/merge requests (review)', () => {
    type Role = {Properties: {AssumeRolePolicyDocument: {Statement: Array<{Condition: Record<string, Record<string, string>>}>}; Policies: Array<{PolicyDocument: {Statement: Array<{Action: string | string[]}>}}>}};
    const roles = (spec: CiSpec) => ciTemplate(spec).Resources as Record<string, Role>;
    const gh = roles(base);
    expect(gh.DeployRole!.Properties.AssumeRolePolicyDocument.Statement[0]!.Condition).toEqual({
      StringEquals: {'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/shop:ref:refs/heads/main'},
    });
    expect(gh.ReviewRole!.Properties.AssumeRolePolicyDocument.Statement[0]!.Condition.StringEquals!['token.actions.githubusercontent.com:sub']).toBe('repo:acme/shop:pull_request');
    const gl = roles({...base, provider: 'gitlab', gitlabUrl: 'https://gitlab.example.com', project: 'acme/shop'});
    expect(gl.DeployRole!.Properties.AssumeRolePolicyDocument.Statement[0]!.Condition).toEqual({
      StringEquals: {'gitlab.example.com:aud': 'https://gitlab.example.com', 'gitlab.example.com:sub': 'project_path:acme/shop:ref_type:branch:ref:main'},
    });
    expect(trustedSubjects({...base, provider: 'gitlab'}).review).toBe('project_path:acme/shop:ref_type:branch:ref:*');
    // the review role can never execute a change set nor read a secret value
    const reviewActions = gl.ReviewRole!.Properties.Policies[0]!.PolicyDocument.Statement.flatMap((s) => s.Action);
    expect(reviewActions).not.toContain('cloudformation:ExecuteChangeSet');
    expect(reviewActions).not.toContain('secretsmanager:GetSecretValue');
    // the deploy role cannot touch its own stack (h2a-ci-*), only heroku2aws-<app>-* stacks
    expect(JSON.stringify(gh.DeployRole!.Properties.Policies)).toContain('stack/heroku2aws-shop-*/*');
    expect(ciNames(base).stackName).toBe('h2a-ci-shop');
  });
});

describe('ci init input', () => {
  it.each([
    [{provider: 'bitbucket', branch: 'main'}, /--provider must be github or gitlab/],
    [{provider: 'github', branch: 'main', project: 'not-a-repo'}, /is not a GitHub repository/],
    [{provider: 'gitlab', branch: 'main', project: 'single'}, /is not a GitLab project path/],
    [{provider: 'github', branch: 'feature/*'}, /--branch 'feature\/\*'/],
    [{provider: 'github', branch: 'a..b'}, /--branch/],
    [{provider: 'github', branch: 'main', gitlabUrl: 'https://gitlab.com'}, /only for --provider gitlab/],
    [{provider: 'gitlab', branch: 'main', gitlabUrl: 'http://gitlab.example.com'}, /bare https URL/],
  ])('refuses %j', (input, message) => {
    expect(() => checkCiInput(input)).toThrow(message);
  });

  it.each([
    ['https://github.com/acme/shop.git', 'github', 'acme/shop'],
    ['git@github.com:acme/shop.git', 'github', 'acme/shop'],
    ['ssh://git@github.com/acme/shop', 'github', 'acme/shop'],
    ['https://gitlab.com/acme/web/shop.git', 'gitlab', 'acme/web/shop'],
    ['https://github.com/acme/shop.git', 'gitlab', undefined],
  ] as const)('%s (%s) -> %s', (remote, provider, project) => {
    expect(projectFromRemote(remote, provider, 'https://gitlab.com')).toBe(project);
  });
});
