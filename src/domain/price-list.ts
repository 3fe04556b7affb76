/**
 * AWS Price List (GetProducts) products -> the AWS part of the price book (pure). Each query asks
 * for one service's products in one region (the `regionCode` attribute); the products are then
 * picked by their usage type and attributes, and their on-demand USD price read from
 * terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD (first tier). Nothing is invented: a figure
 * no product matched is reported missing, and the refresh keeps the previous one with a warning.
 */
import type {AwsRegionPrices} from './prices.ts';

export interface PriceQuery {
  id: string;
  serviceCode: string;
  /** TERM_MATCH filters besides regionCode */
  filters: Record<string, string>;
}

export interface PriceProduct {
  product?: {sku?: string; productFamily?: string; attributes?: Record<string, string>};
  terms?: {OnDemand?: Record<string, {priceDimensions?: Record<string, {unit?: string; beginRange?: string; pricePerUnit?: {USD?: string}}>}>};
}

export const PRICE_QUERIES: PriceQuery[] = [
  {id: 'fargate', serviceCode: 'AmazonECS', filters: {}},
  {id: 'alb', serviceCode: 'AWSELB', filters: {productFamily: 'Load Balancer-Application'}},
  {id: 'nat', serviceCode: 'AmazonEC2', filters: {productFamily: 'NAT Gateway'}},
  {id: 'ipv4', serviceCode: 'AmazonVPC', filters: {}},
  {id: 'rds', serviceCode: 'AmazonRDS', filters: {databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ'}},
  {id: 'rds-storage', serviceCode: 'AmazonRDS', filters: {productFamily: 'Database Storage', deploymentOption: 'Single-AZ', volumeType: 'General Purpose-GP3'}},
  {id: 'memorydb', serviceCode: 'AmazonMemoryDB', filters: {}},
  {id: 'secrets', serviceCode: 'AWSSecretsManager', filters: {}},
  {id: 'cloudwatch', serviceCode: 'AmazonCloudWatch', filters: {}},
];

/** the on-demand USD price of the first tier (beginRange 0), or null */
export function onDemandUsd(p: PriceProduct): number | null {
  for (const term of Object.values(p.terms?.OnDemand ?? {})) {
    const dims = Object.values(term.priceDimensions ?? {});
    const first = dims.find((d) => (d.beginRange ?? '0') === '0') ?? dims[0];
    const usd = first?.pricePerUnit?.USD;
    if (usd !== undefined && Number.isFinite(Number(usd))) return Number(usd);
  }
  return null;
}

const attr = (p: PriceProduct, name: string) => p.product?.attributes?.[name] ?? '';
const usage = (p: PriceProduct) => attr(p, 'usagetype');

export interface PickedPrice {
  value: number;
  sku: string;
}

/** one price from the products whose usage type matches; several matches must agree (else the highest, flagged) */
function pick(products: PriceProduct[], match: (p: PriceProduct) => boolean): PickedPrice | null {
  const found = products.filter(match).flatMap((p) => {
    const v = onDemandUsd(p);
    return v === null ? [] : [{value: v, sku: p.product?.sku ?? '?'}];
  });
  if (!found.length) return null;
  return found.reduce((a, b) => (b.value > a.value ? b : a));
}

function table(products: PriceProduct[], keyOf: (p: PriceProduct) => string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of products) {
    const key = keyOf(p);
    const v = onDemandUsd(p);
    // several engines or licences for one instance type: keep the higher (a conservative estimate)
    if (key && v !== null && v > 0) out[key] = Math.max(out[key] ?? 0, v);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

export interface RegionRefresh {
  prices: AwsRegionPrices;
  /** figures no product matched: kept from the previous price book */
  missing: string[];
  /** where each figure came from (SKU) */
  skus: Record<string, string>;
}

/**
 * Builds a region's prices from the products of PRICE_QUERIES (by query id), falling back to the
 * previous figures (and naming them in `missing`) where no product matched.
 */
export function regionPricesFromProducts(byQuery: Record<string, PriceProduct[]>, previous: AwsRegionPrices | undefined, asOf: string): RegionRefresh {
  const missing: string[] = [];
  const skus: Record<string, string> = {};
  const q = (id: string) => byQuery[id] ?? [];
  const value = (name: string, picked: PickedPrice | null, fallback: number | undefined): number => {
    if (picked) {
      skus[name] = picked.sku;
      return picked.value;
    }
    missing.push(name);
    return fallback ?? 0;
  };
  const src = 'AWS Price List API (GetProducts), on-demand';
  const fargate = q('fargate');
  const cw = q('cloudwatch');
  const rdsInstances = table(q('rds').filter((p) => p.product?.productFamily === 'Database Instance'), (p) => attr(p, 'instanceType') || null);
  const memorydbNodes = table(q('memorydb'), (p) => (/NodeUsage/.test(usage(p)) ? attr(p, 'instanceType') || (usage(p).split(':')[1] ?? null) : null));
  if (!Object.keys(rdsInstances).length) missing.push('rdsPostgres.instanceHour');
  if (!Object.keys(memorydbNodes).length) missing.push('memorydb.nodeHour');
  const prices: AwsRegionPrices = {
    asOf,
    fargate: {
      vcpuHour: value('fargate.vcpuHour', pick(fargate, (p) => /(^|-)Fargate-vCPU-Hours:perCPU$/.test(usage(p))), previous?.fargate.vcpuHour),
      gbHour: value('fargate.gbHour', pick(fargate, (p) => /(^|-)Fargate-GB-Hours$/.test(usage(p))), previous?.fargate.gbHour),
      source: src,
    },
    alb: {
      hour: value('alb.hour', pick(q('alb'), (p) => /(^|-)LoadBalancerUsage$/.test(usage(p))), previous?.alb.hour),
      lcuHour: value('alb.lcuHour', pick(q('alb'), (p) => /(^|-)LCUUsage$/.test(usage(p))), previous?.alb.lcuHour),
      source: src,
    },
    natGateway: {
      hour: value('natGateway.hour', pick(q('nat'), (p) => /(^|-)NatGateway-Hours$/.test(usage(p))), previous?.natGateway.hour),
      gb: value('natGateway.gb', pick(q('nat'), (p) => /(^|-)NatGateway-Bytes$/.test(usage(p))), previous?.natGateway.gb),
      source: src,
    },
    publicIpv4: {hour: value('publicIpv4.hour', pick(q('ipv4'), (p) => /(^|-)PublicIPv4:InUseAddress$/.test(usage(p))), previous?.publicIpv4.hour), source: src},
    rdsPostgres: {
      storageGbMonth: value('rdsPostgres.storageGbMonth', pick(q('rds-storage'), (p) => /GP3/i.test(attr(p, 'volumeType'))), previous?.rdsPostgres.storageGbMonth),
      instanceHour: Object.keys(rdsInstances).length ? rdsInstances : (previous?.rdsPostgres.instanceHour ?? {}),
      source: src,
    },
    memorydb: {nodeHour: Object.keys(memorydbNodes).length ? memorydbNodes : (previous?.memorydb.nodeHour ?? {}), source: src},
    secretsManager: {secretMonth: value('secretsManager.secretMonth', pick(q('secrets'), (p) => /(^|-)AWSSecretsManager-Secrets$/.test(usage(p))), previous?.secretsManager.secretMonth), source: src},
    cloudwatch: {
      logsIngestGb: value('cloudwatch.logsIngestGb', pick(cw, (p) => /(^|-)DataProcessing-Bytes$/.test(usage(p))), previous?.cloudwatch.logsIngestGb),
      alarmMonth: value('cloudwatch.alarmMonth', pick(cw, (p) => /(^|-)CW:AlarmMonitorUsage$/.test(usage(p))), previous?.cloudwatch.alarmMonth),
      source: src,
    },
  };
  return {prices, missing, skus};
}
