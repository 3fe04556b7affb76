/**
 * Pure rules of `migrate deploy`: which stack states can be deployed, what a change set means
 * (replacements, stateful resources), which flag fills which parameter, how the template is
 * passed, and how the plan is checked against the imported secret. No I/O.
 */
import {MigrateError, usageError} from './errors.ts';
import {serializeStack, TEMPLATE_BODY_LIMIT, type CfnTemplate, type StackParameter} from './stacks/index.ts';

/** One resource line of a change set (CloudFormation's ResourceChange, trimmed). */
export interface ResourceChange {
  action: 'Add' | 'Modify' | 'Remove' | 'Import' | 'Dynamic' | 'SyncWithActual' | string;
  logicalId: string;
  resourceType: string;
  physicalId?: string;
  /** CloudFormation's answer for a Modify: True (always replaced), Conditional (may be), False */
  replacement?: 'True' | 'False' | 'Conditional' | string;
  /** what causes the change, e.g. `Properties.Subnets (recreate: Always)` */
  causes: string[];
}

/** One stack event (newest last when handed to the UI). */
export interface StackEvent {
  id: string;
  at: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
  physicalId?: string;
}

// --- stack state -------------------------------------------------------------------------

const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
export const STACK_SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

export type StackAction = 'create' | 'update';

/**
 * Whether a stack in `status` (null: no such stack) can take a change set, and of which type.
 * REVIEW_IN_PROGRESS is a stack created by a change set that was never executed: it has no
 * resources and takes a new CREATE change set. Everything else that is not a settled state is refused.
 */
export function stackAction(stackName: string, status: string | null, region: string): StackAction {
  if (status === null || status === 'REVIEW_IN_PROGRESS') return 'create';
  if (UPDATABLE.has(status)) return 'update';
  const events = `aws cloudformation describe-stack-events --region ${region} --stack-name ${stackName}`;
  if (status.endsWith('_IN_PROGRESS')) {
    throw new MigrateError('conflict', `Stack ${stackName} is ${status}: another operation on it is still running.`, {
      hint: `Wait until it settles (${events}), then re-run. If it is stuck in UPDATE_ROLLBACK_IN_PROGRESS or DELETE_IN_PROGRESS, let CloudFormation finish.`,
    });
  }
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED' || status === 'CREATE_FAILED') {
    throw new MigrateError('conflict', `Stack ${stackName} is ${status}: its first creation failed, and a stack in this state cannot be updated.`, {
      hint: `Read why in ${events}, fix the cause, delete the empty stack (aws cloudformation delete-stack --region ${region} --stack-name ${stackName}) and re-run.`,
    });
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    throw new MigrateError('conflict', `Stack ${stackName} is UPDATE_ROLLBACK_FAILED: a rollback could not finish.`, {
      hint: `Fix what blocked it (${events}), then aws cloudformation continue-update-rollback --region ${region} --stack-name ${stackName}, and re-run.`,
    });
  }
  throw new MigrateError('conflict', `Stack ${stackName} is ${status} and cannot be deployed to.`, {hint: `Inspect it (${events}) and bring it back to a *_COMPLETE state.`});
}

// --- change sets -------------------------------------------------------------------------

/** CloudFormation's two answers for "nothing to change" (a FAILED change set, or a ValidationError). */
export const isNoChangeReason = (reason: string | undefined) => /didn't contain changes|No updates are to be performed/i.test(reason ?? '');

/**
 * Resources whose replacement or removal loses something a migration depends on. A replaced
 * ALB gets a new DNS name (the Cloudflare AWS pool and any CNAME point at the old one); a
 * replaced target group drops its registered tasks and health state; the log group holds the
 * cutover's logs; a replaced cluster, VPC or subnet takes every service down with it.
 */
export const GUARDED_TYPES: Record<string, string> = {
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'a new load balancer gets a new DNS name: the Cloudflare AWS pool and DNS records point at the old one',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'registered tasks and health state start over; the listener forwards to an empty group meanwhile',
  'AWS::Logs::LogGroup': 'the log group holds the containers logs (the record of the cutover)',
  'AWS::ECS::Cluster': 'every service of the app runs in it',
  'AWS::EC2::VPC': 'everything of the app lives in it',
  'AWS::EC2::Subnet': 'the load balancer and the tasks live in it',
};

export interface GuardedChange {
  change: ResourceChange;
  why: string;
}

export interface ChangeSummary {
  add: ResourceChange[];
  modify: ResourceChange[];
  remove: ResourceChange[];
  /** modifications with Replacement True or Conditional */
  replace: ResourceChange[];
  /** replacements or removals of GUARDED_TYPES: need --allow-replace */
  guarded: GuardedChange[];
}

export const replaces = (c: ResourceChange) => c.action === 'Modify' && (c.replacement === 'True' || c.replacement === 'Conditional');

export function summarizeChanges(changes: ResourceChange[]): ChangeSummary {
  const guarded = changes
    .filter((c) => (replaces(c) || c.action === 'Remove') && GUARDED_TYPES[c.resourceType] !== undefined)
    .map((change) => ({change, why: GUARDED_TYPES[change.resourceType] as string}));
  return {
    add: changes.filter((c) => c.action === 'Add' || c.action === 'Import'),
    modify: changes.filter((c) => c.action !== 'Add' && c.action !== 'Import' && c.action !== 'Remove'),
    remove: changes.filter((c) => c.action === 'Remove'),
    replace: changes.filter(replaces),
    guarded,
  };
}

export const countsText = (s: ChangeSummary) =>
  `${s.add.length} to add, ${s.modify.length} to modify (${s.replace.length} replaced), ${s.remove.length} to remove`;

/** Change set names: a letter first, then letters, digits and dashes (at most 128). */
export const changeSetName = (at: Date) => `heroku2aws-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;

/**
 * The TemplateBody to send: the reviewed (pretty) form while it fits CloudFormation's inline
 * limit, else minified; a template that does not fit even minified has to go through S3.
 */
export function templateBody(stackName: string, template: CfnTemplate): {body: string; minified: boolean} {
  const pretty = serializeStack(template);
  if (Buffer.byteLength(pretty, 'utf8') <= TEMPLATE_BODY_LIMIT) return {body: pretty, minified: false};
  const compact = JSON.stringify(JSON.parse(pretty));
  if (Buffer.byteLength(compact, 'utf8') <= TEMPLATE_BODY_LIMIT) return {body: compact, minified: true};
  throw new MigrateError('input', `The template of ${stackName} is ${Buffer.byteLength(compact, 'utf8')} bytes even minified, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte inline limit.`, {
    hint: 'Deploy that stack from S3 with the plain aws CLI (aws cloudformation deploy --s3-bucket ... with the files in plans/<app>/stacks/); migrate deploy passes templates inline only.',
  });
}

// --- parameters --------------------------------------------------------------------------

/** The flag (or step) that fills each parameter the plan cannot know. */
export const PARAMETER_SOURCES: Record<string, string> = {
  ImageUri: '--image',
  CertificateArn: '--certificate-arn (or run `migrate certs request` first)',
  VpcId: '--vpc (or --create-network)',
  PublicSubnetIds: '--public-subnets (or --create-network)',
  PrivateSubnetIds: '--private-subnets (or --create-network)',
  SecretArn: '`migrate secrets import` (it records the secret ARN)',
};

/** Parameters that keep their live value on an update: the deploy changes images, not the scale an operator set. */
export const KEEP_LIVE_PARAMETERS = ['DesiredCount'];

/** Sets the values for the keys the stack has (others are ignored: not every stack has every parameter). */
export function fillParameters(parameters: StackParameter[], values: Record<string, string | undefined>): StackParameter[] {
  return parameters.map((p) => {
    const v = values[p.ParameterKey];
    return v === undefined ? p : {...p, ParameterValue: v};
  });
}

// the same patterns the templates' AllowedPattern use, checked before anything is sent
export const IMAGE_URI_RE = /^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
export const CERTIFICATE_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):[0-9]{12}:certificate\/[A-Za-z0-9-]+$/;
const VPC_RE = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_RE = /^subnet-[0-9a-f]{8,17}$/;

export function checkImageUri(image: string): string {
  if (!IMAGE_URI_RE.test(image)) {
    throw usageError(`--image '${image}' is not an image reference.`, 'Use registry/repository:tag or @sha256:digest, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9.');
  }
  if (!/[:@]/.test(image.split('/').pop() ?? '')) {
    throw usageError(`--image '${image}' has no tag or digest.`, 'Deploy an immutable tag (e.g. the git SHA) or a digest, never an implicit :latest: a re-run must deploy the same bits.');
  }
  return image;
}

export function checkCertificateArn(arn: string, region: string): string {
  const m = CERTIFICATE_ARN_RE.exec(arn);
  if (!m) throw usageError(`--certificate-arn '${arn}' is not an ACM certificate ARN.`, 'Use arn:aws:acm:REGION:ACCOUNT:certificate/ID (aws acm list-certificates).');
  if (m[1] !== region) {
    throw usageError(`The certificate is in ${m[1]}, the load balancer in ${region}.`, `An ALB can only use an ACM certificate of its own region: request or import one in ${region}.`);
  }
  return arn;
}

export function checkVpc(vpc: string): string {
  if (!VPC_RE.test(vpc)) throw usageError(`--vpc '${vpc}' is not a VPC id.`, 'Use vpc-0123456789abcdef0 (aws ec2 describe-vpcs).');
  return vpc;
}

/** a,b -> ['a','b']; the load balancer needs two Availability Zones, so two subnets at least. */
export function parseSubnets(flag: string, value: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids.filter((s) => !SUBNET_RE.test(s));
  if (bad.length) throw usageError(`${flag} has ${bad.map((b) => `'${b}'`).join(', ')}, which ${bad.length > 1 ? 'are not subnet ids' : 'is not a subnet id'}.`, 'Use comma-separated ids: subnet-0a1b2c3d,subnet-4e5f6a7b.');
  if (ids.length < 2) throw usageError(`${flag} needs at least two subnets (in two Availability Zones).`, 'An Application Load Balancer and a resilient service need two zones: pass two subnet ids, comma-separated.');
  if (new Set(ids).size !== ids.length) throw usageError(`${flag} names a subnet twice.`, 'Pass distinct subnet ids.');
  return ids;
}

export const arnRegion = (arn: string) => arn.split(':')[3] ?? '';

const REUSABLE: Record<string, (v: string) => boolean> = {
  CertificateArn: (v) => CERTIFICATE_ARN_RE.test(v),
  VpcId: (v) => VPC_RE.test(v),
  PublicSubnetIds: (v) => v.split(',').every((id) => SUBNET_RE.test(id)),
  PrivateSubnetIds: (v) => v.split(',').every((id) => SUBNET_RE.test(id)),
};

/** A live stack's parameter value kept for the next deploy, if it passes the same check as the flag (else the flag is asked for). */
export const reusable = (key: string, value: string | undefined): string | undefined =>
  value !== undefined && (REUSABLE[key]?.(value) ?? true) ? value : undefined;

// --- plan vs imported secret -------------------------------------------------------------

export interface SecretDrift {
  /** keys the task definitions would reference that the secret does not hold (tasks could not start) */
  missing: string[];
  /** keys in the secret the plan does not know (not add-on remaps): the secret came from a newer plan or app */
  unknown: string[];
  /** remapped add-on keys the secret holds beyond the plan: referenced too (extraSecretKeys) */
  extra: string[];
}

export function secretDrift(planKeys: string[], secretKeys: string[], remapKeys: string[]): SecretDrift {
  const inSecret = new Set(secretKeys);
  const planned = new Set(planKeys);
  const remaps = new Set(remapKeys);
  return {
    missing: planKeys.filter((k) => !inSecret.has(k)).sort(),
    unknown: secretKeys.filter((k) => !planned.has(k) && !remaps.has(k)).sort(),
    extra: secretKeys.filter((k) => !planned.has(k) && remaps.has(k)).sort(),
  };
}

export const listNames = (names: string[], max = 10) => names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/** One progress line per stack event: `LoadBalancer  CREATE_COMPLETE` or `Service  CREATE_FAILED: reason`. */
export const eventLine = (e: StackEvent) => `${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`;

/** The failed resources of an operation, real causes first (CloudFormation adds "cancelled" for the rest). */
export function failureReasons(events: StackEvent[]): StackEvent[] {
  const failed = events.filter((e) => e.status.endsWith('_FAILED') && e.reason);
  const cancelled = (e: StackEvent) => /cancelled/i.test(e.reason ?? '');
  const causes = failed.filter((e) => !cancelled(e));
  return causes.length > 0 ? causes : failed;
}
