/**
 * `data copy --in-vpc` / `data cutover --in-vpc`, the operator's side: the copy runs as a one-off
 * ECS Fargate task in the shared stack's cluster, private subnets and task security group (which
 * reach RDS and MemoryDB), with the shared stack's DataRunnerRole as its task role. This side:
 *   - finds WHICH secret and key holds each URL (no value is read here: domain/data-runner.ts),
 *   - registers the runner task definition (or reuses an identical one) and runs the task with
 *     its job spec in H2A_DATA_JOB (no secret in it),
 *   - follows the task's CloudWatch Logs stream, replays the protocol lines into the same state
 *     and journal records as a local copy (stateSink), renders the progress,
 *   - waits for STOPPED; the result line is the outcome (judgeRunner). A timeout or Ctrl-C stops
 *     the task.
 * The caller holds the app's lock.
 */
import type {AddonPlan} from '../domain/addon-plan.ts';
import type {DataKind} from '../domain/data-copy.ts';
import {
  JOB_ENV,
  judgeRunner,
  parseLine,
  RUNNER_CONTAINER,
  runnerEndpoints,
  runnerLogStream,
  runnerTaskDefinition,
  secretArnsOf,
  type EndpointRef,
  type JobSpec,
  type RunnerEvent,
  type RunnerResult,
} from '../domain/data-runner.ts';
import {MigrateError, ExitCode} from '../domain/errors.ts';
import {fingerprint} from '../domain/fingerprint.ts';
import {stackName} from '../domain/naming.ts';
import type {Plan} from '../domain/plan.ts';
import type {AppState} from '../domain/state.ts';
import type {LogReader} from '../ports/logs.ts';
import type {StackDeployer} from '../ports/stacks.ts';
import type {TaskDefinitionRegistry, TaskRunner} from '../ports/tasks.ts';
import {stateSink, type DataCopyDeps, type DataCopyInput, type DataCopyResult} from './data-copy.ts';

export interface InVpcDeps {
  stacks: (region: string) => Promise<Pick<StackDeployer, 'describeStack'>>;
  tasks: (region: string) => Promise<TaskRunner & TaskDefinitionRegistry>;
  logs: (region: string) => Promise<LogReader>;
  /** Ctrl-C / SIGTERM as events: the task is stopped */
  interrupts?: {subscribe(onInterrupt: () => void): () => void};
  /** how often the log stream is read (default 2 s) */
  logPollMs?: number;
  /** how long to keep reading the stream after the task stopped, for the last lines (default 20 s) */
  logGraceMs?: number;
}

export const DEFAULT_RUNNER_TIMEOUT_SECONDS = 6 * 3600;
const NEEDED_OUTPUTS = ['ClusterName', 'PrivateSubnetIds', 'TaskSecurityGroupId', 'LogGroupName', 'ExecutionRoleArn', 'DataRunnerRoleArn'] as const;
const IMAGE_RE = /^[a-z0-9][a-z0-9._\-/:@]*[a-zA-Z0-9]$/i;

export interface PreparedRunner {
  image: string;
  region: string;
  source: EndpointRef;
  target: EndpointRef;
  urlVar: string;
  outputs: Record<(typeof NEEDED_OUTPUTS)[number], string>;
  /** for messages: where the copy reads and writes (no credentials) */
  sourceLabel: string;
  targetLabel: string;
}

/** --in-vpc takes its URLs from Secrets Manager in the task: refuses the URL flags before anything runs */
export function checkInVpcFlags(input: DataCopyInput): void {
  const given = [
    ...(input.source?.url !== undefined ? ['--source-url'] : []),
    ...(input.source?.env !== undefined ? ['--source-url-env'] : []),
    ...(input.target?.url !== undefined ? ['--target-url'] : []),
    ...(input.target?.env !== undefined ? ['--target-url-env'] : []),
    ...(input.dumpDir !== undefined ? ['--dump-dir'] : []),
  ];
  if (given.length) {
    throw new MigrateError('usage', `--in-vpc cannot be combined with ${given.join(', ')}: the runner task reads the source from the app's secret and the target from the provisioned store, and dumps to its own storage.`, {
      hint: 'Drop those flags (after `migrate secrets import` and `migrate addons provision`), or copy from your machine without --in-vpc.',
    });
  }
  if (input.runnerImage !== undefined && !IMAGE_RE.test(input.runnerImage)) {
    throw new MigrateError('usage', `--runner-image '${input.runnerImage}' is not an image reference.`, {hint: 'Pass REPOSITORY:TAG or REPOSITORY@sha256:DIGEST of the image built from runner/Dockerfile.'});
  }
}

/** Everything checked before the freeze: image, endpoints, the shared stack. Nothing is changed. */
export async function prepareInVpc(o: {plan: Plan; addon: AddonPlan & {category: DataKind}; appState: AppState; region: string; input: DataCopyInput; deps: InVpcDeps}): Promise<PreparedRunner> {
  checkInVpcFlags(o.input);
  const image = o.input.runnerImage ?? o.appState.dataRunner?.image;
  if (!image) {
    throw new MigrateError('usage', '--in-vpc needs the runner image: no --runner-image was given and the state records none.', {
      hint: 'Build and push runner/Dockerfile (docs/addons-and-data.md, "Copying from inside the VPC"), then pass --runner-image REPOSITORY:TAG once; later runs reuse it.',
    });
  }
  const {source, target, urlVar} = runnerEndpoints(o.plan, o.addon, o.appState);
  const name = stackName(o.plan.app.name, 'shared');
  const stack = await (await o.deps.stacks(o.region)).describeStack(name);
  if (!stack) {
    throw new MigrateError('input', `--in-vpc runs the copy in the app's ECS cluster, but the shared stack ${name} does not exist in ${o.region}.`, {
      hint: `Run \`migrate deploy --app ${o.plan.app.name}\` first (its shared stack holds the cluster, the private subnets and the runner role), or copy without --in-vpc.`,
    });
  }
  if (!/_COMPLETE$/.test(stack.status) || /ROLLBACK|DELETE/.test(stack.status)) {
    throw new MigrateError('conflict', `The shared stack ${name} is ${stack.status}.`, {hint: `Wait for it, or fix it with \`migrate deploy --app ${o.plan.app.name}\`, then run the copy again.`});
  }
  const missing = NEEDED_OUTPUTS.filter((k) => !stack.outputs[k]);
  if (missing.length) {
    throw new MigrateError('input', `The shared stack ${name} has no output ${missing.join(', ')}, which --in-vpc needs.`, {
      hint: `It was deployed by an older heroku2aws: run \`migrate plan\` and \`migrate deploy --app ${o.plan.app.name}\` to add the runner role, then copy again.`,
    });
  }
  const resource = o.appState.addons?.[o.addon.name]?.resource;
  return {
    image,
    region: o.region,
    source,
    target,
    urlVar,
    outputs: Object.fromEntries(NEEDED_OUTPUTS.map((k) => [k, stack.outputs[k]!])) as PreparedRunner['outputs'],
    sourceLabel: `Heroku ${urlVar} (secret ${o.appState.secret?.name ?? ''})`,
    targetLabel: 'url' in target ? target.url : `${resource?.id ?? o.addon.name} (secret ${target.secretArn.split(':').at(-1)})`,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the prepared copy as an ECS task and records it like a local copy. */
export async function runInVpc(
  p: PreparedRunner,
  ctx: {plan: Plan; addon: AddonPlan & {category: DataKind}; input: DataCopyInput; deps: DataCopyDeps & InVpcDeps; warnings: string[]},
): Promise<DataCopyResult> {
  const {deps, addon, plan, input} = ctx;
  const app = plan.app.name;
  const now = deps.clock.now();
  const tasks = await deps.tasks(p.region);
  const logs = await deps.logs(p.region);
  const out = p.outputs;
  const td = runnerTaskDefinition({app, image: p.image, executionRoleArn: out.ExecutionRoleArn, taskRoleArn: out.DataRunnerRoleArn, logGroup: out.LogGroupName, region: p.region});
  deps.onProgress?.(`Runner task definition ${td.family} (image ${p.image})`);
  const {arn: taskDefinition, registered} = await tasks.ensureTaskDefinition(td);
  const st0 = await deps.state.readState();
  await deps.state.writeState({...st0, dataRunner: {image: p.image, taskDefinitionArn: taskDefinition, updatedAt: now.toISOString()}});
  const entry = st0.addons?.[addon.name];
  const spec: JobSpec = {
    h2a: 1,
    app,
    addon: addon.name,
    kind: addon.category,
    region: p.region,
    source: p.source,
    target: p.target,
    ...(input.jobs === undefined ? {} : {jobs: input.jobs}),
    batch: input.batch ?? 1000,
    ...(input.compress === undefined ? {} : {compress: input.compress}),
    sourceTlsVerify: input.sourceTlsVerify ?? true,
    force: input.force ?? false,
    allowLive: input.allowLive ?? false,
    ...(entry?.data ? {previous: {phase: entry.data.phase, ...(typeof entry.data.details?.targetId === 'string' ? {targetId: entry.data.details.targetId} : {})}} : {}),
    ...(entry?.resource ? {storage: {id: entry.resource.id, ...(entry.resource.endpoint ? {endpoint: entry.resource.endpoint} : {}), ...(entry.resource.maxStorageGb === undefined ? {} : {maxStorageGb: entry.resource.maxStorageGb})}} : {}),
  };
  const cluster = out.ClusterName;
  const journalId = `data-runner-${addon.name}-${now.getTime()}`;
  const journal = (phase: 'intent' | 'result', ok: boolean | undefined, details: Record<string, unknown>) =>
    deps.state.journal({id: journalId, op: 'data-runner', phase, ...(ok === undefined ? {} : {ok}), details: {addon: addon.name, ...details}});
  await journal('intent', undefined, {taskDefinition, registered, cluster, image: p.image, secrets: secretArnsOf(p.source, p.target)});
  const clientToken = fingerprint(`${journalId}\n${taskDefinition}`).slice('sha256:'.length, 'sha256:'.length + 64);
  // Ctrl-C from RunTask on: a task this CLI started is never left running without it (a signal
  // while RunTask is in flight would otherwise end the process, release the lock and orphan the task)
  const INTERRUPTED = 'heroku2aws: interrupted by the operator (Ctrl-C)';
  let started: string | undefined;
  let interrupted = false;
  const stopInterrupted = (arn: string) => {
    deps.onProgress?.(`Interrupted: stopping the runner task ${arn}`);
    return tasks.stopTask(cluster, arn, INTERRUPTED).catch(() => undefined);
  };
  const unsubscribe = deps.interrupts?.subscribe(() => {
    if (interrupted) return;
    interrupted = true;
    if (started) void stopInterrupted(started);
    else deps.onProgress?.('Interrupted: the runner task is stopped as soon as RunTask answers');
  });
  let taskArn: string;
  try {
    ({taskArn} = await tasks.runTask({
      cluster,
      taskDefinition,
      containerName: RUNNER_CONTAINER,
      subnets: out.PrivateSubnetIds.split(','),
      securityGroups: [out.TaskSecurityGroupId],
      startedBy: `heroku2aws-data-${addon.name}`,
      clientToken,
      environment: {[JOB_ENV]: JSON.stringify(spec)},
    }));
  } catch (err) {
    unsubscribe?.();
    await journal('result', false, {error: err instanceof MigrateError ? err.message : 'unexpected error'});
    throw err;
  }
  started = taskArn;
  if (interrupted) await stopInterrupted(taskArn);
  const stream = runnerLogStream(taskArn);
  const where = `${out.LogGroupName} ${stream}`;
  deps.onProgress?.(`Started runner task ${taskArn} in ${cluster}; following its log stream ${where}`);

  // ---- follow the stream while waiting for STOPPED ----
  const sink = stateSink(deps, addon);
  const seen = {began: false, closed: false};
  let result: RunnerResult | undefined;
  let error: {code: MigrateError['code']; message: string; hint?: string} | undefined;
  let token: string | undefined;
  let protocolError: MigrateError | undefined;
  const apply = async (e: RunnerEvent) => {
    switch (e.type) {
      case 'start':
        deps.onProgress?.(`Runner task started (heroku2aws ${e.version})`);
        break;
      case 'note':
        deps.onProgress?.(`task: ${e.message}`);
        break;
      case 'progress':
        deps.onCopyProgress?.({stage: e.stage, done: e.done, total: e.total, rows: e.rows, totalRows: e.totalRows, bytes: e.bytes});
        break;
      case 'begin':
        seen.began = true;
        await sink.begin(e);
        break;
      case 'copied':
        await sink.copied(e.stats);
        break;
      case 'failed':
        seen.closed = true;
        await sink.failed(e.message);
        break;
      case 'verified':
        seen.closed = true;
        await sink.verified(e);
        break;
      case 'result':
        result = e.result;
        break;
      case 'error':
        error = e.error;
        break;
    }
  };
  const drain = async () => {
    const page = await logs.read(out.LogGroupName, stream, token).catch(() => null);
    if (!page) return;
    token = page.nextToken || token;
    for (const line of page.lines) {
      let event: RunnerEvent | null;
      try {
        event = parseLine(line);
      } catch (err) {
        protocolError ??= err as MigrateError;
        continue;
      }
      if (event) await apply(event);
    }
  };
  const pollMs = deps.logPollMs ?? 2000;
  let stopped = false;
  const following = (async () => {
    while (!stopped) {
      await drain();
      if (!stopped) await sleep(pollMs);
    }
  })();
  const timeoutSeconds = input.runnerTimeoutSeconds ?? DEFAULT_RUNNER_TIMEOUT_SECONDS;
  let outcome;
  try {
    outcome = await tasks.waitForTask(cluster, taskArn, RUNNER_CONTAINER, {timeoutSeconds, onStatus: (s) => deps.onProgress?.(`Runner task ${s}`)});
    if (outcome.timedOut) await tasks.stopTask(cluster, taskArn, `heroku2aws: data copy timed out after ${timeoutSeconds} s`).catch(() => undefined);
  } finally {
    stopped = true;
    await following;
    unsubscribe?.();
  }
  // the last lines reach CloudWatch Logs shortly after the container stopped. When this CLI
  // stopped the task (Ctrl-C, timeout) the outcome is already decided and no result line will
  // come: one more read, no grace wait (a Ctrl-C must not hang for the grace period).
  const stoppedByUs = interrupted || outcome.timedOut;
  const graceUntil = Date.now() + (stoppedByUs ? 0 : (deps.logGraceMs ?? 20_000));
  for (;;) {
    await drain();
    if (result || error || Date.now() >= graceUntil) break;
    await sleep(Math.min(pollMs, 1000));
  }

  const judged = protocolError
    ? {ok: false as const, error: protocolError}
    : interrupted
      ? {ok: false as const, error: new MigrateError('conflict', `Interrupted: the runner task ${taskArn} was stopped (log stream ${where}).`, {hint: 'Run the copy again: it wipes the unfinished target and starts over.', exitCode: ExitCode.paused})}
      : judgeRunner({taskArn, logs: where, result, error, exitCode: outcome.exitCode, timedOut: outcome.timedOut, timeoutSeconds, stoppedReason: [outcome.stoppedReason, outcome.containerReason].filter(Boolean).join('; ') || undefined});
  if (!judged.ok) {
    // a copy that began and never reported its end is failed, as a local copy that threw. A task
    // this CLI stopped may have begun writing (wiping) the target before its 'begin' line reached
    // the stream: its copy is failed too, never left 'verified' from an earlier run.
    if ((seen.began || stoppedByUs) && !seen.closed) await sink.failed(judged.error.message);
    await journal('result', false, {taskArn, logStream: stream, exitCode: outcome.exitCode, error: judged.error.message});
    throw judged.error;
  }
  await journal('result', true, {taskArn, logStream: stream, exitCode: outcome.exitCode, phase: judged.result.phase});
  // into the caller's list, as a local copy does (the cutover reports that list, not the copy's)
  ctx.warnings.push(...judged.result.warnings);
  return {...judged.result, warnings: [...ctx.warnings]};
}
