/** Pure provisioning rules: names, cron from Heroku Scheduler frequencies, job sizing, network from deploy outputs. */
import {cronOf, dbInstanceId, memoryDbClusterName, networkFrom, parseJobsFile, postgresUrl, scheduleSpecs} from '../../src/domain/addon-provision.ts';

describe('addon provisioning rules', () => {
  it('names fit the services limits', () => {
    expect(dbInstanceId('shop', 'DATABASE')).toBe('shop-database');
    expect(dbInstanceId('shop', 'heroku-postgresql--x_y')).toBe('shop-heroku-postgresql-x-y');
    expect(memoryDbClusterName('a-very-long-application-name', 'redis-rigid-54321').length).toBeLessThanOrEqual(40);
    expect(memoryDbClusterName('a-very-long-application-name', 'redis-rigid-54321')).not.toMatch(/-$/);
  });

  it('Heroku Scheduler frequencies become EventBridge cron expressions (UTC)', () => {
    expect(cronOf({command: 'x', every: '10m'})).toBe('cron(0/10 * * * ? *)');
    expect(cronOf({command: 'x', every: 'hourly', at: ':05'})).toBe('cron(5 * * * ? *)');
    expect(cronOf({command: 'x', every: 'daily', at: '23:59'})).toBe('cron(59 23 * * ? *)');
    expect(() => cronOf({command: 'x', every: 'hourly', at: ':60'})).toThrow(/:MM/);
  });

  it('jobs files: both shapes, with errors naming the field', () => {
    expect(parseJobsFile('[{"command":"a","every":"10m"}]', 'f')).toHaveLength(1);
    expect(() => parseJobsFile('{"jobs":[{"command":"a","every":"weekly"}]}', 'jobs.json')).toThrow(/jobs.json: jobs.0.every/);
    expect(() => parseJobsFile('{', 'jobs.json')).toThrow(/jobs.json is not valid JSON/);
  });

  it('jobs run in the worker container sized like their dyno; names are stable; duplicates refused', () => {
    const [a, b] = scheduleSpecs('shop', [{command: 'rake a', every: '10m', dynoSize: 'performance-m'}, {command: 'rake b', every: 'daily', at: '01:00'}], ['web', 'worker']);
    expect(a).toMatchObject({processType: 'worker', cpu: 2048, memory: 4096, group: 'heroku2aws-shop'});
    expect(b).toMatchObject({cpu: 256, memory: 512});
    expect(scheduleSpecs('shop', [{command: 'rake a', every: '10m', dynoSize: 'performance-m'}], ['web'])[0]).toMatchObject({name: a!.name, processType: 'web'});
    expect(() => scheduleSpecs('shop', [{command: 'a', every: '10m'}, {command: 'a', every: '10m'}], [])).toThrow(/twice/);
    expect(() => scheduleSpecs('shop', [{command: 'a', every: '10m', dynoSize: 'huge'}], [])).toThrow(/Unknown dyno size/);
  });

  it('the network comes from flags, else from the deploy outputs; neither is a usage error', () => {
    const state = {
      schemaVersion: '1.0',
      app: 'shop',
      deploy: {
        imageUri: 'i',
        deployedAt: 't',
        stacks: {
          'heroku2aws-shop-network': {stackId: 's1', outputs: {PrivateSubnetIds: 'subnet-a,subnet-b', VpcId: 'vpc-1'}},
          'heroku2aws-shop-shared': {stackId: 's2', outputs: {TaskSecurityGroupId: 'sg-t', ClusterArn: 'arn:c', SchedulerRoleArn: 'arn:role'}},
          'heroku2aws-shop-service-worker': {stackId: 's3', outputs: {TaskDefinitionArn: 'arn:td:worker'}},
        },
      },
    };
    expect(networkFrom({}, state)).toEqual({subnetIds: ['subnet-a', 'subnet-b'], taskSecurityGroupId: 'sg-t', clusterArn: 'arn:c', taskDefinitions: {worker: 'arn:td:worker'}, schedulerRoleArn: 'arn:role'});
    expect(networkFrom({subnets: ['s-x'], taskSecurityGroup: 'sg-x'}, state)).toMatchObject({subnetIds: ['s-x'], taskSecurityGroupId: 'sg-x'});
    expect(() => networkFrom({}, {schemaVersion: '1.0', app: 'shop'})).toThrow(/private subnets/);
  });

  it('the app URL encodes every part and requires TLS', () => {
    expect(postgresUrl({user: 'admin', password: 'p@ss/w:rd', host: 'h', port: 5432, db: 'shop'})).toBe('postgres://admin:p%40ss%2Fw%3Ard@h:5432/shop?sslmode=require');
  });
});

describe('schedule comparison', () => {
  it('a live schedule holds what we write when every field we set is equal; service defaults are ignored, name lists compare as sets', async () => {
    const {holds} = await import('../../src/adapters/aws/scheduler.ts');
    const wanted = {ScheduleExpression: 'cron(0 3 * * ? *)', Target: {Arn: 'c', EcsParameters: {TaskCount: 1, NetworkConfiguration: {awsvpcConfiguration: {Subnets: ['a', 'b']}}, Tags: [{heroku2aws: 'scheduler'}]}}};
    const live = {ScheduleExpression: 'cron(0 3 * * ? *)', State: 'DISABLED', Target: {Arn: 'c', RetryPolicy: {}, EcsParameters: {TaskCount: 1, NetworkConfiguration: {awsvpcConfiguration: {Subnets: ['b', 'a']}}, Tags: [{heroku2aws: 'scheduler'}]}}};
    expect(holds(live, wanted)).toBe(true);
    expect(holds({...live, ScheduleExpression: 'cron(0 4 * * ? *)'}, wanted)).toBe(false);
    expect(holds({...live, Target: {...live.Target, EcsParameters: {...live.Target.EcsParameters, TaskCount: 2}}}, wanted)).toBe(false);
    expect(holds({...live, Target: {...live.Target, EcsParameters: {...live.Target.EcsParameters, Tags: []}}}, wanted)).toBe(false);
    expect(holds(null, wanted)).toBe(false);
  });
});
