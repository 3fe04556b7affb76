/**
 * `migrate deploy` against moto, on its own moto server (the suite pins ECS task transitions,
 * which are global to a moto process). The user's path: plan from fake Heroku, secrets import
 * into moto, then deploy through the built CLI; the aws CLI confirms what exists.
 *
 * How far moto 5.2.1 gets (read in its source and confirmed here):
 * - The shared stack deploys for real through a CREATE change set (ALB, listeners with an ACM
 *   certificate, target group, security groups, roles, log group, cluster), and a later UPDATE
 *   change set changes it in place; an unchanged re-run gets CloudFormation's FAILED
 *   "didn't contain changes" change set.
 * - moto's ExecuteChangeSet neither builds a stack's Outputs nor registers its Exports (only
 *   CreateStack does), and a stack made by a CREATE change set resolves no Fn::ImportValue. So
 *   the release stack's change set is created and described but its execution fails with
 *   "No export named heroku2aws-shop-shared-LogGroupName found": the CLI run ends there (exit 1),
 *   and the release and service stacks cannot deploy on moto at all. Creating the shared stack
 *   with CreateStack instead does not help: moto crashes (HTTP 500) on its
 *   Fn::GetAtt TargetGroup.TargetGroupFullName output.
 * - So the release phase is exercised by driving the ECS port against moto (RunTask, the SDK's
 *   tasks-stopped waiter, StopTask; the success and the timeout path), and the exit-code failure,
 *   the service stacks, the ALB record in the state and replacements by the workflow's unit tests
 *   over in-memory ports (test/unit/deploy-workflow.test.ts): moto's containers always report
 *   exit code 0 and its change sets carry no Replacement or Details.
 * - The CloudFormation port's outputs and UPDATE flow are checked on a small stack the aws CLI
 *   creates with CreateStack (which moto gives outputs).
 * - Not here: the optional network stack (moto does not implement Fn::Cidr; executing its change
 *   set answers HTTP 500), and listr2 progress (needs a terminal; tried by hand under `script`).
 * - moto's RunTask with awsvpc also crashes unless the subnet's VPC has DNS hostnames enabled
 *   (NetworkInterface.private_dns_name); the test VPC enables them, as real task VPCs do.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createStackDeployer} from '../../src/adapters/aws/cloudformation.ts';
import {createTaskRunner} from '../../src/adapters/aws/ecs.ts';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {runCli, tempDir, type CliResult} from '../support/cli.ts';
import {motoEnv, startMoto, type MotoServer} from '../support/moto.ts';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9';
const SHARED = 'heroku2aws-shop-shared';
const RELEASE = 'heroku2aws-shop-release';

let moto: MotoServer;
let heroku: FakeHeroku;
let planDir: string;
let env: Record<string, string>;
const net = {vpc: '', pub: [] as string[], priv: [] as string[], cert: '', cert2: ''};

const aws = <T = Record<string, unknown>>(args: string[]): T => {
  const out = execFileSync('aws', ['--endpoint-url', moto.endpoint, '--output', 'json', ...args], {env: {...process.env, ...motoEnv(moto.endpoint)}, stdio: ['ignore', 'pipe', 'pipe']}).toString();
  return (out.trim() ? JSON.parse(out) : {}) as T;
};
const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> => runCli([...args, '--plan-dir', planDir], {env: {...env, ...extraEnv}});
const deployArgs = (extra: string[] = []) => [
  'deploy',
  '--app',
  'shop',
  '--image',
  IMAGE,
  '--certificate-arn',
  net.cert,
  '--vpc',
  net.vpc,
  '--public-subnets',
  net.pub.join(','),
  '--private-subnets',
  net.priv.join(','),
  ...extra,
];
/** deployArgs(['--yes']) with one flag's value replaced */
const withFlag = (flag: string, value: string, extra: string[] = []) => {
  const args = deployArgs(['--yes', ...extra]);
  args[args.indexOf(flag) + 1] = value;
  return args;
};
const stackNames = () => aws<{StackSummaries: {StackName: string; StackStatus: string}[]}>(['cloudformation', 'list-stacks']).StackSummaries.filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName);
const journal = () =>
  readFileSync(join(planDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as {op: string; phase: string; ok?: boolean; details: Record<string, unknown>});

function importCertificate(domain: string): string {
  const dir = tempDir('h2a-cert-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '30', '-subj', `/CN=${domain}`], {stdio: 'ignore'});
  return aws<{CertificateArn: string}>(['acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'cert.pem')}`, '--private-key', `fileb://${join(dir, 'key.pem')}`]).CertificateArn;
}

beforeAll(async () => {
  moto = await startMoto();
  heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
  env = {...motoEnv(moto.endpoint), AWS_EC2_METADATA_DISABLED: 'true', HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir()};
  planDir = tempDir();
  const plan = await runCli(['plan', '--app', 'shop', '--out', planDir], {env});
  expect(plan.code).toBe(0);
  net.cert = importCertificate('shop.example.com');
  net.cert2 = importCertificate('www.shop.example.com');
  net.vpc = aws<{Vpc: {VpcId: string}}>(['ec2', 'create-vpc', '--cidr-block', '10.20.0.0/16']).Vpc.VpcId;
  aws(['ec2', 'modify-vpc-attribute', '--vpc-id', net.vpc, '--enable-dns-hostnames', '{"Value":true}']);
  const subnet = (cidr: string, az: string) => aws<{Subnet: {SubnetId: string}}>(['ec2', 'create-subnet', '--vpc-id', net.vpc, '--cidr-block', cidr, '--availability-zone', az]).Subnet.SubnetId;
  net.pub = [subnet('10.20.1.0/24', 'us-east-1a'), subnet('10.20.2.0/24', 'us-east-1b')];
  net.priv = [subnet('10.20.11.0/24', 'us-east-1a'), subnet('10.20.12.0/24', 'us-east-1b')];
}, 120_000);

afterAll(async () => {
  await heroku?.close();
  moto?.process.kill('SIGTERM');
});

describe('migrate deploy refuses bad input before any change', () => {
  it('no terminal and no --yes: exit 2 at once', async () => {
    const r = await cli(deployArgs());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no terminal to ask[\s\S]*Fix: Re-run with --yes/);
    expect(stackNames()).toEqual([]);
  });

  it('no secret imported yet', async () => {
    const r = await cli(deployArgs(['--yes']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No secret is recorded for shop[\s\S]*Fix: Run migrate secrets import --app shop first/);
    expect(stackNames()).toEqual([]);
  });

  it('after migrate secrets import: missing image, certificate or subnets, a bad subnet, a foreign certificate', async () => {
    expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
    const without = (flag: string) => {
      const args = deployArgs(['--yes']);
      args.splice(args.indexOf(flag), 2);
      return args;
    };
    const cases: [string[], RegExp][] = [
      [without('--image'), /No container image given[\s\S]*Fix: Pass --image/],
      [without('--certificate-arn'), /Missing values for CertificateArn \(heroku2aws-shop-shared\)[\s\S]*Fix: Pass --certificate-arn/],
      [without('--private-subnets'), /Missing values for PrivateSubnetIds \(heroku2aws-shop-shared\)[\s\S]*--private-subnets \(or --create-network\)/],
      [withFlag('--public-subnets', net.pub[0]!), /--public-subnets needs at least two subnets/],
      [withFlag('--private-subnets', 'subnet-1,sg-2'), /'subnet-1', 'sg-2', which are not subnet ids/],
      [withFlag('--certificate-arn', net.cert.replace('us-east-1', 'eu-west-1')), /certificate is in eu-west-1, the load balancer in us-east-1/],
      [[...without('--vpc'), '--create-network'], /--create-network/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect({args: args.join(' '), stderr: r.stderr}).toEqual({args: args.join(' '), stderr: expect.stringMatching(message)});
      expect(r.code).toBe(2);
    }
    expect(stackNames()).toEqual([]);
  });

  it('a plan older than the Heroku app (a new process type, a changed add-on plan) is refused, naming the change', async () => {
    const app = heroku.state.apps.find((a) => a.app.name === 'shop')!;
    const saved = structuredClone({formation: app.formation, addons: app.addons});
    app.formation.push({...app.formation[0]!, id: 'f-new', type: 'mailer', command: 'bin/mailer'});
    app.addons[1]!.plan = {...app.addons[1]!.plan, name: 'heroku-redis:premium-2'};
    const r = await cli(deployArgs(['--yes']));
    Object.assign(app, saved);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The plan is older than the Heroku app: .*add-on redis-rigid-54321 changed \(heroku-redis:premium-0 -> heroku-redis:premium-2\).*process type mailer is new on Heroku/);
    expect(r.stderr).toMatch(/Fix: Re-plan/);
    expect(stackNames()).toEqual([]);
  });

  it('a stack in CREATE_IN_PROGRESS (moto has no rollback: a failed CreateStack stays there) is refused with what to do', async () => {
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, JSON.stringify({Resources: {Subnet: {Type: 'AWS::EC2::Subnet', Properties: {VpcId: 'vpc-00000000000000000', CidrBlock: '10.9.0.0/24'}}}}));
    expect(() => aws(['cloudformation', 'create-stack', '--stack-name', 'heroku2aws-shop-service-web', '--template-body', `file://${bad}`])).toThrow();
    const r = await cli(deployArgs(['--yes']));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Stack heroku2aws-shop-service-web is CREATE_IN_PROGRESS: another operation on it is still running[\s\S]*Fix: Wait until it settles \(aws cloudformation describe-stack-events/);
    expect(stackNames()).toEqual(['heroku2aws-shop-service-web']); // nothing else was created
    aws(['cloudformation', 'delete-stack', '--stack-name', 'heroku2aws-shop-service-web']);
    expect(stackNames()).toEqual([]);
  });
});

describe('migrate deploy through CloudFormation change sets (moto)', () => {
  let first: CliResult;
  beforeAll(async () => {
    first = await cli(deployArgs(['--yes']));
  }, 60_000);

  it('shows the shared change set, executes it and follows its events', () => {
    expect(first.stderr).toMatch(/Change set for heroku2aws-shop-shared \(create\): 13 to add, 0 to modify \(0 replaced\), 0 to remove/);
    // the role EventBridge Scheduler assumes for the app's Heroku Scheduler jobs comes with the shared stack
    expect(first.stderr).toMatch(/\+ SchedulerRole\s+AWS::IAM::Role/);
    for (const id of ['LoadBalancer', 'HttpsListener', 'HttpListener', 'TargetGroup', 'Cluster', 'ExecutionRole', 'TaskSecurityGroup', 'LogGroup']) expect(first.stderr).toMatch(new RegExp(`\\+ ${id}\\s+AWS::`));
    expect(first.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z Creating heroku2aws-shop-shared: heroku2aws-shop-shared CREATE_COMPLETE$/m);
  });

  it('the aws CLI finds the shared stack and its resources', () => {
    const stack = aws<{Stacks: {StackStatus: string; Tags: {Key: string; Value: string}[]; Parameters: {ParameterKey: string; ParameterValue: string}[]}[]}>(['cloudformation', 'describe-stacks', '--stack-name', SHARED]).Stacks[0]!;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Tags).toEqual(expect.arrayContaining([{Key: 'heroku2aws:app', Value: 'shop'}]));
    expect(stack.Parameters.find((p) => p.ParameterKey === 'SecretArn')!.ParameterValue).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws\/shop-/);
    const lbs = aws<{LoadBalancers: {LoadBalancerArn: string; Scheme: string; Type: string; AvailabilityZones: {SubnetId: string}[]}[]}>(['elbv2', 'describe-load-balancers']).LoadBalancers;
    expect(lbs).toHaveLength(1);
    expect(lbs[0]).toMatchObject({Scheme: 'internet-facing', Type: 'application'});
    expect(lbs[0]!.AvailabilityZones.map((z) => z.SubnetId).sort()).toEqual([...net.pub].sort());
    const listeners = aws<{Listeners: {Port: number; Protocol: string; SslPolicy?: string; Certificates?: {CertificateArn: string}[]; DefaultActions: {Type: string}[]}[]}>(['elbv2', 'describe-listeners', '--load-balancer-arn', lbs[0]!.LoadBalancerArn]).Listeners;
    const byPort = Object.fromEntries(listeners.map((l) => [l.Port, l]));
    expect(byPort[80]).toMatchObject({Protocol: 'HTTP', DefaultActions: [{Type: 'redirect'}]});
    expect(byPort[443]).toMatchObject({Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{CertificateArn: net.cert}], DefaultActions: [{Type: 'forward'}]});
    const tg = aws<{TargetGroups: {TargetType: string; HealthCheckPath: string}[]}>(['elbv2', 'describe-target-groups']).TargetGroups;
    expect(tg).toHaveLength(1);
    expect(tg[0]!.TargetType).toBe('ip');
    expect(aws<{clusterArns: string[]}>(['ecs', 'list-clusters']).clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/shop']);
    const logs = aws<{logGroups: {logGroupName: string; retentionInDays: number}[]}>(['logs', 'describe-log-groups', '--log-group-name-prefix', '/heroku2aws/shop']).logGroups;
    expect(logs).toEqual([expect.objectContaining({logGroupName: '/heroku2aws/shop', retentionInDays: 30})]);
  });

  it('moto stops the run at the release stack (no exports from change-set stacks): exit 1 with the reason, no service touched', () => {
    expect(first.stderr).toMatch(/Change set for heroku2aws-shop-release \(create\): 1 to add[\s\S]*\+ TaskDefinition\s+AWS::ECS::TaskDefinition/);
    expect(first.stderr).toMatch(/Error: .*execute the change set of stack heroku2aws-shop-release: No export named heroku2aws-shop-shared-LogGroupName found/);
    expect(first.stderr).toMatch(/Fix: .*Already deployed in this run: heroku2aws-shop-shared \(created\)\./);
    expect(first.code).toBe(1);
    expect(stackNames().filter((n) => n.includes('service-'))).toEqual([]);
    expect(aws<{serviceArns: string[]}>(['ecs', 'list-services', '--cluster', 'shop']).serviceArns).toEqual([]);
    const state = JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
    expect(state.deploy).toBeUndefined(); // only a complete deploy is recorded
  });

  it('journals intent and result of every change-set execution', () => {
    expect(journal().filter((e) => e.op === 'stack-change-set').map((e) => `${e.details.stack}:${e.phase}:${e.ok ?? ''}`)).toEqual([
      `${SHARED}:intent:`,
      `${SHARED}:result:true`,
      `${RELEASE}:intent:`,
      `${RELEASE}:result:false`,
    ]);
  });

  it('a re-run with nothing changed in the shared stack: "no changes", its change set deleted, the stack untouched', async () => {
    const before = aws<{Stacks: {LastUpdatedTime?: string; StackStatus: string}[]}>(['cloudformation', 'describe-stacks', '--stack-name', SHARED]).Stacks[0]!;
    const r = await cli(deployArgs(['--yes']));
    expect(r.stderr).toMatch(/^› heroku2aws-shop-shared: no changes$/m);
    expect(r.stderr).not.toMatch(/Change set for heroku2aws-shop-shared/);
    // the FAILED "didn't contain changes" change set was deleted (moto, unlike AWS, also lists executed ones)
    expect(aws<{Summaries: {Status: string}[]}>(['cloudformation', 'list-change-sets', '--stack-name', SHARED]).Summaries.filter((c) => c.Status !== 'CREATE_COMPLETE')).toEqual([]);
    const after = aws<{Stacks: {LastUpdatedTime?: string; StackStatus: string}[]}>(['cloudformation', 'describe-stacks', '--stack-name', SHARED]).Stacks[0]!;
    expect(after).toEqual(before);
    expect(r.code).toBe(1); // the release stack again (moto)
  });

  it('a new certificate goes through an UPDATE change set and changes the HTTPS listener in place (same ALB)', async () => {
    const lb = aws<{LoadBalancers: {LoadBalancerArn: string}[]}>(['elbv2', 'describe-load-balancers']).LoadBalancers[0]!.LoadBalancerArn;
    const r = await cli(withFlag('--certificate-arn', net.cert2, ['--json']));
    // --json: one envelope on stdout; the stack events as JSON lines on stderr
    const envelope = JSON.parse(r.stdout) as {status: string; error: {message: string; exitCode: number}};
    expect(envelope).toMatchObject({status: 'error', error: {exitCode: 1}});
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as {step: string; stack: string; status: string});
    expect(events.map((e) => e.status)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(events[0]).toMatchObject({step: `Updating ${SHARED}`, stack: SHARED});
    const listeners = aws<{Listeners: {Port: number; Certificates?: {CertificateArn: string}[]}[]}>(['elbv2', 'describe-listeners', '--load-balancer-arn', lb]).Listeners;
    expect(listeners.find((l) => l.Port === 443)!.Certificates).toEqual([{CertificateArn: net.cert2}]);
    expect(aws<{LoadBalancers: unknown[]}>(['elbv2', 'describe-load-balancers']).LoadBalancers).toHaveLength(1);
    expect(journal().filter((e) => e.op === 'stack-change-set' && e.details.stack === SHARED).at(-1)).toMatchObject({phase: 'result', ok: true, details: {status: 'UPDATE_COMPLETE'}});
  });
});

describe('the ports against moto (what the CLI run could not reach on moto)', () => {
  const saved = {...process.env};
  beforeAll(() => {
    Object.assign(process.env, motoEnv(moto.endpoint));
  });
  afterAll(() => {
    process.env = saved;
  });
  const transition = (t: Record<string, unknown>) =>
    fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {method: 'POST', body: JSON.stringify({model_name: 'ecs::task', transition: t})}).then((res) => expect(res.ok).toBe(true));

  /** The release task definition as the release stack would register it, plus container-level memory, without which moto's RunTask crashes. */
  function releaseTaskDefinition(): string {
    const td = aws<{taskDefinition: {taskDefinitionArn: string}}>([
      'ecs',
      'register-task-definition',
      '--family',
      'shop-release',
      '--network-mode',
      'awsvpc',
      '--requires-compatibilities',
      'FARGATE',
      '--cpu',
      '256',
      '--memory',
      '512',
      '--container-definitions',
      JSON.stringify([{name: 'release', image: IMAGE, essential: true, memory: 512, entryPoint: ['/cnb/lifecycle/launcher'], command: ['bash', '-c', 'npm run migrate']}]),
    ]);
    return td.taskDefinition.taskDefinitionArn;
  }
  /** the shared stack's task security group (moto gives the stack no outputs, so it is read from the stack's resources) */
  const securityGroup = () => {
    const id = aws<{StackResources: {LogicalResourceId: string; PhysicalResourceId: string}[]}>(['cloudformation', 'describe-stack-resources', '--stack-name', SHARED]).StackResources.find((r) => r.LogicalResourceId === 'TaskSecurityGroup')!.PhysicalResourceId;
    expect(id).toMatch(/^sg-/);
    return id;
  };

  it('release task: RunTask on the shared cluster and subnets, the SDK waiter until STOPPED, exit code 0', async () => {
    await transition({progression: 'immediate'});
    const runner = await createTaskRunner({region: 'us-east-1', maxAttempts: 1, minDelay: 1});
    const taskDefinition = releaseTaskDefinition();
    const spec = {cluster: 'shop', taskDefinition, containerName: 'release', subnets: net.priv, securityGroups: [securityGroup()], startedBy: 'heroku2aws-release', clientToken: 'test-release-1'};
    const {taskArn} = await runner.runTask(spec);
    const outcome = await runner.waitForTask('shop', taskArn, 'release', {timeoutSeconds: 30});
    expect(outcome).toMatchObject({taskArn, lastStatus: 'STOPPED', exitCode: 0, timedOut: false});
    const task = aws<{tasks: {lastStatus: string; startedBy: string; launchType: string; taskDefinitionArn: string}[]}>(['ecs', 'describe-tasks', '--cluster', 'shop', '--tasks', taskArn]).tasks[0]!;
    expect(task).toMatchObject({lastStatus: 'STOPPED', startedBy: 'heroku2aws-release', launchType: 'FARGATE', taskDefinitionArn: taskDefinition});
  });

  it('release task: a task that does not stop in time is reported as timed out and stopped', async () => {
    await transition({progression: 'manual', times: 1_000_000}); // stays RUNNING however often it is described
    const runner = await createTaskRunner({region: 'us-east-1', maxAttempts: 1, minDelay: 1, maxDelay: 1, statusPollMs: 500});
    const {taskArn} = await runner.runTask({cluster: 'shop', taskDefinition: 'shop-release', containerName: 'release', subnets: net.priv, securityGroups: [securityGroup()], startedBy: 'heroku2aws-release', clientToken: 'test-release-2'});
    const statuses: string[] = [];
    const outcome = await runner.waitForTask('shop', taskArn, 'release', {timeoutSeconds: 3, onStatus: (s) => statuses.push(s)});
    expect(outcome).toMatchObject({lastStatus: 'RUNNING', exitCode: null, timedOut: true});
    expect(statuses).toEqual(['RUNNING']);
    await runner.stopTask('shop', taskArn, 'heroku2aws: release phase timed out after 3 s');
    const task = aws<{tasks: {lastStatus: string; stoppedReason: string}[]}>(['ecs', 'describe-tasks', '--cluster', 'shop', '--tasks', taskArn]).tasks[0]!;
    expect(task).toMatchObject({lastStatus: 'STOPPED', stoppedReason: 'heroku2aws: release phase timed out after 3 s'});
    await transition({progression: 'immediate'});
  }, 30_000);

  it('stacks: outputs, both "nothing to change" answers, an UPDATE change set with its changes, execution, waiting and events', async () => {
    const file = join(tempDir(), 'small.json');
    const template = {
      Parameters: {Label: {Type: 'String'}},
      Resources: {First: {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: {Ref: 'Label'}, VpcId: net.vpc}}},
      Outputs: {FirstId: {Value: {'Fn::GetAtt': ['First', 'GroupId']}}},
    };
    writeFileSync(file, JSON.stringify(template));
    aws(['cloudformation', 'create-stack', '--stack-name', 'h2a-port-test', '--template-body', `file://${file}`, '--parameters', 'ParameterKey=Label,ParameterValue=first']);
    const cfn = await createStackDeployer({region: 'us-east-1', maxAttempts: 1, minDelay: 1, maxDelay: 2, eventPollMs: 200});
    expect(await cfn.describeStack('h2a-no-such-stack')).toBeNull();
    expect(await cfn.describeStack('h2a-port-test')).toMatchObject({status: 'CREATE_COMPLETE', parameters: {Label: 'first'}, outputs: {FirstId: expect.stringMatching(/^sg-/)}});

    const spec = (changeSetName: string, body: unknown, label = 'first') => ({
      stackName: 'h2a-port-test',
      changeSetName,
      type: 'UPDATE' as const,
      templateBody: typeof body === 'string' ? body : JSON.stringify(body),
      parameters: [{key: 'Label', value: label}],
      tags: {'heroku2aws:app': 'shop'},
      description: 'test',
      clientToken: changeSetName,
    });
    // the same body and parameters: moto answers CreateChangeSet with UpdateStack's ValidationError "No updates are to be performed."
    expect(await cfn.createChangeSet(spec('same', template))).toMatchObject({noChanges: true, id: null});
    // the same template, formatted differently: a FAILED "didn't contain changes" change set, which the caller deletes
    const same = await cfn.createChangeSet(spec('same-pretty', JSON.stringify(template, null, 2)));
    expect(same).toMatchObject({noChanges: true, status: 'FAILED', statusReason: expect.stringMatching(/didn't contain changes/)});
    await cfn.deleteChangeSet('h2a-port-test', same.id!);

    const next = {...template, Resources: {...template.Resources, Second: {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: 'second', VpcId: net.vpc}}}};
    const cs = await cfn.createChangeSet(spec('add-second', next));
    expect(cs).toMatchObject({status: 'CREATE_COMPLETE', noChanges: false, changes: [{action: 'Add', logicalId: 'Second', resourceType: 'AWS::EC2::SecurityGroup'}]});
    const after = await cfn.latestEventId('h2a-port-test');
    await cfn.executeChangeSet('h2a-port-test', cs.id!, 'add-second');
    const seen: string[] = [];
    const waited = await cfn.waitForStack('h2a-port-test', 'update', {afterEventId: after, onEvent: (e) => seen.push(e.status)});
    expect(waited).toMatchObject({ok: true, settled: true, stack: {status: 'UPDATE_COMPLETE'}});
    expect(seen).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE']);
    expect(waited.events.map((e) => e.status)).toEqual(seen);
    const groups = aws<{SecurityGroups: {Description: string}[]}>(['ec2', 'describe-security-groups', '--filters', `Name=vpc-id,Values=${net.vpc}`]).SecurityGroups.map((g) => g.Description);
    expect(groups).toEqual(expect.arrayContaining(['first', 'second']));
    await expect(cfn.createChangeSet({...spec('missing', next), stackName: 'h2a-no-such-stack'})).rejects.toThrow(/create a change set for stack h2a-no-such-stack/);
  });
});
