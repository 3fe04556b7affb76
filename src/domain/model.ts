/**
 * The internal app model: what every source (live Heroku, snapshot file, app.json + Procfile)
 * produces and what the planner consumes. It holds config var NAMES and fingerprints, never values.
 */
import {z} from 'zod';
import {dropLegacyFingerprint, KEYED_FINGERPRINT_RE} from './fingerprint.ts';

export const processSchema = z.object({
  type: z.string().min(1),
  command: z.string().min(1),
  quantity: z.number().int().min(0),
  size: z.string().min(1),
});
export type ProcessType = z.infer<typeof processSchema>;

const configVarObject = z.object({
  name: z.string().min(1),
  /** keyed fingerprint of the value (see fingerprint.ts); absent when the source only knows names (app.json). */
  fingerprint: z.string().regex(KEYED_FINGERPRINT_RE).optional(),
  /** app.json marks some env entries as not required */
  required: z.boolean().optional(),
});
/** Older files' plain SHA-256 fingerprints are dropped on read (they let anyone confirm a guessed value). */
export const configVarSchema = z.preprocess(dropLegacyFingerprint, configVarObject);
export type ConfigVarRef = z.infer<typeof configVarObject>;

export const addonSchema = z.object({
  /** the add-on resource name on Heroku, e.g. postgresql-curly-12345 (or the `as` name from app.json) */
  name: z.string().min(1),
  /** addon_service.name, e.g. heroku-postgresql */
  service: z.string().min(1),
  /** plan name without the service prefix, e.g. standard-0; undefined when unspecified */
  plan: z.string().optional(),
  /** config vars the add-on owns (its config_vars), e.g. DATABASE_URL */
  configVars: z.array(z.string()),
  /** attachment names, e.g. DATABASE, HEROKU_POSTGRESQL_AMBER */
  attachments: z.array(z.string()),
});
export type AddonRef = z.infer<typeof addonSchema>;

export const domainSchema = z.object({
  hostname: z.string().min(1),
  kind: z.enum(['heroku', 'custom']),
  cname: z.string().nullable().optional(),
  acmStatus: z.string().nullable().optional(),
});
export type DomainRef = z.infer<typeof domainSchema>;

export const dynoSizeSchema = z.object({
  name: z.string(),
  memoryGb: z.number().positive(),
  compute: z.number().optional(),
  dedicated: z.boolean().optional(),
});
export type DynoSize = z.infer<typeof dynoSizeSchema>;

export const logDrainSchema = z.object({
  /** URL with credentials (user info, query) removed */
  url: z.string(),
  addon: z.string().nullable().optional(),
});

export const appModelSchema = z.object({
  name: z.string().min(1),
  origin: z.enum(['heroku', 'app-json']),
  region: z.string().optional(),
  stack: z.string().optional(),
  generation: z.string().optional(),
  maintenance: z.boolean().optional(),
  buildpacks: z.array(z.string()),
  hasDockerfile: z.boolean().optional(),
  processes: z.array(processSchema),
  releaseCommand: z.string().optional(),
  postdeployScript: z.string().optional(),
  configVars: z.array(configVarSchema),
  addons: z.array(addonSchema),
  domains: z.array(domainSchema),
  dynoSizes: z.array(dynoSizeSchema).optional(),
  logDrains: z.array(logDrainSchema),
});
export type AppModel = z.infer<typeof appModelSchema>;

/** Heroku app names: 3-30 chars, lowercase letters, digits and dashes, starting with a letter. */
export const APP_NAME_RE = /^[a-z][a-z0-9-]{2,29}$/;
