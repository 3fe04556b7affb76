/**
 * The guard function's handler, in-process (moto cannot run functions without Docker), driven by
 * EventBridge events shaped like AWS's published examples, against the fake Cloudflare through
 * the real `cloudflare` SDK, with its token read from a moto Secrets Manager secret and its trips
 * journaled through a StateStore the CLI reads.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {createS3State} from '../../src/adapters/state/s3-state.ts';
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3';
import {alarmArn, GUARD_CONFIG_ENV, TEST_DETAIL_TYPE, TEST_SOURCE, type GuardConfig} from '../../src/domain/guard.ts';
import {forgetToken} from '../../src/guard/deps.ts';
import {createHandler} from '../../src/guard/handler.ts';
import type {EdgeBalancer, EdgeSpec} from '../../src/ports/edge.ts';
import type {StateStore} from '../../src/ports/state.ts';
import {foldLedger} from '../../src/domain/cutover-ledger.ts';
import {startFakeCloudflare, type FakeCloudflare, type FakeLoadBalancer} from '../fakes/cloudflare-server.ts';
import {tempDir} from '../support/cli.ts';
import {alarmEvent, scheduledEvent} from '../support/guard-events.ts';
import {createGateAlarms, setAlarm} from '../support/gates.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';
const TOKEN = 'cf-guard-canary-7f3b9d2e41c8a6'; // a canary: it must appear nowhere but in the request headers
const ALARMS = ['shop-web-5xx-rate', 'shop-web-p99-latency'];
const arnOf = (name: string) => alarmArn('us-east-1', '123456789012', name);
const RULE = 'arn:aws:events:us-east-1:123456789012:rule/shop-guard-backstop';

const spec: EdgeSpec = {
  zoneId: ZONE,
  accountId: ACCOUNT,
  hostname: 'www.shop.example.com',
  namePrefix: 'heroku2aws-shop',
  monitor: {path: '/health', expectedCodes: '2xx', intervalSeconds: 60, type: 'https'},
  heroku: {address: 'shop.herokuapp.com', hostHeader: 'www.shop.example.com'},
  aws: {address: 'shop-alb-1.us-east-1.elb.amazonaws.com'},
};

let cf: FakeCloudflare;
let edge: EdgeBalancer;
let config: GuardConfig;
/** the live record (a write replaces it in the fake's map) */
const lbNow = (): FakeLoadBalancer => cf.state.zones.get(ZONE)!.loadBalancers.get(config.edge.loadBalancerId)!;
const saved = {...process.env};

beforeAll(async () => {
  await resetMoto();
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_MAX_ATTEMPTS = '1';
  await createGateAlarms(ALARMS);
  cf = await startFakeCloudflare({zones: [{zoneId: ZONE, zoneName: 'shop.example.com', accountId: ACCOUNT}], tokens: [{token: TOKEN, permissions: ['load_balancers:edit', 'pools:edit']}]});
  edge = createEdgeBalancer({token: TOKEN, baseUrl: cf.url, env: {}});
  const {view} = await edge.ensureSetup(spec);
  const secret = await new SecretsManagerClient(motoClientConfig()).send(new CreateSecretCommand({Name: 'heroku2aws/shop/guard/cloudflare-token', SecretString: TOKEN}));
  config = {
    app: 'shop',
    region: 'us-east-1',
    edge: {zoneId: ZONE, accountId: ACCOUNT, hostname: spec.hostname, namePrefix: spec.namePrefix, loadBalancerId: view.loadBalancerId, herokuPoolId: view.herokuPoolId, awsPoolId: view.awsPoolId},
    alarms: ALARMS.map((name) => ({name, arn: arnOf(name)})),
    tokenSecretArn: secret.ARN!,
  };
});
afterAll(async () => {
  process.env = saved;
  await cf.close();
});

interface Run {
  dir: string;
  state: StateStore;
  logs: string[];
  sleeps: number[];
  handle: (event: unknown) => ReturnType<ReturnType<typeof createHandler>>;
}

/** A fresh journal, the live share set to `share` (affinity off, AWS pool on) and the request log cleared. */
async function setup(share: number, options: {affinity?: boolean} = {}): Promise<Run> {
  cf.clearFaults();
  forgetToken();
  const view = await edge.read(spec);
  await edge.writeWeights(view, share, spec);
  await edge.setAwsPoolEnabled(view, true, spec);
  lbNow().session_affinity = options.affinity ? 'cookie' : 'none';
  for (const name of ALARMS) await setAlarm(name, 'OK');
  cf.requests.length = 0;
  const dir = tempDir();
  const state = createLocalState(dir, 'shop', {now: () => new Date()});
  const logs: string[] = [];
  const sleeps: number[] = [];
  const handle = createHandler({
    env: {...process.env, [GUARD_CONFIG_ENV]: JSON.stringify(config), CLOUDFLARE_BASE_URL: cf.url},
    state: async () => state,
    sleep: async (ms) => void sleeps.push(ms),
    log: (m) => void logs.push(m),
  });
  return {dir, state, logs, sleeps, handle};
}

const live = () => Math.round((lbNow().random_steering?.pool_weights[config.edge.awsPoolId] ?? 0) * 100);
const awsPoolEnabled = () => cf.state.accounts.get(ACCOUNT)!.pools.get(config.edge.awsPoolId)!.enabled;
/** every weight write the fake received: the AWS and Heroku weights and whether both were in it */
const weightWrites = () =>
  cf.requests.flatMap((q) => {
    const w = (q.body as {random_steering?: {pool_weights?: Record<string, number>}} | undefined)?.random_steering?.pool_weights;
    return q.method === 'PATCH' && w ? [{aws: w[config.edge.awsPoolId], heroku: w[config.edge.herokuPoolId], status: q.status}] : [];
  });
const journalOf = async (run: Run) => (await run.state.readJournal()).map((e) => `${e.op}:${e.phase}${e.ok === undefined ? '' : `:${e.ok}`}`);
const noCanary = (run: Run) => {
  const text = [readFileSync(join(run.dir, 'journal.jsonl'), 'utf8'), ...run.logs].join('\n');
  expect(text).not.toContain(TOKEN);
};

describe('guard handler', () => {
  it('trips on ALARM of a gate alarm: AWS 0 / Heroku 1 in one write, read back, journaled as a rollback by the guard', async () => {
    const run = await setup(25);
    const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out).toMatchObject({action: 'rolled-back', alarm: 'shop-web-5xx-rate', from: 25, live: 0, recordErrors: []});
    expect(live()).toBe(0);
    expect(weightWrites()).toEqual([{aws: 0, heroku: 1, status: 200}]);
    const patch = cf.requests.findIndex((q) => q.method === 'PATCH');
    expect(cf.requests.slice(patch + 1).some((q) => q.method === 'GET' && q.path.includes('/load_balancers/'))).toBe(true);
    expect(await journalOf(run)).toEqual(['rollback:intent', 'rollback:result:true', 'rollback:verify:true']);
    const journal = await run.state.readJournal();
    for (const e of journal) expect(e.details).toMatchObject({by: 'guard', alarm: 'shop-web-5xx-rate', trigger: 'event'});
    expect(foldLedger(journal).verifiedShare).toBe(0); // the CLI's readers see the tool's own rollback
    expect(await run.state.readRollbackRequest()).toMatchObject({by: 'guard (alarm shop-web-5xx-rate)'});
    noCanary(run);
  });

  it('already at 0%: writes nothing, journals nothing, still asks a running shift to stop', async () => {
    const run = await setup(0);
    const out = await run.handle(alarmEvent(arnOf('shop-web-p99-latency'), 'shop-web-p99-latency', 'ALARM'));
    expect(out.action).toBe('already-zero');
    expect(cf.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(await journalOf(run)).toEqual([]);
    expect(await run.state.readRollbackRequest()).not.toBeNull();
  });

  it('ignores alarms that are not its own, and OK / INSUFFICIENT_DATA changes, without calling Cloudflare', async () => {
    const run = await setup(10);
    const other = await run.handle(alarmEvent(arnOf('billing-alarm'), 'billing-alarm', 'ALARM'));
    expect(other).toMatchObject({action: 'ignored'});
    expect(other.reason).toMatch(/not one of this guard's alarms/);
    for (const value of ['OK', 'INSUFFICIENT_DATA'] as const) {
      const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', value, 'ALARM'));
      expect(out).toMatchObject({action: 'ignored'});
    }
    // the same alarm name in another account or region is another alarm
    expect((await run.handle(alarmEvent(alarmArn('eu-west-1', '123456789012', 'shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'))).action).toBe('ignored');
    expect(cf.requests).toEqual([]);
    expect(live()).toBe(10);
    expect(await journalOf(run)).toEqual([]);
  });

  it('backstop schedule: re-reads the alarms; clear when none fires, trips when one is in ALARM', async () => {
    const run = await setup(50);
    expect((await run.handle(scheduledEvent(RULE))).action).toBe('clear');
    expect(cf.requests).toEqual([]);
    await setAlarm('shop-web-p99-latency', 'ALARM');
    const out = await run.handle(scheduledEvent(RULE));
    expect(out).toMatchObject({action: 'rolled-back', alarm: 'shop-web-p99-latency', from: 50, live: 0});
    expect((await run.state.readJournal())[0]!.details).toMatchObject({by: 'guard', trigger: 'schedule'});
  });

  it('429 storm: backs off and retries until the write lands', async () => {
    const run = await setup(25);
    cf.failNext(7, 429, {retryAfterSeconds: 0});
    const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out.action).toBe('rolled-back');
    expect(live()).toBe(0);
    expect(run.sleeps.length).toBeGreaterThanOrEqual(2);
    expect(run.sleeps[1]!).toBeGreaterThan(run.sleeps[0]!); // growing back-off
    expect(weightWrites().filter((w) => w.status === 200)).toEqual([{aws: 0, heroku: 1, status: 200}]);
  });

  it('5xx then success: a failed write is journaled, retried after a pause, and verified', async () => {
    const run = await setup(75);
    cf.failNext(3, 503, {method: 'PATCH'}); // the SDK's own 2 retries are spent: the workflow retries
    const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out).toMatchObject({action: 'rolled-back', from: 75, live: 0});
    expect(await journalOf(run)).toEqual(['rollback:intent', 'rollback:result:false', 'rollback:result:true', 'rollback:verify:true']);
    expect(run.sleeps).toEqual([1000]);
    expect(weightWrites().map((w) => w.aws)).toEqual([0, 0, 0, 0]);
  });

  it('read-back mismatch: writes again until the read-back shows 0; gives up loudly when it never does', async () => {
    const reverting = (times: number): EdgeBalancer => {
      let left = times;
      return {...edge, writeWeights: async (view, share, s) => {
        await edge.writeWeights(view, share, s);
        if (left-- > 0) lbNow().random_steering = {default_weight: 0, pool_weights: {[config.edge.herokuPoolId]: 0.75, [config.edge.awsPoolId]: 0.25}}; // someone puts 25% back
      }};
    };
    const {guardWorkflow} = await import('../../src/workflows/guard-trip.ts');
    const run = await setup(25);
    const event = alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM');
    const deps = {state: run.state, metrics: async () => ({alarmStates: async () => ({})}), now: Date.now, sleep: async () => undefined};
    const once = await guardWorkflow(event, config, {...deps, edge: async () => reverting(1)});
    expect(once).toMatchObject({action: 'rolled-back', live: 0});
    expect(weightWrites().map((w) => w.aws)).toEqual([0, 0]);

    const run2 = await setup(25);
    await expect(guardWorkflow(event, config, {...deps, state: run2.state, edge: async () => reverting(99), attempts: 3})).rejects.toThrow(/wrote AWS 0% but could not verify it: the live AWS share is 25%/);
    expect(await journalOf(run2)).toEqual(['rollback:intent', 'rollback:result:true', 'rollback:result:true', 'rollback:result:true', 'rollback:verify:false']);
  });

  it('session affinity on: also disables the AWS pool, as rollback does', async () => {
    const run = await setup(25, {affinity: true});
    const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out).toMatchObject({action: 'rolled-back', live: 0, awsPoolDisabled: true});
    expect(live()).toBe(0);
    expect(awsPoolEnabled()).toBe(false);
    // at 0% with the AWS pool still enabled, affinity alone is reason to write
    const again = await setup(0, {affinity: true});
    expect((await again.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'))).awsPoolDisabled).toBe(true);
    expect(weightWrites()).toEqual([]);
    expect(awsPoolEnabled()).toBe(false);
  });

  it('never writes a share above the live one, whatever the live share', async () => {
    for (const share of [0, 1, 5, 33, 99, 100]) {
      const run = await setup(share);
      await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
      for (const w of weightWrites()) expect(w.aws! * 100).toBeLessThanOrEqual(share);
      expect(live()).toBe(0);
    }
  });

  it('a dry-run test event shows what it would write and writes nothing', async () => {
    const run = await setup(25);
    const out = await run.handle({source: TEST_SOURCE, 'detail-type': TEST_DETAIL_TYPE, detail: {dryRun: true}});
    expect(out).toMatchObject({action: 'would-roll-back', from: 25});
    expect(out.reason).toMatch(/would write AWS 0% \/ Heroku 100% \(live AWS 25%\)/);
    expect(cf.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(live()).toBe(25);
  });

  it('does nothing on a load balancer Heroku has left (finalize): there is nowhere to send traffic', async () => {
    const run = await setup(100);
    const lb = lbNow();
    lb.default_pools = [config.edge.awsPoolId];
    try {
      const out = await run.handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
      expect(out).toMatchObject({action: 'ignored'});
      expect(out.reason).toMatch(/Heroku pool is not in the load balancer/);
      expect(weightWrites()).toEqual([]);
    } finally {
      lbNow().default_pools = [config.edge.herokuPoolId, config.edge.awsPoolId];
    }
  });

  it('records the trip in the team state in S3, where the CLI reads it (the function\'s default state)', async () => {
    const run = await setup(30);
    await new S3Client({...motoClientConfig(), forcePathStyle: true}).send(new CreateBucketCommand({Bucket: 'guard-team-state'}));
    const withS3 = {...config, state: {bucket: 'guard-team-state', prefix: 'heroku2aws'}};
    const handle = createHandler({env: {...process.env, [GUARD_CONFIG_ENV]: JSON.stringify(withS3), CLOUDFLARE_BASE_URL: cf.url}, sleep: async () => undefined, log: (m) => void run.logs.push(m)});
    const out = await handle(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out).toMatchObject({action: 'rolled-back', from: 30, live: 0, recordErrors: []});
    const cli = await createS3State({bucket: 'guard-team-state', prefix: 'heroku2aws', app: 'shop', region: 'us-east-1', endpoint: motoEndpoint(), clock: {now: () => new Date()}});
    const journal = await cli.readJournal();
    expect(journal.map((e) => `${e.op}:${e.phase}:${(e.details as {by?: string}).by}`)).toEqual(['rollback:intent:guard', 'rollback:result:guard', 'rollback:verify:guard']);
    expect(foldLedger(journal).verifiedShare).toBe(0);
    expect(await cli.readRollbackRequest()).toMatchObject({by: 'guard (alarm shop-web-5xx-rate)'});
    expect(JSON.stringify(journal)).not.toContain(TOKEN);
    cli.close();
  });

  it('rolls back even when its state store cannot be written, and says so', async () => {
    const run = await setup(25);
    const broken = createHandler({
      env: {...process.env, [GUARD_CONFIG_ENV]: JSON.stringify(config), CLOUDFLARE_BASE_URL: cf.url},
      sleep: async () => undefined,
      log: (m) => void run.logs.push(m),
    }); // no team state configured
    const out = await broken(alarmEvent(arnOf('shop-web-5xx-rate'), 'shop-web-5xx-rate', 'ALARM'));
    expect(out.action).toBe('rolled-back');
    expect(live()).toBe(0);
    expect(out.recordErrors.join('\n')).toMatch(/no team state/);
  });
});
