/**
 * Byte-stable JSON for templates and parameter files, parameter files themselves, and a
 * self-check of a composed template's references (so an edited building block fails at
 * `migrate plan`, not halfway through a deploy).
 */
import {MigrateError} from '../errors.ts';
import type {CfnTemplate, Json, JsonObject, StackParameter} from './types.ts';

/**
 * Keys that read best first, in this order (template sections; resource attributes before
 * Properties; `Type` first in actions and policies); every other key is sorted. Array order is
 * kept: it is meaningful (and the generator builds arrays in a fixed order).
 */
const KEY_ORDER = [
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Conditions',
  'Resources',
  'Outputs',
  'Type',
  'Condition',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Properties',
  'Sid',
  'Id',
  'Name',
];
const rank = (key: string) => {
  const i = KEY_ORDER.indexOf(key);
  return i === -1 ? KEY_ORDER.length : i;
};
const compareKeys = (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);

function ordered(value: Json): Json {
  if (Array.isArray(value)) return value.map(ordered);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort(compareKeys)) out[key] = ordered(value[key] as Json);
    return out;
  }
  return value;
}

/** 2-space JSON with a stable key order and a final newline: same template, same bytes. */
export function serializeStack(template: CfnTemplate | JsonObject): string {
  return JSON.stringify(ordered(template as unknown as Json), null, 2) + '\n';
}

export const PLACEHOLDER_PREFIX = 'REPLACE_ME_';

/** VpcId -> REPLACE_ME_VPC_ID, PrivateSubnetIds -> REPLACE_ME_PRIVATE_SUBNET_IDS */
export const placeholderFor = (parameter: string) => PLACEHOLDER_PREFIX + parameter.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * Every parameter of the template, sorted by key: the template's default where it has one
 * (the plan's values are the defaults), otherwise a REPLACE_ME_ placeholder: values the plan
 * cannot know (image URI, certificate, VPC and subnets, the secret's full ARN).
 */
export function parametersFor(template: CfnTemplate): StackParameter[] {
  return Object.keys(template.Parameters)
    .sort()
    .map((key) => {
      const def = (template.Parameters[key] as JsonObject).Default;
      const value = def === undefined ? placeholderFor(key) : Array.isArray(def) ? def.join(',') : String(def);
      return {ParameterKey: key, ParameterValue: value};
    });
}

/** The parameter keys still holding a REPLACE_ME_ placeholder (deploy refuses to start with any). */
export const unfilledParameters = (parameters: StackParameter[]) =>
  parameters.filter((p) => p.ParameterValue.startsWith(PLACEHOLDER_PREFIX)).map((p) => p.ParameterKey);

/** Sets values in a parameter file (unknown keys are an error: a typo must not pass silently). */
export function withParameterValues(parameters: StackParameter[], values: Record<string, string>): StackParameter[] {
  const known = new Set(parameters.map((p) => p.ParameterKey));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new MigrateError('input', `Unknown stack parameter(s): ${unknown.join(', ')}.`, {hint: `Known: ${[...known].join(', ')}.`});
  return parameters.map((p) => (Object.hasOwn(values, p.ParameterKey) ? {...p, ParameterValue: values[p.ParameterKey] as string} : p));
}

export const serializeParameters = (parameters: StackParameter[]) => JSON.stringify(parameters, null, 2) + '\n';

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

/**
 * Every Ref, Fn::GetAtt, Fn::Sub variable, Condition and Fn::If condition names something the
 * template defines; no `{{placeholder}}` is left. Returns the problems (empty when sound).
 */
export function templateProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  const params = new Set(Object.keys(template.Parameters));
  const resources = new Set(Object.keys(template.Resources));
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const known = (name: string) => params.has(name) || resources.has(name) || PSEUDO.has(name);
  const walk = (node: Json, where: string): void => {
    if (typeof node === 'string') {
      if (/\{\{[^}]*\}\}/.test(node)) problems.push(`${where}: unfilled placeholder in '${node}'`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${where}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}.${key}`;
      if (key === 'Ref' && typeof value === 'string' && !known(value)) problems.push(`${at}: Ref to undefined '${value}'`);
      if (key === 'Fn::GetAtt' && Array.isArray(value) && typeof value[0] === 'string' && !resources.has(value[0])) problems.push(`${at}: GetAtt of undefined resource '${value[0]}'`);
      if (key === 'Condition' && typeof value === 'string' && !conditions.has(value)) problems.push(`${at}: undefined condition '${value}'`);
      if (key === 'Fn::If' && Array.isArray(value) && typeof value[0] === 'string' && !conditions.has(value[0])) problems.push(`${at}: undefined condition '${value[0]}'`);
      if (key === 'Fn::Sub') {
        const [text, map] = Array.isArray(value) ? [value[0], value[1]] : [value, undefined];
        const local = new Set(map && typeof map === 'object' && !Array.isArray(map) ? Object.keys(map) : []);
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (m[1] as string).split('.')[0] as string;
            if (!local.has(name) && !known(name)) problems.push(`${at}: Fn::Sub variable '\${${m[1]}}' is undefined`);
          }
        }
        if (map !== undefined) walk(map, at);
        continue;
      }
      walk(value, at);
    }
  };
  walk(template as unknown as Json, '$');
  return problems;
}
