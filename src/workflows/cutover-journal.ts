/** Reading cutover history back from the app journal (shared by shift, status and rollback). */
import {eventsFromJournal, replay, type CutoverJournalEntry, type CutoverState} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import type {JournalEntry} from '../domain/state.ts';
import {herokuRetired} from '../domain/migration-status.ts';
import {cutoverEntryOf} from '../domain/cutover-ledger.ts';

export {herokuRetired};

export interface ShiftRecord {
  shiftId: string;
  entries: CutoverJournalEntry[];
  state: CutoverState;
  stopped: boolean;
}

const cutoverEntry = (e: JournalEntry) => cutoverEntryOf(e) ?? undefined;

/** Every shift in the journal, oldest first, each replayed into its final machine state. */
export function shiftsFromJournal(journal: JournalEntry[]): ShiftRecord[] {
  const byShift = new Map<string, CutoverJournalEntry[]>();
  for (const line of journal) {
    const d = cutoverEntry(line);
    if (!d?.shift || !d.entry) continue;
    const list = byShift.get(d.shift) ?? [];
    list.push(d.entry);
    byShift.set(d.shift, list);
  }
  return [...byShift].map(([shiftId, entries]) => ({
    shiftId,
    entries,
    state: replay(eventsFromJournal(entries)),
    stopped: entries.some((e) => e.op === 'stopped'),
  }));
}

/**
 * AWS share over time from verified read-backs, for the status chart and the report. kind: a step
 * of a shift (up or down), or a rollback (a gate's or a requested one inside a shift, `migrate
 * rollback`, the guard).
 */
export function shareTimeline(journal: JournalEntry[]): {at: string; share: number; kind: 'step' | 'rollback'}[] {
  const purposes = new Map<string, string>();
  return journal.flatMap((line) => {
    const c = cutoverEntryOf(line);
    const entry = c?.entry;
    if (entry?.op === 'write-weights' && entry.phase === 'intent') purposes.set(`${c!.shift}/${entry.id}`, entry.purpose);
    if (entry?.op === 'read-back' && entry.live !== null && entry.ok) {
      const purpose = entry.id ? purposes.get(`${c!.shift}/${entry.id}`) : undefined;
      return [{at: line.at, share: entry.live, kind: purpose === 'rollback' || purpose === 'abort' ? ('rollback' as const) : ('step' as const)}];
    }
    if (line.op === 'rollback' && line.phase === 'verify' && line.ok) return [{at: line.at, share: Number((line.details as {live?: number}).live ?? 0), kind: 'rollback' as const}];
    return [];
  });
}

export function refuseIfRetired(journal: JournalEntry[], app: string, what: string): void {
  if (!herokuRetired(journal)) return;
  throw new MigrateError('conflict', `Heroku was retired by \`migrate finalize\`: the load balancer has no Heroku pool to ${what}.`, {
    hint: `Run \`migrate finalize --app ${app} --undo --confirm ${app}\` first to bring Heroku back.`,
  });
}
