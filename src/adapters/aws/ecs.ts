/** TaskRunner on Amazon ECS (SDK v3, loaded lazily): RunTask on Fargate and the SDK's tasks-stopped waiter. */
import type {Task} from '@aws-sdk/client-ecs';
import {setTimeout as sleep} from 'node:timers/promises';
import {MigrateError} from '../../domain/errors.ts';
import {CONTENT_TAG} from '../../domain/data-runner.ts';
import type {ServiceRedeployer, TaskDefinitionRegistry, TaskOutcome, TaskRunner} from '../../ports/tasks.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

/** API limits (docs/facts.md, "ECS"). */
export const DESCRIBE_SERVICES_MAX = 10;
export const STARTED_BY_MAX = 128;

export interface EcsOptions extends AwsClientOptions {
  /** waiter delays in seconds (SDK default 6-600 s) */
  minDelay?: number;
  maxDelay?: number;
  /** how often the task's status is read for progress while waiting */
  statusPollMs?: number;
}

export async function createTaskRunner(options: EcsOptions): Promise<TaskRunner> {
  const ecs = await import('@aws-sdk/client-ecs');
  const client = capResponses(new ecs.ECSClient(clientConfig(options)));
  const minDelay = options.minDelay ?? 6;
  const maxDelay = options.maxDelay ?? 30;

  async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw awsError(err, action);
    }
  }
  const describe = async (cluster: string, taskArn: string): Promise<Task | undefined> =>
    (await call(`describe task ${taskArn}`, () => client.send(new ecs.DescribeTasksCommand({cluster, tasks: [taskArn]})))).tasks?.[0];

  return {
    async runTask(spec) {
      const r = await call(`run task ${spec.taskDefinition}`, () =>
        client.send(
          new ecs.RunTaskCommand({
            cluster: spec.cluster,
            taskDefinition: spec.taskDefinition,
            launchType: 'FARGATE',
            platformVersion: 'LATEST',
            count: 1,
            // RunTask's startedBy holds up to 128 characters (docs/facts.md, "ECS")
            startedBy: spec.startedBy.slice(0, STARTED_BY_MAX),
            clientToken: spec.clientToken.slice(0, 64),
            networkConfiguration: {awsvpcConfiguration: {subnets: spec.subnets, securityGroups: spec.securityGroups, assignPublicIp: 'DISABLED'}},
            ...(spec.environment
              ? {overrides: {containerOverrides: [{name: spec.containerName, environment: Object.entries(spec.environment).map(([name, value]) => ({name, value}))}]}}
              : {}),
          }),
        ),
      );
      const taskArn = r.tasks?.[0]?.taskArn;
      if (!taskArn) {
        const why = (r.failures ?? []).map((f) => [f.reason, f.detail].filter(Boolean).join(': ')).join('; ') || 'no task and no reason returned';
        throw new MigrateError('aws', `ECS did not start the task of ${spec.taskDefinition} (${why}).`, {hint: 'Check the cluster, subnets and Fargate capacity in the region, then re-run.'});
      }
      return {taskArn};
    },

    async waitForTask(cluster, taskArn, containerName, {timeoutSeconds, onStatus}) {
      let last = '';
      const stop = new AbortController();
      const watcher = onStatus
        ? (async () => {
            while (!stop.signal.aborted) {
              await sleep(options.statusPollMs ?? 15_000, undefined, {signal: stop.signal}).catch(() => undefined);
              if (stop.signal.aborted) break;
              const status = (await describe(cluster, taskArn).catch(() => undefined))?.lastStatus;
              if (status && status !== last) onStatus((last = status));
            }
          })()
        : Promise.resolve();
      const deadline = Date.now() + timeoutSeconds * 1000;
      try {
        await ecs.waitUntilTasksStopped({client, minDelay, maxDelay: Math.max(maxDelay, minDelay), maxWaitTime: Math.max(timeoutSeconds, minDelay + 1)}, {cluster, tasks: [taskArn]});
      } catch {
        // timed out (or the task vanished): the description below says which. The SDK's waiter gives
        // up as soon as its next delay would pass the limit (up to maxDelay early): wait out the rest
        // while the task is still there and running.
        for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
          await sleep(Math.min(left, minDelay * 1000));
          const status = (await describe(cluster, taskArn).catch(() => undefined))?.lastStatus;
          if (!status || status === 'STOPPED') break; // stopped, gone or unreadable: decided below
        }
      } finally {
        stop.abort();
        await watcher;
      }
      const task = await describe(cluster, taskArn);
      const container = task?.containers?.find((c) => c.name === containerName) ?? task?.containers?.[0];
      const lastStatus = task?.lastStatus ?? 'UNKNOWN';
      const outcome: TaskOutcome = {taskArn, lastStatus, exitCode: lastStatus === 'STOPPED' ? (container?.exitCode ?? null) : null, timedOut: lastStatus !== 'STOPPED'};
      if (task?.stoppedReason) outcome.stoppedReason = task.stoppedReason;
      if (task?.stopCode) outcome.stopCode = task.stopCode;
      if (container?.reason) outcome.containerReason = container.reason;
      return outcome;
    },

    async stopTask(cluster, taskArn, reason) {
      await call(`stop task ${taskArn}`, () => client.send(new ecs.StopTaskCommand({cluster, task: taskArn, reason: reason.slice(0, 255)})));
    },
  };
}

/** TaskDefinitionRegistry on Amazon ECS: DescribeTaskDefinition (with tags) and RegisterTaskDefinition. */
export async function createTaskDefinitionRegistry(options: AwsClientOptions): Promise<TaskDefinitionRegistry> {
  const ecs = await import('@aws-sdk/client-ecs');
  const client = capResponses(new ecs.ECSClient(clientConfig(options)));
  return {
    async ensureTaskDefinition(spec) {
      const digest = spec.tags[CONTENT_TAG];
      try {
        const current = await client.send(new ecs.DescribeTaskDefinitionCommand({taskDefinition: spec.family, include: ['TAGS']}));
        const arn = current.taskDefinition?.taskDefinitionArn;
        const tag = current.tags?.find((t) => t.key === CONTENT_TAG)?.value;
        if (arn && current.taskDefinition?.status === 'ACTIVE' && digest && tag === digest) return {arn, registered: false};
      } catch (err) {
        // no revision of the family yet: register the first
        const e = err as {name?: string; message?: string};
        if (!(e.name === 'ClientException' && /unable to describe|not found|does not exist/i.test(e.message ?? ''))) throw awsError(err, `describe task definition ${spec.family}`);
      }
      const r = await client
        .send(
          new ecs.RegisterTaskDefinitionCommand({
            family: spec.family,
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: String(spec.cpu),
            memory: String(spec.memory),
            ephemeralStorage: {sizeInGiB: spec.ephemeralStorageGiB},
            executionRoleArn: spec.executionRoleArn,
            taskRoleArn: spec.taskRoleArn,
            runtimePlatform: {operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64'},
            containerDefinitions: [
              {
                name: spec.container.name,
                image: spec.container.image,
                essential: true,
                // the whole task's memory as the container's soft limit: valid on Fargate, and moto 5.2.1's
                // RunTask fails on a container without one (docs/testing.md, "Where moto stops")
                memoryReservation: spec.memory,
                command: spec.container.command,
                environment: Object.entries(spec.container.environment).map(([name, value]) => ({name, value})),
                logConfiguration: {logDriver: 'awslogs', options: {'awslogs-group': spec.logs.group, 'awslogs-region': spec.logs.region, 'awslogs-stream-prefix': spec.logs.streamPrefix}},
              },
            ],
            tags: Object.entries(spec.tags).map(([key, value]) => ({key, value})),
          }),
        )
        .catch((err: unknown) => {
          throw awsError(err, `register task definition ${spec.family}`);
        });
      const arn = r.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new MigrateError('aws', `ECS registered no task definition for ${spec.family}.`, {hint: 'Retry; check the ECS console.'});
      return {arn, registered: true};
    },
  };
}

/** ServiceRedeployer on Amazon ECS: UpdateService with forceNewDeployment for the services that exist. */
export async function createServiceRedeployer(options: AwsClientOptions): Promise<ServiceRedeployer> {
  const ecs = await import('@aws-sdk/client-ecs');
  const client = capResponses(new ecs.ECSClient(clientConfig(options)));
  return {
    async forceNewDeployment(cluster, services) {
      if (!services.length) return {deployed: [], missing: []};
      try {
        const active = new Set<string>();
        // DescribeServices takes at most 10 services per call (docs/facts.md, "ECS")
        for (let i = 0; i < services.length; i += DESCRIBE_SERVICES_MAX) {
          const found = await client.send(new ecs.DescribeServicesCommand({cluster, services: services.slice(i, i + DESCRIBE_SERVICES_MAX)}));
          for (const s of found.services ?? []) if (s.status === 'ACTIVE') active.add(s.serviceName ?? '');
        }
        const deployed: string[] = [];
        for (const service of services.filter((s) => active.has(s))) {
          await client.send(new ecs.UpdateServiceCommand({cluster, service, forceNewDeployment: true}));
          deployed.push(service);
        }
        return {deployed, missing: services.filter((s) => !active.has(s))};
      } catch (err) {
        // no cluster yet (nothing deployed): nothing to restart
        if ((err as {name?: string}).name === 'ClusterNotFoundException') return {deployed: [], missing: services};
        throw awsError(err, `start new deployments in cluster ${cluster}`);
      }
    },
  };
}
