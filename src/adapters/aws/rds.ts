/**
 * RdsAdmin on Amazon RDS (SDK v3, loaded lazily): PostgreSQL instances that are encrypted, not
 * public, deletion-protected, with the master password managed by RDS in Secrets Manager.
 */
import type {DBInstance} from '@aws-sdk/client-rds';
import type {DbInstanceView, RdsAdmin} from '../../ports/addons.ts';
import {MigrateError} from '../../domain/errors.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({Key, Value}));

export function viewOf(d: DBInstance): DbInstanceView {
  return {
    id: d.DBInstanceIdentifier ?? '',
    arn: d.DBInstanceArn ?? '',
    status: d.DBInstanceStatus ?? 'unknown',
    instanceClass: d.DBInstanceClass ?? '',
    multiAz: d.MultiAZ ?? false,
    encrypted: d.StorageEncrypted ?? false,
    publiclyAccessible: d.PubliclyAccessible ?? false,
    deletionProtection: d.DeletionProtection ?? false,
    engineVersion: d.EngineVersion ?? '',
    ...(d.Endpoint?.Address ? {endpoint: {address: d.Endpoint.Address, port: d.Endpoint.Port ?? 5432}} : {}),
    ...(d.MasterUserSecret?.SecretArn ? {masterSecretArn: d.MasterUserSecret.SecretArn} : {}),
    masterUser: d.MasterUsername ?? '',
    ...(d.DBName ? {dbName: d.DBName} : {}),
    tags: Object.fromEntries((d.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    ...(d.AllocatedStorage ? {storageGb: d.AllocatedStorage, maxStorageGb: d.MaxAllocatedStorage ?? d.AllocatedStorage} : {}),
  };
}

export async function createRdsAdmin(options: AwsClientOptions): Promise<RdsAdmin> {
  const rds = await import('@aws-sdk/client-rds');
  const client = capResponses(new rds.RDSClient(clientConfig(options)));
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw awsError(err, action);
    }
  };
  const describe = async (id: string) => {
    try {
      const r = await client.send(new rds.DescribeDBInstancesCommand({DBInstanceIdentifier: id}));
      return r.DBInstances?.[0] ? viewOf(r.DBInstances[0]) : null;
    } catch (err) {
      if ((err as {name?: string}).name === 'DBInstanceNotFoundFault' || (err as {name?: string}).name === 'DBInstanceNotFound') return null;
      throw awsError(err, `describe RDS instance ${id}`);
    }
  };
  return {
    async ensureSubnetGroup(name, subnetIds, tags) {
      try {
        await client.send(new rds.CreateDBSubnetGroupCommand({DBSubnetGroupName: name, DBSubnetGroupDescription: 'Private subnets of the app (heroku2aws)', SubnetIds: subnetIds, Tags: toTags(tags)}));
        return {created: true};
      } catch (err) {
        if ((err as {name?: string}).name === 'DBSubnetGroupAlreadyExistsFault' || (err as {name?: string}).name === 'DBSubnetGroupAlreadyExists') return {created: false};
        throw awsError(err, `create DB subnet group ${name}`);
      }
    },
    describe,
    async create(spec, securityGroupId) {
      const r = await call(`create RDS instance ${spec.id}`, () =>
        client.send(
          new rds.CreateDBInstanceCommand({
            DBInstanceIdentifier: spec.id,
            Engine: 'postgres',
            ...(spec.engineVersion ? {EngineVersion: spec.engineVersion} : {}),
            DBInstanceClass: spec.instanceClass,
            MultiAZ: spec.multiAz,
            DBName: spec.dbName,
            MasterUsername: spec.masterUser,
            ManageMasterUserPassword: true,
            AllocatedStorage: spec.storageGb,
            MaxAllocatedStorage: spec.maxStorageGb,
            StorageType: 'gp3',
            StorageEncrypted: true,
            PubliclyAccessible: false,
            DeletionProtection: true,
            DBSubnetGroupName: spec.subnetGroup,
            VpcSecurityGroupIds: [securityGroupId],
            BackupRetentionPeriod: 7,
            CopyTagsToSnapshot: true,
            AutoMinorVersionUpgrade: true,
            EnableCloudwatchLogsExports: ['postgresql'],
            Tags: toTags(spec.tags),
          }),
        ),
      );
      if (!r.DBInstance) throw new MigrateError('aws', `RDS did not return the new instance ${spec.id}.`, {hint: 'Re-run: provisioning is idempotent.'});
      return viewOf(r.DBInstance);
    },
    async waitAvailable(id, timeoutSeconds) {
      try {
        await rds.waitUntilDBInstanceAvailable({client, maxWaitTime: timeoutSeconds, minDelay: 15, maxDelay: 60}, {DBInstanceIdentifier: id});
      } catch (err) {
        if ((err as {name?: string}).name === 'TimeoutError' || /timed? ?out/i.test((err as Error).message ?? '')) {
          throw new MigrateError('upstream', `RDS instance ${id} is not available after ${timeoutSeconds} s (creating takes 10-20 minutes; Multi-AZ longer).`, {hint: 'Re-run `migrate addons provision` later: it picks up where it stopped.'});
        }
        throw awsError(err, `wait for RDS instance ${id}`);
      }
      const view = await describe(id);
      if (!view) throw new MigrateError('not-found', `RDS instance ${id} disappeared while waiting.`, {hint: 'Check the RDS console; re-run to create it again.'});
      return view;
    },
  };
}
