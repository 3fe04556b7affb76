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

describe('RDS storage', () => {
  it('holds the source twice, at least 20 GiB, autoscaling to 5x (at least 100 GiB), within gp3 limits; the flag wins', async () => {
    const {rdsStorage, checkFitsStorage} = await import('../../src/domain/addon-provision.ts');
    const GiB = 1024 ** 3;
    expect(rdsStorage(null)).toMatchObject({storageGb: 20, maxStorageGb: 100, basis: expect.stringMatching(/unknown/)});
    expect(rdsStorage(3 * GiB)).toMatchObject({storageGb: 20, maxStorageGb: 100});
    expect(rdsStorage(111 * GiB)).toMatchObject({storageGb: 222, maxStorageGb: 1110, basis: expect.stringMatching(/2x the source \(the source holds 111\.00 GiB\)/)});
    expect(rdsStorage(50_000 * GiB)).toMatchObject({storageGb: 65_536, maxStorageGb: 65_536});
    expect(rdsStorage(111 * GiB, 50)).toMatchObject({storageGb: 50, maxStorageGb: 250, basis: expect.stringMatching(/--db-storage-gb/)});
    expect(() => checkFitsStorage(250 * GiB, 250, 'x')).not.toThrow();
    expect(() => checkFitsStorage(250 * GiB + 1, 250, 'x')).toThrow(/more than x can ever hold/);
    expect(() => checkFitsStorage(10 ** 15, undefined, 'x')).not.toThrow();
  });
});

describe('addons provision sizes RDS from the Heroku database', () => {
  it('reads pg_database_size through the config var URL and plans 2x the source', async () => {
    const {writeFileSync} = await import('node:fs');
    const {join} = await import('node:path');
    const {createLocalState} = await import('../../src/adapters/state/local-state.ts');
    const {canonicalJson} = await import('../../src/domain/plan.ts');
    const {addonsProvision} = await import('../../src/workflows/addons-provision.ts');
    const {livePlan} = await import('../support/plans.ts');
    const {sampleApp} = await import('../fakes/heroku-fixtures.ts');
    const {tempDir} = await import('../support/cli.ts');
    const dir = tempDir();
    const plan = livePlan(sampleApp());
    writeFileSync(join(dir, 'plan.json'), canonicalJson(plan, 2));
    const pg = plan.addons.find((a) => a.category === 'postgres')!;
    const probed: string[] = [];
    const unused = async () => {
      throw new Error('not used in a dry run');
    };
    const r = await addonsProvision(
      {app: 'shop', dryRun: true, only: [pg.name]},
      {
        state: createLocalState(dir, 'shop', {now: () => new Date(0)}),
        secrets: unused,
        network: unused,
        rds: unused,
        memorydb: unused,
        scheduler: unused,
        heroku: async () => ({getConfigVars: async () => ({DATABASE_URL: 'postgres://u:size-canary@heroku.example:5432/d'})}) as never,
        postgres: async () => ({probe: async (url: {display: string}) => (probed.push(url.display), {versionNum: 160000, version: '16', objects: 3, dataBytes: 80 * 1024 ** 3, databaseBytes: 111 * 1024 ** 3})}) as never,
        readFile: unused,
        clock: {now: () => new Date(0)},
        env: {AWS_REGION: 'us-east-1'},
      },
    );
    expect(probed).toEqual(['postgres://heroku.example:5432/d']);
    expect(r.outcomes[0]?.details.join()).toMatch(/222 GB gp3 \(autoscaling to 1110 GB; 2x the source \(the source holds 111\.00 GiB\)\)/);
    expect(JSON.stringify(r)).not.toContain('size-canary');
  });
});
