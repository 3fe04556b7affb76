/** Reading cutover history back from the app journal (shared by shift, status and rollback). */
import {eventsFromJournal, replay, type CutoverJournalEntry, type CutoverState} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import type {JournalEntry} from '../domain/state.ts';

export interface ShiftRecord {
  shiftId: string;
  entries: CutoverJournalEntry[];
  state: CutoverState;
  stopped: boolean;
}

const cutoverEntry = (e: JournalEntry) => (e.op.startsWith('cutover.') ? (e.details as {shift?: string; entry?: CutoverJournalEntry} | undefined) : undefined);

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
 * The AWS share the journal last saw verified on the live load balancer, from shifts, rollbacks
 * and edge setup (0 when nothing is recorded).
 */
export function lastVerifiedShare(journal: JournalEntry[]): number {
  for (let i = journal.length - 1; i >= 0; i--) {
    const line = journal[i]!;
    const entry = cutoverEntry(line)?.entry;
    if (entry?.op === 'read-back' && entry.live !== null) return entry.live;
    if (line.op === 'rollback' && line.phase === 'verify' && line.ok) return Number((line.details as {live?: number}).live ?? 0);
    if (line.op === 'edge-setup' && line.phase === 'result' && line.ok) return Number((line.details as {awsShare?: number}).awsShare ?? 0);
  }
  return 0;
}

/** AWS share over time from verified read-backs, for the status chart. */
export function shareTimeline(journal: JournalEntry[]): {at: string; share: number}[] {
  return journal.flatMap((line) => {
    const entry = cutoverEntry(line)?.entry;
    if (entry?.op === 'read-back' && entry.live !== null && entry.ok) return [{at: line.at, share: entry.live}];
    if (line.op === 'rollback' && line.phase === 'verify' && line.ok) return [{at: line.at, share: Number((line.details as {live?: number}).live ?? 0)}];
    return [];
  });
}

/** true while a `migrate finalize` is in force (started and not undone): Heroku is out of the load balancer */
export function herokuRetired(journal: JournalEntry[]): boolean {
  for (let i = journal.length - 1; i >= 0; i--) {
    const op = journal[i]!.op;
    if (op === 'finalize-undo') return false;
    if (op === 'finalize') return true;
  }
  return false;
}

export function refuseIfRetired(journal: JournalEntry[], app: string, what: string): void {
  if (!herokuRetired(journal)) return;
  throw new MigrateError('conflict', `Heroku was retired by \`migrate finalize\`: the load balancer has no Heroku pool to ${what}.`, {
    hint: `Run \`migrate finalize --app ${app} --undo --confirm ${app}\` first to bring Heroku back.`,
  });
}
