/**
 * Turns heroku-client rejections into MigrateErrors with hints. heroku-client rejects with
 * `Error('Expected response to be successful, got <status>')` carrying `statusCode` and the
 * parsed `body` (`{id, message, resource?}` on Heroku) but no headers (the adapter captures
 * those through heroku-client's `middleware` hook); network failures reject with the Node
 * system error (`code`: ECONNREFUSED...); a 2xx body that is not JSON rejects with the
 * SyntaxError from JSON.parse, whose message quotes the body, so it is never passed on.
 * Messages name what was being read, never a config var value or the token.
 */
import type {IncomingHttpHeaders} from 'node:http';
import {MigrateError} from '../../domain/errors.ts';
import {redact} from '../../domain/redaction.ts';
import {BoundedFailure} from './bounded.ts';
import {retryAfterMs} from './retry.ts';

export interface HerokuFailure {
  kind: 'http' | 'network' | 'parse' | 'timeout' | 'too-large' | 'truncated';
  /** what the limit saw (timeout, too-large, truncated) */
  detail?: string;
  status?: number;
  /** Heroku's error id, e.g. not_found, rate_limit */
  id?: string;
  /** Heroku's error message (http failures only) */
  message?: string;
  /** Heroku's `resource` on 404s, e.g. app, slug */
  resource?: string;
  /** Node's error code for network failures */
  code?: string;
  rateLimitRemaining?: number;
  retryAfterMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function readFailure(err: unknown, headers: IncomingHttpHeaders, now: number): HerokuFailure {
  if (err instanceof SyntaxError) return {kind: 'parse'};
  if (err instanceof BoundedFailure) return {kind: err.kind, detail: err.message};
  const e = isRecord(err) ? err : {};
  if (typeof e.statusCode !== 'number') return {kind: 'network', code: str(e.code) ?? (err instanceof Error ? err.name : 'unknown error')};
  const body = isRecord(e.body) ? e.body : {};
  const remaining = header(headers, 'ratelimit-remaining');
  return {
    kind: 'http',
    status: e.statusCode,
    id: str(body.id),
    message: str(body.message),
    resource: str(body.resource),
    rateLimitRemaining: remaining !== undefined && /^\d+$/.test(remaining) ? Number(remaining) : undefined,
    retryAfterMs: retryAfterMs(header(headers, 'retry-after'), now),
  };
}

export interface CallContext {
  /** what was being read, e.g. "the config vars of app 'shop'" */
  what: string;
  app?: string;
  /** true when the call reads config var values (a 403 then means a missing scope) */
  configVars?: boolean;
  apiUrl: string;
  tokenSource: string;
  /** only to redact it from Heroku's own messages */
  token: string;
  retries: number;
}

function herokuSays(failure: HerokuFailure, ctx: CallContext): string {
  const id = failure.id ?? 'no error id';
  if (!failure.message) return id;
  const message = redact(failure.message.split(ctx.token).join('[redacted]')).replace(/\s+/g, ' ').trim();
  return `${id}: ${message.length > 200 ? `${message.slice(0, 200)}...` : message}`;
}

const retried = (n: number) => (n === 0 ? '' : ` after ${n} ${n === 1 ? 'retry' : 'retries'}`);

export function toMigrateError(failure: HerokuFailure, ctx: CallContext): MigrateError {
  if (failure.kind === 'network') {
    return new MigrateError('upstream', `Cannot reach the Heroku API at ${ctx.apiUrl} (${failure.code}) while reading ${ctx.what}.`, {
      hint: 'Check the network connection and HEROKU_API_URL (if set). (heroku-client already retries transient connection errors itself.)',
    });
  }
  if (failure.kind === 'timeout' || failure.kind === 'truncated' || failure.kind === 'too-large') {
    const what = {timeout: 'did not answer in time', truncated: 'sent an incomplete answer', 'too-large': 'sent an answer too large to accept'}[failure.kind];
    return new MigrateError('upstream', `The Heroku API at ${ctx.apiUrl} ${what} (${failure.detail}) while reading ${ctx.what}.`, {
      hint:
        failure.kind === 'too-large'
          ? 'Check that HEROKU_API_URL (if set) points at the Heroku Platform API; a proxy may be misbehaving.'
          : 'Heroku or the network may be degraded (https://status.heroku.com): retry in a few minutes. On a slow link, raise MIGRATE_HTTP_TIMEOUT (seconds).',
    });
  }
  if (failure.kind === 'parse') {
    return new MigrateError('upstream', `The Heroku API at ${ctx.apiUrl} sent a response that is not JSON while reading ${ctx.what}.`, {
      hint: 'Check that HEROKU_API_URL (if set) points at the Heroku Platform API.',
    });
  }
  const status = failure.status ?? 0;
  if (status === 401) {
    return new MigrateError('auth', `Heroku rejected the API token from ${ctx.tokenSource} (401 unauthorized): it is invalid, revoked or expired.`, {
      hint: 'Run `heroku login`, or create a token with `heroku authorizations:create` and set HEROKU_API_KEY.',
    });
  }
  if (status === 403 && ctx.configVars) {
    return new MigrateError('forbidden', `The Heroku API token from ${ctx.tokenSource} may not read the config vars of app '${ctx.app}' (403 ${failure.id ?? 'forbidden'}).`, {
      hint:
        'Reading config var values needs a token with the read-protected or global scope: ' +
        '`heroku authorizations:create --scope read-protected`, then set HEROKU_API_KEY to it.',
    });
  }
  if (status === 403) {
    return new MigrateError('forbidden', `The Heroku API token from ${ctx.tokenSource} may not read ${ctx.what} (403 ${herokuSays(failure, ctx)}).`, {
      hint: 'The token needs the read (or global) scope, and its account needs access to the app (`heroku access --app APP`).',
    });
  }
  if (status === 404) {
    const message = failure.resource === 'app'
      ? `Heroku app '${ctx.app}' not found, or the account of the token from ${ctx.tokenSource} cannot see it.`
      : `Heroku could not find ${ctx.what} (404 ${herokuSays(failure, ctx)}).`;
    return new MigrateError('not-found', message, {
      hint: 'Check the app name: `heroku apps` lists the apps this account can see (add `--team TEAM` for team apps).',
    });
  }
  if (status === 429) {
    const remaining = failure.rateLimitRemaining ?? 0;
    const wait = failure.retryAfterMs === undefined ? '' : ` Heroku asked to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s.`;
    return new MigrateError(
      'rate-limited',
      `The Heroku API rate limit stopped reading ${ctx.what}${retried(ctx.retries)}: the account's pool of request tokens is exhausted (RateLimit-Remaining: ${remaining}).${wait}`,
      {hint: 'The pool (4,500 requests per account) refills at about 75 requests per minute: wait a few minutes and retry. Other tools using the same account draw from the same pool.'},
    );
  }
  if (status >= 500) {
    return new MigrateError('upstream', `The Heroku API answered ${status} (${herokuSays(failure, ctx)}) while reading ${ctx.what}${retried(ctx.retries)}.`, {
      hint: 'Heroku may be degraded (https://status.heroku.com): retry in a few minutes.',
    });
  }
  return new MigrateError('upstream', `The Heroku API answered ${status} (${herokuSays(failure, ctx)}) while reading ${ctx.what}.`, {
    hint: 'This is unexpected for a read; retry, and report it if it persists.',
  });
}
