import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {onDemandUsd, PRICE_QUERIES, regionPricesFromProducts, type PriceProduct} from '../../src/domain/price-list.ts';
import {parsePriceBook} from '../../src/domain/prices.ts';
import {regionProducts} from '../fakes/pricing-server.ts';
import {ROOT} from '../support/cli.ts';

const book = parsePriceBook(JSON.parse(readFileSync(join(ROOT, 'templates/prices/prices.json'), 'utf8')), 'prices.json');

/** what GetProducts answers per query: the fake server's filter rule, applied in memory */
function answers(products: ReturnType<typeof regionProducts>, region: string): Record<string, PriceProduct[]> {
  return Object.fromEntries(
    PRICE_QUERIES.map((q) => [
      q.id,
      products.filter(
        (p) => p.serviceCode === q.serviceCode && p.product.attributes.regionCode === region && Object.entries(q.filters).every(([f, v]) => (f === 'productFamily' ? p.product.productFamily : p.product.attributes[f]) === v),
      ),
    ]),
  );
}

describe('AWS Price List products -> region prices', () => {
  it('reads the first-tier on-demand USD price', () => {
    const [p] = regionProducts('us-east-1', '', 'US East (N. Virginia)');
    expect(onDemandUsd(p!)).toBe(0.04048);
    expect(onDemandUsd({terms: {OnDemand: {}}})).toBeNull();
  });

  it('picks Linux/x86 Fargate, ALB, NAT, IPv4 in use, PostgreSQL Single-AZ, GP3, alarms and logs by usage type (with or without a region prefix)', () => {
    for (const [region, prefix, location] of [
      ['us-east-1', '', 'US East (N. Virginia)'],
      ['eu-west-1', 'EU-', 'EU (Ireland)'],
    ] as const) {
      const {prices, missing, skus} = regionPricesFromProducts(answers(regionProducts(region, prefix, location, 1.1), region), undefined, '2026-12-02');
      expect(missing).toEqual([]);
      expect(prices.fargate.vcpuHour).toBeCloseTo(0.04048 * 1.1, 10); // not the ARM or Windows rate
      expect(prices.fargate.gbHour).toBeCloseTo(0.004445 * 1.1, 10);
      expect(prices.alb).toMatchObject({hour: expect.closeTo(0.0225 * 1.1, 10), lcuHour: expect.closeTo(0.008 * 1.1, 10)});
      expect(prices.natGateway.gb).toBeCloseTo(0.045 * 1.1, 10);
      expect(prices.rdsPostgres.instanceHour['db.t4g.medium']).toBeCloseTo(0.065 * 1.1, 10); // Single-AZ, not the Multi-AZ product
      expect(prices.rdsPostgres.storageGbMonth).toBeCloseTo(0.115 * 1.1, 10);
      expect(prices.cloudwatch.alarmMonth).toBeCloseTo(0.1 * 1.1, 10); // standard, not high-resolution
      expect(Object.keys(skus)).toHaveLength(11);
    }
  });

  it('takes the higher price when one node type is listed for several engines (a conservative estimate)', () => {
    const {prices} = regionPricesFromProducts(answers(regionProducts('us-east-1', '', 'US East (N. Virginia)'), 'us-east-1'), undefined, '2026-12-02');
    expect(prices.memorydb.nodeHour).toEqual({'db.r7g.large': 0.316, 'db.t4g.small': 0.046});
  });

  it('keeps the previous figure and names it when no product matches, never inventing one', () => {
    const products = regionProducts('us-east-1', '', 'US East (N. Virginia)').filter((p) => p.serviceCode !== 'AmazonMemoryDB' && !/NatGateway-Bytes/.test(p.product.attributes.usagetype!));
    const {prices, missing} = regionPricesFromProducts(answers(products, 'us-east-1'), book.aws['us-east-1'], '2026-12-02');
    expect(missing).toEqual(['memorydb.nodeHour', 'natGateway.gb']);
    expect(prices.natGateway.gb).toBe(book.aws['us-east-1']!.natGateway.gb);
    expect(prices.memorydb.nodeHour).toEqual(book.aws['us-east-1']!.memorydb.nodeHour);
  });
});
