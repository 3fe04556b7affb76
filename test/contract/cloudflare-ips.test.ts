/** scripts/refresh-cloudflare-ips.js against the fake Cloudflare API's public GET /ips. */
import {execFile} from 'node:child_process';
import {copyFileSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {startFakeCloudflare, type FakeCloudflare} from '../fakes/cloudflare-server.ts';
import {ROOT, tempDir} from '../support/cli.ts';

let fake: FakeCloudflare;
const IPS = {ipv4_cidrs: ['198.51.100.0/24', '203.0.113.0/24'], ipv6_cidrs: ['2001:db8:1::/48']};
beforeAll(async () => {
  fake = await startFakeCloudflare({ips: IPS});
});
afterAll(() => fake.close());

/** async: the fake answers from this process's event loop */
const run = (file: string, baseUrl: string) =>
  new Promise<{status: number; stdout: string; stderr: string}>((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts/refresh-cloudflare-ips.js'), '--file', file, '--date', '2030-01-31'], {env: {...process.env, CLOUDFLARE_BASE_URL: baseUrl}}, (err, stdout, stderr) =>
      resolve({status: err ? Number((err as {code?: number}).code ?? 1) : 0, stdout, stderr}),
    );
  });

describe('refresh-cloudflare-ips', () => {
  it('rewrites the ranges and their date, and nothing else of the template', async () => {
    const file = join(tempDir(), 'shared-alb.json');
    copyFileSync(join(ROOT, 'templates/cloudformation/shared-alb.json'), file);
    const before = JSON.parse(readFileSync(file, 'utf8'));
    const r = await run(file, fake.url);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 IPv4 and 1 IPv6 ranges as of 2030-01-31 \(changed/);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.slots).toMatchObject({cloudflareIpv4: IPS.ipv4_cidrs, cloudflareIpv6: IPS.ipv6_cidrs, cloudflareIpsAsOf: '2030-01-31'});
    expect({...after, slots: null}).toEqual({...before, slots: null});
    expect(fake.requests.filter((q) => q.path === '/ips')).toHaveLength(1);
  });

  it('an unreachable API changes nothing and says so', async () => {
    const file = join(tempDir(), 'shared-alb.json');
    copyFileSync(join(ROOT, 'templates/cloudformation/shared-alb.json'), file);
    const before = readFileSync(file, 'utf8');
    const r = await run(file, 'http://127.0.0.1:9/client/v4');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach .*the template was not changed/s);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
