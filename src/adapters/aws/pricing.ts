/** PriceList on the AWS Price List Query API (GetProducts, paginated by the SDK). */
import {MigrateError} from '../../domain/errors.ts';
import type {PriceProduct} from '../../domain/price-list.ts';
import type {PriceList} from '../../ports/prices.ts';
import {awsError, clientConfig} from './errors.ts';

/** the Price List Query API answers in us-east-1 (also eu-central-1 and ap-south-1), whatever region is priced */
const PRICING_REGION = 'us-east-1';
/** a bound on one query's products: the queries are narrow (one service, one region); more means a wrong filter */
const MAX_PRODUCTS = 5000;

export async function createPriceList(options: {maxAttempts?: number} = {}): Promise<PriceList> {
  const pricing = await import('@aws-sdk/client-pricing');
  const client = new pricing.PricingClient(clientConfig({region: PRICING_REGION, ...options}));
  let requests = 0;
  return {
    async products(query, region) {
      const Filters = Object.entries({regionCode: region, ...query.filters}).map(([Field, Value]) => ({Type: 'TERM_MATCH' as const, Field, Value}));
      const out: PriceProduct[] = [];
      try {
        for await (const page of pricing.paginateGetProducts({client, pageSize: 100}, {ServiceCode: query.serviceCode, Filters, FormatVersion: 'aws_v1'})) {
          requests++;
          // each entry is a JSON document (the SDK hands it over as a string-like value)
          for (const item of page.PriceList ?? []) out.push(JSON.parse(String(item)) as PriceProduct);
          if (out.length > MAX_PRODUCTS) {
            throw new MigrateError('upstream', `The Price List answered more than ${MAX_PRODUCTS} products for ${query.serviceCode} in ${region}.`, {hint: 'Report this: the query filters no longer narrow the products.'});
          }
        }
      } catch (err) {
        throw awsError(err, `read ${query.serviceCode} prices for ${region} from the AWS Price List`);
      }
      return out;
    },
    stats: () => ({requests}),
  };
}
