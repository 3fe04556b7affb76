/** `migrate prices refresh`: rebuild the AWS prices of a price book from the AWS Price List API. */
import {dirname, basename} from 'node:path';
import {MigrateError} from '../domain/errors.ts';
import {PRICE_QUERIES, regionPricesFromProducts, type PriceProduct} from '../domain/price-list.ts';
import type {PriceBook} from '../domain/prices.ts';
import {canonicalJson} from '../domain/plan.ts';
import type {FileStore} from '../ports/files.ts';
import type {PriceList} from '../ports/prices.ts';

export interface PricesRefreshInput {
  regions?: string[];
  out: string;
  /** the price file to start from [default: the shipped one] */
  from?: string;
  dryRun?: boolean;
}

export interface PricesRefreshDeps {
  prices: (path?: string) => Promise<{book: PriceBook; file: string}>;
  priceList: () => Promise<PriceList>;
  files: FileStore;
  now: () => Date;
  onProgress?: (message: string) => void;
}

export interface RegionResult {
  region: string;
  products: number;
  missing: string[];
  rdsInstanceTypes: number;
  memorydbNodeTypes: number;
}

export interface PricesRefreshResult {
  out: string;
  written: boolean;
  regions: RegionResult[];
  requests: number;
  warnings: string[];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export async function pricesRefreshWorkflow(input: PricesRefreshInput, deps: PricesRefreshDeps): Promise<PricesRefreshResult> {
  const {book} = await deps.prices(input.from);
  const regions = [...new Set(input.regions?.length ? input.regions : Object.keys(book.aws))].sort();
  const bad = regions.filter((r) => !REGION.test(r));
  if (bad.length) throw new MigrateError('usage', `Not AWS region names: ${bad.join(', ')}.`, {hint: 'Use names such as us-east-1 or eu-west-1 (--region, repeatable).'});
  if ((await deps.files.kind(input.out)) === 'dir') throw new MigrateError('usage', `--out ${input.out} is a directory.`, {hint: 'Give a file name, e.g. --out plans/prices.json.'});
  const list = await deps.priceList();
  const asOf = deps.now().toISOString().slice(0, 10);
  const next: PriceBook = structuredClone(book);
  const results: RegionResult[] = [];
  const warnings: string[] = [];
  for (const region of regions) {
    const byQuery: Record<string, PriceProduct[]> = {};
    for (const query of PRICE_QUERIES) {
      deps.onProgress?.(`${region}: ${query.serviceCode}${Object.keys(query.filters).length ? ` (${Object.values(query.filters).join(', ')})` : ''}`);
      byQuery[query.id] = await list.products(query, region);
    }
    const refreshed = regionPricesFromProducts(byQuery, book.aws[region], asOf);
    for (const k of Object.keys(refreshed.prices) as (keyof typeof refreshed.prices)[]) {
      const entry = refreshed.prices[k];
      if (typeof entry === 'object' && entry && 'source' in entry && !refreshed.missing.some((m) => m.startsWith(`${k}.`))) Object.assign(entry, {checked: asOf});
    }
    if (refreshed.missing.length) {
      warnings.push(`${region}: no Price List product matched ${refreshed.missing.join(', ')}; ${book.aws[region] ? 'the previous figures are kept' : 'left at 0: check these lines by hand'}.`);
    }
    next.aws[region] = refreshed.prices;
    results.push({
      region,
      products: Object.values(byQuery).reduce((n, l) => n + l.length, 0),
      missing: refreshed.missing,
      rdsInstanceTypes: Object.keys(refreshed.prices.rdsPostgres.instanceHour).length,
      memorydbNodeTypes: Object.keys(refreshed.prices.memorydb.nodeHour).length,
    });
  }
  const requests = list.stats().requests;
  if (input.dryRun) return {out: input.out, written: false, regions: results, requests, warnings};
  await deps.files.writeAll(dirname(input.out) || '.', {[basename(input.out)]: canonicalJson(next, 2) + '\n'});
  return {out: input.out, written: true, regions: results, requests, warnings};
}
