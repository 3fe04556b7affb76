/**
 * The app secret's content: which keys go in, what changed (by hash), size limits and
 * verification. Pure; values are compared through fingerprints and never put in messages.
 */
import {MigrateError} from './errors.ts';
import {fingerprint} from './fingerprint.ts';

/** Secrets Manager's limit for one secret value. */
export const MAX_SECRET_BYTES = 65_536;

export type SecretContent = Record<string, string>;

export interface SecretDiff {
  added: string[];
  changed: string[];
  removed: string[];
  /** in the secret, gone from Heroku, kept because --prune was not given */
  kept: string[];
  unchanged: number;
}

export const serializeSecret = (content: SecretContent) =>
  JSON.stringify(Object.fromEntries(Object.keys(content).sort().map((k) => [k, content[k]])));

/** sha256 over the sorted key names and value fingerprints */
export const contentDigest = (content: SecretContent) =>
  fingerprint(
    Object.keys(content)
      .sort()
      .map((k) => `${k}=${fingerprint(content[k] ?? '')}`)
      .join('\n'),
  );

export function parseSecretJson(text: string, secretName: string): SecretContent {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MigrateError('conflict', `Secret ${secretName} does not hold a JSON object, so it was not written by heroku2aws.`, {
      hint: 'Choose another --secret-name, or move that secret out of the way.',
    });
  }
  if (!data || typeof data !== 'object' || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string')) {
    throw new MigrateError('conflict', `Secret ${secretName} is not a flat JSON object of strings.`, {hint: 'Choose another --secret-name.'});
  }
  return data as SecretContent;
}

export function mergeSecret(desired: SecretContent, current: SecretContent | null, prune: boolean): {content: SecretContent; diff: SecretDiff} {
  const cur = current ?? {};
  const diff: SecretDiff = {added: [], changed: [], removed: [], kept: [], unchanged: 0};
  const content: SecretContent = {...desired};
  for (const key of Object.keys(desired).sort()) {
    if (!(key in cur)) diff.added.push(key);
    else if (fingerprint(cur[key] ?? '') !== fingerprint(desired[key] ?? '')) diff.changed.push(key);
    else diff.unchanged++;
  }
  for (const key of Object.keys(cur).sort()) {
    if (key in desired) continue;
    if (prune) diff.removed.push(key);
    else {
      diff.kept.push(key);
      content[key] = cur[key] ?? '';
    }
  }
  return {content, diff};
}

export const hasChanges = (d: SecretDiff) => d.added.length + d.changed.length + d.removed.length > 0;

export function checkSecretSize(content: SecretContent, secretName: string): number {
  const bytes = Buffer.byteLength(serializeSecret(content), 'utf8');
  if (bytes <= MAX_SECRET_BYTES) return bytes;
  const largest = Object.keys(content)
    .map((k) => ({k, size: Buffer.byteLength(JSON.stringify(k) + JSON.stringify(content[k]), 'utf8')}))
    .sort((a, b) => b.size - a.size || a.k.localeCompare(b.k))
    .slice(0, 5)
    .map((x) => `${x.k} (${x.size} bytes)`)
    .join(', ');
  throw new MigrateError('input', `The secret ${secretName} would be ${bytes} bytes; Secrets Manager allows ${MAX_SECRET_BYTES}. Largest keys: ${largest}.`, {
    hint: 'Move large values (certificates, keys, JSON blobs) to their own secret or to S3, or split the app vars with --secret-name per group.',
  });
}

/** Keys whose value in `actual` differs from `expected` (compared by fingerprint), plus missing and extra keys. */
export function verifyContent(expected: SecretContent, actual: SecretContent): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].filter((k) => !(k in expected) || !(k in actual) || fingerprint(expected[k] ?? '') !== fingerprint(actual[k] ?? '')).sort();
}

export function nameDrift(planned: string[], live: string[]): {added: string[]; removed: string[]} {
  const p = new Set(planned);
  const l = new Set(live);
  return {added: live.filter((n) => !p.has(n)).sort(), removed: planned.filter((n) => !l.has(n)).sort()};
}
