/** AWS SDK errors -> MigrateError with a fix. Messages name the operation, never values. */
import {Transform, type Readable} from 'node:stream';
import {MigrateError} from '../../domain/errors.ts';
import {redact, rememberSecrets} from '../../domain/redaction.ts';
import {httpLimits} from '../http-limits.ts';

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: {httpStatusCode?: number};
  code?: string;
}

const CREDENTIAL_HINT =
  'Configure AWS credentials: AWS_PROFILE (aws configure / aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';

export function awsError(err: unknown, action: string): MigrateError {
  if (err instanceof MigrateError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new MigrateError('auth', `No AWS credentials found while trying to ${action}.`, {hint: CREDENTIAL_HINT});
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return new MigrateError('usage', `No AWS region configured while trying to ${action}.`, {hint: 'Pass --region or set AWS_REGION.'});
  }
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'ExpiredTokenException', 'ExpiredToken'].includes(name)) {
    return new MigrateError('auth', `AWS rejected the credentials (${name}) while trying to ${action}.`, {hint: CREDENTIAL_HINT});
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || status === 403) {
    return new MigrateError('forbidden', `AWS denied access (${name}) while trying to ${action}.`, {
      hint: 'Grant the caller the IAM permissions the operation needs (see README: IAM permissions).',
    });
  }
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException' || name === 'Throttling' || status === 429) {
    return new MigrateError('rate-limited', `AWS throttled the requests (${name}) while trying to ${action}, after the SDK's retries.`, {
      hint: 'Retry in a minute; raise AWS_MAX_ATTEMPTS for more retries.',
    });
  }
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    return new MigrateError('upstream', `The AWS endpoint did not answer in time (${name}) while trying to ${action}.`, {
      hint: 'Check the network, AWS_ENDPOINT_URL and the region; on a slow link raise MIGRATE_HTTP_TIMEOUT (seconds). See docs/network-limits.md.',
    });
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND') {
    return new MigrateError('upstream', `Cannot reach the AWS endpoint (${e.code ?? name}) while trying to ${action}.`, {
      hint: 'Check the network, AWS_ENDPOINT_URL and the region.',
    });
  }
  if ((status ?? 0) >= 500) {
    return new MigrateError('upstream', `AWS answered ${status} (${name}) while trying to ${action}.`, {hint: 'Retry later; see the AWS Health Dashboard.'});
  }
  return new MigrateError('aws', `AWS error ${name} while trying to ${action}${e.message && e.message.length < 300 ? `: ${redact(e.message).replace(/\.+$/, '')}` : ''}.`, {
    hint: 'See the AWS error above; nothing was changed by this step.',
  });
}

/**
 * Client settings shared by every AWS adapter. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> support; retries from its standard mode.
 */
export interface AwsClientOptions {
  region: string;
  maxAttempts?: number;
}

/**
 * Timeouts through the SDK's own request handler options (docs/network-limits.md): connecting,
 * the wait for the response headers (an error, not only the SDK's default warning), and socket
 * inactivity while the body arrives. The SDK's retries then apply to a timed-out attempt.
 */
export function clientConfig(o: AwsClientOptions) {
  const limits = httpLimits();
  rememberSecrets([process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN]);
  return {
    region: o.region,
    ...(o.maxAttempts ? {maxAttempts: o.maxAttempts} : {}),
    requestHandler: {connectionTimeout: limits.connectTimeoutMs, requestTimeout: limits.idleTimeoutMs, throwOnRequestTimeout: true, socketTimeout: limits.idleTimeoutMs},
  };
}

interface RawResponse {
  headers?: Record<string, string | undefined>;
  body?: unknown;
}
interface StackClient {
  middlewareStack: {add(middleware: unknown, options: {step: 'deserialize'; priority: 'low'; name: string; override?: boolean}): void};
}

/**
 * Adds the response size cap to an AWS client (docs/network-limits.md): an answer announcing
 * more than the cap is refused before it is read; a body (streamed or not) is cut off with an
 * error once it passes the cap. Sits just inside the deserializer, so it sees the raw response.
 */
export function capResponses<C>(client: C, maxBytes = httpLimits().maxBytes): C {
  const tooLarge = () =>
    new MigrateError('upstream', `An AWS endpoint sent an answer larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`, {
      hint: 'Check AWS_ENDPOINT_URL (if set) and any proxy in between; AWS API answers are far smaller.',
    });
  (client as StackClient).middlewareStack.add(
    (next: (args: unknown) => Promise<{response: unknown}>) => async (args: unknown) => {
      const result = await next(args);
      const res = result.response as RawResponse;
      const body = res.body as Readable | undefined;
      if (Number(res.headers?.['content-length']) > maxBytes) {
        body?.destroy?.();
        throw tooLarge();
      }
      if (body && typeof body.pipe === 'function') {
        let bytes = 0;
        const limiter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            bytes += chunk.length;
            if (bytes > maxBytes) {
              body.destroy();
              return done(tooLarge());
            }
            done(null, chunk);
          },
        });
        body.on('error', (err) => limiter.destroy(err));
        res.body = body.pipe(limiter);
      }
      return result;
    },
    {step: 'deserialize', priority: 'low', name: 'heroku2awsResponseCap', override: true},
  );
  return client;
}
