/**
 * `migrate ci init`: the pipeline files for the app's repository (GitHub Actions or GitLab CI)
 * and the CloudFormation stack they rely on (ECR repository, OIDC provider, deploy and review
 * roles). Pure: the same input gives byte-identical files. Facts: docs/facts.md ("CI").
 */
import type {BuildPlan} from './build.ts';
import {usageError} from './errors.ts';

export type CiProvider = 'github' | 'gitlab';

export interface CiSpec {
  app: string;
  provider: CiProvider;
  /** GitHub: owner/repo; GitLab: group[/subgroup...]/project */
  project: string;
  branch: string;
  region: string;
  accountId: string;
  /** the GitLab instance (https://gitlab.com unless self-managed) */
  gitlabUrl: string;
  /** where the plan directory is inside the repository (plans/<app>) */
  planPath: string;
  /** the heroku2aws version the pipeline runs */
  toolVersion: string;
  build: BuildPlan;
}

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
export const DEFAULT_GITLAB_URL = 'https://gitlab.com';
const GITHUB_AUDIENCE = 'sts.amazonaws.com';
/** pinned tool versions the generated pipelines use */
const PACK_VERSION = '0.36.4';
const NODE_MAJOR = '24';

/** outside `heroku2aws-<app>-*`: the deploy role may change the app's stacks, never its own */
export const ciStackName = (app: string) => `h2a-ci-${app}`;
export const repositoryName = (app: string) => `heroku2aws/${app}`;
export const roleName = (app: string, kind: 'deploy' | 'review') => `h2a-ci-${app}-${kind}`;

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function ciNames(spec: Pick<CiSpec, 'app' | 'region' | 'accountId'>) {
  const partition = partitionOf(spec.region);
  const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return {
    stackName: ciStackName(spec.app),
    repositoryUri: `${spec.accountId}.dkr.ecr.${spec.region}.${suffix}/${repositoryName(spec.app)}`,
    deployRoleArn: `arn:${partition}:iam::${spec.accountId}:role/${roleName(spec.app, 'deploy')}`,
    reviewRoleArn: `arn:${partition}:iam::${spec.accountId}:role/${roleName(spec.app, 'review')}`,
  };
}

const GITHUB_REPO_RE = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const GITLAB_PROJECT_RE = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.][A-Za-z0-9_.-]*)+$/;
/** a branch name that needs no quoting in YAML, IAM conditions or shell (git check-ref-format, narrowed) */
const BRANCH_RE = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,200}$/;

export function checkCiInput(input: {provider: string; project?: string; branch: string; gitlabUrl?: string}): {provider: CiProvider; gitlabUrl: string} {
  if (input.provider !== 'github' && input.provider !== 'gitlab') throw usageError(`--provider must be github or gitlab, not '${input.provider}'.`, 'Pass --provider github or --provider gitlab.');
  if (!BRANCH_RE.test(input.branch) || input.branch.includes('*')) {
    throw usageError(`--branch '${input.branch}' is not a branch name this tool accepts.`, 'Use letters, digits, ".", "_", "-" and "/" (no "..", no wildcards): the role trusts exactly this branch.');
  }
  if (input.project !== undefined) {
    const ok = input.provider === 'github' ? GITHUB_REPO_RE.test(input.project) : GITLAB_PROJECT_RE.test(input.project);
    if (!ok) {
      throw usageError(
        `--project '${input.project}' is not a ${input.provider === 'github' ? 'GitHub repository (owner/name)' : 'GitLab project path (group/project)'}.`,
        input.provider === 'github' ? 'Pass --project OWNER/REPO, as in https://github.com/OWNER/REPO.' : 'Pass --project GROUP/PROJECT (subgroups allowed), as in the project URL.',
      );
    }
  }
  let gitlabUrl = DEFAULT_GITLAB_URL;
  if (input.gitlabUrl !== undefined) {
    if (input.provider !== 'gitlab') throw usageError('--gitlab-url is only for --provider gitlab.', 'Drop --gitlab-url.');
    let url: URL;
    try {
      url = new URL(input.gitlabUrl);
    } catch {
      throw usageError(`--gitlab-url '${input.gitlabUrl}' is not a URL.`, 'Pass the instance URL, e.g. https://gitlab.example.com.');
    }
    if (url.protocol !== 'https:' || url.pathname !== '/' || url.search || url.username) {
      throw usageError(`--gitlab-url '${input.gitlabUrl}' must be a bare https URL.`, 'Pass e.g. https://gitlab.example.com (IAM trusts OIDC issuers over https only).');
    }
    gitlabUrl = url.origin;
  }
  return {provider: input.provider, gitlabUrl};
}

/** The project from a git remote URL (https or ssh), for the given provider; undefined when it is another host. */
export function projectFromRemote(remote: string, provider: CiProvider, gitlabUrl: string): string | undefined {
  const host = provider === 'github' ? 'github.com' : new URL(gitlabUrl).host;
  const m = new RegExp(`^(?:https://(?:[^@/]+@)?${host.replace(/\./g, '\\.')}/|git@${host.replace(/\./g, '\\.')}:|ssh://git@${host.replace(/\./g, '\\.')}(?::\\d+)?/)(.+?)(?:\\.git)?/?$`).exec(remote.trim());
  return m?.[1];
}

// ---- the stack ---------------------------------------------------------------------------

const issuer = (spec: CiSpec) => (spec.provider === 'github' ? GITHUB_OIDC_URL : spec.gitlabUrl);
const issuerHost = (spec: CiSpec) => new URL(issuer(spec)).host;
const audience = (spec: CiSpec) => (spec.provider === 'github' ? GITHUB_AUDIENCE : spec.gitlabUrl);

/** the token `sub` the deploy role trusts (push to the branch) and the one the review role trusts */
export function trustedSubjects(spec: CiSpec): {deploy: string; review: string; reviewIsPattern: boolean} {
  if (spec.provider === 'github') return {deploy: `repo:${spec.project}:ref:refs/heads/${spec.branch}`, review: `repo:${spec.project}:pull_request`, reviewIsPattern: false};
  // merge request pipelines run on their source branch, whatever it is called
  return {deploy: `project_path:${spec.project}:ref_type:branch:ref:${spec.branch}`, review: `project_path:${spec.project}:ref_type:branch:ref:*`, reviewIsPattern: true};
}

const sub = (s: string) => ({'Fn::Sub': s});
const STACKS = 'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/heroku2aws-APP-*/*';
const SECRET = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:heroku2aws/APP*';
const APP_ROLES = 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/heroku2aws-APP-*';

function trust(spec: CiSpec, subject: string, pattern: boolean) {
  const host = issuerHost(spec);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: {Federated: {'Fn::If': ['CreateOidcProvider', {Ref: 'OidcProvider'}, {Ref: 'ExistingOidcProviderArn'}]}},
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: pattern
          ? {StringEquals: {[`${host}:aud`]: audience(spec)}, StringLike: {[`${host}:sub`]: subject}}
          : {StringEquals: {[`${host}:aud`]: audience(spec), [`${host}:sub`]: subject}},
      },
    ],
  };
}

const inRegion = {StringEquals: {'aws:RequestedRegion': {Ref: 'AWS::Region'}}};

/** What `migrate deploy` does, and what CloudFormation does with the caller's rights for its stacks. */
function deployStatements(app: string) {
  const a = (s: string) => sub(s.replace('APP', app));
  return [
    {Sid: 'ChangeSets', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteChangeSet'], Resource: a(STACKS)},
    {Sid: 'AppSecret', Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: a(SECRET)},
    {Sid: 'AppRoles', Effect: 'Allow', Action: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:PassRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy'], Resource: a(APP_ROLES)},
    {Sid: 'ServiceLinkedRoles', Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: '*', Condition: {StringEquals: {'iam:AWSServiceName': ['ecs.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com']}}},
    {
      Sid: 'StackResources',
      Effect: 'Allow',
      Action: [
        'ec2:Describe*', 'ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:CreateTags', 'ec2:DeleteTags',
        'ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', 'ec2:CreateInternetGateway', 'ec2:DeleteInternetGateway', 'ec2:AttachInternetGateway', 'ec2:DetachInternetGateway',
        'ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable', 'ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:CreateNatGateway', 'ec2:DeleteNatGateway',
        'elasticloadbalancing:*',
        'ecs:CreateCluster', 'ecs:DeleteCluster', 'ecs:DescribeClusters', 'ecs:PutClusterCapacityProviders', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices', 'ecs:RunTask', 'ecs:DescribeTasks', 'ecs:StopTask', 'ecs:TagResource', 'ecs:UntagResource',
        'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DescribeLogGroups', 'logs:TagResource', 'logs:TagLogGroup',
        'application-autoscaling:*',
        'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource',
        'kms:DescribeKey',
      ],
      Resource: '*',
      Condition: inRegion,
    },
    {Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*'},
    {
      Sid: 'EcrPush',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: {'Fn::GetAtt': ['Repository', 'Arn']},
    },
  ];
}

/** Review on pull/merge requests: change sets made, shown and deleted; never executed; no secret value. */
function reviewStatements(app: string) {
  const a = (s: string) => sub(s.replace('APP', app));
  return [
    {Sid: 'ReviewChangeSets', Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:DeleteChangeSet'], Resource: a(STACKS)},
    {Sid: 'ReviewSecret', Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: a(SECRET)},
    {Sid: 'ReviewKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: inRegion},
  ];
}

const LIFECYCLE_POLICY = {
  rules: [
    {rulePriority: 1, description: 'untagged images (layers of replaced builds) after 7 days', selection: {tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7}, action: {type: 'expire'}},
    {rulePriority: 2, description: 'keep the newest 100 images (a rollback needs an older one)', selection: {tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100}, action: {type: 'expire'}},
  ],
};

export function ciTemplate(spec: CiSpec): Record<string, unknown> {
  const subjects = trustedSubjects(spec);
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `heroku2aws CI for ${spec.app}: ECR repository, ${spec.provider === 'github' ? 'GitHub Actions' : 'GitLab CI'} OIDC provider, deploy and review roles (migrate ci init)`,
    Parameters: {
      ExistingOidcProviderArn: {Type: 'String', Default: '', Description: `ARN of the account's IAM OIDC provider for ${issuer(spec)}, when it exists already (an account holds one per URL)`},
    },
    Conditions: {CreateOidcProvider: {'Fn::Equals': [{Ref: 'ExistingOidcProviderArn'}, '']}},
    Resources: {
      Repository: {
        Type: 'AWS::ECR::Repository',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          RepositoryName: repositoryName(spec.app),
          ImageTagMutability: 'IMMUTABLE',
          ImageScanningConfiguration: {ScanOnPush: true},
          EncryptionConfiguration: {EncryptionType: 'AES256'},
          LifecyclePolicy: {LifecyclePolicyText: JSON.stringify(LIFECYCLE_POLICY)},
          Tags: [{Key: 'heroku2aws:app', Value: spec.app}],
        },
      },
      OidcProvider: {
        Type: 'AWS::IAM::OIDCProvider',
        Condition: 'CreateOidcProvider',
        Properties: {Url: issuer(spec), ClientIdList: [audience(spec)], Tags: [{Key: 'heroku2aws:app', Value: spec.app}]},
      },
      DeployRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: roleName(spec.app, 'deploy'),
          Description: `heroku2aws: ${spec.provider} pipeline of ${spec.project} on ${spec.branch} deploys ${spec.app}`,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(spec, subjects.deploy, false),
          Policies: [{PolicyName: 'deploy', PolicyDocument: {Version: '2012-10-17', Statement: deployStatements(spec.app)}}],
          Tags: [{Key: 'heroku2aws:app', Value: spec.app}],
        },
      },
      ReviewRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: roleName(spec.app, 'review'),
          Description: `heroku2aws: ${spec.provider} review of ${spec.project} changes to ${spec.app} (change sets shown, never executed)`,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(spec, subjects.review, subjects.reviewIsPattern),
          Policies: [{PolicyName: 'review', PolicyDocument: {Version: '2012-10-17', Statement: reviewStatements(spec.app)}}],
          Tags: [{Key: 'heroku2aws:app', Value: spec.app}],
        },
      },
    },
    Outputs: {
      RepositoryUri: {Value: {'Fn::GetAtt': ['Repository', 'RepositoryUri']}},
      DeployRoleArn: {Value: {'Fn::GetAtt': ['DeployRole', 'Arn']}},
      ReviewRoleArn: {Value: {'Fn::GetAtt': ['ReviewRole', 'Arn']}},
    },
  };
}

// ---- the pipeline files ------------------------------------------------------------------

export const PIPELINE_MARKER = '# Generated by heroku2aws';

export function pipelinePath(provider: CiProvider): string {
  return provider === 'github' ? '.github/workflows/heroku2aws-deploy.yml' : '.gitlab-ci.yml';
}

/** the shell that builds and pushes IMAGE (linux/amd64), as the plan's build section says */
function buildScript(build: BuildPlan): string[] {
  if (build.strategy === 'dockerfile') return ['docker buildx build --platform linux/amd64 --tag "$IMAGE" --push .'];
  const packs = build.buildpacks.map((b) => ` --buildpack ${b}`).join('');
  return [`pack build "$IMAGE" --builder ${build.builder ?? 'heroku/builder:24'}${packs} --platform linux/amd64 --publish`];
}

const installPack = (sudo: string) => `curl -sSfL https://github.com/buildpacks/pack/releases/download/v${PACK_VERSION}/pack-v${PACK_VERSION}-linux.tgz | ${sudo}tar -xz -C /usr/local/bin pack`;

const deployCommand = (spec: CiSpec, review: boolean) =>
  `npx --yes --package heroku2aws@${spec.toolVersion} migrate deploy --app ${spec.app} --plan-dir ${spec.planPath} --image "$IMAGE" ${review ? '--review' : '--yes'} --skip-heroku-check`;

function header(spec: CiSpec): string[] {
  return [
    `${PIPELINE_MARKER} (migrate ci init --app ${spec.app} --provider ${spec.provider}); re-run it to update this file.`,
    `# Builds the image (${spec.build.strategy === 'dockerfile' ? 'Dockerfile' : `Cloud Native Buildpacks, ${spec.build.builder}`}) for linux/amd64, tags it with the commit SHA,`,
    `# pushes it to ECR and runs \`migrate deploy\`; on ${spec.provider === 'github' ? 'pull requests' : 'merge requests'} it only shows the change sets.`,
    '# AWS access through OIDC (no stored keys): the roles trust this repository only, the deploy role only its branch.',
  ];
}

export function githubWorkflow(spec: CiSpec): string {
  const n = ciNames(spec);
  const cnb = spec.build.strategy === 'cloud-native-buildpacks';
  const credentials = (role: string) => [
    '      - name: AWS credentials (OIDC)',
    '        uses: aws-actions/configure-aws-credentials@v4',
    '        with:',
    `          role-to-assume: ${role}`,
    `          aws-region: ${spec.region}`,
  ];
  const node = ['      - uses: actions/setup-node@v4', '        with:', `          node-version: '${NODE_MAJOR}'`];
  return [
    ...header(spec),
    `name: heroku2aws deploy (${spec.app})`,
    'on:',
    '  push:',
    `    branches: [${spec.branch}]`,
    '  pull_request:',
    `    branches: [${spec.branch}]`,
    'permissions:',
    '  contents: read',
    '  id-token: write',
    'concurrency:',
    `  group: heroku2aws-deploy-${spec.app}`,
    '  cancel-in-progress: false',
    'jobs:',
    '  deploy:',
    "    if: github.event_name == 'push'",
    '    runs-on: ubuntu-24.04',
    '    timeout-minutes: 90',
    '    env:',
    `      IMAGE: ${n.repositoryUri}:\${{ github.sha }}`,
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...credentials(n.deployRoleArn),
    '      - name: Log in to ECR',
    '        uses: aws-actions/amazon-ecr-login@v2',
    ...(cnb ? ['      - name: Install pack', `        run: ${installPack('sudo ')}`] : ['      - uses: docker/setup-buildx-action@v3']),
    '      - name: Build and push the image (linux/amd64)',
    `        run: ${buildScript(spec.build)[0]}`,
    ...node,
    '      - name: Deploy',
    `        run: ${deployCommand(spec, false)}`,
    '  review:',
    "    if: github.event_name == 'pull_request'",
    '    runs-on: ubuntu-24.04',
    '    timeout-minutes: 30',
    '    env:',
    `      IMAGE: ${n.repositoryUri}:\${{ github.event.pull_request.head.sha }}`,
    '    steps:',
    '      - uses: actions/checkout@v4',
    ...credentials(n.reviewRoleArn),
    ...node,
    '      - name: Show the change sets (nothing is executed)',
    `        run: ${deployCommand(spec, true)}`,
    '',
  ].join('\n');
}

export function gitlabPipeline(spec: CiSpec): string {
  const n = ciNames(spec);
  const cnb = spec.build.strategy === 'cloud-native-buildpacks';
  const onBranch = `$CI_COMMIT_BRANCH == "${spec.branch}" && $CI_PIPELINE_SOURCE == "push"`;
  const onMergeRequest = `$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME == "${spec.branch}"`;
  return [
    ...header(spec),
    'workflow:',
    '  rules:',
    `    - if: '${onMergeRequest}'`,
    `    - if: '${onBranch}'`,
    'stages: [build, deploy]',
    'variables:',
    `  AWS_REGION: ${spec.region}`,
    `  AWS_DEFAULT_REGION: ${spec.region}`,
    `  ECR_REPOSITORY: ${n.repositoryUri}`,
    '  AWS_WEB_IDENTITY_TOKEN_FILE: /tmp/gitlab-oidc-token',
    '.aws-oidc:',
    '  id_tokens:',
    '    AWS_ID_TOKEN:',
    `      aud: ${spec.gitlabUrl}`,
    '  before_script:',
    '    - printf "%s" "$AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
    'build:',
    '  extends: .aws-oidc',
    '  stage: build',
    '  image: docker:27',
    '  services: [docker:27-dind]',
    '  rules:',
    `    - if: '${onBranch}'`,
    '  variables:',
    `    AWS_ROLE_ARN: ${n.deployRoleArn}`,
    '    IMAGE: $ECR_REPOSITORY:$CI_COMMIT_SHA',
    '    DOCKER_HOST: tcp://docker:2375',
    '    DOCKER_TLS_CERTDIR: ""',
    '  script:',
    '    - apk add --no-cache aws-cli curl',
    '    - aws ecr get-login-password | docker login --username AWS --password-stdin "${ECR_REPOSITORY%%/*}"',
    ...(cnb ? [`    - ${installPack('')}`] : ['    - docker buildx create --use']),
    ...buildScript(spec.build).map((l) => `    - ${l}`),
    'deploy:',
    '  extends: .aws-oidc',
    '  stage: deploy',
    `  image: node:${NODE_MAJOR}`,
    '  resource_group: heroku2aws-deploy',
    '  rules:',
    `    - if: '${onBranch}'`,
    '  variables:',
    `    AWS_ROLE_ARN: ${n.deployRoleArn}`,
    '    IMAGE: $ECR_REPOSITORY:$CI_COMMIT_SHA',
    '  script:',
    `    - ${deployCommand(spec, false)}`,
    'review:',
    '  extends: .aws-oidc',
    '  stage: deploy',
    `  image: node:${NODE_MAJOR}`,
    '  rules:',
    `    - if: '${onMergeRequest}'`,
    '  variables:',
    `    AWS_ROLE_ARN: ${n.reviewRoleArn}`,
    '    IMAGE: $ECR_REPOSITORY:$CI_COMMIT_SHA',
    '  script:',
    `    - ${deployCommand(spec, true)}`,
    '',
  ].join('\n');
}

export function pipelineFile(spec: CiSpec): {path: string; content: string} {
  return {path: pipelinePath(spec.provider), content: spec.provider === 'github' ? githubWorkflow(spec) : gitlabPipeline(spec)};
}
