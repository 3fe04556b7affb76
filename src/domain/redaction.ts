/**
 * The secret values this process knows, and the redaction of them from any text before it is
 * printed or written (docs/safety.md). Values enter where they are read (the Heroku config
 * vars, a Secrets Manager secret, the API tokens and AWS keys); every MigrateError message and
 * hint, every warning and note, and whatever a command prints on failure pass through
 * `redact`. A service that echoes a request in its error text (some proxies and endpoints do)
 * then cannot carry a value out.
 *
 * This is process-wide state (a set of strings), no I/O: each command is one process.
 */
const known = new Set<string>();
let ordered: string[] = [];

export const REDACTED = '[redacted]';
/** shorter values are too likely to be ordinary words in a message (they are still never printed on purpose) */
const MIN_LENGTH = 6;

function add(v: string): void {
  if (v.length >= MIN_LENGTH && !/^(true|false|null|undefined)$/i.test(v) && !known.has(v)) {
    known.add(v);
    ordered = [];
  }
}

/** Registers secret values, with the forms an echo would show: JSON-escaped (once and twice), URL-encoded, a URL's password. */
export function rememberSecrets(values: Iterable<string | undefined | null>): void {
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const once = JSON.stringify(value).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    for (const form of [value, value.trim(), once, twice, encodeURIComponent(value)]) add(form);
    try {
      const url = new URL(value);
      if (url.password) {
        add(url.password);
        add(decodeURIComponent(url.password));
      }
    } catch {
      // not a URL
    }
  }
}

/** a cut-off echo shorter than this is not redacted (common prefixes such as `postgres://` would be) */
const CUT_MIN_LENGTH = 12;

/** Where `text` ends with the first CUT_MIN_LENGTH or more characters of `value` (a cut-off echo), else -1. */
function cutOffAt(text: string, value: string): number {
  for (let p = Math.max(0, text.length - value.length); p <= text.length - CUT_MIN_LENGTH; p++) {
    if (text.charCodeAt(p) === value.charCodeAt(0) && value.startsWith(text.slice(p))) return p;
  }
  return -1;
}

/**
 * `text` with every known secret value (longest first) replaced by [redacted], and a value cut
 * off at the end of the text (an echo shortened by whoever sent it) too.
 */
export function redact(text: string): string {
  if (known.size === 0 || !text) return text;
  if (ordered.length !== known.size) ordered = [...known].sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of ordered) if (out.includes(v)) out = out.split(v).join(REDACTED);
  for (const v of ordered) {
    const at = cutOffAt(out, v);
    if (at >= 0) out = out.slice(0, at) + REDACTED;
  }
  return out;
}

/** Deep copy of a JSON-like value with every string redacted (for envelopes and journal entries). */
export function redactDeep<T>(value: T): T {
  if (known.size === 0) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}

/** For tests: forget every value. */
export function forgetSecrets(): void {
  known.clear();
  ordered = [];
}
