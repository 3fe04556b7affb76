/** Data copy output: a progress line (stderr) and the verification tables (stdout). */
import {formatBytes, type CountRow, type PgVerification, type RedisVerification} from '../domain/data-copy.ts';
import type {CopyProgress} from '../ports/data.ts';
import type {DataCopyResult} from '../workflows/data-copy.ts';
import type {DataCutoverResult} from '../workflows/data-cutover.ts';

const n = (v: number | string | null): string => (v === null ? '-' : typeof v === 'number' ? v.toLocaleString('en-US') : v);

/** plain text table with right-aligned numbers */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.every((r) => /^[\d,.\-]*$/.test(r[i] ?? '')));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatProgress(p: CopyProgress, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? p.rows / elapsedSeconds : 0;
  if (p.stage === 'copy') return `copy: ${n(p.rows)}/${n(p.totalRows)} keys, ${formatBytes(p.bytes)} (${n(Math.round(rate))} keys/s)`;
  return `${p.stage}: ${p.done}/${p.total} tables, ${n(p.rows)}/${n(p.totalRows)} rows, ${formatBytes(p.bytes)}`;
}

const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');

function pgTables(v: PgVerification): string {
  const rows = v.tables.map((r: CountRow) => [r.name, n(r.source), n(r.target), mark(r.ok)]);
  rows.push(['total', n(v.totals.rows.source), n(v.totals.rows.target), mark(v.tables.every((r) => r.ok))]);
  const seq = v.sequences.map((r) => [r.name, String(r.source ?? 'not called'), String(r.target ?? 'not called'), mark(r.ok)]);
  const obj = v.objects.map((o) => [o.kind, String(o.source), String(o.target), o.ok ? 'ok' : `MISMATCH${o.missing.length ? ` missing: ${o.missing.slice(0, 5).join(', ')}` : ''}${o.extra.length ? ` extra: ${o.extra.slice(0, 5).join(', ')}` : ''}`]);
  return [
    'Rows per table',
    table(['table', 'source', 'target', ''], rows),
    '',
    'Sequences (last value)',
    seq.length ? table(['sequence', 'source', 'target', ''], seq) : '(none)',
    '',
    'Schema objects',
    table(['object', 'source', 'target', ''], obj),
  ].join('\n');
}

function redisTypes(v: RedisVerification): string {
  const rows: string[][] = v.types.map((t) => [t.type, n(t.source.keys), n(t.target.keys), n(t.source.withTtl), n(t.target.withTtl), mark(t.ok)]);
  const sum = (side: 'source' | 'target', k: 'keys' | 'withTtl') => v.types.reduce((a, t) => a + t[side][k], 0);
  rows.push(['total', n(sum('source', 'keys')), n(sum('target', 'keys')), n(sum('source', 'withTtl')), n(sum('target', 'withTtl')), mark(v.ok)]);
  return [
    'Keys per type',
    table(['type', 'source', 'target', 'source TTL', 'target TTL', ''], rows),
    `(keys expiring within a minute are left out of the comparison: source ${v.volatile.source}, target ${v.volatile.target})`,
  ].join('\n');
}

export function renderDataCopy(r: DataCopyResult): string {
  const s = r.stats;
  const secs = s.seconds.total.toFixed(1);
  const what =
    r.kind === 'postgres'
      ? `${n(s.tables ?? 0)} tables, ${n(s.rows ?? 0)} rows, ${formatBytes(s.bytes)} dumped (dump ${s.seconds.dump?.toFixed(1)} s, restore ${s.seconds.restore?.toFixed(1)} s)`
      : `${n(s.keys ?? 0)} keys, ${formatBytes(s.bytes)}${s.expired ? `, ${s.expired} expired during the copy` : ''}`;
  const body = r.verification.kind === 'postgres' ? pgTables(r.verification.result) : redisTypes(r.verification.result);
  const verdict = r.verification.result.ok ? `Verified: ${r.addon} on ${r.target} matches the source.` : `VERIFICATION FAILED: ${r.addon} on ${r.target} differs from the source (see MISMATCH rows).`;
  return [`Copied ${r.addon} (${r.kind}) ${r.source} -> ${r.target}: ${what} in ${secs} s.`, '', body, '', verdict].join('\n');
}

/** one line naming what differs, for the error message */
export function mismatchSummary(r: DataCopyResult): string {
  if (r.verification.kind === 'redis') {
    return r.verification.result.types.filter((t) => !t.ok).map((t) => `${t.type}: ${t.source.keys} vs ${t.target.keys} keys (${t.source.withTtl} vs ${t.target.withTtl} with TTL)`).join('; ');
  }
  const v = r.verification.result;
  return [
    ...v.tables.filter((t) => !t.ok).map((t) => `${t.name}: ${n(t.source)} vs ${n(t.target)} rows`),
    ...v.sequences.filter((t) => !t.ok).map((t) => `sequence ${t.name}: ${t.source} vs ${t.target}`),
    ...v.objects.filter((o) => !o.ok).map((o) => `${o.kind}: ${o.source} vs ${o.target}`),
  ]
    .slice(0, 8)
    .join('; ');
}

export function renderCutover(r: DataCutoverResult): string {
  if (r.alreadyDone) return `${r.addon} is already cut over: the app's secret points at the AWS store. Nothing to do.`;
  const lines = [
    ...(r.resumedFrom ? [`Resumed an interrupted cutover of ${r.addon} (it had reached: ${r.resumedFrom}).`] : []),
    ...(r.copy ? [renderDataCopy(r.copy), ''] : ['The data was already copied and verified under this freeze.', '']),
    `Active now: ${r.activated.join(', ')} -> the AWS store (state).`,
    r.secret ? `App secret ${r.secret.name}: ${r.secret.written ? `new version ${r.secret.versionId}, verified` : `already up to date (version ${r.secret.versionId})`}.` : '',
    '',
    'Next (manual):',
    ...r.manualSteps.map((s, i) => `  ${i + 1}. ${s}`),
  ];
  return lines.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n');
}
