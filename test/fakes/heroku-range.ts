/**
 * Heroku Platform API list paging for the fake server (Platform API Reference, "Ranges").
 *
 * Request:  `Range: <field> [[|]]<start>..[<end>[[]]; max=<n>; order=<asc|desc>`
 *           (`;` or `,` between parameters; `]start` excludes start, `end[` excludes end).
 * Response: the page, `Accept-Ranges`, `Content-Range: <field> <first>..<last>`, and when the
 *           list was cut: status 206 plus `Next-Range: <field> ]<last>..; max=<n>` (the format
 *           seen on the live API, which heroku-client sends back verbatim as `Range`).
 *           A page that reaches the end of the list answers 200 without `Next-Range`.
 */
export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;

export interface RangeRequest {
  field: string;
  start?: string;
  startExclusive: boolean;
  end?: string;
  endExclusive: boolean;
  max: number;
  order: 'asc' | 'desc';
}

export class RangeNotSatisfiable extends Error {}

/** Parses a Range header; undefined header -> the default range over the list's first field. */
export function parseRange(header: string | undefined, fields: readonly string[], maxPageSize = MAX_PAGE_SIZE): RangeRequest {
  const defaultField = fields[0] ?? 'id';
  if (header === undefined || header.trim() === '') {
    return {field: defaultField, startExclusive: false, endExclusive: false, max: Math.min(DEFAULT_PAGE_SIZE, maxPageSize), order: 'asc'};
  }
  const [head = '', ...params] = header.split(/[;,]/);
  const m = /^\s*([a-z_]+)\s*(.*)$/.exec(head);
  if (!m) throw new RangeNotSatisfiable(`Invalid Range header: ${header}`);
  const field = m[1] ?? '';
  if (!fields.includes(field)) throw new RangeNotSatisfiable(`Range field '${field}' is not supported here; use one of: ${fields.join(', ')}`);
  const span = (m[2] ?? '').trim();
  const dots = span.indexOf('..');
  if (span !== '' && dots < 0) throw new RangeNotSatisfiable(`Invalid Range header: ${header}`);
  let start = dots < 0 ? '' : span.slice(0, dots);
  let end = dots < 0 ? '' : span.slice(dots + 2);
  const startExclusive = start.startsWith(']');
  if (startExclusive || start.startsWith('[')) start = start.slice(1);
  const endExclusive = end.endsWith('[');
  if (endExclusive || end.endsWith(']')) end = end.slice(0, -1);

  let max = DEFAULT_PAGE_SIZE;
  let order: 'asc' | 'desc' = 'asc';
  for (const param of params) {
    const [key = '', value = ''] = param.split('=').map((s) => s.trim());
    if (key === '') continue;
    if (key === 'max') {
      if (!/^[1-9]\d*$/.test(value)) throw new RangeNotSatisfiable(`Invalid max in Range header: ${value}`);
      max = Number(value);
    } else if (key === 'order') {
      if (value !== 'asc' && value !== 'desc') throw new RangeNotSatisfiable(`Invalid order in Range header: ${value}`);
      order = value;
    } else {
      throw new RangeNotSatisfiable(`Unknown Range parameter: ${key}`);
    }
  }
  return {
    field,
    start: start === '' ? undefined : start,
    startExclusive,
    end: end === '' ? undefined : end,
    endExclusive,
    max: Math.min(max, maxPageSize, MAX_PAGE_SIZE),
    order,
  };
}

export interface Page<T> {
  items: T[];
  status: 200 | 206;
  headers: Record<string, string>;
}

type Keyed = Record<string, unknown>;

const keyOf = (item: Keyed, field: string): string | number => {
  const v = item[field];
  return typeof v === 'number' ? v : String(v);
};

/** Compares a field value with a bound written in the header (numbers compare numerically). */
const compare = (a: string | number, b: string | number): number => {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
};

/** One page of `list` for `range`, with the response status and range headers. */
export function pageOf<T extends object>(list: readonly T[], range: RangeRequest, fields: readonly string[]): Page<T> {
  const {field} = range;
  const dir = range.order === 'asc' ? 1 : -1;
  const sorted = [...list].sort((a, b) => dir * compare(keyOf(a as Keyed, field), keyOf(b as Keyed, field)));
  const inRange = sorted.filter((item) => {
    const key = keyOf(item as Keyed, field);
    if (range.start !== undefined) {
      const c = dir * compare(key, range.start);
      if (c < 0 || (c === 0 && range.startExclusive)) return false;
    }
    if (range.end !== undefined) {
      const c = dir * compare(key, range.end);
      if (c > 0 || (c === 0 && range.endExclusive)) return false;
    }
    return true;
  });
  const items = inRange.slice(0, range.max);
  const headers: Record<string, string> = {'Accept-Ranges': fields.join(', ')};
  const first = items[0];
  const last = items.at(-1);
  if (first && last) headers['Content-Range'] = `${field} ${keyOf(first as Keyed, field)}..${keyOf(last as Keyed, field)}`;
  if (inRange.length > items.length && last) {
    const order = range.order === 'desc' ? '; order=desc' : '';
    headers['Next-Range'] = `${field} ]${keyOf(last as Keyed, field)}..; max=${range.max}${order}`;
    return {items, status: 206, headers};
  }
  return {items, status: 200, headers};
}
