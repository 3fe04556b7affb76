/**
 * The guard's stack and bundle: the template passes cfn-lint (no error, warning or informational
 * finding), reacts to exactly the plan's gate alarms, and the esbuild bundle is small, holds no
 * CLI code, and runs: the zipped module, imported as Lambda would, handles a dry-run test event
 * against the fake Cloudflare with its token from moto's Secrets Manager.
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {inflateRawSync} from 'node:zlib';
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {GUARD_CONFIG_ENV, TEST_DETAIL_TYPE, TEST_SOURCE} from '../../src/domain/guard.ts';
import {guardStack, guardStackParameters, type GuardStackInput} from '../../src/domain/guard-stack.ts';
import {serializeStack} from '../../src/domain/stacks/serialize.ts';
import {startFakeCloudflare} from '../fakes/cloudflare-server.ts';
import {ROOT} from '../support/cli.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const input: GuardStackInput = {
  app: 'shop',
  alarms: ['shop-web-5xx-rate', 'shop-web-p99-latency', 'shop-web-unhealthy-hosts'],
  edge: {zoneId: 'z1', accountId: 'a1', hostname: 'www.shop.example.com', namePrefix: 'heroku2aws-shop', loadBalancerId: 'lb1', herokuPoolId: 'hp1', awsPoolId: 'ap1'},
};
type Resource = {Type: string; Properties: Record<string, unknown>};
const template = guardStack(input);
const resources = template.Resources as Record<string, Resource>;

describe('guard stack', () => {
  it('passes cfn-lint with no finding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'h2a-guard-lint-'));
    const files = [input, {...input, app: 'jobs', alarms: ['jobs-web-5xx-rate'], logRetentionDays: 7}].map((i, n) => {
      const file = join(dir, `guard-${n}.json`);
      writeFileSync(file, serializeStack(guardStack(i)));
      return file;
    });
    const lint = spawnSync('cfn-lint', ['--regions', 'us-east-1', 'eu-west-1', '--include-checks', 'I', '--', ...files], {encoding: 'utf8'});
    rmSync(dir, {recursive: true, force: true});
    expect({status: lint.status, output: (lint.stdout + lint.stderr).trim()}).toEqual({status: 0, output: ''});
  });

  it('reacts to ALARM of exactly the plan gate alarms, every minute re-reads them, one function at a time', () => {
    const arn = (n: string) => ({'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${n}`});
    expect(resources.AlarmRule!.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: input.alarms.map(arn),
      detail: {state: {value: ['ALARM']}},
    });
    expect(resources.ScheduleRule!.Properties.ScheduleExpression).toBe('rate(1 minute)');
    const fn = resources.Function!.Properties;
    expect(fn).toMatchObject({Runtime: 'nodejs22.x', ReservedConcurrentExecutions: 1, Handler: 'index.handler', DeadLetterConfig: {TargetArn: {'Fn::GetAtt': ['DeadLetterQueue', 'Arn']}}});
    expect(resources.LogGroup!.Properties.RetentionInDays).toBe(30);
    for (const p of ['AlarmRulePermission', 'SchedulePermission']) expect(resources[p]!.Properties).toMatchObject({Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction'});
    // the token: the role reads only its secret, and the secret lets no one else read it
    const statements = (resources.Role!.Properties.Policies as {PolicyDocument: {Statement: Array<Record<string, unknown>>}}[])[0]!.PolicyDocument.Statement;
    const secretReads = statements.filter((s) => JSON.stringify(s.Action ?? '').includes('secretsmanager'));
    expect(secretReads).toEqual([{Sid: 'Token', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: {Ref: 'TokenSecretArn'}}]);
    expect(resources.TokenPolicy!.Properties.ResourcePolicy).toMatchObject({Statement: [{Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Condition: {StringNotEquals: {'aws:PrincipalArn': {'Fn::GetAtt': ['Role', 'Arn']}}}}]});
    // no secret value in the template or its parameters
    const params = guardStackParameters({app: 'shop', codeBucket: 'b', codeKey: 'k', tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:t', notifyEmail: 'ops@example.com', stateBucket: 'state', statePrefix: 'heroku2aws'});
    expect(params.find((p) => p.ParameterKey === 'StateKeyPrefix')?.ParameterValue).toBe('heroku2aws/shop/');
  });
});

describe('guard bundle', () => {
  const out = join(ROOT, 'dist', 'guard-test');
  const saved = {...process.env};
  afterAll(() => {
    process.env = saved;
    rmSync(out, {recursive: true, force: true});
  });

  it('is under 1 MB zipped, holds no CLI code, and the zipped module handles an event', async () => {
    // @ts-expect-error plain JavaScript build script
    const {buildGuard} = await import('../../scripts/build-guard.js');
    const meta = (await buildGuard(out)) as {zipBytes: number; sha256: string; packages: string[]};
    expect(meta.zipBytes).toBeLessThan(1024 * 1024);
    expect(meta.packages).not.toContain('@oclif/core');
    expect(meta.packages).not.toContain('listr2');
    const again = (await buildGuard(out)) as {sha256: string};
    expect(again.sha256).toBe(meta.sha256); // deterministic: the same code uploads as the same asset

    // unzip by hand (one deflated entry) into a directory that resolves the runtime's @aws-sdk
    const zip = readFileSync(join(out, 'guard.zip'));
    const nameLength = zip.readUInt16LE(26);
    expect(zip.subarray(30, 30 + nameLength).toString()).toBe('index.mjs');
    const code = inflateRawSync(zip.subarray(30 + nameLength, 30 + nameLength + zip.readUInt32LE(18)));
    mkdirSync(join(out, 'x'), {recursive: true});
    writeFileSync(join(out, 'x', 'index.mjs'), code);

    await resetMoto();
    const cf = await startFakeCloudflare({zones: [{zoneId: 'z1', zoneName: 'shop.example.com', accountId: 'a1'}]});
    try {
      const edge = createEdgeBalancer({token: 'good', baseUrl: cf.url, env: {}});
      const spec = {zoneId: 'z1', accountId: 'a1', hostname: 'www.shop.example.com', namePrefix: 'heroku2aws-shop', monitor: {path: '/', expectedCodes: '2xx', intervalSeconds: 60, type: 'https' as const}, heroku: {address: 'shop.herokuapp.com', hostHeader: null}, aws: {address: 'alb.example.com'}};
      const {view} = await edge.ensureSetup(spec);
      await edge.writeWeights(view, 40, spec);
      const secret = await new SecretsManagerClient(motoClientConfig()).send(new CreateSecretCommand({Name: 'heroku2aws/shop/guard/cloudflare-token', SecretString: 'good'}));
      const config = {app: 'shop', region: 'us-east-1', edge: {...input.edge, loadBalancerId: view.loadBalancerId, herokuPoolId: view.herokuPoolId, awsPoolId: view.awsPoolId}, alarms: [{name: 'shop-web-5xx-rate', arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-web-5xx-rate'}], tokenSecretArn: secret.ARN!};
      Object.assign(process.env, {[GUARD_CONFIG_ENV]: JSON.stringify(config), CLOUDFLARE_BASE_URL: cf.url, AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1'});
      const mod = (await import(pathToFileURL(join(out, 'x', 'index.mjs')).href)) as {handler: (e: unknown) => Promise<{action: string; from: number}>};
      const result = await mod.handler({source: TEST_SOURCE, 'detail-type': TEST_DETAIL_TYPE, detail: {dryRun: true}});
      expect(result).toMatchObject({action: 'would-roll-back', from: 40});
      expect(cf.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1); // only the test's own setup write
    } finally {
      await cf.close();
    }
  });
});
