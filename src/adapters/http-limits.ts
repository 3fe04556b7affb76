/**
 * Time and size limits for every network call (docs/network-limits.md). One place for the
 * numbers so Heroku, AWS and Cloudflare clients agree; `MIGRATE_HTTP_TIMEOUT` (seconds) scales
 * them for slow links (and lets tests run short).
 */
export interface HttpLimits {
  /** connection established within this */
  connectTimeoutMs: number;
  /** no byte from the server for this long ends the request */
  idleTimeoutMs: number;
  /** the whole exchange (all pages of a list) ends within this */
  deadlineMs: number;
  /** bytes accepted in one answer (all pages of a list together) */
  maxBytes: number;
}

/** Heroku's largest documented answer is a page of 1,000 records (~1-2 MB); config vars total at most 32 KB. */
export const DEFAULT_LIMITS: HttpLimits = {connectTimeoutMs: 10_000, idleTimeoutMs: 30_000, deadlineMs: 120_000, maxBytes: 32 * 1024 * 1024};

type Env = Record<string, string | undefined>;

/** DEFAULT_LIMITS, with the timeouts taken from MIGRATE_HTTP_TIMEOUT (seconds, the idle timeout) when set. */
export function httpLimits(env: Env = process.env): HttpLimits {
  const raw = env.MIGRATE_HTTP_TIMEOUT?.trim();
  if (!raw) return DEFAULT_LIMITS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) return DEFAULT_LIMITS;
  const idle = Math.round(seconds * 1000);
  return {...DEFAULT_LIMITS, idleTimeoutMs: idle, connectTimeoutMs: Math.min(DEFAULT_LIMITS.connectTimeoutMs, idle), deadlineMs: idle * 4};
}
