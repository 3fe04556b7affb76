/**
 * StackDeployer on AWS CloudFormation (SDK v3, loaded lazily): change sets, the SDK's waiters
 * for change sets and stacks, and its paginators for change-set pages and stack events.
 */
import type {ResourceChange as CfnChange, StackEvent as CfnEvent} from '@aws-sdk/client-cloudformation';
import {setTimeout as sleep} from 'node:timers/promises';
import {isNoChangeReason, STACK_SUCCESS, type ResourceChange, type StackEvent} from '../../domain/deploy.ts';
import type {ChangeSetView, StackDeployer, StackView} from '../../ports/stacks.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

export interface CloudFormationOptions extends AwsClientOptions {
  /** waiter delays in seconds (the SDK's defaults are 30-120 s; a deploy wants to see progress sooner) */
  minDelay?: number;
  maxDelay?: number;
  /** how long a stack operation may take before the wait gives up (it keeps running in CloudFormation) */
  stackTimeoutSeconds?: number;
  changeSetTimeoutSeconds?: number;
  /** how often stack events are read while waiting */
  eventPollMs?: number;
}

const isMissingStack = (err: unknown) => (err as {name?: string}).name === 'ValidationError' && /does not exist/i.test((err as Error).message ?? '');

export async function createStackDeployer(options: CloudFormationOptions): Promise<StackDeployer> {
  const cfn = await import('@aws-sdk/client-cloudformation');
  const client = capResponses(new cfn.CloudFormationClient(clientConfig(options)));
  const delays = {minDelay: options.minDelay ?? 5, maxDelay: options.maxDelay ?? 15};
  const eventPollMs = options.eventPollMs ?? 4000;

  async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw awsError(err, action);
    }
  }

  async function describeStack(stackName: string): Promise<StackView | null> {
    try {
      const r = await client.send(new cfn.DescribeStacksCommand({StackName: stackName}));
      const s = r.Stacks?.[0];
      if (!s) return null;
      return {
        stackId: s.StackId ?? '',
        stackName: s.StackName ?? stackName,
        status: s.StackStatus ?? 'UNKNOWN',
        ...(s.StackStatusReason ? {statusReason: s.StackStatusReason} : {}),
        parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
        outputs: Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      };
    } catch (err) {
      if (isMissingStack(err)) return null;
      throw awsError(err, `describe stack ${stackName}`);
    }
  }

  const toEvent = (e: CfnEvent): StackEvent => ({
    id: e.EventId ?? '',
    at: (e.Timestamp ?? new Date()).toISOString(),
    logicalId: e.LogicalResourceId ?? '',
    resourceType: e.ResourceType ?? '',
    status: e.ResourceStatus ?? '',
    ...(e.ResourceStatusReason ? {reason: e.ResourceStatusReason} : {}),
    ...(e.PhysicalResourceId ? {physicalId: e.PhysicalResourceId} : {}),
  });

  const toChange = (c: CfnChange): ResourceChange => ({
    action: c.Action ?? 'Modify',
    logicalId: c.LogicalResourceId ?? '',
    resourceType: c.ResourceType ?? '',
    ...(c.PhysicalResourceId ? {physicalId: c.PhysicalResourceId} : {}),
    ...(c.Replacement ? {replacement: c.Replacement} : {}),
    causes: (c.Details ?? []).map((d) => {
      const t = d.Target;
      const what = [t?.Attribute, t?.Name].filter(Boolean).join('.') || 'unknown';
      const via = d.CausingEntity ? ` via ${d.CausingEntity}` : d.ChangeSource ? ` (${d.ChangeSource})` : '';
      return `${what}${t?.RequiresRecreation && t.RequiresRecreation !== 'Never' ? ` [recreate: ${t.RequiresRecreation}]` : ''}${via}`;
    }),
  });

  return {
    describeStack,

    async latestEventId(stackName) {
      const r = await call(`read events of stack ${stackName}`, () => client.send(new cfn.DescribeStackEventsCommand({StackName: stackName})));
      return r.StackEvents?.[0]?.EventId ?? null;
    },

    async createChangeSet(spec) {
      let created: {Id?: string; StackId?: string};
      try {
        created = await client.send(
          new cfn.CreateChangeSetCommand({
            StackName: spec.stackName,
            ChangeSetName: spec.changeSetName,
            ChangeSetType: spec.type,
            TemplateBody: spec.templateBody,
            Parameters: spec.parameters.map((p) => ({ParameterKey: p.key, ParameterValue: p.value})),
            Capabilities: spec.namedIam ? ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] : ['CAPABILITY_IAM'],
            Tags: Object.entries(spec.tags).map(([Key, Value]) => ({Key, Value})),
            Description: spec.description.slice(0, 1024),
            ClientToken: spec.clientToken,
          }),
        );
      } catch (err) {
        // UpdateStack's wording, which CreateChangeSet uses too in some cases (the aws CLI's deploy checks both)
        if ((err as {name?: string}).name === 'ValidationError' && isNoChangeReason((err as Error).message)) {
          return {id: null, stackId: null, status: 'FAILED', statusReason: (err as Error).message, noChanges: true, changes: []};
        }
        throw awsError(err, `create a change set for stack ${spec.stackName}`);
      }
      const id = created.Id ?? spec.changeSetName;
      const input = {StackName: spec.stackName, ChangeSetName: id};
      try {
        await cfn.waitUntilChangeSetCreateComplete({client, ...delays, minDelay: Math.min(delays.minDelay, 2), maxWaitTime: options.changeSetTimeoutSeconds ?? 600}, input);
      } catch {
        // FAILED or timed out: the description below says which
      }
      const view: ChangeSetView = {id, stackId: created.StackId ?? null, status: 'UNKNOWN', noChanges: false, changes: []};
      await call(`describe change set ${spec.changeSetName} of stack ${spec.stackName}`, async () => {
        for await (const page of cfn.paginateDescribeChangeSet({client}, input)) {
          view.status = page.Status ?? view.status;
          if (page.StatusReason) view.statusReason = page.StatusReason;
          view.changes.push(...(page.Changes ?? []).flatMap((c) => (c.ResourceChange ? [toChange(c.ResourceChange)] : [])));
        }
      });
      view.noChanges = view.status === 'FAILED' && isNoChangeReason(view.statusReason);
      return view;
    },

    async deleteChangeSet(stackName, changeSetId) {
      await call(`delete change set ${changeSetId}`, () => client.send(new cfn.DeleteChangeSetCommand({StackName: stackName, ChangeSetName: changeSetId})));
    },

    async executeChangeSet(stackName, changeSetId, clientToken) {
      await call(`execute the change set of stack ${stackName}`, () =>
        client.send(new cfn.ExecuteChangeSetCommand({StackName: stackName, ChangeSetName: changeSetId, ClientRequestToken: clientToken})),
      );
    },

    async waitForStack(stackName, operation, {afterEventId, onEvent}) {
      const events: StackEvent[] = [];
      const seen = new Set<string>();
      const poll = async () => {
        const fresh: StackEvent[] = [];
        pages: for await (const page of cfn.paginateDescribeStackEvents({client}, {StackName: stackName})) {
          for (const e of page.StackEvents ?? []) {
            if (e.EventId === afterEventId || seen.has(e.EventId ?? '')) break pages;
            fresh.push(toEvent(e));
          }
        }
        for (const e of fresh.reverse()) {
          seen.add(e.id);
          events.push(e);
          onEvent?.(e);
        }
      };
      const stop = new AbortController();
      const follower = (async () => {
        while (!stop.signal.aborted) {
          await poll().catch(() => undefined); // events are progress: a throttled read is skipped, the final one below retries
          await sleep(eventPollMs, undefined, {signal: stop.signal}).catch(() => undefined);
        }
      })();
      const waiter = operation === 'create' ? cfn.waitUntilStackCreateComplete : cfn.waitUntilStackUpdateComplete;
      try {
        await waiter({client, ...delays, maxWaitTime: options.stackTimeoutSeconds ?? 7200}, {StackName: stackName});
      } catch {
        // a failed or rolled-back operation, or the wait timed out: the stack's status below says which
      } finally {
        stop.abort();
        await follower;
      }
      await call(`read events of stack ${stackName}`, poll);
      const stack = await describeStack(stackName);
      if (!stack) throw awsError(new Error('the stack disappeared while it was being deployed'), `wait for stack ${stackName}`);
      return {stack, ok: STACK_SUCCESS.has(stack.status), settled: !stack.status.endsWith('_IN_PROGRESS'), events};
    },
  };
}
