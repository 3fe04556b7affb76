/**
 * Turns `cloudflare` SDK failures into MigrateErrors with hints. The SDK throws APIError
 * subclasses carrying `status`, Cloudflare's `errors` ([{code, message}]) and the response
 * `headers` (after its own retries), APIConnectionError(/TimeoutError) when no answer came.
 * Messages name what was being done (zone, account, load balancer, pool) and quote only
 * Cloudflare's error codes and messages, with the token redacted; never a raw body.
 */
import {MigrateError} from '../../domain/errors.ts';
import {redact} from '../../domain/redaction.ts';
import {retryAfterMs, TOKEN_PERMISSIONS, type Sdk} from './client.ts';

export interface CallContext {
  /** what was being done, e.g. "writing the pool weights of load balancer X (shop.example.com) in zone Z" */
  what: string;
  baseUrl: string;
  tokenSource: string;
  /** only to redact it */
  token: string;
  /** retries the SDK made for this call */
  retries: number;
  /** the token permissions this call needs (default: the load balancing ones) */
  permissions?: string;
  /** what to do when Cloudflare finds nothing (default: about the load balancer objects) */
  notFoundHint?: string;
}

const retried = (n: number) => (n === 0 ? '' : ` after ${n} ${n === 1 ? 'retry' : 'retries'}`);

function cloudflareSays(errors: unknown, token: string): string {
  const list = Array.isArray(errors) ? errors : [];
  const text = redact(list
    .map((e: {code?: unknown; message?: unknown}) => [e.code, e.message].filter((x) => typeof x === 'number' || typeof x === 'string').join(' '))
    .filter(Boolean)
    .join('; '))
    .split(token)
    .join('[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return 'no error details';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

export function toMigrateError(err: unknown, ctx: CallContext, sdk: Pick<Sdk, 'APIError' | 'APIConnectionError' | 'APIConnectionTimeoutError'>): MigrateError {
  if (err instanceof MigrateError) return err;
  if (err instanceof sdk.APIConnectionError) {
    const timedOut = err instanceof sdk.APIConnectionTimeoutError ? ' (timed out)' : '';
    return new MigrateError('upstream', `Cannot reach the Cloudflare API at ${ctx.baseUrl}${timedOut} while ${ctx.what}${retried(ctx.retries)}.`, {
      hint: 'Check the network connection and CLOUDFLARE_BASE_URL (if set). A write may have landed even though its answer was lost: read the live state before retrying it.',
      cause: err,
    });
  }
  if (!(err instanceof sdk.APIError) || err.status === undefined) {
    const message = (err instanceof Error ? err.message : String(err)).split(ctx.token).join('[redacted]');
    return new MigrateError('internal', `Unexpected failure while ${ctx.what}: ${message}`, {cause: err});
  }
  const status = err.status;
  const says = `${status} ${cloudflareSays(err.errors, ctx.token)}`;
  if (status === 401) {
    return new MigrateError('auth', `Cloudflare rejected the API token from ${ctx.tokenSource} (${says}) while ${ctx.what}: it is invalid, expired or revoked.`, {
      hint: `Create an API token in the Cloudflare dashboard (My Profile > API Tokens) with ${ctx.permissions ?? TOKEN_PERMISSIONS}, and set CLOUDFLARE_API_TOKEN to it.`,
    });
  }
  if (status === 403) {
    return new MigrateError('forbidden', `The Cloudflare API token from ${ctx.tokenSource} lacks a permission needed for ${ctx.what} (${says}).`, {
      hint: `The token needs ${ctx.permissions ?? TOKEN_PERMISSIONS}, with this zone and account among its resources: edit it in the Cloudflare dashboard (My Profile > API Tokens).`,
    });
  }
  if (status === 404) {
    return new MigrateError('not-found', `Cloudflare found nothing there while ${ctx.what} (${says}).`, {
      hint:
        ctx.notFoundHint ??
        "Check the zone and account ids in the plan (the zone's Overview page in the Cloudflare dashboard shows both). If the load balancer or a pool was deleted, run `migrate edge setup` again.",
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(err.headers?.get('retry-after'));
    const asked = wait === undefined ? '' : ` Cloudflare asked to wait ${Math.ceil(wait / 1000)} s.`;
    return new MigrateError(
      'rate-limited',
      `The Cloudflare API rate limit stopped ${ctx.what}${retried(ctx.retries)}: Cloudflare allows 1,200 requests per 5 minutes per user, and once over it blocks every call for 5 minutes.${asked}`,
      {hint: 'Wait 5 minutes, then retry. Other tools and dashboard sessions of the same user draw from the same limit.'},
    );
  }
  if (status >= 500) {
    return new MigrateError('upstream', `The Cloudflare API answered ${says} while ${ctx.what}${retried(ctx.retries)}.`, {
      hint: 'Cloudflare may be degraded (https://www.cloudflarestatus.com): retry in a few minutes. A write may have landed even though its answer was lost: read the live state before retrying it.',
    });
  }
  if (status === 409 || status === 412) {
    return new MigrateError('conflict', `Cloudflare refused ${ctx.what} because of a conflict (${says}).`, {
      hint: 'Someone else may be changing the same objects; look at them in the dashboard (Traffic > Load Balancing), then retry.',
    });
  }
  return new MigrateError('upstream', `Cloudflare refused ${ctx.what} (${says}).`, {
    hint: 'This request should be valid; report this message (it holds no secrets) if it persists.',
  });
}
