/** `migrate report`: the built CLI on a recorded cutover, CloudWatch on moto, the page in headless Chromium. */
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {canonicalJson} from '../../src/domain/plan.ts';
import {emptyState} from '../../src/domain/state.ts';
import {COLOURS} from '../../src/render/report-html.ts';
import {screenshot} from '../support/chromium.ts';
import {runCli, tempDir} from '../support/cli.ts';
import {motoClientConfig, motoEnv, resetMoto} from '../support/moto.ts';
import {countColour, readPng} from '../support/png.ts';
import {recordedJournal} from '../support/report-journal.ts';

const ALB = 'app/shop-alb/0123456789abcdef';
let dir: string;

beforeAll(async () => {
  await resetMoto();
  dir = tempDir('report-');
  expect((await runCli(['plan', '--from', 'examples/shop', '--out', dir])).code).toBe(0);
  writeFileSync(join(dir, 'journal.jsonl'), recordedJournal().map((l) => JSON.stringify(l)).join('\n') + '\n');
  const state = {...emptyState('shop'), aws: {albArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/${ALB}`, albDnsName: 'shop-alb.us-east-1.elb.amazonaws.com', albFullName: ALB}};
  writeFileSync(join(dir, 'state.json'), canonicalJson(state, 2) + '\n');
  // one datapoint every 10 minutes of the cutover: requests grow with the share
  const cw = new CloudWatchClient(motoClientConfig());
  const t0 = Date.parse('2026-11-30T10:00:00Z');
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricData: Array.from({length: 30}, (_, i) => ({MetricName: 'RequestCount', Dimensions: [{Name: 'LoadBalancer', Value: ALB}], Timestamp: new Date(t0 + i * 600_000), Value: 100 + 50 * i, Unit: 'Count' as const})),
    }),
  );
});

it('writes the report with the CloudWatch metrics of the cutover window', async () => {
  const out = join(dir, 'with-metrics.html');
  const r = await runCli(['report', '--app', 'shop', '--plan-dir', dir, '--out', out, '--json'], {env: motoEnv()});
  expect(r.code).toBe(0);
  const result = JSON.parse(r.stdout).result;
  expect(result).toMatchObject({file: out, steps: 8, rollbacks: 2});
  expect(result.metrics).toBe(`CloudWatch AWS/ApplicationELB metrics of ${ALB} in us-east-1.`);
  const html = readFileSync(out, 'utf8');
  expect(html).toContain('Requests (requests per minute, max 1550)');
  expect(html).toContain('guard tripped (shop-web-5xx-rate): AWS → 0%');
});

it('without AWS it says so and draws what the journal holds; the page opens offline and shows every mark', async () => {
  const out = join(dir, 'report.html');
  const r = await runCli(['report', '--app', 'shop', '--plan-dir', dir], {env: {...motoEnv('http://127.0.0.1:9')}});
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('Warning: CloudWatch metrics could not be read');
  expect(r.stdout).toContain(`Wrote ${out}`);
  expect(readFileSync(out, 'utf8')).toContain('CloudWatch metrics could not be read');

  const png = join(dir, 'report.png');
  const {proxied} = await screenshot(out, png);
  expect(proxied).toEqual([]); // the page fetched nothing from the network
  const img = readPng(readFileSync(png));
  expect(img.width).toBe(1000);
  for (const kind of ['share', 'pass', 'rollback', 'guard', 'resume', 'window', 'finalize'] as const) {
    expect({kind, pixels: countColour(img, COLOURS[kind])}).toEqual({kind, pixels: expect.any(Number)});
    expect(countColour(img, COLOURS[kind])).toBeGreaterThan(20);
  }
});

it('refuses an app without a plan, naming the fix', async () => {
  const r = await runCli(['report', '--app', 'nosuchapp', '--plan-dir', join(dir, 'none')]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('No plan at');
});

it('the offline check sees a page that does load something (control)', async () => {
  const control = join(dir, 'control.html');
  writeFileSync(control, '<!doctype html><p>control</p><img src="http://report-control.invalid/pixel.png">');
  const {proxied} = await screenshot(control, join(dir, 'control.png'), '400,300');
  expect(proxied).toEqual(['GET http://report-control.invalid/pixel.png']);
});
