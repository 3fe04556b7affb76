/** The cost section of plan.md: Heroku today and AWS as planned, line by line, then the difference. */
import type {CostEstimate, CostLine} from '../domain/cost.ts';
import {table} from './markdown.ts';

export const usd = (n: number) => `${n < 0 ? '−' : ''}$${Math.abs(n).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})}`;
const price = (l: CostLine, n: number | null | undefined) => (n === null || n === undefined ? (l.monthly === null ? 'not priced' : '') : usd(n) + (l.check ? ' (check)' : ''));
const signed = (n: number) => (n > 0 ? `+${usd(n)}` : usd(n));

export function renderCostMarkdown(cost: CostEstimate): string {
  const out: string[] = [];
  const a = cost.assumptions;
  out.push(
    `Monthly list prices in USD (${cost.prices.file}; Heroku prices of ${cost.prices.heroku}, AWS ${cost.prices.region} of ${cost.prices.aws ?? 'none'}, Cloudflare of ${cost.prices.cloudflare}). ` +
      `Assumptions: ${a.albLcu} load balancer capacity unit on average, ${a.natGbPerMonth} GB a month through the NAT gateway, ${a.logsGbPerMonth} GB of logs a month, ${a.rdsStorageGb} GB of database storage, ${a.memorydbNodes} MemoryDB nodes per cluster. ` +
      'Figures marked (check) were not cross-checked with a second source; refresh the AWS figures with `migrate prices refresh`.\n\n',
  );
  out.push('### Heroku today\n\n');
  out.push(table(['Item', 'Detail', 'Monthly', 'Note'], cost.heroku.lines.map((l) => [l.item, l.detail, price(l, l.monthly), l.note ?? ''])));
  out.push(`\n### AWS as planned (${cost.prices.region})\n\n`);
  out.push(table(['Item', 'Detail', 'Monthly', 'At autoscaling max', 'Note'], cost.aws.lines.map((l) => [l.item, l.detail, price(l, l.monthly), l.monthlyMax === undefined ? '' : price(l, l.monthlyMax), l.note ?? ''])));
  out.push('\n### Difference\n\n');
  const rows: unknown[][] = [
    ['Heroku today', usd(cost.heroku.total), usd(cost.heroku.totalMax)],
    ['AWS as planned', usd(cost.aws.total), usd(cost.aws.totalMax)],
  ];
  if (cost.difference) rows.push(['AWS − Heroku', signed(cost.difference.monthly), signed(cost.difference.monthlyMax)]);
  out.push(table(['', 'At planned size', 'At autoscaling max'], rows));
  const unpriced = [...cost.heroku.unpriced.map((i) => `Heroku: ${i}`), ...cost.aws.unpriced.map((i) => `AWS: ${i}`)];
  if (unpriced.length) out.push(`\nNot priced (not in the totals): ${unpriced.join('; ')}.\n`);
  return out.join('');
}

/** one line for the terminal: totals and the difference */
export function costSummary(cost: CostEstimate): string {
  const range = (a: number, b: number) => (a === b ? usd(a) : `${usd(a)}–${usd(b)}`);
  const aws = cost.difference ? range(cost.aws.total, cost.aws.totalMax) : `not priced in ${cost.prices.region}`;
  return `Estimated monthly cost: Heroku ${range(cost.heroku.total, cost.heroku.totalMax)} today, AWS ${aws} as planned (list prices; details in plan.md).`;
}
