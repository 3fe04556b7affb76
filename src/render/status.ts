/** Human output of `migrate status`: weights, gates, the shift, history and a chart of the AWS share. */
import {formatDuration} from '../domain/cutover.ts';
import type {StatusResult} from '../workflows/status.ts';
import {table} from './markdown.ts';

const BARS = ' ▁▂▃▄▅▆▇█';

/** One character per verified share, oldest first (the last `width` points). */
export function shareChart(points: {share: number}[], width = 60): string {
  return points
    .slice(-width)
    // any AWS traffic shows: 1% must not look like 0%
    .map((p) => BARS[p.share <= 0 ? 0 : Math.min(8, Math.max(1, Math.round((p.share / 100) * 8)))] ?? ' ')
    .join('');
}

export function renderStatus(r: StatusResult): string {
  const out: string[] = [];
  if (!r.edge) out.push(`${r.app}: the Cloudflare load balancer is not set up (migrate edge setup).`);
  else {
    const e = r.edge;
    out.push(`${r.app} @ ${e.hostname}: Heroku ${100 - e.awsShare}% / AWS ${e.awsShare}% (live)`);
    out.push(`AWS pool: ${e.awsPoolEnabled ? 'enabled' : 'DISABLED'}, health ${e.awsPoolHealth}; fallback ${e.fallbackPoolId === e.herokuPoolId ? 'Heroku' : 'AWS'}; affinity ${e.sessionAffinity}`);
  }
  const g = r.guard;
  out.push(`Guard: ${g.armed ? `armed (${g.stackName} in ${g.region})` : 'NOT armed (migrate guard install)'}${g.lastTrip ? `; last trip ${g.lastTrip.at}, alarm ${g.lastTrip.alarm}, ${g.lastTrip.ok ? `AWS ${g.lastTrip.live}% verified` : 'FAILED'}` : ''}${g.unguardedShifts ? `; ${g.unguardedShifts} shift(s) with --no-guard` : ''}`);
  const gates = Object.entries(r.gates);
  if (gates.length) out.push('', 'Gates:', ...gates.map(([n, s]) => `  ${s === 'OK' ? '✓' : s === 'ALARM' ? '✗' : '?'} ${n}: ${s}`));
  if (r.shift) {
    const s = r.shift;
    out.push('', `Shift ${s.shiftId}${s.running ? ' (running)' : ''}: ${s.summary}`);
    if (s.bake) out.push(`  bake: ${formatDuration(s.bake.elapsedMs)} of ${formatDuration(s.bake.bakeMs)}, ${s.bake.requests}/${s.bake.minRequests} requests`);
    const rows = s.history.map((h) => [
      `${h.share}%`,
      new Date(h.verifiedAt).toISOString().replace('T', ' ').slice(0, 19),
      h.outcome,
      h.verdicts.map((v) => v.verdict[0]).join('') || '-',
    ]);
    if (rows.length) out.push('', table(['AWS share', 'verified at (UTC)', 'outcome', 'verdicts (p/f/i/e)'], rows).trimEnd());
  } else out.push('', 'No shift has run yet.');
  if (r.timeline.length) out.push('', `AWS share over time (${r.timeline.length} verified points, 0-100%):`, `  |${shareChart(r.timeline)}|`);
  if (r.lock) out.push('', `Lock: '${r.lock.command}' by ${r.lock.user}@${r.lock.host} pid ${r.lock.pid} since ${r.lock.startedAt}`);
  return out.join('\n');
}
