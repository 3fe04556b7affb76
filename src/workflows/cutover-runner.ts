/**
 * Runs the cutover state machine (domain/cutover.ts) against the live systems: executes its
 * commands through the ports, feeds the answers back as events, journals every entry before the
 * effect that follows it, and delivers interrupts and rollback requests as they arrive.
 */
import {describeState, next, sameShare, type CutoverCommand, type CutoverEvent, type CutoverJournalEntry, type CutoverState, type CutoverStatus, type Transition} from '../domain/cutover.ts';
import {MigrateError} from '../domain/errors.ts';
import {gateVerdict} from '../domain/gates.ts';
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
}

export type StopCommand = Extract<CutoverCommand, {type: 'stop'}>;

const retriable = (err: unknown) => err instanceof MigrateError && (err.code === 'rate-limited' || err.code === 'upstream');
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** how often a wait looks for interrupts and rollback requests */
const WAKE_MS = 200;

export function journalLine(shiftId: string, entry: CutoverJournalEntry) {
  const id = 'id' in entry && entry.id ? `${shiftId}/${entry.id}` : shiftId;
  const ok = 'ok' in entry ? {ok: entry.ok} : {};
  return {id, op: `cutover.${entry.op}`, phase: entry.phase, ...ok, details: {shift: shiftId, entry}};
}

export async function runCutover(io: CutoverIo, start: Transition): Promise<{state: CutoverState; stop: StopCommand}> {
  let state = start.state;
  const queue: CutoverCommand[] = [...start.commands];
  const external: CutoverEvent[] = [];
  let rollbackSeen = false;
  const unsubscribe = io.interrupts.subscribe(() => external.push({type: 'interrupted', at: io.now()}));

  const checkRollbackRequest = async () => {
    if (rollbackSeen) return;
    const request = await io.state.readRollbackRequest();
    if (request && request.at >= io.startedAtIso) {
      rollbackSeen = true;
      external.push({type: 'rollback-requested', at: io.now(), by: request.by});
    }
  };

  const effect = async (cmd: Exclude<CutoverCommand, {type: 'journal'} | {type: 'stop'}>): Promise<CutoverEvent | null> => {
    switch (cmd.type) {
      case 'write-weights':
        try {
          await io.edge.writeWeights(io.view, cmd.share, io.spec);
          if (cmd.purpose !== 'step' && io.view.sessionAffinity !== 'none' && io.view.awsPoolEnabled) {
            // pinned users ignore weights: take the AWS pool out so affinity cannot keep them there
            await io.edge.setAwsPoolEnabled(io.view, false, io.spec);
          }
          return {type: 'weights-written', at: io.now(), share: cmd.share};
        } catch (err) {
          return {type: 'api-error', at: io.now(), op: 'write', message: message(err), retriable: retriable(err)};
        }
      case 'read-back':
        try {
          io.view = await io.edge.read(io.spec);
          const live = io.view.awsShare;
          return sameShare(live, cmd.expected) ? {type: 'weights-verified', at: io.now(), share: live} : {type: 'verify-mismatch', at: io.now(), expected: cmd.expected, actual: live};
        } catch (err) {
          return {type: 'api-error', at: io.now(), op: 'read', message: message(err), retriable: retriable(err)};
        }
      case 'evaluate-gates':
        try {
          const [alarms, poolHealth, requests] = await Promise.all([
            io.metrics.alarmStates(io.alarms),
            io.edge.awsPoolHealth(io.view, io.spec),
            io.metrics.requestCount(io.albFullName, new Date(cmd.stepStartedAt), new Date(io.now())),
          ]);
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

  try {
    for (;;) {
      const cmd = queue.shift();
      if (!cmd) throw new MigrateError('internal', 'The cutover state machine stopped without a stop command.');
      if (cmd.type === 'journal') {
        await io.state.journal(journalLine(io.shiftId, cmd.entry));
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
  } finally {
    unsubscribe();
  }
}
