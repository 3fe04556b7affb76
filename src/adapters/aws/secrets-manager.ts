/** SecretStore on AWS Secrets Manager (SDK v3, loaded lazily). Values pass through, never into errors. */
import type {SecretDescription, SecretStore} from '../../ports/secrets.ts';
import {rememberSecrets} from '../../domain/redaction.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

const NOT_FOUND = Symbol('not found');

/** A secret's values are known secrets from here on (redacted from any message): the JSON object's values, else the whole string. */
function remember(secretString: string): void {
  try {
    const parsed: unknown = JSON.parse(secretString);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return rememberSecrets(Object.values(parsed).filter((v): v is string => typeof v === 'string'));
  } catch {
    // not JSON: the whole string is the secret
  }
  rememberSecrets([secretString]);
}
const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({Key, Value}));

export async function createSecretStore(options: AwsClientOptions): Promise<SecretStore> {
  const sm = await import('@aws-sdk/client-secrets-manager');
  const client = capResponses(new sm.SecretsManagerClient(clientConfig(options)));
  let requests = 0;
  /** one SDK call; ResourceNotFoundException becomes NOT_FOUND when allowed */
  async function call<T>(action: string, fn: () => Promise<T>, allowMissing: true): Promise<T | typeof NOT_FOUND>;
  async function call<T>(action: string, fn: () => Promise<T>): Promise<T>;
  async function call<T>(action: string, fn: () => Promise<T>, allowMissing = false): Promise<T | typeof NOT_FOUND> {
    requests++;
    try {
      return await fn();
    } catch (err) {
      if (allowMissing && (err as {name?: string})?.name === 'ResourceNotFoundException') return NOT_FOUND;
      throw awsError(err, action);
    }
  }

  return {
    async describe(name) {
      const d = await call(`describe secret ${name}`, () => client.send(new sm.DescribeSecretCommand({SecretId: name})), true);
      if (d === NOT_FOUND) return null;
      const out: SecretDescription = {
        arn: d.ARN ?? '',
        name: d.Name ?? name,
        tags: Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        versions: d.VersionIdsToStages ?? {},
      };
      if (d.DeletedDate) out.deletedDate = d.DeletedDate;
      if (d.KmsKeyId) out.kmsKeyId = d.KmsKeyId;
      return out;
    },
    async getValue(secretId, versionId) {
      // AWSCURRENT named explicitly (the API's default): moto 5.2.1 answers a stale version without it
      // after UpdateSecretVersionStage, and an explicit stage means the same on AWS.
      const input = {SecretId: secretId, ...(versionId ? {VersionId: versionId} : {VersionStage: 'AWSCURRENT'})};
      const v = await call(`read secret ${secretId}`, () => client.send(new sm.GetSecretValueCommand(input)), true);
      if (v === NOT_FOUND) return null;
      remember(v.SecretString ?? '');
      return {versionId: v.VersionId ?? '', value: v.SecretString ?? ''};
    },
    async create(name, o) {
      const input = {Name: name, Description: o.description, Tags: toTags(o.tags), ...(o.kmsKeyId ? {KmsKeyId: o.kmsKeyId} : {}), ...(o.initialValue === undefined ? {} : {SecretString: o.initialValue})};
      const r = await call(`create secret ${name}`, () => client.send(new sm.CreateSecretCommand(input)));
      return {arn: r.ARN ?? ''};
    },
    async putVersion(secretId, value, token, stage) {
      remember(value);
      const input = {SecretId: secretId, SecretString: value, ClientRequestToken: token, VersionStages: [stage]};
      const r = await call(`write a new version of secret ${secretId}`, () => client.send(new sm.PutSecretValueCommand(input)));
      return {versionId: r.VersionId ?? token};
    },
    async promote(secretId, versionId, previousVersionId) {
      const remove = previousVersionId && previousVersionId !== versionId ? {RemoveFromVersionId: previousVersionId} : {};
      const input = {SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: versionId, ...remove};
      await call(`make version ${versionId} of ${secretId} current`, () => client.send(new sm.UpdateSecretVersionStageCommand(input)));
    },
    async removeStage(secretId, stage, versionId) {
      const input = {SecretId: secretId, VersionStage: stage, RemoveFromVersionId: versionId};
      await call(`remove label ${stage} from ${secretId}`, () => client.send(new sm.UpdateSecretVersionStageCommand(input)));
    },
    async tag(secretId, tags) {
      await call(`tag secret ${secretId}`, () => client.send(new sm.TagResourceCommand({SecretId: secretId, Tags: toTags(tags)})));
    },
    async forceDelete(secretId) {
      await call(`delete secret ${secretId}`, () => client.send(new sm.DeleteSecretCommand({SecretId: secretId, ForceDeleteWithoutRecovery: true})));
    },
    stats: () => ({requests}),
  };
}
