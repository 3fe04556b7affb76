/**
 * The release phase of `migrate deploy`: one ECS task on the release stack's new task definition,
 * in the shared stack's cluster, private subnets and task security group. Exit code 0 lets the
 * deploy go on to the services; anything else (an exit code, a container that never ran, a
 * timeout) stops it with the reason, as a failed release phase blocks a Heroku release.
 */
import {MigrateError} from '../domain/errors.ts';
import {logGroupName} from '../domain/naming.ts';
import type {Plan} from '../domain/plan.ts';
import {RELEASE_CONTAINER} from '../domain/stacks/index.ts';
import type {DeployDeps} from './deploy.ts';

export interface ReleaseOutcome {
  ran: boolean;
  /** why it did not run */
  skipped?: string;
  taskDefinitionArn: string;
  taskArn?: string;
  exitCode?: number | null;
  stoppedReason?: string;
}

export interface ReleaseContext {
  deps: Pick<DeployDeps, 'state' | 'tasks' | 'ui'>;
  plan: Plan;
  region: string;
  /** idempotency token of this run's RunTask */
  token: string;
  /** the release task definition that already ran to exit 0 (state.deploy) */
  releasedBefore: string | undefined;
  shared: {stackName: string; outputs: Record<string, string>};
  release: {stackName: string; outputs: Record<string, string>};
}

function needOutput(stack: {stackName: string; outputs: Record<string, string>}, key: string): string {
  const value = stack.outputs[key];
  if (!value) {
    throw new MigrateError('aws', `Stack ${stack.stackName} has no output ${key}, which the release phase needs.`, {
      hint: 'It may come from another version of heroku2aws: re-run migrate plan, then migrate deploy to update it.',
    });
  }
  return value;
}

export async function runReleasePhase(c: ReleaseContext): Promise<ReleaseOutcome> {
  const {deps, plan} = c;
  const taskDefinitionArn = needOutput(c.release, 'TaskDefinitionArn');
  if (c.releasedBefore === taskDefinitionArn) {
    const skipped = `${taskDefinitionArn} already ran to exit code 0 in a previous deploy`;
    deps.ui.note(`Release phase skipped: ${skipped}`);
    return {ran: false, skipped, taskDefinitionArn};
  }
  const cluster = needOutput(c.shared, 'ClusterName');
  const subnets = needOutput(c.shared, 'PrivateSubnetIds').split(',');
  const securityGroup = needOutput(c.shared, 'TaskSecurityGroupId');
  const container = c.release.outputs.ContainerName || RELEASE_CONTAINER;
  const timeoutSeconds = Number(c.release.outputs.TimeoutSeconds) || plan.releaseTask?.timeoutSeconds || 3600;
  const command = plan.releaseTask?.command ?? 'release';
  const runner = await deps.tasks(c.region);
  const journalId = `release-${c.token}`;
  const journal = (phase: 'intent' | 'result', details: Record<string, unknown>, ok?: boolean) =>
    deps.state.journal({id: journalId, op: 'release-task', phase, ...(ok === undefined ? {} : {ok}), details});

  await journal('intent', {taskDefinition: taskDefinitionArn, cluster, command});
  let taskArn: string;
  try {
    const spec = {cluster, taskDefinition: taskDefinitionArn, containerName: container, subnets, securityGroups: [securityGroup], startedBy: 'heroku2aws-release', clientToken: c.token};
    taskArn = (await runner.runTask(spec)).taskArn;
  } catch (err) {
    await journal('result', {error: (err as Error).message}, false);
    throw err;
  }
  const outcome = await deps.ui.track(`Release phase: ${command}`, (report) => {
    report(`started task ${taskArn}`, {taskArn});
    return runner.waitForTask(cluster, taskArn, container, {timeoutSeconds, onStatus: (s) => report(`task ${s}`, {taskArn, status: s})});
  });
  const logs = `aws logs tail ${logGroupName(plan.app.name)} --log-stream-name-prefix ${container} --region ${c.region}`;
  if (outcome.timedOut) {
    await runner.stopTask(cluster, taskArn, `heroku2aws: release phase timed out after ${timeoutSeconds} s`).catch(() => undefined);
    await journal('result', {taskArn, timedOut: true, lastStatus: outcome.lastStatus}, false);
    throw new MigrateError('aws', `The release phase ('${command}') did not finish within ${timeoutSeconds} s; its task was stopped. The services were not changed.`, {
      hint: `Read its output (${logs}), fix it and re-run migrate deploy.`,
    });
  }
  const ok = outcome.exitCode === 0;
  const why = [outcome.stoppedReason, outcome.containerReason].filter(Boolean).join('; ');
  await journal('result', {taskArn, exitCode: outcome.exitCode, ...(why ? {stoppedReason: why} : {})}, ok);
  if (!ok) {
    const how = outcome.exitCode === null ? `its container never returned an exit code${why ? ` (${why})` : ''}` : `'${command}' exited with code ${outcome.exitCode}${why ? ` (${why})` : ''}`;
    throw new MigrateError('aws', `The release phase failed: ${how}. The services were not changed.`, {
      hint: `Read its output (${logs}), fix the cause and re-run migrate deploy: the release phase runs again before any service changes.`,
    });
  }
  return {ran: true, taskDefinitionArn, taskArn, exitCode: 0, ...(outcome.stoppedReason ? {stoppedReason: outcome.stoppedReason} : {})};
}
