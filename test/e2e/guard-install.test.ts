/**
 * `migrate guard install | status | test | remove` as workflows over the real adapters: moto
 * (CloudFormation change sets, Lambda, EventBridge, Secrets Manager, S3, CloudWatch), the fake
 * Cloudflare, and the team state in moto's S3. Bad input is refused before any write.
 */
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3';
import {DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand} from '@aws-sdk/client-eventbridge';
import {GetFunctionCommand, GetPolicyCommand, LambdaClient} from '@aws-sdk/client-lambda';
import {DescribeSecretCommand, ListSecretsCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {CloudFormationClient, DescribeStacksCommand, GetTemplateCommand} from '@aws-sdk/client-cloudformation';
import {readGuardBundle} from '../../src/adapters/files/guard-files.ts';
import {createStackDeployer} from '../../src/adapters/aws/cloudformation.ts';
import {createAssetStore, createFunctionInvoker, createStackRemover} from '../../src/adapters/aws/guard-aws.ts';
import {createMetricsGate} from '../../src/adapters/aws/cloudwatch.ts';
import {createSecretStore} from '../../src/adapters/aws/secrets-manager.ts';
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {createS3State} from '../../src/adapters/state/s3-state.ts';
import type {DeployUi} from '../../src/workflows/deploy.ts';
import {guardRemove, guardStatus, guardTest} from '../../src/workflows/guard-admin.ts';
import {guardInstall, type GuardInstallDeps} from '../../src/workflows/guard-install.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms} from '../support/gates.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const BUCKET = 'shop-team-state';
/** a canary token: it may reach the token's secret and Cloudflare's Authorization header, nothing else */
const TOKEN = 'cf-guard-install-canary-5d1e8a';
let w: CutoverEnv;
let state: Awaited<ReturnType<typeof createS3State>>;
const saved = {...process.env};
const clock = {now: () => new Date()};
const ui: DeployUi = {interactive: false, showChangeSet: () => undefined, confirm: async () => true, track: (_t, run) => run(() => undefined), note: () => undefined};
const aws = {
  cfn: () => new CloudFormationClient(motoClientConfig()),
  lambda: () => new LambdaClient(motoClientConfig()),
  events: () => new EventBridgeClient(motoClientConfig()),
  sm: () => new SecretsManagerClient(motoClientConfig()),
};

function deps(over: Partial<GuardInstallDeps> = {}, env: Record<string, string | undefined> = {CLOUDFLARE_API_TOKEN: TOKEN}): GuardInstallDeps {
  return {
    state,
    location: async () => ({type: 's3', bucket: BUCKET, prefix: 'heroku2aws', region: 'us-east-1'}),
    stacks: (region) => createStackDeployer({region, minDelay: 1, maxDelay: 1, eventPollMs: 200, maxAttempts: 1}),
    secrets: (region) => createSecretStore({region, maxAttempts: 1}),
    assets: (region) => createAssetStore({region, maxAttempts: 1}),
    metrics: (region) => createMetricsGate({region, maxAttempts: 1}),
    edge: async (token) => createEdgeBalancer({token, baseUrl: w.cloudflare.url, env: {}}),
    bundle: () => readGuardBundle(),
    clock,
    env: {AWS_REGION: 'us-east-1', ...env},
    ui,
    ...over,
  };
}
const writesToCloudflare = () => w.cloudflare.requests.filter((q) => q.method !== 'GET' && !(q.body as {description?: unknown} | undefined)?.description).length;
const stackExists = async (name: string) => aws.cfn().send(new DescribeStacksCommand({StackName: name})).then(() => true, () => false);

beforeAll(async () => {
  await resetMoto();
  Object.assign(process.env, {AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1'});
  w = await startCutoverEnv();
  w.cloudflare.state.tokens.push({token: TOKEN, permissions: ['load_balancers:edit', 'pools:edit']});
  expect((await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes'])).code).toBe(0);
  await new S3Client({...motoClientConfig(), forcePathStyle: true}).send(new CreateBucketCommand({Bucket: BUCKET}));
  // the team state in S3, holding what edge setup recorded locally
  state = await createS3State({bucket: BUCKET, prefix: 'heroku2aws', app: 'shop', region: 'us-east-1', endpoint: motoEndpoint(), clock, planDir: w.planDir});
  await state.writeState(await createLocalState(w.planDir, 'shop', clock).readState());
  // the test reads dist/guard/guard.zip: build it if this checkout has not
  await readGuardBundle().catch(async () => {
    // @ts-expect-error plain JavaScript build script
    await (await import('../../scripts/build-guard.js')).buildGuard();
  });
}, 120_000);
afterAll(async () => {
  process.env = saved;
  state.close();
  await w.close();
});

describe('guard install: bad input, refused before any write', () => {
  it('refuses local state, naming migrate state init', async () => {
    await expect(guardInstall({app: 'shop', yes: true}, deps({location: async () => ({type: 'local'})}))).rejects.toThrow(/state of shop is local/);
    await expect(guardInstall({app: 'shop', yes: true}, deps({location: async () => ({type: 'local'})}))).rejects.toMatchObject({hint: expect.stringMatching(/migrate state init --app shop/)});
  });

  it('refuses when the gate alarms are missing', async () => {
    await expect(guardInstall({app: 'shop', yes: true}, deps())).rejects.toThrow(/Gate alarms do not exist in us-east-1: shop-web-5xx-rate/);
  });

  it('refuses without a token and without a token secret', async () => {
    await createGateAlarms();
    await expect(guardInstall({app: 'shop', yes: true}, deps({}, {}))).rejects.toThrow(/No Cloudflare token for the guard: CLOUDFLARE_API_TOKEN is not set and secret heroku2aws\/shop\/guard\/cloudflare-token does not exist/);
  });

  it('refuses a token that cannot edit the load balancer or the pool, naming the permission', async () => {
    const before = writesToCloudflare();
    await expect(guardInstall({app: 'shop', yes: true}, deps({}, {CLOUDFLARE_API_TOKEN: 'read-only'}))).rejects.toThrow(/lacks Zone > Load Balancers > Edit/);
    await expect(guardInstall({app: 'shop', yes: true}, deps({}, {CLOUDFLARE_API_TOKEN: 'pools-only'}))).rejects.toThrow(/lacks Zone > Load Balancers > Read/);
    w.cloudflare.state.tokens.push({token: 'lb-only', permissions: ['load_balancers:edit', 'pools:read']});
    await expect(guardInstall({app: 'shop', yes: true}, deps({}, {CLOUDFLARE_API_TOKEN: 'lb-only'}))).rejects.toThrow(/lacks Account > Load Balancing: Monitors and Pools > Edit/);
    expect(writesToCloudflare()).toBe(before); // only no-op description writes went out
    expect(await stackExists('shop-guard')).toBe(false);
    expect((await aws.sm().send(new ListSecretsCommand({}))).SecretList ?? []).toEqual([]);
  });

  it('refuses a --notify that is not an email address, and no --yes without a terminal', async () => {
    await expect(guardInstall({app: 'shop', yes: true, notify: 'ops'}, deps())).rejects.toThrow(/--notify 'ops' is not an email address/);
    await expect(guardInstall({app: 'shop'}, deps())).rejects.toMatchObject({exitCode: 2});
  });
});

describe('guard install on moto', () => {
  it('creates the stack through a change set: function, rules, targets, permissions, the token secret; records it', async () => {
    const r = await guardInstall({app: 'shop', yes: true, notify: 'ops@example.com'}, deps());
    expect(r.stack).toMatchObject({stackName: 'shop-guard', result: 'created'});
    expect(r.asset).toMatchObject({bucket: BUCKET, key: expect.stringMatching(/^heroku2aws\/shop\/guard\/[0-9a-f]{64}\.zip$/), uploaded: true});
    expect(r.asset.bytes).toBeLessThan(1024 * 1024);

    const fn = await aws.lambda().send(new GetFunctionCommand({FunctionName: 'shop-guard'}));
    expect(fn.Configuration).toMatchObject({Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 120});
    const config = JSON.parse(fn.Configuration!.Environment!.Variables!.GUARD_CONFIG!);
    expect(config.alarms.map((a: {arn: string}) => a.arn)).toContain('arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-web-5xx-rate');
    expect(config).toMatchObject({app: 'shop', region: 'us-east-1', tokenSecretArn: r.tokenSecretArn, state: {bucket: BUCKET, prefix: 'heroku2aws'}});
    const rule = await aws.events().send(new DescribeRuleCommand({Name: 'shop-guard-alarms'}));
    expect(JSON.parse(rule.EventPattern!)).toMatchObject({'detail-type': ['CloudWatch Alarm State Change'], detail: {state: {value: ['ALARM']}}});
    expect(JSON.parse(rule.EventPattern!).resources).toHaveLength(r.alarms.length);
    const targets = await aws.events().send(new ListTargetsByRuleCommand({Rule: 'shop-guard-alarms'}));
    expect(targets.Targets?.map((t) => t.Id).sort()).toEqual(['guard', 'notify']);
    expect((await aws.events().send(new DescribeRuleCommand({Name: 'shop-guard-backstop'}))).ScheduleExpression).toBe('rate(1 minute)');
    const policy = JSON.parse((await aws.lambda().send(new GetPolicyCommand({FunctionName: 'shop-guard'}))).Policy!);
    expect(policy.Statement.map((s: {Principal: {Service: string}}) => s.Principal.Service)).toEqual(['events.amazonaws.com', 'events.amazonaws.com']);
    const secret = await aws.sm().send(new DescribeSecretCommand({SecretId: 'heroku2aws/shop/guard/cloudflare-token'}));
    expect(secret.Tags).toEqual(expect.arrayContaining([{Key: 'heroku2aws:app', Value: 'shop'}]));

    const s = await state.readState();
    expect(s.guard).toMatchObject({stackName: 'shop-guard', region: 'us-east-1', functionName: 'shop-guard', loadBalancerId: s.edge!.loadBalancerId});
    expect((await state.readJournal()).map((e) => `${e.op}:${e.phase}`)).toEqual(expect.arrayContaining(['guard-install:intent', 'stack-change-set:intent', 'stack-change-set:result', 'guard-install:result']));
    // the token reached only the secret: not the template, the stack parameters, the state or the journal
    const template = (await aws.cfn().send(new GetTemplateCommand({StackName: 'shop-guard'}))).TemplateBody!;
    const stack = (await aws.cfn().send(new DescribeStacksCommand({StackName: 'shop-guard'}))).Stacks![0]!;
    const objects = await Promise.all((await state.listKeys()).map(async (k) => (await state.readObject(k)) ?? ''));
    for (const text of [template, JSON.stringify(stack.Parameters), JSON.stringify(fn.Configuration), JSON.stringify(s), JSON.stringify(await state.readJournal()), ...objects]) expect(text).not.toContain(TOKEN);
  }, 120_000);

  it('status: armed; test: a dry run writes nothing', async () => {
    const status = await guardStatus({app: 'shop'}, {state, stacks: deps().stacks});
    expect(status).toMatchObject({armed: true, reasons: [], stackStatus: 'CREATE_COMPLETE', lastTrip: null});
    const before = writesToCloudflare();
    const t = await guardTest({app: 'shop'}, {state, edge: async () => createEdgeBalancer({token: TOKEN, baseUrl: w.cloudflare.url, env: {}}), invoker: async () => ({invoke: async () => null}), now: Date.now, sleep: async () => undefined});
    expect(t).toMatchObject({dryRun: true, outcome: {action: 'already-zero'}});
    expect(writesToCloudflare()).toBe(before);
    await expect(guardTest({app: 'shop', confirm: 'other'}, {state, edge: async () => createEdgeBalancer({token: TOKEN, baseUrl: w.cloudflare.url, env: {}}), invoker: async () => ({invoke: async () => null}), now: Date.now, sleep: async () => undefined})).rejects.toMatchObject({exitCode: 2});
  });

  it('test --confirm invokes the deployed function; its failure is reported with where to look', async () => {
    // moto 5.2.1 runs no function without Docker and answers a function error: the CLI must say so, not claim a trip
    const run = guardTest({app: 'shop', confirm: 'shop'}, {state, edge: async () => createEdgeBalancer({token: TOKEN, baseUrl: w.cloudflare.url, env: {}}), invoker: (region) => createFunctionInvoker({region, maxAttempts: 1}), now: Date.now, sleep: async () => undefined});
    await expect(run).rejects.toThrow(/The guard function shop-guard failed/);
    await expect(run).rejects.toMatchObject({hint: expect.stringMatching(/aws logs tail \/aws\/lambda\/shop-guard/)});
  });

  it('refuses a second guard of the app in another region, and a guard stack it does not know', async () => {
    await expect(guardInstall({app: 'shop', yes: true, region: 'eu-west-1'}, deps())).rejects.toThrow(/already installed in us-east-1 \(shop-guard\); two guards/);
    const other = await createS3State({bucket: BUCKET, prefix: 'other-team', app: 'shop', region: 'us-east-1', endpoint: motoEndpoint(), clock, planDir: w.planDir});
    const {guard: _g, ...withoutGuard} = await state.readState();
    await other.writeState(withoutGuard);
    await expect(guardInstall({app: 'shop', yes: true}, deps({state: other}))).rejects.toThrow(/Stack shop-guard exists in us-east-1 .* records no guard/);
    other.close();
  });

  it('a re-install with nothing changed changes nothing', async () => {
    const r = await guardInstall({app: 'shop', yes: true, notify: 'ops@example.com'}, deps());
    expect(r.stack.result).toBe('no changes');
    expect(r.asset.uploaded).toBe(false);
  }, 120_000);

  it('remove: deletes the stack and forgets the guard', async () => {
    const r = await guardRemove({app: 'shop'}, {state, remover: (region) => createStackRemover({region, maxAttempts: 1}), now: Date.now, confirm: async () => undefined});
    expect(r).toMatchObject({removed: true, stackName: 'shop-guard', region: 'us-east-1'});
    expect(await stackExists('shop-guard')).toBe(false);
    expect((await state.readState()).guard).toBeUndefined();
    expect((await guardStatus({app: 'shop'}, {state, stacks: deps().stacks})).armed).toBe(false);
  }, 120_000);
});
