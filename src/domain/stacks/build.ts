/**
 * Plan -> CloudFormation stacks (pure: the building blocks come in as data).
 *
 * Stacks (names from naming.ts stackName(app, part)):
 *   network            optional VPC for teams without one (its outputs feed the shared stack's parameters)
 *   shared             cluster, ALB + listeners + target group (web apps), security groups, log group, roles
 *   release            the release-phase task definition (apps with a release command), run by `migrate deploy`
 *   service-<type>     one ECS service per process type, with its autoscaling and alarms
 * Service and release stacks import the shared stack's exports (`<shared stack name>-<Output>`).
 */
import {MigrateError} from '../errors.ts';
import {isValidFargatePair} from '../fargate.ts';
import {scheduleGroupName} from '../addon-provision.ts';
import {alarmNames, logGroupName, releaseTaskFamily, stackName} from '../naming.ts';
import type {Plan} from '../plan.ts';
import type {ServicePlan} from '../processes.ts';
import {compose, slot, type Sections, type StackBlock, type StackBlocks, type Vars} from './blocks.ts';
import {parametersFor, serializeStack, templateProblems} from './serialize.ts';
import type {BuildStacksOptions, CfnTemplate, ContainerHealthCheck, Json, StackDoc, StackKind, StackSet} from './types.ts';

/** The container of the release task (and the RunTask override target). */
export const RELEASE_CONTAINER = 'release';
const SECRET_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** CloudFormation's limit for a TemplateBody (larger templates go through S3, up to 1 MB). */
export const TEMPLATE_BODY_LIMIT = 51_200;
const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * How a process command starts. CNB images (the Heroku builder) run it through the CNB launcher,
 * which first sets the buildpacks' environment (PATH, language settings), then `bash -c` as on a
 * dyno. Dockerfile images run it with `/bin/sh -c`, as Heroku runs container-stack commands.
 */
export function launchCommand(plan: Plan, command: string): {entryPoint: string[]; command: string[]} {
  return plan.build.strategy === 'cloud-native-buildpacks'
    ? {entryPoint: ['/cnb/lifecycle/launcher'], command: ['bash', '-c', command]}
    : {entryPoint: ['/bin/sh', '-c'], command: [command]};
}

/** Deployment bounds: singletons (clocks) stop the old task before starting the new one. */
export function deploymentPercents(service: ServicePlan): {minHealthyPercent: number; maxPercent: number} {
  return service.singleton ? {minHealthyPercent: 0, maxPercent: 100} : {minHealthyPercent: 100, maxPercent: 200};
}

/** Tasks a service starts with: processes that move in the write-freeze window start at 0. */
export const initialDesiredCount = (service: ServicePlan) => (service.moves === 'in-window' ? 0 : service.desiredCount);

/** The part (file stem and stack name suffix) of a service stack. */
export const servicePart = (processType: string) => `service-${processType}`;

function toStackName(app: string, part: string): string {
  return stackName(app, part.replace(/[^A-Za-z0-9-]/g, '-'));
}

function checkPair(what: string, cpu: number, memory: number): void {
  if (!isValidFargatePair({cpu, memory})) {
    throw new MigrateError('input', `The plan gives ${what} ${cpu} CPU units and ${memory} MiB, which is not a Fargate task size.`, {
      hint: 'Re-plan (`migrate plan`) or pick a pair from the Fargate table (docs/facts.md, "Dynos -> Fargate").',
    });
  }
}

function doc(plan: Plan, kind: StackKind, part: string, description: string, sections: Sections, processType?: string): StackDoc {
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: description,
    Metadata: {heroku2aws: {app: plan.app.name, part, generatedBy: 'heroku2aws'}},
    Parameters: sections.Parameters,
    ...(Object.keys(sections.Conditions).length > 0 ? {Conditions: sections.Conditions} : {}),
    Resources: sections.Resources,
    Outputs: sections.Outputs,
  };
  const problems = templateProblems(template);
  if (problems.length > 0) {
    throw new MigrateError('internal', `The generated ${part} stack is inconsistent: ${problems.slice(0, 3).join('; ')}.`, {
      hint: 'A building block in templates/cloudformation/ refers to something no block defines.',
    });
  }
  return {
    kind,
    part,
    stackName: toStackName(plan.app.name, part),
    ...(processType === undefined ? {} : {processType}),
    template,
    parameters: parametersFor(template),
  };
}


const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-f:]+::?[0-9a-f:]*\/\d{1,3}$/i;

/**
 * The ALB security group's ingress: 80 and 443 from each of Cloudflare's published ranges only
 * (the shared-alb block's slots cloudflareIpv4/cloudflareIpv6; docs/origin-access.md). 2 ports x
 * (15 IPv4 + 7 IPv6) rules stays under the 60-rule quota of a security group (per IP version).
 */
export function cloudflareIngress(block: StackBlock): Json[] {
  const list = (name: string, re: RegExp): string[] => {
    const value = block.slots[name];
    if (!Array.isArray(value) || value.length === 0 || !value.every((c) => typeof c === 'string' && re.test(c))) {
      throw new MigrateError('schema', `The ${name} list in templates/cloudformation/shared-alb.json is missing or holds something that is not a CIDR range.`, {
        hint: 'Restore it with `node scripts/refresh-cloudflare-ips.js` (or reinstall heroku2aws).',
      });
    }
    return value as string[];
  };
  const [v4, v6] = [list('cloudflareIpv4', IPV4_CIDR), list('cloudflareIpv6', IPV6_CIDR)];
  if (2 * Math.max(v4.length, v6.length) > 60) {
    throw new MigrateError('input', `Cloudflare publishes more ranges (${v4.length} IPv4, ${v6.length} IPv6) than one security group can hold for ports 80 and 443 (60 rules per IP version).`, {
      hint: 'Raise the "Inbound rules per security group" quota of the account, and report this so the template can split the rules.',
    });
  }
  const what = (port: number) => (port === 80 ? 'HTTP (redirected to HTTPS)' : 'HTTPS');
  return [80, 443].flatMap((port) => [
    ...v4.map((cidr) => ({Description: `${what(port)} from Cloudflare`, IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIp: cidr})),
    ...v6.map((cidr) => ({Description: `${what(port)} from Cloudflare`, IpProtocol: 'tcp', FromPort: port, ToPort: port, CidrIpv6: cidr})),
  ]);
}
export function buildStacks(plan: Plan, blocks: StackBlocks, options: BuildStacksOptions = {}): StackSet {
  const app = plan.app.name;
  const port = plan.aws.containerPort;
  const hc = plan.aws.healthCheck;
  const names = alarmNames(app);
  const sharedStack = toStackName(app, 'shared');

  const balanced = plan.services.filter((s) => s.loadBalanced);
  if (balanced.length > 1) {
    throw new MigrateError('input', `The plan puts ${balanced.map((s) => s.processType).join(' and ')} behind the load balancer; only one process (web) can be.`, {
      hint: 'Set loadBalanced: true on the web service only (or re-plan).',
    });
  }
  const parts = new Map<string, string>();
  for (const s of plan.services) {
    const name = toStackName(app, servicePart(s.processType));
    const other = parts.get(name);
    if (other !== undefined) throw new MigrateError('input', `Process types '${other}' and '${s.processType}' map to the same stack name ${name}.`, {hint: 'Rename one of the process types.'});
    parts.set(name, s.processType);
  }
  const secretKeys = [...new Set([...plan.secret.keys, ...(options.extraSecretKeys ?? [])])].sort();
  for (const key of secretKeys) {
    if (!SECRET_KEY.test(key)) {
      throw new MigrateError('input', `Config var name '${key}' cannot be an environment variable of an ECS container.`, {
        hint: 'Use letters, digits and underscores (not starting with a digit); rename it on Heroku and re-plan.',
      });
    }
  }

  const network = doc(plan, 'network', 'network', `heroku2aws ${app}: optional network (VPC, 2 public and 2 private subnets in 2 AZs, internet gateway, one NAT gateway)`, compose([blocks.network], {app}));

  const scheduled = plan.addons.some((a) => a.target.kind === 'eventbridge-scheduler');
  // the role of the `data copy --in-vpc` runner task (apps with Postgres or Redis data to move)
  const data = plan.addons.some((a) => a.category === 'postgres' || a.category === 'redis');
  const sharedBlocks: StackBlock[] = [
    blocks.shared,
    ...(balanced.length > 0 ? [blocks['shared-alb']] : []),
    ...(scheduled ? [blocks['shared-scheduler']] : []),
    ...(data ? [blocks['shared-data-runner']] : []),
  ];
  const albIngress = balanced.length > 0 ? cloudflareIngress(blocks['shared-alb']) : undefined;
  const shared = doc(
    plan,
    'shared',
    'shared',
    `heroku2aws ${app}: ECS cluster, ${balanced.length > 0 ? 'load balancer, ' : ''}security groups, log group, task roles${scheduled ? ', the scheduler role' : ''}${data ? ', the data copy runner role' : ''}`,
    compose(sharedBlocks, {
      app,
      cluster: plan.aws.cluster,
      logGroupName: logGroupName(app),
      port,
      healthCheckPath: hc.path,
      healthCheckIntervalSeconds: hc.intervalSeconds,
      healthCheckTimeoutSeconds: hc.timeoutSeconds,
      healthyThresholdCount: hc.healthyThreshold,
      unhealthyThresholdCount: hc.unhealthyThreshold,
      scheduleGroup: scheduleGroupName(app),
      // the scheduled jobs run in the services' task definitions (any revision)
      schedulerTaskDefinitionArns: plan.services.map((s) => ({'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${s.name}:*`})),
      albIngress,
    }),
  );

  const secrets: Json = secretKeys.map((key) => slot(blocks.container, 'secretEntry', {key}));
  const base: Vars = {app, sharedStack, port, portText: String(port), secrets};
  const container = (name: string, command: string, web: boolean, check: ContainerHealthCheck | undefined): Json => {
    const vars: Vars = {
      ...base,
      ...launchCommand(plan, command),
      containerName: name,
      logStreamPrefix: name,
      portMappings: web ? slot(blocks['service-web'], 'portMappings', base) : undefined,
      healthCheck: check
        ? slot(blocks.container, 'healthCheck', {
            containerCheckCommand: check.command,
            containerCheckIntervalSeconds: check.intervalSeconds ?? 30,
            containerCheckTimeoutSeconds: check.timeoutSeconds ?? 5,
            containerCheckRetries: check.retries ?? 3,
            containerCheckStartPeriodSeconds: check.startPeriodSeconds ?? hc.gracePeriodSeconds,
          })
        : undefined,
    };
    return slot(blocks.container, 'container', vars);
  };

  let release: StackDoc | null = null;
  if (plan.releaseTask) {
    const r = plan.releaseTask;
    checkPair('the release task', r.cpu, r.memory);
    release = doc(
      plan,
      'release',
      'release',
      `heroku2aws ${app}: release-phase task definition (run once per deploy, before the services change)`,
      compose([blocks.task, blocks.release], {
        ...base,
        family: releaseTaskFamily(app),
        cpu: String(r.cpu),
        memory: String(r.memory),
        containerName: RELEASE_CONTAINER,
        container: container(RELEASE_CONTAINER, r.command, false, undefined),
        timeoutSeconds: String(r.timeoutSeconds),
      }),
    );
  }

  const services = plan.services.map((s) => {
    checkPair(`process '${s.processType}'`, s.fargate.cpu, s.fargate.memory);
    const web = s.loadBalanced;
    const vars: Vars = {
      ...base,
      family: s.name,
      cpu: String(s.fargate.cpu),
      memory: String(s.fargate.memory),
      containerName: s.processType,
      container: container(s.processType, s.command, web, options.containerHealthChecks?.[s.processType]),
      serviceName: s.name,
      processType: s.processType,
      desiredCount: initialDesiredCount(s),
      desiredCountMax: s.singleton ? 1 : undefined,
      ...deploymentPercents(s),
      alarmRunningBelowDesired: names.runningBelowDesired(s.processType),
      alarmErrorRate: names.errorRate,
      alarmLatencyP99: names.latencyP99,
      alarmUnhealthyHosts: names.unhealthyHosts,
      gracePeriodSeconds: hc.gracePeriodSeconds,
      minCapacity: s.autoscaling?.min ?? null,
      maxCapacity: s.autoscaling?.max ?? null,
    };
    vars.loadBalancers = web ? slot(blocks['service-web'], 'loadBalancers', vars) : undefined;
    vars.healthCheckGracePeriodSeconds = web ? slot(blocks['service-web'], 'healthCheckGracePeriodSeconds', vars) : undefined;
    const parts: StackBlock[] = [
      blocks.task,
      blocks.service,
      ...(web ? [blocks['service-web']] : []),
      ...(s.autoscaling ? [blocks.autoscaling, ...(web ? [blocks['autoscaling-web']] : [])] : []),
    ];
    const what = web ? 'web process behind the load balancer' : s.role === 'clock' ? 'clock process (singleton)' : `${s.role} process`;
    return doc(plan, 'service', servicePart(s.processType), `heroku2aws ${app}: ECS service for the '${s.processType}' ${what}`, compose(parts, vars), s.processType);
  });

  const set: StackSet = {app, network, shared, release, services, warnings: []};
  for (const d of deployOrder(set, true)) {
    const pretty = utf8Bytes(serializeStack(d.template));
    if (pretty > TEMPLATE_BODY_LIMIT) {
      const compact = utf8Bytes(JSON.stringify(d.template));
      set.warnings.push(
        `stacks/${d.part}.json is ${pretty} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for a template passed inline: ` +
          (compact > TEMPLATE_BODY_LIMIT
            ? 'deploy it from S3 (aws cloudformation deploy --s3-bucket ...).'
            : `minified (no indentation) it is ${compact} bytes and fits; as written, the plain aws CLI needs --s3-bucket.`),
      );
    }
  }
  return set;
}

/** Deploy order: shared, then release, then the services (network first when it is used). */
export const deployOrder = (set: StackSet, withNetwork = false): StackDoc[] => [
  ...(withNetwork ? [set.network] : []),
  set.shared,
  ...(set.release ? [set.release] : []),
  ...set.services,
];
