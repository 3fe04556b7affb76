/** The ECS ServiceRedeployer through the real SDK against moto. */
import {CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand} from '@aws-sdk/client-ecs';
import {createServiceRedeployer} from '../../src/adapters/aws/ecs.ts';
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

  it('a cluster that does not exist yet means nothing to restart', async () => {
    const redeployer = await createServiceRedeployer({region: 'us-east-1', maxAttempts: 1});
    expect(await redeployer.forceNewDeployment('nope', ['nope-web'])).toEqual({deployed: [], missing: ['nope-web']});
  });
});
