/**
 * The finalize workflow over in-memory Cloudflare, CloudWatch and Heroku ports and the real local
 * state: a run that dies after scaling resumes from the journal (the formation it recorded), and
 * --undo restores exactly that; a failed edge write is journaled and stops before Heroku.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {EdgeBalancer, EdgeView} from '../../src/ports/edge.ts';
import type {HerokuControl} from '../../src/ports/heroku-control.ts';
import type {HerokuSource} from '../../src/ports/heroku.ts';
import {renderRetirementMd} from '../../src/render/finalize.ts';
import {finalizeWorkflow, type FinalizeDeps} from '../../src/workflows/finalize.ts';
import {ROOT, tempDir} from '../support/cli.ts';

const H = 'pool-heroku';
const A = 'pool-aws';

function world() {
  const dir = tempDir();
  const plan = JSON.parse(readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8'));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  const addons = Object.fromEntries(
    (plan.addons as {name: string; strategy: string}[]).filter((a) => a.strategy.includes('window')).map((a) => [a.name, {remaps: {}, data: {phase: 'cut-over', updatedAt: '2026-11-01T00:00:00.000Z'}}]),
  );
  const state = {
    schemaVersion: '1.0',
    app: 'shop',
    addons,
    aws: {albArn: 'arn:alb', albDnsName: 'alb.example.com', albFullName: 'app/shop/1'},
    edge: {zoneId: 'z', accountId: 'a', hostname: 'shop.example.com', namePrefix: 'heroku2aws-shop', loadBalancerId: 'lb', herokuPoolId: H, awsPoolId: A, monitorPath: '/', herokuAddress: 'shop.herokuapp.com', herokuHostHeader: null},
  };
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  writeFileSync(join(dir, 'journal.jsonl'), JSON.stringify({at: '2026-11-01T00:00:00.000Z', id: 'r', op: 'rollback', phase: 'verify', ok: true, details: {live: 100}}) + '\n');
  let clock = Date.parse('2026-11-02T00:00:00.000Z');
  const lb = {defaultPools: [H, A], fallback: H, weights: {[H]: 0, [A]: 1} as Record<string, number>};
  const view = (): EdgeView => {
    const total = lb.defaultPools.reduce((s, p) => s + (lb.weights[p] ?? 0), 0);
    return {loadBalancerId: 'lb', hostname: 'shop.example.com', steeringPolicy: 'random', herokuPoolId: H, awsPoolId: A, awsShare: lb.defaultPools.includes(A) && total ? Math.round(((lb.weights[A] ?? 0) / total) * 100) : 0, fallbackPoolId: lb.fallback, defaultPools: [...lb.defaultPools], awsPoolEnabled: true, sessionAffinity: 'none', adaptiveFailover: false};
  };
  const edgeFaults = {retire: 0};
  const edge = {
    read: async () => view(),
    awsPoolHealth: async () => 'healthy' as const,
    async retireHerokuPool() {
      if (edgeFaults.retire-- > 0) throw new MigrateError('upstream', 'Cloudflare 502');
      Object.assign(lb, {defaultPools: [A], fallback: A, weights: {[H]: 0, [A]: 1}});
      return view();
    },
    async restoreHerokuPool() {
      Object.assign(lb, {defaultPools: [H, A], fallback: H, weights: {[H]: 0, [A]: 1}});
      return view();
    },
  } as unknown as EdgeBalancer;
  const heroku = {formation: {web: 2, worker: 1, clock: 0} as Record<string, number>, maintenance: false, failMaintenance: 0};
  const source = {
    listFormation: async () => Object.entries(heroku.formation).map(([type, quantity]) => ({type, quantity, command: 'x', size: type === 'web' ? 'Standard-2X' : 'Performance-M'})),
    getApp: async () => ({id: '1', name: 'shop', maintenance: heroku.maintenance}),
  } as unknown as HerokuSource;
  const control: HerokuControl = {
    async scale(_app, updates) {
      for (const u of updates) heroku.formation[u.type] = u.quantity;
      return {...heroku.formation};
    },
    async setMaintenance(_app, on) {
      if (heroku.failMaintenance-- > 0) throw new Error('process killed');
      heroku.maintenance = on;
      return on;
    },
  };
  const files: Record<string, string> = {};
  const deps: FinalizeDeps = {
    state: createLocalState(dir, 'shop', {now: () => new Date(clock)}),
    edge: async () => edge,
    metrics: async () => ({alarmStates: async (names: string[]) => Object.fromEntries(names.map((n) => [n, 'OK' as const])), requestCount: async () => 0}),
    heroku: async () => source,
    control: async () => control,
    writeFiles: async (d, contents) => {
      Object.assign(files, contents);
      return Object.keys(contents).map((k) => join(d, k));
    },
    renderRecord: renderRetirementMd,
    readText: async (path) => files[path.split('/').pop()!],
    now: () => (clock += 1000),
    env: {},
    confirm: async () => undefined,
  };
  const journal = () => readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return {deps, lb, heroku, files, journal, edgeFaults};
}

describe('finalize workflow', () => {
  it('resumes after dying between scale and maintenance, keeping the recorded formation for --undo', async () => {
    const w = world();
    w.heroku.failMaintenance = 1;
    await expect(finalizeWorkflow({app: 'shop', minHoldMs: 0}, w.deps)).rejects.toThrow('process killed');
    expect(w.heroku.formation).toEqual({web: 0, worker: 0, clock: 0});
    const r = await finalizeWorkflow({app: 'shop', minHoldMs: 0}, w.deps);
    expect(r.skipped).toEqual(['Heroku pool already out of the load balancer', 'Heroku formation already at 0']);
    expect(r.changed).toEqual(['Heroku: maintenance mode on']);
    expect(r.formation).toEqual([
      {type: 'web', quantity: 2, size: 'Standard-2X'},
      {type: 'worker', quantity: 1, size: 'Performance-M'},
      {type: 'clock', quantity: 0, size: 'Performance-M'},
    ]);
    expect(JSON.parse(w.files['retirement.json']!).formation[0]).toEqual({type: 'web', quantity: 2, size: 'Standard-2X'});
    const u = await finalizeWorkflow({app: 'shop', undo: true}, w.deps);
    expect(u.changed).toHaveLength(3);
    expect(w.heroku).toMatchObject({formation: {web: 2, worker: 1, clock: 0}, maintenance: false});
    expect(w.lb).toMatchObject({defaultPools: [H, A], fallback: H});
    expect(JSON.parse(w.files['retirement.json']!).status).toBe('undone');
  });

  it('removes the guard first, before Heroku leaves the load balancer, and forgets it', async () => {
    const w = world();
    const dir = w.deps.state.dir;
    const st = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    st.guard = {stackName: 'shop-guard', stackId: 'arn:stack', region: 'eu-west-1', functionName: 'shop-guard', loadBalancerId: 'lb', alarms: ['a'], tokenSecretArn: 'arn:secret', installedAt: '2026-11-01T00:00:00.000Z', codeSha256: 'x'};
    writeFileSync(join(dir, 'state.json'), JSON.stringify(st));
    const deleted: string[] = [];
    const r = await finalizeWorkflow({app: 'shop', minHoldMs: 0}, {...w.deps, guardRemover: async (region) => ({deleteStack: async (name) => Boolean(deleted.push(`${region}/${name}`))})});
    expect(deleted).toEqual(['eu-west-1/shop-guard']);
    expect(r.changed[0]).toMatch(/^Guard: stack shop-guard deleted in eu-west-1/);
    const ops = w.journal().map((l) => `${l.op}:${l.details?.step ?? ''}:${l.phase}`);
    expect(ops.indexOf('guard-remove::result')).toBeLessThan(ops.indexOf('finalize:edge:intent'));
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).guard).toBeUndefined();
  });

  it('a failed edge write is journaled (result ok: false) and Heroku is not touched', async () => {
    const w = world();
    w.edgeFaults.retire = 1;
    await expect(finalizeWorkflow({app: 'shop', minHoldMs: 0}, w.deps)).rejects.toThrow('Cloudflare 502');
    expect(w.heroku).toMatchObject({formation: {web: 2, worker: 1, clock: 0}, maintenance: false});
    const edgeLines = w.journal().filter((l) => l.op === 'finalize');
    expect(edgeLines.map((l) => `${l.details.step}:${l.phase}:${l.ok ?? ''}`)).toEqual(['edge:intent:', 'edge:result:false']);
  });

  it('refuses without a journaled 100% even when the live share is 100%, and writes nothing', async () => {
    const w = world();
    writeFileSync(join(w.deps.state.dir, 'journal.jsonl'), '');
    await expect(finalizeWorkflow({app: 'shop', minHoldMs: 0}, w.deps)).rejects.toThrow(/no verified read-back at 100% AWS/);
    expect(w.lb.defaultPools).toEqual([H, A]);
    expect(readFileSync(join(w.deps.state.dir, 'journal.jsonl'), 'utf8')).toBe('');
  });
});
