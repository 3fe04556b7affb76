/**
 * `migrate data copy`: one add-on's data from the Heroku store to its AWS equivalent, then
 * verified. Postgres: pg_dump (directory format, parallel) and pg_restore (parallel), then row
 * counts per table and schema objects by name. Redis: SCAN + DUMP/RESTORE with TTLs, then
 * keys per type. The state's data phase is `copying` from the first write to the target until
 * the copy finished, and `verified` only after the verification passed: a half-copied target
 * is never marked done, and a re-run wipes it and starts over.
 */
import {
  checkDiskSpace,
  chooseCompression,
  checkPgVersions,
  checkRedisMemory,
  checkRedisVersions,
  dumpSpaceEstimate,
  PHASE,
  resolveDataAddon,
  targetDecision,
  verifyPostgres,
  verifyRedis,
  type DataKind,
  type DataProgressState,
  type DataCopyResult,
} from '../domain/data-copy.ts';
import type {AddonPlan} from '../domain/addon-plan.ts';
import {checkFitsStorage} from '../domain/addon-provision.ts';
import type {DataUrl} from '../domain/data-url.ts';
import {MigrateError} from '../domain/errors.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {CopyProgress, PostgresTools, RedisTools} from '../ports/data.ts';
import type {Clock} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import type {SecretStore} from '../ports/secrets.ts';
import type {StateStore} from '../ports/state.ts';
import {resolveSource, resolveTarget, type UrlChoice} from './data-endpoints.ts';
import {prepareInVpc, runInVpc, type InVpcDeps} from './data-copy-vpc.ts';
import {resolveRegion} from '../domain/regions.ts';

export interface DataCopyInput {
  app: string;
  addon: string;
  source?: UrlChoice;
  target?: UrlChoice;
  /** copy although the source may take writes (warned; verification may then fail) */
  allowLive?: boolean;
  /** the operator confirms every writer (Heroku and AWS) is stopped */
  frozen?: boolean;
  /** wipe a non-empty target first */
  force?: boolean;
  jobs?: number;
  compress?: number;
  dumpDir?: string;
  batch?: number;
  sourceTlsVerify?: boolean;
  region?: string;
  breakLock?: boolean;
  /** run the copy as an ECS Fargate task inside the app's VPC (data-copy-vpc.ts) */
  inVpc?: boolean;
  runnerImage?: string;
  runnerTimeoutSeconds?: number;
}

export interface DataCopyDeps {
  state: StateStore;
  heroku: () => Promise<HerokuSource>;
  secrets: (region: string) => Promise<SecretStore>;
  postgres: () => Promise<PostgresTools>;
  redis: () => Promise<RedisTools>;
  clock: Clock;
  env: Record<string, string | undefined>;
  /** default parent of the dump directory */
  tmpDir: string;
  /** CPU cores of this machine: the default --jobs (pg_dump and pg_restore scale with them) */
  cores?: number;
  onProgress?: (message: string) => void;
  onCopyProgress?: (p: CopyProgress) => void;
  /** the AWS side of --in-vpc (absent: --in-vpc is refused) */
  vpc?: InVpcDeps;
}

export type {DataCopyResult} from '../domain/data-copy.ts';

export const DEFAULT_JOBS = 4;
/** Redis verification leaves out keys expiring within this margin (they may vanish between the two scans) */
export const REDIS_VERIFY_MARGIN_MS = 60_000;

export async function dataCopy(input: DataCopyInput, deps: DataCopyDeps): Promise<DataCopyResult> {
  const lock = await deps.state.lock('data copy', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const addon = resolveDataAddon(plan.addons, input.addon);
    const warnings: string[] = [];
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const appState = await deps.state.readState();
    if (input.inVpc) {
      // everything is checked before the freeze check (which reads Heroku) and before any change
      const prepared = await prepareInVpc({plan, addon, appState, region, input, deps: vpcDeps(deps)});
      await checkFrozen(input, deps, appState, warnings);
      return await runInVpc(prepared, {plan, addon, input, deps: {...deps, ...vpcDeps(deps)}, warnings});
    }
    await checkFrozen(input, deps, appState, warnings);
    const endpointDeps = {heroku: deps.heroku, secrets: deps.secrets, env: deps.env};
    const source = await resolveSource(input.app, addon, input.source ?? {}, endpointDeps, warnings);
    const target = await resolveTarget(addon, appState, region, input.target ?? {}, endpointDeps, warnings);
    return await copyAddonData({plan, addon, source, target, input, deps, warnings});
  } finally {
    await lock.release();
  }
}

export function vpcDeps(deps: Pick<DataCopyDeps, 'vpc'>): InVpcDeps {
  if (!deps.vpc) throw new MigrateError('internal', '--in-vpc is not wired in this command.', {hint: 'This is a bug in migrate; please report it with the command you ran.'});
  return deps.vpc;
}

/**
 * Refuses unless the source is write-frozen: Heroku maintenance on AND every non-web process
 * scaled to 0 (maintenance mode stops web traffic only), and no AWS services deployed that
 * could write (this tool cannot see inside them: the operator confirms with --frozen).
 */
export async function checkFrozen(input: Pick<DataCopyInput, 'app' | 'allowLive' | 'frozen'>, deps: Pick<DataCopyDeps, 'heroku' | 'onProgress'>, appState: AppState, warnings: string[]): Promise<void> {
  if (input.allowLive) {
    warnings.push('--allow-live: the source is NOT write-frozen; writes made during the copy are not copied, and verification fails if any happen. Use this for a rehearsal, not for the move.');
    return;
  }
  if (input.frozen) {
    deps.onProgress?.('--frozen: trusting that every writer (Heroku dynos and AWS tasks) is stopped');
    return;
  }
  deps.onProgress?.(`Checking that ${input.app} is write-frozen on Heroku (maintenance on, workers scaled to 0)`);
  const heroku = await deps.heroku();
  const [app, formation] = await Promise.all([heroku.getApp(input.app), heroku.listFormation(input.app)]);
  const running = formation.filter((f) => f.type !== 'web' && f.quantity > 0).map((f) => `${f.type}=${f.quantity}`);
  const problems = [
    ...(app.maintenance ? [] : ['maintenance mode is off']),
    ...(running.length ? [`non-web processes still run (${running.join(', ')}); maintenance mode stops web traffic only`] : []),
    ...(appState.deploy ? ['the AWS services are deployed and may write to the same store'] : []),
  ];
  if (problems.length) {
    throw new MigrateError('conflict', `The source of ${input.app} is not write-frozen: ${problems.join('; ')}.`, {
      hint:
        `Freeze writes first: heroku maintenance:on -a ${input.app}; heroku ps:scale ${running.map((r) => r.replace(/=\d+$/, '=0')).join(' ') || 'worker=0'} -a ${input.app}` +
        `${appState.deploy ? '; scale the AWS services to 0 (or serve a maintenance response), then pass --frozen' : ''}. ` +
        'Or run `migrate data cutover`, which freezes and unfreezes for you. --allow-live copies anyway (rehearsals only).',
    });
  }
}

interface CopyContext {
  plan: Plan;
  addon: AddonPlan & {category: DataKind};
  source: DataUrl;
  target: DataUrl;
  input: DataCopyInput;
  deps: DataCopyDeps;
  warnings: string[];
}

/**
 * Where the copy reports its phases. The local copy writes them into the state and the journal
 * (stateSink); the runner task inside the VPC prints them as protocol lines, which the operator's
 * CLI replays into the same stateSink. So both record exactly the same thing.
 */
export interface CopySink {
  /** after the probes, before the first write to the target (wipe included) */
  begin(e: {sourceId: string; targetId: string; wipe: boolean}): Promise<void>;
  copied(stats: DataCopyResult['stats']): Promise<void>;
  /** the copy failed after begin (message already redacted) */
  failed(message: string): Promise<void>;
  verified(e: {ok: boolean; mismatches: number; seconds: number}): Promise<void>;
}

/** Everything the copy itself needs: no state store, so it also runs in the runner task. */
export interface CopyCore {
  addon: {name: string; category: DataKind};
  source: DataUrl;
  target: DataUrl;
  options: Pick<DataCopyInput, 'force' | 'jobs' | 'compress' | 'dumpDir' | 'batch' | 'sourceTlsVerify' | 'allowLive'>;
  /** the add-on's data record before this copy: decides whether a non-empty target is ours to wipe */
  previous?: DataProgressState;
  /** the provisioned RDS instance (endpoint host:port) and its storage ceiling */
  storage?: {id: string; endpoint?: string; maxStorageGb?: number};
  tools: Pick<DataCopyDeps, 'postgres' | 'redis' | 'tmpDir' | 'cores' | 'onProgress' | 'onCopyProgress'>;
  sink: CopySink;
  warnings: string[];
}

/** the copy itself, for callers that hold the lock and did the freeze (data copy, data cutover) */
export async function copyAddonData(ctx: CopyContext): Promise<DataCopyResult> {
  checkDistinct(ctx.source, ctx.target, ctx.addon.category);
  const entry = (await ctx.deps.state.readState()).addons?.[ctx.addon.name];
  return runCopy({
    addon: ctx.addon,
    source: ctx.source,
    target: ctx.target,
    options: ctx.input,
    previous: entry?.data,
    storage: entry?.resource,
    tools: ctx.deps,
    sink: stateSink(ctx.deps, ctx.addon),
    warnings: ctx.warnings,
  });
}

export function checkDistinct(source: DataUrl, target: DataUrl, kind: DataKind): void {
  if (source.id === target.id) {
    throw new MigrateError('usage', `The source and the target are the same ${kind} endpoint (${target.display}).`, {hint: 'Check --source-url-env and --target-url-env.'});
  }
}

/** The copy and its verification, reporting its phases to the sink. */
export async function runCopy(core: CopyCore): Promise<DataCopyResult> {
  return core.addon.category === 'postgres' ? copyPostgres(core) : copyRedis(core);
}

async function setData(deps: Pick<DataCopyDeps, 'state' | 'clock'>, addon: string, phase: string, details: Record<string, unknown>, reset = false): Promise<void> {
  const st = await deps.state.readState();
  const entry = st.addons?.[addon] ?? {remaps: {}};
  // a new copy starts with fresh details, but keeps the cutover record of a window in progress
  const {cutover} = entry.data?.details ?? {};
  const previous = reset ? (cutover === undefined ? {} : {cutover}) : (entry.data?.details ?? {});
  await deps.state.writeState({...st, addons: {...st.addons, [addon]: {...entry, data: {phase, updatedAt: deps.clock.now().toISOString(), details: {...previous, ...details}}}}});
}

/** The sink of a copy recorded by this process: journal lines and the add-on's data phase in the state. */
export function stateSink(deps: Pick<DataCopyDeps, 'state' | 'clock'>, addon: {name: string; category: DataKind}): CopySink {
  const id = `data-copy-${addon.name}-${deps.clock.now().getTime()}`;
  const journal = (phase: 'intent' | 'result' | 'verify', ok: boolean | undefined, details: Record<string, unknown>) =>
    deps.state.journal({id, op: 'data-copy', phase, ...(ok === undefined ? {} : {ok}), details: {addon: addon.name, kind: addon.category, ...details}});
  return {
    async begin({sourceId, targetId, wipe}) {
      await journal('intent', undefined, {sourceId, targetId, wipe});
      await setData(deps, addon.name, PHASE.copying, {kind: addon.category, sourceId, targetId, startedAt: deps.clock.now().toISOString()}, true);
    },
    async copied(stats) {
      if (addon.category === 'postgres') {
        await journal('result', true, {tables: stats.tables, rows: stats.rows, bytes: stats.bytes});
        await setData(deps, addon.name, PHASE.copied, {tables: stats.tables, rows: stats.rows, bytes: stats.bytes});
      } else {
        await journal('result', true, {keys: stats.keys, expired: stats.expired, bytes: stats.bytes});
        await setData(deps, addon.name, PHASE.copied, {keys: stats.keys, bytes: stats.bytes});
      }
    },
    async failed(message) {
      await journal('result', false, {error: message});
      await setData(deps, addon.name, PHASE.failed, {error: message});
    },
    async verified({ok, mismatches, seconds}) {
      await journal('verify', ok, {mismatches});
      const now = deps.clock.now().toISOString();
      await setData(deps, addon.name, ok ? PHASE.verified : PHASE.verifyFailed, {mismatches, ...(ok ? {verifiedAt: now} : {}), seconds});
    },
  };
}

async function begin(core: CopyCore, empty: boolean): Promise<DataCopyResult['wiped']> {
  const {tools, addon, target, source} = core;
  const decision = targetDecision({empty, force: core.options.force ?? false, previous: core.previous, targetId: target.id, what: `${addon.category} ${target.display}`});
  await core.sink.begin({sourceId: source.id, targetId: target.id, wipe: decision !== 'write'});
  if (decision === 'wipe-restart') core.warnings.push(`An earlier copy into this target did not finish: the target was wiped and the copy started over.`);
  if (decision !== 'write') {
    tools.onProgress?.(`Wiping the target ${target.display} (${decision === 'wipe-force' ? '--force' : 'unfinished earlier copy'})`);
    if (addon.category === 'postgres') await (await tools.postgres()).wipe(target);
    else await (await tools.redis()).wipe(target);
  }
  return decision === 'write' ? 'no' : decision === 'wipe-restart' ? 'restart' : 'force';
}

async function fail(core: CopyCore, err: unknown): Promise<never> {
  await core.sink.failed(err instanceof MigrateError ? err.message : 'unexpected error');
  throw err;
}

async function copyPostgres(core: CopyCore): Promise<DataCopyResult> {
  const {tools: deps, source, target, options: input} = core;
  const tools = await deps.postgres();
  const jobs = input.jobs ?? deps.cores ?? DEFAULT_JOBS;
  const t0 = Date.now();
  deps.onProgress?.(`Connecting to the source ${source.display} and the target ${target.display}`);
  const [sp, tp, client] = await Promise.all([tools.probe(source, 'source'), tools.probe(target, 'target'), tools.clientVersion()]);
  checkPgVersions({source: sp.versionNum, target: tp.versionNum, client});
  // the provisioned RDS instance cannot grow past its autoscaling ceiling: refuse before writing
  const resource = core.storage;
  if (resource?.endpoint === `${target.host}:${target.port}`) checkFitsStorage(sp.databaseBytes ?? sp.dataBytes, resource.maxStorageGb, `${resource.id} (${target.display})`);
  const dumpDir = input.dumpDir ?? deps.tmpDir;
  const free = await tools.freeSpace(dumpDir);
  const compress = chooseCompression(input.compress, sp.dataBytes, free);
  checkDiskSpace(dumpSpaceEstimate(sp.dataBytes, compress), free, dumpDir);
  const wiped = await begin(core, tp.objects === 0);
  let stats: DataCopyResult['stats'];
  let before: Awaited<ReturnType<PostgresTools['inventory']>>;
  try {
    // the source is frozen: its rows are counted on one connection while pg_dump reads it (the
    // dump's progress picks the counts up as they arrive)
    deps.onProgress?.(`pg_dump with ${jobs} jobs${compress ? `, gzip level ${compress}` : ', uncompressed'}, counting the source rows per table meanwhile`);
    const rows: Record<string, number> = {};
    const counting = tools.inventory(source, 'source', {jobs: 1}).then((inv) => (Object.assign(rows, inv.tables), inv));
    // a count that fails while pg_dump still runs is awaited below; until then it must not count
    // as an unhandled rejection, which ends the process (no error line, no failed phase)
    counting.catch(() => undefined);
    const dump = await tools.dump(source, dumpDir, {jobs, compress, rows, onProgress: deps.onCopyProgress}).catch(async (err: unknown) => {
      await counting.catch(() => undefined);
      throw err;
    });
    before = await counting.catch(async (err: unknown) => {
      await tools.removeDump(dump.dir);
      throw err;
    });
    try {
      deps.onProgress?.(`pg_restore: ${jobs} jobs, then ANALYZE`);
      const restore = await tools.restore(target, dump.dir, {jobs, rows: before.tables, onProgress: deps.onCopyProgress});
      stats = {tables: dump.result.tables, compress, rows: Object.values(before.tables).reduce((a, b) => a + b, 0), bytes: dump.result.bytes, seconds: {dump: dump.result.seconds, restore: restore.seconds, total: 0}};
    } finally {
      await tools.removeDump(dump.dir);
    }
  } catch (err) {
    return fail(core, err);
  }
  await core.sink.copied(stats);
  deps.onProgress?.('Verifying: row counts per table and schema objects on both sides');
  const [src, tgt] = await Promise.all([input.allowLive ? tools.inventory(source, 'source', {jobs}) : before, tools.inventory(target, 'target', {jobs})]);
  const result = verifyPostgres(src, tgt);
  stats.seconds.total = (Date.now() - t0) / 1000;
  return finish(core, {kind: 'postgres', result}, stats, wiped);
}

async function copyRedis(core: CopyCore): Promise<DataCopyResult> {
  const {tools: deps, source, target, options: input} = core;
  const tools = await deps.redis();
  const tlsVerify = input.sourceTlsVerify ?? true;
  const t0 = Date.now();
  deps.onProgress?.(`Connecting to the source ${source.display} and the target ${target.display}`);
  const [sp, tp] = await Promise.all([tools.probe(source, 'source', {tlsVerify}), tools.probe(target, 'target')]);
  checkRedisVersions(sp.version, tp.version);
  checkRedisMemory(sp.usedMemory, tp.maxMemory);
  const others = Object.entries(sp.otherDatabases).filter(([, n]) => n > 0);
  if (others.length) core.warnings.push(`The source has keys in other databases (${others.map(([d, n]) => `${d}: ${n}`).join(', ')}); only database ${source.database} is copied.`);
  const wiped = await begin(core, tp.keys === 0);
  let stats: DataCopyResult['stats'];
  try {
    deps.onProgress?.(`Copying ${sp.keys.toLocaleString('en-US')} keys (SCAN, DUMP + PTTL, RESTORE)`);
    const r = await tools.copy(source, target, {batch: input.batch ?? 1000, sourceTlsVerify: tlsVerify, totalKeys: sp.keys, onProgress: deps.onCopyProgress});
    stats = {keys: r.keys, expired: r.expired, bytes: r.bytes, seconds: {copy: r.seconds, total: 0}};
  } catch (err) {
    return fail(core, err);
  }
  await core.sink.copied(stats);
  deps.onProgress?.('Verifying: keys per type (with and without TTL) on both sides');
  const [src, tgt] = await Promise.all([
    tools.inventory(source, 'source', {marginMs: REDIS_VERIFY_MARGIN_MS, tlsVerify}),
    tools.inventory(target, 'target', {marginMs: REDIS_VERIFY_MARGIN_MS}),
  ]);
  const result = verifyRedis(src, tgt);
  stats.seconds.total = (Date.now() - t0) / 1000;
  return finish(core, {kind: 'redis', result}, stats, wiped);
}

/** how many rows of a verification differ */
export function mismatchCount(verification: DataCopyResult['verification']): number {
  return verification.kind === 'postgres'
    ? [...verification.result.tables, ...verification.result.sequences].filter((r) => !r.ok).length + verification.result.objects.filter((o) => !o.ok).length
    : verification.result.types.filter((t) => !t.ok).length;
}

async function finish(core: CopyCore, verification: DataCopyResult['verification'], stats: DataCopyResult['stats'], wiped: DataCopyResult['wiped']): Promise<DataCopyResult> {
  const ok = verification.result.ok;
  await core.sink.verified({ok, mismatches: mismatchCount(verification), seconds: stats.seconds.total});
  return {
    addon: core.addon.name,
    kind: core.addon.category,
    source: core.source.display,
    target: core.target.display,
    phase: ok ? PHASE.verified : PHASE.verifyFailed,
    wiped,
    stats,
    verification,
    warnings: core.warnings,
  };
}
