/**
 * A fake AWS Price List Query API (awsJson1_1, X-Amz-Target AWSPriceListService.GetProducts): TERM_MATCH
 * filters on product attributes (and productFamily), MaxResults/NextToken paging, PriceList entries as
 * JSON strings, as the service answers. Products are built in the published price list file shape:
 * {product: {sku, productFamily, attributes}, serviceCode, terms: {OnDemand: {SKU.TERM: {priceDimensions}}}}.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface FakeProduct {
  serviceCode: string;
  product: {sku: string; productFamily: string; attributes: Record<string, string>};
  terms: {OnDemand: Record<string, {sku: string; offerTermCode: string; effectiveDate: string; priceDimensions: Record<string, {unit: string; description: string; beginRange: string; endRange: string; pricePerUnit: {USD: string}; rateCode: string}>}>};
  version: string;
  publicationDate: string;
}

let skuCounter = 0;
/** one product with a single on-demand price (or tiers: [[beginRange, usd], ...]) */
export function product(serviceCode: string, productFamily: string, attributes: Record<string, string>, usd: string | [string, string][], unit = 'Hrs'): FakeProduct {
  const sku = `SKU${String(++skuCounter).padStart(6, '0')}`;
  const term = `${sku}.JRTCKXETXF`;
  const tiers = typeof usd === 'string' ? [['0', usd] as [string, string]] : usd;
  const priceDimensions = Object.fromEntries(
    tiers.map(([begin, price], i) => [
      `${term}.6YS6EN2CT${i}`,
      {unit, description: `$${price} per ${unit}`, beginRange: begin, endRange: tiers[i + 1]?.[0] ?? 'Inf', pricePerUnit: {USD: price}, rateCode: `${term}.6YS6EN2CT${i}`},
    ]),
  );
  return {
    serviceCode,
    product: {sku, productFamily, attributes: {servicecode: serviceCode, ...attributes}},
    terms: {OnDemand: {[term]: {sku, offerTermCode: 'JRTCKXETXF', effectiveDate: '2026-11-01T00:00:00Z', priceDimensions}}},
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  };
}

export interface FakePricing {
  url: string;
  requests: {target: string; body: Record<string, unknown>}[];
  close(): Promise<void>;
}

export async function startFakePricing(products: FakeProduct[]): Promise<FakePricing> {
  const requests: FakePricing['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = (raw ? JSON.parse(raw) : {}) as {ServiceCode?: string; Filters?: {Type: string; Field: string; Value: string}[]; NextToken?: string; MaxResults?: number};
      requests.push({target, body});
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AWSPriceListService.GetProducts') {
        res.statusCode = 400;
        res.end(JSON.stringify({__type: 'InvalidParameterException', Message: `Unsupported operation ${target}`}));
        return;
      }
      const matches = products.filter(
        (p) =>
          p.serviceCode === body.ServiceCode &&
          (body.Filters ?? []).every((f) => (f.Field === 'productFamily' ? p.product.productFamily : p.product.attributes[f.Field]) === f.Value),
      );
      const start = Number(body.NextToken ?? 0);
      const size = body.MaxResults ?? 100;
      const page = matches.slice(start, start + size);
      res.end(JSON.stringify({FormatVersion: 'aws_v1', PriceList: page.map((p) => JSON.stringify(p)), ...(start + size < matches.length ? {NextToken: String(start + size)} : {})}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A region's products as the Price List lists them (names and usage types of the real catalog). */
export function regionProducts(region: string, prefix: string, location: string, scale = 1): FakeProduct[] {
  const $ = (n: number) => (n * scale).toFixed(10);
  const base = {regionCode: region, location, locationType: 'AWS Region'};
  return [
    product('AmazonECS', 'Compute', {...base, usagetype: `${prefix}Fargate-vCPU-Hours:perCPU`, cputype: 'perCPU', operation: ''}, $(0.04048)),
    product('AmazonECS', 'Compute', {...base, usagetype: `${prefix}Fargate-ARM-vCPU-Hours:perCPU`, cputype: 'perCPU'}, $(0.03238)),
    product('AmazonECS', 'Compute', {...base, usagetype: `${prefix}Fargate-Windows-vCPU-Hours:perCPU`, cputype: 'perCPU'}, $(0.09148)),
    product('AmazonECS', 'Compute Metering', {...base, usagetype: `${prefix}Fargate-GB-Hours`, memorytype: 'perGB'}, $(0.004445)),
    product('AmazonECS', 'Compute Metering', {...base, usagetype: `${prefix}Fargate-ARM-GB-Hours`, memorytype: 'perGB'}, $(0.00356)),
    product('AWSELB', 'Load Balancer-Application', {...base, usagetype: `${prefix}LoadBalancerUsage`, operation: 'LoadBalancing:Application'}, $(0.0225)),
    product('AWSELB', 'Load Balancer-Application', {...base, usagetype: `${prefix}LCUUsage`, operation: 'LoadBalancing:Application'}, $(0.008), 'LCU-Hrs'),
    product('AmazonEC2', 'NAT Gateway', {...base, usagetype: `${prefix}NatGateway-Hours`, operation: 'NatGateway'}, $(0.045)),
    product('AmazonEC2', 'NAT Gateway', {...base, usagetype: `${prefix}NatGateway-Bytes`, operation: 'NatGateway'}, $(0.045), 'GB'),
    product('AmazonVPC', 'VPC', {...base, usagetype: `${prefix}PublicIPv4:InUseAddress`, group: 'VPCPublicIPv4Address'}, $(0.005)),
    product('AmazonVPC', 'VPC', {...base, usagetype: `${prefix}PublicIPv4:IdleAddress`, group: 'VPCPublicIPv4Address'}, $(0.005)),
    ...(
      [
        ['db.t4g.micro', 0.016],
        ['db.t4g.medium', 0.065],
        ['db.m6g.large', 0.159],
      ] as const
    ).map(([t, p]) => product('AmazonRDS', 'Database Instance', {...base, instanceType: t, databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ', usagetype: `${prefix}InstanceUsage:${t}`}, $(p))),
    product('AmazonRDS', 'Database Instance', {...base, instanceType: 'db.t4g.medium', databaseEngine: 'PostgreSQL', deploymentOption: 'Multi-AZ', usagetype: `${prefix}Multi-AZUsage:db.t4g.medium`}, $(0.13)),
    product('AmazonRDS', 'Database Storage', {...base, volumeType: 'General Purpose-GP3', databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ', usagetype: `${prefix}RDS:GP3-Storage`}, $(0.115), 'GB-Mo'),
    product('AmazonRDS', 'Database Storage', {...base, volumeType: 'General Purpose', databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ', usagetype: `${prefix}RDS:GP2-Storage`}, $(0.115), 'GB-Mo'),
    product('AmazonMemoryDB', 'Amazon MemoryDB', {...base, instanceType: 'db.t4g.small', engine: 'Valkey', usagetype: `${prefix}NodeUsage:db.t4g.small`}, $(0.0322)),
    product('AmazonMemoryDB', 'Amazon MemoryDB', {...base, instanceType: 'db.t4g.small', engine: 'Redis', usagetype: `${prefix}NodeUsage:db.t4g.small`}, $(0.046)),
    product('AmazonMemoryDB', 'Amazon MemoryDB', {...base, instanceType: 'db.r7g.large', engine: 'Redis', usagetype: `${prefix}NodeUsage:db.r7g.large`}, $(0.316)),
    product('AWSSecretsManager', 'Secret', {...base, usagetype: `${prefix}AWSSecretsManager-Secrets`}, $(0.4), 'Secrets'),
    product('AWSSecretsManager', 'API Request', {...base, usagetype: `${prefix}AWSSecretsManager-APIRequest`}, $(0.000005), 'API Requests'),
    product('AmazonCloudWatch', 'Alarm', {...base, usagetype: `${prefix}CW:AlarmMonitorUsage`, alarmType: 'Standard'}, $(0.1), 'Alarms'),
    product('AmazonCloudWatch', 'Alarm', {...base, usagetype: `${prefix}CW:HighResAlarmMonitorUsage`, alarmType: 'High Resolution'}, $(0.3), 'Alarms'),
    product('AmazonCloudWatch', 'Data Payload', {...base, usagetype: `${prefix}DataProcessing-Bytes`, group: 'Ingested Logs'}, [['0', $(0.5)]], 'GB'),
  ];
}
