/**
 * Monthly cost estimate, side by side: Heroku today and AWS as planned (pure; the price book and the
 * traffic assumptions come in as data, so the same plan and prices always give the same figures).
 * A line without a price is listed as unpriced, never counted as zero.
 */
import type {AddonPlan} from './addon-plan.ts';
import type {AwsRegionPrices, PriceBook} from './prices.ts';
import type {ServicePlan} from './processes.ts';

export interface CostAssumptions {
  /** average load balancer capacity units (1 LCU: 25 new connections/s, 3,000 active connections/min or 1 GB/hour) */
  albLcu: number;
  /** data through the NAT gateway per month (image pulls, calls to the internet) */
  natGbPerMonth: number;
  /** log ingestion per month into CloudWatch Logs */
  logsGbPerMonth: number;
  /** RDS storage per database when the plan does not size it */
  rdsStorageGb: number;
  /** MemoryDB nodes per cluster: 1 shard with 1 replica, as `addons provision` creates by default */
  memorydbNodes: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {albLcu: 1, natGbPerMonth: 50, logsGbPerMonth: 10, rdsStorageGb: 20, memorydbNodes: 2};

export interface CostLine {
  item: string;
  detail: string;
  /** monthly cost at the planned/desired size; null when no price is known */
  monthly: number | null;
  /** at the autoscaling maximum, when it differs */
  monthlyMax?: number;
  /** the price was not cross-checked with a second source: verify before relying on it */
  check?: boolean;
  note?: string;
}

export interface CostSide {
  lines: CostLine[];
  total: number;
  totalMax: number;
  /** items listed without a price */
  unpriced: string[];
}

export interface CostEstimate {
  currency: 'USD';
  prices: {heroku: string; aws: string | null; cloudflare: string; region: string; file: string};
  assumptions: CostAssumptions;
  heroku: CostSide;
  aws: CostSide;
  /** AWS minus Heroku, at the planned size and at the autoscaling maximum (null when AWS is unpriced in the region) */
  difference: {monthly: number; monthlyMax: number} | null;
}

const round = (n: number) => Math.round(n * 100) / 100;

function side(lines: CostLine[]): CostSide {
  const priced = lines.filter((l) => l.monthly !== null);
  return {
    lines: lines.map((l) => ({...l, ...(l.monthly !== null ? {monthly: round(l.monthly)} : {}), ...(l.monthlyMax !== undefined ? {monthlyMax: round(l.monthlyMax)} : {})})),
    total: round(priced.reduce((s, l) => s + l.monthly!, 0)),
    totalMax: round(priced.reduce((s, l) => s + (l.monthlyMax ?? l.monthly!), 0)),
    unpriced: lines.filter((l) => l.monthly === null).map((l) => l.item),
  };
}

const addonKey = (a: AddonPlan) => `${a.service}:${a.plan ?? ''}`;

function herokuLines(services: ServicePlan[], addons: AddonPlan[], book: PriceBook): CostLine[] {
  const dynos = book.heroku.dynos;
  const lines: CostLine[] = services.map((s) => {
    const size = s.heroku.size.toLowerCase();
    const price = dynos.monthly[size];
    const detail = `${s.heroku.quantity} × ${s.heroku.size}`;
    if (price === undefined) return {item: `dynos: ${s.processType}`, detail, monthly: null, note: `no price for dyno size ${s.heroku.size}`};
    // Eco is one flat plan per account, whatever the number of Eco dynos
    const monthly = size === 'eco' ? (s.heroku.quantity > 0 ? price : 0) : price * s.heroku.quantity;
    return {item: `dynos: ${s.processType}`, detail, monthly, ...(dynos.checked ? {} : {check: true}), ...(dynos.notes?.[size] ? {note: dynos.notes[size]} : {})};
  });
  for (const a of addons) {
    const price = book.heroku.addons.monthly[addonKey(a)];
    const detail = a.plan ? `${a.service}:${a.plan}` : a.service;
    const note = book.heroku.addons.notes?.[addonKey(a)];
    lines.push(price === undefined ? {item: `add-on: ${a.name}`, detail, monthly: null, note: 'plan price not in the price file'} : {item: `add-on: ${a.name}`, detail, monthly: price, check: true, ...(note ? {note} : {})});
  }
  return lines;
}

function fargateLine(s: ServicePlan, p: AwsRegionPrices, hours: number): CostLine {
  const perTask = ((s.fargate.cpu / 1024) * p.fargate.vcpuHour + (s.fargate.memory / 1024) * p.fargate.gbHour) * hours;
  const min = s.autoscaling ? Math.max(s.autoscaling.min, s.desiredCount) : s.desiredCount;
  const max = s.autoscaling ? s.autoscaling.max : s.desiredCount;
  const cpu = s.fargate.cpu / 1024;
  return {
    item: `Fargate: ${s.processType}`,
    detail: `${cpu} vCPU / ${s.fargate.memory / 1024} GB × ${min === max ? min : `${min}–${max}`} task(s)`,
    monthly: perTask * min,
    ...(max !== min ? {monthlyMax: perTask * max} : {}),
    ...(p.fargate.checked ? {} : {check: true}),
  };
}

function addonAwsLine(a: AddonPlan, p: AwsRegionPrices, hours: number, as: CostAssumptions, herokuPrice: number | undefined): CostLine | null {
  const item = `${a.target.service}: ${a.name}`;
  switch (a.target.kind) {
    case 'rds-postgresql': {
      const hour = a.target.size ? p.rdsPostgres.instanceHour[a.target.size] : undefined;
      const copies = a.target.multiAz ? 2 : 1;
      const storage = Number(a.target.details?.storageGb ?? as.rdsStorageGb);
      const detail = `${a.target.size ?? '?'}${a.target.multiAz ? ' Multi-AZ' : ''}, ${storage} GB gp3`;
      if (hour === undefined) return {item, detail, monthly: null, note: `no price for ${a.target.size ?? 'an unsized instance'}`};
      return {item, detail, monthly: copies * (hour * hours + storage * p.rdsPostgres.storageGbMonth), ...(p.rdsPostgres.checked ? {} : {check: true})};
    }
    case 'memorydb': {
      const hour = a.target.size ? p.memorydb.nodeHour[a.target.size] : undefined;
      const detail = `${as.memorydbNodes} × ${a.target.size ?? '?'} (1 shard, 1 replica)`;
      if (hour === undefined) return {item, detail, monthly: null, note: `no price for ${a.target.size ?? 'an unsized node'}`};
      return {item, detail, monthly: as.memorydbNodes * hour * hours, ...(p.memorydb.checked ? {} : {check: true})};
    }
    case 'cloudwatch-logs':
      return {item, detail: `${as.logsGbPerMonth} GB ingested per month (assumption)`, monthly: as.logsGbPerMonth * p.cloudwatch.logsIngestGb, ...(p.cloudwatch.checked ? {} : {check: true})};
    case 'eventbridge-scheduler':
      return {item, detail: 'schedules (14 million invocations a month are free)', monthly: 0, note: "the jobs' Fargate task time is not estimated"};
    case 'saas':
      return {item, detail: 'kept with the vendor', monthly: herokuPrice ?? null, ...(herokuPrice === undefined ? {note: 'billed by the vendor; price unknown'} : {note: 'assumed the same price, billed by the vendor directly'})};
    default:
      return {item, detail: a.target.size ?? a.target.kind, monthly: null, note: a.manual ? 'manual decision' : `no price data for ${a.target.kind}`};
  }
}

function awsLines(services: ServicePlan[], addons: AddonPlan[], alarms: number, book: PriceBook, region: string, as: CostAssumptions): CostLine[] {
  const p = book.aws[region];
  const cf = book.cloudflare;
  const endpoints = 2;
  const cloudflare: CostLine = {item: 'Cloudflare Load Balancing', detail: `${endpoints} endpoints (Heroku and AWS) during the cutover`, monthly: cf.loadBalancingMonthly + Math.max(0, endpoints - cf.includedEndpoints) * cf.perExtraEndpointMonthly, check: true};
  if (!p) return [{item: `AWS in ${region}`, detail: 'no prices for this region', monthly: null, note: `run \`migrate prices refresh --region ${region}\``}, cloudflare];
  const h = book.hoursPerMonth;
  const check = (x: {checked?: string}) => (x.checked ? {} : {check: true});
  const lines: CostLine[] = services.filter((s) => s.desiredCount > 0 || s.autoscaling).map((s) => fargateLine(s, p, h));
  if (services.some((s) => s.loadBalanced)) {
    lines.push({item: 'Application Load Balancer', detail: `${h} hours + ${as.albLcu} LCU average (assumption)`, monthly: (p.alb.hour + as.albLcu * p.alb.lcuHour) * h, ...check(p.alb)});
  }
  lines.push({item: 'NAT gateway', detail: `1 gateway, ${as.natGbPerMonth} GB per month (assumption)`, monthly: p.natGateway.hour * h + as.natGbPerMonth * p.natGateway.gb, ...check(p.natGateway), note: 'only with --create-network; an existing VPC has its own'});
  lines.push({item: 'Public IPv4 addresses', detail: '3 (load balancer in 2 zones, NAT gateway)', monthly: 3 * p.publicIpv4.hour * h, ...check(p.publicIpv4)});
  const herokuAddon = (a: AddonPlan) => book.heroku.addons.monthly[addonKey(a)];
  for (const a of addons) {
    const line = addonAwsLine(a, p, h, as, herokuAddon(a));
    if (line) lines.push(line);
  }
  lines.push({item: 'Secrets Manager', detail: '1 secret (the app config)', monthly: p.secretsManager.secretMonth, ...check(p.secretsManager)});
  // target tracking creates two alarms per scaling policy (scale out, scale in): CPU and memory
  // policies on every scaled service, plus request count per target on the web service
  const scalingAlarms = services.filter((s) => s.autoscaling).reduce((n, s) => n + (s.loadBalanced ? 6 : 4), 0);
  lines.push({item: 'CloudWatch alarms', detail: `${alarms} gate alarms + ${scalingAlarms} autoscaling alarms`, monthly: (alarms + scalingAlarms) * p.cloudwatch.alarmMonth, ...check(p.cloudwatch)});
  lines.push(cloudflare);
  return lines;
}

export interface CostInput {
  services: ServicePlan[];
  addons: AddonPlan[];
  alarms: string[];
  region: string;
}

export function estimateCost(input: CostInput, book: PriceBook, file: string, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS): CostEstimate {
  const heroku = side(herokuLines(input.services, input.addons, book));
  const aws = side(awsLines(input.services, input.addons, input.alarms.length, book, input.region, assumptions));
  const regional = book.aws[input.region];
  return {
    currency: 'USD',
    prices: {heroku: book.heroku.asOf, aws: regional?.asOf ?? null, cloudflare: book.cloudflare.asOf, region: input.region, file},
    assumptions,
    heroku,
    aws,
    difference: regional ? {monthly: round(aws.total - heroku.total), monthlyMax: round(aws.totalMax - heroku.totalMax)} : null,
  };
}
