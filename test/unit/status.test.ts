/**
 * `migrate status` from the journal plus the live weights (issue cases: an old story after a
 * rollback, a gone process shown as baking) and its terminal rendering (overview with the next
 * command, chart with axes, table, colour only when asked).
 */
import {hostname} from 'node:os';
import {shiftWorkflow} from '../../src/workflows/shift.ts';
import {rollbackWorkflow} from '../../src/workflows/rollback.ts';
import {statusWorkflow} from '../../src/workflows/status.ts';
import {renderStatus, shareChart} from '../../src/render/status.ts';
import {simulatedCutover, type World} from '../support/cutover-sim.ts';
import {memoryState} from '../support/memory-state.ts';
import {livePlan} from '../support/plans.ts';
import {sampleApp} from '../fakes/heroku-fixtures.ts';

const world = (): World => ({t: 1_764_600_000_000, share: 0, awsEnabled: true, writes: [], reads: [], rates: [50], alarmP: 0, rng: {chance: () => false}});
const FAST = {bakeMs: 1000, pollMs: 200, minRequests: 0, breakLock: true, noGuard: true};
const plain = {color: false, columns: 100, now: 0};

describe('status: the journal plus the live weights', () => {
  it('before a cutover: every stage of the migration and the next command', async () => {
    const plan = livePlan(sampleApp());
    const state = memoryState(plan);
    const r = await statusWorkflow({app: 'shop'}, {state, edge: async () => Promise.reject(new Error('no edge')), metrics: async () => Promise.reject(new Error('no metrics')), now: () => 0, env: {}});
    expect(r.migration.stages.map((s) => `${s.id}:${s.state}`)).toEqual(['plan:done', 'secret:todo', 'deploy:todo', 'addons:todo', 'edge:todo', 'guard:todo', 'shift:todo', 'data:todo', 'finalize:todo']);
    expect(r.migration.next).toEqual({label: 'Secret imported', command: 'migrate secrets import --app shop'});
    expect(r.cutover).toMatchObject({phase: 'not-started', liveShare: null});
    const text = renderStatus(r, {...plain, now: 0});
    expect(text).toMatch(/✓ Plan/);
    expect(text).toMatch(/Next: migrate secrets import --app shop/);
  });

  it('after a shift to 75% and a plain rollback: the live share is 0 everywhere, the headline says so', async () => {
    const w = world();
    const {deps, state, edge} = simulatedCutover(w);
    const r1 = await shiftWorkflow({app: 'shop', to: '75', ...FAST}, deps);
    expect(r1.stop?.exitCode).toBe(0);
    await rollbackWorkflow({app: 'shop'}, {state, edge: async () => edge, now: deps.now, sleep: deps.sleep, operator: 'ops@laptop', shiftWaitMs: 0});
    const r = await statusWorkflow({app: 'shop'}, deps);
    expect(r.edge?.awsShare).toBe(0);
    expect(r.shift?.liveShare).toBe(0);
    expect(r.shift?.lastVerifiedShare).toBe(75);
    expect(r.cutover).toMatchObject({phase: 'rolled-back', liveShare: 0, headline: 'Heroku 100% / AWS 0% (live)'});
    expect(r.cutover.detail).toMatch(/Rolled back by ops@laptop to 0%/);
    expect(r.timeline.at(-1)).toMatchObject({share: 0, kind: 'rollback'});
    const text = renderStatus(r, {...plain, now: w.t});
    expect(text).toMatch(/Cutover: Heroku 100% \/ AWS 0% \(live\)/);
    expect(text).not.toMatch(/Rolled back to 50%/);
    expect(text).toMatch(/▼/);
  });

  it('a shift whose process is gone is interrupted at its last verified share, never baking', async () => {
    const w = world();
    const {deps, state} = simulatedCutover(w);
    let lines = 0;
    state.journalHook = () => (++lines === 12 ? new Promise<void>(() => undefined) : undefined); // killed mid-bake
    // the 'killed' run hangs on its journal; the runner's journal deadline (5 s) later ends it with an
    // error nobody waits for: swallow it, the process it stands for is gone
    void shiftWorkflow({app: 'shop', to: '5', ...FAST, bakeMs: 60_000}, deps).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    state.journalHook = null;
    // the dead process left its lock behind
    const lock = {command: 'shift', pid: 999_999_999, host: hostname(), user: 'ops', startedAt: new Date(w.t).toISOString()};
    const dead = await statusWorkflow({app: 'shop'}, {...deps, state: {...state, lockHolder: async () => lock}, lockAlive: () => false});
    expect(dead.shift?.running).toBe(false);
    expect(dead.cutover.phase).toBe('interrupted');
    expect(dead.shift?.bake).toBeNull();
    expect(dead.shift?.summary).toMatch(/Interrupted: the shift's process is gone; last verified 1%\. The 1% step has not passed/);
    expect(renderStatus(dead, {...plain, now: w.t})).not.toMatch(/baking|left/);
    // a live holder is running
    const alive = await statusWorkflow({app: 'shop'}, {...deps, state: {...state, lockHolder: async () => lock}, lockAlive: () => true});
    expect(alive.cutover.phase).toBe('running');
  });
});

describe('status rendering', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 8, 0, s)).toISOString();
  const points = [
    {at: at(0), share: 1, kind: 'step' as const},
    {at: at(60), share: 5, kind: 'step' as const},
    {at: at(120), share: 10, kind: 'step' as const},
    {at: at(180), share: 5, kind: 'rollback' as const},
  ];

  it('draws 1% and 5% on different labelled rows, a time axis, steps and rollbacks', () => {
    const chart = shareChart(points, [1, 5, 10, 25, 50, 75, 100], {width: 40, now: Date.parse(at(240)), color: false});
    const row = (label: string) => chart.find((l) => l.startsWith(label))!;
    expect(chart[0]).toMatch(/^100% ┤/);
    expect(row('  1% ┤')).toMatch(/●/);
    expect(row('  5% ┤')).toMatch(/●/);
    expect(row('  5% ┤')).toMatch(/▼/);
    expect(row(' 10% ┤')).toMatch(/●/);
    expect(row('  0% ┤').replace('  0% ┤', '').trim()).toBe('');
    expect(chart.some((l) => /└─+$/.test(l))).toBe(true);
    expect(chart.some((l) => /08:00:00 +08:04:00 +\(UTC\)/.test(l))).toBe(true);
  });

  it('colour only when asked: failing gates red, NO_COLOR output has no escape codes; verdicts spelled out in a table', async () => {
    const w = world();
    const {deps} = simulatedCutover(w);
    await shiftWorkflow({app: 'shop', to: '5', ...FAST}, deps);
    const r = {...(await statusWorkflow({app: 'shop'}, deps)), gates: {'shop-web-5xx-rate': 'ALARM' as const, 'shop-web-p99-latency': 'OK' as const}};
    const coloured = renderStatus(r, {color: true, columns: 100, now: w.t});
    expect(coloured).toContain('\u001b[1;31m  ✗ shop-web-5xx-rate: ALARM\u001b[0m');
    const text = renderStatus(r, {...plain, now: w.t});
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toMatch(/AWS share\s+verified at \(UTC\)\s+outcome\s+gate polls\s+requests/);
    expect(text).toMatch(/1%\s+\S+ \S+\s+passed\s+\d+ pass/);
    expect(text).not.toMatch(/\| 1% \|/);
  });
});
