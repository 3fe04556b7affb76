/** What `migrate deploy` needs from CloudFormation: stacks changed only through reviewed change sets. */
import type {ResourceChange, StackEvent} from '../domain/deploy.ts';

export interface StackView {
  stackId: string;
  stackName: string;
  status: string;
  statusReason?: string;
  /** the stack's current parameter values */
  parameters: Record<string, string>;
  outputs: Record<string, string>;
}

export interface ChangeSetSpec {
  stackName: string;
  changeSetName: string;
  type: 'CREATE' | 'UPDATE';
  templateBody: string;
  parameters: {key: string; value: string}[];
  /** tags for the stack (CloudFormation propagates them to the resources) */
  tags: Record<string, string>;
  description: string;
  /** makes a retried create idempotent */
  clientToken: string;
  /** the template names its IAM roles (CAPABILITY_NAMED_IAM) */
  namedIam?: boolean;
}

export interface ChangeSetView {
  /** null when CloudFormation refused to create one because nothing changed */
  id: string | null;
  stackId: string | null;
  /** CREATE_COMPLETE (ready to execute) or FAILED */
  status: string;
  statusReason?: string;
  /** CloudFormation found nothing to change (the change set, if any, is FAILED and useless) */
  noChanges: boolean;
  changes: ResourceChange[];
}

export interface StackWaitResult {
  stack: StackView;
  /** true when the stack reached CREATE_COMPLETE / UPDATE_COMPLETE */
  ok: boolean;
  /** false when the waiter gave up while the operation was still running */
  settled: boolean;
  /** every event of this operation, oldest first */
  events: StackEvent[];
}

export interface StackDeployer {
  /** null when there is no such (undeleted) stack */
  describeStack(stackName: string): Promise<StackView | null>;
  /** newest event id of the stack (null without events): later events belong to the next operation */
  latestEventId(stackName: string): Promise<string | null>;
  /** creates a change set and waits until CloudFormation has computed it (or found nothing to change) */
  createChangeSet(spec: ChangeSetSpec): Promise<ChangeSetView>;
  deleteChangeSet(stackName: string, changeSetId: string): Promise<void>;
  executeChangeSet(stackName: string, changeSetId: string, clientToken: string): Promise<void>;
  /** waits for the running create/update (SDK waiters) while reporting each new stack event */
  waitForStack(stackName: string, operation: 'create' | 'update', options: {afterEventId: string | null; onEvent?: (event: StackEvent) => void}): Promise<StackWaitResult>;
}
