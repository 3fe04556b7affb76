/**
 * `migrate data copy --in-vpc`: the copy runs as a one-off ECS Fargate task inside the app's VPC
 * (RDS and MemoryDB are private). Pure parts shared by the two sides:
 *
 *   the job spec   what the operator's CLI gives the task in one environment value (H2A_DATA_JOB):
 *                  no URL and no secret, only WHERE each URL is ({secretArn, jsonKey}), read by
 *                  the task with its own role, or a URL without credentials (a MemoryDB endpoint);
 *   the protocol   what the task prints on stdout, one JSON object per line, versioned
 *                  ({"h2a":1,"type":...}); the awslogs driver carries it to CloudWatch Logs, where
 *                  the CLI follows it and replays it into the state and journal;
 *   the task definition  Fargate, awsvpc, awslogs, the shared stack's runner role.
 */
import {z} from 'zod';
import type {AddonPlan} from './addon-plan.ts';
import {urlVarOf, type CopyStats, type DataCopyResult, type DataKind, type DataProgressState} from './data-copy.ts';
import {DataUrl, redact as redactUrls} from './data-url.ts';
import {ExitCode, MigrateError, type ErrorCode} from './errors.ts';
import {fingerprint} from './fingerprint.ts';
import type {Plan} from './plan.ts';
import type {AppState} from './state.ts';

export const RUNNER_PROTOCOL = 1;
/** the environment value (a RunTask container override) that carries the job spec */
export const JOB_ENV = 'H2A_DATA_JOB';
export const RUNNER_CONTAINER = 'data-runner';
/** the awslogs stream prefix: streams are data-runner/data-runner/<task id> */
export const RUNNER_STREAM_PREFIX = 'data-runner';
export const runnerTaskFamily = (app: string) => `${app}-data-runner`;
/** the runner's task size: pg_dump and pg_restore use both vCPUs; the dump goes to the task's ephemeral storage */
export const RUNNER_SIZE = {cpu: 2048, memory: 4096, ephemeralStorageGiB: 200, jobs: 2} as const;
/** the tag on a runner task definition holding the digest of its content (reuse an identical one) */
export const CONTENT_TAG = 'heroku2aws:content';

const secretRef = z.object({secretArn: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/), jsonKey: z.string().min(1)}).strict();
const plainRef = z.object({url: z.string().min(1)}).strict();
const endpointRef = z.union([secretRef, plainRef]);
export type EndpointRef = z.infer<typeof endpointRef>;

const jobSpecSchema = z
  .object({
    h2a: z.literal(RUNNER_PROTOCOL),
    app: z.string().min(1),
    addon: z.string().min(1),
    kind: z.enum(['postgres', 'redis']),
    region: z.string().min(1),
    source: endpointRef,
    target: endpointRef,
    jobs: z.number().int().min(1).max(64).optional(),
    batch: z.number().int().min(10).max(100_000),
    compress: z.number().int().min(0).max(9).optional(),
    sourceTlsVerify: z.boolean(),
    force: z.boolean(),
    allowLive: z.boolean(),
    /** the add-on's data phase before this copy and the target it was for (an id: a hash) */
    previous: z.object({phase: z.string(), targetId: z.string().optional()}).strict().optional(),
    /** the provisioned RDS instance and its storage ceiling (no secret) */
    storage: z.object({id: z.string(), endpoint: z.string().optional(), maxStorageGb: z.number().optional()}).strict().optional(),
  })
  .strict();
export type JobSpec = z.infer<typeof jobSpecSchema>;

/** the job spec from the task's environment; a clear error when it is missing or malformed */
export function parseJobSpec(text: string | undefined): JobSpec {
  if (!text) {
    throw new MigrateError('usage', `${JOB_ENV} is not set: \`migrate data run-task\` is the entry of the runner task that \`migrate data copy --in-vpc\` starts.`, {
      hint: 'Run `migrate data copy --in-vpc` on your machine instead; it starts this task with its job.',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MigrateError('usage', `${JOB_ENV} is not JSON.`, {hint: 'Start the task with `migrate data copy --in-vpc` (same heroku2aws version as the runner image).'});
  }
  const r = jobSpecSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MigrateError('usage', `${JOB_ENV} is not a valid job spec: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'The runner image and the CLI must be the same heroku2aws version: rebuild the image (runner/Dockerfile) or pass --runner-image.',
    });
  }
  for (const side of ['source', 'target'] as const) {
    const ref = r.data[side];
    if ('url' in ref && DataUrl.parse(ref.url, r.data.kind, `the job's ${side} URL`).password) {
      throw new MigrateError('usage', `The job's ${side} is a URL with a password; the job spec carries no secrets.`, {hint: 'Put the URL in a Secrets Manager secret and reference it.'});
    }
  }
  return r.data;
}

export const previousOf = (spec: JobSpec): DataProgressState | undefined =>
  spec.previous ? {phase: spec.previous.phase, details: spec.previous.targetId === undefined ? {} : {targetId: spec.previous.targetId}} : undefined;

// ---- which secret and key holds each URL (no value is read) ----

/**
 * The source is Heroku's URL, which `migrate secrets import` put in the app's secret (the add-on's
 * URL var stays Heroku's until the cutover activates the remap). The target is the provisioned
 * store: a key of its connection secret (RDS), or an endpoint without credentials (MemoryDB).
 */
export function runnerEndpoints(plan: Plan, addon: AddonPlan & {category: DataKind}, appState: AppState): {source: EndpointRef; target: EndpointRef; urlVar: string} {
  const urlVar = urlVarOf(addon);
  const remap = appState.addons?.[addon.name]?.remaps[urlVar];
  if (!appState.secret) {
    throw new MigrateError('input', `--in-vpc reads the source URL (${urlVar}) from the app's secret, but the state records no secret import.`, {hint: `Run \`migrate secrets import --app ${plan.app.name}\` first.`});
  }
  if (!plan.secret.keys.includes(urlVar)) {
    throw new MigrateError('input', `The app's secret ${appState.secret.name} does not hold ${urlVar} (the plan keeps it out of the secret), so the task cannot read the source.`, {
      hint: 'Run the copy from a machine that reaches both stores (without --in-vpc).',
    });
  }
  if (remap?.active) {
    throw new MigrateError('conflict', `${urlVar} in the app's secret already points at the AWS store (the cutover activated it), so it no longer names the Heroku source.`, {
      hint: 'The data was cut over; to copy again, run without --in-vpc and pass --source-url-env NAME.',
    });
  }
  if (!remap) {
    throw new MigrateError('input', `No target for add-on ${addon.name}: the state has no provisioned ${urlVar}.`, {hint: 'Run `migrate addons provision` first.'});
  }
  const source: EndpointRef = {secretArn: appState.secret.arn, jsonKey: urlVar};
  let target: EndpointRef;
  if (remap.fromSecret) target = {secretArn: remap.fromSecret.arn, jsonKey: remap.fromSecret.key};
  else if (remap.value !== undefined) {
    if (DataUrl.parse(remap.value, addon.category, `the provisioned ${urlVar} (state)`).password) {
      throw new MigrateError('schema', `The provisioned ${urlVar} of ${addon.name} is a plain value with a password in the state.`, {hint: 'Re-run `migrate addons provision`.'});
    }
    target = {url: remap.value};
  } else throw new MigrateError('schema', `The remap of ${urlVar} in the state has neither a value nor a secret.`, {hint: 'Re-run `migrate addons provision`.'});
  return {source, target, urlVar};
}

/** the secret ARNs the task reads (for messages and the journal) */
export const secretArnsOf = (...refs: EndpointRef[]) => [...new Set(refs.flatMap((r) => ('secretArn' in r ? [r.secretArn] : [])))];

// ---- the task definition ----

export interface TaskDefinitionSpec {
  family: string;
  cpu: number;
  memory: number;
  ephemeralStorageGiB: number;
  executionRoleArn: string;
  taskRoleArn: string;
  container: {name: string; image: string; command: string[]; environment: Record<string, string>};
  logs: {group: string; region: string; streamPrefix: string};
  tags: Record<string, string>;
}

export function runnerTaskDefinition(o: {app: string; image: string; executionRoleArn: string; taskRoleArn: string; logGroup: string; region: string}): TaskDefinitionSpec {
  const base: Omit<TaskDefinitionSpec, 'tags'> = {
    family: runnerTaskFamily(o.app),
    cpu: RUNNER_SIZE.cpu,
    memory: RUNNER_SIZE.memory,
    ephemeralStorageGiB: RUNNER_SIZE.ephemeralStorageGiB,
    executionRoleArn: o.executionRoleArn,
    taskRoleArn: o.taskRoleArn,
    container: {name: RUNNER_CONTAINER, image: o.image, command: ['data', 'run-task'], environment: {NODE_ENV: 'production', NO_COLOR: '1'}},
    logs: {group: o.logGroup, region: o.region, streamPrefix: RUNNER_STREAM_PREFIX},
  };
  const digest = fingerprint(JSON.stringify(base)).slice('sha256:'.length, 'sha256:'.length + 32);
  return {...base, tags: {'heroku2aws:app': o.app, 'heroku2aws:role': 'data-runner', [CONTENT_TAG]: digest}};
}

/** the awslogs stream of a task's container: <prefix>/<container>/<task id> */
export const runnerLogStream = (taskArn: string) => `${RUNNER_STREAM_PREFIX}/${RUNNER_CONTAINER}/${taskArn.split('/').at(-1) ?? taskArn}`;

// ---- the line protocol ----

/** the stats and the result travel as they are (domain/data-copy.ts) */
export type RunnerStats = CopyStats;
export type RunnerResult = DataCopyResult;

export type RunnerEvent =
  | {type: 'start'; addon: string; kind: DataKind; version: string}
  | {type: 'note'; message: string}
  | {type: 'progress'; stage: 'dump' | 'restore' | 'copy'; done: number; total: number; rows: number; totalRows: number; bytes: number}
  | {type: 'begin'; sourceId: string; targetId: string; wipe: boolean}
  | {type: 'copied'; stats: RunnerStats}
  | {type: 'failed'; message: string}
  | {type: 'verified'; ok: boolean; mismatches: number; seconds: number}
  | {type: 'result'; result: RunnerResult}
  | {type: 'error'; error: {code: ErrorCode; message: string; hint?: string}};

export type RunnerLine = {h2a: typeof RUNNER_PROTOCOL} & RunnerEvent;

export const formatLine = (event: RunnerEvent): string => JSON.stringify({h2a: RUNNER_PROTOCOL, ...event});

const TYPES = new Set(['start', 'note', 'progress', 'begin', 'copied', 'failed', 'verified', 'result', 'error']);

/**
 * A log line -> a protocol event; null for anything else (a runtime's own warning). A line of a
 * newer protocol version is an error: the image and the CLI must be the same version.
 */
export function parseLine(text: string): RunnerEvent | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{"h2a":')) return null;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (raw.h2a !== RUNNER_PROTOCOL) {
    throw new MigrateError('conflict', `The runner task speaks protocol version ${String(raw.h2a)}; this CLI speaks ${RUNNER_PROTOCOL}.`, {
      hint: 'Build the runner image from the same heroku2aws version as this CLI (runner/Dockerfile) and pass it with --runner-image.',
    });
  }
  if (typeof raw.type !== 'string' || !TYPES.has(raw.type)) return null;
  const {h2a: _v, ...event} = raw;
  return event as unknown as RunnerEvent;
}

const ERROR_CODES = new Set<string>(['usage', 'input', 'not-found', 'auth', 'forbidden', 'rate-limited', 'upstream', 'schema', 'io', 'aws', 'conflict', 'locked', 'internal'] satisfies ErrorCode[]);

/**
 * How a runner task ended, from its protocol lines and ECS's outcome. The result line is the
 * outcome; the exit code must agree (0 only when verified). Anything else is a failure that
 * names the task and its log stream.
 */
export function judgeRunner(o: {
  taskArn: string;
  logs: string;
  result?: RunnerResult;
  error?: {code: ErrorCode; message: string; hint?: string};
  exitCode: number | null;
  timedOut: boolean;
  timeoutSeconds: number;
  stoppedReason?: string;
}): {ok: true; result: RunnerResult} | {ok: false; error: MigrateError} {
  const where = `task ${o.taskArn}, log stream ${o.logs}`;
  if (o.timedOut) {
    return {ok: false, error: new MigrateError('aws', `The runner task did not finish within ${o.timeoutSeconds} s and was stopped (${where}).`, {hint: 'Read its log stream; a large copy needs a longer --runner-timeout. Re-run the copy: it wipes the unfinished target and starts over.'})};
  }
  if (o.error) {
    // the task redacts its lines; this side does again (an image of another build, a driver echoing a URL).
    // Exit 1 whatever the task's code: a task's 'usage' or 'locked' is not the operator's command line or lock.
    const hint = o.error.hint === undefined ? undefined : redactUrls(o.error.hint, []);
    return {ok: false, error: new MigrateError(ERROR_CODES.has(o.error.code) ? o.error.code : 'internal', `The runner task failed: ${redactUrls(o.error.message, [])} (${where})`, {hint, exitCode: ExitCode.error})};
  }
  if (!o.result) {
    const why = o.stoppedReason ? `; ECS: ${redactUrls(o.stoppedReason, [])}` : '';
    return {
      ok: false,
      error: new MigrateError('aws', `The runner task stopped without a result line (exit code ${o.exitCode ?? 'none'}${why}; ${where}).`, {
        hint: 'Read the log stream (aws logs tail). An image that is not the heroku2aws runner, or a container that never started (image pull, memory), ends like this. Re-run the copy.',
      }),
    };
  }
  // the result line is authoritative; a verified result must come with exit code 0
  if (o.result.verification.result.ok && o.exitCode !== null && o.exitCode !== 0) {
    return {ok: false, error: new MigrateError('aws', `The runner task printed a result but exited with code ${o.exitCode} (${where}).`, {hint: 'Read the log stream; re-run the copy.'})};
  }
  return {ok: true, result: o.result};
}
