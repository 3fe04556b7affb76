/** The AWS Price List, as `migrate prices refresh` needs it. */
import type {PriceProduct, PriceQuery} from '../domain/price-list.ts';

export interface PriceList {
  /** every product of the query's service in one region (regionCode) matching its filters */
  products(query: PriceQuery, region: string): Promise<PriceProduct[]>;
  stats(): {requests: number};
}
