import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {estimateCost} from '../../src/domain/cost.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {buildPlan, canonicalJson} from '../../src/domain/plan.ts';
import {parsePlan} from '../../src/domain/plan-schema.ts';
import {parsePriceBook, type PriceBook} from '../../src/domain/prices.ts';
import {appModelFromRepo} from '../../src/domain/sources/app-from-repo.ts';
import {renderPlanMarkdown} from '../../src/render/plan-md.ts';
import {ROOT} from '../support/cli.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'templates/addons/catalog.json'), 'utf8')));
const book = parsePriceBook(JSON.parse(readFileSync(join(ROOT, 'templates/prices/prices.json'), 'utf8')), 'prices.json');
const shop = appModelFromRepo({
  dirName: 'shop',
  hasDockerfile: false,
  appJson: {text: readFileSync(join(ROOT, 'examples/shop/app.json'), 'utf8'), file: 'app.json'},
  procfile: {text: readFileSync(join(ROOT, 'examples/shop/Procfile'), 'utf8'), file: 'Procfile'},
}).model;
const planWith = (prices: PriceBook, region?: string) => buildPlan(shop, catalog, {source: 'repo:shop', prices: {book: prices, file: 'test-prices.json'}, ...(region ? {awsRegion: region} : {})});
const line = (lines: {item: string; monthly: number | null}[], item: string) => lines.find((l) => l.item === item);

describe('cost estimate of the example app (figures worked by hand from templates/prices/prices.json)', () => {
  const cost = planWith(book).cost!;

  it('prices Heroku dynos and add-ons by size and plan', () => {
    // web 2 x standard-2x ($50), clock and worker 1 x standard-1x ($25); Postgres standard-0 $50, Redis premium-0 $15
    expect(line(cost.heroku.lines, 'dynos: web')?.monthly).toBe(100);
    expect(line(cost.heroku.lines, 'dynos: worker')?.monthly).toBe(25);
    expect(line(cost.heroku.lines, 'add-on: DATABASE')?.monthly).toBe(50);
    expect(cost.heroku.total).toBe(215);
  });

  it('prices Fargate per task from vCPU and GB hours, from the desired count to the autoscaling maximum', () => {
    // 0.5 vCPU x 0.04048 + 1 GB x 0.004445 = 0.024685 $/h x 730 h = 18.02 per task; 2 to 6 tasks
    expect(line(cost.aws.lines, 'Fargate: web')).toMatchObject({monthly: 36.04, monthlyMax: 108.12});
    // 0.25 vCPU / 0.5 GB = 0.0123425 $/h x 730 = 9.01; a clock never scales
    expect(line(cost.aws.lines, 'Fargate: clock')).toMatchObject({monthly: 9.01});
    expect(line(cost.aws.lines, 'Fargate: clock')).not.toHaveProperty('monthlyMax');
  });

  it('prices the load balancer, NAT gateway, addresses, database, MemoryDB, secret, alarms and Cloudflare', () => {
    expect(line(cost.aws.lines, 'Application Load Balancer')?.monthly).toBe(22.27); // (0.0225 + 1 LCU x 0.008) x 730
    expect(line(cost.aws.lines, 'NAT gateway')?.monthly).toBe(35.1); // 0.045 x 730 + 50 GB x 0.045
    expect(line(cost.aws.lines, 'Public IPv4 addresses')?.monthly).toBe(10.95); // 3 x 0.005 x 730
    expect(line(cost.aws.lines, 'Amazon RDS for PostgreSQL: DATABASE')?.monthly).toBe(49.75); // 0.065 x 730 + 20 GB x 0.115
    expect(line(cost.aws.lines, 'Amazon MemoryDB: heroku-redis')?.monthly).toBe(67.16); // 2 nodes x 0.046 x 730
    expect(line(cost.aws.lines, 'CloudWatch alarms')?.monthly).toBe(1.4); // (4 gates + 6 web + 4 worker scaling) x 0.10
    expect(line(cost.aws.lines, 'Cloudflare Load Balancing')?.monthly).toBe(5);
    expect(cost.aws.total).toBe(251.09);
    expect(cost.aws.totalMax).toBe(341.19);
    expect(cost.difference).toEqual({monthly: 36.09, monthlyMax: 126.19});
  });

  it('doubles a Multi-AZ database (instance and storage)', () => {
    const premium = structuredClone(shop);
    premium.addons = premium.addons.map((a) => (a.service === 'heroku-postgresql' ? {...a, plan: 'premium-0'} : a));
    const p = buildPlan(premium, catalog, {source: 'repo:shop', prices: {book, file: 'x'}}).cost!;
    const rds = line(p.aws.lines, 'Amazon RDS for PostgreSQL: DATABASE')!;
    expect(rds.monthly).toBe(99.5); // 2 x (0.065 x 730 + 20 x 0.115)
    expect(line(p.heroku.lines, 'add-on: DATABASE')?.monthly).toBe(200);
  });

  it('changes deterministically with the price file, and lists what it cannot price instead of counting zero', () => {
    const dearer = structuredClone(book);
    dearer.aws['us-east-1']!.fargate.vcpuHour = 0.05;
    delete dearer.heroku.addons.monthly['heroku-redis:premium-0'];
    const a = planWith(dearer).cost!;
    const b = planWith(structuredClone(dearer)).cost!;
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(line(a.aws.lines, 'Fargate: web')?.monthly).toBe(Math.round((0.5 * 0.05 + 0.004445) * 730 * 2 * 100) / 100);
    expect(line(a.heroku.lines, 'add-on: heroku-redis')?.monthly).toBeNull();
    expect(a.heroku.unpriced).toEqual(['add-on: heroku-redis']);
    expect(a.heroku.total).toBe(200);
    expect(renderPlanMarkdown(planWith(dearer))).toContain('Not priced (not in the totals): Heroku: add-on: heroku-redis.');
  });

  it('says so when the region has no prices, and does not invent a difference', () => {
    const c = planWith(book, 'ap-south-1').cost!;
    expect(c.difference).toBeNull();
    expect(c.aws.unpriced).toEqual(['AWS in ap-south-1']);
    expect(c.aws.lines[0]!.note).toContain('migrate prices refresh --region ap-south-1');
  });

  it('travels in plan.json (validated on read) and plan.md shows the table and the difference', () => {
    const plan = planWith(book);
    expect(parsePlan(JSON.parse(canonicalJson(plan)))).toEqual(JSON.parse(canonicalJson(plan)));
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('## Monthly cost estimate');
    expect(md).toContain('| Fargate: web | 0.5 vCPU / 1 GB × 2–6 task(s) | $36.04 | $108.12 |  |');
    expect(md).toContain('| AWS − Heroku | +$36.09 | +$126.19 |');
  });

  it('refuses a malformed price file naming the field', () => {
    const bad = structuredClone(book) as unknown as {aws: Record<string, {fargate: {vcpuHour: unknown}}>};
    bad.aws['us-east-1']!.fargate.vcpuHour = 'cheap';
    expect(() => parsePriceBook(bad, 'mine.json')).toThrow(MigrateError);
    expect(() => parsePriceBook(bad, 'mine.json')).toThrow(/mine.json is not a valid price file: aws.us-east-1.fargate.vcpuHour/);
  });

  it('estimateCost needs no plan: the same figures from services and add-ons alone', () => {
    const plan = planWith(book);
    const direct = estimateCost({services: plan.services, addons: plan.addons, alarms: plan.cutover.gates.alarms, region: 'us-east-1'}, book, 'test-prices.json');
    expect(direct).toEqual(plan.cost);
  });
});
