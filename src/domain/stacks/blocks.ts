/**
 * CloudFormation building blocks (templates/cloudformation/*.json) as data, and the two
 * operations the generator needs on them: filling `{{placeholders}}` and composing fragments
 * into one template. No I/O: an adapter reads the files and calls parseStackBlocks.
 *
 * Block format: a JSON object with optional template sections (Parameters, Conditions,
 * Resources, Outputs), optional `slots` (named values other blocks use through placeholders)
 * and `$comment` keys anywhere (documentation; dropped from the output).
 *
 * Placeholders: a string that is exactly `{{name}}` becomes the value of `name`, of any JSON
 * type; when that value is `undefined`, the key (or array element) is dropped, which is how
 * optional properties are expressed. `{{name}}` inside a longer string is replaced by the text
 * of a string or number value. An unknown name is an error: nothing half-filled gets out.
 */
import {MigrateError} from '../errors.ts';
import {TEMPLATE_SECTIONS, type Json, type JsonObject, type TemplateSection} from './types.ts';

/** The block files, by name (file = templates/cloudformation/<name>.json). */
export const STACK_BLOCK_NAMES = [
  'network',
  'shared',
  'shared-alb',
  'shared-scheduler',
  'shared-data-runner',
  'task',
  'container',
  'service',
  'service-web',
  'autoscaling',
  'autoscaling-web',
  'release',
] as const;
export type StackBlockName = (typeof STACK_BLOCK_NAMES)[number];

export interface StackBlock {
  name: StackBlockName;
  sections: Partial<Record<TemplateSection, JsonObject>>;
  slots: JsonObject;
}

export type StackBlocks = Record<StackBlockName, StackBlock>;

/** Values for placeholders; `undefined` drops the key or element that holds the placeholder. */
export type Vars = Record<string, Json | undefined>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const BLOCK_KEYS = new Set<string>([...TEMPLATE_SECTIONS, 'slots', '$comment']);

function schemaError(block: string, message: string): MigrateError {
  return new MigrateError('schema', `CloudFormation building block '${block}' is invalid: ${message}.`, {
    hint: `Fix templates/cloudformation/${block}.json (or reinstall heroku2aws if you did not edit it).`,
  });
}

/** Validates the raw JSON of every block file (keyed by block name). */
export function parseStackBlocks(raw: Record<string, unknown>): StackBlocks {
  const out: Partial<StackBlocks> = {};
  for (const name of STACK_BLOCK_NAMES) {
    const value = raw[name];
    if (value === undefined) throw schemaError(name, 'the file is missing');
    if (!isObject(value)) throw schemaError(name, 'expected a JSON object');
    const unknown = Object.keys(value).filter((k) => !BLOCK_KEYS.has(k));
    if (unknown.length > 0) throw schemaError(name, `unknown top-level key(s) ${unknown.join(', ')} (allowed: ${[...BLOCK_KEYS].join(', ')})`);
    const sections: StackBlock['sections'] = {};
    for (const section of TEMPLATE_SECTIONS) {
      const s = value[section];
      if (s === undefined) continue;
      if (!isObject(s)) throw schemaError(name, `${section} must be an object`);
      for (const [id, entry] of Object.entries(s)) {
        if (!/^[A-Za-z0-9]+$/.test(id)) throw schemaError(name, `${section}.${id}: logical ids are letters and digits only`);
        if (!isObject(entry)) throw schemaError(name, `${section}.${id} must be an object`);
        if (section === 'Resources' && typeof entry.Type !== 'string') throw schemaError(name, `Resources.${id} has no Type`);
      }
      sections[section] = s;
    }
    const slots = value.slots ?? {};
    if (!isObject(slots)) throw schemaError(name, 'slots must be an object');
    out[name] = {name, sections, slots};
  }
  return out as StackBlocks;
}

const WHOLE = /^\{\{([A-Za-z][A-Za-z0-9]*)\}\}$/;
const INLINE = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

function lookup(vars: Vars, name: string, where: string): Json | undefined {
  if (!Object.hasOwn(vars, name)) {
    throw new MigrateError('internal', `Unknown placeholder {{${name}}} at ${where} in the CloudFormation building blocks.`, {
      hint: 'A placeholder the generator does not fill: check the spelling in templates/cloudformation/.',
    });
  }
  return vars[name];
}

/** Fills placeholders in a value (deep copy); `$comment` keys are dropped. */
export function fill(node: Json, vars: Vars, where = '$'): Json | undefined {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) {
      const value = lookup(vars, whole[1] as string, where);
      return value === undefined ? undefined : structuredClone(value);
    }
    return node.replace(INLINE, (_m, name: string) => {
      const value = lookup(vars, name, where);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new MigrateError('internal', `Placeholder {{${name}}} at ${where} sits inside text but its value is not a string or number.`);
      }
      return String(value);
    });
  }
  if (Array.isArray(node)) {
    return node.map((item, i) => fill(item, vars, `${where}[${i}]`)).filter((item): item is Json => item !== undefined);
  }
  if (isObject(node)) {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$comment') continue;
      const filled = fill(value, vars, `${where}.${key}`);
      if (filled !== undefined) out[key] = filled;
    }
    return out;
  }
  return node;
}

/** A slot of a block, filled. */
export function slot(block: StackBlock, name: string, vars: Vars): Json {
  const value = block.slots[name];
  if (value === undefined) throw schemaError(block.name, `the slot '${name}' is missing`);
  const filled = fill(value, vars, `${block.name}.slots.${name}`);
  if (filled === undefined) throw schemaError(block.name, `the slot '${name}' is empty after filling`);
  return filled;
}

export type Sections = Record<TemplateSection, JsonObject>;

/** The union of the blocks' sections, filled; a logical id defined twice is an error. */
export function compose(blocks: StackBlock[], vars: Vars): Sections {
  const out: Sections = {Parameters: {}, Conditions: {}, Resources: {}, Outputs: {}};
  for (const block of blocks) {
    for (const section of TEMPLATE_SECTIONS) {
      for (const [id, entry] of Object.entries(block.sections[section] ?? {})) {
        if (Object.hasOwn(out[section], id)) throw schemaError(block.name, `${section}.${id} is also defined by another block of the same stack`);
        const filled = fill(entry, vars, `${block.name}.${section}.${id}`);
        if (filled !== undefined) out[section][id] = filled;
      }
    }
  }
  return out;
}
