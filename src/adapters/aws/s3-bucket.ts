/** The state bucket's settings through the S3 SDK (loaded lazily): versioning, public access block, encryption, policy. */
import type {BucketSettings, StateBucketAdmin} from '../../ports/state-backend.ts';
import {MigrateError} from '../../domain/errors.ts';
import {awsError, clientConfig, type AwsClientOptions} from './errors.ts';

interface SdkErr {
  name?: string;
  $metadata?: {httpStatusCode?: number};
}
const code = (err: unknown) => (err as SdkErr)?.name ?? '';
const httpStatus = (err: unknown) => (err as SdkErr)?.$metadata?.httpStatusCode;

export async function createStateBucketAdmin(options: AwsClientOptions): Promise<StateBucketAdmin> {
  const s3 = await import('@aws-sdk/client-s3');
  const env = process.env;
  const client = new s3.S3Client({
    ...clientConfig(options),
    followRegionRedirects: true,
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
    requestHandler: {connectionTimeout: 5_000, requestTimeout: 15_000},
  });
  async function call<T>(action: string, fn: () => Promise<T>, absent: string[] = []): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (absent.includes(code(err))) return null;
      throw awsError(err, action);
    }
  }

  return {
    async inspect(bucket) {
      let region: string | undefined;
      try {
        region = (await client.send(new s3.HeadBucketCommand({Bucket: bucket}))).BucketRegion;
      } catch (err) {
        if (httpStatus(err) === 404 || code(err) === 'NotFound' || code(err) === 'NoSuchBucket') return {exists: false, versioning: 'Off', publicAccessBlocked: false, encryption: null, policy: null};
        if (httpStatus(err) === 403) {
          throw new MigrateError('forbidden', `The bucket ${bucket} exists but this AWS identity cannot use it (403): it belongs to another account, or s3:ListBucket is not granted.`, {
            hint: 'Choose another bucket name (names are global across AWS accounts), or grant the permissions in docs/team-state.md.',
          });
        }
        throw awsError(err, `look up bucket ${bucket}`);
      }
      const b = {Bucket: bucket};
      const [versioning, pab, enc, policy] = await Promise.all([
        call(`read the versioning of ${bucket}`, () => client.send(new s3.GetBucketVersioningCommand(b))),
        call(`read the public access block of ${bucket}`, () => client.send(new s3.GetPublicAccessBlockCommand(b)), ['NoSuchPublicAccessBlockConfiguration']),
        call(`read the default encryption of ${bucket}`, () => client.send(new s3.GetBucketEncryptionCommand(b)), ['ServerSideEncryptionConfigurationNotFoundError']),
        call(`read the policy of ${bucket}`, () => client.send(new s3.GetBucketPolicyCommand(b)), ['NoSuchBucketPolicy']),
      ]);
      const block = pab?.PublicAccessBlockConfiguration;
      const rule = enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      return {
        exists: true,
        ...(region ? {region} : {}),
        versioning: versioning?.Status === 'Enabled' ? 'Enabled' : versioning?.Status === 'Suspended' ? 'Suspended' : 'Off',
        publicAccessBlocked: Boolean(block?.BlockPublicAcls && block.IgnorePublicAcls && block.BlockPublicPolicy && block.RestrictPublicBuckets),
        encryption: rule?.SSEAlgorithm ? {algorithm: rule.SSEAlgorithm, ...(rule.KMSMasterKeyID ? {kmsKeyId: rule.KMSMasterKeyID} : {})} : null,
        policy: policy?.Policy ?? null,
      } satisfies BucketSettings;
    },
    async create(bucket, region) {
      const location = region === 'us-east-1' ? {} : {CreateBucketConfiguration: {LocationConstraint: region as never}};
      try {
        await client.send(new s3.CreateBucketCommand({Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...location}));
      } catch (err) {
        if (code(err) === 'BucketAlreadyOwnedByYou') return;
        if (code(err) === 'BucketAlreadyExists') {
          throw new MigrateError('conflict', `The bucket name ${bucket} is taken by another AWS account.`, {hint: 'Bucket names are global: choose another --bucket.'});
        }
        throw awsError(err, `create bucket ${bucket}`);
      }
    },
    async enableVersioning(bucket) {
      await call(`turn on versioning of ${bucket}`, () => client.send(new s3.PutBucketVersioningCommand({Bucket: bucket, VersioningConfiguration: {Status: 'Enabled'}})));
    },
    async blockPublicAccess(bucket) {
      const all = {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true};
      await call(`block public access to ${bucket}`, () => client.send(new s3.PutPublicAccessBlockCommand({Bucket: bucket, PublicAccessBlockConfiguration: all})));
    },
    async setEncryption(bucket, kmsKeyId) {
      const byDefault = kmsKeyId ? {SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: kmsKeyId} : {SSEAlgorithm: 'AES256' as const};
      const rules = [{ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: Boolean(kmsKeyId)}];
      await call(`set the default encryption of ${bucket}`, () => client.send(new s3.PutBucketEncryptionCommand({Bucket: bucket, ServerSideEncryptionConfiguration: {Rules: rules}})));
    },
    async putPolicy(bucket, policy) {
      await call(`set the policy of ${bucket}`, () => client.send(new s3.PutBucketPolicyCommand({Bucket: bucket, Policy: policy})));
    },
  };
}
