/**
 * The cutover (`migrate shift`) as a pure state machine: `next(state, event)` returns the new
 * state and the commands the workflow runs, in order. No I/O, no clock, no randomness: time
 * arrives in events (`at`, epoch milliseconds).
 *
 * Protocol with the workflow loop
 * - The loop runs one transition's commands in order. `journal` and `stop` answer nothing; each
 *   effect answers with exactly one event:
 *     write-weights  -> weights-written | api-error{op: 'write'}
 *     read-back      -> weights-verified (live = expected) | verify-mismatch | api-error{op: 'read'}
 *     evaluate-gates -> gate-verdict | api-error{op: 'gates'}
 *     wait           -> tick
 * - At most one effect is outstanding. `interrupted` and `rollback-requested` may arrive at any
 *   time. While a write or a read-back is outstanding they are remembered and handled when its
 *   answer arrives (a write cannot be recalled; its outcome must be learnt and journaled). A wait
 *   or a gate evaluation is abandoned instead (the loop may cut the wait short); a late tick or
 *   verdict is then ignored, because abandoning only ever leads to a rollback or a stop.
 * - Events that do not fit the current phase are ignored: no commands, no journal entry.
 *
 * Phases and transitions (`verified` = the last share read back from the live load balancer)
 *   idle --started--> writing (first step)   [no read first: `started` carries the live share]
 *   writing --weights-written | api-error--> verifying   [journal the result, then read back]
 *   verifying --live = written--> baking (step) | stopped 3 (gate rollback done) | writing 0
 *   verifying --live = before, after re-reads--> writing (bounded retry) | stopped 1
 *   verifying --live = anything else, after re-reads--> stopped 1 (someone else changed the weights)
 *   verifying --reads keep failing--> stopped 1, share unverified (both candidates journaled)
 *   baking --verdict--> baking (wait, tick, evaluate) | prechecking (step passed)
 *                     | writing (gate rollback, no read first) | stopped 4 (inconclusive, longest bake over)
 *   prechecking --live = verified--> writing (next step) | stopped 0 (after the last step)
 *   prechecking --live changed, after re-reads--> stopped 1 (nothing written)
 *   rollback-requested: baking -> checking-rollback (read); prechecking -> checking-rollback (the read
 *     in flight answers); writing | verifying -> remembered until the write is verified, then 0 is
 *     written unless the read showed 0
 *   checking-rollback --live 0--> stopped 3, nothing written | --else or unreadable--> writing 0
 *   interrupted: prechecking | baking -> stopped 4 at the verified share; writing | verifying (step)
 *     -> remembered until the write is read back, then stopped 4 at what was read; rollbacks finish
 *
 * Journal entries <-> events (see `eventsFromJournal`; intent and informational notes map to none)
 *   shift-started (note)                   <-> started
 *   write-weights (result, ok)             <-> weights-written
 *   write-weights (result, not ok)         <-> api-error {op: 'write'}
 *   read-back (verify, live = expected)    <-> weights-verified {share: live}
 *   read-back (verify, live ≠ expected)    <-> verify-mismatch {expected, actual: live}
 *   read-back (verify, live null)          <-> api-error {op: 'read'}
 *   gate-verdict (note)                    <-> gate-verdict
 *   gate-error (note)                      <-> api-error {op: 'gates'}
 *   interrupted (note)                     <-> interrupted
 *   rollback-requested (note)              <-> rollback-requested
 *   write-weights (intent), step-passed, rolling-back, stopped -> no event (consequences)
 *   tick is not journaled: replay rebuilds everything except whether a wait or an evaluation was
 *   outstanding in a bake (and `now`), which `resume` does not need.
 */
import {ExitCode, type ExitCodeValue, usageError} from './errors.ts';
import type {CutoverPlan} from './schedule.ts';

// ---------------------------------------------------------------------------------------------
// Shares

/** shares carry at most two decimals; compare them with this tolerance */
const EPSILON = 0.005;
export const sameShare = (a: number, b: number): boolean => Math.abs(a - b) < EPSILON;
/** 0..100 with at most two decimals */
export const isShare = (x: number): boolean => Number.isFinite(x) && x >= 0 && x <= 100 && Math.abs(Math.round(x * 100) - x * 100) < 1e-6;
const pct = (share: number): string => `${share}%`;

const SHARE_HINT = 'Give a whole percentage from 0 to 100: 25% or 25.';

/** `25%`, `25`, `0.5%` -> 25, 25, 0.5. Throws MigrateError('usage') with a hint otherwise. */
export function parseShare(text: string, flag = '--to'): number {
  // whole percents: a 1% step is the finest split worth gating (docs/facts.md, "Gates"), and what the edge writes
  const match = /^(\d{1,3})\s*%?$/.exec(text.trim());
  if (!match?.[1]) throw usageError(`${flag} must be a whole percentage such as 25% or 25, not "${text}".`, SHARE_HINT);
  const share = Number(match[1]);
  if (share > 100) throw usageError(`${flag} must be at most 100%, not ${text.trim()}.`, SHARE_HINT);
  return share;
}

/** `--steps 1,5,25%` -> [1, 5, 25]: shares, strictly increasing. */
export function parseSteps(text: string, flag = '--steps'): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw usageError(`${flag} must be a comma-separated list such as 1,5,25 (got "${text}").`, SHARE_HINT);
  const shares = parts.map((part) => parseShare(part, flag));
  shares.forEach((share, i) => {
    const before = shares[i - 1];
    if (before !== undefined && share <= before) {
      throw usageError(`${flag} must increase step by step (${pct(before)} is followed by ${pct(share)}).`, 'List the AWS shares in increasing order, e.g. --steps 1,5,25,50.');
    }
  });
  return shares;
}

/**
 * The shares a shift writes, in order: the schedule cut at the target, which is always the last.
 * Up: 0 -> 25 over [1,5,10,25,50,75,100] = [1,5,10,25]. Down walks the same schedule backwards,
 * 50 -> 0 = [25,10,5,1,0], so traffic returns to Heroku in steps it can absorb (a fast way down
 * is `migrate rollback`). Equal shares -> [].
 */
export function stepsToward(current: number, target: number, schedule: readonly number[]): number[] {
  if (sameShare(current, target)) return [];
  const up = target > current;
  const strictlyBetween = (w: number) => !sameShare(w, current) && !sameShare(w, target) && (up ? w > current && w < target : w < current && w > target);
  const between = [...new Set(schedule.filter(strictlyBetween))].sort((a, b) => (up ? a - b : b - a));
  return [...between, target];
}

export interface ShiftStepOptions {
  /** custom schedule (`--steps`) instead of the plan's */
  steps?: readonly number[];
  /** `--bake` for every up step */
  bakeMs?: number;
  /** `--min-requests` for every up step */
  minRequests?: number;
  /** bake of each down step (gates only report on the way down); default 0 */
  downBakeMs?: number;
}

/**
 * The `started` event's steps from the plan: an up step takes the bake and request minimum of
 * the first plan step at or above its share; a down step bakes `downBakeMs` and needs no requests.
 */
export function shiftSteps(current: number, target: number, plan: Pick<CutoverPlan, 'steps'>, options: ShiftStepOptions = {}): ShiftStep[] {
  const weights = stepsToward(current, target, options.steps ?? plan.steps.map((s) => s.weight));
  if (target < current) return weights.map((weight) => ({weight, bakeMs: options.downBakeMs ?? 0, minRequests: 0}));
  return weights.map((weight) => {
    const planned = plan.steps.find((s) => s.weight >= weight - EPSILON) ?? plan.steps.at(-1);
    return {
      weight,
      bakeMs: options.bakeMs ?? (planned?.bakeSeconds ?? 0) * 1000,
      minRequests: options.minRequests ?? planned?.minRequests ?? 0,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Types

export interface ShiftStep {
  /** AWS share in percent */
  weight: number;
  bakeMs: number;
  minRequests: number;
}
export type OnFail = 'last-passed' | 'zero';
export type Verdict = 'pass' | 'fail' | 'inconclusive';
export type Direction = 'up' | 'down';
/** step: a scheduled share; rollback: after a gate failed; abort: to 0 because a rollback was requested */
export type WritePurpose = 'step' | 'rollback' | 'abort';

export interface StartedEvent {
  type: 'started';
  at: number;
  /** the live AWS share, read by the workflow just before */
  liveShare: number;
  target: number;
  steps: ShiftStep[];
  pollMs: number;
  /** the bake may last at most this factor × the step's bake time before an inconclusive step pauses (>= 1) */
  maxBakeExtension: number;
  /** this many fail verdicts in a row roll back (>= 1) */
  consecutiveFailureLimit: number;
  onFail: OnFail;
}

export type CutoverEvent =
  | StartedEvent
  | {type: 'weights-written'; at: number; share: number}
  | {type: 'weights-verified'; at: number; share: number}
  | {type: 'verify-mismatch'; at: number; expected: number; actual: number}
  /** one poll: fail = an alarm in ALARM or the AWS pool unhealthy; requests = AWS requests so far in the step */
  | {type: 'gate-verdict'; at: number; verdict: Verdict; requests: number; reasons: string[]}
  | {type: 'tick'; at: number}
  | {type: 'interrupted'; at: number}
  | {type: 'rollback-requested'; at: number; by?: string}
  | {type: 'api-error'; at: number; op: 'write' | 'read' | 'gates'; message: string; retriable: boolean};

export type CutoverCommand =
  /** one write that sets both pool weights; purpose lets the adapter also disable the AWS pool on rollbacks */
  | {type: 'write-weights'; share: number; purpose: WritePurpose}
  | {type: 'read-back'; expected: number}
  | {type: 'evaluate-gates'; share: number; stepStartedAt: number}
  | {type: 'journal'; entry: CutoverJournalEntry}
  | {type: 'wait'; ms: number}
  /** share: the live AWS share as last verified, null when a write could not be verified */
  | {type: 'stop'; exitCode: ExitCodeValue; reason: string; share: number | null};

export type CutoverJournalEntry =
  | {op: 'shift-started'; phase: 'note'; at: number; liveShare: number; target: number; direction: Direction; steps: ShiftStep[]; pollMs: number; maxBakeExtension: number; consecutiveFailureLimit: number; onFail: OnFail}
  | {op: 'write-weights'; phase: 'intent'; at: number; id: string; share: number; from: number; purpose: WritePurpose; attempt: number}
  | {op: 'write-weights'; phase: 'result'; at: number; id: string; share: number; ok: true}
  | {op: 'write-weights'; phase: 'result'; at: number; id: string; share: number; ok: false; landed: 'unknown'; message: string; retriable: boolean}
  | {op: 'read-back'; phase: 'verify'; at: number; id: string | null; expected: number; live: number; ok: boolean}
  | {op: 'read-back'; phase: 'verify'; at: number; id: string | null; expected: number; live: null; ok: false; message: string; retriable: boolean}
  | {op: 'gate-verdict'; phase: 'note'; at: number; share: number; verdict: Verdict; requests: number; reasons: string[]}
  | {op: 'gate-error'; phase: 'note'; at: number; share: number; message: string; retriable: boolean}
  | {op: 'interrupted'; phase: 'note'; at: number; share: number; inFlight: number | null}
  | {op: 'rollback-requested'; phase: 'note'; at: number; share: number; by: string | null}
  | {op: 'step-passed'; phase: 'note'; at: number; share: number; requests: number; bakedMs: number}
  | {op: 'rolling-back'; phase: 'note'; at: number; from: number; to: number; reasons: string[]}
  | {op: 'stopped'; phase: 'note'; at: number; exitCode: ExitCodeValue; reason: string; share: number | null};

export interface PendingWrite {
  /** groups the intent, result and verify entries of this write */
  id: string;
  share: number;
  /** the live share before the write (normally the verified share) */
  from: number;
  purpose: WritePurpose;
  attempt: number;
}

export type CutoverPhase =
  | {kind: 'idle'}
  /** read-back before a later step's write: is the live share still the verified one? */
  | {kind: 'prechecking'; reads: number}
  | {kind: 'writing'; write: PendingWrite}
  /** accepted: the write answered OK (false: it answered an error, so it may or may not have landed) */
  | {kind: 'verifying'; write: PendingWrite; accepted: boolean; error: {message: string; retriable: boolean} | null; reads: number}
  | {kind: 'baking'; startedAt: number; awaiting: 'tick' | 'gates'; consecutiveFailures: number; requests: number}
  /** rollback requested: read first, so a 0 written by another process is not overwritten */
  | {kind: 'checking-rollback'}
  | {kind: 'stopped'; exitCode: ExitCodeValue; reason: string};

export interface VerdictRecord {
  at: number;
  verdict: Verdict | 'error';
  requests: number;
  reasons: string[];
}

export interface StepRecord {
  share: number;
  verifiedAt: number;
  verdicts: VerdictRecord[];
  outcome: 'baking' | 'passed' | 'failed' | 'paused' | 'interrupted' | 'abandoned' | 'error';
}

export interface ShiftConfig {
  startShare: number;
  target: number;
  direction: Direction;
  steps: ShiftStep[];
  pollMs: number;
  maxBakeExtension: number;
  consecutiveFailureLimit: number;
  onFail: OnFail;
}

export interface CutoverState {
  phase: CutoverPhase;
  /** null only while idle */
  config: ShiftConfig | null;
  /** the last share read back from the live load balancer */
  verifiedShare: number;
  /** the last share whose bake passed, or the share the shift started from */
  passedShare: number;
  /** index in config.steps of the step being written, baked or about to be written (steps.length once the last passed) */
  stepIndex: number;
  rollbackRequested: boolean;
  interruptRequested: boolean;
  rollback: {cause: 'gate' | 'requested'; from: number; to: number; reasons: string[]} | null;
  /** writes issued so far (ids w1, w2, ...) */
  writes: number;
  history: StepRecord[];
  /** time of the last event */
  now: number;
}

export interface Transition {
  state: CutoverState;
  commands: CutoverCommand[];
}

/** first read + re-reads of one expectation; attempts of one write */
export const LIMITS = {reads: 3, writeAttempts: 3} as const;

// ---------------------------------------------------------------------------------------------
// The machine

export function initialState(): CutoverState {
  return {
    phase: {kind: 'idle'},
    config: null,
    verifiedShare: 0,
    passedShare: 0,
    stepIndex: 0,
    rollbackRequested: false,
    interruptRequested: false,
    rollback: null,
    writes: 0,
    history: [],
    now: 0,
  };
}

export function next(state: CutoverState, event: CutoverEvent): Transition {
  if (state.phase.kind === 'stopped') return ignore(state);
  const s: CutoverState = {...state, now: event.at};
  switch (event.type) {
    case 'started':
      return onStarted(s, event);
    case 'weights-written':
      return onWritten(s, event.share, event.at);
    case 'weights-verified':
      return onRead(s, event.share, event.at);
    case 'verify-mismatch':
      return onRead(s, event.actual, event.at);
    case 'gate-verdict':
      return onVerdict(s, event.verdict, event.requests, event.reasons, event.at);
    case 'tick':
      return onTick(s);
    case 'interrupted':
      return onInterrupted(s, event.at);
    case 'rollback-requested':
      return onRollbackRequested(s, event.by ?? null, event.at);
    case 'api-error':
      return onApiError(s, event);
    default:
      return assertNever(event);
  }
}

/** Folds events into a state: rebuilds the machine from a journal (see `eventsFromJournal`). */
export function replay(events: readonly CutoverEvent[], from: CutoverState = initialState()): CutoverState {
  return events.reduce((state, event) => next(state, event).state, from);
}

/**
 * After a crash: the commands that continue a replayed state. A write whose result was never
 * journaled is treated as an error of unknown outcome (read back first); a pending read is
 * re-issued; a bake continues from its original start with a gate evaluation now.
 */
export function resume(state: CutoverState, at: number): Transition {
  const phase = state.phase;
  switch (phase.kind) {
    case 'idle':
    case 'stopped':
      return ignore(state);
    case 'writing':
      return next(state, {type: 'api-error', op: 'write', at, retriable: true, message: 'the previous run ended before the result of this write was recorded'});
    case 'prechecking':
      return {state, commands: [readBack(state.verifiedShare)]};
    case 'verifying':
      return {state, commands: [readBack(phase.write.share)]};
    case 'checking-rollback':
      return {state, commands: [readBack(0)]};
    case 'baking':
      return {state: {...state, phase: {...phase, awaiting: 'gates'}}, commands: [evaluateGates(state, phase.startedAt)]};
    default:
      return assertNever(phase);
  }
}

// --- started --------------------------------------------------------------------------------

function onStarted(s: CutoverState, e: StartedEvent): Transition {
  if (s.phase.kind !== 'idle') return ignore(s);
  const config: ShiftConfig = {
    startShare: e.liveShare,
    target: e.target,
    direction: e.target < e.liveShare ? 'down' : 'up',
    steps: e.steps,
    pollMs: e.pollMs,
    maxBakeExtension: e.maxBakeExtension,
    consecutiveFailureLimit: e.consecutiveFailureLimit,
    onFail: e.onFail,
  };
  const started: CutoverState = {...s, config, verifiedShare: e.liveShare, passedShare: e.liveShare, stepIndex: 0};
  const at = e.at;
  const {liveShare, target, steps, pollMs, maxBakeExtension, consecutiveFailureLimit, onFail} = e;
  const entry = journal({op: 'shift-started', phase: 'note', at, liveShare, target, direction: config.direction, steps, pollMs, maxBakeExtension, consecutiveFailureLimit, onFail});
  const problem = configProblem(config);
  if (problem) return prepend([entry], stop(started, ExitCode.usage, `Cannot start the shift: ${problem}.`, at));
  if (sameShare(config.startShare, config.target)) {
    return prepend([entry], stop(started, ExitCode.ok, `The AWS share is already ${pct(config.target)}: nothing to shift.`, at));
  }
  return prepend([entry], startWrite(started, currentStep(started).weight, 'step', at));
}

function configProblem(c: ShiftConfig): string | null {
  if (!isShare(c.startShare)) return `the live AWS share ${c.startShare} is not a share from 0 to 100`;
  if (!isShare(c.target)) return `the target ${c.target} is not a share from 0 to 100`;
  if (!(Number.isFinite(c.pollMs) && c.pollMs > 0)) return `the poll interval must be positive (got ${c.pollMs} ms)`;
  if (!(Number.isFinite(c.maxBakeExtension) && c.maxBakeExtension >= 1)) return `the bake extension factor must be at least 1 (got ${c.maxBakeExtension})`;
  if (!(Number.isInteger(c.consecutiveFailureLimit) && c.consecutiveFailureLimit >= 1)) return `the consecutive-failure limit must be a whole number >= 1 (got ${c.consecutiveFailureLimit})`;
  if (c.onFail !== 'last-passed' && c.onFail !== 'zero') return `on-fail must be last-passed or zero (got ${String(c.onFail)})`;
  if (sameShare(c.startShare, c.target)) return null;
  if (c.steps.length === 0) return `no steps lead from ${pct(c.startShare)} to ${pct(c.target)}`;
  let previous = c.startShare;
  for (const step of c.steps) {
    if (!isShare(step.weight)) return `the step ${step.weight} is not a share from 0 to 100`;
    const forward = c.direction === 'up' ? step.weight > previous : step.weight < previous;
    if (!forward || sameShare(step.weight, previous)) return `the steps must move from ${pct(c.startShare)} toward ${pct(c.target)} one way (${pct(previous)} is followed by ${pct(step.weight)})`;
    if (!(Number.isFinite(step.bakeMs) && step.bakeMs >= 0)) return `the bake of the ${pct(step.weight)} step must be >= 0 ms`;
    if (!(Number.isInteger(step.minRequests) && step.minRequests >= 0)) return `the request minimum of the ${pct(step.weight)} step must be a whole number >= 0`;
    previous = step.weight;
  }
  if (!sameShare(previous, c.target)) return `the last step is ${pct(previous)}, not the target ${pct(c.target)}`;
  return null;
}

// --- writes ---------------------------------------------------------------------------------

function startWrite(s: CutoverState, share: number, purpose: WritePurpose, at: number, options: {from?: number; attempt?: number} = {}): Transition {
  const write: PendingWrite = {id: `w${s.writes + 1}`, share, from: options.from ?? s.verifiedShare, purpose, attempt: options.attempt ?? 1};
  return {
    state: {...s, writes: s.writes + 1, phase: {kind: 'writing', write}},
    commands: [journal({op: 'write-weights', phase: 'intent', at, ...write}), {type: 'write-weights', share, purpose}],
  };
}

function onWritten(s: CutoverState, share: number, at: number): Transition {
  if (s.phase.kind !== 'writing' || !sameShare(s.phase.write.share, share)) return ignore(s);
  const write = s.phase.write;
  return {
    state: {...s, phase: {kind: 'verifying', write, accepted: true, error: null, reads: 1}},
    commands: [journal({op: 'write-weights', phase: 'result', at, id: write.id, share: write.share, ok: true}), readBack(write.share)],
  };
}

/** The write answered an error: it may or may not have landed, so read back before anything else. */
function onWriteError(s: CutoverState, message: string, retriable: boolean, at: number): Transition {
  if (s.phase.kind !== 'writing') return ignore(s);
  const write = s.phase.write;
  return {
    state: {...s, phase: {kind: 'verifying', write, accepted: false, error: {message, retriable}, reads: 1}},
    commands: [
      journal({op: 'write-weights', phase: 'result', at, id: write.id, share: write.share, ok: false, landed: 'unknown', message, retriable}),
      readBack(write.share),
    ],
  };
}

// --- reads ----------------------------------------------------------------------------------

function onRead(s: CutoverState, live: number, at: number): Transition {
  const phase = s.phase;
  switch (phase.kind) {
    case 'prechecking':
      return prepend([readEntry(at, null, s.verifiedShare, live)], afterPrecheck(s, phase, live, at));
    case 'verifying':
      return prepend([readEntry(at, phase.write.id, phase.write.share, live)], afterVerify(s, phase, live, at));
    case 'checking-rollback':
      return prepend([readEntry(at, null, 0, live)], afterRollbackCheck(s, live, at));
    default:
      return ignore(s);
  }
}

function afterPrecheck(s: CutoverState, phase: {kind: 'prechecking'; reads: number}, live: number, at: number): Transition {
  const c = cfg(s);
  const nextStep = c.steps[s.stepIndex];
  if (sameShare(live, s.verifiedShare)) {
    if (nextStep) return startWrite(s, nextStep.weight, 'step', at);
    const reason = c.direction === 'up' ? `Reached ${pct(live)} on AWS (verified): every step passed its gates.` : `Shifted down to ${pct(live)} on AWS (verified).`;
    return stop(s, ExitCode.ok, reason, at);
  }
  if (phase.reads < LIMITS.reads) return reread(s, {...phase, reads: phase.reads + 1}, s.verifiedShare);
  const intent = nextStep ? `was about to write ${pct(nextStep.weight)}` : `had finished at ${pct(s.verifiedShare)}`;
  const reason = `${changedElsewhere(live)}: this shift left it at ${pct(s.verifiedShare)} and ${intent}. Nothing was written. ${ADOPT_HINT}`;
  return stop({...s, verifiedShare: live}, ExitCode.error, reason, at);
}

type Verifying = Extract<CutoverPhase, {kind: 'verifying'}>;

function afterVerify(s: CutoverState, phase: Verifying, live: number, at: number): Transition {
  const write = phase.write;
  if (sameShare(live, write.share)) return landed({...s, verifiedShare: live}, write, at);
  if (s.rollbackRequested && sameShare(live, 0)) return alreadyRolledBack({...s, verifiedShare: 0}, at);
  if (phase.reads < LIMITS.reads) return reread(s, {...phase, reads: phase.reads + 1}, write.share);
  if (write.purpose === 'abort' || sameShare(live, write.from)) return notLanded({...s, verifiedShare: live}, phase, at);
  return changedByOthers({...s, verifiedShare: live}, write, live, at);
}

function afterRollbackCheck(s: CutoverState, live: number, at: number): Transition {
  if (sameShare(live, 0)) return alreadyRolledBack({...s, verifiedShare: 0}, at);
  return startWrite({...s, verifiedShare: live}, 0, 'abort', at, {from: live});
}

function onReadError(s: CutoverState, message: string, retriable: boolean, at: number): Transition {
  const phase = s.phase;
  const entry = (expected: number, id: string | null) => journal({op: 'read-back', phase: 'verify', at, id, expected, live: null, ok: false, message, retriable});
  switch (phase.kind) {
    case 'prechecking': {
      if (retriable && phase.reads < LIMITS.reads) return prepend([entry(s.verifiedShare, null)], reread(s, {...phase, reads: phase.reads + 1}, s.verifiedShare));
      const reason = `Could not read the load balancer before the next step (${message}). Nothing was written; the AWS share was ${pct(s.verifiedShare)} at the last read.`;
      return prepend([entry(s.verifiedShare, null)], stop(s, ExitCode.error, reason, at));
    }
    case 'verifying': {
      const write = phase.write;
      if (retriable && phase.reads < LIMITS.reads) return prepend([entry(write.share, write.id)], reread(s, {...phase, reads: phase.reads + 1}, write.share));
      return prepend([entry(write.share, write.id)], unverifiable(s, phase, message, at));
    }
    case 'checking-rollback':
      // writing 0 is safe whatever the live share is: do not let a failing read delay the rollback
      return prepend([entry(0, null)], startWrite(s, 0, 'abort', at));
    default:
      return ignore(s);
  }
}

function reread<P extends CutoverPhase>(s: CutoverState, phase: P, expected: number): Transition {
  return {state: {...s, phase}, commands: [readBack(expected)]};
}

// --- outcomes of a write --------------------------------------------------------------------

function landed(s: CutoverState, write: PendingWrite, at: number): Transition {
  switch (write.purpose) {
    case 'step':
      if (s.rollbackRequested) return rollbackFromVerified(s, at);
      if (s.interruptRequested) {
        return stop(s, ExitCode.paused, `Interrupted: the AWS share is ${pct(write.share)} (verified; this step has not baked). Resume with migrate shift.`, at);
      }
      return startBake(s, at);
    case 'rollback': {
      if (s.rollbackRequested && !sameShare(write.share, 0)) return startWrite(s, 0, 'abort', at);
      const rollback = s.rollback;
      const why = rollback ? `at ${pct(rollback.from)}: ${rollback.reasons.join('; ') || 'a check failed'}` : '';
      return stop(s, ExitCode.halted, `Halted by a gate ${why}. Rolled back to ${pct(write.share)} (verified).`, at);
    }
    case 'abort':
      return stop(s, ExitCode.halted, 'Rolled back to 0% on request (verified).', at);
    default:
      return assertNever(write.purpose);
  }
}

/** The live share is still the one before the write (s.verifiedShare): retry a bounded number of times. */
function notLanded(s: CutoverState, phase: Verifying, at: number): Transition {
  const write = phase.write;
  if (s.rollbackRequested && write.purpose !== 'abort') return rollbackFromVerified(s, at);
  if (s.interruptRequested && write.purpose === 'step') {
    return stop(s, ExitCode.paused, `Interrupted: the write of ${pct(write.share)} did not take effect; the AWS share stays at ${pct(s.verifiedShare)} (verified). Resume with migrate shift.`, at);
  }
  const retriable = phase.accepted || (phase.error?.retriable ?? false);
  if (retriable && write.attempt < LIMITS.writeAttempts) return startWrite(s, write.share, write.purpose, at, {attempt: write.attempt + 1});
  const cause = phase.error?.message ?? `the load balancer accepted the write but still shows ${pct(s.verifiedShare)}`;
  const attempts = `${write.attempt} attempt${write.attempt === 1 ? '' : 's'}`;
  const reason = {
    step: `Could not set the AWS share to ${pct(write.share)} after ${attempts} (${cause}). The AWS share stays at ${pct(s.verifiedShare)} (verified).`,
    rollback: `A gate failed and the rollback to ${pct(write.share)} could not be written after ${attempts} (${cause}). The AWS share is still ${pct(s.verifiedShare)}: run migrate rollback now.`,
    abort: `The rollback to 0% could not be written after ${attempts} (${cause}). The AWS share is still ${pct(s.verifiedShare)}: run migrate rollback again.`,
  }[write.purpose];
  return stop(s, ExitCode.error, reason, at);
}

/** The live share is neither the one before the write nor the one written. */
function changedByOthers(s: CutoverState, write: PendingWrite, live: number, at: number): Transition {
  if (s.rollbackRequested) return startWrite(s, 0, 'abort', at, {from: live});
  const reason = `${changedElsewhere(live)}: this shift had it at ${pct(write.from)} and wrote ${pct(write.share)}. Nothing more was written. ${ADOPT_HINT}`;
  return stop(s, ExitCode.error, reason, at);
}

/**
 * Reads kept failing after a write: the live share is the one before or the one written. Nothing
 * more is written over an unknown share (a blind rollback would make three shares possible), except
 * that a rollback to 0 is retried, since its only outcomes are the share before it and 0.
 */
function unverifiable(s: CutoverState, phase: Verifying, message: string, at: number): Transition {
  const write = phase.write;
  if (write.purpose === 'abort' && write.attempt < LIMITS.writeAttempts) return startWrite(s, 0, 'abort', at, {from: write.from, attempt: write.attempt + 1});
  const what = phase.accepted ? 'was accepted' : 'answered an error';
  const advice = write.purpose === 'step' && !s.rollbackRequested ? 'check migrate status' : 'run migrate rollback again once the Cloudflare API answers';
  const reason = `The write of ${pct(write.share)} ${what}, but the load balancer could not be read back (${message}): the AWS share is ${pct(write.from)} or ${pct(write.share)}, unverified. Nothing more was written; ${advice}.`;
  return stop(s, ExitCode.error, reason, at, null);
}

const ADOPT_HINT = 'Check migrate status, then re-run migrate shift with --adopt to continue from the live weights.';
const changedElsewhere = (live: number) => `Someone else changed the load balancer: the live AWS share is ${pct(live)}`;

// --- rollback requested ---------------------------------------------------------------------

function onRollbackRequested(s: CutoverState, by: string | null, at: number): Transition {
  if (s.phase.kind === 'idle' || s.phase.kind === 'stopped' || s.rollbackRequested) return ignore(s);
  const entry = journal({op: 'rollback-requested', phase: 'note', at, share: s.verifiedShare, by});
  const requested: CutoverState = {
    ...s,
    rollbackRequested: true,
    rollback: {cause: 'requested', from: s.verifiedShare, to: 0, reasons: [by ? `requested by ${by}` : 'requested']},
  };
  switch (s.phase.kind) {
    case 'prechecking': // the read in flight answers the question
      return {state: {...requested, phase: {kind: 'checking-rollback'}}, commands: [entry]};
    case 'baking':
      return {state: {...closeStep(requested, 'abandoned'), phase: {kind: 'checking-rollback'}}, commands: [entry, readBack(0)]};
    case 'writing':
    case 'verifying': // a write cannot be recalled: learn its outcome first
    case 'checking-rollback':
      return {state: requested, commands: [entry]};
    default:
      return assertNever(s.phase);
  }
}

/** Roll back to 0 from a freshly verified share, unless it is already 0. */
function rollbackFromVerified(s: CutoverState, at: number): Transition {
  if (sameShare(s.verifiedShare, 0)) return stop(s, ExitCode.halted, 'Rollback requested: the AWS share is 0% (verified). Nothing more was written.', at);
  return startWrite(s, 0, 'abort', at);
}

function alreadyRolledBack(s: CutoverState, at: number): Transition {
  return stop(s, ExitCode.halted, 'Rolled back by another process: the AWS share is already 0% (verified). Nothing was written over it.', at);
}

// --- interrupted ----------------------------------------------------------------------------

function onInterrupted(s: CutoverState, at: number): Transition {
  if (s.phase.kind === 'idle' || s.phase.kind === 'stopped' || s.interruptRequested) return ignore(s);
  const inFlight = s.phase.kind === 'writing' || s.phase.kind === 'verifying' ? s.phase.write.share : null;
  const entry = journal({op: 'interrupted', phase: 'note', at, share: s.verifiedShare, inFlight});
  const interrupted: CutoverState = {...s, interruptRequested: true};
  const resumable = `the AWS share stays at ${pct(s.verifiedShare)} (verified). Resume with migrate shift.`;
  switch (s.phase.kind) {
    case 'prechecking':
      return prepend([entry], stop(interrupted, ExitCode.paused, `Interrupted before the next step: ${resumable}`, at));
    case 'baking':
      return prepend([entry], stop(closeStep(interrupted, 'interrupted'), ExitCode.paused, `Interrupted during the bake (the step did not pass): ${resumable}`, at));
    case 'writing':
    case 'verifying': // learn and journal what is live first; rollbacks are finished, never abandoned
    case 'checking-rollback':
      return {state: interrupted, commands: [entry]};
    default:
      return assertNever(s.phase);
  }
}

// --- bake -----------------------------------------------------------------------------------

type Baking = Extract<CutoverPhase, {kind: 'baking'}>;

function startBake(s: CutoverState, at: number): Transition {
  const record: StepRecord = {share: s.verifiedShare, verifiedAt: at, verdicts: [], outcome: 'baking'};
  return {
    state: {...s, history: [...s.history, record], phase: {kind: 'baking', startedAt: at, awaiting: 'gates', consecutiveFailures: 0, requests: 0}},
    commands: [evaluateGates(s, at)],
  };
}

function onTick(s: CutoverState): Transition {
  if (s.phase.kind !== 'baking' || s.phase.awaiting !== 'tick') return ignore(s);
  return {state: {...s, phase: {...s.phase, awaiting: 'gates'}}, commands: [evaluateGates(s, s.phase.startedAt)]};
}

function onVerdict(s: CutoverState, verdict: Verdict, requests: number, reasons: string[], at: number): Transition {
  if (s.phase.kind !== 'baking') return ignore(s);
  const entry = journal({op: 'gate-verdict', phase: 'note', at, share: s.verifiedShare, verdict, requests, reasons});
  const failures = verdict === 'fail' ? s.phase.consecutiveFailures + 1 : verdict === 'pass' ? 0 : s.phase.consecutiveFailures;
  const baking: Baking = {...s.phase, consecutiveFailures: failures, requests};
  const recorded = addVerdict({...s, phase: baking}, {at, verdict, requests, reasons});
  return prepend([entry], act(recorded, baking, decide(cfg(s), currentStep(s), baking, verdict, at), at));
}

function onGateError(s: CutoverState, message: string, retriable: boolean, at: number): Transition {
  if (s.phase.kind !== 'baking') return ignore(s);
  const entry = journal({op: 'gate-error', phase: 'note', at, share: s.verifiedShare, message, retriable});
  const baking = s.phase;
  const recorded = addVerdict(s, {at, verdict: 'error', requests: baking.requests, reasons: [message]});
  if (!retriable && cfg(s).direction === 'up') {
    const reason = `Could not evaluate the gates (${message}). Stopped at ${pct(s.verifiedShare)} (verified; this step did not pass).`;
    return prepend([entry], stop(closeStep(recorded, 'error'), ExitCode.error, reason, at));
  }
  // no evidence this poll: neither a pass nor a fail
  return prepend([entry], act(recorded, baking, decide(cfg(s), currentStep(s), baking, 'inconclusive', at), at));
}

type Decision = {kind: 'promote'} | {kind: 'rollback'} | {kind: 'wait'} | {kind: 'pause'};

/**
 * Up: a fail verdict that reaches the consecutive-failure limit rolls back; a pass promotes once
 * the bake time has elapsed and the request minimum is met; anything else bakes on until the
 * longest bake (bake × maxBakeExtension), then pauses. Down: gates only report; promote when baked.
 */
function decide(c: ShiftConfig, step: ShiftStep, baking: Baking, verdict: Verdict, at: number): Decision {
  const elapsed = at - baking.startedAt;
  if (c.direction === 'down') return elapsed >= step.bakeMs ? {kind: 'promote'} : {kind: 'wait'};
  if (verdict === 'fail' && baking.consecutiveFailures >= c.consecutiveFailureLimit) return {kind: 'rollback'};
  if (verdict === 'pass' && elapsed >= step.bakeMs && baking.requests >= step.minRequests) return {kind: 'promote'};
  if (elapsed >= step.bakeMs * c.maxBakeExtension) return {kind: 'pause'};
  return {kind: 'wait'};
}

function act(s: CutoverState, baking: Baking, decision: Decision, at: number): Transition {
  switch (decision.kind) {
    case 'promote':
      return promote(s, baking, at);
    case 'rollback':
      return gateRollback(s, at);
    case 'wait':
      return {state: {...s, phase: {...baking, awaiting: 'tick'}}, commands: [{type: 'wait', ms: pollDelay(cfg(s), currentStep(s), baking.startedAt, at)}]};
    case 'pause':
      return stop(closeStep(s, 'paused'), ExitCode.paused, pauseReason(s, baking, at), at);
    default:
      return assertNever(decision);
  }
}

/** Poll every pollMs, but also exactly when the bake and the longest bake end. */
function pollDelay(c: ShiftConfig, step: ShiftStep, startedAt: number, at: number): number {
  const ends = c.direction === 'up' ? [step.bakeMs, step.bakeMs * c.maxBakeExtension] : [step.bakeMs];
  const upcoming = ends.map((ms) => startedAt + ms).filter((end) => end > at);
  return Math.max(1, Math.ceil(Math.min(at + c.pollMs, ...upcoming) - at));
}

function promote(s: CutoverState, baking: Baking, at: number): Transition {
  const share = currentStep(s).weight;
  const entry = journal({op: 'step-passed', phase: 'note', at, share, requests: baking.requests, bakedMs: at - baking.startedAt});
  const passed: CutoverState = {...closeStep(s, 'passed'), passedShare: share, stepIndex: s.stepIndex + 1, phase: {kind: 'prechecking', reads: 1}};
  // before the next step (or the final report): read back that nobody changed the weights meanwhile
  return {state: passed, commands: [entry, readBack(s.verifiedShare)]};
}

/** Fail: straight to the rollback write; nothing else happens until it is verified. */
function gateRollback(s: CutoverState, at: number): Transition {
  const to = cfg(s).onFail === 'zero' ? 0 : s.passedShare;
  const reasons = s.history.at(-1)?.verdicts.at(-1)?.reasons ?? [];
  const entry = journal({op: 'rolling-back', phase: 'note', at, from: s.verifiedShare, to, reasons});
  const failing: CutoverState = {...closeStep(s, 'failed'), rollback: {cause: 'gate', from: s.verifiedShare, to, reasons}};
  return prepend([entry], startWrite(failing, to, 'rollback', at));
}

function pauseReason(s: CutoverState, baking: Baking, at: number): string {
  const step = currentStep(s);
  const last = s.history.at(-1)?.verdicts.at(-1);
  const evidence = `${baking.requests} of ${step.minRequests} requests in ${formatDuration(at - baking.startedAt)}`;
  const lastPoll = last && last.verdict !== 'pass' ? `; last gate poll: ${last.verdict}${last.reasons.length ? ` (${last.reasons.join('; ')})` : ''}` : '';
  return `Paused at ${pct(s.verifiedShare)} (verified): the step did not pass within the longest bake (${evidence}${lastPoll}). Not promoted on missing evidence and not rolled back. Resume with migrate shift, or run migrate rollback.`;
}

// --- api errors -----------------------------------------------------------------------------

function onApiError(s: CutoverState, e: Extract<CutoverEvent, {type: 'api-error'}>): Transition {
  switch (e.op) {
    case 'write':
      return onWriteError(s, e.message, e.retriable, e.at);
    case 'read':
      return onReadError(s, e.message, e.retriable, e.at);
    case 'gates':
      return onGateError(s, e.message, e.retriable, e.at);
    default:
      return assertNever(e.op);
  }
}

// --- stop -----------------------------------------------------------------------------------

function stop(s: CutoverState, exitCode: ExitCodeValue, reason: string, at: number, share: number | null = s.verifiedShare): Transition {
  return {
    state: {...s, phase: {kind: 'stopped', exitCode, reason}},
    commands: [journal({op: 'stopped', phase: 'note', at, exitCode, reason, share}), {type: 'stop', exitCode, reason, share}],
  };
}

// --- small helpers --------------------------------------------------------------------------

const ignore = (state: CutoverState): Transition => ({state, commands: []});
const journal = (entry: CutoverJournalEntry): CutoverCommand => ({type: 'journal', entry});
const readBack = (expected: number): CutoverCommand => ({type: 'read-back', expected});
const evaluateGates = (s: CutoverState, stepStartedAt: number): CutoverCommand => ({type: 'evaluate-gates', share: s.verifiedShare, stepStartedAt});
const prepend = (commands: CutoverCommand[], t: Transition): Transition => ({state: t.state, commands: [...commands, ...t.commands]});

function readEntry(at: number, id: string | null, expected: number, live: number): CutoverCommand {
  return journal({op: 'read-back', phase: 'verify', at, id, expected, live, ok: sameShare(live, expected)});
}

function cfg(s: CutoverState): ShiftConfig {
  if (!s.config) throw new Error('cutover: no shift configuration outside the idle phase');
  return s.config;
}

function currentStep(s: CutoverState): ShiftStep {
  const step = cfg(s).steps[s.stepIndex];
  if (!step) throw new Error(`cutover: no step ${s.stepIndex}`);
  return step;
}

function addVerdict(s: CutoverState, verdict: VerdictRecord): CutoverState {
  const last = s.history.at(-1);
  if (!last || last.outcome !== 'baking') return s;
  return {...s, history: [...s.history.slice(0, -1), {...last, verdicts: [...last.verdicts, verdict]}]};
}

function closeStep(s: CutoverState, outcome: StepRecord['outcome']): CutoverState {
  const last = s.history.at(-1);
  if (!last || last.outcome !== 'baking') return s;
  return {...s, history: [...s.history.slice(0, -1), {...last, outcome}]};
}

function assertNever(value: never): never {
  throw new Error(`cutover: unexpected ${JSON.stringify(value)}`);
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

// ---------------------------------------------------------------------------------------------
// Journal -> events (for replay after a crash)

export function eventsFromJournal(entries: readonly CutoverJournalEntry[]): CutoverEvent[] {
  return entries.flatMap((entry): CutoverEvent[] => {
    const at = entry.at;
    switch (entry.op) {
      case 'shift-started': {
        const {liveShare, target, steps, pollMs, maxBakeExtension, consecutiveFailureLimit, onFail} = entry;
        return [{type: 'started', at, liveShare, target, steps, pollMs, maxBakeExtension, consecutiveFailureLimit, onFail}];
      }
      case 'write-weights':
        if (entry.phase === 'intent') return [];
        return entry.ok
          ? [{type: 'weights-written', at, share: entry.share}]
          : [{type: 'api-error', at, op: 'write', message: entry.message, retriable: entry.retriable}];
      case 'read-back':
        if (entry.live === null) return [{type: 'api-error', at, op: 'read', message: entry.message, retriable: entry.retriable}];
        return sameShare(entry.live, entry.expected)
          ? [{type: 'weights-verified', at, share: entry.live}]
          : [{type: 'verify-mismatch', at, expected: entry.expected, actual: entry.live}];
      case 'gate-verdict':
        return [{type: 'gate-verdict', at, verdict: entry.verdict, requests: entry.requests, reasons: entry.reasons}];
      case 'gate-error':
        return [{type: 'api-error', at, op: 'gates', message: entry.message, retriable: entry.retriable}];
      case 'interrupted':
        return [{type: 'interrupted', at}];
      case 'rollback-requested':
        return [entry.by === null ? {type: 'rollback-requested', at} : {type: 'rollback-requested', at, by: entry.by}];
      case 'step-passed':
      case 'rolling-back':
      case 'stopped':
        return [];
      default:
        return assertNever(entry);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Status

export interface CutoverStatus {
  phase: CutoverPhase['kind'];
  direction: Direction | null;
  startShare: number | null;
  target: number | null;
  /** the last share read back from the load balancer */
  liveShare: number;
  /** a write in flight or being verified */
  pendingShare: number | null;
  passedShare: number;
  step: {number: number; of: number; share: number} | null;
  bake: {
    elapsedMs: number;
    bakeMs: number;
    leftMs: number;
    /** time left before an inconclusive step pauses */
    extensionLeftMs: number;
    requests: number;
    minRequests: number;
    consecutiveFailures: number;
    failureLimit: number;
  } | null;
  rollback: CutoverState['rollback'];
  stopped: {exitCode: ExitCodeValue; reason: string} | null;
  history: StepRecord[];
  summary: string;
}

export function describeState(state: CutoverState, now: number = state.now): CutoverStatus {
  const c = state.config;
  const phase = state.phase;
  const step = c?.steps[state.stepIndex];
  const pendingShare = phase.kind === 'writing' || phase.kind === 'verifying' ? phase.write.share : null;
  const bake = phase.kind === 'baking' && c && step ? bakeStatus(c, step, phase, now) : null;
  const status: Omit<CutoverStatus, 'summary'> = {
    phase: phase.kind,
    direction: c?.direction ?? null,
    startShare: c?.startShare ?? null,
    target: c?.target ?? null,
    liveShare: state.verifiedShare,
    pendingShare,
    passedShare: state.passedShare,
    step: c && step ? {number: state.stepIndex + 1, of: c.steps.length, share: step.weight} : null,
    bake,
    rollback: state.rollback,
    stopped: phase.kind === 'stopped' ? {exitCode: phase.exitCode, reason: phase.reason} : null,
    history: state.history,
  };
  return {...status, summary: summarize(status, state)};
}

function bakeStatus(c: ShiftConfig, step: ShiftStep, baking: Baking, now: number): NonNullable<CutoverStatus['bake']> {
  const elapsedMs = Math.max(0, now - baking.startedAt);
  return {
    elapsedMs,
    bakeMs: step.bakeMs,
    leftMs: Math.max(0, step.bakeMs - elapsedMs),
    extensionLeftMs: Math.max(0, step.bakeMs * (c.direction === 'up' ? c.maxBakeExtension : 1) - elapsedMs),
    requests: baking.requests,
    minRequests: c.direction === 'up' ? step.minRequests : 0,
    consecutiveFailures: baking.consecutiveFailures,
    failureLimit: c.consecutiveFailureLimit,
  };
}

function summarize(status: Omit<CutoverStatus, 'summary'>, state: CutoverState): string {
  const where = status.step ? ` (step ${status.step.number} of ${status.step.of}, ${pct(status.step.share)})` : '';
  const verdicts = state.history.at(-1)?.verdicts ?? [];
  switch (status.phase) {
    case 'idle':
      return 'not started';
    case 'stopped':
      return `stopped (exit ${status.stopped?.exitCode}): ${status.stopped?.reason}`;
    case 'writing':
      return `writing ${pct(status.pendingShare ?? 0)}${where}; live ${pct(status.liveShare)}`;
    case 'verifying':
      return `verifying ${pct(status.pendingShare ?? 0)}${where}; last verified ${pct(status.liveShare)}`;
    case 'prechecking':
      return `checking the live weights before the next step${where}; live ${pct(status.liveShare)}`;
    case 'checking-rollback':
      return `rollback requested: reading the live weights (live ${pct(status.liveShare)})`;
    case 'baking': {
      const b = status.bake;
      if (!b) return `baking at ${pct(status.liveShare)}${where}`;
      const left = b.leftMs > 0 ? `${formatDuration(b.leftMs)} left` : `bake extended, ${formatDuration(b.extensionLeftMs)} left`;
      const last = verdicts.at(-1);
      return `baking at ${pct(status.liveShare)}${where}: ${left}, ${b.requests}/${b.minRequests} requests, ${b.consecutiveFailures}/${b.failureLimit} consecutive failures${last ? `, last verdict ${last.verdict}` : ''}`;
    }
    default:
      return assertNever(status.phase);
  }
}
