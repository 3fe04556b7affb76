/**
 * The guard: bundle size (goal: under 1 MB zipped), the bundle's load time in a fresh Node
 * process (what a cold start adds), and event-in to verified 0%: the handler in-process, an
 * EventBridge alarm event in, the Cloudflare write read back (fake Cloudflare, token from moto's
 * Secrets Manager), with 0 ms and 80 ms per Cloudflare request. Prints figures; asserts nothing.
 */
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {inflateRawSync} from 'node:zlib';
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {createEdgeBalancer} from '../src/adapters/cloudflare/edge-balancer.ts';
import {alarmArn, GUARD_CONFIG_ENV} from '../src/domain/guard.ts';
import {createHandler} from '../src/guard/handler.ts';
import {startFakeCloudflare} from '../test/fakes/cloudflare-server.ts';
import {ROOT} from '../test/support/cli.ts';
import {alarmEvent} from '../test/support/guard-events.ts';
import {motoClientConfig, startMoto} from '../test/support/moto.ts';
// @ts-expect-error plain JavaScript build script
import {buildGuard} from '../scripts/build-guard.js';

const RUNS = Number(process.env.RUNS ?? 20);
const out = join(ROOT, 'dist', 'guard-bench');
const meta = (await buildGuard(out)) as {bundleBytes: number; zipBytes: number; packages: string[]};
console.log(`guard bundle: ${(meta.bundleBytes / 1024).toFixed(0)} KiB, zipped ${(meta.zipBytes / 1024).toFixed(0)} KiB (goal < 1024 KiB); bundled packages: ${meta.packages.join(', ')}`);

// load time of the module in a fresh process, as the runtime's init phase would pay it
const zip = readFileSync(join(out, 'guard.zip'));
const nameLength = zip.readUInt16LE(26);
mkdirSync(join(out, 'x'), {recursive: true});
writeFileSync(join(out, 'x', 'index.mjs'), inflateRawSync(zip.subarray(30 + nameLength, 30 + nameLength + zip.readUInt32LE(18))));
const loads = Array.from({length: 5}, () =>
  Number(execFileSync(process.execPath, ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(join(out, 'x', 'index.mjs'))}); console.log((performance.now() - t).toFixed(1))`], {cwd: ROOT}).toString()),
);
console.log(`bundle load in a fresh Node ${process.version}: median ${median(loads).toFixed(0)} ms (5 runs; bare node start-up not included)`);

const moto = await startMoto();
Object.assign(process.env, {AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1'});
const ZONE = 'z'.repeat(32);
const ACCOUNT = 'a'.repeat(32);
const cf = await startFakeCloudflare({zones: [{zoneId: ZONE, zoneName: 'shop.example.com', accountId: ACCOUNT}]});
const spec = {zoneId: ZONE, accountId: ACCOUNT, hostname: 'www.shop.example.com', namePrefix: 'heroku2aws-shop', monitor: {path: '/', expectedCodes: '2xx', intervalSeconds: 60, type: 'https' as const}, heroku: {address: 'shop.herokuapp.com', hostHeader: null}, aws: {address: 'alb.example.com'}};
const edge = createEdgeBalancer({token: 'good', baseUrl: cf.url, env: {}});
const {view} = await edge.ensureSetup(spec);
const secret = await new SecretsManagerClient({...motoClientConfig(moto.endpoint)}).send(new CreateSecretCommand({Name: 'bench-guard-token', SecretString: 'good'}));
const arn = alarmArn('us-east-1', '123456789012', 'shop-web-5xx-rate');
const config = {app: 'shop', region: 'us-east-1', edge: {zoneId: ZONE, accountId: ACCOUNT, hostname: spec.hostname, namePrefix: spec.namePrefix, loadBalancerId: view.loadBalancerId, herokuPoolId: view.herokuPoolId, awsPoolId: view.awsPoolId}, alarms: [{name: 'shop-web-5xx-rate', arn}], tokenSecretArn: secret.ARN!};
const journalDir = mkdtempSync(join(ROOT, 'dist', 'guard-bench-state-'));
const {createLocalState} = await import('../src/adapters/state/local-state.ts');
const handle = createHandler({env: {...process.env, [GUARD_CONFIG_ENV]: JSON.stringify(config), CLOUDFLARE_BASE_URL: cf.url}, state: async () => createLocalState(journalDir, 'shop', {now: () => new Date()}), log: () => undefined});

for (const latency of [0, 80]) {
  cf.setLatency(latency);
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    await edge.writeWeights(await edge.read(spec), 25, spec);
    const before = cf.requests.length;
    const t = performance.now();
    const r = await handle(alarmEvent(arn, 'shop-web-5xx-rate', 'ALARM'));
    times.push(performance.now() - t);
    requests += cf.requests.length - before;
    if (r.action !== 'rolled-back') throw new Error(`run ${i}: ${r.action}`);
  }
  console.log(`event in -> AWS 0% verified (${latency} ms per Cloudflare request): median ${median(times).toFixed(0)} ms, p95 ${pct(times, 95).toFixed(0)} ms, ${(requests / RUNS).toFixed(1)} Cloudflare requests per trip (${RUNS} runs; the first includes reading the token)`);
}

await cf.close();
moto.process.kill();
rmSync(out, {recursive: true, force: true});
rmSync(journalDir, {recursive: true, force: true});

function median(xs: number[]) {
  return pct(xs, 50);
}
function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
