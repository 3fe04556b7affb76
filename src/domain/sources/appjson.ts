/**
 * Parses an app.json (Heroku's app manifest) into a normalized, typed view.
 *
 * - Syntax: strict JSON (no comments, no trailing commas). Errors name `file:line:column`
 *   (1-based; the column counts UTF-16 code units, a tab is one column) and what was expected.
 *   They never quote the file's text: a broken line may hold a secret.
 * - Duplicate keys (common in hand-edited files) are warnings naming the key and its line; the
 *   last one wins, as with JSON.parse.
 * - Known fields with the wrong type are errors naming the JSON path and its position. A known
 *   optional field set to `null` counts as absent. Unknown top-level keys are ignored.
 * - `env` values are never kept: they may be defaults or secrets. The manifest records names,
 *   whether a default exists, `required` and `generator` only.
 */
import {visit} from 'jsonc-parser';
import {MigrateError} from '../errors.ts';
import {PROCESS_TYPE_RE} from './procfile.ts';

export interface AppJsonEnvVar {
  name: string;
  /** app.json's `required` (default true) */
  required: boolean;
  /** true when app.json gives a default value (the value itself is not kept) */
  hasValue: boolean;
  generator?: 'secret';
}

export interface AppJsonAddon {
  /** e.g. heroku-postgresql */
  service: string;
  /** plan without the service prefix, e.g. standard-0; absent when app.json names none */
  plan?: string;
  /** attachment name, e.g. DATABASE (gives DATABASE_URL) */
  as?: string;
  /** provisioning options (scalar values only), e.g. {version: "16"} */
  options?: Record<string, string | number | boolean>;
}

export interface AppJsonFormation {
  type: string;
  /** absent when app.json gives none (the caller picks the default) */
  quantity?: number;
  /** lower-cased; legacy names (1X, 2X, PX) mapped to today's; absent when app.json gives none */
  size?: string;
}

export interface AppJsonScript {
  command: string;
  size?: string;
}

export interface AppManifest {
  name?: string;
  /** in file order */
  env: AppJsonEnvVar[];
  /** in file order */
  addons: AppJsonAddon[];
  /** in file order (first occurrence of each type) */
  formation: AppJsonFormation[];
  /** buildpack URLs or registry names, in order (order matters) */
  buildpacks: string[];
  stack?: string;
  scripts: {postdeploy?: AppJsonScript; 'pr-predestroy'?: AppJsonScript};
}

export interface AppJsonResult {
  manifest: AppManifest;
  warnings: string[];
}

type JsonPath = (string | number)[];

const SPEC_HINT = 'See https://devcenter.heroku.com/articles/app-json-schema for the app.json format.';

// ---------------------------------------------------------------------------------------------
// Positions

/** 1-based line and column of a UTF-16 offset; \n, \r\n and \r each end a line (as jsonc-parser counts). */
export function lineColumn(text: string, offset: number): {line: number; column: number} {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return {line, column: offset - lineStart + 1};
}

/** `formation.web.quantity`, `addons[2].plan`, `env["MY VAR"]`; the top level is `the top level`. */
export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return 'the top level';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const pathKey = (path: JsonPath) => JSON.stringify(path);

// ---------------------------------------------------------------------------------------------
// Syntax

interface Container {
  kind: 'object' | 'array';
  offset: number;
  path: JsonPath;
  keys: Map<string, number>;
}

interface Scan {
  /** offset of each value by path; a duplicated key's later value overwrites the earlier one */
  locations: Map<string, number>;
  warnings: string[];
}

/** jsonc-parser's ParseErrorCode (a const enum, which isolatedModules cannot import). */
const E = {
  InvalidSymbol: 1,
  InvalidNumberFormat: 2,
  PropertyNameExpected: 3,
  ValueExpected: 4,
  ColonExpected: 5,
  CommaExpected: 6,
  CloseBraceExpected: 7,
  CloseBracketExpected: 8,
  EndOfFileExpected: 9,
  InvalidCommentToken: 10,
  UnexpectedEndOfComment: 11,
  UnexpectedEndOfString: 12,
  UnexpectedEndOfNumber: 13,
  InvalidUnicode: 14,
  InvalidEscapeCharacter: 15,
  InvalidCharacter: 16,
} as const;

const VALUE_KINDS = 'a string in double quotes, a number, true, false, null, an object or an array';

function scan(text: string, file: string): Scan {
  const locations = new Map<string, number>();
  const warnings: string[] = [];
  const stack: Container[] = [];
  let first: {code: number; offset: number; open: Container | undefined} | undefined;
  // jsonc-parser reports a missing '}' or ']' after it has ended the container: keep the last one.
  let closed: Container | undefined;
  const at = (offset: number) => lineColumn(text, offset);

  visit(
    text,
    {
      onObjectBegin: (offset, _l, _sl, _sc, pathSupplier) => {
        const path = pathSupplier();
        locations.set(pathKey(path), offset);
        stack.push({kind: 'object', offset, path, keys: new Map()});
      },
      onObjectEnd: () => {
        closed = stack.pop();
      },
      onArrayBegin: (offset, _l, _sl, _sc, pathSupplier) => {
        const path = pathSupplier();
        locations.set(pathKey(path), offset);
        stack.push({kind: 'array', offset, path, keys: new Map()});
      },
      onArrayEnd: () => {
        closed = stack.pop();
      },
      onLiteralValue: (_value, offset, _l, _sl, _sc, pathSupplier) => {
        locations.set(pathKey(pathSupplier()), offset);
      },
      onObjectProperty: (property, offset) => {
        const top = stack.at(-1);
        if (!top) return;
        const previous = top.keys.get(property);
        if (previous !== undefined) {
          const where = top.path.length === 0 ? 'at the top level' : `in ${formatJsonPath(top.path)}`;
          warnings.push(`${file}:${at(offset).line}: duplicate key ${JSON.stringify(property)} ${where} (first at line ${at(previous).line}); the last one wins.`);
        }
        top.keys.set(property, offset);
      },
      onError: (code, offset) => {
        first ??= {code, offset, open: code === E.CloseBraceExpected || code === E.CloseBracketExpected ? closed : stack.at(-1)};
      },
    },
    {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false},
  );

  if (first) throw syntaxError(text, file, first.code, first.offset, first.open);
  return {locations, warnings};
}

function syntaxError(text: string, file: string, code: number, offset: number, open: Container | undefined): MigrateError {
  const pos = (o: number) => {
    const {line, column} = lineColumn(text, o);
    return `${line}:${column}`;
  };
  const hint = 'Fix the JSON at that position (an editor with JSON support shows it too), then run the command again.';
  const fail = (o: number, message: string) => new MigrateError('input', `${file}:${pos(o)}: invalid JSON: ${message}`, {hint});
  const openedAt = (c: Container) => `the ${c.kind} opened at ${pos(c.offset)}`;
  const closer = (c: Container) => (c.kind === 'object' ? "'}'" : "']'");

  // What the parser wanted at `offset`, in words.
  const prev = previousSignificant(text, offset);
  const inKeyPosition = open?.kind === 'object' && (prev?.char === '{' || prev?.char === ',');
  const expected = (): string => {
    switch (code) {
      case E.PropertyNameExpected:
        return 'expected a property name in double quotes';
      case E.ValueExpected:
        return `expected a value (${VALUE_KINDS})`;
      case E.ColonExpected:
        return "expected ':' after the property name";
      case E.CommaExpected:
        return open ? `expected ',' or ${closer(open)}` : "expected ','";
      case E.CloseBraceExpected:
        return open ? `expected '}' to close ${openedAt(open)}` : "expected '}'";
      case E.CloseBracketExpected:
        return open ? `expected ']' to close ${openedAt(open)}` : "expected ']'";
      default:
        return inKeyPosition ? 'expected a property name in double quotes' : open ? `expected a value (${VALUE_KINDS})` : 'expected the end of the file';
    }
  };

  // Truncated file: nothing but whitespace from the error on.
  if (text.slice(offset).trim() === '' && code !== E.UnexpectedEndOfString && code !== E.UnexpectedEndOfComment) {
    if (text.trim() === '') return fail(offset, `the file is empty; expected an object ({...}).`);
    const unclosed = open && code !== E.CloseBraceExpected && code !== E.CloseBracketExpected ? `; ${openedAt(open)} is not closed` : '';
    return fail(offset, `unexpected end of file: ${expected()}${unclosed} (is the file truncated?).`);
  }

  // A stray comma before a closing bracket: point at the comma, which is what to delete.
  const here = text[offset];
  if ((code === E.PropertyNameExpected || code === E.ValueExpected) && prev?.char === ',' && (here === '}' || here === ']')) {
    return fail(prev.offset, `unexpected ',' before '${here}': JSON allows no trailing comma; delete it.`);
  }

  switch (code) {
    case E.CommaExpected: {
      const prevLine = prev ? lineColumn(text, prev.offset).line : undefined;
      const missing = prevLine !== undefined && prevLine < lineColumn(text, offset).line ? ` (is a ',' missing at the end of line ${prevLine}?)` : '';
      return fail(offset, `${expected()}${missing}.`);
    }
    case E.InvalidSymbol: {
      if (!open && prev) return fail(offset, 'unexpected content after the end of the JSON document.');
      if (here === "'") return fail(offset, 'single quotes are not JSON; use double quotes.');
      if (inKeyPosition) return fail(offset, 'expected a property name in double quotes.');
      return fail(offset, `unexpected token: expected a value (${VALUE_KINDS}).`);
    }
    case E.EndOfFileExpected:
      return fail(offset, 'unexpected content after the end of the JSON document.');
    case E.InvalidNumberFormat:
    case E.UnexpectedEndOfNumber:
      return fail(offset, 'invalid number (JSON numbers look like 12, -3, 0.5 or 1e3).');
    case E.InvalidCommentToken:
    case E.UnexpectedEndOfComment:
      return fail(offset, 'comments are not allowed in JSON.');
    case E.UnexpectedEndOfString:
      return fail(offset, "the string starting here is not closed (a '\"' is missing before the end of the line).");
    case E.InvalidUnicode:
      return fail(offset, 'invalid \\u escape in the string starting here (expected 4 hex digits).');
    case E.InvalidEscapeCharacter:
      return fail(offset, 'invalid escape in the string starting here (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX).');
    case E.InvalidCharacter:
      return fail(offset, 'control character in the string starting here (write tabs and line breaks as \\t and \\n).');
    default:
      return fail(offset, `${expected()}.`);
  }
}

function previousSignificant(text: string, offset: number): {char: string; offset: number} | undefined {
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    const char = text[i];
    if (char !== undefined && !/\s/.test(char)) return {char, offset: i};
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Shape

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

function describe(value: Json | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'nothing';
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly file: string;
  readonly text: string;
  readonly locations: Map<string, number>;
  readonly warnings: string[] = [];

  constructor(file: string, text: string, locations: Map<string, number>) {
    this.file = file;
    this.text = text;
    this.locations = locations;
  }

  where(path: JsonPath): string {
    for (let p = path; ; p = p.slice(0, -1)) {
      const offset = this.locations.get(pathKey(p));
      if (offset !== undefined) {
        const {line, column} = lineColumn(this.text, offset);
        return `${this.file}:${line}:${column}`;
      }
      if (p.length === 0) return this.file;
    }
  }

  fail(path: JsonPath, message: string, hint: string = SPEC_HINT): never {
    throw new MigrateError('input', `${this.where(path)}: ${formatJsonPath(path)} ${message}`, {hint});
  }

  wrongType(path: JsonPath, expected: string, value: Json | undefined, hint?: string): never {
    return this.fail(path, `must be ${expected}, found ${describe(value)}.`, hint);
  }

  warn(path: JsonPath, message: string): void {
    this.warnings.push(`${this.where(path)}: ${formatJsonPath(path)} ${message}`);
  }

  /** an optional field: absent or null -> undefined */
  field(obj: JsonObject, key: string): Json | undefined {
    if (!Object.hasOwn(obj, key)) return undefined;
    const value = obj[key];
    return value === null ? undefined : value;
  }

  optionalString(obj: JsonObject, key: string, path: JsonPath, opts: {nonEmpty?: boolean} = {}): string | undefined {
    const value = this.field(obj, key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.wrongType([...path, key], 'a string', value);
    if (opts.nonEmpty && value.trim() === '') return this.fail([...path, key], 'must not be empty.');
    return value;
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

export function parseAppJson(text: string, file: string): AppJsonResult {
  const source = text.replace(/^\uFEFF/, '');
  const {locations, warnings: duplicateWarnings} = scan(source, file);
  // The scan accepted the text as strict JSON; JSON.parse gives the exact semantics (last key wins).
  let root: Json;
  try {
    root = JSON.parse(source) as Json;
  } catch {
    // Not expected after a clean scan. The engine's message quotes the text, so it is not passed on.
    throw new MigrateError('input', `${file}: invalid JSON.`, {hint: 'Check the file with a JSON linter.'});
  }
  const r: Reader = new Reader(file, source, locations);
  if (!isObject(root)) r.wrongType([], 'an object ({...})', root, SPEC_HINT);

  const manifest: AppManifest = {
    env: readEnv(r, root),
    addons: readAddons(r, root),
    formation: readFormation(r, root),
    buildpacks: readBuildpacks(r, root),
    scripts: readScripts(r, root),
  };
  const name = r.optionalString(root, 'name', []);
  if (name !== undefined && name.trim() !== '') manifest.name = name.trim();
  const stack = r.optionalString(root, 'stack', [], {nonEmpty: true});
  if (stack !== undefined) manifest.stack = stack.trim();
  checkEnvironments(r, root);

  return {manifest, warnings: [...duplicateWarnings, ...r.warnings]};
}

// ---------------------------------------------------------------------------------------------
// Sections

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function readEnv(r: Reader, root: JsonObject): AppJsonEnvVar[] {
  const env = r.field(root, 'env');
  if (env === undefined) return [];
  if (!isObject(env)) return r.wrongType(['env'], 'an object mapping variable names to a default value or {description, value, required, generator}', env);
  const out: AppJsonEnvVar[] = [];
  for (const [name, entry] of Object.entries(env)) {
    const path: JsonPath = ['env', name];
    if (name.trim() === '') r.fail(path, 'is an empty variable name.');
    if (!ENV_NAME_RE.test(name)) r.warn(path, 'is not a portable environment variable name (letters, digits and "_", not starting with a digit).');
    if (typeof entry === 'string') {
      out.push({name, required: true, hasValue: true});
    } else if (typeof entry === 'number' || typeof entry === 'boolean') {
      r.warn(path, `is ${describe(entry)}; Heroku expects a string value.`);
      out.push({name, required: true, hasValue: true});
    } else if (isObject(entry)) {
      out.push(readEnvObject(r, name, entry, path));
    } else {
      r.wrongType(path, 'a string (the default value) or an object {description, value, required, generator}', entry);
    }
  }
  return out;
}

function readEnvObject(r: Reader, name: string, entry: JsonObject, path: JsonPath): AppJsonEnvVar {
  r.optionalString(entry, 'description', path);
  const value = r.field(entry, 'value');
  if (typeof value === 'number' || typeof value === 'boolean') r.warn([...path, 'value'], `is ${describe(value)}; Heroku expects a string.`);
  else if (value !== undefined && typeof value !== 'string') r.wrongType([...path, 'value'], 'a string', value);
  const required = r.field(entry, 'required');
  if (required !== undefined && typeof required !== 'boolean') r.wrongType([...path, 'required'], 'true or false', required);
  const generator = r.field(entry, 'generator');
  if (generator !== undefined && generator !== 'secret') {
    if (typeof generator !== 'string') r.wrongType([...path, 'generator'], '"secret"', generator);
    r.fail([...path, 'generator'], 'must be "secret" (the only generator app.json supports).');
  }
  const out: AppJsonEnvVar = {name, required: required ?? true, hasValue: value !== undefined};
  if (generator === 'secret') out.generator = 'secret';
  return out;
}

const PLAN_PART_RE = /^[a-z0-9][a-z0-9_.-]*$/i;

function parsePlanRef(r: Reader, ref: string, path: JsonPath): {service: string; plan?: string} {
  const trimmed = ref.trim();
  const colon = trimmed.indexOf(':');
  const service = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const plan = colon < 0 ? undefined : trimmed.slice(colon + 1);
  if (!PLAN_PART_RE.test(service) || (plan !== undefined && !PLAN_PART_RE.test(plan))) {
    return r.fail(path, 'must be an add-on "service" or "service:plan", e.g. "heroku-redis:mini".');
  }
  return plan === undefined ? {service} : {service, plan};
}

const ATTACHMENT_RE = /^[A-Z][A-Z0-9_]*$/;

function readAddons(r: Reader, root: JsonObject): AppJsonAddon[] {
  const addons = r.field(root, 'addons');
  if (addons === undefined) return [];
  if (!Array.isArray(addons)) return r.wrongType(['addons'], 'an array of "service[:plan]" strings or {plan, as, options} objects', addons);
  const out: AppJsonAddon[] = [];
  const attachments = new Map<string, number>();
  addons.forEach((entry, i) => {
    const path: JsonPath = ['addons', i];
    if (typeof entry === 'string') {
      out.push(parsePlanRef(r, entry, path));
      return;
    }
    if (!isObject(entry)) return r.wrongType(path, 'a "service[:plan]" string or a {plan, as, options} object', entry);
    const planRef = r.field(entry, 'plan');
    if (planRef === undefined) return r.fail(path, 'has no "plan" (e.g. "plan": "heroku-postgresql:essential-0").');
    if (typeof planRef !== 'string') return r.wrongType([...path, 'plan'], 'a string', planRef);
    const addon: AppJsonAddon = parsePlanRef(r, planRef, [...path, 'plan']);
    const as = r.optionalString(entry, 'as', path, {nonEmpty: true})?.trim();
    if (as !== undefined) {
      if (!ATTACHMENT_RE.test(as)) r.warn([...path, 'as'], 'should be upper case letters, digits and "_", starting with a letter (Heroku derives AS_URL from it).');
      const previous = attachments.get(as);
      if (previous !== undefined) r.fail([...path, 'as'], `repeats the attachment name of addons[${previous}]; each "as" must be unique.`);
      attachments.set(as, i);
      addon.as = as;
    }
    const options = r.field(entry, 'options');
    if (options !== undefined) {
      if (!isObject(options)) return r.wrongType([...path, 'options'], 'an object', options);
      const kept: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(options)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
        else if (value !== null) r.warn([...path, 'options', key], `is ${describe(value)}; only string, number and boolean options are kept.`);
      }
      if (Object.keys(kept).length > 0) addon.options = kept;
    }
    out.push(addon);
  });
  return out;
}

const LEGACY_SIZES: Record<string, string> = {'1x': 'standard-1x', '2x': 'standard-2x', px: 'performance-l'};

function readFormationEntry(r: Reader, type: string, entry: Json, path: JsonPath): AppJsonFormation {
  if (!isObject(entry)) return r.wrongType(path, 'an object {quantity, size}', entry);
  const out: AppJsonFormation = {type};
  const quantity = r.field(entry, 'quantity');
  if (quantity !== undefined) {
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
      return typeof quantity === 'number' ? r.fail([...path, 'quantity'], 'must be a whole number >= 0.') : r.wrongType([...path, 'quantity'], 'a whole number >= 0', quantity);
    }
    out.quantity = quantity;
  }
  const size = r.optionalString(entry, 'size', path, {nonEmpty: true});
  if (size !== undefined) {
    const lower = size.trim().toLowerCase();
    const modern = LEGACY_SIZES[lower];
    if (modern) r.warn([...path, 'size'], `uses the legacy size name ${JSON.stringify(size)}; read as ${modern}.`);
    out.size = modern ?? lower;
  }
  return out;
}

function checkType(r: Reader, type: string, path: JsonPath): void {
  if (!PROCESS_TYPE_RE.test(type)) r.fail(path, 'is not a valid process type (letters, digits, "_" and "-").');
}

function readFormation(r: Reader, root: JsonObject): AppJsonFormation[] {
  const formation = r.field(root, 'formation');
  if (formation === undefined) return [];
  const byType = new Map<string, AppJsonFormation>();
  if (isObject(formation)) {
    for (const [type, entry] of Object.entries(formation)) {
      const path: JsonPath = ['formation', type];
      checkType(r, type, path);
      byType.set(type, readFormationEntry(r, type, entry, path));
    }
  } else if (Array.isArray(formation)) {
    // The older form: [{"process": "web", "quantity": 1, "size": "standard-1x"}]
    formation.forEach((entry, i) => {
      const path: JsonPath = ['formation', i];
      if (!isObject(entry)) return r.wrongType(path, 'an object {process, quantity, size}', entry);
      const key = r.field(entry, 'process') !== undefined ? 'process' : 'type';
      const type = r.optionalString(entry, key, path, {nonEmpty: true})?.trim();
      if (type === undefined) return r.fail(path, 'has no "process" (the process type, e.g. "web").');
      checkType(r, type, [...path, key]);
      if (byType.has(type)) r.warn(path, `repeats process type "${type}"; the last entry wins.`);
      byType.set(type, readFormationEntry(r, type, entry, path));
    });
  } else {
    return r.wrongType(['formation'], 'an object mapping process types to {quantity, size}', formation);
  }
  return [...byType.values()];
}

function readBuildpacks(r: Reader, root: JsonObject): string[] {
  const buildpacks = r.field(root, 'buildpacks');
  if (buildpacks === undefined) return [];
  if (!Array.isArray(buildpacks)) return r.wrongType(['buildpacks'], 'an array of {"url": "..."} objects', buildpacks);
  return buildpacks.map((entry, i) => {
    const path: JsonPath = ['buildpacks', i];
    if (!isObject(entry)) return r.wrongType(path, 'an object {"url": "..."}', entry, 'Write each buildpack as {"url": "heroku/nodejs"}.');
    const url = r.optionalString(entry, 'url', path, {nonEmpty: true});
    if (url === undefined) return r.fail(path, 'has no "url".');
    return url.trim();
  });
}

function readScript(r: Reader, scripts: JsonObject, key: 'postdeploy' | 'pr-predestroy'): AppJsonScript | undefined {
  const value = r.field(scripts, key);
  const path: JsonPath = ['scripts', key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value.trim() === '') return r.fail(path, 'must not be empty.');
    return {command: value.trim()};
  }
  if (!isObject(value)) return r.wrongType(path, 'a command string or an object {command, size}', value);
  const command = r.optionalString(value, 'command', path, {nonEmpty: true});
  if (command === undefined) return r.fail(path, 'has no "command".');
  const size = r.optionalString(value, 'size', path, {nonEmpty: true});
  return size === undefined ? {command: command.trim()} : {command: command.trim(), size: size.trim().toLowerCase()};
}

function readScripts(r: Reader, root: JsonObject): AppManifest['scripts'] {
  const scripts = r.field(root, 'scripts');
  if (scripts === undefined) return {};
  if (!isObject(scripts)) return r.wrongType(['scripts'], 'an object', scripts);
  const out: AppManifest['scripts'] = {};
  const postdeploy = readScript(r, scripts, 'postdeploy');
  if (postdeploy) out.postdeploy = postdeploy;
  const predestroy = readScript(r, scripts, 'pr-predestroy');
  if (predestroy) out['pr-predestroy'] = predestroy;
  return out;
}

/** `environments` (CI, review apps) are not migrated; only a changed formation is worth a warning. */
function checkEnvironments(r: Reader, root: JsonObject): void {
  const environments = r.field(root, 'environments');
  if (environments === undefined) return;
  if (!isObject(environments)) return r.wrongType(['environments'], 'an object', environments);
  for (const [name, environment] of Object.entries(environments)) {
    if (isObject(environment) && r.field(environment, 'formation') !== undefined) {
      r.warn(['environments', name, 'formation'], 'is ignored: the migration uses the top-level formation.');
    }
  }
}
