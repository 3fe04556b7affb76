/** What the release phase and the data copy runner need from ECS: one task run to its end, with its exit code. */
import type {TaskDefinitionSpec} from '../domain/data-runner.ts';

export interface RunTaskSpec {
  cluster: string;
  taskDefinition: string;
  /** the container whose exit code decides */
  containerName: string;
  subnets: string[];
  securityGroups: string[];
  /** shown in the ECS console (at most 36 characters) */
  startedBy: string;
  /** makes a retried RunTask idempotent */
  clientToken: string;
  /** environment values added to the container (a RunTask container override) */
  environment?: Record<string, string>;
}

export interface TaskOutcome {
  taskArn: string;
  lastStatus: string;
  /** the container's exit code; null when it never ran (image pull, secrets, capacity) or was still running */
  exitCode: number | null;
  stoppedReason?: string;
  stopCode?: string;
  /** the container's own reason (e.g. CannotPullContainerError ...) */
  containerReason?: string;
  /** the wait ended before the task stopped */
  timedOut: boolean;
}

export interface TaskRunner {
  runTask(spec: RunTaskSpec): Promise<{taskArn: string}>;
  /** waits (SDK waiter) until the task stopped or timeoutSeconds passed; reports status changes */
  waitForTask(cluster: string, taskArn: string, containerName: string, options: {timeoutSeconds: number; onStatus?: (status: string) => void}): Promise<TaskOutcome>;
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
}

export interface ServiceRedeployer {
  /**
   * Starts a new deployment of each existing service (ECS tasks read secrets only at start).
   * Services that do not exist are reported, not created.
   */
  forceNewDeployment(cluster: string, services: string[]): Promise<{deployed: string[]; missing: string[]}>;
}

export interface TaskDefinitionRegistry {
  /**
   * The family's newest ACTIVE revision when it carries the same content digest tag, else a new
   * revision (registered = true): idempotent by content.
   */
  ensureTaskDefinition(spec: TaskDefinitionSpec): Promise<{arn: string; registered: boolean}>;
}
