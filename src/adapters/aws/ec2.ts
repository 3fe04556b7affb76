/** Ec2Network on EC2 (SDK v3, loaded lazily): the VPC of the subnets and a store's security group. */
import type {Ec2Network} from '../../ports/addons.ts';
import {MigrateError} from '../../domain/errors.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

export async function createEc2Network(options: AwsClientOptions): Promise<Ec2Network> {
  const ec2 = await import('@aws-sdk/client-ec2');
  const client = capResponses(new ec2.EC2Client(clientConfig(options)));
  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw awsError(err, action);
    }
  };
  return {
    async vpcOf(subnetIds) {
      const r = await call(`describe subnets ${subnetIds.join(', ')}`, () => client.send(new ec2.DescribeSubnetsCommand({SubnetIds: subnetIds})));
      const vpcs = [...new Set((r.Subnets ?? []).map((s) => s.VpcId ?? ''))];
      if ((r.Subnets ?? []).length !== subnetIds.length) throw new MigrateError('not-found', `Not all subnets exist: ${subnetIds.join(', ')}.`, {hint: 'Check --subnets (or the deploy outputs).'});
      if (vpcs.length !== 1) throw new MigrateError('usage', `The subnets are in ${vpcs.length} VPCs (${vpcs.join(', ')}); they must share one.`, {hint: 'Pass the private subnets of the VPC the ECS tasks run in.'});
      return vpcs[0]!;
    },
    async ensureIngressGroup(spec) {
      const found = await call(`find security group ${spec.name}`, () =>
        client.send(new ec2.DescribeSecurityGroupsCommand({Filters: [{Name: 'group-name', Values: [spec.name]}, {Name: 'vpc-id', Values: [spec.vpcId]}]})),
      );
      let group = found.SecurityGroups?.[0];
      let created = false;
      if (!group) {
        const tags = Object.entries({...spec.tags, Name: spec.name}).map(([Key, Value]) => ({Key, Value}));
        const r = await call(`create security group ${spec.name}`, () =>
          client.send(new ec2.CreateSecurityGroupCommand({GroupName: spec.name, Description: spec.description, VpcId: spec.vpcId, TagSpecifications: [{ResourceType: 'security-group', Tags: tags}]})),
        );
        group = {GroupId: r.GroupId, IpPermissions: []};
        created = true;
      }
      const groupId = group.GroupId ?? '';
      const allowed = (group.IpPermissions ?? []).some((p) => p.FromPort === spec.port && p.ToPort === spec.port && (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === spec.fromGroupId));
      if (!allowed) {
        await call(`allow port ${spec.port} from ${spec.fromGroupId} into ${spec.name}`, () =>
          client.send(
            new ec2.AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              IpPermissions: [{IpProtocol: 'tcp', FromPort: spec.port, ToPort: spec.port, UserIdGroupPairs: [{GroupId: spec.fromGroupId, Description: 'ECS tasks of the app (heroku2aws)'}]}],
            }),
          ),
        );
      }
      return {groupId, created};
    },
  };
}
