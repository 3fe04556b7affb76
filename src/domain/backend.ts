/**
 * Where an app's state, journal and lock live: the backend record `plans/<app>/backend.json`,
 * chosen once per app by `migrate state init` and committed with the plan (like Terraform's
 * backend block). No file means local files in the plan directory. Pure: no I/O.
 */
import {z} from 'zod';
import {MigrateError, usageError} from './errors.ts';
import {checkSchemaVersion} from './plan-schema.ts';

export const BACKEND_SCHEMA_VERSION = '1.0';
export const BACKEND_FILE = 'backend.json';
export const DEFAULT_STATE_PREFIX = 'heroku2aws';
export const DEFAULT_LEASE_SECONDS = 30;

const s3Schema = z.object({
  schemaVersion: z.string(),
  type: z.literal('s3'),
  bucket: z.string(),
  prefix: z.string(),
  region: z.string(),
  kmsKeyId: z.string().optional(),
  leaseSeconds: z.number().int().min(6).max(3600).optional(),
});
const localSchema = z.object({schemaVersion: z.string(), type: z.literal('local')});
const backendSchema = z.discriminatedUnion('type', [s3Schema, localSchema]);

export type S3Backend = z.infer<typeof s3Schema>;
export type Backend = z.infer<typeof backendSchema>;

export const localBackend = (): Backend => ({schemaVersion: BACKEND_SCHEMA_VERSION, type: 'local'});

export function parseBackend(data: unknown, file: string): Backend {
  checkSchemaVersion(data, file, BACKEND_SCHEMA_VERSION);
  const r = backendSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MigrateError('schema', `${file} is not a valid backend file: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Restore it from version control, or run `migrate state init` again to rewrite it.',
    });
  }
  return r.data;
}

/** where the state lives, for messages */
export const describeBackend = (b: Backend, planDir: string, app: string): string =>
  b.type === 's3' ? `s3://${b.bucket}/${b.prefix ? `${b.prefix}/` : ''}${app}/ (${b.region})` : `${planDir} (local files)`;

/** S3 general purpose bucket naming rules (docs/team-state.md links the AWS page). */
export function checkBucketName(name: string): void {
  const fix = 'Bucket names are 3-63 characters: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.';
  const bad = (why: string) => usageError(`--bucket '${name}' is not a valid S3 bucket name: ${why}.`, fix);
  if (name.length < 3 || name.length > 63) throw bad(`it has ${name.length} characters`);
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) throw bad('it has characters other than lowercase letters, digits, dots and hyphens, or does not start and end with a letter or digit');
  if (name.includes('..')) throw bad('it has two adjacent dots');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw bad('it looks like an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) throw bad('it starts with a reserved prefix');
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) throw bad('it ends with a reserved suffix');
}

/** a key prefix of safe characters, without leading/trailing slashes or empty segments */
export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (p === '') return p;
  if (p.length > 200 || !/^[A-Za-z0-9!_.*'()/-]+$/.test(p) || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw usageError(`--prefix '${prefix}' is not a usable key prefix.`, "Use up to 200 letters, digits and !_.*'()- separated by single slashes, e.g. heroku2aws or teams/payments.");
  }
  return p;
}

/** a KMS key id, key ARN, alias name or alias ARN */
export function checkKmsKey(key: string): void {
  const id = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
  const alias = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
  const arn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})|alias\/[A-Za-z0-9/_-]{1,250})$/;
  if (id.test(key) || arn.test(key) || alias.test(key)) return;
  throw usageError(`--kms-key '${key}' is not a KMS key id, key ARN or alias.`, 'Pass a key id (1234abcd-...), a key ARN, or alias/NAME; omit --kms-key for S3-managed encryption (SSE-S3).');
}

/** the bucket policy statement that refuses every request made without TLS */
export const TLS_ONLY_SID = 'Heroku2awsDenyInsecureTransport';
export function tlsOnlyStatement(bucket: string, partition = 'aws') {
  return {
    Sid: TLS_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
    Condition: {Bool: {'aws:SecureTransport': 'false'}},
  };
}

/** the bucket policy with the TLS-only statement added to whatever it already says (null: already there) */
export function policyWithTlsOnly(existing: string | null, bucket: string): string | null {
  let doc: {Version?: string; Statement?: unknown[]} = {Version: '2012-10-17', Statement: []};
  if (existing) {
    try {
      doc = JSON.parse(existing) as typeof doc;
    } catch {
      throw new MigrateError('input', `The bucket policy of ${bucket} is not valid JSON.`, {hint: 'Fix the bucket policy in the S3 console, then re-run.'});
    }
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const denies = statements.some((s) => {
    const st = s as {Effect?: string; Condition?: {Bool?: Record<string, unknown>}};
    return st.Effect === 'Deny' && String(st.Condition?.Bool?.['aws:SecureTransport']) === 'false';
  });
  if (denies) return null;
  return JSON.stringify({...doc, Version: doc.Version ?? '2012-10-17', Statement: [...statements, tlsOnlyStatement(bucket)]});
}
