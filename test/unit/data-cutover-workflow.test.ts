/**
 * The cutover workflow over in-memory ports: a failure after the remap was activated (the secret
 * write fails) unfreezes Heroku on the old store and deactivates the remap; the journal shows it.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {parseCatalog} from '../../src/domain/catalog.ts';
import type {PgInventory} from '../../src/domain/data-copy.ts';
import type {AppModel} from '../../src/domain/model.ts';
import {buildPlan, canonicalJson} from '../../src/domain/plan.ts';
import type {PostgresTools, RedisTools} from '../../src/ports/data.ts';
import type {HerokuSource} from '../../src/ports/heroku.ts';
import type {HerokuControl} from '../../src/ports/heroku-control.ts';
import {dataCutover} from '../../src/workflows/data-cutover.ts';
import {ROOT, tempDir} from '../support/cli.ts';
import {memorySecretStore} from '../support/memory-secrets.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'templates/addons/catalog.json'), 'utf8')));
const model: AppModel = {
  name: 'shop',
  origin: 'heroku',
  buildpacks: [],
  processes: [
    {type: 'web', command: 'node s.js', quantity: 2, size: 'standard-1x'},
    {type: 'worker', command: 'node w.js', quantity: 3, size: 'standard-1x'},
  ],
  configVars: [{name: 'DATABASE_URL'}, {name: 'API_KEY'}],
  addons: [{name: 'pg', service: 'heroku-postgresql', plan: 'standard-0', configVars: ['DATABASE_URL'], attachments: ['DATABASE']}],
  domains: [],
  logDrains: [],
};
const inv: PgInventory = {versionNum: 160002, version: '16', tables: {'public.t': 3}, sequences: {}, indexes: [], foreignKeys: [], views: [], functions: [], triggers: [], extensions: [], dataBytes: 1};

it('a secret write that fails after activation: Heroku unfrozen as it was, remap inactive, copy marked stale', async () => {
  const dir = tempDir();
  const plan = buildPlan(model, catalog, {source: 'test'});
  writeFileSync(join(dir, 'plan.json'), canonicalJson(plan, 2));
  const addon = plan.addons.find((a) => a.category === 'postgres')!.name;
  const state = createLocalState(dir, 'shop', {now: () => new Date('2026-11-26T00:00:00Z')});
  await state.writeState({schemaVersion: '1.0', app: 'shop', addons: {[addon]: {remaps: {DATABASE_URL: {value: 'postgres://rds:x@rds.example:5432/shop', active: false}}}}});
  const heroku = {
    app: {id: '1', name: 'shop', maintenance: false},
    formation: [
      {type: 'web', quantity: 2, command: ''},
      {type: 'worker', quantity: 3, command: ''},
    ],
  };
  const source: HerokuSource = {
    getApp: async () => ({...heroku.app}),
    listFormation: async () => heroku.formation.map((f) => ({...f})),
    getConfigVars: async () => ({DATABASE_URL: 'postgres://u:heroku-pw@heroku.example:5432/d', API_KEY: 'k'}),
    stats: () => ({requests: 1, retries: 0}),
  } as unknown as HerokuSource;
  const writes: string[] = [];
  const control: HerokuControl = {
    setMaintenance: async (_app, on) => (writes.push(`maintenance=${on}`), (heroku.app.maintenance = on)),
    scale: async (_app, updates) => {
      for (const u of updates) heroku.formation.find((f) => f.type === u.type)!.quantity = u.quantity;
      writes.push(updates.map((u) => `${u.type}=${u.quantity}`).join(','));
      return {};
    },
  };
  const pg: PostgresTools = {
    probe: async () => ({versionNum: 160002, version: '16', objects: 0, dataBytes: 1}),
    clientVersion: async () => 160000,
    inventory: async () => inv,
    wipe: async () => undefined,
    freeSpace: async () => 1e12,
    dump: async () => ({dir: '/x', result: {tables: 1, bytes: 1, seconds: 0}}),
    restore: async () => ({tables: 1, bytes: 1, seconds: 0}),
    removeDump: async () => undefined,
  };
  const store = memorySecretStore({failOn: 'putVersion'});
  const redeploys: string[][] = [];
  const deps = {
    services: async () => ({
      forceNewDeployment: async (_cluster: string, names: string[]) => {
        redeploys.push(names);
        return {deployed: names, missing: []};
      },
    }),
    state,
    heroku: async () => source,
    control: async () => control,
    confirm: async () => undefined,
    secrets: async () => store,
    keys: async () => ({checkKey: async (k: string) => ({arn: k})}),
    postgres: async () => pg,
    redis: async () => ({}) as RedisTools,
    clock: {now: () => new Date('2026-11-26T00:00:00Z')},
    env: {},
    tmpDir: '/tmp',
  };
  await expect(dataCutover({app: 'shop', addon: 'postgres', region: 'us-east-1'}, deps)).rejects.toThrow(/injected failure in putVersion.*Heroku was unfrozen on the old store/);
  expect(writes).toEqual(['maintenance=true', 'worker=0', 'worker=3', 'maintenance=false']);
  expect(redeploys).toEqual([]); // the secret never switched, so nothing was redeployed
  const entry = (await state.readState()).addons![addon]!;
  expect(entry.remaps.DATABASE_URL!.active).toBe(false);
  expect(entry.data?.phase).toBe('stale');
  expect(entry.data?.details?.cutover).toBeUndefined();
  const steps = (await state.readJournal()).filter((e) => e.op === 'data-cutover').map((e) => `${e.details?.step}:${e.phase}`);
  expect(steps).toEqual(['freeze:intent', 'freeze:result', 'copy:intent', 'copy:result', 'activate:intent', 'activate:result', 'unfreeze:intent', 'unfreeze:result']);
});
