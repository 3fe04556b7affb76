/** What `migrate addons provision` needs from AWS: EC2 (network), RDS, MemoryDB, EventBridge Scheduler. */
import type {MemoryDbSpec, RdsSpec, ScheduleSpec} from '../domain/addon-provision.ts';

export interface Ec2Network {
  /** the VPC of the subnets (all must be in one VPC) */
  vpcOf(subnetIds: string[]): Promise<string>;
  /** finds the group by name in the VPC or creates it; ensures ingress on port from the source group */
  ensureIngressGroup(spec: {name: string; vpcId: string; description: string; port: number; fromGroupId: string; tags: Record<string, string>}): Promise<{groupId: string; created: boolean}>;
}

export interface DbInstanceView {
  id: string;
  arn: string;
  status: string;
  instanceClass: string;
  multiAz: boolean;
  encrypted: boolean;
  publiclyAccessible: boolean;
  deletionProtection: boolean;
  engineVersion: string;
  endpoint?: {address: string; port: number};
  /** the RDS-managed master user secret (ManageMasterUserPassword) */
  masterSecretArn?: string;
  masterUser: string;
  dbName?: string;
  tags: Record<string, string>;
  /** AllocatedStorage and the autoscaling ceiling MaxAllocatedStorage (= allocated when autoscaling is off), GiB */
  storageGb?: number;
  maxStorageGb?: number;
}

export interface RdsAdmin {
  ensureSubnetGroup(name: string, subnetIds: string[], tags: Record<string, string>): Promise<{created: boolean}>;
  describe(id: string): Promise<DbInstanceView | null>;
  create(spec: RdsSpec, securityGroupId: string): Promise<DbInstanceView>;
  /** SDK waiter until `available` (or the timeout) */
  waitAvailable(id: string, timeoutSeconds: number): Promise<DbInstanceView>;
}

export interface MemoryDbView {
  name: string;
  arn: string;
  status: string;
  nodeType: string;
  tls: boolean;
  acl: string;
  engineVersion: string;
  endpoint?: {address: string; port: number};
}

export interface MemoryDbAdmin {
  /** the cluster's tags (ListTags) */
  tags(arn: string): Promise<Record<string, string>>;
  ensureSubnetGroup(name: string, subnetIds: string[], tags: Record<string, string>): Promise<{created: boolean}>;
  describe(name: string): Promise<MemoryDbView | null>;
  create(spec: MemoryDbSpec, securityGroupId: string): Promise<MemoryDbView>;
  /** polls until `available` (MemoryDB has no SDK waiter), reporting status changes */
  waitAvailable(name: string, timeoutSeconds: number, onStatus?: (status: string) => void): Promise<MemoryDbView>;
}

export interface ScheduleTarget {
  clusterArn: string;
  taskDefinitionArn: string;
  roleArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface ScheduleView {
  name: string;
  arn: string;
  state: string;
  expression: string;
}

export interface SchedulerAdmin {
  ensureGroup(name: string, tags: Record<string, string>): Promise<{created: boolean}>;
  /** the live schedule, and whether it already is what putSchedule would write (null: none) */
  readSchedule(spec: ScheduleSpec, target: ScheduleTarget): Promise<{view: ScheduleView; same: boolean} | null>;
  /** creates the schedule (DISABLED) or updates it in place, keeping its current state */
  putSchedule(spec: ScheduleSpec, target: ScheduleTarget): Promise<{view: ScheduleView; created: boolean}>;
  list(group: string): Promise<ScheduleView[]>;
}
