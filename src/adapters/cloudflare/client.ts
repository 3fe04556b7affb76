/**
 * The official `cloudflare` SDK, set up for this tool: loaded lazily (about 0.4 s of start-up),
 * given the token and base URL explicitly (an explicit option, else CLOUDFLARE_API_TOKEN and
 * CLOUDFLARE_BASE_URL from the given environment), and given a `fetch` that counts every HTTP
 * exchange. The SDK retries 429, 408, 409, 5xx and connection failures itself (2 retries by
 * default), waiting out any `Retry-After` however long; this fetch marks a 429 whose wait exceeds
 * `maxRetryAfterMs` as not retryable (`x-should-retry: false`), so a 5-minute block fails at once
 * instead of holding the CLI for 10 minutes.
 */
import type {Cloudflare} from 'cloudflare';
import {MigrateError, usageError} from '../../domain/errors.ts';
import {rememberSecrets} from '../../domain/redaction.ts';
import {httpLimits, type HttpLimits} from '../http-limits.ts';

export const DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

export const TOKEN_PERMISSIONS =
  'Zone > Load Balancers > Edit (on the zone), Zone > Zone > Read (edge setup checks Host headers against the account\'s zones) and Account > Load Balancing: Monitors and Pools > Edit (on the account)';

export type Env = Record<string, string | undefined>;
export type Sdk = typeof import('cloudflare');

export interface CloudflareSettings {
  token: string;
  /** where the token came from, for messages (never the token itself) */
  tokenSource: string;
  baseUrl: string;
}

export interface CallCounters {
  requests: number;
  retries: number;
}

export function resolveSettings(options: {token?: string; baseUrl?: string; env: Env}): CloudflareSettings {
  const explicit = options.token?.trim();
  const fromEnv = options.env.CLOUDFLARE_API_TOKEN?.trim();
  const token = explicit || fromEnv;
  if (!token) {
    throw new MigrateError('auth', 'No Cloudflare API token found (CLOUDFLARE_API_TOKEN is not set).', {
      hint: `Create an API token in the Cloudflare dashboard (My Profile > API Tokens) with ${TOKEN_PERMISSIONS}, and set CLOUDFLARE_API_TOKEN to it.`,
    });
  }
  const raw = options.baseUrl ?? (options.env.CLOUDFLARE_BASE_URL?.trim() || DEFAULT_BASE_URL);
  const hint = `Set CLOUDFLARE_BASE_URL to e.g. ${DEFAULT_BASE_URL}, or unset it.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError('The Cloudflare API base URL is not a valid URL.', hint);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError(`The Cloudflare API base URL must use http or https, not ${url.protocol}`, hint);
  if (url.username || url.password) throw usageError('The Cloudflare API base URL must not contain credentials.', 'Put the token in CLOUDFLARE_API_TOKEN.');
  rememberSecrets([token]);
  return {token, tokenSource: explicit ? 'the token option' : 'CLOUDFLARE_API_TOKEN', baseUrl: url.href.replace(/\/+$/, '')};
}

/** `Retry-After` (delta-seconds or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The body of `res` within the limits (docs/network-limits.md): the SDK's own `timeout` ends
 * only the wait for the headers, and it reads bodies whole. The body fails (with a MigrateError,
 * which the error mapping passes through, and which the SDK does not retry) when it announces or
 * passes the size cap, or when no byte arrives for the idle timeout.
 */
export function limitBody(res: Response, limits: Pick<HttpLimits, 'idleTimeoutMs' | 'maxBytes'>, baseUrl: string): ReadableStream<Uint8Array> | null {
  if (!res.body) return null;
  const failure = (what: string) =>
    new MigrateError('upstream', `The Cloudflare API at ${baseUrl} ${what}.`, {
      hint: 'Check the network and CLOUDFLARE_BASE_URL (if set); on a slow link raise MIGRATE_HTTP_TIMEOUT (seconds). A write may have landed even though its answer was lost: read the live state before retrying it.',
    });
  const tooLarge = () => failure(`sent an answer larger than ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
  const reader = res.body.getReader();
  if (Number(res.headers.get('content-length')) > limits.maxBytes) {
    void reader.cancel().catch(() => {});
    return new ReadableStream({start: (controller) => controller.error(tooLarge())});
  }
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`sent nothing for ${Math.round(limits.idleTimeoutMs / 1000)} s in the middle of an answer`)), limits.idleTimeoutMs);
      });
      try {
        const {done, value} = await Promise.race([reader.read(), idle]);
        if (done) return controller.close();
        bytes += value.byteLength;
        if (bytes > limits.maxBytes) throw tooLarge();
        controller.enqueue(value);
      } catch (err) {
        void reader.cancel().catch(() => {});
        controller.error(err);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function countingFetch(counters: CallCounters, maxRetryAfterMs: number, limits: HttpLimits, baseUrl: string): Fetch {
  return async (input, init) => {
    counters.requests++;
    if (Number(new Headers(init?.headers).get('x-stainless-retry-count') ?? 0) > 0) counters.retries++;
    const res = await fetch(input, init);
    const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
    const headers = new Headers(res.headers);
    if (wait !== undefined && wait > maxRetryAfterMs) headers.set('x-should-retry', 'false');
    return new Response(limitBody(res, limits, baseUrl), {status: res.status, statusText: res.statusText, headers});
  };
}

export async function openClient(
  settings: CloudflareSettings,
  counters: CallCounters,
  options: {maxRetries?: number; maxRetryAfterMs: number},
): Promise<{client: Cloudflare; sdk: Sdk}> {
  const sdk = await import('cloudflare');
  const limits = httpLimits();
  const client = new sdk.Cloudflare({
    apiToken: settings.token,
    // only the token: the SDK would otherwise also send CLOUDFLARE_API_KEY / CLOUDFLARE_EMAIL from process.env
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL: settings.baseUrl,
    maxRetries: options.maxRetries,
    fetch: countingFetch(counters, options.maxRetryAfterMs, limits, settings.baseUrl),
    // the wait for the response headers; the body is bounded by limitBody
    timeout: limits.idleTimeoutMs,
    logLevel: 'off',
  });
  return {client, sdk};
}

export interface Caller {
  /** runs one SDK request, turning its failure into a MigrateError that says what was being done */
  <T>(what: string, request: (cf: Cloudflare) => PromiseLike<T>): Promise<T>;
}

/** One lazily opened client and the error mapping every Cloudflare adapter shares. */
export function createCaller(
  settings: CloudflareSettings,
  counters: CallCounters,
  options: {maxRetries?: number; maxRetryAfterMs: number},
  context: {permissions?: string; notFoundHint?: string} = {},
): Caller {
  let connection: Promise<{client: Cloudflare; sdk: Sdk}> | undefined;
  const connect = () => (connection ??= openClient(settings, counters, options));
  return async (what, request) => {
    const {client, sdk} = await connect();
    const before = counters.retries;
    try {
      return await request(client);
    } catch (err) {
      const {toMigrateError} = await import('./errors.ts');
      throw toMigrateError(err, {what, baseUrl: settings.baseUrl, tokenSource: settings.tokenSource, token: settings.token, retries: counters.retries - before, ...context}, sdk);
    }
  };
}
