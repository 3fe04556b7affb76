/**
 * The journal ledger (domain/cutover-ledger.ts) and the machine's resume of an unpassed step:
 * table tests of each rule, and a property over every prefix of journals of killed runs.
 */
import {initialState, next, type CutoverCommand, type CutoverEvent, type CutoverJournalEntry, type CutoverState, type ResumeEvidence, type StartedEvent, type Verdict} from '../../src/domain/cutover.ts';
import {foldLedger, knownShares, resumeEvidence} from '../../src/domain/cutover-ledger.ts';
import type {JournalEntry} from '../../src/domain/state.ts';

const T0 = 1_700_000_000_000;
const SEC = 1000;
const iso = (at: number) => new Date(at).toISOString();
const line = (shift: string, entry: CutoverJournalEntry): JournalEntry => ({at: iso(entry.at), id: shift, op: `cutover.${entry.op}`, phase: entry.phase, details: {shift, entry}});

function started(at: number, liveShare: number, target: number, weights: number[], resume?: ResumeEvidence, bakeMs = 10 * SEC, minRequests = 50): StartedEvent {
  return {type: 'started', at, liveShare, target, steps: weights.map((weight) => ({weight, bakeMs, minRequests})), pollMs: SEC, maxBakeExtension: 2, consecutiveFailureLimit: 1, onFail: 'last-passed', ...(resume ? {resume} : {})};
}

/** Drives the machine with a world that answers every effect at once; records the journal as app lines. */
function drive(shift: string, start: StartedEvent, verdicts: (at: number) => {verdict: Verdict; requests: number}, maxEvents = 400) {
  let state: CutoverState = initialState();
  const lines: JournalEntry[] = [];
  const queue: {cmd: CutoverCommand}[] = [];
  let now = start.at;
  let live = start.liveShare;
  const apply = (event: CutoverEvent) => {
    const t = next(state, event);
    state = t.state;
    queue.push(...t.commands.map((cmd) => ({cmd})));
  };
  apply(start);
  for (let i = 0; i < maxEvents && queue.length; i++) {
    const {cmd} = queue.shift()!;
    now += 1;
    if (cmd.type === 'journal') lines.push(line(shift, cmd.entry));
    else if (cmd.type === 'write-weights') {
      live = cmd.share;
      apply({type: 'weights-written', at: now, share: cmd.share});
    } else if (cmd.type === 'read-back') apply(live === cmd.expected ? {type: 'weights-verified', at: now, share: live} : {type: 'verify-mismatch', at: now, expected: cmd.expected, actual: live});
    else if (cmd.type === 'evaluate-gates') apply({type: 'gate-verdict', at: now, reasons: [], ...verdicts(now)});
    else if (cmd.type === 'wait') {
      now += cmd.ms;
      apply({type: 'tick', at: now});
    } else if (cmd.type === 'stop') break;
  }
  return {lines, state, live, now};
}

describe('cutover ledger: the journal as the single story', () => {
  it('a paused step stays unproven, with the bake its journaled verdicts cover', () => {
    const run = drive('s1', started(T0, 5, 10, [10]), () => ({verdict: 'pass', requests: 0}));
    expect(run.state.phase).toMatchObject({kind: 'stopped', exitCode: 4});
    const ledger = foldLedger(run.lines);
    expect(ledger.verifiedShare).toBe(10);
    expect(ledger.openShift).toBeNull();
    const evidence = resumeEvidence(ledger, 10)!;
    expect(evidence.passedShare).toBe(5);
    // verified at T0+3 (intent, write, result, read), last verdict at the longest bake (20 s)
    expect(evidence.bakedMs).toBeGreaterThanOrEqual(20 * SEC);
    expect(evidence.bakedMs).toBeLessThan(21 * SEC);
  });

  it('a passed step is proven; a fail verdict starts the credit over', () => {
    const passed = drive('s1', started(T0, 0, 1, [1]), () => ({verdict: 'pass', requests: 99}));
    expect(resumeEvidence(foldLedger(passed.lines), 1)).toBeNull();
    const lines = drive('s2', {...started(T0, 0, 1, [1]), consecutiveFailureLimit: 3}, (at) => ({verdict: at - T0 > 6 * SEC && at - T0 < 7.5 * SEC ? 'fail' : 'inconclusive', requests: 0})).lines;
    const cut = lines.filter((l) => Date.parse(l.at) <= T0 + 9 * SEC);
    const credit = resumeEvidence(foldLedger(cut), 1)!.bakedMs;
    expect(credit).toBeLessThanOrEqual(3 * SEC);
  });

  it("rollbacks by migrate rollback, a gate or the guard are the journal's own writes, never drift", () => {
    const killed = drive('s1', started(T0, 0, 5, [1, 5]), () => ({verdict: 'pass', requests: 0}), 12).lines; // baking at 1%
    const guard: JournalEntry[] = [
      {at: iso(T0 + 60 * SEC), id: 'g1', op: 'rollback', phase: 'intent', details: {from: 1, by: 'guard'}},
      {at: iso(T0 + 61 * SEC), id: 'g1', op: 'rollback', phase: 'verify', ok: true, details: {live: 0}},
    ];
    const ledger = foldLedger([...killed, ...guard]);
    expect(ledger.verifiedShare).toBe(0);
    expect(knownShares(ledger)).toEqual([0]);
    expect(ledger.lastRollback).toMatchObject({by: 'guard', live: 0});
    expect(resumeEvidence(ledger, 0)).toBeNull();
    // a rollback whose process died after the intent: 0 or the share before are both the journal's
    const intentOnly = foldLedger([...killed, guard[0]!]);
    expect(knownShares(intentOnly).sort()).toEqual([0, 1]);
  });

  it('a write whose result was never journaled makes both shares known; once read back the step is unproven from then', () => {
    const lines = drive('s1', started(T0, 1, 5, [5], undefined, 10 * SEC, 0), () => ({verdict: 'pass', requests: 0})).lines;
    const upToIntent = lines.slice(0, lines.findIndex((l) => l.op === 'cutover.write-weights') + 1);
    const ledger = foldLedger(upToIntent);
    expect(knownShares(ledger)).toEqual([1, 5]);
    expect(ledger.openShift).toBe('s1');
    const later = T0 + 30 * SEC;
    const read = foldLedger([...upToIntent, {at: iso(later), id: 'r', op: 'cutover-reconcile', phase: 'verify', ok: true, details: {live: 5}}]);
    expect(resumeEvidence(read, 5)).toEqual({passedShare: 1, verifiedAt: later, bakedMs: 0});
  });

  it('the machine resumes a step without writing, credits only journaled bake, and rolls back to the share before it', () => {
    const resume = {passedShare: 5, verifiedAt: T0 - 60 * SEC, bakedMs: 4 * SEC};
    const t = next(initialState(), started(T0, 10, 25, [10, 25], resume));
    expect(t.commands.map((c) => c.type)).toEqual(['journal', 'evaluate-gates']);
    expect(t.commands[1]).toMatchObject({type: 'evaluate-gates', stepStartedAt: T0 - 60 * SEC});
    expect(t.state.phase).toMatchObject({kind: 'baking', startedAt: T0 - 4 * SEC});
    expect(t.state.passedShare).toBe(5);
    // a pass with the requests but before the rest of the bake (6 s) does not promote
    const early = next(t.state, {type: 'gate-verdict', at: T0 + 5 * SEC, verdict: 'pass', requests: 60, reasons: []});
    expect(early.commands.some((c) => c.type === 'write-weights')).toBe(false);
    const due = next(early.state, {type: 'gate-verdict', at: T0 + 6 * SEC, verdict: 'pass', requests: 60, reasons: []});
    expect(due.commands.map((c) => c.type)).toContain('read-back');
    expect(due.state.passedShare).toBe(10);
    // a failing gate rolls back to the share before the resumed step
    const failed = next(t.state, {type: 'gate-verdict', at: T0 + SEC, verdict: 'fail', requests: 0, reasons: ['alarm']});
    expect(failed.commands.find((c) => c.type === 'write-weights')).toMatchObject({share: 5, purpose: 'rollback'});
  });

  it('a resumed step at the target is baked, not reported done; without requests it pauses again without a write', () => {
    const resume = {passedShare: 5, verifiedAt: T0 - 30 * SEC, bakedMs: 20 * SEC};
    const run = drive('s2', {...started(T0, 10, 10, [10], resume), maxBakeExtension: 1}, () => ({verdict: 'pass', requests: 0}));
    expect(run.state.phase).toMatchObject({kind: 'stopped', exitCode: 4});
    expect(run.lines.some((l) => l.op === 'cutover.write-weights')).toBe(false);
    const done = drive('s3', started(T0, 10, 10, [10], resume), () => ({verdict: 'pass', requests: 50}));
    expect(done.state.phase).toMatchObject({kind: 'stopped', exitCode: 0});
    expect(done.lines.some((l) => l.op === 'cutover.step-passed')).toBe(true);
  });

  it('refuses an inconsistent resume (usage stop, nothing written)', () => {
    const t = next(initialState(), started(T0, 10, 25, [10, 25], {passedShare: 10, verifiedAt: T0, bakedMs: 0}));
    expect(t.state.phase).toMatchObject({kind: 'stopped', exitCode: 2});
    expect(t.commands.some((c) => c.type === 'write-weights')).toBe(false);
  });

  it('for every prefix of a killed run, the resumed run never passes the step before its journaled plus new bake', () => {
    for (let seed = 0; seed < 40; seed++) {
      const pass = (at: number): {verdict: Verdict; requests: number} => ({verdict: (at + seed) % 7 === 0 ? 'inconclusive' : 'pass', requests: seed % 3 === 0 ? 10 : 99});
      const full = drive('s1', started(T0, 0, 25, [1, 5, 10, 25], undefined, (2 + (seed % 5)) * SEC, 50), pass).lines;
      for (let cut = 1; cut <= full.length; cut++) {
        const prefix = full.slice(0, cut);
        const ledger = foldLedger(prefix);
        const live = knownShares(ledger).at(-1)!; // the write in flight landed, if there was one
        const at = Date.parse(prefix.at(-1)!.at) + 5 * SEC;
        const recovered = [...prefix, {at: iso(at), id: 'r', op: 'cutover-reconcile', phase: 'verify' as const, ok: true, details: {live}}];
        const evidence = resumeEvidence(foldLedger(recovered), live);
        if (!evidence) {
          // proven: passed (step-passed in the prefix) or the start
          const passed = prefix.some((l) => (l.details as {entry?: CutoverJournalEntry}).entry?.op === 'step-passed' && ((l.details as {entry: {share: number}}).entry.share === live));
          expect({seed, cut, live, proven: live === 0 || passed}).toEqual({seed, cut, live, proven: true});
          continue;
        }
        // the credit never exceeds the time journaled verdicts cover since the share was verified
        const verdicts = prefix.map((l) => (l.details as {entry?: CutoverJournalEntry}).entry).filter((e): e is Extract<CutoverJournalEntry, {op: 'gate-verdict'}> => e?.op === 'gate-verdict' && e.share === live);
        const covered = verdicts.length ? verdicts.at(-1)!.at - evidence.verifiedAt : 0;
        expect(evidence.bakedMs).toBeLessThanOrEqual(Math.max(0, covered));
        const bakeMs = (2 + (seed % 5)) * SEC;
        const resumed = drive('s2', started(at, live, 25, [live, ...[1, 5, 10, 25].filter((w) => w > live)], evidence, bakeMs, 50), pass);
        const passedAt = resumed.lines.map((l) => (l.details as {entry: CutoverJournalEntry}).entry).find((e) => e.op === 'step-passed' && e.share === live)?.at;
        if (passedAt !== undefined) expect(passedAt - at + evidence.bakedMs).toBeGreaterThanOrEqual(bakeMs);
      }
    }
  });
});
