/**
 * Property tests of the cutover state machine: thousands of random runs against a simulated live
 * system (a load balancer whose writes sometimes fail or land while reporting an error, reads that
 * sometimes fail, gates that flip, other operators who roll back or edit the weights, Ctrl-C at
 * random moments). The safety invariants (docs/safety.md) are checked after every transition.
 *
 * A failure prints the seed and the event trace; re-run one seed with CUTOVER_SEED=<seed>.
 */
import {
  eventsFromJournal,
  initialState,
  LIMITS,
  next,
  replay,
  resume,
  sameShare,
  stepsToward,
  type CutoverCommand,
  type CutoverEvent,
  type CutoverJournalEntry,
  type CutoverState,
  type OnFail,
  type ShiftStep,
  type Transition,
} from '../../src/domain/cutover.ts';
import {DEFAULT_STEPS} from '../../src/domain/schedule.ts';

const SEQUENCES = Number(process.env.CUTOVER_SEQUENCES ?? 2500);
const MAX_EVENTS = 20_000;

// --- a seeded PRNG (mulberry32) ---------------------------------------------------------------

interface Rng {
  float(): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const float = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(float() * (hi - lo + 1));
  return {
    float,
    int,
    chance: (p) => float() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

// --- a random scenario -----------------------------------------------------------------------

interface Scenario {
  start: number;
  target: number;
  steps: ShiftStep[];
  pollMs: number;
  maxBakeExtension: number;
  consecutiveFailureLimit: number;
  onFail: OnFail;
  requestsPerSecond: number;
  p: {
    interrupt: number;
    rollback: number;
    otherProcessWroteZero: number;
    dashboardEdit: number;
    strayTick: number;
    writeFails: number;
    writeLandsWithError: number;
    nonRetriable: number;
    readError: number;
    gateFail: number;
    gateInconclusive: number;
    gateError: number;
  };
}

function randomShare(rng: Rng): number {
  return rng.pick([0, 0, 1, 5, 10, 25, 50, 75, 100, 100, rng.int(0, 10_000) / 100]);
}

function scenario(rng: Rng): Scenario {
  const schedule = rng.chance(0.7) ? DEFAULT_STEPS : Array.from({length: rng.int(1, 5)}, () => randomShare(rng));
  const start = randomShare(rng);
  let target = randomShare(rng);
  if (sameShare(start, target) && rng.chance(0.9)) target = start < 50 ? 100 : 0;
  const up = target > start;
  const steps = stepsToward(start, target, schedule).map((weight) => ({
    weight,
    bakeMs: up ? rng.pick([0, 2_000, 10_000, 60_000]) : rng.pick([0, 0, 1_000]),
    minRequests: up ? rng.pick([0, 10, 250, 5_000]) : 0,
  }));
  return {
    start,
    target,
    steps,
    pollMs: rng.pick([500, 1_000, 5_000]),
    maxBakeExtension: rng.pick([1, 1.5, 2, 3]),
    consecutiveFailureLimit: rng.pick([1, 1, 2, 3]),
    onFail: rng.pick(['last-passed', 'zero'] as const),
    requestsPerSecond: rng.pick([0, 1, 20, 200, 2_000]),
    p: {
      interrupt: rng.pick([0, 0, 0.002, 0.02]),
      rollback: rng.pick([0, 0, 0.002, 0.02]),
      otherProcessWroteZero: 0.5,
      dashboardEdit: rng.pick([0, 0, 0, 0.002, 0.01]),
      strayTick: 0.02,
      writeFails: rng.pick([0, 0.1, 0.3]),
      writeLandsWithError: rng.pick([0, 0.1]),
      nonRetriable: 0.2,
      readError: rng.pick([0, 0.05, 0.3]),
      gateFail: rng.pick([0, 0, 0.01, 0.1, 0.5]),
      gateInconclusive: rng.pick([0, 0.1]),
      gateError: rng.pick([0, 0.05]),
    },
  };
}

// --- the simulated world and the run ---------------------------------------------------------

type Effect = Extract<CutoverCommand, {type: 'write-weights' | 'read-back' | 'evaluate-gates' | 'wait'}>;
type Stop = Extract<CutoverCommand, {type: 'stop'}>;
const isEffect = (c: CutoverCommand): c is Effect => c.type === 'write-weights' || c.type === 'read-back' || c.type === 'evaluate-gates' || c.type === 'wait';

class InvariantError extends Error {}
function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

interface Run {
  rng: Rng;
  sc: Scenario;
  state: CutoverState;
  time: number;
  /** the live AWS share on the simulated load balancer */
  live: number;
  /** someone else changed the live share since the machine's last write landed */
  othersChanged: boolean;
  /** the live share differs from what the machine's own writes and reads imply */
  tainted: boolean;
  faults: number;
  outstanding: Effect | null;
  /** id of a write whose result must be journaled next */
  unresolvedWrite: string | null;
  journal: CutoverJournalEntry[];
  trace: string[];
  gateRollbackTo: number | null;
  rollbackRequested: boolean;
  interrupted: boolean;
  stop: Stop | null;
  snapshot: {state: CutoverState; journalLength: number; time: number} | null;
}

interface Stats {
  exits: Record<string, number>;
  gateRollbacks: number;
  rollbackRequests: number;
  promotions: number;
}

function runOne(seed: number, stats: Stats): void {
  const rng = makeRng(seed);
  const sc = scenario(rng);
  const run: Run = {
    rng,
    sc,
    state: initialState(),
    time: 1_700_000_000_000,
    live: sc.start,
    othersChanged: false,
    tainted: false,
    faults: 0,
    outstanding: null,
    unresolvedWrite: null,
    journal: [],
    trace: [`scenario ${JSON.stringify(sc)}`],
    gateRollbackTo: null,
    rollbackRequested: false,
    interrupted: false,
    stop: null,
    snapshot: null,
  };
  const snapshotAt = rng.int(1, 60);
  try {
    deliver(run, stats, {type: 'started', at: run.time, liveShare: sc.start, target: sc.target, steps: sc.steps, pollMs: sc.pollMs, maxBakeExtension: sc.maxBakeExtension, consecutiveFailureLimit: sc.consecutiveFailureLimit, onFail: sc.onFail});
    for (let i = 0; i < MAX_EVENTS && !run.stop; i++) {
      if (i === snapshotAt) run.snapshot = {state: run.state, journalLength: run.journal.length, time: run.time};
      step(run, stats);
    }
    ensure(run.stop !== null, `no stop after ${MAX_EVENTS} events`);
    checkEnd(run);
    stats.exits[run.stop.exitCode] = (stats.exits[run.stop.exitCode] ?? 0) + 1;
  } catch (error) {
    const tail = run.trace.slice(-60).join('\n');
    throw new Error(`seed ${seed} (re-run with CUTOVER_SEED=${seed}): ${(error as Error).message}\n--- last events ---\n${tail}`, {cause: error});
  }
}

/** One move of the world: maybe an outside event, else the answer to the outstanding effect. */
function step(run: Run, stats: Stats): void {
  const {rng, sc} = run;
  run.time += rng.int(0, 200);
  if (rng.chance(sc.p.interrupt)) {
    if (run.state.phase.kind !== 'stopped') run.interrupted = true;
    return deliver(run, stats, {type: 'interrupted', at: run.time});
  }
  if (rng.chance(sc.p.rollback)) {
    if (rng.chance(sc.p.otherProcessWroteZero)) setLiveByOthers(run, 0);
    if (run.state.phase.kind !== 'stopped' && !run.state.rollbackRequested) stats.rollbackRequests++;
    return deliver(run, stats, {type: 'rollback-requested', at: run.time, by: 'another operator'});
  }
  if (rng.chance(sc.p.dashboardEdit)) {
    const share = randomShare(rng);
    if (!sameShare(share, run.live) && !sameShare(share, run.state.verifiedShare)) setLiveByOthers(run, share);
  }
  if (rng.chance(sc.p.strayTick)) return deliver(run, stats, {type: 'tick', at: run.time});
  const effect = run.outstanding;
  ensure(effect !== null, `the machine is stuck in ${run.state.phase.kind}: no effect outstanding and no stop`);
  run.outstanding = null;
  deliver(run, stats, answer(run, effect));
}

function setLiveByOthers(run: Run, share: number): void {
  if (sameShare(share, run.live)) return;
  run.live = share;
  const phase = run.state.phase;
  const pending = phase.kind === 'writing' || phase.kind === 'verifying' ? phase.write.share : null;
  if (pending !== null && sameShare(share, pending)) return; // indistinguishable from the machine's own write landing
  run.othersChanged = true;
  run.tainted = true;
  run.faults++;
  run.trace.push(`   (someone else set the live share to ${share}%)`);
}

/** The simulated Cloudflare / CloudWatch answer to one effect. */
function answer(run: Run, effect: Effect): CutoverEvent {
  const {rng, sc} = run;
  const at = run.time;
  switch (effect.type) {
    case 'write-weights': {
      const fault = rng.float();
      if (fault < sc.p.writeFails) {
        run.faults++;
        return {type: 'api-error', at, op: 'write', message: 'HTTP 503', retriable: !rng.chance(sc.p.nonRetriable)};
      }
      run.live = effect.share;
      run.othersChanged = false;
      run.tainted = false;
      if (fault < sc.p.writeFails + sc.p.writeLandsWithError) {
        run.faults++;
        return {type: 'api-error', at, op: 'write', message: 'socket hang up after the request was sent', retriable: true};
      }
      return {type: 'weights-written', at, share: effect.share};
    }
    case 'read-back':
      if (rng.chance(sc.p.readError)) {
        run.faults++;
        return {type: 'api-error', at, op: 'read', message: 'HTTP 429', retriable: !rng.chance(sc.p.nonRetriable)};
      }
      return sameShare(run.live, effect.expected) ? {type: 'weights-verified', at, share: run.live} : {type: 'verify-mismatch', at, expected: effect.expected, actual: run.live};
    case 'evaluate-gates': {
      if (rng.chance(sc.p.gateError)) {
        run.faults++;
        return {type: 'api-error', at, op: 'gates', message: 'CloudWatch throttled', retriable: !rng.chance(sc.p.nonRetriable)};
      }
      const requests = Math.floor((sc.requestsPerSecond * (run.live / 100) * (at - effect.stepStartedAt)) / 1000);
      const roll = rng.float();
      if (roll < sc.p.gateFail) return {type: 'gate-verdict', at, verdict: 'fail', requests, reasons: ['heroku2aws-shop-web-5xx-rate is in ALARM']};
      if (roll < sc.p.gateFail + sc.p.gateInconclusive) return {type: 'gate-verdict', at, verdict: 'inconclusive', requests, reasons: ['an alarm has INSUFFICIENT_DATA']};
      return {type: 'gate-verdict', at, verdict: 'pass', requests, reasons: []};
    }
    case 'wait':
      run.time += effect.ms;
      return {type: 'tick', at: run.time};
    default:
      throw new Error(`unknown effect ${JSON.stringify(effect satisfies never)}`);
  }
}

function deliver(run: Run, stats: Stats, event: CutoverEvent): void {
  run.trace.push(`${JSON.stringify(event)}   [live ${run.live}%]`);
  const before = run.state;
  const t = next(before, event);
  run.state = t.state;
  for (const c of t.commands) run.trace.push(`   -> ${JSON.stringify(c)}`);
  checkTransition(run, stats, before, event, t);
  if (sameShare(run.state.verifiedShare, run.live)) run.tainted = false;
  checkLiveShare(run);
}

// --- invariants ------------------------------------------------------------------------------

function checkTransition(run: Run, stats: Stats, before: CutoverState, event: CutoverEvent, t: Transition): void {
  const commands = t.commands;
  if (before.phase.kind === 'stopped') ensure(commands.length === 0, 'a stopped machine issued commands');
  checkJournalResult(run, event, commands);
  commands.forEach((command, i) => checkCommand(run, command, commands[i - 1], before));
  checkPromotion(run, stats, before, event, t.state);
  checkGateFailure(run, stats, before, event, t.state);
  if (event.type === 'rollback-requested' && before.phase.kind !== 'stopped' && before.phase.kind !== 'idle') run.rollbackRequested = true;
  if (run.state.phase.kind !== 'stopped') ensure(run.outstanding !== null, `the machine waits for nothing in ${run.state.phase.kind}`);
}

/** (4) the answer to a write is journaled (result) before anything else. */
function checkJournalResult(run: Run, event: CutoverEvent, commands: CutoverCommand[]): void {
  const answersWrite = event.type === 'weights-written' || (event.type === 'api-error' && event.op === 'write');
  if (!answersWrite || run.unresolvedWrite === null) return;
  const first = commands[0];
  ensure(first?.type === 'journal' && first.entry.op === 'write-weights' && first.entry.phase === 'result' && first.entry.id === run.unresolvedWrite, `the answer to write ${run.unresolvedWrite} was not journaled as a result first`);
  run.unresolvedWrite = null;
}

function checkCommand(run: Run, command: CutoverCommand, previous: CutoverCommand | undefined, before: CutoverState): void {
  const {sc} = run;
  switch (command.type) {
    case 'journal':
      run.journal.push(command.entry);
      return;
    case 'stop':
      ensure(run.outstanding?.type !== 'write-weights', 'stopped with a write in flight');
      run.stop = command;
      checkStop(run, command, before);
      return;
    case 'write-weights': {
      // (4) a journal intent for this very write comes right before it
      ensure(previous?.type === 'journal' && previous.entry.op === 'write-weights' && previous.entry.phase === 'intent' && sameShare(previous.entry.share, command.share), 'write-weights without a journal intent right before it');
      ensure(run.unresolvedWrite === null, 'a new write before the previous write was resolved');
      run.unresolvedWrite = previous.entry.id;
      // (6) within 0..100, never beyond the target going up, never above the start going down
      ensure(command.share >= 0 && command.share <= 100, `write of ${command.share}% is out of range`);
      if (sc.target > sc.start) ensure(command.share <= sc.target + 0.001, `write of ${command.share}% exceeds the target ${sc.target}%`);
      else ensure(command.share <= sc.start + 0.001, `a down-shift wrote ${command.share}% above the start ${sc.start}%`);
      // (3) after a fail: only the rollback (or 0 when a rollback is also requested) is written
      if (run.gateRollbackTo !== null) ensure(sameShare(command.share, run.gateRollbackTo) || sameShare(command.share, 0), `wrote ${command.share}% during the rollback to ${run.gateRollbackTo}%`);
      // (5) after a rollback request: only 0 is written
      if (run.rollbackRequested) ensure(sameShare(command.share, 0), `wrote ${command.share}% after a rollback request`);
      // after Ctrl-C no new step is written (rollbacks are finished)
      if (run.interrupted) ensure(command.purpose !== 'step', `wrote step ${command.share}% after an interrupt`);
      // a step is never written over someone else's change (seen or not): it stops or rolls back instead
      if (command.purpose === 'step') ensure(!run.othersChanged, `wrote step ${command.share}% over someone else's change`);
      return noteEffect(run, command);
    }
    case 'evaluate-gates':
    case 'wait':
      ensure(run.gateRollbackTo === null, `${command.type} between a fail and its verified rollback`);
      ensure(!run.rollbackRequested, `${command.type} after a rollback request`);
      return noteEffect(run, command);
    case 'read-back':
      return noteEffect(run, command);
    default:
      throw new Error(`unknown command ${JSON.stringify(command satisfies never)}`);
  }
}

/** One effect at a time; a wait or a gate evaluation may be abandoned, a write or a read may not. */
function noteEffect(run: Run, effect: Effect): void {
  const pending = run.outstanding;
  ensure(pending === null || pending.type === 'wait' || pending.type === 'evaluate-gates', `${effect.type} issued while ${pending?.type} is in flight`);
  run.outstanding = effect;
}

/** (1) the live share is the last verified share or the share being written. */
function checkLiveShare(run: Run): void {
  const state = run.state;
  if (run.tainted || (state.phase.kind === 'stopped' && state.phase.exitCode === 1)) return;
  const pending = state.phase.kind === 'writing' || state.phase.kind === 'verifying' ? state.phase.write.share : null;
  ensure(sameShare(run.live, state.verifiedShare) || (pending !== null && sameShare(run.live, pending)), `live ${run.live}% is neither the verified ${state.verifiedShare}% nor the pending ${pending}%`);
}

/** (2) a step is promoted only on a pass with the bake time and the request minimum met. */
function checkPromotion(run: Run, stats: Stats, before: CutoverState, event: CutoverEvent, after: CutoverState): void {
  if (before.phase.kind !== 'baking' || after.phase.kind !== 'prechecking') return;
  stats.promotions++;
  const step = run.sc.steps[before.stepIndex];
  ensure(step !== undefined, 'promoted a step that does not exist');
  ensure(!run.rollbackRequested && run.gateRollbackTo === null, 'promoted during a rollback');
  ensure(event.type === 'gate-verdict' || event.type === 'api-error', `promoted on ${event.type}`);
  if (run.sc.target < run.sc.start) return; // down: gates only report
  ensure(event.type === 'gate-verdict' && event.verdict === 'pass', 'promoted without a pass verdict');
  ensure(event.at - before.phase.startedAt >= step.bakeMs, `promoted after ${event.at - before.phase.startedAt} ms of a ${step.bakeMs} ms bake`);
  ensure(event.requests >= step.minRequests, `promoted with ${event.requests} of ${step.minRequests} requests`);
}

/** (3) a fail verdict at the consecutive-failure limit starts the rollback at once. */
function checkGateFailure(run: Run, stats: Stats, before: CutoverState, event: CutoverEvent, after: CutoverState): void {
  if (event.type !== 'gate-verdict' || before.phase.kind !== 'baking' || run.sc.target < run.sc.start) return;
  const limitReached = event.verdict === 'fail' && before.phase.consecutiveFailures + 1 >= run.sc.consecutiveFailureLimit;
  const rollingBack = after.phase.kind === 'writing' && after.phase.write.purpose === 'rollback';
  ensure(limitReached === rollingBack, limitReached ? 'a fail at the limit did not roll back at once' : 'rolled back without reaching the failure limit');
  if (!rollingBack) return;
  const to = run.sc.onFail === 'zero' ? 0 : before.passedShare;
  ensure(after.phase.kind === 'writing' && sameShare(after.phase.write.share, to), `rolled back to the wrong share (expected ${to}%)`);
  run.gateRollbackTo = to;
  stats.gateRollbacks++;
}

function checkStop(run: Run, stop: Stop, before: CutoverState): void {
  const state = run.state;
  const tainted = run.tainted && !sameShare(state.verifiedShare, run.live);
  ensure(stop.reason.length > 10, 'a stop without a reason');
  switch (stop.exitCode) {
    case 0:
      ensure(sameShare(run.live, run.sc.target) && sameShare(state.verifiedShare, run.sc.target), `exit 0 with live ${run.live}% and target ${run.sc.target}%`);
      ensure(!run.rollbackRequested && run.gateRollbackTo === null, 'exit 0 after a rollback');
      return;
    case 1:
      ensure(run.faults > 0, `exit 1 without any injected fault: ${stop.reason}`);
      return;
    case 3: {
      ensure(run.rollbackRequested || run.gateRollbackTo !== null, 'exit 3 without a rollback');
      const expected = run.rollbackRequested ? 0 : (run.gateRollbackTo ?? 0);
      ensure(sameShare(run.live, expected) && sameShare(state.verifiedShare, expected), `exit 3 with live ${run.live}%, expected ${expected}% verified`);
      return;
    }
    case 4:
      ensure(!run.rollbackRequested && run.gateRollbackTo === null && state.rollback === null, 'paused although a rollback was under way');
      ensure(stop.share !== null && sameShare(stop.share, state.verifiedShare), 'paused at a share that is not the verified one');
      if (!tainted) ensure(sameShare(run.live, state.verifiedShare), `paused with live ${run.live}% but verified ${state.verifiedShare}%`);
      ensure(before.phase.kind !== 'writing', 'paused with a write in flight');
      return;
    default:
      throw new InvariantError(`unexpected exit code ${stop.exitCode}`);
  }
}

/** Journal completeness and replay (the crash story). */
function checkEnd(run: Run): void {
  const ids = new Set(run.journal.flatMap((e) => (e.op === 'write-weights' && e.phase === 'intent' ? [e.id] : [])));
  for (const id of ids) {
    ensure(run.journal.some((e) => e.op === 'write-weights' && e.phase === 'result' && e.id === id), `write ${id} has no journaled result`);
    ensure(run.journal.some((e) => e.op === 'read-back' && e.id === id), `write ${id} was never read back`);
  }
  ensure(sameJournaledState(replay(eventsFromJournal(run.journal)), run.state), 'replaying the journal does not rebuild the final state');
  const snap = run.snapshot;
  if (!snap) return;
  const rebuilt = replay(eventsFromJournal(run.journal.slice(0, snap.journalLength)));
  ensure(sameJournaledState(rebuilt, snap.state), 'replaying the journal up to a crash point does not rebuild that state');
  const resumed = resume(rebuilt, snap.time);
  const live = rebuilt.phase.kind !== 'stopped' && rebuilt.phase.kind !== 'idle';
  ensure(resumed.commands.filter(isEffect).length === (live ? 1 : 0), 'resume after a crash does not continue with exactly one effect');
}

/** Everything but the clock and whether a bake waits for a tick or for a verdict. */
function sameJournaledState(a: CutoverState, b: CutoverState): boolean {
  const strip = (s: CutoverState) => ({...s, now: 0, phase: s.phase.kind === 'baking' ? {...s.phase, awaiting: 'any'} : s.phase});
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

// --- the test --------------------------------------------------------------------------------

describe('cutover state machine: properties over random runs against a simulated live system', () => {
  it(`holds every invariant over ${SEQUENCES} random runs (seeded; CUTOVER_SEED reruns one)`, () => {
    const stats: Stats = {exits: {}, gateRollbacks: 0, rollbackRequests: 0, promotions: 0};
    const only = process.env.CUTOVER_SEED;
    const seeds = only ? [Number(only)] : Array.from({length: SEQUENCES}, (_, i) => 0x5eed + i * 7919);
    for (const seed of seeds) runOne(seed, stats);
    if (only) return;
    if (process.env.CUTOVER_STATS) console.log(JSON.stringify(stats));
    // the generator must reach every ending, or the invariants above prove little
    expect(stats.exits['0']).toBeGreaterThan(50);
    expect(stats.exits['1']).toBeGreaterThan(50);
    expect(stats.exits['3']).toBeGreaterThan(50);
    expect(stats.exits['4']).toBeGreaterThan(50);
    expect(stats.gateRollbacks).toBeGreaterThan(50);
    expect(stats.rollbackRequests).toBeGreaterThan(50);
    expect(stats.promotions).toBeGreaterThan(1000);
  });

  it('bounds re-reads and write attempts (the limits the properties rely on)', () => {
    expect(LIMITS.reads).toBeGreaterThanOrEqual(2);
    expect(LIMITS.writeAttempts).toBeGreaterThanOrEqual(2);
  });
});
