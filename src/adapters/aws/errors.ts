/** AWS SDK errors -> MigrateError with a fix. Messages name the operation, never values. */
import {MigrateError} from '../../domain/errors.ts';

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
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || name === 'TimeoutError') {
    return new MigrateError('upstream', `Cannot reach the AWS endpoint (${e.code ?? name}) while trying to ${action}.`, {
      hint: 'Check the network, AWS_ENDPOINT_URL and the region.',
    });
  }
  if ((status ?? 0) >= 500) {
    return new MigrateError('upstream', `AWS answered ${status} (${name}) while trying to ${action}.`, {hint: 'Retry later; see the AWS Health Dashboard.'});
  }
  return new MigrateError('aws', `AWS error ${name} while trying to ${action}${e.message && e.message.length < 300 ? `: ${e.message.replace(/\.+$/, '')}` : ''}.`, {
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

export const clientConfig = (o: AwsClientOptions) => ({region: o.region, ...(o.maxAttempts ? {maxAttempts: o.maxAttempts} : {})});
