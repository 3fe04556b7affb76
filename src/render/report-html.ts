/**
 * `migrate report`: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * resources — a Content-Security-Policy forbids them), readable offline and printable.
 */
import type {CostSide} from '../domain/cost.ts';
import type {MetricSeries, ReportEvent, ReportModel} from '../domain/report.ts';
import {usd} from './cost-md.ts';

/** marker colours (also what the screenshot test looks for) */
export const COLOURS: Record<ReportEvent['kind'] | 'share' | 'window', string> = {
  share: '#1f77b4',
  pass: '#2ca02c',
  fail: '#d62728',
  rollback: '#d62728',
  guard: '#ff7f0e',
  resume: '#9467bd',
  paused: '#8c564b',
  interrupted: '#8c564b',
  shift: '#7f7f7f',
  edge: '#7f7f7f',
  data: '#bcbd22',
  finalize: '#17becf',
  undo: '#17becf',
  window: '#fdf3c4',
};

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!);
const W = 960;
const PAD = {l: 56, r: 16, t: 16, b: 40};

interface Scale {
  x: (iso: string) => number;
  ticks: {x: number; label: string}[];
}

function timeScale(start: string, end: string, width = W): Scale {
  const t0 = Date.parse(start);
  const t1 = Math.max(Date.parse(end), t0 + 60_000);
  const x = (iso: string) => PAD.l + ((Date.parse(iso) - t0) / (t1 - t0)) * (width - PAD.l - PAD.r);
  const long = t1 - t0 > 36 * 3600_000;
  const ticks = Array.from({length: 6}, (_, i) => {
    const at = new Date(t0 + ((t1 - t0) * i) / 5).toISOString();
    return {x: x(at), label: long ? at.slice(5, 16).replace('T', ' ') : at.slice(11, 16)};
  });
  return {x, ticks};
}

const axisX = (s: Scale, h: number) =>
  s.ticks.map((t) => `<line x1="${t.x.toFixed(1)}" y1="${h - PAD.b}" x2="${t.x.toFixed(1)}" y2="${h - PAD.b + 5}" stroke="#555"/><text x="${t.x.toFixed(1)}" y="${h - PAD.b + 18}" text-anchor="middle">${esc(t.label)}</text>`).join('') +
  `<text x="${W - PAD.r}" y="${h - 4}" text-anchor="end">time (UTC)</text>`;

function marker(e: ReportEvent, x: number, y: number): string {
  const c = COLOURS[e.kind];
  const title = `<title>${esc(`${e.at.slice(0, 19).replace('T', ' ')} ${e.label}`)}</title>`;
  switch (e.kind) {
    case 'pass':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="6" fill="${c}">${title}</circle>`;
    case 'fail':
    case 'rollback':
    case 'guard':
      return `<g>${title}<line x1="${x.toFixed(1)}" y1="${PAD.t}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${c}" stroke-width="2" stroke-dasharray="4 3"/><path d="M${(x - 7).toFixed(1)},${(y - 7).toFixed(1)} h14 l-7,12 z" fill="${c}"/></g>`;
    default:
      return `<rect x="${(x - 5).toFixed(1)}" y="${(y - 5).toFixed(1)}" width="10" height="10" fill="${c}">${title}</rect>`;
  }
}

/** AWS share over time: a step line through the verified shares, events marked, data windows shaded */
export function shareChart(m: ReportModel): string {
  if (!m.window || !m.share.length) return '<p class="muted">No verified weights in the journal yet: the cutover has not started.</p>';
  const h = 300;
  const s = timeScale(m.window.start, m.window.end);
  const y = (share: number) => h - PAD.b - (share / 100) * (h - PAD.t - PAD.b);
  const points = m.share.flatMap((p, i) => {
    const prev = m.share[i - 1];
    return prev ? [`${s.x(p.at).toFixed(1)},${y(prev.share).toFixed(1)}`, `${s.x(p.at).toFixed(1)},${y(p.share).toFixed(1)}`] : [`${s.x(p.at).toFixed(1)},${y(p.share).toFixed(1)}`];
  });
  points.push(`${s.x(m.window.end).toFixed(1)},${y(m.share.at(-1)!.share).toFixed(1)}`);
  const bands = m.data
    .map((d) => `<rect x="${s.x(d.startedAt).toFixed(1)}" y="${PAD.t}" width="${Math.max(3, s.x(d.endedAt ?? m.window!.end) - s.x(d.startedAt)).toFixed(1)}" height="${h - PAD.t - PAD.b}" fill="${COLOURS.window}"><title>${esc(`data window: ${d.addon}`)}</title></rect>`)
    .join('');
  const yAxis = [0, 25, 50, 75, 100].map((v) => `<line x1="${PAD.l - 5}" y1="${y(v)}" x2="${W - PAD.r}" y2="${y(v)}" stroke="#e3e3e3"/><text x="${PAD.l - 8}" y="${y(v) + 4}" text-anchor="end">${v}%</text>`).join('');
  const shareAt = (at: string) => [...m.share].reverse().find((p) => p.at <= at)?.share ?? 0;
  const marks = m.events.filter((e) => e.kind !== 'shift').map((e) => marker(e, s.x(e.at), y(e.share ?? shareAt(e.at)))).join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${h}" role="img" aria-label="AWS share of traffic over time">${bands}${yAxis}<text x="12" y="${PAD.t + 8}" transform="rotate(-90 12,${h / 2})">AWS share</text><polyline points="${points.join(' ')}" fill="none" stroke="${COLOURS.share}" stroke-width="3"/>${marks}<line x1="${PAD.l}" y1="${h - PAD.b}" x2="${W - PAD.r}" y2="${h - PAD.b}" stroke="#555"/>${axisX(s, h)}</svg>`;
}

function metricChart(series: MetricSeries, start: string, end: string): string {
  const h = 160;
  const s = timeScale(start, end);
  const max = Math.max(1, ...series.points.map((p) => p.value));
  const y = (v: number) => h - PAD.b - (v / max) * (h - PAD.t - PAD.b);
  const bars = series.points.map((p) => `<rect x="${(s.x(p.at) - 2).toFixed(1)}" y="${y(p.value).toFixed(1)}" width="4" height="${(h - PAD.b - y(p.value)).toFixed(1)}" fill="${COLOURS.share}"><title>${esc(`${p.at.slice(11, 16)} ${p.value} ${series.unit}`)}</title></rect>`).join('');
  return `<figure><figcaption>${esc(series.name)} (${esc(series.unit)}, max ${max})</figcaption><svg class="chart" viewBox="0 0 ${W} ${h}" role="img" aria-label="${esc(series.name)}"><text x="${PAD.l - 8}" y="${PAD.t + 8}" text-anchor="end">${max}</text><text x="${PAD.l - 8}" y="${h - PAD.b}" text-anchor="end">0</text>${bars}<line x1="${PAD.l}" y1="${h - PAD.b}" x2="${W - PAD.r}" y2="${h - PAD.b}" stroke="#555"/>${axisX(s, h)}</svg></figure>`;
}

const htmlTable = (headers: string[], rows: unknown[][]) =>
  rows.length ? `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c ?? '')}</td>`).join('')}</tr>`).join('')}</tbody></table>` : '<p class="muted">None.</p>';

const costTable = (title: string, side: CostSide) =>
  `<h3>${esc(title)}</h3>` + htmlTable(['Item', 'Detail', 'Monthly', 'At autoscaling max'], [...side.lines.map((l) => [l.item, l.detail, l.monthly === null ? 'not priced' : usd(l.monthly) + (l.check ? ' (check)' : ''), l.monthlyMax === undefined ? '' : usd(l.monthlyMax)]), ['Total', '', usd(side.total), side.totalMax !== side.total ? usd(side.totalMax) : '']]);

const LEGEND: [ReportEvent['kind'] | 'share' | 'window', string][] = [
  ['share', 'AWS share (verified)'],
  ['pass', 'step passed'],
  ['rollback', 'gate failure / rollback'],
  ['guard', 'guard trip'],
  ['resume', 'resume after a crash'],
  ['paused', 'paused / interrupted'],
  ['window', 'data window'],
  ['finalize', 'finalize'],
];

export function renderReportHtml(m: ReportModel, generatedAt: string): string {
  const legend = LEGEND.map(([k, label]) => `<span class="key"><i style="background:${COLOURS[k]}"></i>${esc(label)}</span>`).join('');
  const metrics = m.metrics.available && m.window ? m.metrics.series.map((s) => metricChart(s, m.window!.start, m.window!.end)).join('') : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Migration report: ${esc(m.app)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;max-width:1000px;margin:24px auto;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.muted{color:#666}table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}
svg.chart{width:100%;height:auto;font-size:11px;fill:#333}.key{display:inline-block;margin-right:14px}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
figure{margin:8px 0}figcaption{font-weight:600}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}svg.chart,table{break-inside:avoid}}
</style></head><body>
<h1>Migration report: ${esc(m.app)}</h1>
<p class="muted">Generated ${esc(generatedAt.slice(0, 19).replace('T', ' '))} UTC by heroku2aws from the plan, the state and the journal${m.window ? `, covering ${esc(m.window.start.slice(0, 16).replace('T', ' '))} to ${esc(m.window.end.slice(0, 16).replace('T', ' '))} UTC` : ''}.</p>
<h2>Plan</h2><ul>${m.summary.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>
<h2>Cost</h2>${m.cost ? `<p class="muted">Monthly list prices (${esc(m.cost.prices.file)}, ${esc(m.cost.prices.region)}).</p>${costTable('Heroku today', m.cost.heroku)}${costTable('AWS as planned', m.cost.aws)}${m.cost.difference ? `<p><b>AWS − Heroku: ${usd(m.cost.difference.monthly)} a month at the planned size, ${usd(m.cost.difference.monthlyMax)} at the autoscaling maximum.</b></p>` : ''}` : '<p class="muted">The plan has no cost estimate (planned without a price file).</p>'}
<h2>Cutover</h2><p>${legend}</p>${shareChart(m)}
<h3>Steps</h3>${htmlTable(['AWS share', 'Started', 'Ended', 'Outcome', 'Requests', 'Baked'], m.steps.map((s) => [`${s.share}%`, s.startedAt.slice(0, 19).replace('T', ' '), s.endedAt?.slice(0, 19).replace('T', ' ') ?? '', s.outcome, s.requests ?? '', s.bakedSeconds === null ? '' : `${s.bakedSeconds} s`]))}
<h3>Events</h3>${htmlTable(['Time (UTC)', 'What'], m.events.map((e) => [e.at.slice(0, 19).replace('T', ' '), e.label]))}
<h2>AWS side: CloudWatch</h2>${metrics || `<p class="muted">${esc(m.metrics.note)}</p>`}
<h2>Data window</h2>${htmlTable(['Add-on', 'Opened', 'Closed', 'Duration', 'Copy', 'Details'], m.data.map((d) => [d.addon, d.startedAt.slice(0, 19).replace('T', ' '), d.endedAt?.slice(0, 19).replace('T', ' ') ?? 'open', d.seconds === null ? '' : `${d.seconds} s`, d.copy + (d.unfrozen ? ' (rolled back: Heroku unfrozen)' : ''), d.details.join('; ')]))}
<h2>Finalize</h2><p>${m.finalize ? `Heroku was retired from the load balancer at ${esc(m.finalize.at.slice(0, 19).replace('T', ' '))} UTC${m.finalize.undoneAt ? `; undone at ${esc(m.finalize.undoneAt.slice(0, 19).replace('T', ' '))} UTC` : ''}.` : 'Not finalized yet.'}</p>
</body></html>
`;
}
