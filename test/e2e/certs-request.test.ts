/**
 * `migrate certs request` through the built CLI: fake Heroku (the plan), the fake Cloudflare DNS
 * records API, and its own moto server. moto 5.2.1's ACM keeps a DNS-validated certificate
 * PENDING_VALIDATION for MOTO_ACM_VALIDATION_WAIT seconds after the request (default 60), then
 * reports it ISSUED whatever DNS holds; it gives every name the same validation CNAME value. The
 * product only polls DescribeCertificate, as against ACM; this suite sets the wait to 6 s.
 */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {DEFAULT_TOKENS, seedZone, startFakeCloudflare, type FakeCloudflare} from '../fakes/cloudflare-server.ts';
import {expectNoCanary} from '../support/canary.ts';
import {BIN, filesUnder, runCli, tempDir, type CliResult} from '../support/cli.ts';
import {motoEnv, startMoto, type MotoServer} from '../support/moto.ts';
import {ZONE, ACCOUNT} from '../support/cutover-env.ts';

let moto: MotoServer;
let heroku: FakeHeroku;
let cloudflare: FakeCloudflare;
let planDir: string;
let env: Record<string, string>;
const NAMES = ['shop.example.com', 'www.shop.example.com'];
/** the Cloudflare token of this suite: it must never reach output, state or journal */
const TOKEN = 'cf-token-canary-7f3e9a';
const outputs: Array<[string, string]> = [];

async function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(['certs', 'request', '--app', 'shop', '--plan-dir', planDir, ...args], {env: {...env, ...extraEnv}});
  outputs.push([`stdout of ${args.join(' ')}`, r.stdout], [`stderr of ${args.join(' ')}`, r.stderr]);
  return r;
}

async function certificates(): Promise<Array<{CertificateArn: string; Status: string}>> {
  const {ACMClient, ListCertificatesCommand} = await import('@aws-sdk/client-acm');
  const acm = new ACMClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}});
  return ((await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? []) as Array<{CertificateArn: string; Status: string}>;
}
const zoneRecords = () => [...(cloudflare.state.zones.get(ZONE)?.dnsRecords.values() ?? [])];
const writes = () => cloudflare.requests.filter((q) => q.method !== 'GET');
const state = () => JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
const journal = () =>
  readFileSync(join(planDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as {op: string; phase: string; ok?: boolean});

beforeAll(async () => {
  moto = await startMoto({env: {MOTO_ACM_VALIDATION_WAIT: '6'}});
  heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
  cloudflare = await startFakeCloudflare({tokens: [...DEFAULT_TOKENS, {token: TOKEN, permissions: ['dns_records:edit']}], zones: [{zoneId: ZONE, zoneName: 'shop.example.com', accountId: ACCOUNT}]});
  seedZone(cloudflare.state, {zoneId: 'e'.repeat(32), zoneName: 'other.org', accountId: ACCOUNT});
  env = {...motoEnv(moto.endpoint), AWS_EC2_METADATA_DISABLED: 'true', HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', CLOUDFLARE_BASE_URL: cloudflare.url, CLOUDFLARE_API_TOKEN: TOKEN, HOME: tempDir()};
  planDir = tempDir();
  const plan = await runCli(['plan', '--app', 'shop', '--out', planDir], {env});
  if (plan.code !== 0) throw new Error(`plan failed: ${plan.stderr}`);
});
afterAll(async () => {
  // the token went out with every request, and nowhere else
  expectNoCanary([...outputs, ...filesUnder(planDir)], [TOKEN]);
  moto.process.kill();
  await heroku.close();
  await cloudflare.close();
});

describe('migrate certs request: refusals before any write', () => {
  it.each([
    ['a malformed zone id', ['--zone', 'example.com'], {}, 2, /--zone 'example.com' is not a Cloudflare zone id/],
    ['no zone at all', [], {}, 2, /No Cloudflare zone given[\s\S]*Fix: Pass --zone/],
    ['a zone that does not hold the hostnames', ['--zone', 'e'.repeat(32)], {}, 1, /shop.example.com, www.shop.example.com are not in the Cloudflare zone other.org/],
    ['a token without DNS rights', ['--zone', ZONE], {CLOUDFLARE_API_TOKEN: 'pools-only'}, 1, /Cloudflare/],
    ['a bad --poll', ['--zone', ZONE, '--poll', '0'], {}, 2, /--poll must be/],
  ])('%s', async (_n, args, extraEnv, code, message) => {
    const r = await cli(args as string[], extraEnv as Record<string, string>);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.code).toBe(code);
    expect(await certificates()).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it('--dry-run says what it would do and writes nothing', async () => {
    const r = await cli(['--zone', ZONE, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({status: 'ok', result: {outcome: 'dry-run', action: 'request', arn: null, domainNames: NAMES}});
    expect(await certificates()).toEqual([]);
    expect(writes()).toEqual([]);
  });
});

describe('migrate certs request: request, validate, reuse', () => {
  it('requests the certificate, writes DNS-only validation CNAMEs and, with --wait-minutes 0, exits 4 (still validating)', async () => {
    const r = await cli(['--zone', ZONE, '--wait-minutes', '0', '--json']);
    expect(r.code).toBe(4);
    const {status, result} = JSON.parse(r.stdout);
    expect(status).toBe('paused');
    expect(result).toMatchObject({outcome: 'pending', action: 'request', status: 'PENDING_VALIDATION', reason: 'timeout'});
    expect(result.records.map((x: {action: string}) => x.action)).toEqual(['created', 'created']);
    const certs = await certificates();
    expect(certs).toHaveLength(1);
    expect(certs[0]!.CertificateArn).toBe(result.arn);
    // the records: one per name, under the zone, CNAME, never proxied, no trailing dot
    expect(zoneRecords().map((x) => [x.type, x.name, x.proxied, x.content]).sort()).toEqual(
      NAMES.map((n) => ['CNAME', `_d930b28be6c5927595552b219965053e.${n}`, false, '_c9edd76ee4a0e2a74388032f3861cc50.ykybfrwcxw.acm-validations.aws']).sort(),
    );
    expect(state().certificate).toMatchObject({arn: result.arn, region: 'us-east-1', status: 'PENDING_VALIDATION', zoneId: ZONE});
    expect(state().certificate.records.every((x: {created: boolean}) => x.created)).toBe(true);
    expect(journal().map((e) => `${e.op}:${e.phase}${e.ok === undefined ? '' : `:${e.ok}`}`)).toEqual([
      'certs-request:intent',
      'certs-request:result:true',
      'certs-dns-record:intent',
      'certs-dns-record:result:true',
      'certs-dns-record:intent',
      'certs-dns-record:result:true',
    ]);
  });

  it('Ctrl-C stops the wait within a second: exit 4, the request and records stay', async () => {
    const child = spawn(process.execPath, [BIN, 'certs', 'request', '--app', 'shop', '--plan-dir', planDir, '--poll', '1'], {env: {...process.env, ...env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (/Waiting for ACM/.test(stderr)) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    const sent = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(Date.now() - sent).toBeLessThan(1500);
    expect(code).toBe(4);
    expect(stderr).toMatch(/Interrupted/);
    expect(await certificates()).toHaveLength(1);
    expect(zoneRecords()).toHaveLength(2);
  });

  it('a re-run resumes the pending certificate, keeps the records and waits with progress until ISSUED', async () => {
    const before = writes().length;
    const r = await cli(['--poll', '1']);
    expect(r.stderr).toMatch(/Resuming the pending certificate/);
    expect(r.stderr).toMatch(/ACM: 0\/2 names validated/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Issued certificate arn:aws:acm:us-east-1:123456789012:certificate\/\S+ for shop.example.com, www.shop.example.com/);
    expect(r.stdout).toMatch(/present\s+CNAME _d930b28be6c5927595552b219965053e.shop.example.com/);
    expect(writes().length).toBe(before);
    expect(await certificates()).toHaveLength(1);
    expect(state().certificate.status).toBe('ISSUED');
  });

  it('is idempotent: an issued certificate covering the names is reused without touching Cloudflare', async () => {
    const before = cloudflare.requests.length;
    const r = await cli(['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toMatchObject({outcome: 'reused', arn: state().certificate.arn, records: []});
    expect(cloudflare.requests.length).toBe(before);
    expect(await certificates()).toHaveLength(1);
  });
});

describe('migrate certs request --cleanup', () => {
  it('needs --yes without a terminal, and then changes nothing', async () => {
    const r = await cli(['--cleanup']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ACM cannot renew[\s\S]*--yes/);
    expect(zoneRecords()).toHaveLength(2);
  });

  it('removes only the records it created and left unchanged', async () => {
    const zone = cloudflare.state.zones.get(ZONE)!;
    const [first, second] = zoneRecords();
    // someone else's record, and one of ours edited by hand since: both stay
    const foreign = await fetch(`${cloudflare.url}/zones/${ZONE}/dns_records`, {
      method: 'POST',
      headers: {Authorization: 'Bearer good', 'Content-Type': 'application/json'},
      body: JSON.stringify({type: 'TXT', name: 'keep', content: 'v=spf1 -all'}),
    });
    expect(foreign.status).toBe(200);
    zone.dnsRecords.set(second!.id, {...second!, content: 'changed.example.net'});
    const r = await cli(['--cleanup', '--yes', '--json']);
    expect(r.code).toBe(0);
    const {result, warnings} = JSON.parse(r.stdout);
    expect(result.removed).toEqual([first!.name]);
    expect(result.kept).toEqual([{name: second!.name, why: expect.stringMatching(/changed/)}]);
    expect(warnings.join(' ')).toMatch(/will not renew/);
    expect(zoneRecords().map((x) => x.name).sort()).toEqual([second!.name, 'keep.shop.example.com'].sort());
    expect(state().certificate.records.map((x: {name: string}) => x.name)).toEqual([second!.name]);
    expect(journal().filter((e) => e.op === 'certs-dns-delete').map((e) => e.phase)).toEqual(['intent', 'result']);
  });
});
