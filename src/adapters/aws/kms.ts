/** KeyChecker on AWS KMS: the key must exist and be enabled before a secret is encrypted with it. */
import {MigrateError} from '../../domain/errors.ts';
import type {KeyChecker} from '../../ports/secrets.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

export async function createKeyChecker(options: AwsClientOptions): Promise<KeyChecker> {
  const kms = await import('@aws-sdk/client-kms');
  const client = capResponses(new kms.KMSClient(clientConfig(options)));
  return {
    async checkKey(keyId) {
      try {
        const {KeyMetadata: m} = await client.send(new kms.DescribeKeyCommand({KeyId: keyId}));
        if (!m?.Enabled) {
          throw new MigrateError('input', `KMS key ${keyId} is ${m?.KeyState ?? 'not enabled'}.`, {hint: 'Enable the key or pass another --kms-key.'});
        }
        return {arn: m.Arn ?? keyId};
      } catch (err) {
        if ((err as {name?: string}).name === 'NotFoundException') {
          throw new MigrateError('input', `KMS key ${keyId} not found in this account and region.`, {
            hint: 'Check --kms-key (key id, key ARN or alias/NAME) and --region, or leave it out to use the AWS managed key.',
          });
        }
        throw awsError(err, `check KMS key ${keyId}`);
      }
    },
  };
}
