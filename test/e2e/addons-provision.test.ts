/**
 * `migrate addons provision` through the built CLI against moto: RDS PostgreSQL, MemoryDB,
 * security groups, the connection secret and EventBridge Scheduler schedules, read back with
 * the SDK. (moto creates RDS instances and MemoryDB clusters `available` at once; the waits
 * are therefore exercised only as "already available" here.)
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand, EC2Client} from '@aws-sdk/client-ec2';
import {DescribeClustersCommand, MemoryDBClient} from '@aws-sdk/client-memorydb';
import {CreateDBInstanceCommand, DescribeDBInstancesCommand, RDSClient} from '@aws-sdk/client-rds';
import {GetScheduleCommand, ListSchedulesCommand, SchedulerClient} from '@aws-sdk/client-scheduler';
import {GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {filesUnder, runCli, tempDir} from '../support/cli.ts';
import {motoClientConfig, motoEnv, resetMoto} from '../support/moto.ts';

let planDir: string;
let subnets: string[];
let taskSg: string;
let jobsFile: string;
const outputs: [string, string][] = [];
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/shop';
const ROLE = 'arn:aws:iam::123456789012:role/shop-scheduler';
const TASKDEF = 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-worker:3';

const env = () => ({...motoEnv(), HOME: tempDir(), AWS_EC2_METADATA_DISABLED: 'true'});
const provision = async (args: string[], dir = planDir) => {
  const r = await runCli(['addons', 'provision', '--app', 'shop', '--plan-dir', dir, ...args], {env: env()});
  outputs.push([`provision ${args.join(' ')} stdout`, r.stdout], [`stderr`, r.stderr]);
  return r;
};
const net = () => ['--subnets', subnets.join(','), '--task-security-group', taskSg];
const state = (dir = planDir) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
const journal = (dir = planDir) => readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {op: string; phase: string; ok?: boolean});
const rds = () => new RDSClient(motoClientConfig());

/** schedule name -> LastModificationDate (ISO) */
async function scheduleDates(): Promise<Record<string, string>> {
  const client = new SchedulerClient(motoClientConfig());
  const list = (await client.send(new ListSchedulesCommand({GroupName: 'heroku2aws-shop'}))).Schedules ?? [];
  const out: Record<string, string> = {};
  for (const s of list) {
    const full = await client.send(new GetScheduleCommand({GroupName: 'heroku2aws-shop', Name: s.Name}));
    out[s.Name!] = full.LastModificationDate?.toISOString() ?? '';
  }
  return out;
}

async function newPlanDir(): Promise<string> {
  const dir = tempDir();
  const r = await runCli(['plan', '--from', 'examples/shop', '--out', dir], {env: env()});
  expect(r.code).toBe(0);
  return dir;
}

beforeAll(async () => {
  await resetMoto();
  const ec2 = new EC2Client(motoClientConfig());
  const vpc = (await ec2.send(new CreateVpcCommand({CidrBlock: '10.20.0.0/16'}))).Vpc!.VpcId!;
  subnets = await Promise.all(
    ['10.20.1.0/24', '10.20.2.0/24'].map(async (CidrBlock, i) => (await ec2.send(new CreateSubnetCommand({VpcId: vpc, CidrBlock, AvailabilityZone: `us-east-1${'ab'[i]}`}))).Subnet!.SubnetId!),
  );
  taskSg = (await ec2.send(new CreateSecurityGroupCommand({GroupName: 'shop-tasks', Description: 'tasks', VpcId: vpc}))).GroupId!;
  planDir = await newPlanDir();
  jobsFile = join(tempDir(), 'jobs.json');
  writeFileSync(
    jobsFile,
    JSON.stringify({
      jobs: [
        {command: 'bundle exec rake cleanup', every: '10m'},
        {command: 'bundle exec rake reports:hourly', every: 'hourly', at: ':15', dynoSize: 'standard-2x'},
        {command: 'bundle exec rake billing', every: 'daily', at: '03:30', dynoSize: 'performance-m'},
      ],
    }),
  );
}, 60_000);

describe('addons provision', () => {
  it('--dry-run lists what would be created and calls nothing', async () => {
    const r = await provision(['--dry-run', '--jobs', jobsFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DATABASE \[planned\]\n {2}- RDS PostgreSQL shop-database: db\.t4g\.medium, 20 GB gp3 \(autoscaling to 100 GB; the minimum \(the source size is unknown\)\), encrypted, not public, deletion protection/);
    expect(r.stdout).toMatch(/heroku-redis \[planned\]\n {2}- MemoryDB shop-heroku-redis: db\.t4g\.small, 1 shard, 1 replica\(s\), TLS/);
    expect(r.stdout).toMatch(/cron\(30 3 \* \* \? \*\) UTC, worker container, 2048\/4096: bundle exec rake billing/);
    await expect(rds().send(new DescribeDBInstancesCommand({}))).resolves.toMatchObject({DBInstances: []});
  });

  it('refuses without a network (no deploy recorded, no flags), and a bad jobs file names the problem', async () => {
    const r = await provision([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/private subnets and the security group of the ECS tasks[\s\S]*Fix: .*--subnets/);
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, JSON.stringify({jobs: [{command: 'x', every: 'daily', at: '25:00'}]}));
    const r2 = await provision([...net(), '--only', 'scheduler', '--jobs', bad]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/daily jobs run at HH:MM \(UTC\), not '25:00'/);
  });

  it('creates RDS, MemoryDB, security groups, the connection secret and disabled schedules; records inactive remaps', async () => {
    const r = await provision([...net(), '--jobs', jobsFile, '--cluster', CLUSTER, '--scheduler-role-arn', ROLE, '--task-definition', TASKDEF, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout).result;
    const by = (name: string) => result.outcomes.find((o: {addon: string}) => o.addon === name);
    expect(by('DATABASE')).toMatchObject({action: 'created', remaps: ['DATABASE_URL'], resource: {kind: 'rds-postgresql', id: 'shop-database', status: 'available'}});
    expect(by('heroku-redis')).toMatchObject({action: 'created', remaps: ['REDIS_URL'], resource: {kind: 'memorydb', id: 'shop-heroku-redis', status: 'available'}});
    expect(by('papertrail')).toMatchObject({action: 'noted', resource: {kind: 'cloudwatch-logs', id: '/heroku2aws/shop'}});
    expect(by('scheduler')).toMatchObject({action: 'created', resource: {kind: 'eventbridge-scheduler', id: 'heroku2aws-shop'}});
    expect(by('sendgrid')).toMatchObject({action: 'kept'});

    const db = (await rds().send(new DescribeDBInstancesCommand({DBInstanceIdentifier: 'shop-database'}))).DBInstances![0]!;
    expect(db).toMatchObject({Engine: 'postgres', DBInstanceClass: 'db.t4g.medium', StorageEncrypted: true, PubliclyAccessible: false, DeletionProtection: true, MultiAZ: false, DBSubnetGroup: {DBSubnetGroupName: 'heroku2aws-shop'}});
    expect(db.MasterUserSecret?.SecretArn).toMatch(/^arn:aws:secretsmanager:/);
    // no Heroku token here: the source size is unknown, so the minimum, said so, and the ceiling recorded for the copy's check
    expect(db).toMatchObject({AllocatedStorage: 20, MaxAllocatedStorage: 100});
    expect(JSON.parse(r.stdout).warnings.join('\n')).toMatch(/DATABASE: the size of the Heroku database could not be read/);
    expect(state().addons.DATABASE.resource.maxStorageGb).toBe(100);
    // port 5432 open to the tasks' security group only
    const ec2 = new EC2Client(motoClientConfig());
    const dbSg = (await ec2.send(new DescribeSecurityGroupsCommand({GroupIds: [db.VpcSecurityGroups![0]!.VpcSecurityGroupId!]}))).SecurityGroups![0]!;
    expect(dbSg.GroupName).toBe('heroku2aws-shop-database-db');
    expect(dbSg.IpPermissions).toEqual([expect.objectContaining({FromPort: 5432, ToPort: 5432, IpRanges: [], UserIdGroupPairs: [expect.objectContaining({GroupId: taskSg})]})]);

    const cluster = (await new MemoryDBClient(motoClientConfig()).send(new DescribeClustersCommand({ClusterName: 'shop-heroku-redis'}))).Clusters![0]!;
    expect(cluster).toMatchObject({NodeType: 'db.t4g.small', TLSEnabled: true, Status: 'available', SubnetGroupName: 'heroku2aws-shop', NumberOfShards: 1});

    const st = state();
    expect(st.addons['heroku-redis'].remaps.REDIS_URL).toEqual({value: `rediss://${cluster.ClusterEndpoint!.Address}:6379`, active: false});
    const dbRemap = st.addons.DATABASE.remaps.DATABASE_URL;
    expect(dbRemap).toMatchObject({active: false, fromSecret: {key: 'DATABASE_URL'}});
    // the app's URL: the RDS endpoint with the RDS-managed master credentials, TLS required
    const sm = new SecretsManagerClient(motoClientConfig());
    const master = JSON.parse((await sm.send(new GetSecretValueCommand({SecretId: db.MasterUserSecret!.SecretArn!}))).SecretString!);
    const conn = JSON.parse((await sm.send(new GetSecretValueCommand({SecretId: dbRemap.fromSecret.arn}))).SecretString!);
    const url = new URL(conn.DATABASE_URL);
    expect([decodeURIComponent(url.username), decodeURIComponent(url.password), url.hostname, url.port, url.pathname, url.searchParams.get('sslmode')]).toEqual([
      master.username,
      master.password,
      db.Endpoint!.Address,
      String(db.Endpoint!.Port),
      '/shop',
      'require',
    ]);
    expect([...outputs.map(([, t]) => t), ...filesUnder(planDir).values()].some((t) => t.includes(master.password))).toBe(false);

    const sch = new SchedulerClient(motoClientConfig());
    const listed = (await sch.send(new ListSchedulesCommand({GroupName: 'heroku2aws-shop'}))).Schedules ?? [];
    expect(listed).toHaveLength(3);
    const billing = listed.find((s) => s.Name!.includes('billing'))!;
    const s = await sch.send(new GetScheduleCommand({GroupName: 'heroku2aws-shop', Name: billing.Name!}));
    expect(s).toMatchObject({State: 'DISABLED', ScheduleExpression: 'cron(30 3 * * ? *)', ScheduleExpressionTimezone: 'UTC', Target: {Arn: CLUSTER, RoleArn: ROLE}});
    expect(s.Target?.EcsParameters).toMatchObject({TaskDefinitionArn: TASKDEF, LaunchType: 'FARGATE', NetworkConfiguration: {awsvpcConfiguration: {Subnets: subnets, SecurityGroups: [taskSg], AssignPublicIp: 'DISABLED'}}});
    expect(JSON.parse(s.Target!.Input!)).toEqual({containerOverrides: [{name: 'worker', command: ['bash', '-c', 'bundle exec rake billing']}], cpu: '2048', memory: '4096'});

    const writes = journal().filter((e) => e.phase === 'intent').map((e) => e.op);
    expect(writes).toEqual(expect.arrayContaining(['security-group', 'rds-subnet-group', 'rds-create', 'connection-secret', 'memorydb-subnet-group', 'memorydb-create', 'schedule-group', 'schedule-put']));
    expect(journal().filter((e) => e.phase === 'result').every((e) => e.ok)).toBe(true);
  });

  it('is idempotent: a second run creates nothing, keeps the remaps inactive and writes no new secret version', async () => {
    const before = journal().length;
    const modified = await scheduleDates();
    const r = await provision([...net(), '--jobs', jobsFile, '--cluster', CLUSTER, '--scheduler-role-arn', ROLE, '--task-definition', TASKDEF]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DATABASE \[exists\]/);
    expect(r.stdout).toMatch(/heroku-redis \[exists\]/);
    expect(r.stdout).toMatch(/scheduler \[exists\]/);
    const ops = journal().slice(before).map((e) => e.op);
    expect(ops.filter((o) => ['rds-create', 'memorydb-create', 'connection-secret', 'security-group'].includes(o))).toEqual([]);
    expect((await new SchedulerClient(motoClientConfig()).send(new ListSchedulesCommand({GroupName: 'heroku2aws-shop'}))).Schedules).toHaveLength(3);
    expect(state().addons.DATABASE.remaps.DATABASE_URL.active).toBe(false);
    // no schedule written: none journaled, none modified
    expect(ops.filter((o) => o === 'schedule-put')).toEqual([]);
    expect(await scheduleDates()).toEqual(modified);
    expect(r.stdout.match(/unchanged/g)).toHaveLength(3);
  });

  it('updates only the schedule whose job changed', async () => {
    const jobs = JSON.parse(readFileSync(jobsFile, 'utf8'));
    jobs.jobs[0].dynoSize = 'standard-2x';
    const changed = join(tempDir(), 'jobs.json');
    writeFileSync(changed, JSON.stringify(jobs));
    const modified = await scheduleDates();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // LastModificationDate has 1 s resolution
    const before = journal().length;
    const r = await provision([...net(), '--jobs', changed, '--cluster', CLUSTER, '--scheduler-role-arn', ROLE, '--task-definition', TASKDEF]);
    expect(r.code).toBe(0);
    expect(journal().slice(before).filter((e) => e.op === 'schedule-put').map((e) => e.phase)).toEqual(['intent', 'result']);
    const after = await scheduleDates();
    const moved = Object.keys(after).filter((name) => after[name] !== modified[name]);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/cleanup/);
    const schedule = await new SchedulerClient(motoClientConfig()).send(new GetScheduleCommand({GroupName: 'heroku2aws-shop', Name: moved[0]}));
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toMatchObject({cpu: '512', memory: '1024'});
  });

  it('a premium plan gets Multi-AZ; an instance the tool did not create is refused', async () => {
    const dir = await newPlanDir();
    const planFile = join(dir, 'plan.json');
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    const pg = plan.addons.find((a: {name: string}) => a.name === 'DATABASE');
    Object.assign(pg, {name: 'premium-db', plan: 'premium-2'});
    Object.assign(pg.target, {size: 'db.m6g.large', multiAz: true});
    writeFileSync(planFile, JSON.stringify(plan));
    const r = await provision([...net(), '--only', 'premium-db'], dir);
    expect(r.code).toBe(0);
    expect((await rds().send(new DescribeDBInstancesCommand({DBInstanceIdentifier: 'shop-premium-db'}))).DBInstances![0]).toMatchObject({MultiAZ: true, DBInstanceClass: 'db.m6g.large'});

    await rds().send(new CreateDBInstanceCommand({DBInstanceIdentifier: 'shop-foreign', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', MasterUsername: 'x', MasterUserPassword: 'not-secret-1', AllocatedStorage: 20}));
    pg.name = 'foreign';
    writeFileSync(planFile, JSON.stringify(plan));
    const refused = await provision([...net(), '--only', 'foreign'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/RDS instance shop-foreign exists but was not created by heroku2aws for shop/);
  });
});
