/**
 * The AWS SDK clients (through the adapters' clientConfig/capResponses) and the Cloudflare SDK
 * client (through openClient) end hung and oversized calls fast with a clear MigrateError, and
 * an endpoint that echoes the request in its error text cannot carry a secret value out.
 */
import {createSecretStore} from '../../src/adapters/aws/secrets-manager.ts';
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {forgetSecrets} from '../../src/domain/redaction.ts';
import type {EdgeSpec} from '../../src/ports/edge.ts';
import {startMisbehavingProxy, type MisbehavingProxy} from '../fakes/aws-proxy.ts';
import {motoEndpoint, resetMoto} from '../support/moto.ts';

let proxy: MisbehavingProxy;
const saved = {...process.env};

beforeAll(async () => {
  await resetMoto();
  proxy = await startMisbehavingProxy(motoEndpoint());
  Object.assign(process.env, {
    MIGRATE_HTTP_TIMEOUT: '1',
    AWS_ENDPOINT_URL: proxy.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-canary-3e1f',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterEach(() => {
  proxy.clear();
  forgetSecrets();
});
afterAll(async () => {
  process.env = saved;
  await proxy.close();
});

async function failure(p: Promise<unknown>): Promise<{err: MigrateError; ms: number}> {
  const t0 = Date.now();
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  return {err: err as MigrateError, ms: Date.now() - t0};
}

const store = () => createSecretStore({region: 'us-east-1', maxAttempts: 1});

describe('AWS SDK clients', () => {
  it('a hung endpoint: a clear timeout within the request timeout', async () => {
    proxy.misbehave('secretsmanager.DescribeSecret', 'stall');
    const {err, ms} = await failure((await store()).describe('heroku2aws/shop'));
    expect(err.message).toMatch(/The AWS endpoint did not answer in time \(TimeoutError\) while trying to describe secret heroku2aws\/shop\./);
    expect(err.hint).toMatch(/MIGRATE_HTTP_TIMEOUT/);
    expect(ms).toBeLessThan(3000);
  });

  it.each([false, true])('a 2 GB answer (Content-Length announced: %s): refused at the 32 MB cap', async (declareLength) => {
    proxy.misbehave('secretsmanager.DescribeSecret', 'oversize', {declareLength});
    const rss0 = process.memoryUsage().rss;
    const {err, ms} = await failure((await store()).describe('heroku2aws/shop'));
    expect(err.message).toMatch(/An AWS endpoint sent an answer larger than 32 MB/);
    expect(ms).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(400 * 1024 * 1024);
  });

  it('calls that behave still work through the same path (moto behind the proxy)', async () => {
    const s = await store();
    await s.create('heroku2aws/limits', {tags: {}, description: 'x'});
    expect(await s.describe('heroku2aws/limits')).toMatchObject({arn: expect.stringContaining('heroku2aws/limits')});
  });

  it('an endpoint that echoes the request: the error names the call, never a value written or the secret key', async () => {
    const s = await store();
    await s.create('heroku2aws/echo', {tags: {}, description: 'x'});
    proxy.misbehave('secretsmanager.PutSecretValue', 'echo', {echoChars: 200});
    const value = JSON.stringify({API_KEY: 'sk_live_canary_98a7c6b5d4e3f2a1', OTHER: 'whsec_canary_00112233445566778899aabbccddeeff'});
    const {err} = await failure(s.putVersion('heroku2aws/echo', value, 'b2f3a7d8-0c1e-4f5a-9b6c-7d8e9f0a1b2c', 'AWSPENDING'));
    expect(err.message).toMatch(/^AWS error ValidationException while trying to .*: Request rejected by proxy: .*\[redacted\]/);
    expect(`${err.message} ${err.hint}`).not.toMatch(/canary/);
  });
});

describe('Cloudflare SDK client', () => {
  const spec: EdgeSpec = {
    zoneId: 'z'.repeat(32),
    accountId: 'a'.repeat(32),
    hostname: 'shop.example.com',
    namePrefix: 'heroku2aws-shop',
    monitor: {path: '/healthz', expectedCodes: '200', intervalSeconds: 60, type: 'https'},
    heroku: {address: 'shop.herokuapp.com', hostHeader: 'shop.example.com'},
    aws: {address: 'alb.example.com'},
  };
  const edge = (maxRetries = 0) => createEdgeBalancer({token: 'cf-token-canary-5a5a5a5a', baseUrl: proxy.url, env: {}, maxRetries});

  it('a hung API: a clear timeout, also with the SDK retries (bounded)', async () => {
    proxy.misbehave('*', 'stall');
    const once = await failure(edge().read(spec));
    expect(once.err.message).toMatch(/Cannot reach the Cloudflare API at http:\/\/127\.0\.0\.1:\d+( \(timed out\))? while listing/);
    expect(once.ms).toBeLessThan(3000);
    const retried = await failure(edge(2).read(spec));
    expect(retried.ms).toBeLessThan(3 * 1000 + 3000);
  });

  it.each([false, true])('a 2 GB answer (Content-Length announced: %s): refused at the cap', async (declareLength) => {
    proxy.misbehave('*', 'oversize', {declareLength});
    const {err, ms} = await failure(edge().read(spec));
    expect(err.message).toMatch(/The Cloudflare API at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 32 MB/);
    expect(ms).toBeLessThan(10_000);
    expect(err.message).not.toMatch(/canary/);
  });
});
