/** Types of the generated CloudFormation: templates, parameter files and the stack set. */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** The template sections a building block may contribute (plus `slots`: named values for other blocks). */
export const TEMPLATE_SECTIONS = ['Parameters', 'Conditions', 'Resources', 'Outputs'] as const;
export type TemplateSection = (typeof TEMPLATE_SECTIONS)[number];

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: JsonObject;
  Parameters: JsonObject;
  Conditions?: JsonObject;
  Resources: JsonObject;
  Outputs: JsonObject;
}

/** One entry of a parameters file in the aws CLI's format (`--parameters file://...`). */
export interface StackParameter {
  ParameterKey: string;
  ParameterValue: string;
}

export type StackKind = 'network' | 'shared' | 'release' | 'service';

export interface StackDoc {
  kind: StackKind;
  /** file stem under stacks/: network, shared, release, service-<processType> */
  part: string;
  /** CloudFormation stack name, from naming.ts stackName(app, part) */
  stackName: string;
  /** set for service stacks */
  processType?: string;
  template: CfnTemplate;
  /** every template parameter, with the plan's value, the template default or a REPLACE_ME_ placeholder */
  parameters: StackParameter[];
}

export interface StackSet {
  app: string;
  /** optional: only for teams without a VPC; its outputs are the shared stack's network parameters */
  network: StackDoc;
  shared: StackDoc;
  /** null when the app has no release phase */
  release: StackDoc | null;
  /** one per plan service, in plan order (web first) */
  services: StackDoc[];
  /** for the reader of the plan, e.g. templates too large to pass inline to CloudFormation */
  warnings: string[];
}

/** Optional container health checks, by process type (the plan has no field for them yet). */
export interface ContainerHealthCheck {
  /** run with CMD-SHELL inside the container, e.g. `curl -fsS http://localhost:$PORT/health || exit 1` */
  command: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
}

export interface BuildStacksOptions {
  containerHealthChecks?: Record<string, ContainerHealthCheck>;
  /**
   * Keys the secret holds beyond plan.secret.keys, e.g. add-on remaps (DATABASE_URL, REDIS_URL)
   * that `migrate secrets import` adds once the state knows them. Only keys the secret really
   * holds: ECS refuses to start a task whose `secrets` entry names a missing JSON key.
   */
  extraSecretKeys?: string[];
}
