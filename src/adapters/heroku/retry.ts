/**
 * Back-off for Heroku API calls that heroku-client does not retry itself: 429 (the account's
 * request pool is empty) and 5xx. heroku-client already retries network errors (4 times,
 * 1-8 s apart), so these rules only see HTTP answers.
 */
export interface RetryPolicy {
  /** retries after 429 before giving up with a rate-limited error */
  maxRetries: number;
  /** retries after a 5xx before giving up with an upstream error */
  maxServerRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {maxRetries: 5, maxServerRetries: 2, baseDelayMs: 1000, maxDelayMs: 30_000};

/** Exponential back-off with equal jitter: half of the ceiling fixed, half random. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before retrying an HTTP failure, or undefined to give up: 429s up to
 * maxRetries times, 5xx up to maxServerRetries times. A `Retry-After` is honoured when it
 * fits within maxDelayMs; a longer one ends the retries at once (a CLI should not sit idle
 * for an hour).
 */
export function retryDelay(failure: {status?: number; retryAfterMs?: number}, retry: number, policy: RetryPolicy, random: () => number): number | undefined {
  const status = failure.status ?? 0;
  const limit = status === 429 ? policy.maxRetries : status >= 500 ? policy.maxServerRetries : 0;
  if (retry >= limit) return undefined;
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs <= policy.maxDelayMs ? failure.retryAfterMs : undefined;
  return backoffDelay(retry, policy, random);
}
