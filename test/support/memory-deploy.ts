/**
 * In-memory CloudFormation (StackDeployer) and ECS (TaskRunner) with the semantics the deploy
 * workflow relies on: change sets computed from the stored template and parameters (a FAILED
 * "didn't contain changes" set when nothing differs), CREATE_COMPLETE / ROLLBACK_COMPLETE /
 * UPDATE_ROLLBACK_COMPLETE outcomes with events, outputs, and a release task with a chosen exit code.
 */
import type {ResourceChange, StackEvent} from '../../src/domain/deploy.ts';
import type {ChangeSetSpec, ChangeSetView, StackDeployer, StackView} from '../../src/ports/stacks.ts';
import type {RunTaskSpec, TaskOutcome, TaskRunner} from '../../src/ports/tasks.ts';

type Json = null | boolean | number | string | Json[] | {[k: string]: Json};
interface Template {
  Resources: Record<string, {Type: string} & Record<string, Json>>;
  Outputs?: Record<string, Json>;
}
interface Stack {
  stackId: string;
  status: string;
  template: Template | null;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  events: StackEvent[];
  revisions: number;
}
interface ChangeSet {
  id: string;
  stackName: string;
  spec: ChangeSetSpec;
  changes: ResourceChange[];
  status: string;
}

export interface MemoryStacksOptions {
  /** CloudFormation's Replacement answer for a modified resource */
  replacement?: (logicalId: string, resourceType: string) => 'True' | 'Conditional' | undefined;
  /** a resource that fails when its stack is executed */
  failResource?: {stackName: string; logicalId: string; reason: string};
  /** outputs a stack gets besides the generic ones */
  outputs?: (stackName: string, keys: string[], parameters: Record<string, string>) => Record<string, string>;
  /** shared with memoryTasks to see the order of stack and task calls */
  calls?: string[];
}

const referenced = (resource: Json): string[] => {
  const text = JSON.stringify(resource);
  return [...text.matchAll(/"Ref":"([A-Za-z0-9]+)"/g), ...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] as string);
};

export function memoryStacks(options: MemoryStacksOptions = {}) {
  const stacks = new Map<string, Stack>();
  const changeSets = new Map<string, ChangeSet>();
  /** every call in order, e.g. `createChangeSet heroku2aws-shop-shared CREATE` */
  const calls: string[] = options.calls ?? [];
  let seq = 0;
  const event = (stack: Stack, logicalId: string, resourceType: string, status: string, reason?: string) => {
    stack.events.push({id: `e${++seq}`, at: new Date(Date.UTC(2026, 10, 26, 0, 0, seq)).toISOString(), logicalId, resourceType, status, ...(reason ? {reason} : {})});
  };
  const view = (name: string, s: Stack): StackView => ({stackId: s.stackId, stackName: name, status: s.status, parameters: {...s.parameters}, outputs: {...s.outputs}});

  function diff(old: Template | null, oldParams: Record<string, string>, next: Template, params: Record<string, string>): ResourceChange[] {
    const before = old?.Resources ?? {};
    const changed = new Set(Object.keys(params).filter((k) => params[k] !== oldParams[k]));
    const out: ResourceChange[] = [];
    for (const [id, r] of Object.entries(next.Resources)) {
      const prev = before[id];
      if (!prev) out.push({action: 'Add', logicalId: id, resourceType: r.Type, causes: []});
      else if (JSON.stringify(prev) !== JSON.stringify(r) || referenced(r).some((p) => changed.has(p))) {
        const replacement = options.replacement?.(id, r.Type);
        out.push({action: 'Modify', logicalId: id, resourceType: r.Type, physicalId: `${id}-physical`, replacement: replacement ?? 'False', causes: ['Properties (test)']});
      }
    }
    for (const [id, r] of Object.entries(before)) if (!next.Resources[id]) out.push({action: 'Remove', logicalId: id, resourceType: r.Type, causes: []});
    return out;
  }

  function outputsOf(name: string, s: Stack, template: Template, params: Record<string, string>): Record<string, string> {
    const keys = Object.keys(template.Outputs ?? {});
    const generic: Record<string, string> = {};
    for (const k of keys) generic[k] = params[k] ?? `${k}-of-${name}`;
    if (keys.includes('TaskDefinitionArn')) generic.TaskDefinitionArn = `arn:aws:ecs:us-east-1:123456789012:task-definition/${name}:${s.revisions}`;
    if (keys.includes('ContainerName')) generic.ContainerName = 'release';
    if (keys.includes('TimeoutSeconds')) generic.TimeoutSeconds = '3600';
    if (keys.includes('ClusterName')) generic.ClusterName = 'shop';
    if (keys.includes('TaskSecurityGroupId')) generic.TaskSecurityGroupId = 'sg-0123456789abcdef0';
    if (keys.includes('LoadBalancerArn')) {
      generic.LoadBalancerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/heroku2aws-shop/50dc6c495c0c9188';
      generic.LoadBalancerFullName = 'app/heroku2aws-shop/50dc6c495c0c9188';
      generic.LoadBalancerDnsName = 'heroku2aws-shop-1234567890.us-east-1.elb.amazonaws.com';
    }
    if (keys.includes('VpcId') && !params.VpcId) Object.assign(generic, {VpcId: 'vpc-0aaaaaaaaaaaaaaa1', PublicSubnetIds: 'subnet-0aaaaaaa1,subnet-0aaaaaaa2', PrivateSubnetIds: 'subnet-0bbbbbbb1,subnet-0bbbbbbb2'});
    return {...generic, ...options.outputs?.(name, keys, params)};
  }

  const deployer: StackDeployer = {
    async describeStack(name) {
      calls.push(`describeStack ${name}`);
      const s = stacks.get(name);
      return s ? view(name, s) : null;
    },
    async latestEventId(name) {
      return stacks.get(name)?.events.at(-1)?.id ?? null;
    },
    async createChangeSet(spec) {
      calls.push(`createChangeSet ${spec.stackName} ${spec.type}`);
      let s = stacks.get(spec.stackName);
      if (spec.type === 'UPDATE' && !s) throw Object.assign(new Error(`Stack [${spec.stackName}] does not exist`), {name: 'ValidationError'});
      if (spec.type === 'CREATE' && s && s.status !== 'REVIEW_IN_PROGRESS') throw Object.assign(new Error('Stack already exists'), {name: 'AlreadyExistsException'});
      if (!s) {
        s = {stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${spec.stackName}/${++seq}`, status: 'REVIEW_IN_PROGRESS', template: null, parameters: {}, outputs: {}, events: [], revisions: 0};
        stacks.set(spec.stackName, s);
        event(s, spec.stackName, 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS', 'User Initiated');
      }
      const template = JSON.parse(spec.templateBody) as Template;
      const params = Object.fromEntries(spec.parameters.map((p) => [p.key, p.value]));
      const changes = diff(s.template, s.parameters, template, params);
      const id = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${spec.changeSetName}/${++seq}`;
      const same = spec.type === 'UPDATE' && changes.length === 0 && JSON.stringify(s.parameters) === JSON.stringify(params);
      changeSets.set(id, {id, stackName: spec.stackName, spec, changes, status: same ? 'FAILED' : 'CREATE_COMPLETE'});
      const out: ChangeSetView = {id, stackId: s.stackId, status: same ? 'FAILED' : 'CREATE_COMPLETE', noChanges: same, changes};
      if (same) out.statusReason = "The submitted information didn't contain changes. Submit different information to create a change set.";
      return out;
    },
    async deleteChangeSet(name, id) {
      calls.push(`deleteChangeSet ${name}`);
      changeSets.delete(id);
    },
    async executeChangeSet(name, id) {
      calls.push(`executeChangeSet ${name}`);
      const cs = changeSets.get(id);
      const s = stacks.get(name);
      if (!cs || !s || cs.status !== 'CREATE_COMPLETE') throw Object.assign(new Error('ChangeSet is not executable'), {name: 'InvalidChangeSetStatus'});
      changeSets.delete(id);
      const creating = s.status === 'REVIEW_IN_PROGRESS';
      const op = creating ? 'CREATE' : 'UPDATE';
      event(s, name, 'AWS::CloudFormation::Stack', `${op}_IN_PROGRESS`, 'User Initiated');
      const fail = options.failResource?.stackName === name ? options.failResource : undefined;
      for (const c of cs.changes) {
        const verb = c.action === 'Add' ? 'CREATE' : c.action === 'Remove' ? 'DELETE' : 'UPDATE';
        event(s, c.logicalId, c.resourceType, `${verb}_IN_PROGRESS`);
        if (fail?.logicalId === c.logicalId) {
          event(s, c.logicalId, c.resourceType, `${verb}_FAILED`, fail.reason);
          for (const other of cs.changes.filter((o) => o !== c)) event(s, other.logicalId, other.resourceType, `${verb}_FAILED`, 'Resource creation cancelled');
          s.status = creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE';
          event(s, name, 'AWS::CloudFormation::Stack', s.status);
          return;
        }
        event(s, c.logicalId, c.resourceType, `${verb}_COMPLETE`);
      }
      const template = JSON.parse(cs.spec.templateBody) as Template;
      if (cs.changes.some((c) => c.logicalId === 'TaskDefinition')) s.revisions++;
      s.template = template;
      s.parameters = Object.fromEntries(cs.spec.parameters.map((p) => [p.key, p.value]));
      s.outputs = outputsOf(name, s, template, s.parameters);
      s.status = `${op}_COMPLETE`;
      event(s, name, 'AWS::CloudFormation::Stack', s.status);
    },
    async waitForStack(name, _operation, {afterEventId, onEvent}) {
      calls.push(`waitForStack ${name}`);
      const s = stacks.get(name)!;
      const start = afterEventId ? s.events.findIndex((e) => e.id === afterEventId) + 1 : 0;
      const events = s.events.slice(start);
      for (const e of events) onEvent?.(e);
      return {stack: view(name, s), ok: s.status === 'CREATE_COMPLETE' || s.status === 'UPDATE_COMPLETE', settled: !s.status.endsWith('_IN_PROGRESS'), events};
    },
  };

  /** puts a stack into a given state (as if an earlier operation left it there) */
  const seed = (name: string, status: string, parameters: Record<string, string> = {}) =>
    stacks.set(name, {stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/seed`, status, template: {Resources: {}}, parameters, outputs: {}, events: [], revisions: 0});

  return Object.assign(deployer, {stacks, changeSets, calls, seed});
}

export interface MemoryTasksOptions {
  exitCode?: number | null;
  timedOut?: boolean;
  stoppedReason?: string;
  containerReason?: string;
  calls?: string[];
}

export function memoryTasks(options: MemoryTasksOptions = {}) {
  const runs: RunTaskSpec[] = [];
  const stopped: string[] = [];
  const calls: string[] = options.calls ?? [];
  const runner: TaskRunner = {
    async runTask(spec) {
      calls.push(`runTask ${spec.taskDefinition}`);
      runs.push(spec);
      return {taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${spec.cluster}/${runs.length}`};
    },
    async waitForTask(_cluster, taskArn, _container, {onStatus}) {
      calls.push(`waitForTask ${taskArn}`);
      onStatus?.('RUNNING');
      if (options.timedOut) return {taskArn, lastStatus: 'RUNNING', exitCode: null, timedOut: true};
      onStatus?.('STOPPED');
      const out: TaskOutcome = {taskArn, lastStatus: 'STOPPED', exitCode: options.exitCode === undefined ? 0 : options.exitCode, timedOut: false, stoppedReason: options.stoppedReason ?? 'Essential container in task exited'};
      if (options.containerReason) out.containerReason = options.containerReason;
      return out;
    },
    async stopTask(_cluster, taskArn) {
      calls.push(`stopTask ${taskArn}`);
      stopped.push(taskArn);
    },
  };
  return Object.assign(runner, {runs, stopped, calls});
}
