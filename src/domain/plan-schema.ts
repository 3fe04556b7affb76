/** zod schema of plan.json, checked against the Plan type at compile time; used on every read. */
import {z} from 'zod';
import {MigrateError} from './errors.ts';
import {dropLegacyFingerprint, KEYED_FINGERPRINT_RE} from './fingerprint.ts';
import {SECRET_NAME_RE} from './flag-checks.ts';
import {PLAN_SCHEMA_VERSION, type Plan} from './plan.ts';

const str = z.string();
const addonSchema = z.object({
  name: str,
  service: str,
  plan: str.optional(),
  catalogId: str.nullable(),
  category: z.enum(['postgres', 'redis', 'memcache', 'scheduler', 'logging', 'email', 'storage', 'queue', 'kafka', 'monitoring', 'errors', 'search', 'unknown']),
  target: z.object({
    kind: str,
    service: str,
    size: str.optional(),
    multiAz: z.boolean().optional(),
    details: z.record(str, z.union([str, z.number(), z.boolean()])).optional(),
  }),
  strategy: z.enum(['shared-then-window', 'write-freeze-window', 'start-empty', 'keep-saas', 'manual']),
  movesInWindow: z.boolean(),
  configVars: z.array(z.object({name: str, action: z.enum(['remap', 'keep', 'drop']), to: str.optional()})),
  notes: z.array(str),
  manual: z.boolean(),
});

const costLine = z.object({
  item: str,
  detail: str,
  monthly: z.number().nullable(),
  monthlyMax: z.number().optional(),
  check: z.boolean().optional(),
  note: str.optional(),
});
const costSide = z.object({lines: z.array(costLine), total: z.number(), totalMax: z.number(), unpriced: z.array(str)});
const costSchema = z.object({
  currency: z.literal('USD'),
  prices: z.object({heroku: str, aws: str.nullable(), cloudflare: str, region: str, file: str}),
  assumptions: z.object({albLcu: z.number(), natGbPerMonth: z.number(), logsGbPerMonth: z.number(), rdsStorageGb: z.number(), memorydbNodes: z.number()}),
  heroku: costSide,
  aws: costSide,
  difference: z.object({monthly: z.number(), monthlyMax: z.number()}).nullable(),
});

export const planSchema: z.ZodType<Plan> = z.object({
  schemaVersion: str.regex(/^\d+\.\d+$/),
  tool: z.literal('heroku2aws'),
  app: z.object({
    name: str,
    origin: z.enum(['heroku', 'app-json']),
    source: str,
    herokuRegion: str.nullable(),
    stack: str.nullable(),
    awsRegion: str,
  }),
  appDigest: str.regex(/^sha256:[0-9a-f]{64}$/),
  aws: z.object({
    cluster: str,
    secretName: str,
    containerPort: z.number().int(),
    healthCheck: z.object({
      path: str.startsWith('/'),
      intervalSeconds: z.number(),
      timeoutSeconds: z.number(),
      healthyThreshold: z.number(),
      unhealthyThreshold: z.number(),
      gracePeriodSeconds: z.number(),
    }),
  }),
  services: z.array(
    z.object({
      name: str,
      processType: str,
      command: str,
      role: z.enum(['web', 'worker', 'clock']),
      loadBalanced: z.boolean(),
      singleton: z.boolean(),
      heroku: z.object({size: str, quantity: z.number().int(), memoryMb: z.number()}),
      fargate: z.object({cpu: z.number().int(), memory: z.number().int()}),
      desiredCount: z.number().int(),
      autoscaling: z.object({min: z.number().int(), max: z.number().int()}).nullable(),
      moves: z.enum(['with-traffic', 'in-window']),
    }),
  ),
  releaseTask: z.object({command: str, cpu: z.number(), memory: z.number(), timeoutSeconds: z.number()}).nullable(),
  config: z.array(
    z.preprocess(dropLegacyFingerprint, z.object({
      name: str,
      class: z.enum(['app', 'addon', 'platform']),
      action: z.enum(['secret', 'remap', 'drop', 'translate']),
      owner: str.optional(),
      note: str.optional(),
      fingerprint: z.string().regex(KEYED_FINGERPRINT_RE).optional(),
    })),
  ),
  secret: z.object({name: str.regex(SECRET_NAME_RE, 'not a valid Secrets Manager secret name (1-512 of letters, digits and /_+=.@-)'), keys: z.array(str), sharedUntilWindow: z.array(str)}),
  addons: z.array(addonSchema),
  domains: z.object({
    hostnames: z.array(str),
    certificate: z.object({domainNames: z.array(str)}),
    herokuOrigin: str,
    herokuHostHeader: str.nullable(),
  }),
  build: z.object({
    strategy: z.enum(['dockerfile', 'cloud-native-buildpacks']),
    builder: str.optional(),
    buildpacks: z.array(str),
    command: str,
  }),
  cutover: z.object({
    steps: z.array(z.object({weight: z.number(), bakeSeconds: z.number(), minRequests: z.number()})),
    pollSeconds: z.number(),
    maxBakeExtension: z.number(),
    consecutiveFailures: z.number(),
    gates: z.object({alarms: z.array(str), awsPoolHealth: z.boolean(), minRequestsMetric: str}),
    finalizeHoldSeconds: z.number(),
  }),
  timeline: z.array(z.object({id: z.enum(['prepare', 'edge', 'shift', 'window', 'finalize']), title: str, steps: z.array(str)})),
  cost: costSchema.optional(),
  warnings: z.array(str),
  manualSteps: z.array(str),
});

/** Refuse a newer major version before validating the rest (its shape may differ). */
export function checkSchemaVersion(data: unknown, what: string, supported: string): void {
  const version = (data as {schemaVersion?: unknown} | null)?.schemaVersion;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) {
    throw new MigrateError('schema', `${what} has no valid schemaVersion.`, {hint: 'Regenerate the file with this version of migrate.'});
  }
  const major = Number(version.split('.')[0]);
  const ours = Number(supported.split('.')[0]);
  if (major > ours) {
    throw new MigrateError('schema', `${what} uses schema version ${version}, newer than this migrate supports (${supported}).`, {
      hint: 'Upgrade heroku2aws (npm install -g heroku2aws@latest) or regenerate the file with this version.',
    });
  }
  if (major < ours) {
    throw new MigrateError('schema', `${what} uses schema version ${version}, older than this migrate supports (${supported}).`, {
      hint: 'Regenerate it with this version of migrate.',
    });
  }
}

export function parsePlan(data: unknown, what = 'plan.json'): Plan {
  checkSchemaVersion(data, what, PLAN_SCHEMA_VERSION);
  const result = planSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new MigrateError('schema', `${what} is not a valid plan: ${path}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Regenerate it with `migrate plan`; do not edit plan.json by hand.',
    });
  }
  return result.data;
}

/** plan.json's text -> the plan of `app` (JSON, schema and app name checked; `what` names the file) */
export function parsePlanText(text: string, what: string, app: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MigrateError('schema', `${what} is not valid JSON: ${(err as Error).message}.`, {hint: 'Regenerate it with `migrate plan`.'});
  }
  const plan = parsePlan(data, what);
  if (plan.app.name !== app) throw new MigrateError('input', `${what} is the plan of '${plan.app.name}', not '${app}'.`, {hint: 'Point --plan-dir at the plan of this app.'});
  return plan;
}
