/**
 * Pure rules of `migrate addons provision`: resource names, the RDS / MemoryDB / scheduler
 * specs derived from the plan, the Heroku Scheduler jobs file, and where the network comes from.
 */
import {z} from 'zod';
import type {AddonPlan} from './addon-plan.ts';
import {MigrateError} from './errors.ts';
import {chooseFargatePair, dynoProfile} from './fargate.ts';
import {fingerprint} from './fingerprint.ts';
import type {AppState} from './state.ts';

export const TAGS = (app: string, addon: string) => ({'heroku2aws:app': app, 'heroku2aws:addon': addon, 'heroku2aws:managed-by': 'heroku2aws'});

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

/** RDS: 1-63 letters, digits, hyphens, starting with a letter, no double or trailing hyphen */
export const dbInstanceId = (app: string, addon: string) => `${app}-${slug(addon)}`.replace(/-+/g, '-').slice(0, 63).replace(/-$/, '');
/** MemoryDB cluster names: at most 40 characters */
export const memoryDbClusterName = (app: string, addon: string) => `${app}-${slug(addon)}`.replace(/-+/g, '-').slice(0, 40).replace(/-$/, '');
export const subnetGroupName = (app: string) => `heroku2aws-${app}`;
export const securityGroupName = (app: string, addon: string, engine: 'db' | 'redis') => `heroku2aws-${app}-${slug(addon)}-${engine}`;
/** the secret holding the app's connection URL of a provisioned store (one JSON key per remapped var) */
export const connectionSecretName = (app: string, addon: string) => `heroku2aws/${app}/addons/${slug(addon)}`;
export const scheduleGroupName = (app: string) => `heroku2aws-${app}`;
/** database names: letters, digits, underscores, starting with a letter */
export const dbName = (app: string) => `${app.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^[^a-zA-Z]+/, '')}` || 'app';
export const MASTER_USER = 'heroku2aws_admin';

export interface RdsSpec {
  id: string;
  instanceClass: string;
  multiAz: boolean;
  dbName: string;
  masterUser: string;
  storageGb: number;
  maxStorageGb: number;
  engineVersion?: string;
  subnetGroup: string;
  securityGroupName: string;
  tags: Record<string, string>;
}

const GIB = 1024 ** 3;
/** RDS for PostgreSQL on gp3: 20 GiB to 65,536 GiB (docs/facts.md, "RDS storage"). */
export const RDS_MIN_STORAGE_GB = 20;
export const RDS_MAX_STORAGE_GB = 65_536;
/** Allocated storage holds the source twice: the restore (data + indexes), WAL and temp files while indexes build, and growth. */
export const STORAGE_HEADROOM = 2;

export interface RdsStorage {
  storageGb: number;
  /** storage autoscaling's ceiling (MaxAllocatedStorage) */
  maxStorageGb: number;
  /** where the size came from, for the output */
  basis: string;
}

/**
 * The RDS storage for a source of `sourceBytes` (pg_database_size of the Heroku database:
 * tables, TOAST and indexes), with headroom; `flagGb` (--db-storage-gb) wins when given.
 * Autoscaling may grow it to 5x (at least 100 GiB), within RDS's gp3 limits.
 */
export function rdsStorage(sourceBytes: number | null, flagGb?: number): RdsStorage {
  const clamp = (gb: number) => Math.min(RDS_MAX_STORAGE_GB, Math.max(RDS_MIN_STORAGE_GB, Math.ceil(gb)));
  const sized = sourceBytes === null ? null : clamp((sourceBytes / GIB) * STORAGE_HEADROOM);
  const storageGb = flagGb !== undefined ? clamp(flagGb) : (sized ?? RDS_MIN_STORAGE_GB);
  const source = sourceBytes === null ? 'the source size is unknown' : `the source holds ${(sourceBytes / GIB).toFixed(2)} GiB`;
  const basis = flagGb !== undefined ? `--db-storage-gb (${source})` : sourceBytes === null ? `the minimum (${source})` : `${STORAGE_HEADROOM}x the source (${source})`;
  return {storageGb, maxStorageGb: Math.min(RDS_MAX_STORAGE_GB, Math.max(storageGb * 5, 100)), basis};
}

/** Refuses a copy whose source does not fit the target's largest possible storage. */
export function checkFitsStorage(sourceBytes: number, maxStorageGb: number | undefined, target: string): void {
  if (maxStorageGb === undefined || sourceBytes <= maxStorageGb * GIB) return;
  throw new MigrateError(
    'input',
    `The source database holds ${(sourceBytes / GIB).toFixed(1)} GiB, more than ${target} can ever hold (storage autoscaling stops at ${maxStorageGb} GiB): the copy would fail part-way.`,
    {
      hint: `Raise the instance's ceiling first: aws rds modify-db-instance --db-instance-identifier <id> --max-allocated-storage ${Math.min(RDS_MAX_STORAGE_GB, Math.ceil((sourceBytes / GIB) * STORAGE_HEADROOM))} --apply-immediately, then re-run \`migrate addons provision\` and the copy.`,
    },
  );
}

export function rdsSpec(app: string, addon: AddonPlan, o: {storageGb: number; maxStorageGb?: number; engineVersion?: string}): RdsSpec {
  if (!addon.target.size) throw new MigrateError('input', `The plan gives no instance class for ${addon.name}.`, {hint: 'Re-plan, or edit target.size in plan.json (e.g. db.t4g.medium).'});
  return {
    id: dbInstanceId(app, addon.name),
    instanceClass: addon.target.size,
    multiAz: addon.target.multiAz ?? false,
    dbName: dbName(app),
    masterUser: MASTER_USER,
    storageGb: o.storageGb,
    // storage autoscaling up to 5x (the plan's note: size storage separately, with room to grow)
    maxStorageGb: o.maxStorageGb ?? Math.max(o.storageGb * 5, 100),
    ...(o.engineVersion ? {engineVersion: o.engineVersion} : {}),
    subnetGroup: subnetGroupName(app),
    securityGroupName: securityGroupName(app, addon.name, 'db'),
    tags: TAGS(app, addon.name),
  };
}

export interface MemoryDbSpec {
  name: string;
  nodeType: string;
  shards: number;
  replicas: number;
  acl: string;
  engineVersion?: string;
  subnetGroup: string;
  securityGroupName: string;
  tags: Record<string, string>;
}

export function memoryDbSpec(app: string, addon: AddonPlan, o: {nodeType?: string; replicas: number; acl: string; engineVersion?: string}): MemoryDbSpec {
  const nodeType = o.nodeType ?? addon.target.size;
  if (!nodeType) throw new MigrateError('input', `The plan gives no node type for ${addon.name}.`, {hint: 'Pass --redis-node-type (e.g. db.t4g.small) or re-plan.'});
  return {
    name: memoryDbClusterName(app, addon.name),
    nodeType,
    shards: 1,
    replicas: o.replicas,
    acl: o.acl,
    ...(o.engineVersion ? {engineVersion: o.engineVersion} : {}),
    subnetGroup: subnetGroupName(app),
    securityGroupName: securityGroupName(app, addon.name, 'redis'),
    tags: TAGS(app, addon.name),
  };
}

/** postgres://user:password@host:port/db?sslmode=require, every part encoded */
export function postgresUrl(p: {user: string; password: string; host: string; port: number; db: string}): string {
  return `postgres://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@${p.host}:${p.port}/${encodeURIComponent(p.db)}?sslmode=require`;
}

export const rediss = (host: string, port: number) => `rediss://${host}:${port}`;

/** the add-on's remapped URL vars (REDIS_URL, and REDIS_TLS_URL on older plans, point at the same endpoint) */
export const remapVars = (addon: AddonPlan) => addon.configVars.filter((v) => v.action === 'remap').map((v) => v.name);

// ---- the network the stores live in ----

export interface NetworkChoice {
  subnetIds: string[];
  taskSecurityGroupId: string;
  clusterArn?: string;
  /** process type -> task definition ARN */
  taskDefinitions: Record<string, string>;
  /** the role EventBridge Scheduler assumes, from the shared stack (apps with Heroku Scheduler) */
  schedulerRoleArn?: string;
}

/** flags first, else the outputs `migrate deploy` recorded */
export function networkFrom(flags: {subnets?: string[]; taskSecurityGroup?: string; cluster?: string}, state: AppState): NetworkChoice {
  const outputs = Object.entries(state.deploy?.stacks ?? {});
  const output = (key: string) => outputs.map(([, s]) => s.outputs[key]).find((v) => v);
  const subnetIds = flags.subnets ?? output('PrivateSubnetIds')?.split(',').filter(Boolean) ?? [];
  const taskSecurityGroupId = flags.taskSecurityGroup ?? output('TaskSecurityGroupId') ?? '';
  if (!subnetIds.length || !taskSecurityGroupId) {
    throw new MigrateError('usage', 'The add-on stores need the private subnets and the security group of the ECS tasks, and the state has no deploy that recorded them.', {
      hint: 'Run `migrate deploy` first, or pass --subnets subnet-a,subnet-b and --task-security-group sg-... .',
    });
  }
  const taskDefinitions: Record<string, string> = {};
  for (const [name, s] of outputs) {
    const arn = s.outputs.TaskDefinitionArn;
    const type = /service-([a-z0-9-]+)$/.exec(name)?.[1];
    if (arn && type) taskDefinitions[type] = arn;
  }
  const clusterArn = flags.cluster ?? output('ClusterArn');
  const schedulerRoleArn = output('SchedulerRoleArn');
  return {subnetIds, taskSecurityGroupId, ...(clusterArn ? {clusterArn} : {}), taskDefinitions, ...(schedulerRoleArn ? {schedulerRoleArn} : {})};
}

// ---- Heroku Scheduler jobs -> EventBridge Scheduler ----

const jobSchema = z.object({
  command: z.string().min(1),
  /** Heroku Scheduler's frequencies: every 10 minutes, every hour at :MM, every day at HH:MM (UTC) */
  every: z.enum(['10m', 'hourly', 'daily']),
  at: z.string().optional(),
  dynoSize: z.string().optional(),
  /** the container (process type) whose image runs it [default: worker, else web] */
  processType: z.string().optional(),
});
export type SchedulerJob = z.infer<typeof jobSchema>;

export function parseJobsFile(text: string, file: string): SchedulerJob[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MigrateError('input', `${file} is not valid JSON: ${(err as Error).message}.`, {hint: 'Expected {"jobs": [{"command": "...", "every": "10m|hourly|daily", "at": "HH:MM or :MM", "dynoSize": "standard-1x"}]}.'});
  }
  // a bare list, or {"jobs": [...]} (checked apart so errors name the field, not the union)
  const r = Array.isArray(data) ? z.array(jobSchema).safeParse(data) : z.object({jobs: z.array(jobSchema)}).safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MigrateError('input', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {hint: 'Each job needs command and every (10m, hourly or daily); at is :MM (hourly) or HH:MM (daily), in UTC.'});
  }
  const jobs = Array.isArray(r.data) ? r.data : (r.data as {jobs: SchedulerJob[]}).jobs;
  jobs.forEach((j, i) => void cronOf(j, `${file}: jobs.${i}`));
  return jobs;
}

/** EventBridge Scheduler cron (minutes hours day-of-month month day-of-week year), UTC */
export function cronOf(job: SchedulerJob, where = 'job'): string {
  if (job.every === '10m') return 'cron(0/10 * * * ? *)';
  if (job.every === 'hourly') {
    const m = /^:?(\d{1,2})$/.exec(job.at ?? ':00');
    if (!m || Number(m[1]) > 59) throw new MigrateError('input', `${where}: hourly jobs run at :MM (00-59), not '${job.at}'.`, {hint: 'Example: "at": ":30".'});
    return `cron(${Number(m[1])} * * * ? *)`;
  }
  const m = /^(\d{1,2}):(\d{2})$/.exec(job.at ?? '00:00');
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new MigrateError('input', `${where}: daily jobs run at HH:MM (UTC), not '${job.at}'.`, {hint: 'Example: "at": "03:30".'});
  return `cron(${Number(m[2])} ${Number(m[1])} * * ? *)`;
}

export interface ScheduleSpec {
  name: string;
  group: string;
  expression: string;
  command: string;
  processType: string;
  cpu: number;
  memory: number;
  description: string;
}

export function scheduleSpecs(app: string, jobs: SchedulerJob[], processTypes: string[]): ScheduleSpec[] {
  const fallback = processTypes.includes('worker') ? 'worker' : processTypes.includes('web') ? 'web' : (processTypes[0] ?? 'web');
  const seen = new Set<string>();
  return jobs.map((job) => {
    const profile = dynoProfile(job.dynoSize ?? 'standard-1x');
    if (!profile) throw new MigrateError('input', `Unknown dyno size '${job.dynoSize}' for job '${job.command}'.`, {hint: 'Use a Heroku dyno size such as standard-1x, standard-2x, performance-m.'});
    const pair = chooseFargatePair(profile);
    const expression = cronOf(job);
    // a stable name per job (same command and time -> same schedule, so re-runs update instead of duplicating)
    const base = `${app}-${slug(job.command).slice(0, 30)}-${fingerprint(`${job.command}\n${expression}`).slice(7, 15)}`.replace(/-+/g, '-');
    if (seen.has(base)) throw new MigrateError('input', `The jobs file lists '${job.command}' twice with the same schedule.`, {hint: 'Remove the duplicate.'});
    seen.add(base);
    return {
      name: base.slice(0, 64),
      group: scheduleGroupName(app),
      expression,
      command: job.command,
      processType: job.processType ?? fallback,
      cpu: pair.cpu,
      memory: pair.memory,
      description: `Heroku Scheduler job of ${app}: ${job.command}`.slice(0, 512),
    };
  });
}
