/**
 * Fingerprints of config values.
 *
 * `fingerprint` (plain SHA-256) is for comparisons in memory only. What goes into files that
 * may be committed (plan.json, snapshots, retirement records) is `keyedFingerprint`: an
 * HMAC-SHA256 under a key that is not in the repository (docs/safety.md), so a reader of the
 * file cannot confirm a guessed value offline, while two plans made with the same key still
 * show which values changed. Plain `sha256:` fingerprints from older files are dropped on read.
 */
import {createHash, createHmac} from 'node:crypto';

export const fingerprint = (value: string) => 'sha256:' + createHash('sha256').update(value, 'utf8').digest('hex');

/** `hmac-sha256:<key id>:<hex>`; the key id tells fingerprints made under different keys apart. */
export const KEYED_FINGERPRINT_RE = /^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/;
/** the plain SHA-256 fingerprints older versions wrote (a guessing oracle) */
export const LEGACY_FINGERPRINT_RE = /^sha256:[0-9a-f]{64}$/;

export const fingerprintKeyId = (key: Uint8Array) => createHmac('sha256', key).update('heroku2aws fingerprint key id').digest('hex').slice(0, 8);

/** A function that fingerprints values under `key` (at least 32 bytes). */
export function keyedFingerprint(key: Uint8Array): (value: string) => string {
  if (key.length < 32) throw new RangeError('a fingerprint key needs at least 32 bytes');
  const id = fingerprintKeyId(key);
  return (value) => `hmac-sha256:${id}:${createHmac('sha256', key).update(value, 'utf8').digest('hex')}`;
}

/** Drops a legacy plain fingerprint from a raw record read from a file (before schema validation). */
export function dropLegacyFingerprint(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const fp = (v as {fingerprint?: unknown}).fingerprint;
  if (typeof fp !== 'string' || !LEGACY_FINGERPRINT_RE.test(fp)) return v;
  const {fingerprint: _legacy, ...rest} = v as Record<string, unknown>;
  return rest;
}
