/** `migrate prices refresh` and `migrate plan --prices`, the built CLI against the fake Price List API. */
import {existsSync, mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {regionProducts, startFakePricing, type FakePricing} from '../fakes/pricing-server.ts';
import {runCli, tempDir} from '../support/cli.ts';

let fake: FakePricing;
let env: Record<string, string>;
beforeAll(async () => {
  // today's prices 10% above the shipped ones, in both regions
  fake = await startFakePricing([...regionProducts('us-east-1', '', 'US East (N. Virginia)', 1.1), ...regionProducts('eu-west-1', 'EU-', 'EU (Ireland)', 1.2)]);
  env = {AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '1'};
});
afterAll(() => fake.close());

it('writes a price file from the Price List, and a plan made with it prices AWS at those figures', async () => {
  const dir = tempDir();
  const file = join(dir, 'prices.json');
  const refresh = await runCli(['prices', 'refresh', '--region', 'us-east-1', '--region', 'eu-west-1', '--out', file, '--json'], {env});
  expect(refresh.code).toBe(0);
  const result = JSON.parse(refresh.stdout).result;
  expect(result.regions.map((r: {region: string; missing: string[]}) => [r.region, r.missing])).toEqual([
    ['eu-west-1', []],
    ['us-east-1', []],
  ]);
  expect(result.requests).toBe(18); // 9 queries x 2 regions, one page each
  const book = JSON.parse(readFileSync(file, 'utf8'));
  expect(book.aws['us-east-1'].fargate).toMatchObject({vcpuHour: expect.closeTo(0.044528, 6), checked: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)});
  expect(book.aws['eu-west-1'].rdsPostgres.instanceHour['db.t4g.medium']).toBeCloseTo(0.078, 6);
  expect(book.heroku.dynos.monthly['standard-2x']).toBe(50); // copied: Heroku has no price API

  const out = join(dir, 'plan');
  const plan = await runCli(['plan', '--from', 'examples/shop', '--out', out, '--prices', file, '--json'], {env});
  expect(plan.code).toBe(0);
  const cost = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).cost;
  expect(cost.prices.file).toBe(file);
  const web = cost.aws.lines.find((l: {item: string}) => l.item === 'Fargate: web');
  expect(web.monthly).toBe(Math.round((0.5 * 0.04048 + 0.004445) * 1.1 * 730 * 2 * 100) / 100);
  expect(web.check).toBeUndefined(); // refreshed figures are the Price List's own
  expect(JSON.parse(plan.stdout).result.cost.aws.total).toBe(cost.aws.total);
  expect(readFileSync(join(out, 'plan.md'), 'utf8')).toContain(`## Monthly cost estimate`);
});

it('validates before any request and writes nothing on --dry-run or bad input', async () => {
  const dir = tempDir();
  fake.requests.length = 0;
  const bad = await runCli(['prices', 'refresh', '--region', 'moon-1', '--out', join(dir, 'p.json')], {env});
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('Not AWS region names: moon-1');
  mkdirSync(join(dir, 'adir'));
  const isDir = await runCli(['prices', 'refresh', '--out', join(dir, 'adir')], {env});
  expect(isDir.code).toBe(2);
  expect(isDir.stderr).toContain('is a directory');
  expect(fake.requests).toHaveLength(0);
  const dry = await runCli(['prices', 'refresh', '--out', join(dir, 'p.json'), '--dry-run'], {env});
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('Would write');
  expect(existsSync(join(dir, 'p.json'))).toBe(false);
});

it('names the problem when the Price List cannot be reached, and leaves no file', async () => {
  const dir = tempDir();
  const down = await runCli(['prices', 'refresh', '--out', join(dir, 'p.json')], {env: {...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}});
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/AmazonECS prices for us-east-1/);
  expect(existsSync(join(dir, 'p.json'))).toBe(false);
});

it('refuses a broken --prices file for plan, naming it', async () => {
  const dir = tempDir();
  const plan = await runCli(['plan', '--from', 'examples/shop', '--out', join(dir, 'p'), '--prices', join(dir, 'none.json')]);
  expect(plan.code).toBe(1);
  expect(plan.stderr).toContain(`Cannot read the price file ${join(dir, 'none.json')}`);
  expect(existsSync(join(dir, 'p'))).toBe(false);
});
