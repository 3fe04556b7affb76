/** Pure rules of finalize: hold start, preconditions, recorded formation, costs, the record (no values). */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {addonsNotMoved, checkPreconditions, dynoCosts, holdStart, recordedFormation, retirementRecord, type PreconditionInput} from '../../src/domain/finalize.ts';
import type {Plan} from '../../src/domain/plan.ts';
import type {AppState, JournalEntry} from '../../src/domain/state.ts';
import {renderRetirementMd} from '../../src/render/finalize.ts';
import {ROOT} from '../support/cli.ts';

const plan = JSON.parse(readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8')) as Plan;
const moved = plan.addons.filter((a) => a.strategy === 'shared-then-window' || a.strategy === 'write-freeze-window').map((a) => a.name);
const stateWith = (phases: Record<string, string>): AppState => ({
  schemaVersion: '1.0',
  app: 'shop',
  addons: Object.fromEntries(Object.entries(phases).map(([n, phase]) => [n, {remaps: {}, data: {phase, updatedAt: '2026-11-01T00:00:00.000Z'}}])),
});
const allMoved = stateWith(Object.fromEntries(moved.map((n) => [n, 'cut-over'])));
const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('holdStart', () => {
  it('is the first 100% after the last lower share', () => {
    expect(holdStart([])).toBeNull();
    expect(holdStart([{at: at(0), share: 50}])).toBeNull();
    expect(holdStart([{at: at(0), share: 100}, {at: at(1), share: 100}])).toBe(at(0));
    expect(holdStart([{at: at(0), share: 100}, {at: at(5), share: 25}, {at: at(10), share: 100}, {at: at(11), share: 100}])).toBe(at(10));
    expect(holdStart([{at: at(0), share: 100}, {at: at(5), share: 0}])).toBeNull();
  });
});

describe('checkPreconditions', () => {
  const base: PreconditionInput = {
    liveShare: 100,
    retired: false,
    timeline: [{at: at(0), share: 100}],
    nowMs: T0 + 3_600_000,
    minHoldMs: 60_000,
    gate: {verdict: 'pass', reasons: []},
    plan,
    state: allMoved,
    keepAddons: [],
  };
  it('passes when everything holds', () => expect(checkPreconditions(base)).toEqual([]));
  it('refuses below 100% live', () => expect(checkPreconditions({...base, liveShare: 99}).map((r) => r.kind)).toEqual(['not-at-100']));
  it('refuses 100% live that the journal never verified', () => expect(checkPreconditions({...base, timeline: [{at: at(0), share: 50}]})[0]?.kind).toBe('not-at-100'));
  it('a retired load balancer counts as at 100% on a re-run', () => expect(checkPreconditions({...base, retired: true, timeline: []})).toEqual([]));
  it('hold not met is a "wait" refusal', () => {
    const r = checkPreconditions({...base, minHoldMs: 2 * 3_600_000});
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({kind: 'hold', wait: true});
    expect(r[0]!.message).toContain(at(120));
  });
  it('gates: fail is final, inconclusive waits', () => {
    expect(checkPreconditions({...base, gate: {verdict: 'fail', reasons: ['x']}})[0]).toMatchObject({kind: 'gates', wait: false});
    expect(checkPreconditions({...base, gate: {verdict: 'inconclusive', reasons: ['y']}})[0]).toMatchObject({kind: 'gates', wait: true});
    expect(checkPreconditions({...base, gate: {verdict: 'inconclusive', reasons: ['y']}, missingAlarms: ['a']})[0]).toMatchObject({kind: 'gates', wait: false});
  });
  it('data: cut-over and verified are complete; anything else refuses unless kept', () => {
    expect(moved.length).toBeGreaterThan(0);
    expect(addonsNotMoved(plan, stateWith({}), []).map((a) => a.name)).toEqual(moved);
    expect(addonsNotMoved(plan, stateWith(Object.fromEntries(moved.map((n) => [n, 'verified']))), [])).toEqual([]);
    expect(addonsNotMoved(plan, stateWith(Object.fromEntries(moved.map((n) => [n, 'copied']))), [])).toHaveLength(moved.length);
    expect(addonsNotMoved(plan, stateWith(Object.fromEntries(moved.map((n) => [n, 'stale']))), moved)).toEqual([]);
    expect(checkPreconditions({...base, keepAddons: ['nope']})[0]!.message).toMatch(/names no add-on/);
  });
});

describe('recordedFormation', () => {
  const line = (op: string, step: string, phase: JournalEntry['phase'], extra: Partial<JournalEntry> = {}): JournalEntry => ({at: at(0), id: 'x', op, phase, details: {step, ...(extra.details ?? {})}, ...(extra.ok === undefined ? {} : {ok: extra.ok})});
  const prev = [{type: 'web', quantity: 2, size: 'Standard-2X'}];
  it('is the last finalize intent, until an undo restored it', () => {
    expect(recordedFormation([])).toBeNull();
    const intent = line('finalize', 'formation', 'intent', {details: {previous: prev}});
    expect(recordedFormation([intent])).toEqual(prev);
    expect(recordedFormation([intent, line('finalize-undo', 'formation', 'result', {ok: false})])).toEqual(prev);
    expect(recordedFormation([intent, line('finalize-undo', 'formation', 'result', {ok: true})])).toBeNull();
  });
});

describe('costs and the record', () => {
  it('prices dynos by size x quantity (list prices), unknown sizes unpriced', () => {
    const c = dynoCosts([
      {type: 'web', quantity: 2, size: 'Standard-2X'},
      {type: 'worker', quantity: 1, size: 'Performance-M'},
      {type: 'clock', quantity: 0, size: 'Standard-1X'},
      {type: 'big', quantity: 1, size: 'Private-L'},
    ]);
    expect(c.totalUsd).toBe(350);
    expect(c.lines.map((l) => l.type)).toEqual(['web', 'worker', 'big']);
    expect(c.unpriced).toEqual(['big (Private-L)']);
  });
  it('the record holds names and fingerprints, timings and what remains; its Markdown renders', () => {
    const journal: JournalEntry[] = [
      {at: at(0), id: 'e', op: 'edge-setup', phase: 'result', ok: true, details: {awsShare: 0}},
      {at: at(90), id: 'f/edge', op: 'finalize', phase: 'result', ok: true, details: {step: 'edge'}},
    ];
    const r = retirementRecord({plan, state: allMoved, formation: [{type: 'web', quantity: 2, size: 'Standard-2X'}], keepAddons: [], journal, timeline: [{at: at(30), share: 100}], retiredAt: at(120)});
    expect(r.durationMs).toBe(120 * 60_000);
    expect(r.timings.map((t) => t.what)).toEqual(['first journaled step', 'edge set up', 'AWS at 100% (held since)', 'Heroku pool left the load balancer']);
    expect(r.configVars.length).toBe(plan.config.length);
    expect(Object.keys(r.configVars[0]!).sort()).toEqual(['action', 'class', 'fingerprint', 'name']);
    expect(r.remainsOnHeroku.join('\n')).toMatch(/still billed/);
    const md = renderRetirementMd(r);
    expect(md).toMatch(/# Retirement of shop on Heroku/);
    expect(md).toMatch(/Total: \$100\/month/);
  });
});
