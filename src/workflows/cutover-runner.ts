/**
 * Runs the cutover state machine (domain/cutover.ts) against the live systems: executes its
 * commands through the ports, feeds the answers back as events, journals every entry before the
 * effect that follows it, and delivers interrupts and rollback requests as they arrive.
 *
 * Fail-safe rules (docs/fail-safe.md): every effect is raced against a deadline, never trusting
 * an adapter's own timeout; a gate evaluation or a wait is abandoned as soon as an interrupt or a
 * rollback request arrives; after an interrupt, an outstanding write or read gets one more second.
 * A journal append that fails stops gating: the runner rolls back to the last share that passed
 * (verified), records that if it can, and fails naming the live share.
 */
import {describeState, next, sameShare, type CutoverCommand, type CutoverEvent, type CutoverJournalEntry, type CutoverState, type CutoverStatus, type Transition} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import {gateVerdict} from '../domain/gates.ts';
import {noAnswer, within} from './bounded.ts';
import type {EdgeBalancer, EdgeSpec, EdgeView} from '../ports/edge.ts';
import type {MetricsGate} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';

export interface Interrupts {
  /** calls back on Ctrl-C / SIGTERM; returns the unsubscribe function */
  subscribe(onInterrupt: () => void): () => void;
}

export interface CutoverIo {
  state: StateStore;
  edge: EdgeBalancer;
  spec: EdgeSpec;
  view: EdgeView;
  metrics: MetricsGate;
  alarms: string[];
  albFullName: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  interrupts: Interrupts;
  shiftId: string;
  /** rollback requests written at or after this time (ISO) are for this shift */
  startedAtIso: string;
  onProgress?: (status: CutoverStatus, event: CutoverEvent | null) => void;
  /** how long one Cloudflare or CloudWatch call may take before it counts as failed (default 20 s) */
  effectTimeoutMs?: number;
}

export type StopCommand = Extract<CutoverCommand, {type: 'stop'}>;

const retriable = (err: unknown) => err instanceof MigrateError && (err.code === 'rate-limited' || err.code === 'upstream');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** how often a wait looks for interrupts and rollback requests */
const WAKE_MS = 200;
/** what an outstanding write or read still gets once an interrupt arrived */
const GRACE_MS = 1_000;
/** a journal append that takes longer than this counts as failed */
const JOURNAL_MS = 5_000;

export function journalLine(shiftId: string, entry: CutoverJournalEntry) {
  const id = 'id' in entry && entry.id ? `${shiftId}/${entry.id}` : shiftId;
  const ok = 'ok' in entry ? {ok: entry.ok} : {};
  return {id, op: `cutover.${entry.op}`, phase: entry.phase, ...ok, details: {shift: shiftId, entry}};
}

class JournalFailed extends Error {
  constructor(cause: unknown) {
    super(message(cause), {cause});
  }
}

type Effect = Exclude<CutoverCommand, {type: 'journal'} | {type: 'stop'}>;

export async function runCutover(io: CutoverIo, start: Transition): Promise<{state: CutoverState; stop: StopCommand}> {
  let state = start.state;
  const queue: CutoverCommand[] = [...start.commands];
  const external: CutoverEvent[] = [];
  const timeoutMs = io.effectTimeoutMs ?? 20_000;
  let rollbackSeen = false;
  let interrupted = false;
  /** called when an interrupt or a rollback request arrives, to cut an outstanding effect short */
  const wakeups = new Set<() => void>();
  const unsubscribe = io.interrupts.subscribe(() => {
    interrupted = true;
    external.push({type: 'interrupted', at: io.now()});
    for (const wake of [...wakeups]) wake();
  });

  const checkRollbackRequest = async () => {
    if (rollbackSeen) return;
    const request = await within(io.state.readRollbackRequest(), GRACE_MS, 'reading the rollback request').catch(() => null);
    if (request && request.at >= io.startedAtIso) {
      rollbackSeen = true;
      external.push({type: 'rollback-requested', at: io.now(), by: request.by});
      for (const wake of [...wakeups]) wake();
    }
  };

  /**
   * p's answer, or a rejection after the deadline (shortened to GRACE_MS by an interrupt), or, for
   * an abandonable effect, 'abandoned' as soon as an interrupt or a rollback request arrives
   */
  const settle = <T>(p: Promise<T>, what: string, abandonable: boolean) =>
    new Promise<{value: T} | 'abandoned'>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number) => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(() => reject(noAnswer(what, ms))), ms);
      };
      const poll = abandonable ? setInterval(() => void checkRollbackRequest(), WAKE_MS) : undefined;
      const onExternal = () => {
        if (abandonable) finish(() => resolve('abandoned'));
        else if (interrupted) arm(GRACE_MS);
      };
      const finish = (settleNow: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        wakeups.delete(onExternal);
        settleNow();
      };
      wakeups.add(onExternal);
      arm(interrupted ? GRACE_MS : timeoutMs);
      if (abandonable && external.length) onExternal();
      p.then(
        (value) => finish(() => resolve({value})),
        (err: unknown) => finish(() => reject(err)),
      );
    });

  const effect = async (cmd: Effect): Promise<CutoverEvent | null> => {
    switch (cmd.type) {
      case 'write-weights':
        try {
          await settle(io.edge.writeWeights(io.view, cmd.share, io.spec), `writing the pool weights (${cmd.share}%)`, false);
          if (cmd.purpose !== 'step' && io.view.sessionAffinity !== 'none' && io.view.awsPoolEnabled) {
            // pinned users ignore weights: take the AWS pool out so affinity cannot keep them there
            await settle(io.edge.setAwsPoolEnabled(io.view, false, io.spec), 'disabling the AWS pool', false);
          }
          return {type: 'weights-written', at: io.now(), share: cmd.share};
        } catch (err) {
          return {type: 'api-error', at: io.now(), op: 'write', message: message(err), retriable: retriable(err)};
        }
      case 'read-back':
        try {
          const answer = await settle(io.edge.read(io.spec), 'reading the load balancer back', false);
          if (answer === 'abandoned') return null;
          io.view = answer.value;
          const live = io.view.awsShare;
          return sameShare(live, cmd.expected) ? {type: 'weights-verified', at: io.now(), share: live} : {type: 'verify-mismatch', at: io.now(), expected: cmd.expected, actual: live};
        } catch (err) {
          return {type: 'api-error', at: io.now(), op: 'read', message: message(err), retriable: retriable(err)};
        }
      case 'evaluate-gates':
        try {
          const answer = await settle(
            Promise.all([
              io.metrics.alarmStates(io.alarms),
              io.edge.awsPoolHealth(io.view, io.spec),
              io.metrics.requestCount(io.albFullName, new Date(cmd.stepStartedAt), new Date(io.now())),
            ]),
            'reading the gates',
            true,
          );
          if (answer === 'abandoned') return null; // the machine ignores a late verdict
          const [alarms, poolHealth, requests] = answer.value;
          const {verdict, reasons} = gateVerdict({alarms, poolHealth, requests});
          return {type: 'gate-verdict', at: io.now(), verdict, requests, reasons};
        } catch (err) {
          return {type: 'api-error', at: io.now(), op: 'gates', message: message(err), retriable: retriable(err)};
        }
      case 'wait': {
        const until = io.now() + cmd.ms;
        while (io.now() < until) {
          await checkRollbackRequest();
          if (external.length) return null; // abandoned: the machine ignores a late tick
          await io.sleep(Math.min(WAKE_MS, until - io.now()));
        }
        return {type: 'tick', at: io.now()};
      }
    }
  };

  const journal = async (entry: CutoverJournalEntry) => {
    try {
      await within(io.state.journal(journalLine(io.shiftId, entry)), JOURNAL_MS, 'appending to the journal');
    } catch (err) {
      throw new JournalFailed(err);
    }
  };

  try {
    for (;;) {
      const cmd = queue.shift();
      if (!cmd) throw new MigrateError('internal', 'The cutover state machine stopped without a stop command.');
      if (cmd.type === 'journal') {
        await journal(cmd.entry);
        continue;
      }
      if (cmd.type === 'stop') return {state, stop: cmd};
      const answer = await effect(cmd);
      await checkRollbackRequest();
      // interrupts and rollback requests first: they abandon a wait or a gate evaluation
      for (const event of [...external.splice(0), ...(answer ? [answer] : [])]) {
        const t = next(state, event);
        state = t.state;
        queue.push(...t.commands);
        io.onProgress?.(describeState(state, io.now()), event);
      }
    }
  } catch (err) {
    if (err instanceof JournalFailed) throw await cannotJournal(io, state, err.cause, timeoutMs);
    throw err;
  } finally {
    unsubscribe();
  }
}

/**
 * The journal cannot be written: stop gating (no evidence could be recorded) and put the live
 * share back where it is known to be safe: the last share that passed (or lower, if it already
 * is), the target of a rollback in progress, 0 when a rollback was requested. Verified by read-back;
 * recorded if the journal takes it after all. Returns the error to fail with, naming the live share.
 */
async function cannotJournal(io: CutoverIo, state: CutoverState, cause: unknown, timeoutMs: number): Promise<MigrateError> {
  const safe = state.rollbackRequested ? 0 : Math.min(state.passedShare, state.verifiedShare, state.rollback?.to ?? 100);
  const readLive = async () => {
    try {
      io.view = await within(io.edge.read(io.spec), timeoutMs, 'reading the load balancer');
      return io.view.awsShare;
    } catch {
      return null;
    }
  };
  let live = await readLive();
  let wrote = false;
  for (let attempt = 1; attempt <= 3 && (live === null || (live > safe && !sameShare(live, safe))); attempt++) {
    try {
      await within(io.edge.writeWeights(io.view, safe, io.spec), timeoutMs, `writing the pool weights (${safe}%)`);
      if (safe === 0 && io.view.sessionAffinity !== 'none' && io.view.awsPoolEnabled) await within(io.edge.setAwsPoolEnabled(io.view, false, io.spec), timeoutMs, 'disabling the AWS pool');
      wrote = true;
    } catch {
      // read back and try again
    }
    live = await readLive();
  }
  const verified = live !== null && (live <= safe || sameShare(live, safe));
  const what = `${wrote ? `rolled back to AWS ${safe}%` : 'wrote nothing'}: the live AWS share is ${live === null ? `unknown (Cloudflare did not answer; last verified ${state.verifiedShare}%)` : `${live}% (verified)`}`;
  const reason = `Cannot write the journal (${message(cause)}): the shift stopped gating and ${what}.`;
  const at = io.now();
  const record = [
    {op: 'read-back', phase: 'verify', at, id: null, expected: safe, live: live ?? 0, ok: verified},
    {op: 'stopped', phase: 'note', at, exitCode: 1, reason, share: verified ? live : null},
  ] as CutoverJournalEntry[];
  if (live !== null) {
    for (const entry of record) {
      const ok = await within(io.state.journal(journalLine(io.shiftId, entry)), GRACE_MS, 'appending to the journal').then(() => true, () => false);
      if (!ok) break;
    }
  }
  const fix = cause instanceof MigrateError && cause.hint ? `${cause.hint} ` : '';
  return new MigrateError('io', reason, {
    hint: verified ? `${fix}Then re-run \`migrate shift\`: it continues from the live share.` : `Run \`migrate rollback\` now (it needs no disk space), or set the AWS weight in the Cloudflare dashboard. ${fix}`,
    cause,
  });
}
