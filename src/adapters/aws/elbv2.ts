/** AlbLookup on Elastic Load Balancing v2. */
import {MigrateError} from '../../domain/errors.ts';
import type {AlbLookup} from '../../ports/alb.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

/** arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID -> app/NAME/ID */
export const albFullName = (arn: string) => arn.split(':loadbalancer/')[1] ?? '';

export async function createAlbLookup(options: AwsClientOptions): Promise<AlbLookup> {
  const elb = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const client = capResponses(new elb.ElasticLoadBalancingV2Client(clientConfig(options)));
  return {
    async describe(arnOrName) {
      const byArn = arnOrName.startsWith('arn:');
      try {
        const r = await client.send(new elb.DescribeLoadBalancersCommand(byArn ? {LoadBalancerArns: [arnOrName]} : {Names: [arnOrName]}));
        const lb = r.LoadBalancers?.[0];
        if (!lb?.LoadBalancerArn || !lb.DNSName) throw new Error('empty answer');
        if (lb.Type && lb.Type !== 'application') {
          throw new MigrateError('input', `Load balancer ${arnOrName} is a ${lb.Type} load balancer, not an Application Load Balancer.`, {hint: 'Pass the ALB the deploy created (--alb).'});
        }
        return {arn: lb.LoadBalancerArn, dnsName: lb.DNSName, fullName: albFullName(lb.LoadBalancerArn)};
      } catch (err) {
        if ((err as {name?: string}).name === 'LoadBalancerNotFoundException') {
          throw new MigrateError('not-found', `Load balancer ${arnOrName} not found in ${options.region}.`, {hint: 'Check --alb and --region; `migrate deploy` prints the ALB ARN.'});
        }
        throw awsError(err, `describe load balancer ${arnOrName}`);
      }
    },
  };
}
