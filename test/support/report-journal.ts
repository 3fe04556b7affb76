/**
 * A recorded cutover as the journal holds it (cutover lines made by the runner's own journalLine):
 * edge setup, a shift with a gate failure and rollback, a shift killed mid-step and resumed, a
 * completed shift, a guard trip, a shift to 100%, the data window and finalize.
 */
import type {CutoverJournalEntry} from '../../src/domain/cutover.ts';
import type {JournalEntry} from '../../src/domain/state.ts';
import {journalLine} from '../../src/workflows/cutover-runner.ts';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const min = (m: number) => T0 + m * 60_000;

export function recordedJournal(): JournalEntry[] {
  const out: JournalEntry[] = [];
  const at = (m: number) => new Date(min(m)).toISOString();
  const cut = (shift: string, m: number, entry: Record<string, unknown>) => out.push({at: at(m), ...journalLine(shift, {at: min(m), ...entry} as CutoverJournalEntry)} as JournalEntry);
  const step = (shift: string, m: number, share: number, from: number, purpose = 'step') => {
    const id = `w-${share}-${m}`;
    cut(shift, m, {op: 'write-weights', phase: 'intent', id, share, from, purpose, attempt: 1});
    cut(shift, m, {op: 'write-weights', phase: 'result', id, share, ok: true});
    cut(shift, m, {op: 'read-back', phase: 'verify', id, expected: share, live: share, ok: true});
  };
  const passed = (shift: string, m: number, share: number, requests: number) => cut(shift, m, {op: 'step-passed', phase: 'note', share, requests, bakedMs: 600_000});
  const started = (shift: string, m: number, liveShare: number, target: number, steps: number[]) =>
    cut(shift, m, {op: 'shift-started', phase: 'note', liveShare, target, direction: 'up', steps: steps.map((weight) => ({weight, bakeMs: 600_000, minRequests: 100})), pollMs: 15_000, maxBakeExtension: 2, consecutiveFailureLimit: 2, onFail: 'last-passed'});

  out.push({at: at(0), id: 'edge-1', op: 'edge-setup', phase: 'result', ok: true, details: {awsShare: 0}});
  // shift 1: 1% and 5% pass, 10% fails its gate and rolls back to 5%
  started('shift-1', 5, 0, 25, [1, 5, 10, 25]);
  step('shift-1', 5, 1, 0);
  passed('shift-1', 15, 1, 320);
  step('shift-1', 15, 5, 1);
  passed('shift-1', 25, 5, 1500);
  step('shift-1', 25, 10, 5);
  cut('shift-1', 29, {op: 'gate-verdict', phase: 'note', share: 10, verdict: 'fail', requests: 900, reasons: ['alarm shop-web-5xx-rate is ALARM']});
  cut('shift-1', 29, {op: 'rolling-back', phase: 'note', from: 10, to: 5, reasons: ['alarm shop-web-5xx-rate is ALARM']});
  step('shift-1', 29, 5, 10, 'rollback');
  cut('shift-1', 29, {op: 'stopped', phase: 'note', exitCode: 3, reason: 'gate failed at 10%: rolled back to 5%', share: 5});
  // shift 2 is killed while baking 10%; shift 3 closes it and goes on
  started('shift-2', 40, 5, 25, [10, 25]);
  step('shift-2', 40, 10, 5);
  cut('shift-2', 50, {op: 'read-back', phase: 'verify', id: null, expected: 10, live: 10, ok: true});
  cut('shift-2', 50, {op: 'stopped', phase: 'note', exitCode: 4, reason: 'recovered by a later run: the previous run ended unexpectedly; live AWS share 10% (verified)', share: 10});
  started('shift-3', 50, 10, 25, [10, 25]);
  passed('shift-3', 58, 10, 2400);
  step('shift-3', 58, 25, 10);
  passed('shift-3', 68, 25, 6100);
  cut('shift-3', 68, {op: 'stopped', phase: 'note', exitCode: 0, reason: 'reached 25%', share: 25});
  // the guard trips in the night
  out.push({at: at(120), id: 'guard-1', op: 'rollback', phase: 'intent', details: {from: 25, by: 'guard'}});
  out.push({at: at(120), id: 'guard-1', op: 'rollback', phase: 'result', ok: true, details: {share: 0, attempt: 1}});
  out.push({at: at(121), id: 'guard-1', op: 'rollback', phase: 'verify', ok: true, details: {live: 0, awsPoolEnabled: true, by: 'guard', alarm: 'shop-web-5xx-rate', trigger: 'alarm'}});
  // all the way the next day
  started('shift-4', 180, 0, 100, [25, 50, 100]);
  step('shift-4', 180, 25, 0);
  passed('shift-4', 190, 25, 7000);
  step('shift-4', 190, 50, 25);
  passed('shift-4', 200, 50, 14000);
  step('shift-4', 200, 100, 50);
  passed('shift-4', 210, 100, 29000);
  cut('shift-4', 210, {op: 'stopped', phase: 'note', exitCode: 0, reason: 'reached 100%', share: 100});
  // the data window
  const data = (m: number, step: string, phase: JournalEntry['phase'], ok?: boolean, details: Record<string, unknown> = {}) =>
    out.push({at: at(m), id: `cutover-DATABASE-${step}`, op: 'data-cutover', phase, ...(ok === undefined ? {} : {ok}), details: {addon: 'DATABASE', step, ...details}});
  data(220, 'freeze', 'intent');
  data(221, 'freeze', 'result', true);
  data(221, 'copy', 'intent');
  out.push({at: at(230), id: 'copy-1', op: 'data-copy', phase: 'result', ok: true, details: {addon: 'DATABASE', kind: 'postgres', tables: 12, rows: 207000, bytes: 111_000_000}});
  out.push({at: at(232), id: 'copy-1', op: 'data-copy', phase: 'verify', ok: true, details: {addon: 'DATABASE', kind: 'postgres', mismatches: []}});
  data(232, 'copy', 'result', true);
  data(233, 'activate', 'intent');
  data(233, 'activate', 'result', true);
  data(234, 'redeploy', 'intent');
  data(235, 'redeploy', 'result', true);
  out.push({at: at(300), id: 'fin-1/edge', op: 'finalize', phase: 'intent', details: {step: 'edge'}});
  out.push({at: at(300), id: 'fin-1/edge', op: 'finalize', phase: 'result', ok: true, details: {step: 'edge'}});
  return out;
}
