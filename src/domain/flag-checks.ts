/**
 * Checks of flags and hand-edited plan fields that must fail before the first write to a
 * live system (and the same way under --dry-run). Pure: each throws a usage error naming the
 * flag (or plan field) and the fix.
 */
import {isAbsolute, resolve, sep} from 'node:path';
import {usageError} from './errors.ts';

export interface ShiftTuning {
  pollMs?: number;
  bakeMs?: number;
  maxBakeExtension?: number;
  consecutiveFailures?: number;
  minRequests?: number;
}

/** A floor against busy loops (0 or a few ms); CloudWatch's ALB metrics have a 60 s resolution, so 15-60 s suits real use. */
export const MIN_POLL_MS = 100;

/**
 * The cutover tuning, from flags (`from: 'flags'`) or as merged with the plan (`from: 'plan'`,
 * for a hand-edited plan.json). Same rules as the cutover state machine's own check.
 */
export function checkShiftTuning(t: ShiftTuning, from: 'flags' | 'plan'): void {
  const name = (flag: string, field: string) => (from === 'flags' ? flag : `plan.json ${field}`);
  if (t.pollMs !== undefined && !(Number.isFinite(t.pollMs) && t.pollMs >= MIN_POLL_MS)) {
    throw usageError(`${name('--poll', 'cutover.pollSeconds')} must be at least 100ms (got ${t.pollMs} ms).`, 'Gates are polled every --poll; 15s-60s suits CloudWatch (60 s metrics), e.g. --poll 30s.');
  }
  if (t.bakeMs !== undefined && !(Number.isFinite(t.bakeMs) && t.bakeMs >= 0)) {
    throw usageError(`${name('--bake', 'cutover bake time')} must be a duration of 0s or more.`, 'For example --bake 10m.');
  }
  if (t.maxBakeExtension !== undefined && !(Number.isFinite(t.maxBakeExtension) && t.maxBakeExtension >= 1)) {
    throw usageError(`${name('--max-bake-extension', 'cutover.maxBakeExtension')} must be a number of at least 1 (got ${String(t.maxBakeExtension)}).`, 'It multiplies the bake time: 2 lets an inconclusive bake run twice as long before pausing.');
  }
  if (t.consecutiveFailures !== undefined && !(Number.isInteger(t.consecutiveFailures) && t.consecutiveFailures >= 1)) {
    throw usageError(`${name('--consecutive-failures', 'cutover.consecutiveFailures')} must be a whole number of at least 1.`, 'For example --consecutive-failures 2.');
  }
  if (t.minRequests !== undefined && !(Number.isInteger(t.minRequests) && t.minRequests >= 0)) {
    throw usageError(`${name('--min-requests', 'cutover minimum requests')} must be a whole number of at least 0.`, 'For example --min-requests 200.');
  }
}

/** Secrets Manager secret names: 1-512 of letters, digits and /_+=.@- (AWS API reference, CreateSecret `Name`; docs/safety.md, facts). */
export const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export function checkSecretName(name: string, from: string): void {
  if (!SECRET_NAME_RE.test(name)) {
    throw usageError(`${from} '${name.slice(0, 80)}' is not a valid Secrets Manager secret name.`, 'Use 1-512 letters, digits and / _ + = . @ -, e.g. heroku2aws/shop.');
  }
}

/** Places an output must never go: the file system root and the kernel's virtual file systems. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

/** Refuses an output path that is the root or under /proc, /sys or /dev (`cwd` resolves relative paths). */
export function checkOutputPath(path: string, flag: string, cwd: string): void {
  if (path.trim() === '') throw usageError(`${flag} is empty.`, `Give a directory or file path, e.g. ${flag} plans/shop.`);
  const full = isAbsolute(path) ? resolve(path) : resolve(cwd, path);
  if (full === sep || /^[A-Za-z]:\\?$/.test(full)) {
    throw usageError(`${flag} ${path} is the root of the file system.`, `Write into a directory of its own, e.g. ${flag} plans/shop.`);
  }
  const under = FORBIDDEN_ROOTS.find((r) => full === r || full.startsWith(r + '/'));
  if (under) throw usageError(`${flag} ${path} is under ${under}, a virtual file system of the kernel, not a place for files.`, `Write into an ordinary directory, e.g. ${flag} plans/shop.`);
}

/** Cloudflare zone and account ids: 32 hexadecimal characters (the API's `identifier`). */
export function checkCloudflareId(id: string, what: string): void {
  if (!/^[0-9a-f]{32}$/.test(id)) {
    throw usageError(`${what} '${id.slice(0, 80)}' is not a Cloudflare id (32 hexadecimal characters).`, "Copy it from the zone's Overview page in the Cloudflare dashboard (Zone ID / Account ID).");
  }
}

/** A DNS hostname: labels of 1-63 letters, digits and hyphens, 253 characters at most. */
export function checkHostname(hostname: string, what: string): void {
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(hostname)) {
    throw usageError(`${what} '${hostname.slice(0, 80)}' is not a hostname.`, 'Give the live hostname, e.g. shop.example.com (a custom domain of the Heroku app).');
  }
}
