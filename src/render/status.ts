/**
 * Human output of `migrate status`: the whole migration with the next command, the live share as
 * the headline, gates (failing ones in colour), the step history as a table with verdicts spelled
 * out, and a chart of the AWS share over time (percent axis on the schedule's levels, time axis,
 * steps and rollbacks marked).
 */
import {formatDuration} from '../domain/cutover.ts';
import type {StageState} from '../domain/migration-status.ts';
import type {StatusResult} from '../workflows/status.ts';
import {dim, green, red, terminalTable, yellow} from './terminal.ts';

export interface RenderOptions {
  /** ANSI colour (a terminal without NO_COLOR) */
  color: boolean;
  /** terminal width */
  columns: number;
  now: number;
}

type Point = StatusResult['timeline'][number];

const clock = (ms: number, withDate: boolean) => new Date(ms).toISOString().slice(withDate ? 5 : 11, 19).replace('T', ' ');

/**
 * A chart of the AWS share: one row per level (0%, the schedule's shares and any share seen, so
 * 1% and 5% are different rows), one column per time slice from the first point to now. ● marks a
 * verified step, ▼ a rollback; │ joins the levels where the share changed.
 */
export function shareChart(points: Point[], levels: number[], options: {width: number; now: number; color: boolean}): string[] {
  if (points.length === 0) return [];
  const rows = [...new Set([0, ...levels, ...points.map((p) => p.share)])].sort((a, b) => b - a);
  const times = points.map((p) => Date.parse(p.at));
  const t0 = times[0]!;
  const t1 = Math.max(options.now, times.at(-1)!, t0 + 1);
  const width = Math.max(10, options.width);
  const col = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - t0) / (t1 - t0)) * (width - 1))));
  const grid = rows.map(() => Array.from({length: width}, () => ' '));
  const rowOf = (share: number) => rows.indexOf(share);
  let share = points[0]!.share;
  let i = 0;
  for (let c = 0; c < width; c++) {
    const before = share;
    let mark: string | null = null;
    while (i < points.length && col(times[i]!) === c) {
      share = points[i]!.share;
      mark = points[i]!.kind === 'rollback' ? '▼' : mark === '▼' ? mark : '●';
      i++;
    }
    if (c > 0 && share !== before) {
      const [lo, hi] = [Math.min(rowOf(share), rowOf(before)), Math.max(rowOf(share), rowOf(before))];
      for (let r = lo + 1; r < hi; r++) grid[r]![c] = '│';
    }
    grid[rowOf(share)]![c] = mark ?? '─';
  }
  const paintMark = (ch: string) => (ch === '▼' ? red(options.color, ch) : ch === '●' ? green(options.color, ch) : ch);
  const label = (share: number) => `${share}%`.padStart(4);
  const withDate = t1 - t0 > 86_400_000;
  const start = clock(t0, withDate);
  const end = clock(t1, withDate);
  const gap = width - start.length - end.length;
  return [
    ...rows.map((share, r) => `${label(share)} ┤${grid[r]!.map(paintMark).join('').trimEnd()}`),
    `     └${'─'.repeat(width)}`,
    `      ${start}${gap > 0 ? ' '.repeat(gap) + end : ''}  (UTC)`,
    `      ● verified step   ▼ rollback   │ change of share`,
  ];
}

const STAGE_MARK: Record<StageState, (color: boolean) => string> = {
  done: (c) => green(c, '✓'),
  partial: (c) => yellow(c, '◐'),
  todo: () => '·',
  'n/a': (c) => dim(c, '–'),
};

function spellVerdicts(verdicts: {verdict: string}[]): string {
  if (verdicts.length === 0) return '-';
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
  const names: Record<string, string> = {pass: 'pass', fail: 'fail', inconclusive: 'inconclusive', error: 'gate error'};
  return [...counts].map(([v, n]) => `${n} ${names[v] ?? v}`).join(', ');
}

function outcomeText(outcome: string, color: boolean): string {
  if (outcome === 'passed') return green(color, outcome);
  if (outcome === 'failed' || outcome === 'error') return red(color, outcome);
  if (outcome === 'baking') return outcome;
  return yellow(color, outcome);
}

export function renderStatus(r: StatusResult, options: RenderOptions = {color: false, columns: 80, now: Date.now()}): string {
  const c = options.color;
  const out: string[] = [];
  out.push(`Migration of ${r.app}`);
  const labelWidth = Math.max(...r.migration.stages.map((s) => s.label.length));
  for (const s of r.migration.stages) out.push(`  ${STAGE_MARK[s.state](c)} ${s.label.padEnd(labelWidth)}  ${s.detail}`);
  if (r.migration.next?.command) out.push(`  Next: ${r.migration.next.command}`);

  out.push('', `Cutover: ${r.cutover.headline}`, `  ${r.cutover.detail}`);
  if (r.edge) {
    const e = r.edge;
    const health = e.awsPoolHealth === 'unhealthy' ? red(c, e.awsPoolHealth) : e.awsPoolHealth === 'healthy' ? e.awsPoolHealth : yellow(c, e.awsPoolHealth);
    out.push(`  ${e.hostname}: AWS pool ${e.awsPoolEnabled ? 'enabled' : red(c, 'DISABLED')}, health ${health}; fallback ${e.fallbackPoolId === e.herokuPoolId ? 'Heroku' : 'AWS'}; affinity ${e.sessionAffinity}`);
  }
  const g = r.guard;
  out.push(`Guard: ${g.armed ? `armed (${g.stackName} in ${g.region})` : 'NOT armed (migrate guard install)'}${g.lastTrip ? `; last trip ${g.lastTrip.at}, alarm ${g.lastTrip.alarm}, ${g.lastTrip.ok ? `AWS ${g.lastTrip.live}% verified` : 'FAILED'}` : ''}${g.unguardedShifts ? `; ${g.unguardedShifts} shift(s) with --no-guard` : ''}`);
  const gates = Object.entries(r.gates);
  if (gates.length) {
    out.push('', 'Gates:');
    for (const [name, state] of gates) {
      const line = `  ${state === 'OK' ? '✓' : state === 'ALARM' ? '✗' : '?'} ${name}: ${state}`;
      out.push(state === 'OK' ? line : state === 'ALARM' ? red(c, line) : yellow(c, line));
    }
  }
  if (r.shift) {
    const s = r.shift;
    out.push('', `Shift ${s.shiftId}${s.running ? ' (running)' : ''}: ${s.startShare ?? 0}% → ${s.target ?? 0}%`);
    if (s.running && s.bake) {
      out.push(`  bake: ${formatDuration(s.bake.elapsedMs)} of ${formatDuration(s.bake.bakeMs)}, ${s.bake.requests}/${s.bake.minRequests} requests, ${s.bake.consecutiveFailures}/${s.bake.failureLimit} consecutive failures`);
    }
    const rows = s.history.map((h) => [
      `${h.share}%`,
      new Date(h.verifiedAt).toISOString().replace('T', ' ').slice(0, 19),
      outcomeText(h.outcome, c),
      spellVerdicts(h.verdicts),
      String(h.verdicts.at(-1)?.requests ?? 0),
    ]);
    if (rows.length) out.push('', terminalTable(['AWS share', 'verified at (UTC)', 'outcome', 'gate polls', 'requests'], rows));
  }
  const chart = shareChart(r.timeline, r.schedule, {width: Math.min(72, options.columns - 8), now: options.now, color: c});
  if (chart.length) out.push('', `AWS share over time (${r.timeline.length} verified points):`, ...chart);
  if (r.lock) out.push('', `Lock: '${r.lock.command}' by ${r.lock.user}@${r.lock.host} pid ${r.lock.pid} since ${r.lock.startedAt}`);
  return out.join('\n');
}
