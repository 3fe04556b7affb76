/** The Price List adapter through the real @aws-sdk/client-pricing against the fake Price List API. */
import {createPriceList} from '../../src/adapters/aws/pricing.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {PRICE_QUERIES} from '../../src/domain/price-list.ts';
import {product, regionProducts, startFakePricing, type FakePricing} from '../fakes/pricing-server.ts';

let fake: FakePricing;
const env = {...process.env};

beforeAll(async () => {
  const many = Array.from({length: 150}, (_, i) => product('AmazonRDS', 'Database Instance', {regionCode: 'us-east-1', instanceType: `db.x${i}.large`, databaseEngine: 'PostgreSQL', deploymentOption: 'Single-AZ'}, '0.1'));
  fake = await startFakePricing([...regionProducts('us-east-1', '', 'US East (N. Virginia)'), ...regionProducts('eu-west-1', 'EU-', 'EU (Ireland)'), ...many]);
  Object.assign(process.env, {AWS_ENDPOINT_URL_PRICING: fake.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test'});
});
afterAll(async () => {
  process.env = env;
  await fake.close();
});

it('sends GetProducts with regionCode and the query filters, and follows NextToken', async () => {
  const list = await createPriceList({maxAttempts: 1});
  const rds = PRICE_QUERIES.find((q) => q.id === 'rds')!;
  fake.requests.length = 0;
  const products = await list.products(rds, 'us-east-1');
  expect(products).toHaveLength(155); // 3 instance classes + 2 storage types (PostgreSQL Single-AZ) + 150 more, over two pages
  expect(fake.requests).toHaveLength(2);
  expect(fake.requests[0]!.body).toMatchObject({ServiceCode: 'AmazonRDS', FormatVersion: 'aws_v1'});
  expect(fake.requests[0]!.body.Filters).toEqual(
    expect.arrayContaining([
      {Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1'},
      {Type: 'TERM_MATCH', Field: 'databaseEngine', Value: 'PostgreSQL'},
      {Type: 'TERM_MATCH', Field: 'deploymentOption', Value: 'Single-AZ'},
    ]),
  );
  expect(products.every((p) => p.product?.attributes?.regionCode === 'us-east-1')).toBe(true);
  expect(list.stats().requests).toBe(2);
});

it('turns an API error into a MigrateError naming the service and region', async () => {
  const list = await createPriceList({maxAttempts: 1});
  process.env.AWS_ENDPOINT_URL_PRICING = 'http://127.0.0.1:9';
  await expect(list.products(PRICE_QUERIES[0]!, 'eu-west-1')).rejects.toThrow(MigrateError);
  process.env.AWS_ENDPOINT_URL_PRICING = fake.url;
});
