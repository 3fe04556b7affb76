/**
 * `migrate data copy --in-vpc` through the built CLI against moto (its own server: the suite pins
 * ECS task transitions, which are global to a moto process) and real PostgreSQL / redis-server on
 * loopback standing in for Heroku and RDS.
 *
 * moto runs no containers, so this suite plays Fargate: a watcher polls moto for the task the CLI
 * starts (ListTasks/DescribeTasks), reads its task definition and RunTask overrides, runs the
 * task's command (`migrate data run-task`, the built CLI: the image's entry) with exactly the
 * environment ECS would give the container (the task definition's values, the overrides, and AWS
 * credentials standing in for the task role), writes its stdout lines into the awslogs stream in
 * moto (CreateLogStream/PutLogEvents) as they come, and stops the task in moto when the process
 * exits ('hold': a container that hangs until the CLI stops the task, for --runner-timeout and
 * Ctrl-C). moto's containers always report exit code 0 (its Container model hard-codes it, StopTask
 * included), so the result line is authoritative here; the exit-code rule (judgeRunner) is pinned
 * by test/unit/data-runner.test.ts. `data cutover --in-vpc` runs here too (the last tests: its
 * success points the app's secret at the AWS store, after which --in-vpc copies are refused).
 *
 * The shared stack is created with CreateStack from the generated shared template (change-set
 * stacks get no outputs in moto, and moto's CreateStack fails on the ALB's TargetGroupFullName:
 * test/e2e/deploy.test.ts), so this stack is generated for a plan without a load-balanced service.
 */
import {execFileSync, spawn} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateLogStreamCommand, CloudWatchLogsClient, GetLogEventsCommand, PutLogEventsCommand, DescribeLogStreamsCommand} from '@aws-sdk/client-cloudwatch-logs';
import {DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, StopTaskCommand, type Task} from '@aws-sdk/client-ecs';
import {CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary} from '../support/canary.ts';
import {BIN, filesUnder, ROOT, runCli, tempDir, type CliResult} from '../support/cli.ts';
import {canaryPasswords, startDataStores, type DataStores} from '../support/datastores.ts';
import {motoEnv, startMoto, type MotoServer} from '../support/moto.ts';
import {loadBlocks} from '../support/plans.ts';
import {seedPostgres, seedRedis, type PgSeed} from '../support/seed.ts';
import {parsePlan} from '../../src/domain/plan-schema.ts';
import {buildStacks} from '../../src/domain/stacks/index.ts';

const SHARED = 'heroku2aws-shop-shared';
const IMAGE = 'heroku2aws-runner:1.0.0';

let moto: MotoServer;
let ds: DataStores;
let heroku: FakeHeroku;
let planDir: string;
let pgSeed: PgSeed;
let pgAddon: string;
let redisAddon: string;
let appSecretArn: string;
const outputs: [string, string][] = [];
const runTaskEnvs: string[] = [];
let watcher: Promise<void> | undefined;

const cfg = () => ({endpoint: moto.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1});
const env = (extra: Record<string, string> = {}) => ({...motoEnv(moto.endpoint), AWS_EC2_METADATA_DISABLED: 'true', HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), ...extra});
const aws = <T = Record<string, unknown>>(args: string[]): T => {
  const out = execFileSync('aws', ['--endpoint-url', moto.endpoint, '--output', 'json', ...args], {env: {...process.env, ...motoEnv(moto.endpoint)}, stdio: ['ignore', 'pipe', 'pipe']}).toString();
  return (out.trim() ? JSON.parse(out) : {}) as T;
};
const cli = async (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => {
  const r = await runCli([...args, '--plan-dir', planDir], {env: env(extra)});
  outputs.push([`${args.join(' ')} stdout`, r.stdout], [`${args.join(' ')} stderr`, r.stderr]);
  return r;
};
const state = () => JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
const journal = () => readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {id: string; op: string; phase: string; ok?: boolean; details: Record<string, unknown>});
const until = async (ok: () => boolean, ms = 30_000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 200))) if (Date.now() > end) throw new Error('timed out waiting');
};

/**
 * Runs the CLI with the fake Fargate holding its task, checks `whileHeld` once the task started,
 * sends Ctrl-C and waits for the CLI to end and the task to be played out.
 */
async function interruptWhileHeld(args: string[], label: string, whileHeld?: () => void): Promise<{code: number | null; stderr: string; held: Played}> {
  const before = fargate.played.length;
  fargate.mode = 'hold';
  let code: number | null = null;
  let stderr = '';
  try {
    const child = spawn(process.execPath, [BIN, ...args, '--plan-dir', planDir], {cwd: ROOT, env: {...process.env, ...env(), NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await until(() => /Started runner task /.test(stderr) && fargate.started.length > 0 && stderr.includes(fargate.started.at(-1)!), 60_000);
    whileHeld?.();
    child.kill('SIGINT');
    code = await closed;
    await until(() => fargate.played.length > before);
  } finally {
    fargate.mode = 'run';
    outputs.push([label, stderr]);
  }
  return {code, stderr, held: fargate.played.at(-1)!};
}
const targetCount = (table: string) => Number(ds.pgTarget.sql(`SELECT count(*) FROM ${table}`));

// ---- the fake Fargate ----

/** run: the runner entry runs and the task stops when it exits; crash-after-begin / crash-in-restore: killed at its 'begin' line / first restore progress line; hold: the container hangs (a start line, then nothing) until someone stops the task */
type Mode = 'run' | 'crash-after-begin' | 'crash-in-restore' | 'hold';
interface Played {
  taskArn: string;
  exitCode: number | null;
  lines: string[];
  /** Heroku as the task found it when it started (the cutover's freeze) */
  heroku: {maintenance: boolean; workers: number};
  /** hold: the task as moto describes it once stopped (by the CLI) */
  stopped?: Task;
}
const fargate = {mode: 'run' as Mode, played: [] as Played[], started: [] as string[], stop: false};

async function playTask(task: Task): Promise<Played> {
  const ecs = new ECSClient(cfg());
  const logs = new CloudWatchLogsClient(cfg());
  const shop = heroku.state.apps.find((a) => a.app.name === 'shop')!;
  const herokuNow = {maintenance: !!shop.app.maintenance, workers: shop.formation.filter((f) => f.type !== 'web').reduce((n, f) => n + f.quantity, 0)};
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({taskDefinition: task.taskDefinitionArn!}))).taskDefinition!;
  const container = td.containerDefinitions![0]!;
  const override = task.overrides?.containerOverrides?.find((o) => o.name === container.name);
  const containerEnv = Object.fromEntries([...(container.environment ?? []), ...(override?.environment ?? [])].map((e) => [e.name!, e.value!]));
  runTaskEnvs.push(JSON.stringify(task.overrides ?? {}));
  const opts = container.logConfiguration!.options!;
  const stream = `${opts['awslogs-stream-prefix']}/${container.name}/${task.taskArn!.split('/').at(-1)}`;
  await logs.send(new CreateLogStreamCommand({logGroupName: opts['awslogs-group'], logStreamName: stream}));
  fargate.started.push(task.taskArn!);
  if (fargate.mode === 'hold') {
    // a container that hangs: one start line, then silence until the task is stopped (by the CLI: moto's StopTask)
    const line = JSON.stringify({h2a: 1, type: 'start', addon: 'held', kind: 'postgres', version: '0.0.0-held'});
    await logs.send(new PutLogEventsCommand({logGroupName: opts['awslogs-group'], logStreamName: stream, logEvents: [{timestamp: Date.now(), message: line}]}));
    const held: Played = {taskArn: task.taskArn!, exitCode: null, lines: [line], heroku: herokuNow};
    for (let i = 0; i < 1200 && !fargate.stop; i++) {
      const t = (await ecs.send(new DescribeTasksCommand({cluster: task.clusterArn!, tasks: [task.taskArn!]}))).tasks?.[0];
      if (t?.lastStatus === 'STOPPED' || t?.desiredStatus === 'STOPPED') {
        held.stopped = t;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    fargate.played.push(held);
    return held;
  }
  // the container: the image's entry with the task's command, the task's environment and the task role's credentials (moto's)
  const child = spawn(process.execPath, [BIN, ...(container.command ?? [])], {
    env: {PATH: process.env.PATH, HOME: tempDir(), ...motoEnv(moto.endpoint), AWS_EC2_METADATA_DISABLED: 'true', ...containerEnv},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const played: Played = {taskArn: task.taskArn!, exitCode: null, lines: [], heroku: herokuNow};
  let pending: string[] = [];
  let buffer = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      played.lines.push(line);
      pending.push(line);
      if (fargate.mode === 'crash-after-begin' && line.includes('"type":"begin"')) child.kill('SIGKILL');
      if (fargate.mode === 'crash-in-restore' && line.includes('"stage":"restore"')) child.kill('SIGKILL');
    }
  });
  child.stderr.on('data', (d: Buffer) => outputs.push([`task stderr`, d.toString()]));
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({logGroupName: opts['awslogs-group'], logStreamName: stream, logEvents: batch.map((message) => ({timestamp: now, message}))}));
  };
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    await flush();
    await new Promise((r) => setTimeout(r, 300));
  }
  played.exitCode = await exited;
  if (buffer) pending.push(buffer);
  await flush();
  await ecs.send(new StopTaskCommand({cluster: task.clusterArn!, task: task.taskArn!, reason: 'Essential container in task exited'}));
  fargate.played.push(played);
  return played;
}

async function watchTasks(): Promise<void> {
  const ecs = new ECSClient(cfg());
  try {
    await watchWith(ecs);
  } finally {
    ecs.destroy();
  }
}

async function watchWith(ecs: ECSClient): Promise<void> {
  const seen = new Set<string>();
  while (!fargate.stop) {
    try {
      const arns = (await ecs.send(new ListTasksCommand({cluster: 'shop'}))).taskArns ?? [];
      const fresh = arns.filter((a) => !seen.has(a));
      if (fresh.length) {
        const tasks = (await ecs.send(new DescribeTasksCommand({cluster: 'shop', tasks: fresh}))).tasks ?? [];
        for (const t of tasks.filter((t) => t.lastStatus !== 'STOPPED')) {
          seen.add(t.taskArn!);
          void playTask(t);
        }
      }
    } catch {
      // no cluster yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const logEvents = async (): Promise<string[]> => {
  const logs = new CloudWatchLogsClient(cfg());
  const streams = (await logs.send(new DescribeLogStreamsCommand({logGroupName: '/heroku2aws/shop'}))).logStreams ?? [];
  const out: string[] = [];
  for (const s of streams) out.push(...((await logs.send(new GetLogEventsCommand({logGroupName: '/heroku2aws/shop', logStreamName: s.logStreamName!, startFromHead: true}))).events ?? []).map((e) => e.message!));
  return out;
};

beforeAll(async () => {
  moto = await startMoto();
  await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {method: 'POST', body: JSON.stringify({model_name: 'ecs::task', transition: {progression: 'manual', times: 1_000_000}})});
  ds = await startDataStores();
  pgSeed = seedPostgres(ds.pgSource, 0.25);
  await seedRedis(ds.redisSource.url(), 0.1);
  heroku = await startFakeHeroku();
  const app = sampleApp();
  app.configVars.DATABASE_URL = ds.pgSource.url();
  app.configVars.REDIS_URL = ds.redisSource.url();
  app.app.maintenance = true;
  seedApp(heroku.state, app);
  heroku.state.apps.find((a) => a.app.name === 'shop')!.formation.forEach((f) => f.type !== 'web' && (f.quantity = 0));
  planDir = tempDir();
  expect((await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()})).code).toBe(0);
  const plan = parsePlan(JSON.parse(readFileSync(join(planDir, 'plan.json'), 'utf8')));
  pgAddon = plan.addons.find((a) => a.category === 'postgres')!.name;
  redisAddon = plan.addons.find((a) => a.category === 'redis')!.name;
  // the app's secret (Heroku's DATABASE_URL and REDIS_URL among its keys)
  expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
  appSecretArn = state().secret.arn;
  // the provisioned stores' connection secrets (as `addons provision` names them), holding the loopback targets
  const sm = new SecretsManagerClient(cfg());
  const pgSecret = (await sm.send(new CreateSecretCommand({Name: `heroku2aws/shop/addons/${pgAddon.toLowerCase()}`, SecretString: JSON.stringify({DATABASE_URL: ds.pgTarget.url()})}))).ARN!;
  const redisSecret = (await sm.send(new CreateSecretCommand({Name: `heroku2aws/shop/addons/${redisAddon.toLowerCase()}`, SecretString: JSON.stringify({REDIS_URL: ds.redisTarget.url()})}))).ARN!;
  const st = state();
  st.addons = {
    [pgAddon]: {remaps: {DATABASE_URL: {fromSecret: {arn: pgSecret, key: 'DATABASE_URL'}, active: false}}, resource: {kind: 'rds', id: 'shop-database', endpoint: `127.0.0.1:${ds.pgTarget.port}`, maxStorageGb: 100}},
    [redisAddon]: {remaps: {REDIS_URL: {fromSecret: {arn: redisSecret, key: 'REDIS_URL'}, active: false}}},
  };
  writeFileSync(join(planDir, 'state.json'), JSON.stringify(st, null, 2));
  // the network the shared stack's parameters name (DNS hostnames on: moto's awsvpc RunTask needs them)
  const vpc = aws<{Vpc: {VpcId: string}}>(['ec2', 'create-vpc', '--cidr-block', '10.40.0.0/16']).Vpc.VpcId;
  aws(['ec2', 'modify-vpc-attribute', '--vpc-id', vpc, '--enable-dns-hostnames', '{"Value":true}']);
  const subnets = ['10.40.1.0/24', '10.40.2.0/24'].map((c, i) => aws<{Subnet: {SubnetId: string}}>(['ec2', 'create-subnet', '--vpc-id', vpc, '--cidr-block', c, '--availability-zone', `us-east-1${'ab'[i]}`]).Subnet.SubnetId);
  const noAlb = {...plan, services: plan.services.map((s) => ({...s, loadBalanced: false}))};
  const shared = buildStacks(noAlb, loadBlocks()).shared;
  const file = join(tempDir(), 'shared.json');
  writeFileSync(file, JSON.stringify(shared.template));
  (globalThis as {__sharedArgs?: string[]}).__sharedArgs = [
    'cloudformation', 'create-stack', '--stack-name', SHARED, '--template-body', `file://${file}`, '--capabilities', 'CAPABILITY_IAM',
    '--parameters', `ParameterKey=VpcId,ParameterValue=${vpc}`, `ParameterKey=PrivateSubnetIds,ParameterValue=${subnets.join('\\,')}`, `ParameterKey=SecretArn,ParameterValue=${appSecretArn}`,
  ];
  watcher = watchTasks();
}, 180_000);

afterAll(async () => {
  fargate.stop = true;
  await watcher;
  await heroku?.close();
  await ds?.stop();
  moto?.process.kill('SIGTERM');
});

describe('data copy --in-vpc refuses before running anything', () => {
  it('without a deployed shared stack: exit 1, names the stack and the fix; no task definition, no task', async () => {
    const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--runner-image', IMAGE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the shared stack heroku2aws-shop-shared does not exist in us-east-1[\s\S]*Fix: Run `migrate deploy --app shop` first/);
    expect(aws<{taskDefinitionArns: string[]}>(['ecs', 'list-task-definitions']).taskDefinitionArns).toEqual([]);
    expect(state().dataRunner).toBeUndefined();
  });

  it('creates the shared stack (CreateStack, the generated template) for the rest of the suite', () => {
    aws((globalThis as {__sharedArgs?: string[]}).__sharedArgs!);
    const outputs = aws<{Stacks: {StackStatus: string; Outputs: {OutputKey: string}[]}[]}>(['cloudformation', 'describe-stacks', '--stack-name', SHARED]).Stacks[0]!;
    expect(outputs.StackStatus).toBe('CREATE_COMPLETE');
    expect(outputs.Outputs.map((o) => o.OutputKey)).toEqual(expect.arrayContaining(['ClusterName', 'DataRunnerRoleArn', 'LogGroupName', 'PrivateSubnetIds', 'TaskSecurityGroupId', 'ExecutionRoleArn']));
  });

  it('without a runner image (no flag, none in the state): exit 2 with the fix', async () => {
    const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--in-vpc needs the runner image[\s\S]*Fix: Build and push runner\/Dockerfile .*--runner-image/);
    expect(aws<{taskDefinitionArns: string[]}>(['ecs', 'list-task-definitions']).taskDefinitionArns).toEqual([]);
  });

  it('with a URL flag: exit 2 (the task reads the URLs itself)', async () => {
    const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--runner-image', IMAGE, '--target-url-env', 'X'], {X: ds.pgTarget.url()});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--in-vpc cannot be combined with --target-url-env/);
    expect(aws<{taskDefinitionArns: string[]}>(['ecs', 'list-task-definitions']).taskDefinitionArns).toEqual([]);
  });
});

describe('data copy --in-vpc', () => {
  it('postgres: the task copies and verifies; progress is followed from its log stream; state and journal as a local copy', async () => {
    const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--runner-image', IMAGE, '--frozen']);
    expect({code: r.code, stderr: r.stderr.slice(-1500)}).toMatchObject({code: 0});
    expect(r.stderr).toMatch(/Started runner task arn:aws:ecs:us-east-1:\d+:task\/shop\/\S+ in shop; following its log stream \/heroku2aws\/shop data-runner\/data-runner\//);
    expect(r.stderr).toMatch(/task: pg_dump with \d+ jobs/);
    expect(r.stderr).toMatch(/restore: 5\/5 tables/);
    expect(r.stdout).toMatch(/Verified: /);
    for (const [table, rows] of Object.entries(pgSeed.rows)) expect(targetCount(table)).toBe(rows);
    expect(state().addons[pgAddon].data).toMatchObject({phase: 'verified', details: {kind: 'postgres', tables: 5, mismatches: 0}});
    expect(state().dataRunner).toMatchObject({image: IMAGE, taskDefinitionArn: expect.stringMatching(/task-definition\/shop-data-runner:1$/)});
    const copies = journal().filter((e) => e.op === 'data-copy');
    expect(copies.map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(['intent:', 'result:true', 'verify:true']);
    const runs = journal().filter((e) => e.op === 'data-runner');
    expect(runs.map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(['intent:', 'result:true']);
    expect(runs[0]!.details.secrets).toEqual([appSecretArn, state().addons[pgAddon].remaps.DATABASE_URL.fromSecret.arn]);
    // the task: the runner task definition (Fargate, awsvpc, awslogs, the runner role), the job in an override
    const played = fargate.played.at(-1)!;
    expect(played.exitCode).toBe(0);
    expect(played.lines.at(-1)).toMatch(/^\{"h2a":1,"type":"result"/);
    const td = aws<{taskDefinition: Record<string, unknown> & {containerDefinitions: {logConfiguration: unknown}[]}}>(['ecs', 'describe-task-definition', '--task-definition', 'shop-data-runner']).taskDefinition;
    expect(td).toMatchObject({networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], taskRoleArn: expect.stringContaining('DataRunnerRole')});
    expect(td.containerDefinitions[0]!.logConfiguration).toMatchObject({logDriver: 'awslogs', options: {'awslogs-group': '/heroku2aws/shop', 'awslogs-stream-prefix': 'data-runner'}});
  }, 120_000);

  it('redis: the image comes from the state; the task definition is reused (same content, one revision); under DEBUG=* and NODE_DEBUG too', async () => {
    // hostile debugging on the operator's side: the final canary scan covers this run's output
    const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'redis', '--in-vpc', '--frozen'], {DEBUG: '*', NODE_DEBUG: 'http,net,tls'});
    expect({code: r.code, stderr: r.stderr.slice(-1500)}).toMatchObject({code: 0});
    expect(r.stderr).toMatch(/NODE_DEBUG: http, net, tls are off/);
    expect(state().addons[redisAddon].data).toMatchObject({phase: 'verified', details: {kind: 'redis', mismatches: 0}});
    expect(Number(ds.redisTarget.cli('DBSIZE'))).toBe(Number(ds.redisSource.cli('DBSIZE')));
    expect(aws<{taskDefinitionArns: string[]}>(['ecs', 'list-task-definitions', '--family-prefix', 'shop-data-runner']).taskDefinitionArns).toHaveLength(1);
  }, 120_000);

  it('a runner error after the copy began: phase copy-failed with the redacted message; exit 1', async () => {
    // the app secret's DATABASE_URL now names a role that may not read one table (a canary password)
    const limitedPw = 'limited-canary-Pw-77';
    ds.pgSource.sql(`CREATE ROLE limited LOGIN PASSWORD '${limitedPw}'; GRANT USAGE ON SCHEMA public TO limited; GRANT SELECT ON ALL TABLES IN SCHEMA public TO limited; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO limited; REVOKE SELECT ON customers FROM limited`);
    // as a user would: Heroku's DATABASE_URL changed, then `secrets import` wrote it into the app's secret
    const vars = heroku.state.apps.find((a) => a.app.name === 'shop')!.configVars;
    const original = vars.DATABASE_URL!;
    vars.DATABASE_URL = ds.pgSource.url().replace(/\/\/[^@]+@/, `//limited:${limitedPw}@`);
    expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
    try {
      const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen', '--force']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/The runner task failed: .*permission denied.*\(task arn:aws:ecs:\S+, log stream \/heroku2aws\/shop data-runner\/data-runner\/\S+\)/);
      expect(r.stderr + r.stdout).not.toContain(limitedPw);
      const data = state().addons[pgAddon].data;
      expect(data.phase).toBe('copy-failed');
      expect(data.details.error).toMatch(/permission denied/);
      expect(JSON.stringify(state())).not.toContain(limitedPw);
      expect(journal().filter((e) => e.op === 'data-copy').slice(-2).map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(['intent:', 'result:false']);
      expect((await logEvents()).join('\n')).not.toContain(limitedPw);
    } finally {
      vars.DATABASE_URL = original;
      expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
    }
  }, 120_000);

  it('a task that stops without a result line (the container died): failed, the message names the task and its log stream', async () => {
    fargate.mode = 'crash-after-begin';
    try {
      const r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen', '--force']);
      expect(r.code).toBe(1);
      const task = fargate.played.at(-1)!;
      expect(task.lines.some((l) => l.includes('"type":"result"'))).toBe(false);
      expect(r.stderr).toContain(`The runner task stopped without a result line (exit code 0; ECS: Essential container in task exited; task ${task.taskArn}, log stream /heroku2aws/shop data-runner/data-runner/${task.taskArn.split('/').at(-1)})`);
      expect(state().addons[pgAddon].data.phase).toBe('copy-failed');
      expect(journal().filter((e) => e.op === 'data-runner').at(-1)).toMatchObject({phase: 'result', ok: false});
    } finally {
      fargate.mode = 'run';
    }
    // and the next run starts over: the unfinished target is ours, wiped without --force
    const again = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen']);
    expect({code: again.code, stderr: again.stderr.slice(-1500)}).toMatchObject({code: 0});
    expect(state().addons[pgAddon].data.phase).toBe('verified');
  }, 180_000);

  it('a task that hangs past --runner-timeout: the CLI stops it (moto: STOPPED with the reason), exit 1 naming the task and its stream; the copy is failed, the journal says why', async () => {
    expect(state().addons[pgAddon].data.phase).toBe('verified');
    const before = fargate.played.length;
    fargate.mode = 'hold';
    let r: CliResult;
    const t0 = Date.now();
    try {
      r = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen', '--runner-timeout', '60']);
      await until(() => fargate.played.length > before);
    } finally {
      fargate.mode = 'run';
    }
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(60);
    expect(seconds).toBeLessThan(100); // no 20 s grace wait for a result that cannot come
    expect(r.code).toBe(1);
    const held = fargate.played.at(-1)!;
    const id = held.taskArn.split('/').at(-1)!;
    expect(r.stderr).toContain(`The runner task did not finish within 60 s and was stopped (task ${held.taskArn}, log stream /heroku2aws/shop data-runner/data-runner/${id}).`);
    expect(r.stderr).toMatch(/Fix: Read its log stream; a large copy needs a longer --runner-timeout/);
    // the task in moto: stopped by the CLI, with its reason
    expect(held.stopped).toMatchObject({lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'heroku2aws: data copy timed out after 60 s'});
    const live = aws<{tasks: {lastStatus: string; stoppedReason: string}[]}>(['ecs', 'describe-tasks', '--cluster', 'shop', '--tasks', held.taskArn]).tasks[0]!;
    expect(live).toMatchObject({lastStatus: 'STOPPED', stoppedReason: 'heroku2aws: data copy timed out after 60 s'});
    // the task may have begun wiping the target before its lines arrived: no longer 'verified'
    const data = state().addons[pgAddon].data;
    expect(data.phase).toBe('copy-failed');
    expect(data.details.error).toMatch(/did not finish within 60 s/);
    expect(journal().filter((e) => e.op === 'data-copy').at(-1)).toMatchObject({phase: 'result', ok: false, details: {error: expect.stringMatching(/did not finish within 60 s/)}});
    expect(journal().filter((e) => e.op === 'data-runner').at(-1)).toMatchObject({phase: 'result', ok: false, details: {taskArn: held.taskArn, logStream: `data-runner/data-runner/${id}`, error: expect.stringMatching(/did not finish within 60 s and was stopped/)}});
  }, 180_000);

  it('Ctrl-C while the task runs: the CLI stops the task in moto, exits 4, the copy is not verified, the lock is released', async () => {
    const {code, stderr, held} = await interruptWhileHeld(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen'], 'interrupted stderr');
    expect({code, stderr: stderr.slice(-1500)}).toMatchObject({code: 4});
    expect(stderr).toContain(`Interrupted: stopping the runner task ${held.taskArn}`);
    expect(stderr).toContain(`Error: Interrupted: the runner task ${held.taskArn} was stopped (log stream /heroku2aws/shop data-runner/data-runner/${held.taskArn.split('/').at(-1)}).`);
    expect(held.stopped).toMatchObject({lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'heroku2aws: interrupted by the operator (Ctrl-C)'});
    expect(state().addons[pgAddon].data.phase).toBe('copy-failed');
    expect(journal().filter((e) => e.op === 'data-runner').at(-1)).toMatchObject({phase: 'result', ok: false, details: {taskArn: held.taskArn, error: expect.stringMatching(/^Interrupted/)}});
    // the lock was released: the next copy (no --break-lock) runs, wipes the unfinished target and verifies
    const again = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen']);
    expect({code: again.code, stderr: again.stderr.slice(-1500)}).toMatchObject({code: 0});
    expect(again.stderr).not.toMatch(/lock/i);
    expect(again.stderr).toMatch(/An earlier copy into this target did not finish/);
    expect(state().addons[pgAddon].data.phase).toBe('verified');
    for (const [table, rows] of Object.entries(pgSeed.rows)) expect(targetCount(table)).toBe(rows);
  }, 180_000);
});

describe('data cutover --in-vpc: the freeze window with the copy in the task', () => {
  const shop = () => heroku.state.apps.find((a) => a.app.name === 'shop')!;
  const workers = () => shop().formation.filter((f) => f.type !== 'web').reduce((n, f) => n + f.quantity, 0);
  const appSecret = async () => JSON.parse((await new SecretsManagerClient(cfg()).send(new GetSecretValueCommand({SecretId: appSecretArn, VersionStage: 'AWSCURRENT'}))).SecretString!) as Record<string, string>;
  const steps = () => journal().filter((e) => e.op === 'data-cutover').map((e) => `${e.details.step}:${e.phase}`);

  beforeAll(() => {
    // Heroku live, as before an announced window: maintenance off, a worker running
    shop().app.maintenance = false;
    shop().formation.find((f) => f.type === 'worker')!.quantity = 1;
  });

  it('a task that dies mid-copy: the cutover stops, Heroku is unfrozen on the old store, the remap stays inactive, the secret keeps the Heroku URL', async () => {
    const stepsBefore = steps().length;
    const before = fargate.played.length;
    fargate.mode = 'crash-in-restore';
    let r: CliResult;
    try {
      r = await cli(['data', 'cutover', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--runner-image', IMAGE, '--yes', '--force']);
    } finally {
      fargate.mode = 'run';
    }
    expect(r.code).toBe(1);
    expect(fargate.played.length).toBe(before + 1);
    const task = fargate.played.at(-1)!;
    // the task ran under the freeze
    expect(task.heroku).toEqual({maintenance: true, workers: 0});
    expect(r.stderr).toMatch(/Freezing shop: maintenance on, worker=0/);
    expect(r.stderr).toContain(`The runner task stopped without a result line (exit code 0; ECS: Essential container in task exited; task ${task.taskArn}`);
    expect(r.stderr).toMatch(/The cutover of \S+ stopped; Heroku was unfrozen on the old store\./);
    // as the local path: unfrozen (maintenance and scale as they were), remap inactive, Heroku's URL in the secret
    expect(shop().app.maintenance).toBe(false);
    expect(workers()).toBe(1);
    const entry = state().addons[pgAddon];
    expect(entry.remaps.DATABASE_URL.active).toBe(false);
    expect(entry.data.phase).toBe('copy-failed');
    expect(entry.data.details.cutover).toBeUndefined();
    const kept = await appSecret();
    const masked = (u?: string) => u?.replace(/:[^:@/]*@/, ':***@');
    expect(masked(kept.DATABASE_URL)).toBe(masked(ds.pgSource.url()));
    expect(steps().slice(stepsBefore)).toEqual(['freeze:intent', 'freeze:result', 'copy:intent', 'unfreeze:intent', 'unfreeze:result']);
    expect(journal().filter((e) => e.op === 'data-runner').at(-1)).toMatchObject({phase: 'result', ok: false, details: {taskArn: task.taskArn}});
  }, 180_000);

  it('Ctrl-C while the task copies: the CLI stops the task, exits 4, Heroku stays frozen and the window is left to resume (as a local cutover interrupted mid-copy)', async () => {
    const stepsBefore = steps().length;
    const {code, stderr, held} = await interruptWhileHeld(['data', 'cutover', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--yes'], 'interrupted cutover stderr', () => {
      expect(shop().app.maintenance).toBe(true);
      expect(workers()).toBe(0);
    });
    expect(held.heroku).toEqual({maintenance: true, workers: 0});
    expect({code, stderr: stderr.slice(-1500)}).toMatchObject({code: 4});
    expect(held.stopped).toMatchObject({lastStatus: 'STOPPED', stoppedReason: 'heroku2aws: interrupted by the operator (Ctrl-C)'});
    expect(stderr).toMatch(/The cutover of \S+ is paused; Heroku stays frozen \(maintenance on, worker=0\)\.\nFix: Re-run `migrate data cutover --app shop --addon postgres --in-vpc` to resume/);
    expect(stderr).not.toMatch(/Unfreezing/);
    expect(shop().app.maintenance).toBe(true);
    expect(workers()).toBe(0);
    const entry = state().addons[pgAddon];
    expect(entry.remaps.DATABASE_URL.active).toBe(false);
    expect(entry.data).toMatchObject({phase: 'copy-failed', details: {cutover: {step: 'frozen', formation: {worker: 1}, maintenanceWas: false}}});
    const kept = await appSecret();
    expect(kept.DATABASE_URL === ds.pgSource.url()).toBe(true);
    expect(steps().slice(stepsBefore)).toEqual(['freeze:intent', 'freeze:result', 'copy:intent']);
  }, 180_000);

  it('the resumed window: Heroku frozen while the task copies and verifies, the remap activated, the secret switched, Heroku left frozen', async () => {
    const stepsBefore = steps().length;
    const before = fargate.played.length;
    const r = await cli(['data', 'cutover', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--runner-image', IMAGE, '--yes']);
    expect({code: r.code, stderr: r.stderr.slice(-1500)}).toMatchObject({code: 0});
    expect(r.stderr).toMatch(/Resuming the cutover of \S+ \(it stopped after: frozen\)/); // the lock was released by the interrupted run
    expect(fargate.played.length).toBe(before + 1);
    const task = fargate.played.at(-1)!;
    expect(task.heroku).toEqual({maintenance: true, workers: 0});
    expect(task.exitCode).toBe(0);
    expect(task.lines.at(-1)).toMatch(/^\{"h2a":1,"type":"result"/);
    // the crashed window's half copy is wiped; the task's warning reaches the cutover's output
    expect(r.stderr).toMatch(/task: Wiping the target .* \(unfinished earlier copy\)/);
    expect(r.stderr).toMatch(/Warning: An earlier copy into this target did not finish/);
    expect(r.stdout).toMatch(/Verified: /);
    expect(r.stdout).toMatch(/Active now: DATABASE_URL.* -> the AWS store/);
    expect(r.stdout).toMatch(/Heroku stays in maintenance with worker at 0/);
    for (const [table, rows] of Object.entries(pgSeed.rows)) expect(targetCount(table)).toBe(rows);
    const entry = state().addons[pgAddon];
    expect(entry.remaps.DATABASE_URL.active).toBe(true);
    expect(entry.data).toMatchObject({phase: 'cut-over', details: {cutover: {step: 'done', formation: {worker: 1}, maintenanceWas: false}, mismatches: 0}});
    const secret = await appSecret();
    expect(secret.DATABASE_URL).toBe(ds.pgTarget.url());
    expect(secret.REDIS_URL).toBe(ds.redisSource.url());
    // Heroku stays frozen after success (its dynos still point at the old store)
    expect(shop().app.maintenance).toBe(true);
    expect(workers()).toBe(0);
    expect(steps().slice(stepsBefore)).toEqual(['freeze:intent', 'freeze:result', 'copy:intent', 'copy:result', 'activate:intent', 'activate:result', 'redeploy:intent', 'redeploy:result']);
    expect(journal().filter((e) => e.op === 'data-copy').slice(-3).map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(['intent:', 'result:true', 'verify:true']);
    expect(journal().filter((e) => e.op === 'data-runner').at(-1)).toMatchObject({phase: 'result', ok: true, details: {taskArn: task.taskArn, exitCode: 0}});
    // and an --in-vpc copy is now refused: the app's secret names the AWS store
    const refused = await cli(['data', 'copy', '--app', 'shop', '--addon', 'postgres', '--in-vpc', '--frozen']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already points at the AWS store/);
  }, 180_000);
});

describe('data copy --in-vpc: secrets', () => {
  it('no secret value anywhere: plan dir, CLI output, the log stream, the task definitions, the RunTask overrides', async () => {
    const tds = aws<{taskDefinitionArns: string[]}>(['ecs', 'list-task-definitions']).taskDefinitionArns.map((arn) => JSON.stringify(aws(['ecs', 'describe-task-definition', '--task-definition', arn, '--include', 'TAGS'])));
    expect(runTaskEnvs.length).toBeGreaterThanOrEqual(4);
    expect(runTaskEnvs.every((e) => e.includes('H2A_DATA_JOB'))).toBe(true);
    const canaries = canaryPasswords();
    expect(canaries.length).toBe(4);
    expectNoCanary(
      [
        ...outputs,
        ...[...filesUnder(planDir)].map(([p, c]) => [p, c] as [string, string]),
        ['log stream', (await logEvents()).join('\n')],
        ...tds.map((t, i) => [`task definition ${i}`, t] as [string, string]),
        ...runTaskEnvs.map((e, i) => [`RunTask overrides ${i}`, e] as [string, string]),
        ...fargate.played.map((p) => [`task stdout ${p.taskArn}`, p.lines.join('\n')] as [string, string]),
      ],
      canaries,
    );
  });
});
