/** The ECS ServiceRedeployer through the real SDK against moto. */
import {CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs';
import {createServiceRedeployer, createTaskRunner} from '../../src/adapters/aws/ecs.ts';
import {startAwsLimitProxy, type AwsLimitProxy} from '../support/aws-limits.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const saved = {...process.env};
afterAll(() => {
  process.env = saved;
});

beforeAll(async () => {
  await resetMoto();
  Object.assign(process.env, {AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing'});
  const ecs = new ECSClient(motoClientConfig());
  await ecs.send(new CreateClusterCommand({clusterName: 'shop'}));
  await ecs.send(new RegisterTaskDefinitionCommand({family: 'shop-web', containerDefinitions: [{name: 'web', image: 'shop:1', memory: 512}]}));
  await ecs.send(new CreateServiceCommand({cluster: 'shop', serviceName: 'shop-web', taskDefinition: 'shop-web', desiredCount: 1}));
});

describe('ECS service redeployer', () => {
  it('starts a new deployment of the services that exist and reports the others', async () => {
    const redeployer = await createServiceRedeployer({region: 'us-east-1', maxAttempts: 1});
    expect(await redeployer.forceNewDeployment('shop', ['shop-web', 'shop-worker'])).toEqual({deployed: ['shop-web'], missing: ['shop-worker']});
    const svc = (await new ECSClient(motoClientConfig()).send(new DescribeServicesCommand({cluster: 'shop', services: ['shop-web']}))).services?.[0];
    expect(svc?.deployments?.length).toBeGreaterThanOrEqual(1);
  });

  it('describes services 10 at a time (the API limit, enforced by a proxy in front of moto)', async () => {
    const proxy: AwsLimitProxy = await startAwsLimitProxy(motoEndpoint());
    try {
      const ecs = new ECSClient(motoClientConfig());
      const names = Array.from({length: 23}, (_, i) => `shop-p${String(i).padStart(2, '0')}`);
      for (const serviceName of names.filter((_, i) => i % 2 === 0)) await ecs.send(new CreateServiceCommand({cluster: 'shop', serviceName, taskDefinition: 'shop-web', desiredCount: 0}));
      // the proxy refuses 11 services in one call, as ECS does
      await expect(new ECSClient(motoClientConfig(proxy.url)).send(new DescribeServicesCommand({cluster: 'shop', services: names.slice(0, 11)}))).rejects.toThrow(/at most 10/);
      proxy.calls.length = 0;
      process.env.AWS_ENDPOINT_URL = proxy.url;
      const redeployer = await createServiceRedeployer({region: 'us-east-1', maxAttempts: 1});
      const r = await redeployer.forceNewDeployment('shop', names);
      expect(r.deployed).toEqual(names.filter((_, i) => i % 2 === 0));
      expect(r.missing).toEqual(names.filter((_, i) => i % 2 === 1));
      const described = proxy.calls.filter((c) => c.operation.endsWith('.DescribeServices')).map((c) => (c.body.services as string[]).length);
      expect(described).toEqual([10, 10, 3]);
    } finally {
      process.env.AWS_ENDPOINT_URL = motoEndpoint();
      await proxy.close();
    }
  });

  it('a cluster that does not exist yet means nothing to restart', async () => {
    const redeployer = await createServiceRedeployer({region: 'us-east-1', maxAttempts: 1});
    expect(await redeployer.forceNewDeployment('nope', ['nope-web'])).toEqual({deployed: [], missing: ['nope-web']});
  });
});

describe('ECS task runner', () => {
  it('passes a startedBy of up to 128 characters through whole (RunTask limit, enforced by the proxy)', async () => {
    const proxy = await startAwsLimitProxy(motoEndpoint());
    try {
      process.env.AWS_ENDPOINT_URL = proxy.url;
      const runner = await createTaskRunner({region: 'us-east-1', maxAttempts: 1});
      const startedBy = `heroku2aws/shop/data-copy/${'x'.repeat(160)}`;
      const {taskArn} = await runner.runTask({cluster: 'shop', taskDefinition: 'shop-web', containerName: 'web', subnets: ['subnet-1'], securityGroups: ['sg-1'], startedBy, clientToken: 't1'});
      const sent = proxy.calls.find((c) => c.operation.endsWith('.RunTask'))?.body.startedBy;
      expect(sent).toBe(startedBy.slice(0, 128));
      const task = (await new ECSClient(motoClientConfig()).send(new DescribeTasksCommand({cluster: 'shop', tasks: [taskArn]}))).tasks?.[0];
      expect(task?.startedBy).toBe(startedBy.slice(0, 128));
    } finally {
      process.env.AWS_ENDPOINT_URL = motoEndpoint();
      await proxy.close();
    }
  });
});
