/** What the workflows need from AWS Secrets Manager (and KMS for a customer key). */
export interface SecretDescription {
  arn: string;
  name: string;
  tags: Record<string, string>;
  /** set when the secret is scheduled for deletion */
  deletedDate?: Date;
  kmsKeyId?: string;
  /** version id -> staging labels */
  versions: Record<string, string[]>;
}

export interface SecretValue {
  versionId: string;
  value: string;
}

export interface SecretStore {
  describe(name: string): Promise<SecretDescription | null>;
  /** AWSCURRENT, or the given version; null when the secret has no such version */
  getValue(secretId: string, versionId?: string): Promise<SecretValue | null>;
  /**
   * creates the secret, with `initialValue` as its first version (AWSCURRENT at once), or without
   * any version when it is absent (then the first putVersion becomes AWSCURRENT whatever its stage)
   */
  create(name: string, options: {kmsKeyId?: string; tags: Record<string, string>; description: string; initialValue?: string}): Promise<{arn: string}>;
  /** adds a version carrying only `stage` (not AWSCURRENT); `token` makes retries idempotent */
  putVersion(secretId: string, value: string, token: string, stage: string): Promise<{versionId: string}>;
  /** moves AWSCURRENT to versionId (from previousVersionId when there is one) */
  promote(secretId: string, versionId: string, previousVersionId?: string): Promise<void>;
  removeStage(secretId: string, stage: string, versionId: string): Promise<void>;
  tag(secretId: string, tags: Record<string, string>): Promise<void>;
  /** deletes without a recovery window: only for a secret this run created and could not complete */
  forceDelete(secretId: string): Promise<void>;
  stats(): {requests: number};
}

export interface KeyChecker {
  /** resolves a KMS key id/ARN/alias to its ARN, or fails with a clear error when it does not exist or is disabled */
  checkKey(keyId: string): Promise<{arn: string}>;
}
