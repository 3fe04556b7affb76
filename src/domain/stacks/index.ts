/**
 * CloudFormation for the AWS side of a plan: `buildStacks` makes the objects, `stackFiles` the
 * files written to plans/<app>/stacks/ (each stack: a complete template plus a parameters file
 * in the aws CLI format, deployable with `aws cloudformation create-stack` or `migrate deploy`).
 * Pure: the building blocks (templates/cloudformation/*.json) are read by an adapter and passed
 * in through parseStackBlocks.
 */
import type {Plan} from '../plan.ts';
import type {StackBlocks} from './blocks.ts';
import {buildStacks, deployOrder} from './build.ts';
import {serializeParameters, serializeStack} from './serialize.ts';
import type {BuildStacksOptions, StackDoc, StackSet} from './types.ts';

export {parseStackBlocks, STACK_BLOCK_NAMES, type StackBlock, type StackBlockName, type StackBlocks} from './blocks.ts';
export {buildStacks, deployOrder, deploymentPercents, initialDesiredCount, launchCommand, RELEASE_CONTAINER, servicePart, TEMPLATE_BODY_LIMIT} from './build.ts';
export {
  parametersFor,
  PLACEHOLDER_PREFIX,
  placeholderFor,
  serializeParameters,
  serializeStack,
  templateProblems,
  unfilledParameters,
  withParameterValues,
} from './serialize.ts';
export type {BuildStacksOptions, CfnTemplate, ContainerHealthCheck, Json, JsonObject, StackDoc, StackKind, StackParameter, StackSet} from './types.ts';

/** Every stack of the set (network included), in deploy order. */
export const allStacks = (set: StackSet): StackDoc[] => deployOrder(set, true);

/** Relative paths (under the plan directory) -> file contents: stacks/<part>.json and stacks/<part>.parameters.json. */
export function stackFiles(plan: Plan, blocks: StackBlocks, options: BuildStacksOptions = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (const stack of allStacks(buildStacks(plan, blocks, options))) {
    files[`stacks/${stack.part}.json`] = serializeStack(stack.template);
    files[`stacks/${stack.part}.parameters.json`] = serializeParameters(stack.parameters);
  }
  return files;
}
