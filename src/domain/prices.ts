/**
 * The price book: list prices as data (templates/prices/prices.json), each with its source page and
 * date, validated on read. `migrate prices refresh` rebuilds the AWS part from the Price List API.
 */
import {z} from 'zod';
import {checkSchemaVersion} from './plan-schema.ts';
import {MigrateError} from './errors.ts';

export const PRICES_SCHEMA_VERSION = '1.0';

const money = z.number().nonnegative();
const table = z.record(z.string(), money);
const sourced = {source: z.string(), checked: z.string().optional()};

const awsRegionSchema = z.object({
  asOf: z.string(),
  fargate: z.object({vcpuHour: money, gbHour: money, ...sourced}),
  alb: z.object({hour: money, lcuHour: money, ...sourced}),
  natGateway: z.object({hour: money, gb: money, ...sourced}),
  publicIpv4: z.object({hour: money, ...sourced}),
  rdsPostgres: z.object({storageGbMonth: money, instanceHour: table, ...sourced}),
  memorydb: z.object({nodeHour: table, ...sourced}),
  secretsManager: z.object({secretMonth: money, ...sourced}),
  cloudwatch: z.object({logsIngestGb: money, alarmMonth: money, ...sourced}),
});

export const priceBookSchema = z.object({
  schemaVersion: z.string(),
  currency: z.literal('USD'),
  hoursPerMonth: z.number().positive(),
  note: z.string(),
  heroku: z.object({
    asOf: z.string(),
    dynos: z.object({monthly: table, notes: z.record(z.string(), z.string()).optional(), ...sourced}),
    addons: z.object({monthly: table, notes: z.record(z.string(), z.string()).optional(), ...sourced}),
  }),
  cloudflare: z.object({asOf: z.string(), source: z.string(), loadBalancingMonthly: money, perExtraEndpointMonthly: money, includedEndpoints: z.number().int().nonnegative()}),
  aws: z.record(z.string(), awsRegionSchema),
});

export type PriceBook = z.infer<typeof priceBookSchema>;
export type AwsRegionPrices = z.infer<typeof awsRegionSchema>;

export function parsePriceBook(data: unknown, what: string): PriceBook {
  checkSchemaVersion(data, what, PRICES_SCHEMA_VERSION);
  const result = priceBookSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MigrateError('schema', `${what} is not a valid price file: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Start from templates/prices/prices.json, or rebuild the AWS prices with `migrate prices refresh`.',
    });
  }
  return result.data;
}
