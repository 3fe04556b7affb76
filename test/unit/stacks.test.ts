/**
 * The generated CloudFormation, checked on the objects: security properties (least-privilege
 * secret access, network exposure, TLS), correctness against the plan, and byte stability.
 */
import {MigrateError} from '../../src/domain/errors.ts';
import {isValidFargatePair} from '../../src/domain/fargate.ts';
import {alarmNames, stackName} from '../../src/domain/naming.ts';
import type {Plan} from '../../src/domain/plan.ts';
import {parsePlan} from '../../src/domain/plan-schema.ts';
import {fill} from '../../src/domain/stacks/blocks.ts';
import {
  allStacks,
  buildStacks,
  parseStackBlocks,
  serializeStack,
  stackFiles,
  templateProblems,
  unfilledParameters,
  withParameterValues,
  type Json,
  type JsonObject,
  type StackBlocks,
  type StackDoc,
  type StackSet,
} from '../../src/domain/stacks/index.ts';
import {sampleApp} from '../fakes/heroku-fixtures.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {livePlan, loadBlocks, rawBlocks, readJson, variantFixture} from '../support/plans.ts';

const blocks: StackBlocks = loadBlocks();


const golden = parsePlan(readJson('plans/shop/plan.json'));
const live = livePlan(sampleApp(), {healthCheckPath: '/health', containerPort: 5000});
const variant = livePlan(variantFixture(), {awsRegion: 'eu-west-1'});
const workersOnly: Plan = {...live, services: live.services.filter((s) => s.processType !== 'web'), releaseTask: null};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v as Obj;
};
const arr = (v: unknown): unknown[] => {
  if (!Array.isArray(v)) throw new Error(`not an array: ${JSON.stringify(v)}`);
  return v;
};
const resource = (stack: StackDoc, id: string) => obj(stack.template.Resources[id]);
const props = (stack: StackDoc, id: string) => obj(resource(stack, id).Properties);
const resourcesOfType = (stack: StackDoc, type: string) => Object.entries(stack.template.Resources).filter(([, r]) => obj(r).Type === type);
const container = (stack: StackDoc) => obj(arr(props(stack, 'TaskDefinition').ContainerDefinitions)[0]);
const service = (set: StackSet, type: string) => {
  const found = set.services.find((s) => s.processType === type);
  if (!found) throw new Error(`no service stack for ${type}`);
  return found;
};
const param = (stack: StackDoc, key: string) => stack.parameters.find((p) => p.ParameterKey === key)?.ParameterValue;
/** Every IAM policy statement of every role in the set, with Fn::If branches expanded (and where they sit). */
function statements(set: StackSet): Array<{statement: Obj; stack: string; under?: string}> {
  const out: Array<{statement: Obj; stack: string; under?: string}> = [];
  for (const stack of allStacks(set)) {
    for (const [, role] of resourcesOfType(stack, 'AWS::IAM::Role')) {
      for (const policy of (obj(obj(role).Properties).Policies as unknown[] | undefined) ?? []) {
        for (const s of arr(obj(obj(policy).PolicyDocument).Statement)) {
          const cond = obj(s)['Fn::If'];
          if (cond) {
            const [name, yes, no] = arr(cond);
            out.push({statement: obj(yes), stack: stack.part, under: String(name)});
            expect(no).toEqual({Ref: 'AWS::NoValue'});
          } else out.push({statement: obj(s), stack: stack.part});
        }
      }
    }
  }
  return out;
}

const sets: Array<[string, Plan]> = [
  ['golden shop plan', golden],
  ['live sampleApp plan', live],
  ['variant plan', variant],
];

describe.each(sets)('buildStacks for the %s', (_label, plan) => {
  const set = buildStacks(plan, blocks);
  const web = plan.services.find((s) => s.role === 'web');

  it('names every stack with stackName(app, part) and makes one service stack per process type', () => {
    expect(set.shared.stackName).toBe(stackName(plan.app.name, 'shared'));
    expect(set.network.stackName).toBe(stackName(plan.app.name, 'network'));
    expect(set.services.map((s) => s.processType)).toEqual(plan.services.map((s) => s.processType));
    for (const s of set.services) expect(s.stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
    for (const s of allStacks(set)) expect(templateProblems(s.template)).toEqual([]);
  });

  it('lets the execution role read exactly the secret ARN parameter and nothing wider', () => {
    const all = statements(set);
    const secretStatements = all.filter(({statement}) => JSON.stringify(statement.Action).includes('secretsmanager'));
    expect(secretStatements).toEqual([
      {statement: {Sid: 'ReadAppSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: {Ref: 'SecretArn'}}, stack: 'shared'},
      // the data copy runner's task role: the app secret and this app's add-on connection secrets, read only
      {
        statement: {
          Sid: 'ReadCopyUrls',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [{Ref: 'SecretArn'}, {'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:heroku2aws/${plan.app.name}/addons/*`}],
        },
        stack: 'shared',
      },
    ]);
    expect(JSON.stringify(props(set.shared, 'DataRunnerRole').AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    // no wildcard resources or actions anywhere in inline policies (the scheduler role's and the runner's add-on secrets are scoped)
    for (const {statement} of all) {
      if (!['RunAppTasks', 'TagTasksAtLaunch', 'ReadCopyUrls'].includes(String(statement.Sid))) expect(JSON.stringify(statement.Resource)).not.toContain('*');
      expect(JSON.stringify(statement.Action)).not.toContain('*');
    }
    // the managed policy is the AWS one for task execution (ECR pull, logs), nothing else
    expect(props(set.shared, 'ExecutionRole').ManagedPolicyArns).toEqual([{'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy'}]);
    // the parameter must be one full secret ARN: no default, no wildcard can pass its pattern
    const secretParam = obj(set.shared.template.Parameters.SecretArn);
    expect(secretParam.Default).toBeUndefined();
    const pattern = new RegExp(String(secretParam.AllowedPattern));
    expect(pattern.test('arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws/shop-AbCdEf')).toBe(true);
    for (const wide of ['*', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:*', 'arn:aws:secretsmanager:*:*:secret:heroku2aws/*', 'REPLACE_ME_SECRET_ARN']) {
      expect(pattern.test(wide)).toBe(false);
    }
    // the task role has no permissions and trusts only ECS tasks of this account
    expect(props(set.shared, 'TaskRole').Policies).toBeUndefined();
    expect(JSON.stringify(props(set.shared, 'TaskRole').AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  });

  it('gives EventBridge Scheduler a role that can run, tag and pass roles to exactly the app\'s tasks', () => {
    const role = obj(set.shared.template.Resources.SchedulerRole);
    expect(role.Type).toBe('AWS::IAM::Role');
    const trust = arr(obj(obj(role.Properties).AssumeRolePolicyDocument).Statement);
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: {Service: 'scheduler.amazonaws.com'},
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {'aws:SourceAccount': {Ref: 'AWS::AccountId'}},
          ArnLike: {'aws:SourceArn': {'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/heroku2aws-${plan.app.name}/*`}},
        },
      },
    ]);
    const mine = statements(set).filter(({statement}) => ['RunAppTasks', 'TagTasksAtLaunch', 'PassTaskRoles'].includes(String(statement.Sid)));
    expect(mine.map(({statement}) => statement.Action)).toEqual(['ecs:RunTask', 'ecs:TagResource', 'iam:PassRole']);
    const [run, tag, pass] = mine.map(({statement}) => statement);
    expect(run!.Resource).toEqual(plan.services.map((s) => ({'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${s.name}:*`})));
    expect(run!.Condition).toEqual({ArnEquals: {'ecs:cluster': {'Fn::GetAtt': ['Cluster', 'Arn']}}});
    expect(tag!.Resource).toEqual({'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/${plan.aws.cluster}/*`});
    expect(tag!.Condition).toEqual({StringEquals: {'ecs:CreateAction': 'RunTask'}});
    expect(pass!.Resource).toEqual([{'Fn::GetAtt': ['ExecutionRole', 'Arn']}, {'Fn::GetAtt': ['TaskRole', 'Arn']}]);
    expect(pass!.Condition).toEqual({StringLike: {'iam:PassedToService': 'ecs-tasks.amazonaws.com'}});
    expect(set.shared.template.Outputs.SchedulerRoleArn).toEqual({Value: {'Fn::GetAtt': ['SchedulerRole', 'Arn']}, Export: {Name: {'Fn::Sub': '${AWS::StackName}-SchedulerRoleArn'}}});
  });

  it('allows kms:Decrypt only under the HasKmsKey condition, on the key parameter', () => {
    const kms = statements(set).filter(({statement}) => JSON.stringify(statement.Action).includes('kms:'));
    // the execution role (the app's secret) and the data copy runner role (the copy's URLs)
    expect(kms.map((k) => k.statement.Sid)).toEqual(['DecryptAppSecret', 'DecryptCopyUrls']);
    for (const k of kms) expect(k).toMatchObject({under: 'HasKmsKey', statement: {Action: 'kms:Decrypt', Resource: {Ref: 'KmsKeyArn'}}});
    expect(set.shared.template.Conditions?.HasKmsKey).toEqual({'Fn::Not': [{'Fn::Equals': [{Ref: 'KmsKeyArn'}, '']}]});
    expect(param(set.shared, 'KmsKeyArn')).toBe('');
  });

  it('uses valid Fargate sizes from the plan', () => {
    for (const s of plan.services) {
      const td = props(service(set, s.processType), 'TaskDefinition');
      expect({cpu: td.Cpu, memory: td.Memory}).toEqual({cpu: String(s.fargate.cpu), memory: String(s.fargate.memory)});
      expect(isValidFargatePair({cpu: Number(td.Cpu), memory: Number(td.Memory)})).toBe(true);
      expect(td.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(td.NetworkMode).toBe('awsvpc');
    }
  });

  it('passes every secret key as a `secrets` entry `<secret ARN>:<KEY>::`, and PORT and HEROKU_APP_NAME as environment', () => {
    const docs = [...set.services, ...(set.release ? [set.release] : [])];
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      const c = container(d);
      const secrets = arr(c.Secrets).map(obj);
      expect(secrets.map((s) => s.Name)).toEqual([...plan.secret.keys].sort());
      for (const s of secrets) {
        const sub = obj(s.ValueFrom)['Fn::Sub'];
        expect(sub).toBe(`\${SecretArn}:${String(s.Name)}::`);
        expect(String(sub).endsWith('::')).toBe(true);
      }
      expect(c.Environment).toEqual([
        {Name: 'HEROKU_APP_NAME', Value: plan.app.name},
        {Name: 'PORT', Value: String(plan.aws.containerPort)},
      ]);
      expect(obj(d.template.Parameters.SecretArn).Default).toBeUndefined();
      expect(param(d, 'SecretArn')).toBe('REPLACE_ME_SECRET_ARN');
      expect(obj(obj(c.LogConfiguration).Options)['awslogs-stream-prefix']).toBe(c.Name);
    }
  });

  it('runs each process command through the launcher (CNB) or sh -c (Dockerfile)', () => {
    for (const s of plan.services) {
      const c = container(service(set, s.processType));
      if (plan.build.strategy === 'cloud-native-buildpacks') {
        expect(c.EntryPoint).toEqual(['/cnb/lifecycle/launcher']);
        expect(c.Command).toEqual(['bash', '-c', s.command]);
      } else {
        expect(c.EntryPoint).toEqual(['/bin/sh', '-c']);
        expect(c.Command).toEqual([s.command]);
      }
    }
  });

  it('deploys with the circuit breaker and rollback on, zero-downtime bounds for web, never two clocks', () => {
    for (const s of plan.services) {
      const svc = props(service(set, s.processType), 'Service');
      const dc = obj(svc.DeploymentConfiguration);
      expect(dc.DeploymentCircuitBreaker).toEqual({Enable: true, Rollback: true});
      if (s.role === 'web') expect([dc.MinimumHealthyPercent, dc.MaximumPercent]).toEqual([100, 200]);
      if (s.singleton) {
        expect([dc.MinimumHealthyPercent, dc.MaximumPercent]).toEqual([0, 100]);
        expect(obj(service(set, s.processType).template.Parameters.DesiredCount).MaxValue).toBe(1);
      }
      expect(svc.LaunchType).toBe('FARGATE');
      expect(obj(obj(svc.NetworkConfiguration).AwsvpcConfiguration).AssignPublicIp).toBe('DISABLED');
    }
  });

  it('attaches only web to the target group, with its port mapping and grace period', () => {
    for (const s of plan.services) {
      const d = service(set, s.processType);
      const svc = props(d, 'Service');
      if (s.role === 'web') {
        expect(svc.LoadBalancers).toEqual([
          {ContainerName: 'web', ContainerPort: plan.aws.containerPort, TargetGroupArn: {'Fn::ImportValue': {'Fn::Sub': '${SharedStackName}-TargetGroupArn'}}},
        ]);
        expect(svc.HealthCheckGracePeriodSeconds).toBe(plan.aws.healthCheck.gracePeriodSeconds);
        expect(arr(container(d).PortMappings).map(obj).map((p) => p.ContainerPort)).toEqual([plan.aws.containerPort]);
      } else {
        expect(svc.LoadBalancers).toBeUndefined();
        expect(svc.HealthCheckGracePeriodSeconds).toBeUndefined();
        expect(container(d).PortMappings).toBeUndefined();
      }
    }
    if (set.release) expect(container(set.release).PortMappings).toBeUndefined();
  });

  it('starts processes that move in the window at 0 tasks and web at the planned count', () => {
    for (const s of plan.services) {
      const d = service(set, s.processType);
      expect(props(d, 'Service').DesiredCount).toEqual({Ref: 'DesiredCount'});
      expect(param(d, 'DesiredCount')).toBe(String(s.moves === 'in-window' ? 0 : s.desiredCount));
      if (s.role !== 'web') expect(param(d, 'DesiredCount')).toBe('0');
    }
  });

  it('autoscales on CPU and memory (and requests per target for web) within the plan min/max, only once running', () => {
    for (const s of plan.services) {
      const d = service(set, s.processType);
      const policies = resourcesOfType(d, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, r]) =>
        String(obj(obj(obj(obj(r).Properties).TargetTrackingScalingPolicyConfiguration).PredefinedMetricSpecification).PredefinedMetricType),
      );
      if (!s.autoscaling) {
        expect(resourcesOfType(d, 'AWS::ApplicationAutoScaling::ScalableTarget')).toEqual([]);
        expect(policies).toEqual([]);
        continue;
      }
      const expected = ['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization', ...(s.role === 'web' ? ['ALBRequestCountPerTarget'] : [])];
      expect(policies.sort()).toEqual(expected.sort());
      expect(props(d, 'ScalableTarget')).toMatchObject({MinCapacity: {Ref: 'MinCapacity'}, MaxCapacity: {Ref: 'MaxCapacity'}, ScalableDimension: 'ecs:service:DesiredCount'});
      expect([param(d, 'MinCapacity'), param(d, 'MaxCapacity')]).toEqual([String(s.autoscaling.min), String(s.autoscaling.max)]);
      for (const [, r] of [...resourcesOfType(d, 'AWS::ApplicationAutoScaling::ScalingPolicy'), ...resourcesOfType(d, 'AWS::ApplicationAutoScaling::ScalableTarget')]) {
        expect(obj(r).Condition).toBe('IsRunning');
      }
    }
  });

  it('creates the alarms the cutover gates read, with the names from alarmNames(app)', () => {
    const names = alarmNames(plan.app.name);
    const created = allStacks(set).flatMap((d) => resourcesOfType(d, 'AWS::CloudWatch::Alarm').map(([, r]) => String(obj(obj(r).Properties).AlarmName)));
    const expected = [
      ...(web ? [names.errorRate, names.latencyP99, names.unhealthyHosts] : []),
      ...plan.services.map((s) => names.runningBelowDesired(s.processType)),
    ];
    expect(created.sort()).toEqual(expected.sort());
    for (const gate of plan.cutover.gates.alarms) expect(created).toContain(gate);
    expect(new Set(created).size).toBe(created.length);
  });

  it('defines the alarms as the gates expect them', () => {
    if (!web) return;
    const d = service(set, 'web');
    const errorRate = props(d, 'ErrorRateAlarm');
    const metrics = arr(errorRate.Metrics).map(obj);
    expect(metrics.find((m) => m.ReturnData === true)?.Expression).toBe('100*(FILL(t5,0)+FILL(e5,0))/rq');
    const metricName = (id: string) => obj(obj(metrics.find((m) => m.Id === id)?.MetricStat).Metric).MetricName;
    expect([metricName('t5'), metricName('e5'), metricName('rq')]).toEqual(['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count', 'RequestCount']);
    expect(errorRate.TreatMissingData).toBe('notBreaching');
    expect(props(d, 'LatencyP99Alarm')).toMatchObject({MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Namespace: 'AWS/ApplicationELB'});
    expect(props(d, 'UnhealthyHostsAlarm')).toMatchObject({MetricName: 'UnHealthyHostCount', ComparisonOperator: 'GreaterThanThreshold', Threshold: 0});
    for (const s of plan.services) {
      const running = props(service(set, s.processType), 'RunningBelowDesiredAlarm');
      const ids = arr(running.Metrics).map(obj);
      expect(ids.map((m) => (m.MetricStat ? obj(obj(m.MetricStat).Metric).MetricName : m.Expression))).toEqual(['RunningTaskCount', 'DesiredTaskCount', 'desired - running']);
    }
    expect(props(set.shared, 'Cluster').ClusterSettings).toEqual([{Name: 'containerInsights', Value: 'enabled'}]);
  });

  it('puts the release command in its own task definition with no service', () => {
    if (!plan.releaseTask) {
      expect(set.release).toBeNull();
      return;
    }
    const r = set.release!;
    expect(resourcesOfType(r, 'AWS::ECS::Service')).toEqual([]);
    expect(container(r).Command).toEqual(launchArgs(plan, plan.releaseTask.command));
    expect(props(r, 'TaskDefinition')).toMatchObject({Cpu: String(plan.releaseTask.cpu), Memory: String(plan.releaseTask.memory)});
    expect(r.template.Outputs.TaskDefinitionArn).toEqual({Value: {Ref: 'TaskDefinition'}});
    expect(obj(r.template.Outputs.ContainerName).Value).toBe(container(r).Name);
  });

  it('leaves REPLACE_ME_ placeholders only for what the plan cannot know', () => {
    const unfilled = allStacks(set).flatMap((d) => unfilledParameters(d.parameters));
    expect([...new Set(unfilled)].sort()).toEqual(
      (web ? ['CertificateArn', 'ImageUri', 'PrivateSubnetIds', 'PublicSubnetIds', 'SecretArn', 'VpcId'] : ['ImageUri', 'PrivateSubnetIds', 'SecretArn', 'VpcId']).sort(),
    );
    for (const d of allStacks(set)) expect(d.parameters.map((p) => p.ParameterKey)).toEqual(Object.keys(d.template.Parameters).sort());
    for (const d of set.services) expect(param(d, 'SharedStackName')).toBe(set.shared.stackName);
  });
});

const launchArgs = (plan: Plan, command: string) => (plan.build.strategy === 'cloud-native-buildpacks' ? ['bash', '-c', command] : [command]);

describe('the shared stack', () => {
  const set = buildStacks(live, blocks);
  const shared = set.shared;

  it("opens the ALB on 80 and 443 to Cloudflare's published ranges only (IPv4 and IPv6), never to the world", () => {
    const ingress = arr(props(shared, 'AlbSecurityGroup').SecurityGroupIngress).map(obj);
    const cidrs = (port: number, key: 'CidrIp' | 'CidrIpv6') => ingress.filter((r) => r.FromPort === port && r.ToPort === port && r.IpProtocol === 'tcp' && r[key] !== undefined).map((r) => String(r[key]));
    const slots = blocks['shared-alb'].slots as {cloudflareIpv4: string[]; cloudflareIpv6: string[]};
    for (const port of [80, 443]) {
      expect(cidrs(port, 'CidrIp')).toEqual(slots.cloudflareIpv4);
      expect(cidrs(port, 'CidrIpv6')).toEqual(slots.cloudflareIpv6);
    }
    expect(slots.cloudflareIpv4).toContain('173.245.48.0/20');
    expect(slots.cloudflareIpv6).toContain('2606:4700::/32');
    expect(ingress).toHaveLength(2 * (slots.cloudflareIpv4.length + slots.cloudflareIpv6.length));
    expect(ingress.filter((r) => r.CidrIp === '0.0.0.0/0' || r.CidrIpv6 === '::/0')).toEqual([]);
    expect(ingress.filter((r) => r.FromPort !== 80 && r.FromPort !== 443)).toEqual([]);
    expect(props(shared, 'LoadBalancer')).toMatchObject({Scheme: 'internet-facing', Type: 'application', Subnets: {Ref: 'PublicSubnetIds'}});
  });

  it('a damaged Cloudflare range list in the template is refused, naming the fix', () => {
    const broken = {...blocks, 'shared-alb': {...blocks['shared-alb'], slots: {...blocks['shared-alb'].slots, cloudflareIpv4: ['0.0.0.0/0; DROP']}}};
    expect(() => buildStacks(live, broken)).toThrow(/cloudflareIpv4 list .* not a CIDR range/);
  });

  it('offers authenticated origin pulls: mutual TLS on :443 only when a trust store is given', () => {
    expect(shared.template.Parameters.OriginPullTrustStoreArn).toMatchObject({Type: 'String', Default: ''});
    expect(shared.template.Conditions?.UseOriginPull).toEqual({'Fn::Not': [{'Fn::Equals': [{Ref: 'OriginPullTrustStoreArn'}, '']}]});
    expect(props(shared, 'HttpsListener').MutualAuthentication).toEqual({'Fn::If': ['UseOriginPull', {Mode: 'verify', TrustStoreArn: {Ref: 'OriginPullTrustStoreArn'}}, {Ref: 'AWS::NoValue'}]});
  });

  it('lets tasks be reached only from the ALB security group, on the container port', () => {
    expect(live.aws.containerPort).toBe(5000);
    expect(props(shared, 'TaskSecurityGroup').SecurityGroupIngress).toBeUndefined();
    const taskIngress = [set.shared, ...set.services].flatMap((d) =>
      resourcesOfType(d, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => obj(obj(r).Properties)),
    );
    expect(taskIngress).toEqual([
      {
        Description: 'Container port, from the load balancer only',
        GroupId: {'Fn::GetAtt': ['TaskSecurityGroup', 'GroupId']},
        IpProtocol: 'tcp',
        FromPort: 5000,
        ToPort: 5000,
        SourceSecurityGroupId: {'Fn::GetAtt': ['AlbSecurityGroup', 'GroupId']},
      },
    ]);
    // every service runs in the private subnets with the task security group
    for (const d of set.services) {
      expect(obj(obj(props(d, 'Service').NetworkConfiguration).AwsvpcConfiguration).SecurityGroups).toEqual([
        {'Fn::ImportValue': {'Fn::Sub': '${SharedStackName}-TaskSecurityGroupId'}},
      ]);
    }
  });

  it('redirects :80 to HTTPS 443 and terminates TLS on :443 with the certificate parameter and a TLS 1.3 policy', () => {
    expect(props(shared, 'HttpListener')).toEqual({
      LoadBalancerArn: {Ref: 'LoadBalancer'},
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301'}}],
    });
    expect(props(shared, 'HttpsListener')).toEqual({
      LoadBalancerArn: {Ref: 'LoadBalancer'},
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{CertificateArn: {Ref: 'CertificateArn'}}],
      MutualAuthentication: expect.anything(),
      DefaultActions: [{Type: 'forward', TargetGroupArn: {Ref: 'TargetGroup'}}],
    });
    expect(resourcesOfType(shared, 'AWS::ElasticLoadBalancingV2::Listener')).toHaveLength(2);
  });

  it('health-checks targets as the plan says', () => {
    const hc = live.aws.healthCheck;
    expect(props(shared, 'TargetGroup')).toMatchObject({
      TargetType: 'ip',
      Port: 5000,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: hc.intervalSeconds,
      HealthCheckTimeoutSeconds: hc.timeoutSeconds,
      HealthyThresholdCount: hc.healthyThreshold,
      UnhealthyThresholdCount: hc.unhealthyThreshold,
      TargetGroupAttributes: [{Key: 'deregistration_delay.timeout_seconds', Value: '30'}],
    });
  });

  it('keeps logs with a retention and exports what the service stacks import', () => {
    expect(props(shared, 'LogGroup')).toEqual({LogGroupName: '/heroku2aws/shop', RetentionInDays: {Ref: 'LogRetentionDays'}});
    const exported = Object.keys(shared.template.Outputs);
    for (const name of ['ClusterName', 'LoadBalancerDnsName', 'LoadBalancerFullName', 'TargetGroupArn', 'TargetGroupFullName', 'TaskSecurityGroupId', 'AlbSecurityGroupId', 'ExecutionRoleArn', 'TaskRoleArn', 'LogGroupName', 'PrivateSubnetIds']) {
      expect(exported).toContain(name);
      expect(obj(shared.template.Outputs[name]).Export).toEqual({Name: {'Fn::Sub': `\${AWS::StackName}-${name}`}});
    }
    // every import of every service/release stack names an export of the shared stack
    const imports = JSON.stringify([...set.services, set.release].map((d) => d?.template)).match(/\$\{SharedStackName\}-[A-Za-z]+/g) ?? [];
    for (const i of new Set(imports)) expect(exported).toContain(i.replace('${SharedStackName}-', ''));
  });

  it('has no load balancer (and no web alarms) for an app without a web process', () => {
    const noWeb = buildStacks(workersOnly, blocks);
    expect(resourcesOfType(noWeb.shared, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual([]);
    expect(noWeb.shared.template.Parameters.CertificateArn).toBeUndefined();
    expect(noWeb.services.every((d) => resourcesOfType(d, 'AWS::CloudWatch::Alarm').length === 1)).toBe(true);
  });
});

describe('the network stack', () => {
  const net = buildStacks(golden, blocks).network;
  it('has 2 public and 2 private subnets in 2 AZs, one NAT gateway and default routes', () => {
    const subnets = resourcesOfType(net, 'AWS::EC2::Subnet').map(([id, r]) => [id, obj(obj(r).Properties).AvailabilityZone]);
    expect(subnets).toEqual([
      ['PublicSubnet1', {'Fn::Select': [0, {'Fn::GetAZs': ''}]}],
      ['PublicSubnet2', {'Fn::Select': [1, {'Fn::GetAZs': ''}]}],
      ['PrivateSubnet1', {'Fn::Select': [0, {'Fn::GetAZs': ''}]}],
      ['PrivateSubnet2', {'Fn::Select': [1, {'Fn::GetAZs': ''}]}],
    ]);
    expect(resourcesOfType(net, 'AWS::EC2::NatGateway')).toHaveLength(1);
    expect(props(net, 'PrivateDefaultRoute')).toMatchObject({DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: {Ref: 'NatGateway'}});
    expect(props(net, 'PublicDefaultRoute')).toMatchObject({DestinationCidrBlock: '0.0.0.0/0', GatewayId: {Ref: 'InternetGateway'}});
    expect(Object.keys(net.template.Outputs).sort()).toEqual(['PrivateSubnetIds', 'PublicSubnetIds', 'VpcId']);
  });
});

describe('stackFiles', () => {
  it('is byte-stable: same plan, same bytes', () => {
    const a = stackFiles(golden, blocks);
    const b = stackFiles(structuredClone(golden), parseStackBlocks(rawBlocks()));
    expect(b).toEqual(a);
    expect(Object.keys(a).sort()).toEqual(
      ['network', 'shared', 'release', 'service-web', 'service-clock', 'service-worker'].flatMap((p) => [`stacks/${p}.json`, `stacks/${p}.parameters.json`]).sort(),
    );
    for (const text of Object.values(a)) {
      expect(text.endsWith('\n')).toBe(true);
      expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
    }
  });

  it('serializes independently of key insertion order, keeping array order', () => {
    const t = buildStacks(live, blocks).shared.template;
    const reversed = (v: Json): Json =>
      Array.isArray(v) ? v.map(reversed) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    expect(serializeStack(reversed(t as unknown as Json) as JsonObject)).toBe(serializeStack(t));
    expect(serializeStack(t).indexOf('"AWSTemplateFormatVersion"')).toBeLessThan(serializeStack(t).indexOf('"Resources"'));
  });

  it('changes when the plan changes', () => {
    const moreSecrets: Plan = {...golden, secret: {...golden.secret, keys: [...golden.secret.keys, 'NEW_KEY']}};
    expect(stackFiles(moreSecrets, blocks)['stacks/service-web.json']).not.toBe(stackFiles(golden, blocks)['stacks/service-web.json']);
    expect(stackFiles(moreSecrets, blocks)['stacks/service-web.json']).toContain('${SecretArn}:NEW_KEY::');
  });

  it('never contains a secret value', () => {
    const files = stackFiles(live, blocks);
    expectNoCanary(Object.entries(files), sampleCanaries());
  });
});

describe('options and bad input', () => {
  it('adds a container health check where one is given', () => {
    const set = buildStacks(live, blocks, {containerHealthChecks: {web: {command: 'curl -fsS http://localhost:$PORT/health || exit 1'}}});
    expect(container(service(set, 'web')).HealthCheck).toEqual({
      Command: ['CMD-SHELL', 'curl -fsS http://localhost:$PORT/health || exit 1'],
      Interval: 30,
      Timeout: 5,
      Retries: 3,
      StartPeriod: live.aws.healthCheck.gracePeriodSeconds,
    });
    expect(container(service(set, 'worker')).HealthCheck).toBeUndefined();
  });

  it('adds secret keys the secret holds beyond the plan (add-on remaps), once each', () => {
    const set = buildStacks(golden, blocks, {extraSecretKeys: ['MEMCACHIER_SERVERS', 'DATABASE_URL', 'NODE_ENV']});
    const names = arr(container(service(set, 'web')).Secrets).map((e) => obj(e).Name);
    expect(names).toEqual([...golden.secret.keys, 'MEMCACHIER_SERVERS'].sort());
    expect(arr(container(set.release!).Secrets).map((e) => obj(e).Name)).toEqual(names);
  });

  it('refuses a CPU/memory pair Fargate does not offer', () => {
    const bad: Plan = {...golden, services: golden.services.map((s) => (s.role === 'web' ? {...s, fargate: {cpu: 256, memory: 4096}} : s))};
    expect(() => buildStacks(bad, blocks)).toThrow(MigrateError);
    expect(() => buildStacks(bad, blocks)).toThrow(/not a Fargate task size/);
  });

  it('refuses secret key names that would break the template', () => {
    const bad: Plan = {...golden, secret: {...golden.secret, keys: ['OK', 'NOT-OK${AWS::Region}']}};
    expect(() => buildStacks(bad, blocks)).toThrow(/cannot be an environment variable/);
  });

  it('maps an underscore process type to a valid stack name', () => {
    const set = buildStacks(variant, blocks);
    expect(service(set, 'urgent_worker').stackName).toBe('heroku2aws-bulk-service-urgent-worker');
    expect(service(set, 'urgent_worker').part).toBe('service-urgent_worker');
  });

  it('rejects broken building blocks with the file to fix', () => {
    const raw = rawBlocks();
    expect(() => parseStackBlocks({...raw, shared: undefined})).toThrow(/'shared' is invalid: the file is missing/);
    expect(() => parseStackBlocks({...raw, task: {...obj(raw.task), Resourcez: {}}})).toThrow(/unknown top-level key\(s\) Resourcez/);
    expect(() => fill('{{nope}}', {})).toThrow(/Unknown placeholder \{\{nope\}\}/);
    const typo = structuredClone(raw) as Record<string, Obj>;
    obj(obj(obj(typo.service!.Resources).Service).Properties).TaskDefinition = {Ref: 'TaskDefinitionTypo'};
    expect(() => buildStacks(golden, parseStackBlocks(typo))).toThrow(/Ref to undefined 'TaskDefinitionTypo'/);
  });

  it('fills the parameter files deploy completes', () => {
    const shared = buildStacks(golden, blocks).shared;
    const filled = withParameterValues(shared.parameters, {
      VpcId: 'vpc-1',
      PublicSubnetIds: 'subnet-a,subnet-b',
      PrivateSubnetIds: 'subnet-c,subnet-d',
      CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws/shop-AbCdEf',
    });
    expect(unfilledParameters(filled)).toEqual([]);
    expect(() => withParameterValues(shared.parameters, {VpcID: 'x'})).toThrow(/Unknown stack parameter/);
  });

  it('makes CloudFormation itself refuse a REPLACE_ME_ value left in a string parameter', () => {
    const set = buildStacks(golden, blocks);
    const patterns = (d: StackDoc, key: string) => new RegExp(String(obj(d.template.Parameters[key]).AllowedPattern));
    const web = service(set, 'web');
    expect(patterns(web, 'ImageUri').test('REPLACE_ME_IMAGE_URI')).toBe(false);
    expect(patterns(web, 'ImageUri').test('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:9f3c2a1b')).toBe(true);
    expect(patterns(web, 'ImageUri').test('localhost:5000/shop:v1.0-RC1@sha256:' + 'a'.repeat(64))).toBe(true);
    expect(patterns(set.shared, 'CertificateArn').test('REPLACE_ME_CERTIFICATE_ARN')).toBe(false);
    expect(patterns(set.shared, 'CertificateArn').test('arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666')).toBe(true);
    // VPC and subnets are AWS-specific parameter types: CloudFormation checks they exist
    expect(obj(set.shared.template.Parameters.VpcId).Type).toBe('AWS::EC2::VPC::Id');
    expect(obj(set.shared.template.Parameters.PrivateSubnetIds).Type).toBe('List<AWS::EC2::Subnet::Id>');
  });
});

it('adds no scheduler role to an app without Heroku Scheduler', () => {
  const plain = {...live, addons: live.addons.filter((a) => a.target.kind !== 'eventbridge-scheduler')};
  const set = buildStacks(plain, blocks);
  expect(set.shared.template.Resources.SchedulerRole).toBeUndefined();
  expect(set.shared.template.Outputs.SchedulerRoleArn).toBeUndefined();
});
