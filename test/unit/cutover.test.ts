/**
 * Table tests of the cutover state machine, one block per rule. Commands are compared in a short
 * form: "write 5", "read 5", "gates 5", "wait 10000", "stop 3", "journal <op> <phase>".
 */
import {
  describeState,
  eventsFromJournal,
  initialState,
  next,
  parseShare,
  parseSteps,
  replay,
  resume,
  shiftSteps,
  stepsToward,
  type CutoverCommand,
  type CutoverEvent,
  type CutoverJournalEntry,
  type CutoverState,
  type StartedEvent,
  type Verdict,
} from '../../src/domain/cutover.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {defaultCutover} from '../../src/domain/schedule.ts';

const T0 = 1_700_000_000_000;
const SEC = 1000;

// --- helpers ---------------------------------------------------------------------------------

function brief(commands: CutoverCommand[]): string[] {
  return commands.map((c) => {
    switch (c.type) {
      case 'journal':
        return `journal ${c.entry.op} ${c.entry.phase}`;
      case 'write-weights':
        return `write ${c.share}`;
      case 'read-back':
        return `read ${c.expected}`;
      case 'evaluate-gates':
        return `gates ${c.share}`;
      case 'wait':
        return `wait ${c.ms}`;
      case 'stop':
        return `stop ${c.exitCode}`;
      default:
        return JSON.stringify(c satisfies never);
    }
  });
}
/** the commands without journal entries */
const effects = (commands: CutoverCommand[]) => brief(commands).filter((c) => !c.startsWith('journal'));
const entries = (commands: CutoverCommand[]) => commands.flatMap((c) => (c.type === 'journal' ? [c.entry] : []));
const stopOf = (commands: CutoverCommand[]) => commands.find((c): c is Extract<CutoverCommand, {type: 'stop'}> => c.type === 'stop');

const started = (over: Partial<StartedEvent> = {}): StartedEvent => ({
  type: 'started',
  at: T0,
  liveShare: 0,
  target: 25,
  steps: [
    {weight: 1, bakeMs: 60 * SEC, minRequests: 100},
    {weight: 5, bakeMs: 60 * SEC, minRequests: 100},
    {weight: 25, bakeMs: 60 * SEC, minRequests: 100},
  ],
  pollMs: 10 * SEC,
  maxBakeExtension: 2,
  consecutiveFailureLimit: 1,
  onFail: 'last-passed',
  ...over,
});

const ev = {
  written: (share: number, at = T0): CutoverEvent => ({type: 'weights-written', at, share}),
  verified: (share: number, at = T0): CutoverEvent => ({type: 'weights-verified', at, share}),
  mismatch: (expected: number, actual: number, at = T0): CutoverEvent => ({type: 'verify-mismatch', at, expected, actual}),
  verdict: (verdict: Verdict, requests: number, at: number, reasons: string[] = verdict === 'fail' ? ['shop-web-5xx-rate is in ALARM'] : []): CutoverEvent => ({type: 'gate-verdict', at, verdict, requests, reasons}),
  tick: (at: number): CutoverEvent => ({type: 'tick', at}),
  interrupted: (at = T0): CutoverEvent => ({type: 'interrupted', at}),
  rollback: (at = T0): CutoverEvent => ({type: 'rollback-requested', at, by: 'alice'}),
  error: (op: 'write' | 'read' | 'gates', retriable = true, at = T0): CutoverEvent => ({type: 'api-error', at, op, message: `${op} failed: HTTP 503`, retriable}),
};

/** A machine fed event by event; remembers every command and the journal. */
function machine(start: StartedEvent = started()) {
  let state: CutoverState = initialState();
  const all: CutoverCommand[] = [];
  const feed = (...events: CutoverEvent[]): CutoverCommand[] => {
    const out: CutoverCommand[] = [];
    for (const event of events) {
      const t = next(state, event);
      state = t.state;
      out.push(...t.commands);
    }
    all.push(...out);
    return out;
  };
  feed(start);
  return {
    feed,
    get state() {
      return state;
    },
    get journal(): CutoverJournalEntry[] {
      return entries(all);
    },
    all,
  };
}

/** started -> first step written and verified at T0: baking the 1% step */
function baking(start: StartedEvent = started()) {
  const m = machine(start);
  const first = start.steps[0]?.weight ?? 0;
  m.feed(ev.written(first), ev.verified(first));
  return m;
}

/** baking the first step, which then passes at 60 s; the second step (5%) verified at 61 s */
function bakingSecondStep(start: StartedEvent = started()) {
  const m = baking(start);
  m.feed(ev.verdict('pass', 500, T0 + 60 * SEC), ev.verified(1, T0 + 60 * SEC), ev.written(5, T0 + 61 * SEC), ev.verified(5, T0 + 61 * SEC));
  return m;
}

// --- parsing and schedules -------------------------------------------------------------------

describe('parseShare', () => {
  it.each([
    ['25%', 25],
    ['25', 25],
    [' 25 % ', 25],
    ['0', 0],
    ['100%', 100],
  ])('%p -> %p', (text, share) => expect(parseShare(text)).toBe(share));

  it.each(['101', '100.01%', '-1', 'abc', '', '1.234', '0.5%', '12.25', '25%%', '1e2', '.5', '25 percent'])('rejects %p as a usage error with a hint', (text) => {
    let error: unknown;
    try {
      parseShare(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).code).toBe('usage');
    expect((error as MigrateError).exitCode).toBe(2);
    expect((error as MigrateError).hint).toMatch(/0 to 100/);
  });

  it('parses --steps as increasing shares', () => {
    expect(parseSteps('1, 5,25%')).toEqual([1, 5, 25]);
    expect(() => parseSteps('5,1')).toThrow(/increase/);
    expect(() => parseSteps('1,,5')).toThrow(/comma-separated/);
  });
});

describe('stepsToward: the schedule cut at the target', () => {
  const schedule = [1, 5, 10, 25, 50, 75, 100];
  it.each([
    ['up from 0 to 25', 0, 25, schedule, [1, 5, 10, 25]],
    ['up from 0 to 100', 0, 100, schedule, schedule],
    ['up from a share between steps', 7, 50, schedule, [10, 25, 50]],
    ['up to a target off the schedule', 0, 30, schedule, [1, 5, 10, 25, 30]],
    ['custom --steps', 0, 25, [1, 5, 25], [1, 5, 25]],
    ['down from 50 to 0 walks the schedule back', 50, 0, schedule, [25, 10, 5, 1, 0]],
    ['down to a share on the schedule', 75, 25, schedule, [50, 25]],
    ['already at the target', 25, 25, schedule, []],
  ])('%s', (_name, current, target, steps, expected) => {
    expect(stepsToward(current, target, steps)).toEqual(expected);
  });

  it('takes bakes and request minimums from the plan; down steps bake 0 and need no requests', () => {
    const plan = defaultCutover('shop', ['web']);
    expect(shiftSteps(0, 5, plan)).toEqual([
      {weight: 1, bakeMs: 600_000, minRequests: 250},
      {weight: 5, bakeMs: 600_000, minRequests: 250},
    ]);
    expect(shiftSteps(0, 30, plan, {steps: [1, 30], bakeMs: 5000}).map((s) => [s.weight, s.bakeMs, s.minRequests])).toEqual([
      [1, 5000, 250],
      [30, 5000, 250],
    ]);
    expect(shiftSteps(25, 0, plan)).toEqual([10, 5, 1, 0].map((weight) => ({weight, bakeMs: 0, minRequests: 0})));
  });
});

// --- rules -----------------------------------------------------------------------------------

describe('rule: every step is journal intent -> write -> result -> read-back -> verify -> bake', () => {
  it('starts by journaling the shift and the intent, then writes the first step', () => {
    const m = machine();
    expect(brief(m.all)).toEqual(['journal shift-started note', 'journal write-weights intent', 'write 1']);
  });

  it('journals the result of the write, then reads the weights back', () => {
    const m = machine();
    expect(brief(m.feed(ev.written(1)))).toEqual(['journal write-weights result', 'read 1']);
  });

  it('journals the verification, then evaluates the gates from the moment the share was verified', () => {
    const m = machine();
    m.feed(ev.written(1));
    const commands = m.feed(ev.verified(1, T0 + 500));
    expect(brief(commands)).toEqual(['journal read-back verify', 'gates 1']);
    expect(commands.at(-1)).toEqual({type: 'evaluate-gates', share: 1, stepStartedAt: T0 + 500});
  });

  it('polls the gates every poll interval: wait, tick, evaluate', () => {
    const m = baking();
    expect(effects(m.feed(ev.verdict('pass', 0, T0 + SEC)))).toEqual(['wait 10000']);
    expect(effects(m.feed(ev.tick(T0 + 11 * SEC)))).toEqual(['gates 1']);
  });

  it('groups intent, result and verify of one write under one id', () => {
    const m = baking();
    const ids = m.journal.flatMap((e) => ('id' in e && e.id ? [`${e.op}/${e.phase}/${e.id}`] : []));
    expect(ids).toEqual(['write-weights/intent/w1', 'write-weights/result/w1', 'read-back/verify/w1']);
  });
});

describe('rule: a step passes only when the bake time has elapsed, the request minimum is met and no check failed', () => {
  it.each([
    ['a pass before the bake time keeps baking', 'pass', 30, 500, ['wait 10000']],
    ['a pass after the bake time with the request minimum promotes (read back before the next step)', 'pass', 60, 100, ['read 1']],
    ['a pass without the request minimum extends the bake', 'pass', 60, 99, ['wait 10000']],
    ['an inconclusive verdict after the bake time extends the bake', 'inconclusive', 60, 500, ['wait 10000']],
    ['a fail rolls back at once', 'fail', 10, 0, ['write 0']],
  ] as const)('%s', (_name, verdict, seconds, requests, expected) => {
    const m = baking();
    expect(effects(m.feed(ev.verdict(verdict, requests, T0 + seconds * SEC)))).toEqual(expected);
  });

  it('journals the passed step', () => {
    const m = baking();
    const commands = m.feed(ev.verdict('pass', 120, T0 + 60 * SEC));
    expect(entries(commands).map((e) => e.op)).toEqual(['gate-verdict', 'step-passed']);
    expect(m.state.passedShare).toBe(1);
  });

  it('polls exactly when the bake ends, not a full interval later', () => {
    const m = baking();
    expect(effects(m.feed(ev.verdict('pass', 500, T0 + 55 * SEC)))).toEqual(['wait 5000']);
  });

  it('reads the weights back before writing the next step, then writes it', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 500, T0 + 60 * SEC));
    expect(brief(m.feed(ev.verified(1, T0 + 60 * SEC)))).toEqual(['journal read-back verify', 'journal write-weights intent', 'write 5']);
  });

  it('after the last step passes and reads back, stops with exit 0', () => {
    const m = bakingSecondStep();
    m.feed(ev.verdict('pass', 500, T0 + 121 * SEC), ev.verified(5), ev.written(25), ev.verified(25, T0 + 122 * SEC));
    m.feed(ev.verdict('pass', 500, T0 + 182 * SEC));
    const commands = m.feed(ev.verified(25));
    expect(effects(commands)).toEqual(['stop 0']);
    expect(stopOf(commands)).toMatchObject({exitCode: 0, share: 25});
    expect(stopOf(commands)?.reason).toMatch(/Reached 25%/);
  });
});

describe('rule: consecutive-failure limit (default 1)', () => {
  it('with limit 1 the first fail rolls back', () => {
    const m = baking();
    expect(effects(m.feed(ev.verdict('fail', 0, T0 + 10 * SEC)))).toEqual(['write 0']);
  });

  it('with limit 2 a fail, a pass and a fail do not roll back (a pass resets the count)', () => {
    const m = baking(started({consecutiveFailureLimit: 2}));
    m.feed(ev.verdict('fail', 0, T0 + 10 * SEC), ev.tick(T0 + 20 * SEC), ev.verdict('pass', 0, T0 + 20 * SEC), ev.tick(T0 + 30 * SEC));
    expect(effects(m.feed(ev.verdict('fail', 0, T0 + 30 * SEC)))).toEqual(['wait 10000']);
  });

  it('with limit 2 two fails in a row roll back, even with an inconclusive poll between them', () => {
    const m = baking(started({consecutiveFailureLimit: 2}));
    m.feed(ev.verdict('fail', 0, T0 + 10 * SEC), ev.tick(T0 + 20 * SEC), ev.verdict('inconclusive', 0, T0 + 20 * SEC), ev.tick(T0 + 30 * SEC));
    expect(effects(m.feed(ev.verdict('fail', 0, T0 + 30 * SEC)))).toEqual(['write 0']);
  });

  it('a tolerated fail never promotes: the step needs a pass', () => {
    const m = baking(started({consecutiveFailureLimit: 3}));
    expect(effects(m.feed(ev.verdict('fail', 500, T0 + 60 * SEC)))).toEqual(['wait 10000']);
  });
});

describe('rule: a fail rolls back at once to the last share that passed, verified, exit 3', () => {
  it('rolls back to the last passed share with journal intent, result and verify, then stops 3', () => {
    const m = bakingSecondStep();
    const onFail = m.feed(ev.verdict('fail', 10, T0 + 70 * SEC));
    expect(brief(onFail)).toEqual(['journal gate-verdict note', 'journal rolling-back note', 'journal write-weights intent', 'write 1']);
    expect(brief(m.feed(ev.written(1)))).toEqual(['journal write-weights result', 'read 1']);
    const done = m.feed(ev.verified(1));
    expect(brief(done)).toEqual(['journal read-back verify', 'journal stopped note', 'stop 3']);
    expect(stopOf(done)?.reason).toMatch(/Halted by a gate at 5%: shop-web-5xx-rate is in ALARM\. Rolled back to 1% \(verified\)/);
    expect(stopOf(done)?.share).toBe(1);
  });

  it('rolls back to the share the shift started from when no step has passed', () => {
    const m = baking(started({liveShare: 0.5, steps: [{weight: 1, bakeMs: 60 * SEC, minRequests: 0}, {weight: 25, bakeMs: 0, minRequests: 0}]}));
    expect(effects(m.feed(ev.verdict('fail', 0, T0 + SEC)))).toEqual(['write 0.5']);
  });

  it('with --on-fail zero rolls back to 0%', () => {
    const m = bakingSecondStep(started({onFail: 'zero'}));
    expect(effects(m.feed(ev.verdict('fail', 10, T0 + 70 * SEC)))).toEqual(['write 0']);
  });

  it('nothing else happens between the fail and the verified rollback: ticks and verdicts are ignored', () => {
    const m = bakingSecondStep();
    m.feed(ev.verdict('fail', 10, T0 + 70 * SEC));
    expect(m.feed(ev.tick(T0 + 80 * SEC), ev.verdict('pass', 500, T0 + 80 * SEC))).toEqual([]);
    expect(effects(m.feed(ev.written(1), ev.verified(1)))).toEqual(['read 1', 'stop 3']);
  });

  it('Ctrl-C during the rollback does not abandon it', () => {
    const m = bakingSecondStep();
    m.feed(ev.verdict('fail', 10, T0 + 70 * SEC));
    expect(brief(m.feed(ev.interrupted()))).toEqual(['journal interrupted note']);
    expect(effects(m.feed(ev.written(1), ev.verified(1)))).toEqual(['read 1', 'stop 3']);
  });
});

describe('rule: inconclusive extends the bake up to maxBakeExtension × bake, then pauses (exit 4); never promotes', () => {
  it('extends, then pauses at the verified share without rolling back or promoting', () => {
    const m = baking();
    expect(effects(m.feed(ev.verdict('pass', 40, T0 + 60 * SEC)))).toEqual(['wait 10000']);
    m.feed(ev.tick(T0 + 110 * SEC));
    expect(effects(m.feed(ev.verdict('pass', 90, T0 + 110 * SEC)))).toEqual(['wait 10000']);
    m.feed(ev.tick(T0 + 120 * SEC));
    const commands = m.feed(ev.verdict('pass', 99, T0 + 120 * SEC));
    expect(effects(commands)).toEqual(['stop 4']);
    expect(stopOf(commands)).toMatchObject({exitCode: 4, share: 1});
    expect(stopOf(commands)?.reason).toMatch(/99 of 100 requests in 2m.*Not promoted on missing evidence and not rolled back/);
    expect(m.state.rollback).toBeNull();
    expect(m.state.passedShare).toBe(0);
  });

  it('with no extension allowed (factor 1) pauses as soon as the bake ends short of evidence', () => {
    const m = baking(started({maxBakeExtension: 1}));
    expect(effects(m.feed(ev.verdict('inconclusive', 500, T0 + 60 * SEC, ['an alarm has INSUFFICIENT_DATA'])))).toEqual(['stop 4']);
  });

  it('a pass within the extension promotes', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 40, T0 + 60 * SEC), ev.tick(T0 + 70 * SEC));
    expect(effects(m.feed(ev.verdict('pass', 100, T0 + 70 * SEC)))).toEqual(['read 1']);
  });

  it('a retriable gate error is missing evidence, not a fail; a non-retriable one stops 1 without rolling back', () => {
    const m = baking();
    expect(effects(m.feed(ev.error('gates', true, T0 + 10 * SEC)))).toEqual(['wait 10000']);
    m.feed(ev.tick(T0 + 20 * SEC));
    const commands = m.feed(ev.error('gates', false, T0 + 20 * SEC));
    expect(effects(commands)).toEqual(['stop 1']);
    expect(stopOf(commands)?.share).toBe(1);
  });
});

describe('rule: verify-mismatch re-reads, and stops 1 when someone else changed the weights', () => {
  it('a stale read followed by the written share proceeds', () => {
    const m = machine();
    m.feed(ev.written(1));
    expect(effects(m.feed(ev.mismatch(1, 0)))).toEqual(['read 1']);
    expect(effects(m.feed(ev.verified(1)))).toEqual(['gates 1']);
  });

  it('a share that is neither the verified one nor the one written stops 1 after re-reads, writing nothing', () => {
    const m = machine();
    m.feed(ev.written(1));
    expect(effects(m.feed(ev.mismatch(1, 40), ev.mismatch(1, 40)))).toEqual(['read 1', 'read 1']);
    const commands = m.feed(ev.mismatch(1, 40));
    expect(effects(commands)).toEqual(['stop 1']);
    expect(stopOf(commands)?.reason).toMatch(/Someone else changed the load balancer: the live AWS share is 40%.*--adopt/);
    expect(stopOf(commands)?.share).toBe(40);
  });

  it('an accepted write that never shows up is written again (new intent), a bounded number of times', () => {
    const m = machine();
    m.feed(ev.written(1), ev.mismatch(1, 0), ev.mismatch(1, 0));
    const retry = m.feed(ev.mismatch(1, 0));
    expect(brief(retry)).toEqual(['journal read-back verify', 'journal write-weights intent', 'write 1']);
    m.feed(ev.written(1), ev.mismatch(1, 0), ev.mismatch(1, 0), ev.mismatch(1, 0));
    m.feed(ev.written(1), ev.mismatch(1, 0), ev.mismatch(1, 0));
    expect(effects(m.feed(ev.mismatch(1, 0)))).toEqual(['stop 1']);
  });

  it('before a later step, a changed live share stops 1 instead of writing over it', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 500, T0 + 60 * SEC), ev.mismatch(1, 0), ev.mismatch(1, 0));
    const commands = m.feed(ev.mismatch(1, 0));
    expect(effects(commands)).toEqual(['stop 1']);
    expect(m.all.filter((c) => c.type === 'write-weights')).toHaveLength(1);
  });
});

describe('rule: an api-error on a write reads back before anything else', () => {
  it('journals the unknown outcome, then reads back', () => {
    const m = machine();
    const commands = m.feed(ev.error('write'));
    expect(brief(commands)).toEqual(['journal write-weights result', 'read 1']);
    expect(entries(commands)[0]).toMatchObject({ok: false, landed: 'unknown', message: 'write failed: HTTP 503'});
  });

  it('a write that landed despite the error is verified and baked', () => {
    const m = machine();
    m.feed(ev.error('write'));
    expect(effects(m.feed(ev.verified(1)))).toEqual(['gates 1']);
  });

  it('a retriable write that did not land is retried after the read-back, at most 3 attempts, then stops 1', () => {
    const m = machine();
    m.feed(ev.error('write'), ev.mismatch(1, 0), ev.mismatch(1, 0));
    expect(effects(m.feed(ev.mismatch(1, 0)))).toEqual(['write 1']);
    m.feed(ev.error('write'), ev.mismatch(1, 0), ev.mismatch(1, 0), ev.mismatch(1, 0));
    m.feed(ev.error('write'), ev.mismatch(1, 0), ev.mismatch(1, 0));
    const commands = m.feed(ev.mismatch(1, 0));
    expect(effects(commands)).toEqual(['stop 1']);
    expect(stopOf(commands)?.reason).toMatch(/Could not set the AWS share to 1% after 3 attempts \(write failed: HTTP 503\)\. The AWS share stays at 0% \(verified\)/);
  });

  it('a non-retriable write that did not land stops 1', () => {
    const m = machine();
    m.feed(ev.error('write', false), ev.mismatch(1, 0), ev.mismatch(1, 0));
    expect(effects(m.feed(ev.mismatch(1, 0)))).toEqual(['stop 1']);
  });

  it('when the read-back keeps failing, it stops 1 and records that the share is unverified', () => {
    const m = machine();
    m.feed(ev.written(1), ev.error('read'), ev.error('read'));
    const commands = m.feed(ev.error('read'));
    expect(effects(commands)).toEqual(['stop 1']);
    expect(stopOf(commands)?.share).toBeNull();
    expect(stopOf(commands)?.reason).toMatch(/the AWS share is 0% or 1%, unverified/);
    expect(m.journal.filter((e) => e.op === 'read-back').every((e) => e.live === null)).toBe(true);
  });
});

describe('rule: a rollback request wins over everything', () => {
  it('during a bake: reads the live share; already 0 (another process rolled back) -> stop 3 without writing', () => {
    const m = baking();
    expect(brief(m.feed(ev.rollback(T0 + 5 * SEC)))).toEqual(['journal rollback-requested note', 'read 0']);
    const commands = m.feed(ev.verified(0));
    expect(effects(commands)).toEqual(['stop 3']);
    expect(stopOf(commands)?.reason).toMatch(/another process/);
    expect(m.all.filter((c) => c.type === 'write-weights')).toHaveLength(1);
  });

  it('during a bake: a live share above 0 is rolled back to 0, verified, stop 3', () => {
    const m = bakingSecondStep();
    m.feed(ev.rollback(T0 + 65 * SEC));
    expect(brief(m.feed(ev.mismatch(0, 5)))).toEqual(['journal read-back verify', 'journal write-weights intent', 'write 0']);
    expect(effects(m.feed(ev.written(0), ev.verified(0)))).toEqual(['read 0', 'stop 3']);
  });

  it('ignores the gate verdict or tick of the abandoned bake', () => {
    const m = baking();
    m.feed(ev.rollback(T0 + 5 * SEC));
    expect(m.feed(ev.verdict('pass', 500, T0 + 60 * SEC), ev.tick(T0 + 60 * SEC))).toEqual([]);
  });

  it('during a write in flight: learns the outcome first, then writes 0', () => {
    const m = machine();
    expect(brief(m.feed(ev.rollback()))).toEqual(['journal rollback-requested note']);
    expect(effects(m.feed(ev.written(1)))).toEqual(['read 1']);
    expect(effects(m.feed(ev.verified(1)))).toEqual(['write 0']);
  });

  it('during a write in flight, if another process already set 0, stops 3 without writing', () => {
    const m = machine();
    m.feed(ev.rollback(), ev.written(1));
    expect(effects(m.feed(ev.mismatch(1, 0)))).toEqual(['stop 3']);
  });

  it('during a gate rollback: continues on down to 0', () => {
    const m = bakingSecondStep();
    m.feed(ev.verdict('fail', 10, T0 + 70 * SEC), ev.rollback());
    expect(effects(m.feed(ev.written(1), ev.verified(1)))).toEqual(['read 1', 'write 0']);
    expect(effects(m.feed(ev.written(0), ev.verified(0)))).toEqual(['read 0', 'stop 3']);
  });

  it('during the read-back before a step: the read in flight answers, no step is written', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 500, T0 + 60 * SEC));
    expect(effects(m.feed(ev.rollback()))).toEqual([]);
    expect(effects(m.feed(ev.verified(1)))).toEqual(['write 0']);
  });

  it('when the live share cannot be read, writes 0 anyway (safe whatever is live)', () => {
    const m = baking();
    m.feed(ev.rollback());
    expect(effects(m.feed(ev.error('read')))).toEqual(['write 0']);
  });

  it('a second request is ignored', () => {
    const m = baking();
    m.feed(ev.rollback());
    expect(m.feed(ev.rollback())).toEqual([]);
  });
});

describe('rule: Ctrl-C / SIGTERM stops at the verified share (exit 4, resumable)', () => {
  it('during a bake: stops at once at the verified share', () => {
    const m = baking();
    const commands = m.feed(ev.interrupted(T0 + 5 * SEC));
    expect(brief(commands)).toEqual(['journal interrupted note', 'journal stopped note', 'stop 4']);
    expect(stopOf(commands)).toMatchObject({exitCode: 4, share: 1});
  });

  it('during a write: reads back and journals what is live before stopping', () => {
    const m = machine();
    expect(effects(m.feed(ev.interrupted()))).toEqual([]);
    expect(effects(m.feed(ev.written(1)))).toEqual(['read 1']);
    const commands = m.feed(ev.verified(1));
    expect(brief(commands)).toEqual(['journal read-back verify', 'journal stopped note', 'stop 4']);
    expect(stopOf(commands)?.share).toBe(1);
  });

  it('during a failed write: reads back, does not retry, stops at the share before', () => {
    const m = machine();
    m.feed(ev.interrupted(), ev.error('write'), ev.mismatch(1, 0), ev.mismatch(1, 0));
    const commands = m.feed(ev.mismatch(1, 0));
    expect(effects(commands)).toEqual(['stop 4']);
    expect(stopOf(commands)?.share).toBe(0);
  });

  it('during the read-back before a step: stops without writing', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 500, T0 + 60 * SEC));
    expect(effects(m.feed(ev.interrupted()))).toEqual(['stop 4']);
  });

  it('a rollback request after Ctrl-C during a write still wins', () => {
    const m = machine();
    m.feed(ev.interrupted(), ev.rollback(), ev.written(1));
    expect(effects(m.feed(ev.verified(1)))).toEqual(['write 0']);
  });
});

describe('rule: shifting down writes and verifies each step; gates only report', () => {
  const down = started({liveShare: 50, target: 0, steps: [25, 10, 5, 1, 0].map((weight) => ({weight, bakeMs: 0, minRequests: 0}))});

  it('walks down step by step and stops 0 at the target, even with failing gates', () => {
    const m = machine(down);
    const written: number[] = [];
    for (const share of [25, 10, 5, 1, 0]) {
      const commands = m.feed(ev.written(share), ev.verified(share), ev.verdict('fail', 0, T0));
      expect(effects(commands)).toEqual(['read ' + share, 'gates ' + share, 'read ' + share]);
      written.push(share);
      if (share !== 0) expect(effects(m.feed(ev.verified(share)))).toEqual([`write ${[25, 10, 5, 1, 0][written.length]}`]);
    }
    expect(effects(m.feed(ev.verified(0)))).toEqual(['stop 0']);
    expect(m.journal.filter((e) => e.op === 'rolling-back')).toHaveLength(0);
  });

  it('a short down bake waits for its end, whatever the verdict or request count', () => {
    const m = machine(started({liveShare: 50, target: 25, steps: [{weight: 25, bakeMs: 2 * SEC, minRequests: 0}]}));
    m.feed(ev.written(25), ev.verified(25));
    expect(effects(m.feed(ev.verdict('inconclusive', 0, T0)))).toEqual(['wait 2000']);
    m.feed(ev.tick(T0 + 2 * SEC));
    expect(effects(m.feed(ev.error('gates', false, T0 + 2 * SEC)))).toEqual(['read 25']);
  });
});

describe('rule: the start is validated', () => {
  it('already at the target: stop 0 without writing', () => {
    const m = machine(started({liveShare: 25, steps: []}));
    expect(effects(m.all)).toEqual(['stop 0']);
  });

  it.each<[string, Partial<StartedEvent>, RegExp]>([
    ['a step beyond the target', {steps: [{weight: 50, bakeMs: 0, minRequests: 0}]}, /last step is 50%|one way/],
    ['steps that do not end at the target', {steps: [{weight: 5, bakeMs: 0, minRequests: 0}]}, /not the target 25%/],
    ['steps out of order', {steps: [5, 1, 25].map((weight) => ({weight, bakeMs: 0, minRequests: 0}))}, /one way/],
    ['a consecutive-failure limit of 0', {consecutiveFailureLimit: 0}, /consecutive-failure limit/],
    ['a bake extension below 1', {maxBakeExtension: 0.5}, /extension/],
    ['a target above 100', {target: 120}, /target 120/],
    ['a share with three decimals', {liveShare: 0.125}, /live AWS share/],
  ])('%s: stop 2 without writing', (_name, over, reason) => {
    const m = machine(started(over));
    expect(effects(m.all)).toEqual(['stop 2']);
    expect(stopOf(m.all)?.reason).toMatch(reason);
  });
});

describe('events that do not fit the phase are ignored', () => {
  it.each([
    ['a tick while writing', ev.tick(T0)],
    ['a verdict while writing', ev.verdict('fail', 0, T0)],
    ['a read-back answer while writing', ev.verified(1)],
    ['weights-written for another share', ev.written(5)],
    ['a read error while writing', ev.error('read')],
    ['a second started', started()],
  ])('%s', (_name, event) => {
    const m = machine();
    const before = m.state;
    expect(m.feed(event)).toEqual([]);
    expect({...m.state, now: 0}).toEqual({...before, now: 0});
  });

  it('a stopped machine ignores everything', () => {
    const m = baking();
    m.feed(ev.interrupted());
    expect(m.feed(ev.rollback(), ev.tick(T0), ev.written(1))).toEqual([]);
  });

  it('an idle machine ignores everything but started', () => {
    const state = initialState();
    expect(next(state, ev.rollback()).commands).toEqual([]);
    expect(next(state, ev.interrupted()).commands).toEqual([]);
  });
});

describe('describeState', () => {
  it('shows the step, the bake time left and the verdict history', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 40, T0 + 20 * SEC));
    const status = describeState(m.state, T0 + 25 * SEC);
    expect(status).toMatchObject({
      phase: 'baking',
      direction: 'up',
      liveShare: 1,
      target: 25,
      step: {number: 1, of: 3, share: 1},
      bake: {elapsedMs: 25_000, leftMs: 35_000, extensionLeftMs: 95_000, requests: 40, minRequests: 100},
    });
    expect(status.history).toEqual([{share: 1, verifiedAt: T0, outcome: 'baking', verdicts: [{at: T0 + 20 * SEC, verdict: 'pass', requests: 40, reasons: []}]}]);
    expect(status.summary).toBe('baking at 1% (step 1 of 3, 1%): 35s left, 40/100 requests, 0/1 consecutive failures, last verdict pass');
  });

  it('shows a pending write and a stop', () => {
    const m = machine();
    expect(describeState(m.state)).toMatchObject({phase: 'writing', pendingShare: 1, liveShare: 0});
    m.feed(ev.written(1), ev.verified(1), ev.verdict('fail', 0, T0 + SEC), ev.written(0), ev.verified(0));
    const status = describeState(m.state);
    expect(status.stopped?.exitCode).toBe(3);
    expect(status.rollback).toMatchObject({cause: 'gate', from: 1, to: 0});
    expect(status.history.map((h) => h.outcome)).toEqual(['failed']);
    expect(status.summary).toMatch(/^stopped \(exit 3\)/);
  });
});

describe('replay: the journal rebuilds the state after a crash', () => {
  const strip = (s: CutoverState) => ({...s, now: 0});

  it('maps each journal entry to its event', () => {
    const journal: CutoverJournalEntry[] = [
      {op: 'write-weights', phase: 'intent', at: 1, id: 'w1', share: 1, from: 0, purpose: 'step', attempt: 1},
      {op: 'write-weights', phase: 'result', at: 2, id: 'w1', share: 1, ok: true},
      {op: 'write-weights', phase: 'result', at: 3, id: 'w2', share: 1, ok: false, landed: 'unknown', message: 'm', retriable: true},
      {op: 'read-back', phase: 'verify', at: 4, id: 'w1', expected: 1, live: 1, ok: true},
      {op: 'read-back', phase: 'verify', at: 5, id: 'w1', expected: 1, live: 0, ok: false},
      {op: 'read-back', phase: 'verify', at: 6, id: null, expected: 1, live: null, ok: false, message: 'm', retriable: false},
      {op: 'gate-verdict', phase: 'note', at: 7, share: 1, verdict: 'fail', requests: 3, reasons: ['r']},
      {op: 'gate-error', phase: 'note', at: 8, share: 1, message: 'm', retriable: true},
      {op: 'interrupted', phase: 'note', at: 9, share: 1, inFlight: null},
      {op: 'rollback-requested', phase: 'note', at: 10, share: 1, by: 'alice'},
      {op: 'step-passed', phase: 'note', at: 11, share: 1, requests: 3, bakedMs: 5},
      {op: 'rolling-back', phase: 'note', at: 12, from: 5, to: 1, reasons: []},
      {op: 'stopped', phase: 'note', at: 13, exitCode: 3, reason: 'r', share: 1},
    ];
    expect(eventsFromJournal(journal)).toEqual([
      {type: 'weights-written', at: 2, share: 1},
      {type: 'api-error', at: 3, op: 'write', message: 'm', retriable: true},
      {type: 'weights-verified', at: 4, share: 1},
      {type: 'verify-mismatch', at: 5, expected: 1, actual: 0},
      {type: 'api-error', at: 6, op: 'read', message: 'm', retriable: false},
      {type: 'gate-verdict', at: 7, verdict: 'fail', requests: 3, reasons: ['r']},
      {type: 'api-error', at: 8, op: 'gates', message: 'm', retriable: true},
      {type: 'interrupted', at: 9},
      {type: 'rollback-requested', at: 10, by: 'alice'},
    ]);
  });

  it('replaying the journal of a finished gate rollback rebuilds the same state', () => {
    const m = bakingSecondStep();
    m.feed(ev.verdict('fail', 10, T0 + 70 * SEC), ev.written(1), ev.verified(1));
    expect(strip(replay(eventsFromJournal(m.journal)))).toEqual(strip(m.state));
  });

  it('after a crash between a write and its result, resume reads back before anything else', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 500, T0 + 60 * SEC), ev.verified(1)); // intent for 5% journaled, then the crash
    const rebuilt = replay(eventsFromJournal(m.journal));
    expect(rebuilt.phase).toMatchObject({kind: 'writing', write: {share: 5, id: 'w2'}});
    const resumed = resume(rebuilt, T0 + 90 * SEC);
    expect(brief(resumed.commands)).toEqual(['journal write-weights result', 'read 5']);
    expect(effects(next(resumed.state, ev.verified(5, T0 + 91 * SEC)).commands)).toEqual(['gates 5']);
  });

  it('after a crash during a bake, resume evaluates the gates of the same step', () => {
    const m = baking();
    m.feed(ev.verdict('pass', 10, T0 + 10 * SEC));
    const resumed = resume(replay(eventsFromJournal(m.journal)), T0 + 30 * SEC);
    expect(resumed.commands).toEqual([{type: 'evaluate-gates', share: 1, stepStartedAt: T0}]);
  });

  it('a stopped or idle state resumes with nothing to do', () => {
    expect(resume(initialState(), T0).commands).toEqual([]);
    const m = baking();
    m.feed(ev.interrupted());
    expect(resume(replay(eventsFromJournal(m.journal)), T0).commands).toEqual([]);
  });
});
