/**
 * finalize --destroy-addons over in-memory ports: the backup confirmation rules (pure), and the
 * workflow's order: every backup confirmed before the second confirmation, the second
 * confirmation before any DELETE; a failed confirmation or a refused second confirmation
 * destroys nothing; after a destroy, --undo is refused.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {backupProblems, destroyHistory, withDestroyHistory, type RetirementRecord} from '../../src/domain/finalize.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import type {EdgeBalancer, EdgeView} from '../../src/ports/edge.ts';
import type {FinalizeBackupTools} from '../../src/ports/finalize-backup.ts';
import type {HerokuControl} from '../../src/ports/heroku-control.ts';
import type {HerokuSource} from '../../src/ports/heroku.ts';
import {renderRetirementMd} from '../../src/render/finalize.ts';
import {finalizeWorkflow, type FinalizeDeps} from '../../src/workflows/finalize.ts';
import {ROOT, tempDir} from '../support/cli.ts';

describe('backup confirmation rules', () => {
  it('needs a non-empty file listing every source table', () => {
    expect(backupProblems({bytes: 10, sourceTables: ['public.a', 'b.c'], tocTables: ['b.c', 'public.a', 'public.z']})).toEqual([]);
    expect(backupProblems({bytes: 0, sourceTables: [], tocTables: []})).toEqual(['the dump file is empty']);
    expect(backupProblems({bytes: 5, sourceTables: ['public.a', 'public.b'], tocTables: ['public.a']})).toEqual(['pg_restore --list does not list 1 source table(s): public.b']);
  });

  it('reads confirmed backups and destroyed add-ons from the journal, and folds them into the record', () => {
    const j = [
      {at: 't1', id: 'r/backup', op: 'finalize', phase: 'result' as const, ok: true, details: {step: 'backup', backup: {addon: 'DATABASE', path: '/b/x.dump', bytes: 9, sha256: 'ab', tables: ['public.a']}}},
      {at: 't2', id: 'r/destroy', op: 'finalize', phase: 'result' as const, ok: false, details: {step: 'destroy', addon: {name: 'papertrail', id: '1', service: 'papertrail'}}},
      {at: 't3', id: 'r/destroy', op: 'finalize', phase: 'result' as const, ok: true, details: {step: 'destroy', addon: {name: 'DATABASE', id: '2', service: 'heroku-postgresql'}}},
    ];
    const h = destroyHistory(j);
    expect(h.backups).toEqual([{addon: 'DATABASE', path: '/b/x.dump', bytes: 9, sha256: 'ab', tables: ['public.a'], at: 't1'}]);
    expect(h.destroyed).toEqual([{name: 'DATABASE', id: '2', service: 'heroku-postgresql', at: 't3'}]);
    const record = {addonsDestroyed: false, remainsOnHeroku: ['the app', 'add-on DATABASE (heroku-postgresql): still billed', 'add-on papertrail (papertrail): still billed']} as RetirementRecord;
    const next = withDestroyHistory(record, h);
    expect(next.addonsDestroyed).toBe(true);
    expect(next.remainsOnHeroku).toEqual(['the app', 'add-on papertrail (papertrail): still billed']);
    expect(withDestroyHistory(record, {backups: [], destroyed: []})).toBe(record);
  });
});

const H = 'pool-heroku';
const A = 'pool-aws';

function world() {
  const dir = tempDir();
  const plan = JSON.parse(readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8'));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  const addons = Object.fromEntries(
    (plan.addons as {name: string; strategy: string}[]).filter((a) => a.strategy.includes('window')).map((a) => [a.name, {remaps: {}, data: {phase: 'cut-over', updatedAt: '2026-11-01T00:00:00.000Z'}}]),
  );
  writeFileSync(
    join(dir, 'state.json'),
    JSON.stringify({
      schemaVersion: '1.0',
      app: 'shop',
      addons,
      aws: {albArn: 'arn:alb', albDnsName: 'alb.example.com', albFullName: 'app/shop/1'},
      edge: {zoneId: 'z', accountId: 'a', hostname: 'shop.example.com', namePrefix: 'heroku2aws-shop', loadBalancerId: 'lb', herokuPoolId: H, awsPoolId: A, monitorPath: '/', herokuAddress: 'shop.herokuapp.com', herokuHostHeader: null},
    }),
  );
  writeFileSync(join(dir, 'journal.jsonl'), JSON.stringify({at: '2026-11-01T00:00:00.000Z', id: 'r', op: 'rollback', phase: 'verify', ok: true, details: {live: 100}}) + '\n');
  let clock = Date.parse('2026-11-02T00:00:00.000Z');
  const lb = {defaultPools: [H, A], fallback: H};
  const view = (): EdgeView => ({loadBalancerId: 'lb', hostname: 'shop.example.com', steeringPolicy: 'random', herokuPoolId: H, awsPoolId: A, awsShare: 100, fallbackPoolId: lb.fallback, defaultPools: [...lb.defaultPools], awsPoolEnabled: true, sessionAffinity: 'none', adaptiveFailover: false});
  const edge = {
    read: async () => view(),
    awsPoolHealth: async () => 'healthy' as const,
    retireHerokuPool: async () => (Object.assign(lb, {defaultPools: [A], fallback: A}), view()),
    restoreHerokuPool: async () => (Object.assign(lb, {defaultPools: [H, A], fallback: H}), view()),
  } as unknown as EdgeBalancer;
  const live = {
    formation: {web: 2} as Record<string, number>,
    maintenance: false,
    addons: (plan.addons as {name: string}[]).map((a, i) => ({id: `id-${i}`, name: a.name, addon_service: {name: a.name}, plan: {name: 'x'}, config_vars: a.name === 'DATABASE' ? ['DATABASE_URL'] : []})),
  };
  const events: string[] = [];
  const source = {
    listFormation: async () => Object.entries(live.formation).map(([type, quantity]) => ({type, quantity, command: 'x', size: 'Standard-2X'})),
    getApp: async () => ({id: '1', name: 'shop', maintenance: live.maintenance}),
    listAddons: async () => live.addons,
    getConfigVars: async () => ({DATABASE_URL: 'postgres://u:unit-pw-canary@db.example.com:5432/d'}),
  } as unknown as HerokuSource;
  const control: HerokuControl = {
    scale: async (_a, updates) => (updates.forEach((u) => (live.formation[u.type] = u.quantity)), {...live.formation}),
    setMaintenance: async (_a, on) => ((live.maintenance = on), on),
    async destroyAddon(_a, idOrName) {
      const found = live.addons.find((a) => a.id === idOrName)!;
      live.addons = live.addons.filter((a) => a !== found);
      events.push(`destroy ${found.name}`);
      return {id: found.id, name: found.name, state: 'deprovisioned'};
    },
  };
  const toc = {tables: ['public.a', 'public.b']};
  const tools: FinalizeBackupTools = {
    checkDir: async () => void events.push('checkDir'),
    sourceTables: async () => ['public.a', 'public.b'],
    dump: async (_u, file) => (events.push(`dump ${file}`), {bytes: 42, sha256: 'f'.repeat(64)}),
    listTables: async () => toc.tables,
  };
  const secondConfirm = {answer: true};
  const files: Record<string, string> = {};
  const deps: FinalizeDeps = {
    state: createLocalState(dir, 'shop', {now: () => new Date(clock)}),
    edge: async () => edge,
    metrics: async () => ({alarmStates: async (names: string[]) => Object.fromEntries(names.map((n) => [n, 'OK' as const])), requestCount: async () => 0}),
    heroku: async () => source,
    control: async () => control,
    writeFiles: async (d, contents) => (Object.assign(files, contents), Object.keys(contents).map((k) => join(d, k))),
    renderRecord: renderRetirementMd,
    readText: async (path) => files[path.split('/').pop()!],
    now: () => (clock += 1000),
    env: {},
    confirm: async () => undefined,
    backup: async () => tools,
    confirmDestroy: async () => {
      events.push('confirmDestroy');
      if (!secondConfirm.answer) throw new MigrateError('usage', 'Cancelled: no add-on was destroyed.');
    },
  };
  const journal = () => readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return {deps, live, events, toc, secondConfirm, files, journal};
}

const DESTROY = {app: 'shop', minHoldMs: 0, destroy: {backupDir: '/backups', noRedisBackup: true}};

describe('finalize workflow --destroy-addons', () => {
  it('backs up, asks the second confirmation, then destroys the add-ons not kept; undo is refused after', async () => {
    const w = world();
    const r = await finalizeWorkflow({...DESTROY, keepAddons: ['sendgrid']}, w.deps);
    expect(w.events[0]).toBe('checkDir');
    expect(w.events[1]).toMatch(/^dump \/backups\/shop-DATABASE-.*\.dump$/);
    expect(w.events.slice(2)).toEqual(['confirmDestroy', 'destroy DATABASE', 'destroy heroku-redis', 'destroy papertrail', 'destroy scheduler']);
    expect(w.live.addons.map((a) => a.name)).toEqual(['sendgrid']);
    expect(r.backups).toEqual([expect.objectContaining({addon: 'DATABASE', bytes: 42, tables: ['public.a', 'public.b']})]);
    expect(r.destroyed.map((d) => d.name)).toEqual(['DATABASE', 'heroku-redis', 'papertrail', 'scheduler']);
    const record = JSON.parse(w.files['retirement.json']!);
    expect(record.addonsDestroyed).toBe(true);
    expect(record.backups[0].sha256).toBe('f'.repeat(64));
    await expect(finalizeWorkflow({app: 'shop', undo: true}, w.deps)).rejects.toThrow(/Undo is no longer possible/);
    expect(w.live.maintenance).toBe(true);
  });

  it('a destroy that died between intent and result (crash) still refuses --undo', async () => {
    const w = world();
    await finalizeWorkflow({app: 'shop', minHoldMs: 0}, w.deps);
    await w.deps.state.journal({id: 'x/destroy', op: 'finalize', phase: 'intent', details: {step: 'destroy', addon: {name: 'DATABASE', id: 'id-0', service: 'heroku-postgresql'}}});
    await expect(finalizeWorkflow({app: 'shop', undo: true}, w.deps)).rejects.toThrow(/Undo is no longer possible: finalize --destroy-addons started to destroy DATABASE/);
    expect(w.live.maintenance).toBe(true);
  });

  it('a backup whose table of contents misses a source table stops everything before any destroy', async () => {
    const w = world();
    w.toc.tables = ['public.a'];
    await expect(finalizeWorkflow(DESTROY, w.deps)).rejects.toThrow(/not confirmed: pg_restore --list does not list 1 source table\(s\): public.b[\s\S]*Nothing was destroyed/);
    expect(w.events).not.toContain('confirmDestroy');
    expect(w.live.addons).toHaveLength(5);
    const steps = w.journal().filter((l) => l.details?.step === 'backup' || l.details?.step === 'destroy');
    expect(steps.map((l) => `${l.details.step}:${l.phase}:${l.ok ?? ''}`)).toEqual(['backup:intent:', 'backup:result:false']);
  });

  it('a refused second confirmation destroys nothing; Redis without --no-redis-backup is refused before any write', async () => {
    const w = world();
    w.secondConfirm.answer = false;
    await expect(finalizeWorkflow(DESTROY, w.deps)).rejects.toThrow(/Cancelled/);
    expect(w.live.addons).toHaveLength(5);
    const v = world();
    await expect(finalizeWorkflow({...DESTROY, destroy: {backupDir: '/b'}}, v.deps)).rejects.toThrow(/no Redis backup in this version/);
    expect(v.live.maintenance).toBe(false);
    expect(v.events).toEqual([]);
  });
});
