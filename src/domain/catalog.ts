/**
 * The add-on catalog: data (templates/addons/catalog.json) that says what each Heroku add-on
 * becomes on AWS. This module validates that data and answers pattern look-ups; it does no I/O
 * (an adapter reads the file and calls parseCatalog).
 *
 * Patterns (plan names and config var names) are exact names or globs where `*` matches any run
 * of characters (including none). When several patterns match, an exact name wins, then the glob
 * with the most literal characters, then the one listed first.
 */
import {z} from 'zod';
import type {AddonCategory, DataStrategy} from './addon-plan.ts';
import {MigrateError} from './errors.ts';

export const CATALOG_SCHEMA_VERSION = '1.0';
const SUPPORTED_MAJOR = 1;
const SUPPORTED_MINOR = 0;

export const CATALOG_CATEGORIES = [
  'postgres',
  'redis',
  'memcache',
  'scheduler',
  'logging',
  'email',
  'storage',
  'queue',
  'kafka',
  'monitoring',
  'errors',
  'search',
] as const satisfies readonly Exclude<AddonCategory, 'unknown'>[];

export const DATA_STRATEGIES = [
  'shared-then-window',
  'write-freeze-window',
  'start-empty',
  'keep-saas',
  'manual',
] as const satisfies readonly DataStrategy[];

// Compile-time proof that the lists above cover the unions in addon-plan.ts.
const categoriesComplete: [Exclude<AddonCategory, 'unknown' | (typeof CATALOG_CATEGORIES)[number]>] extends [never] ? true : false = true;
const strategiesComplete: [Exclude<DataStrategy, (typeof DATA_STRATEGIES)[number]>] extends [never] ? true : false = true;
void categoriesComplete;
void strategiesComplete;

const PLAN_PATTERN = /^(?:\*|[a-z0-9*][a-z0-9._*-]*)$/;
const VAR_PATTERN = /^[A-Za-z_*][A-Za-z0-9_*]*$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

const text = z.string().trim().min(1);
const detailsSchema = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

function buildSchema(strict: boolean) {
  const obj = strict ? z.strictObject : z.object;

  const sizeSchema = obj({
    /** plan name or glob, e.g. `standard-2`, `essential-*`, `*` */
    plan: z.string().regex(PLAN_PATTERN, 'plan pattern: lowercase letters, digits, . _ - and * only'),
    /** instance class / node type, e.g. db.m6g.large; absent when the plan needs no sizing */
    size: text.optional(),
    multiAz: z.boolean().optional(),
    details: detailsSchema.optional(),
    /** notes that apply to this plan only */
    notes: z.array(text).optional(),
  });

  const varRuleSchema = obj({
    /** config var name or glob, e.g. DATABASE_URL, HEROKU_POSTGRESQL_*_URL */
    pattern: z.string().regex(VAR_PATTERN, 'config var pattern: letters, digits, _ and * only'),
    action: z.enum(['remap', 'keep', 'drop']),
    /** required for remap: what the variable becomes on AWS */
    to: text.optional(),
  }).superRefine((rule, ctx) => {
    if (rule.action === 'remap' && rule.to === undefined) ctx.addIssue({code: 'custom', path: ['to'], message: 'a remap rule needs `to` (what the variable becomes on AWS)'});
    if (rule.action !== 'remap' && rule.to !== undefined) ctx.addIssue({code: 'custom', path: ['to'], message: `\`to\` is only for remap rules (this one is ${rule.action})`});
  });

  const entrySchema = obj({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id: lowercase letters, digits and dashes'),
    /** Heroku addon_service names, aliases included */
    services: z.array(z.string().regex(SERVICE_NAME, 'service: a lowercase Heroku addon_service name')).min(1),
    category: z.enum(CATALOG_CATEGORIES),
    target: obj({
      /** machine-readable kind: rds-postgresql, memorydb, elasticache-valkey, cloudwatch-logs, saas, ... */
      kind: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kind: lowercase letters, digits and dashes'),
      /** human name: "Amazon RDS for PostgreSQL" */
      service: text,
    }),
    sizes: z.array(sizeSchema).min(1),
    /** the plan Heroku provisions when app.json names none */
    defaultPlan: z.string().regex(PLAN_PATTERN).refine((p) => !p.includes('*'), 'defaultPlan must be a plan name, not a pattern').optional(),
    strategy: z.enum(DATA_STRATEGIES),
    movesInWindow: z.boolean(),
    /** suffixes appended to an attachment name to get the vars it implies; default ["_URL"] */
    attachmentVarSuffixes: z.array(z.string().regex(/^_[A-Z0-9_]+$/, 'suffix: _ then uppercase letters, digits, _')).optional(),
    configVars: z.array(varRuleSchema),
    notes: z.array(text),
    manualSteps: z.array(text).optional(),
    /** vars the add-on sets under its default attachment: used when the source lists none (app.json) */
    defaultVars: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'config var name: uppercase letters, digits, _')).optional(),
  }).superRefine((entry, ctx) => {
    duplicates(entry.sizes.map((s) => s.plan)).forEach(([i, p]) => ctx.addIssue({code: 'custom', path: ['sizes', i, 'plan'], message: `plan pattern "${p}" is listed twice`}));
    duplicates(entry.configVars.map((v) => v.pattern)).forEach(([i, p]) => ctx.addIssue({code: 'custom', path: ['configVars', i, 'pattern'], message: `config var pattern "${p}" is listed twice`}));
    duplicates(entry.services).forEach(([i, s]) => ctx.addIssue({code: 'custom', path: ['services', i], message: `service "${s}" is listed twice`}));
    if (entry.defaultPlan !== undefined) {
      if (!bestMatch(entry.sizes, (s) => s.plan, entry.defaultPlan)) {
        ctx.addIssue({code: 'custom', path: ['defaultPlan'], message: `defaultPlan "${entry.defaultPlan}" matches none of the entry's sizes`});
      }
    } else if (!entry.sizes.some((s) => s.plan === '*')) {
      ctx.addIssue({code: 'custom', path: ['defaultPlan'], message: 'needs a defaultPlan, or a "*" size that applies to every plan'});
    }
  });

  return obj({
    schemaVersion: z.string().regex(/^\d+\.\d+$/, 'schemaVersion: "MAJOR.MINOR"'),
    entries: z.array(entrySchema).min(1),
  }).superRefine((catalog, ctx) => {
    duplicates(catalog.entries.map((e) => e.id)).forEach(([i, id]) => ctx.addIssue({code: 'custom', path: ['entries', i, 'id'], message: `id "${id}" is used by two entries`}));
    const owner = new Map<string, string>();
    catalog.entries.forEach((entry, i) =>
      entry.services.forEach((service, j) => {
        const first = owner.get(service);
        if (first !== undefined && first !== entry.id) {
          ctx.addIssue({code: 'custom', path: ['entries', i, 'services', j], message: `service "${service}" is already claimed by entry "${first}"`});
        } else owner.set(service, entry.id);
      }),
    );
  });
}

const strictSchema = buildSchema(true);
const lenientSchema = buildSchema(false);

export type Catalog = z.output<typeof strictSchema>;
export type CatalogEntry = Catalog['entries'][number];
export type CatalogSize = CatalogEntry['sizes'][number];
export type CatalogVarRule = CatalogEntry['configVars'][number];

/** The JSON schema of the catalog, for tools and tests (strict: unknown keys are errors). */
export const catalogSchema = strictSchema;

/**
 * Validates catalog JSON. Throws MigrateError('schema') naming the bad path (and the entry id),
 * or refusing a schemaVersion whose major this tool does not read. A newer minor of the same major
 * is read leniently (unknown keys ignored); the current minor is read strictly (typos are errors).
 */
export function parseCatalog(json: unknown): Catalog {
  const version = isRecord(json) && typeof json.schemaVersion === 'string' ? /^(\d+)\.(\d+)$/.exec(json.schemaVersion) : null;
  let lenient = false;
  if (version) {
    const major = Number(version[1]);
    const minor = Number(version[2]);
    if (major > SUPPORTED_MAJOR) {
      throw new MigrateError('schema', `The add-on catalog has schemaVersion ${version[0]}, newer than this heroku2aws reads (${SUPPORTED_MAJOR}.x).`, {
        hint: 'Upgrade heroku2aws, or use the catalog that ships with this version (templates/addons/catalog.json).',
      });
    }
    if (major < SUPPORTED_MAJOR) {
      throw new MigrateError('schema', `The add-on catalog has schemaVersion ${version[0]}, older than this heroku2aws reads (${SUPPORTED_MAJOR}.x).`, {
        hint: 'Use the catalog that ships with this version (templates/addons/catalog.json).',
      });
    }
    lenient = minor > SUPPORTED_MINOR;
  }
  const result = (lenient ? lenientSchema : strictSchema).safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const shown = issues.slice(0, 3).map((issue) => `${formatPath(issue.path, json)}: ${issue.message}`);
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
  throw new MigrateError('schema', `The add-on catalog is invalid: ${shown.join('; ')}${more}.`, {
    hint: 'Fix the named field in templates/addons/catalog.json (or reinstall heroku2aws if you did not edit it).',
  });
}

/** The entry for a Heroku addon_service name or alias (case-insensitive), if any. */
export function findEntry(catalog: Catalog, service: string): CatalogEntry | undefined {
  const wanted = service.trim().toLowerCase();
  return catalog.entries.find((e) => e.services.includes(wanted));
}

/** The size rule for a plan name: exact beats glob, then the most specific glob. */
export function findSize(entry: CatalogEntry, plan: string): CatalogSize | undefined {
  return bestMatch(entry.sizes, (s) => s.plan, plan.trim().toLowerCase());
}

/** The config var rule for a variable name: exact beats glob, then the most specific glob. */
export function findVarRule(entry: CatalogEntry, name: string): CatalogVarRule | undefined {
  return bestMatch(entry.configVars, (v) => v.pattern, name);
}

/** True when a glob pattern (`*` = any run of characters) matches the whole name. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$', 's');
  return re.test(name);
}

/** Exact match first; else the glob with the most literal characters; ties go to the earlier item. */
export function bestMatch<T>(items: readonly T[], patternOf: (item: T) => string, name: string): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const item of items) {
    const pattern = patternOf(item);
    if (!matchesPattern(pattern, name)) continue;
    const score = pattern.includes('*') ? pattern.replaceAll('*', '').length : Number.MAX_SAFE_INTEGER;
    if (score > bestScore) {
      best = item;
      bestScore = score;
    }
  }
  return best;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function duplicates(values: readonly string[]): [number, string][] {
  const seen = new Set<string>();
  const out: [number, string][] = [];
  values.forEach((v, i) => {
    if (seen.has(v)) out.push([i, v]);
    seen.add(v);
  });
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `entries[3] (heroku-redis).sizes[0].plan`: the path, with the entry id when it can be read. */
function formatPath(path: readonly PropertyKey[], json: unknown): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  path.forEach((key, i) => {
    if (typeof key === 'number') out += `[${key}]`;
    else out += (i === 0 ? '' : '.') + String(key);
    if (i === 1 && path[0] === 'entries' && typeof key === 'number' && isRecord(json) && Array.isArray(json.entries)) {
      const entry: unknown = json.entries[key];
      if (isRecord(entry) && typeof entry.id === 'string') out += ` (${entry.id})`;
    }
  });
  return out;
}
