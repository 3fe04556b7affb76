/**
 * `migrate addons provision`: the AWS equivalents of the plan's add-ons, idempotently.
 * Postgres -> RDS PostgreSQL (encrypted, private, deletion-protected, reachable only from the
 * tasks' security group, master password managed by RDS in Secrets Manager); Redis -> MemoryDB
 * (TLS); logging -> CloudWatch Logs (a note: the log group comes with the deploy); Heroku
 * Scheduler -> EventBridge Scheduler schedules (DISABLED until the window); SaaS kept. Each
 * write is journaled; the state records resources and the remapped URLs, inactive: the app's
 * secret switches to them only in the data window (`migrate data cutover`).
 */
import type {AddonPlan} from '../domain/addon-plan.ts';
import {
  connectionSecretName,
  memoryDbSpec,
  networkFrom,
  parseJobsFile,
  postgresUrl,
  rdsSpec,
  rdsStorage,
  rediss,
  type RdsStorage,
  remapVars,
  scheduleGroupName,
  scheduleSpecs,
  TAGS,
  type NetworkChoice,
} from '../domain/addon-provision.ts';
import {MigrateError} from '../domain/errors.ts';
import {fingerprint} from '../domain/fingerprint.ts';
import {logGroupName} from '../domain/naming.ts';
import type {Plan} from '../domain/plan.ts';
import {parseSecretJson, serializeSecret} from '../domain/secret-content.ts';
import type {AppState, Remap} from '../domain/state.ts';
import type {DbInstanceView, Ec2Network, MemoryDbAdmin, MemoryDbView, RdsAdmin, SchedulerAdmin} from '../ports/addons.ts';
import type {PostgresTools} from '../ports/data.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import {resolveSource} from './data-endpoints.ts';
import type {Clock} from '../ports/files.ts';
import type {SecretStore} from '../ports/secrets.ts';
import type {StateStore} from '../ports/state.ts';
import {resolveRegion} from '../domain/regions.ts';

export interface ProvisionInput {
  app: string;
  region?: string;
  subnets?: string[];
  taskSecurityGroup?: string;
  cluster?: string;
  schedulerRoleArn?: string;
  taskDefinition?: string;
  jobsFile?: string;
  dbStorageGb?: number;
  postgresVersion?: string;
  redisNodeType?: string;
  redisReplicas?: number;
  memorydbAcl?: string;
  redisEngineVersion?: string;
  /** seconds to wait for RDS / MemoryDB to become available; 0 = do not wait */
  waitSeconds?: number;
  only?: string[];
  dryRun?: boolean;
  breakLock?: boolean;
}

export interface ProvisionDeps {
  state: StateStore;
  secrets: (region: string) => Promise<SecretStore>;
  network: (region: string) => Promise<Ec2Network>;
  rds: (region: string) => Promise<RdsAdmin>;
  memorydb: (region: string) => Promise<MemoryDbAdmin>;
  scheduler: (region: string) => Promise<SchedulerAdmin>;
  /** to size RDS storage from the Heroku database (its config var URL, then pg_database_size); without them the size is unknown */
  heroku?: () => Promise<HerokuSource>;
  postgres?: () => Promise<PostgresTools>;
  readFile: (path: string) => Promise<string>;
  clock: Clock;
  env: Record<string, string | undefined>;
  onProgress?: (message: string) => void;
}

export type ProvisionAction = 'created' | 'exists' | 'waiting' | 'noted' | 'kept' | 'skipped' | 'manual' | 'planned';

export interface AddonOutcome {
  addon: string;
  kind: string;
  action: ProvisionAction;
  resource?: {kind: string; id: string; arn?: string; endpoint?: string; status?: string};
  /** remapped config vars now recorded (inactive until the data window) */
  remaps: string[];
  details: string[];
}

export interface ProvisionResult {
  region: string;
  outcomes: AddonOutcome[];
  warnings: string[];
}

export const DEFAULT_WAIT_SECONDS = 3600;

interface Ctx {
  input: ProvisionInput;
  deps: ProvisionDeps;
  plan: Plan;
  region: string;
  warnings: string[];
  net: () => Promise<{choice: NetworkChoice; vpcId: string}>;
}

export async function addonsProvision(input: ProvisionInput, deps: ProvisionDeps): Promise<ProvisionResult> {
  const lock = input.dryRun ? null : await deps.state.lock('addons provision', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const warnings: string[] = [];
    const unknown = (input.only ?? []).filter((n) => !plan.addons.some((a) => a.name === n));
    if (unknown.length) throw new MigrateError('usage', `No add-on ${unknown.join(', ')} in the plan.`, {hint: `Add-ons in the plan: ${plan.addons.map((a) => a.name).join(', ')}.`});
    let network: Promise<{choice: NetworkChoice; vpcId: string}> | undefined;
    const ctx: Ctx = {
      input,
      deps,
      plan,
      region,
      warnings,
      net: () =>
        (network ??= (async () => {
          const choice = networkFrom({subnets: input.subnets, taskSecurityGroup: input.taskSecurityGroup, cluster: input.cluster}, await deps.state.readState());
          return {choice, vpcId: await (await deps.network(region)).vpcOf(choice.subnetIds)};
        })()),
    };
    const outcomes: AddonOutcome[] = [];
    for (const addon of plan.addons) {
      if (input.only && !input.only.includes(addon.name)) continue;
      outcomes.push(await provisionOne(ctx, addon));
    }
    return {region, outcomes, warnings};
  } finally {
    await lock?.release();
  }
}

async function provisionOne(ctx: Ctx, addon: AddonPlan): Promise<AddonOutcome> {
  const base = {addon: addon.name, kind: addon.target.kind, remaps: [] as string[], details: [] as string[]};
  switch (addon.target.kind) {
    case 'rds-postgresql':
      return ctx.input.dryRun ? {...base, action: 'planned', details: await describeRds(ctx, addon)} : rds(ctx, addon);
    case 'memorydb':
      return ctx.input.dryRun ? {...base, action: 'planned', details: describeMemoryDb(ctx, addon)} : memorydb(ctx, addon);
    case 'cloudwatch-logs': {
      const resource = {kind: 'cloudwatch-logs', id: logGroupName(ctx.plan.app.name), status: 'log group created by migrate deploy'};
      if (!ctx.input.dryRun) await recordAddon(ctx, addon.name, resource, {});
      return {...base, action: 'noted', resource, details: addon.notes};
    }
    case 'eventbridge-scheduler':
      return scheduler(ctx, addon, base);
    case 'saas':
      return {...base, action: 'kept', details: [`${addon.service} stays with the vendor; its config vars travel with the secret (migrate secrets import).`]};
    default:
      ctx.warnings.push(`${addon.name} (${addon.service} -> ${addon.target.service}) is not provisioned by this tool: see the plan's notes.`);
      return {...base, action: 'manual', details: addon.notes};
  }
}

/** journals intent and result around one write */
async function step<T>(ctx: Ctx, id: string, op: string, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  await ctx.deps.state.journal({id, op, phase: 'intent', details});
  try {
    const r = await fn();
    await ctx.deps.state.journal({id, op, phase: 'result', ok: true, details});
    return r;
  } catch (err) {
    await ctx.deps.state.journal({id, op, phase: 'result', ok: false, details: {...details, error: err instanceof MigrateError ? err.message : 'unexpected error'}});
    throw err;
  }
}

async function recordAddon(ctx: Ctx, addon: string, resource: NonNullable<AppState['addons']>[string]['resource'], remaps: Record<string, Omit<Remap, 'active'>>): Promise<void> {
  const st = await ctx.deps.state.readState();
  const entry = st.addons?.[addon] ?? {remaps: {}};
  const merged: Record<string, Remap> = {...entry.remaps};
  // a remap keeps its active flag: provisioning never switches the app to (or away from) the AWS store
  for (const [k, r] of Object.entries(remaps)) merged[k] = {...r, active: entry.remaps[k]?.active ?? false};
  await ctx.deps.state.writeState({...st, addons: {...st.addons, [addon]: {...entry, remaps: merged, ...(resource ? {resource} : {})}}});
}

const ours = (tags: Record<string, string>, app: string) => tags['heroku2aws:app'] === app;

async function ingressGroup(ctx: Ctx, addon: AddonPlan, name: string, port: number): Promise<string> {
  const {choice, vpcId} = await ctx.net();
  const sg = await step(ctx, `provision-${addon.name}-sg`, 'security-group', {name, port}, async () =>
    (await ctx.deps.network(ctx.region)).ensureIngressGroup({
      name,
      vpcId,
      port,
      fromGroupId: choice.taskSecurityGroupId,
      description: `${addon.name} of ${ctx.plan.app.name}: port ${port} from the app's ECS tasks only (heroku2aws)`,
      tags: TAGS(ctx.plan.app.name, addon.name),
    }),
  );
  return sg.groupId;
}

const waitSeconds = (ctx: Ctx) => ctx.input.waitSeconds ?? DEFAULT_WAIT_SECONDS;

/**
 * The Heroku database's size (pg_database_size: tables, TOAST, indexes), read through its config
 * var URL; null, with a warning, when it cannot be read (no token, no network, no URL).
 */
async function sourceBytes(ctx: Ctx, addon: AddonPlan): Promise<number | null> {
  const {heroku, postgres} = ctx.deps;
  if (addon.category !== 'postgres' || !heroku || !postgres) return null;
  try {
    ctx.deps.onProgress?.(`${addon.name}: reading the size of the Heroku database`);
    const url = await resolveSource(ctx.plan.app.name, {...addon, category: 'postgres'}, {}, {heroku, secrets: ctx.deps.secrets, env: ctx.deps.env}, []);
    const probe = await (await postgres()).probe(url, 'source');
    return probe.databaseBytes ?? probe.dataBytes;
  } catch (err) {
    if (!(err instanceof MigrateError)) throw err;
    ctx.warnings.push(`${addon.name}: the size of the Heroku database could not be read (${err.message}); RDS storage is sized without it: check it, or pass --db-storage-gb.`);
    return null;
  }
}

async function storageFor(ctx: Ctx, addon: AddonPlan): Promise<RdsStorage> {
  const bytes = await sourceBytes(ctx, addon);
  const storage = rdsStorage(bytes, ctx.input.dbStorageGb);
  if (bytes !== null && bytes > storage.maxStorageGb * 1024 ** 3) {
    ctx.warnings.push(`${addon.name}: --db-storage-gb ${ctx.input.dbStorageGb} cannot hold the source even after autoscaling (${storage.basis}); the data copy will refuse it.`);
  }
  return storage;
}

async function describeRds(ctx: Ctx, addon: AddonPlan): Promise<string[]> {
  const storage = await storageFor(ctx, addon);
  const s = rdsSpec(ctx.plan.app.name, addon, {...storage, engineVersion: ctx.input.postgresVersion});
  return [
    `RDS PostgreSQL ${s.id}: ${s.instanceClass}${s.multiAz ? ', Multi-AZ' : ''}, ${s.storageGb} GB gp3 (autoscaling to ${s.maxStorageGb} GB; ${storage.basis}), encrypted, not public, deletion protection, master password managed by RDS in Secrets Manager`,
  ];
}

async function rds(ctx: Ctx, addon: AddonPlan): Promise<AddonOutcome> {
  const app = ctx.plan.app.name;
  const admin = await ctx.deps.rds(ctx.region);
  const id = rdsSpec(app, addon, {storageGb: 0}).id;
  let view = await admin.describe(id);
  // storage is sized from the source only for a new instance (an existing one keeps its storage)
  const storage = view ? {storageGb: view.storageGb ?? 0, maxStorageGb: view.maxStorageGb ?? 0, basis: 'the existing instance'} : await storageFor(ctx, addon);
  const spec = rdsSpec(app, addon, {...storage, engineVersion: ctx.input.postgresVersion});
  ctx.deps.onProgress?.(`${addon.name}: RDS PostgreSQL ${spec.id} (${spec.instanceClass}${spec.multiAz ? ', Multi-AZ' : ''}, ${spec.storageGb} GB, autoscaling to ${spec.maxStorageGb} GB)`);
  if (view && !ours(view.tags, app)) {
    throw new MigrateError('conflict', `RDS instance ${spec.id} exists but was not created by heroku2aws for ${app}.`, {hint: 'Delete or rename it, or tag it heroku2aws:app=' + app + ' to adopt it deliberately.'});
  }
  const details: string[] = [];
  let action: ProvisionAction = 'exists';
  if (!view) {
    const sg = await ingressGroup(ctx, addon, spec.securityGroupName, 5432);
    const {choice} = await ctx.net();
    await step(ctx, `provision-${addon.name}-subnets`, 'rds-subnet-group', {name: spec.subnetGroup}, () => admin.ensureSubnetGroup(spec.subnetGroup, choice.subnetIds, spec.tags));
    view = await step(ctx, `provision-${addon.name}-rds`, 'rds-create', {id: spec.id, class: spec.instanceClass, multiAz: spec.multiAz, storageGb: spec.storageGb, maxStorageGb: spec.maxStorageGb}, () =>
      admin.create(spec, sg),
    );
    action = 'created';
  } else {
    if (view.instanceClass !== spec.instanceClass) ctx.warnings.push(`RDS instance ${spec.id} is ${view.instanceClass}, the plan says ${spec.instanceClass}: left as it is (modify it deliberately).`);
    if (view.multiAz !== spec.multiAz) ctx.warnings.push(`RDS instance ${spec.id} has Multi-AZ ${view.multiAz ? 'on' : 'off'}, the plan says ${spec.multiAz ? 'on' : 'off'}: left as it is.`);
  }
  const resource = (v: DbInstanceView) => ({
    kind: 'rds-postgresql',
    id: v.id,
    arn: v.arn,
    status: v.status,
    ...(v.endpoint ? {endpoint: `${v.endpoint.address}:${v.endpoint.port}`} : {}),
    ...(v.maxStorageGb ? {maxStorageGb: v.maxStorageGb} : {}),
  });
  await recordAddon(ctx, addon.name, resource(view), {});
  if (view.status !== 'available' && waitSeconds(ctx) > 0) {
    ctx.deps.onProgress?.(`${addon.name}: waiting for ${spec.id} to become available (up to ${Math.round(waitSeconds(ctx) / 60)} min; RDS takes 10-20)`);
    view = await admin.waitAvailable(spec.id, waitSeconds(ctx));
  }
  await recordAddon(ctx, addon.name, resource(view), {});
  details.push(`${view.instanceClass}${view.multiAz ? ' Multi-AZ' : ''}, PostgreSQL ${view.engineVersion || '(RDS default)'}, encrypted: ${view.encrypted}, public: ${view.publiclyAccessible}, deletion protection: ${view.deletionProtection}`);
  if (view.status !== 'available' || !view.endpoint || !view.masterSecretArn) {
    ctx.warnings.push(`${spec.id} is ${view.status}: its connection URL is recorded once it is available; re-run \`migrate addons provision\` then.`);
    return {addon: addon.name, kind: addon.target.kind, action: 'waiting', resource: resource(view), remaps: [], details};
  }
  const vars = remapVars(addon);
  const secret = await connectionSecret(ctx, addon, view.masterSecretArn, {host: view.endpoint.address, port: view.endpoint.port, db: view.dbName ?? spec.dbName}, vars);
  await recordAddon(ctx, addon.name, resource(view), Object.fromEntries(vars.map((v) => [v, {fromSecret: {arn: secret.arn, key: v}}])));
  details.push(`master credentials: RDS-managed secret ${view.masterSecretArn}`, `app URL (${vars.join(', ')}): secret ${secret.name}${secret.written ? ' (written)' : ' (up to date)'}`);
  ctx.warnings.push(
    `RDS rotates the managed master password (every 7 days by default); ${secret.name} holds a URL built from it: re-run \`migrate addons provision\` after a rotation (then \`migrate secrets import\` and a redeploy), or give the app its own database role.`,
  );
  return {addon: addon.name, kind: addon.target.kind, action, resource: resource(view), remaps: vars, details};
}

/** the app's DATABASE_URL built from the RDS-managed master secret, kept in one secret per add-on (values never leave memory) */
async function connectionSecret(ctx: Ctx, addon: AddonPlan, masterArn: string, at: {host: string; port: number; db: string}, vars: string[]): Promise<{arn: string; name: string; written: boolean}> {
  const store = await ctx.deps.secrets(ctx.region);
  const master = await store.getValue(masterArn);
  if (!master) throw new MigrateError('not-found', `The RDS-managed master secret ${masterArn} has no current value yet.`, {hint: 'Re-run `migrate addons provision` in a minute.'});
  const creds = parseSecretJson(master.value, masterArn);
  if (!creds.username || !creds.password) throw new MigrateError('aws', `The RDS-managed secret ${masterArn} lacks username or password.`, {hint: 'Check the secret in the Secrets Manager console.'});
  const url = postgresUrl({user: creds.username, password: creds.password, host: at.host, port: at.port, db: at.db});
  const content = Object.fromEntries(vars.map((v) => [v, url]));
  const name = connectionSecretName(ctx.plan.app.name, addon.name);
  const existing = await store.describe(name);
  if (existing && existing.tags['heroku2aws:app'] !== ctx.plan.app.name) {
    throw new MigrateError('conflict', `Secret ${name} exists but was not created by heroku2aws for ${ctx.plan.app.name}.`, {hint: 'Move it out of the way and re-run.'});
  }
  const current = existing ? await store.getValue(existing.arn) : null;
  const value = serializeSecret(content);
  if (existing && current?.value === value) return {arn: existing.arn, name, written: false};
  return step(ctx, `provision-${addon.name}-url`, 'connection-secret', {secret: name, keys: vars}, async () => {
    const arn = existing?.arn ?? (await store.create(name, {tags: TAGS(ctx.plan.app.name, addon.name), description: `Connection URL of ${addon.name} (${ctx.plan.app.name}) on RDS (heroku2aws)`})).arn;
    const token = fingerprint(`${fingerprint(value)}\n${current?.versionId ?? 'none'}`).slice(7);
    await store.putVersion(arn, value, token, 'AWSCURRENT');
    return {arn, name, written: true};
  });
}

function describeMemoryDb(ctx: Ctx, addon: AddonPlan): string[] {
  const s = memoryDbSpec(ctx.plan.app.name, addon, {nodeType: ctx.input.redisNodeType, replicas: ctx.input.redisReplicas ?? 1, acl: ctx.input.memorydbAcl ?? 'open-access', engineVersion: ctx.input.redisEngineVersion});
  return [`MemoryDB ${s.name}: ${s.nodeType}, ${s.shards} shard, ${s.replicas} replica(s), TLS, ACL ${s.acl}`];
}

async function memorydb(ctx: Ctx, addon: AddonPlan): Promise<AddonOutcome> {
  const app = ctx.plan.app.name;
  const spec = memoryDbSpec(app, addon, {nodeType: ctx.input.redisNodeType, replicas: ctx.input.redisReplicas ?? 1, acl: ctx.input.memorydbAcl ?? 'open-access', engineVersion: ctx.input.redisEngineVersion});
  const admin = await ctx.deps.memorydb(ctx.region);
  ctx.deps.onProgress?.(`${addon.name}: MemoryDB ${spec.name} (${spec.nodeType}, TLS)`);
  let view = await admin.describe(spec.name);
  if (view && !ours(await admin.tags(view.arn), app)) {
    throw new MigrateError('conflict', `MemoryDB cluster ${spec.name} exists but was not created by heroku2aws for ${app}.`, {hint: 'Delete or rename it, or tag it heroku2aws:app=' + app + ' to adopt it deliberately.'});
  }
  let action: ProvisionAction = 'exists';
  if (!view) {
    const sg = await ingressGroup(ctx, addon, spec.securityGroupName, 6379);
    const {choice} = await ctx.net();
    await step(ctx, `provision-${addon.name}-subnets`, 'memorydb-subnet-group', {name: spec.subnetGroup}, () => admin.ensureSubnetGroup(spec.subnetGroup, choice.subnetIds, spec.tags));
    view = await step(ctx, `provision-${addon.name}-memorydb`, 'memorydb-create', {name: spec.name, nodeType: spec.nodeType}, () => admin.create(spec, sg));
    action = 'created';
  } else if (view.nodeType !== spec.nodeType) {
    ctx.warnings.push(`MemoryDB cluster ${spec.name} is ${view.nodeType}, the plan says ${spec.nodeType}: left as it is.`);
  }
  if (!view.tls) ctx.warnings.push(`MemoryDB cluster ${spec.name} has TLS off; the app's REDIS_URL is rediss:// and will not connect.`);
  if (view.acl === 'open-access') {
    ctx.warnings.push(`MemoryDB cluster ${spec.name} uses the open-access ACL: only its security group (the app's tasks) guards it. Create a MemoryDB user and ACL and pass --memorydb-acl for AUTH.`);
  }
  const resource = (v: MemoryDbView) => ({kind: 'memorydb', id: v.name, arn: v.arn, status: v.status, ...(v.endpoint ? {endpoint: `${v.endpoint.address}:${v.endpoint.port}`} : {})});
  await recordAddon(ctx, addon.name, resource(view), {});
  if (view.status !== 'available' && waitSeconds(ctx) > 0) {
    ctx.deps.onProgress?.(`${addon.name}: waiting for ${spec.name} to become available (MemoryDB takes 15-20 min)`);
    view = await admin.waitAvailable(spec.name, waitSeconds(ctx), (s) => ctx.deps.onProgress?.(`${spec.name}: ${s}`));
  }
  const details = [`${view.nodeType}, engine ${view.engineVersion}, TLS: ${view.tls}, ACL: ${view.acl}, status: ${view.status}`];
  if (view.status !== 'available' || !view.endpoint) {
    await recordAddon(ctx, addon.name, resource(view), {});
    ctx.warnings.push(`${spec.name} is ${view.status}: its endpoint is recorded once it is available; re-run \`migrate addons provision\` then.`);
    return {addon: addon.name, kind: addon.target.kind, action: 'waiting', resource: resource(view), remaps: [], details};
  }
  const vars = remapVars(addon);
  const url = rediss(view.endpoint.address, view.endpoint.port);
  await recordAddon(ctx, addon.name, resource(view), Object.fromEntries(vars.map((v) => [v, {value: url}])));
  details.push(`app URL (${vars.join(', ')}): ${url} (cluster mode: use a cluster-aware client)`);
  return {addon: addon.name, kind: addon.target.kind, action, resource: resource(view), remaps: vars, details};
}

async function scheduler(ctx: Ctx, addon: AddonPlan, base: Omit<AddonOutcome, 'action'>): Promise<AddonOutcome> {
  const app = ctx.plan.app.name;
  if (!ctx.input.jobsFile) {
    ctx.warnings.push(`${addon.name}: Heroku Scheduler jobs have no documented API; pass --jobs FILE to create their EventBridge schedules.`);
    return {...base, action: 'skipped', details: ['no --jobs file given']};
  }
  const jobs = parseJobsFile(await ctx.deps.readFile(ctx.input.jobsFile), ctx.input.jobsFile);
  const specs = scheduleSpecs(app, jobs, ctx.plan.services.map((s) => s.processType));
  if (ctx.input.dryRun) return {...base, action: 'planned', details: specs.map((s) => `${s.name}: ${s.expression} UTC, ${s.processType} container, ${s.cpu}/${s.memory}: ${s.command}`)};
  const {choice} = await ctx.net();
  // the shared stack creates the role (RunTask, TagResource, PassRole: docs/facts.md); the flag overrides it
  const roleArn = ctx.input.schedulerRoleArn ?? choice.schedulerRoleArn;
  const missing = [
    ...(choice.clusterArn ? [] : ['--cluster (the ECS cluster ARN)']),
    ...(roleArn ? [] : ['--scheduler-role-arn (a role EventBridge Scheduler assumes, allowed ecs:RunTask, ecs:TagResource and iam:PassRole; `migrate deploy` creates one in the shared stack)']),
  ];
  const taskDef = (type: string) => ctx.input.taskDefinition ?? choice.taskDefinitions[type];
  const noTask = [...new Set(specs.map((s) => s.processType))].filter((t) => !taskDef(t));
  if (noTask.length) missing.push(`--task-definition (no deployed task definition for ${noTask.join(', ')})`);
  if (missing.length) throw new MigrateError('usage', `The schedules need ${missing.join(', ')}.`, {hint: 'Run `migrate deploy` first: it records the cluster, the task definitions and the scheduler role.'});
  const admin = await ctx.deps.scheduler(ctx.region);
  const group = scheduleGroupName(app);
  await step(ctx, `provision-${addon.name}-group`, 'schedule-group', {group}, () => admin.ensureGroup(group, TAGS(app, addon.name)));
  const details: string[] = [];
  let created = 0;
  for (const s of specs) {
    const target = {clusterArn: choice.clusterArn!, taskDefinitionArn: taskDef(s.processType)!, roleArn: roleArn!, subnetIds: choice.subnetIds, securityGroupIds: [choice.taskSecurityGroupId]};
    // compare first: an unchanged schedule gets no write and no journal entry
    const live = await admin.readSchedule(s, target);
    if (live?.same) {
      details.push(`${s.name}: ${s.expression} UTC, ${live.view.state}, unchanged: ${s.command}`);
      continue;
    }
    const r = await step(ctx, `provision-${addon.name}-${s.name}`, 'schedule-put', {schedule: s.name, expression: s.expression}, () => admin.putSchedule(s, target));
    if (r.created) created++;
    details.push(`${s.name}: ${s.expression} UTC, ${r.view.state}${r.created ? '' : ', updated'}: ${s.command}`);
  }
  const resource = {kind: 'eventbridge-scheduler', id: group, status: `${specs.length} schedules, disabled until the window`};
  await recordAddon(ctx, addon.name, resource, {});
  return {...base, action: created ? 'created' : 'exists', resource, details};
}
