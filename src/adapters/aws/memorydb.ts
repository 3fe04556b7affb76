/** MemoryDbAdmin on Amazon MemoryDB (SDK v3, loaded lazily): TLS clusters, polled until available. */
import type {Cluster} from '@aws-sdk/client-memorydb';
import type {MemoryDbAdmin, MemoryDbView} from '../../ports/addons.ts';
import {MigrateError} from '../../domain/errors.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({Key, Value}));

const viewOf = (c: Cluster): MemoryDbView => ({
  name: c.Name ?? '',
  arn: c.ARN ?? '',
  status: c.Status ?? 'unknown',
  nodeType: c.NodeType ?? '',
  tls: c.TLSEnabled ?? false,
  acl: c.ACLName ?? '',
  engineVersion: c.EngineVersion ?? '',
  ...(c.ClusterEndpoint?.Address ? {endpoint: {address: c.ClusterEndpoint.Address, port: c.ClusterEndpoint.Port ?? 6379}} : {}),
});

export async function createMemoryDbAdmin(options: AwsClientOptions & {pollSeconds?: number; sleep?: (ms: number) => Promise<void>}): Promise<MemoryDbAdmin> {
  const mdb = await import('@aws-sdk/client-memorydb');
  const client = capResponses(new mdb.MemoryDBClient(clientConfig(options)));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const describe = async (name: string) => {
    try {
      const r = await client.send(new mdb.DescribeClustersCommand({ClusterName: name, ShowShardDetails: false}));
      return r.Clusters?.[0] ? viewOf(r.Clusters[0]) : null;
    } catch (err) {
      if ((err as {name?: string}).name === 'ClusterNotFoundFault') return null;
      throw awsError(err, `describe MemoryDB cluster ${name}`);
    }
  };
  return {
    async ensureSubnetGroup(name, subnetIds, tags) {
      try {
        await client.send(new mdb.CreateSubnetGroupCommand({SubnetGroupName: name, Description: 'Private subnets of the app (heroku2aws)', SubnetIds: subnetIds, Tags: toTags(tags)}));
        return {created: true};
      } catch (err) {
        if ((err as {name?: string}).name === 'SubnetGroupAlreadyExistsFault') return {created: false};
        throw awsError(err, `create MemoryDB subnet group ${name}`);
      }
    },
    describe,
    async tags(arn) {
      try {
        const r = await client.send(new mdb.ListTagsCommand({ResourceArn: arn}));
        return Object.fromEntries((r.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      } catch (err) {
        throw awsError(err, `list the tags of ${arn}`);
      }
    },
    async create(spec, securityGroupId) {
      try {
        const r = await client.send(
          new mdb.CreateClusterCommand({
            ClusterName: spec.name,
            NodeType: spec.nodeType,
            ACLName: spec.acl,
            TLSEnabled: true,
            NumShards: spec.shards,
            NumReplicasPerShard: spec.replicas,
            SubnetGroupName: spec.subnetGroup,
            SecurityGroupIds: [securityGroupId],
            ...(spec.engineVersion ? {EngineVersion: spec.engineVersion} : {}),
            SnapshotRetentionLimit: 7,
            AutoMinorVersionUpgrade: true,
            Tags: toTags(spec.tags),
          }),
        );
        if (!r.Cluster) throw new MigrateError('aws', `MemoryDB did not return the new cluster ${spec.name}.`, {hint: 'Re-run: provisioning is idempotent.'});
        return viewOf(r.Cluster);
      } catch (err) {
        throw awsError(err, `create MemoryDB cluster ${spec.name}`);
      }
    },
    async waitAvailable(name, timeoutSeconds, onStatus) {
      const deadline = Date.now() + timeoutSeconds * 1000;
      let last = '';
      for (;;) {
        const view = await describe(name);
        if (!view) throw new MigrateError('not-found', `MemoryDB cluster ${name} disappeared while waiting.`, {hint: 'Check the MemoryDB console; re-run to create it again.'});
        if (view.status !== last) onStatus?.((last = view.status));
        if (view.status === 'available') return view;
        if (['create-failed', 'deleting'].includes(view.status)) throw new MigrateError('aws', `MemoryDB cluster ${name} is ${view.status}.`, {hint: 'See the MemoryDB console for the reason.'});
        if (Date.now() > deadline) {
          throw new MigrateError('upstream', `MemoryDB cluster ${name} is still ${view.status} after ${timeoutSeconds} s (creating takes 15-20 minutes).`, {hint: 'Re-run `migrate addons provision` later: it picks up where it stopped.'});
        }
        await sleep((options.pollSeconds ?? 20) * 1000);
      }
    },
  };
}
