/**
 * The journal as the single story of the AWS share (pure): every shift, every rollback (by
 * `migrate rollback`, by a gate, by the server-side guard: op `rollback`, `details.by`), edge
 * setup and adoption folded into what was last verified live, which write is still in flight,
 * and which up step has not passed yet together with the evidence the journal holds for it.
 *
 * A step's evidence belongs to the step, not to a process: a later run resumes an unpassed step
 * from this ledger. Bake time counts only while journaled gate verdicts cover it (verified at T0,
 * verdicts up to T1: T1 - T0; a run that resumed with credit C at T3 and journaled verdicts up to
 * T4 adds T4 - T3); a fail verdict starts the credit over. Nothing is ever promoted because it is
 * the live share. See docs/cutover.md.
 */
import {sameShare, type CutoverJournalEntry, type ResumeEvidence} from './cutover.ts';
import type {JournalEntry} from './state.ts';

export interface InFlightWrite {
  /** the shift that wrote it (null for a rollback outside a shift) */
  shiftId: string | null;
  /** the machine's write id (w1, w2, ...), null outside a shift */
  id: string | null;
  share: number;
  from: number;
  /** an up step of a shift: once verified it must bake and pass before anything goes higher */
  upStep: boolean;
}

export interface UnprovenStep {
  share: number;
  /** the share the step was written from: where a failing gate rolls back to */
  from: number;
  /** when the share was verified live (epoch ms) */
  verifiedAt: number;
  /** bake credit = lastEvidenceAt - creditFrom */
  creditFrom: number;
  lastEvidenceAt: number;
}

export interface CutoverLedger {
  /** the AWS share last verified live (0 when nothing is recorded) */
  verifiedShare: number;
  verifiedAt: number | null;
  /** a write whose outcome the journal has not verified */
  inFlight: InFlightWrite | null;
  /** the live share is an up step that has not passed (null: the verified share needs no bake) */
  unproven: UnprovenStep | null;
  /** the last shift, when it has no `stopped` entry (its process ended without closing it) */
  openShift: string | null;
  /** the last rollback (any author), for status */
  lastRollback: {at: number; by: string | null; live: number} | null;
}

const ms = (iso: string): number => Date.parse(iso);

/** the cutover entry inside an app journal line (`cutover.<op>`, details.shift/entry) */
export function cutoverEntryOf(line: JournalEntry): {shift: string; entry: CutoverJournalEntry} | null {
  if (!line.op.startsWith('cutover.')) return null;
  const d = line.details as {shift?: string; entry?: CutoverJournalEntry} | undefined;
  return d?.shift && d.entry ? {shift: d.shift, entry: d.entry} : null;
}

export function emptyLedger(): CutoverLedger {
  return {verifiedShare: 0, verifiedAt: null, inFlight: null, unproven: null, openShift: null, lastRollback: null};
}

/** Folds the whole app journal, oldest first. */
export function foldLedger(journal: readonly JournalEntry[]): CutoverLedger {
  let l = emptyLedger();
  const directions = new Map<string, 'up' | 'down'>();
  let rollbackBy: string | null = null;
  for (const line of journal) {
    const c = cutoverEntryOf(line);
    if (c) {
      l = foldCutover(l, c.shift, c.entry, directions);
      continue;
    }
    const details = (line.details ?? {}) as {live?: unknown; awsShare?: unknown; from?: unknown; by?: unknown};
    const at = ms(line.at);
    if (line.op === 'rollback' && line.phase === 'intent') {
      rollbackBy = typeof details.by === 'string' ? details.by : null;
      l = {...l, inFlight: {shiftId: null, id: null, share: 0, from: typeof details.from === 'number' ? details.from : l.verifiedShare, upStep: false}};
    } else if (line.op === 'rollback' && line.phase === 'verify' && line.ok) {
      const live = Number(details.live ?? 0);
      l = {...verified(l, live, at), lastRollback: {at, by: typeof details.by === 'string' ? details.by : rollbackBy, live}};
    } else if (line.op === 'cutover-reconcile' && line.phase === 'verify' && line.ok) {
      l = verified(l, Number(details.live ?? 0), at);
    } else if ((line.op === 'edge-setup' && line.phase === 'result' && line.ok) || (line.op === 'cutover-adopt' && line.phase === 'verify' && line.ok)) {
      l = {...verified(l, Number(details.awsShare ?? details.live ?? 0), at), unproven: null};
    }
  }
  return l;
}

function foldCutover(l: CutoverLedger, shift: string, e: CutoverJournalEntry, directions: Map<string, 'up' | 'down'>): CutoverLedger {
  switch (e.op) {
    case 'shift-started': {
      directions.set(shift, e.direction);
      // the run read the live share just before it started
      const u = verified(l, e.liveShare, e.at).unproven;
      const resumed = e.resume && u && sameShare(u.share, e.liveShare) ? {...u, creditFrom: e.at - e.resume.bakedMs, lastEvidenceAt: e.at} : u;
      return {...verified(l, e.liveShare, e.at), openShift: shift, unproven: resumed};
    }
    case 'write-weights':
      if (e.phase !== 'intent') return l;
      return {...l, inFlight: {shiftId: shift, id: e.id, share: e.share, from: e.from, upStep: e.purpose === 'step' && directions.get(shift) === 'up'}};
    case 'read-back':
      return e.live === null ? l : verified(l, e.live, e.at);
    case 'gate-verdict': {
      const u = l.unproven;
      if (!u || !sameShare(u.share, e.share)) return l;
      return {...l, unproven: e.verdict === 'fail' ? {...u, creditFrom: e.at, lastEvidenceAt: e.at} : {...u, lastEvidenceAt: Math.max(u.lastEvidenceAt, e.at)}};
    }
    case 'step-passed':
      return l.unproven && sameShare(l.unproven.share, e.share) ? {...l, unproven: null} : l;
    case 'stopped':
      return l.openShift === shift ? {...l, openShift: null} : l;
    default:
      return l;
  }
}

/** A read showed `live` at `at`: settle the write in flight and the unproven step. */
function verified(l: CutoverLedger, live: number, at: number): CutoverLedger {
  const w = l.inFlight;
  let unproven = l.unproven && sameShare(l.unproven.share, live) ? l.unproven : null;
  if (w && sameShare(w.share, live) && !sameShare(w.from, live)) {
    unproven = w.upStep ? {share: live, from: w.from, verifiedAt: at, creditFrom: at, lastEvidenceAt: at} : null;
  }
  return {...l, verifiedShare: live, verifiedAt: at, inFlight: null, unproven};
}

/** The shares the live load balancer may show without anyone outside migrate having written. */
export function knownShares(l: CutoverLedger): number[] {
  const known = l.inFlight && !sameShare(l.inFlight.share, l.verifiedShare) ? [l.verifiedShare, l.inFlight.share] : [l.verifiedShare];
  // a run that could not journal rolls back to the unproven step's `from` (the last passed share)
  // before it exits, and may not have been able to record it (workflows/cutover-runner.ts)
  if (l.unproven && !known.some((k) => sameShare(k, l.unproven!.from))) known.push(l.unproven.from);
  return known;
}

/** The evidence a shift up resumes the live, unproven step with (null: the live share needs no bake). */
export function resumeEvidence(l: CutoverLedger, live: number): ResumeEvidence | null {
  const u = l.unproven;
  if (!u || !sameShare(u.share, live)) return null;
  return {passedShare: u.from, verifiedAt: u.verifiedAt, bakedMs: Math.max(0, u.lastEvidenceAt - u.creditFrom)};
}
