/**
 * The guard's pure parts: what an incoming event asks for, the guard's configuration (carried in
 * the function's environment), names and ARNs. Event shapes follow AWS's published EventBridge
 * examples (docs/guard.md): a CloudWatch alarm change is `source` "aws.cloudwatch",
 * `detail-type` "CloudWatch Alarm State Change", `resources` [alarm ARN], `detail.alarmName`,
 * `detail.state.value` ALARM|OK|INSUFFICIENT_DATA and `detail.previousState`; a schedule is
 * `source` "aws.events", `detail-type` "Scheduled Event".
 */
import {z} from 'zod';
import {MigrateError} from './errors.ts';

export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const SCHEDULE_DETAIL_TYPE = 'Scheduled Event';
/** `migrate guard test --confirm` invokes the function with this */
export const TEST_SOURCE = 'heroku2aws.guard';
export const TEST_DETAIL_TYPE = 'Guard Test';

export const guardStackName = (app: string) => `${app}-guard`;
/** the Cloudflare token's own secret (never the app's secret) */
export const guardTokenSecretName = (app: string) => `heroku2aws/${app}/guard/cloudflare-token`;

export const alarmArn = (region: string, accountId: string, name: string) => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;

const edgeSchema = z.object({
  zoneId: z.string().min(1),
  accountId: z.string().min(1),
  hostname: z.string().min(1),
  namePrefix: z.string().min(1),
  loadBalancerId: z.string().min(1),
  herokuPoolId: z.string().min(1),
  awsPoolId: z.string().min(1),
});

export const guardConfigSchema = z.object({
  app: z.string().min(1),
  region: z.string().min(1),
  edge: edgeSchema,
  alarms: z.array(z.object({name: z.string().min(1), arn: z.string().startsWith('arn:')})).min(1),
  /** Secrets Manager ARN of the Cloudflare token */
  tokenSecretArn: z.string().startsWith('arn:'),
  /** the team state (S3) the trips are journaled to; an empty bucket means none */
  state: z.object({bucket: z.string(), prefix: z.string()}).optional(),
});
export type GuardConfig = z.infer<typeof guardConfigSchema>;

/** The function's environment variable holding the configuration as JSON (no secret in it). */
export const GUARD_CONFIG_ENV = 'GUARD_CONFIG';

export function parseGuardConfig(text: string | undefined): GuardConfig {
  if (!text) throw new MigrateError('input', `${GUARD_CONFIG_ENV} is not set: the guard function has no configuration.`, {hint: 'Re-install the guard: migrate guard install.'});
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MigrateError('input', `${GUARD_CONFIG_ENV} is not valid JSON.`, {hint: 'Re-install the guard: migrate guard install.'});
  }
  const r = guardConfigSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MigrateError('input', `${GUARD_CONFIG_ENV} is not a valid guard configuration: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {hint: 'Re-install the guard: migrate guard install.'});
  }
  return r.data;
}

export type GuardRequest =
  | {kind: 'trip'; alarm: string; trigger: 'event'}
  | {kind: 'check'; trigger: 'schedule'}
  | {kind: 'test'; dryRun: boolean}
  | {kind: 'ignore'; reason: string};

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** What an event asks the guard to do. Only ALARM changes of the configured alarms trip it. */
export function classifyEvent(event: unknown, config: Pick<GuardConfig, 'alarms'>): GuardRequest {
  const e = record(event);
  const source = e.source;
  const type = e['detail-type'];
  if (source === 'aws.events' && type === SCHEDULE_DETAIL_TYPE) return {kind: 'check', trigger: 'schedule'};
  if (source === TEST_SOURCE && type === TEST_DETAIL_TYPE) return {kind: 'test', dryRun: record(e.detail).dryRun !== false};
  if (source !== 'aws.cloudwatch' || type !== ALARM_DETAIL_TYPE) return {kind: 'ignore', reason: `not an alarm state change or a schedule (source ${String(source)}, detail-type ${String(type)})`};
  const resources = Array.isArray(e.resources) ? e.resources.filter((r): r is string => typeof r === 'string') : [];
  const alarm = config.alarms.find((a) => resources.includes(a.arn));
  if (!alarm) return {kind: 'ignore', reason: `alarm ${resources.join(', ') || '(none)'} is not one of this guard's alarms`};
  const state = record(record(e.detail).state).value;
  if (state !== 'ALARM') return {kind: 'ignore', reason: `alarm ${alarm.name} changed to ${String(state)}, not ALARM`};
  return {kind: 'trip', alarm: alarm.name, trigger: 'event'};
}
