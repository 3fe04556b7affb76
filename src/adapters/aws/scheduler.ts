/** SchedulerAdmin on EventBridge Scheduler (SDK v3, loaded lazily): one schedule per job, running an ECS task. */
import type {SchedulerAdmin, ScheduleTarget, ScheduleView} from '../../ports/addons.ts';
import type {ScheduleSpec} from '../../domain/addon-provision.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({Key, Value}));

/**
 * Whether the live value holds everything `wanted` sets, equal (fields the service adds as
 * defaults are ignored; lists of names compare as sets): a schedule that matches is not
 * updated, so a re-run writes nothing and LastModificationDate stays.
 */
export function holds(live: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(live) || live.length !== wanted.length) return false;
    const names = wanted.every((w) => typeof w === 'string') && live.every((l) => typeof l === 'string');
    const [l, w] = names ? [[...live].sort(), [...wanted].sort()] : [live, wanted];
    return w.every((item, i) => holds(l[i], item));
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (live === null || typeof live !== 'object') return false;
    return Object.entries(wanted).every(([k, v]) => v === undefined || holds((live as Record<string, unknown>)[k], v));
  }
  return live === wanted;
}

export async function createSchedulerAdmin(options: AwsClientOptions): Promise<SchedulerAdmin> {
  const sch = await import('@aws-sdk/client-scheduler');
  const client = capResponses(new sch.SchedulerClient(clientConfig(options)));
  const body = (spec: ScheduleSpec, target: ScheduleTarget) => ({
    Name: spec.name,
    GroupName: spec.group,
    ScheduleExpression: spec.expression,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: {Mode: 'OFF' as const},
    Description: spec.description,
    Target: {
      Arn: target.clusterArn,
      RoleArn: target.roleArn,
      EcsParameters: {
        TaskDefinitionArn: target.taskDefinitionArn,
        LaunchType: 'FARGATE' as const,
        TaskCount: 1,
        NetworkConfiguration: {awsvpcConfiguration: {Subnets: target.subnetIds, SecurityGroups: target.securityGroupIds, AssignPublicIp: 'DISABLED' as const}},
        Tags: [{heroku2aws: 'scheduler'}],
      },
      // RunTask overrides: the job's command in the process type's container, sized like its dyno
      Input: JSON.stringify({containerOverrides: [{name: spec.processType, command: ['bash', '-c', spec.command]}], cpu: String(spec.cpu), memory: String(spec.memory)}),
      RetryPolicy: {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600},
    },
  });
  const get = async (group: string, name: string) => {
    try {
      return await client.send(new sch.GetScheduleCommand({GroupName: group, Name: name}));
    } catch (err) {
      if ((err as {name?: string}).name === 'ResourceNotFoundException') return null;
      throw awsError(err, `read schedule ${group}/${name}`);
    }
  };
  const view = (name: string, arn: string | undefined, state: string | undefined, expression: string): ScheduleView => ({name, arn: arn ?? '', state: state ?? 'UNKNOWN', expression});
  return {
    async readSchedule(spec, target) {
      const live = await get(spec.group, spec.name);
      if (!live) return null;
      const {Name: _n, GroupName: _g, ...wanted} = body(spec, target);
      return {view: view(spec.name, live.Arn, live.State, live.ScheduleExpression ?? ''), same: holds(live, wanted)};
    },
    async ensureGroup(name, tags) {
      // read before create: never re-create a group that exists (moto 5.2.1 even replaces it, schedules and all)
      try {
        await client.send(new sch.GetScheduleGroupCommand({Name: name}));
        return {created: false};
      } catch (err) {
        if ((err as {name?: string}).name !== 'ResourceNotFoundException') throw awsError(err, `read schedule group ${name}`);
      }
      try {
        await client.send(new sch.CreateScheduleGroupCommand({Name: name, Tags: toTags(tags)}));
        return {created: true};
      } catch (err) {
        if ((err as {name?: string}).name === 'ConflictException') return {created: false};
        throw awsError(err, `create schedule group ${name}`);
      }
    },
    async putSchedule(spec, target) {
      const existing = await get(spec.group, spec.name);
      try {
        if (!existing) {
          // created DISABLED: jobs must never run on both sides; they are switched on in the window
          const r = await client.send(new sch.CreateScheduleCommand({...body(spec, target), State: 'DISABLED'}));
          return {view: view(spec.name, r.ScheduleArn, 'DISABLED', spec.expression), created: true};
        }
        const state = existing.State ?? 'DISABLED';
        const r = await client.send(new sch.UpdateScheduleCommand({...body(spec, target), State: state}));
        return {view: view(spec.name, r.ScheduleArn, state, spec.expression), created: false};
      } catch (err) {
        throw awsError(err, `${existing ? 'update' : 'create'} schedule ${spec.group}/${spec.name}`);
      }
    },
    async list(group) {
      const out: ScheduleView[] = [];
      try {
        for await (const page of sch.paginateListSchedules({client}, {GroupName: group})) {
          for (const s of page.Schedules ?? []) out.push(view(s.Name ?? '', s.Arn, s.State, ''));
        }
      } catch (err) {
        throw awsError(err, `list schedules of ${group}`);
      }
      return out;
    },
  };
}
