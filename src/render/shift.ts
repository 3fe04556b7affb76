/** Human output of `migrate shift`. */
import {formatDuration} from '../domain/cutover.ts';
import type {ShiftResult} from '../workflows/shift.ts';

export function renderShift(r: ShiftResult): string {
  const plan = r.steps.map((s) => `${s.weight}% (bake ${formatDuration(s.bakeMs)}, ≥${s.minRequests} requests)`);
  const resumed = r.resumed
    ? [`The live ${r.resumed.share}% step has not passed: it bakes again first (${formatDuration(r.resumed.bakedMs)} of bake covered by journaled gate verdicts; requests count from ${new Date(r.resumed.verifiedAt).toISOString()}; a failing gate rolls back to ${r.resumed.passedShare}%).`]
    : [];
  if (r.dryRun) {
    return [`Dry run: AWS ${r.from}% → ${r.target}% in ${r.steps.length} step(s); nothing changed.`, ...resumed, ...plan.map((p) => `  - ${p}`), `Gates: ${r.gates.join(', ')}; AWS pool health; request minimum.`].join('\n');
  }
  if (!r.stop) return `Nothing to do: the live AWS share is already ${r.target}%.`;
  const passed = r.status?.history.filter((h) => h.outcome === 'passed').map((h) => `${h.share}%`) ?? [];
  return [`${r.stop.reason}`, `Live AWS share: ${r.stop.share ?? 'unverified'}%${passed.length ? `; steps passed: ${passed.join(', ')}` : ''}.`, `Journal: ${r.shiftId}`].join('\n');
}
