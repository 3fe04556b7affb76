/** The secrets import workflow over in-memory ports: all-or-nothing, idempotent, journaled. */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {buildPlan, canonicalJson} from '../../src/domain/plan.ts';
import type {AppModel} from '../../src/domain/model.ts';
import type {HerokuSource} from '../../src/ports/heroku.ts';
import {PENDING_STAGE, secretsImport} from '../../src/workflows/secrets-import.ts';
import {ROOT, tempDir} from '../support/cli.ts';
import {memorySecretStore} from '../support/memory-secrets.ts';
import {writeFileSync} from 'node:fs';

const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'templates/addons/catalog.json'), 'utf8')));
const initialVars = {API_KEY: 'k1', DATABASE_URL: 'postgres://u:p@h/d', PORT: '5000', NOTE: 'multi\nline'};
const vars: Record<string, string> = {...initialVars};
beforeEach(() => Object.assign(vars, initialVars));
const model: AppModel = {
  name: 'shop',
  origin: 'heroku',
  buildpacks: [],
  processes: [{type: 'web', command: 'node s.js', quantity: 1, size: 'standard-1x'}],
  configVars: Object.keys(vars).map((name) => ({name})),
  addons: [{name: 'pg', service: 'heroku-postgresql', plan: 'standard-0', configVars: ['DATABASE_URL'], attachments: ['DATABASE']}],
  domains: [],
  logDrains: [],
};

function setup(storeHooks: Parameters<typeof memorySecretStore>[0] = {}) {
  const dir = tempDir();
  writeFileSync(join(dir, 'plan.json'), canonicalJson(buildPlan(model, catalog, {source: 'test'}), 2));
  const state = createLocalState(dir, 'shop', {now: () => new Date('2026-11-26T00:00:00Z')});
  const store = memorySecretStore(storeHooks);
  const heroku = {getConfigVars: async () => ({...vars}), stats: () => ({requests: 1, retries: 0})} as unknown as HerokuSource;
  const deps = {state, heroku: async () => heroku, secrets: async () => store, keys: async () => ({checkKey: async (k: string) => ({arn: k})}), clock: {now: () => new Date()}, env: {}};
  return {dir, state, store, deps};
}
const current = (store: ReturnType<typeof memorySecretStore>) => [...store.secrets.get('heroku2aws/shop')!.versions].find(([, v]) => v.stages.has('AWSCURRENT'));

describe('secrets import workflow', () => {
  it('writes the app vars and the shared store URL (not platform vars), verifies, promotes and clears the pending label', async () => {
    const {store, deps, state} = setup();
    const r = await secretsImport({app: 'shop'}, deps);
    expect(r.written).toBe(true);
    const [id, v] = current(store)!;
    expect(id).toBe(r.versionId);
    expect(JSON.parse(v.value)).toEqual({API_KEY: 'k1', DATABASE_URL: 'postgres://u:p@h/d', NOTE: 'multi\nline'});
    expect([...v.stages]).toEqual(['AWSCURRENT']);
    expect((await state.readState()).secret?.versionId).toBe(id);
  });

  it('an active remap in the state replaces the shared Heroku value; an inactive one does not', async () => {
    const {store, deps, state} = setup();
    await state.writeState({schemaVersion: '1.0', app: 'shop', addons: {pg: {remaps: {DATABASE_URL: {value: 'postgres://rds.example/d', active: false}}}}});
    await secretsImport({app: 'shop'}, deps);
    expect(JSON.parse(current(store)![1].value).DATABASE_URL).toBe('postgres://u:p@h/d');
    await state.writeState({...(await state.readState()), addons: {pg: {remaps: {DATABASE_URL: {value: 'postgres://rds.example/d', active: true}}}}});
    const r = await secretsImport({app: 'shop'}, deps);
    expect(r.diff.changed).toEqual(['DATABASE_URL']);
    expect(JSON.parse(current(store)![1].value).DATABASE_URL).toBe('postgres://rds.example/d');
  });

  it('a second version goes through the pending label; the previous one becomes AWSPREVIOUS', async () => {
    const {store, deps} = setup();
    const first = await secretsImport({app: 'shop'}, deps);
    vars.API_KEY = 'k2';
    const second = await secretsImport({app: 'shop'}, deps);
    vars.API_KEY = 'k1';
    const versions = store.secrets.get('heroku2aws/shop')!.versions;
    expect([...versions.get(first.versionId!)!.stages]).toEqual(['AWSPREVIOUS']);
    expect([...versions.get(second.versionId!)!.stages]).toEqual(['AWSCURRENT']);
    expect(second.diff.changed).toEqual(['API_KEY']);
  });

  it('a version that does not read back as written is never made current', async () => {
    const {store, deps} = setup();
    const first = await secretsImport({app: 'shop'}, deps);
    vars.API_KEY = 'k3';
    const bad = setup({corruptReadOf: (id) => id !== first.versionId});
    bad.store.secrets.set('heroku2aws/shop', store.secrets.get('heroku2aws/shop')!);
    await expect(secretsImport({app: 'shop'}, bad.deps)).rejects.toThrow(/did not read back as written \(keys: NOTE\); it was not made current/);
    vars.API_KEY = 'k1';
    expect(current(store)![0]).toBe(first.versionId);
    for (const v of store.secrets.get('heroku2aws/shop')!.versions.values()) expect(v.stages.has(PENDING_STAGE)).toBe(false);
  });

  it('a brand-new secret that fails verification keeps only its empty placeholder current, and says so', async () => {
    const {store, deps} = setup({corruptReadOf: (id) => !id.startsWith('initial-')});
    await expect(secretsImport({app: 'shop'}, deps)).rejects.toThrow(/not made current\. Secret heroku2aws\/shop was created and holds only an empty placeholder \(\{\}\) as its current version/);
    expect(current(store)![1].value).toBe('{}');
    for (const v of store.secrets.get('heroku2aws/shop')!.versions.values()) expect(v.stages.has(PENDING_STAGE)).toBe(false);
  });

  it('a failed first PutSecretValue leaves the placeholder, not an empty secret, and the message says it was created', async () => {
    const {store, deps} = setup({failOn: 'putVersion'});
    await expect(secretsImport({app: 'shop'}, deps)).rejects.toThrow(/^injected failure in putVersion\. Secret heroku2aws\/shop was created and holds only an empty placeholder/);
    expect(current(store)![1].value).toBe('{}');
    const ok = setup();
    ok.store.secrets.set('heroku2aws/shop', store.secrets.get('heroku2aws/shop')!);
    const r = await secretsImport({app: 'shop'}, {...ok.deps, state: deps.state});
    expect(r.written).toBe(true);
    expect(JSON.parse(current(store)![1].value)).toMatchObject({API_KEY: 'k1'});
  });

  it('a pending label left on the current version (killed during promotion) is removed by the next run', async () => {
    const {store, deps, state} = setup();
    const first = await secretsImport({app: 'shop'}, deps);
    store.secrets.get('heroku2aws/shop')!.versions.get(first.versionId!)!.stages.add(PENDING_STAGE);
    const r = await secretsImport({app: 'shop'}, deps);
    expect(r.written).toBe(false);
    expect(r.warnings.join()).toMatch(/Removed the HEROKU2AWS_PENDING label .* on the current version/);
    expect([...store.secrets.get('heroku2aws/shop')!.versions.get(first.versionId!)!.stages]).toEqual(['AWSCURRENT']);
    expect((await state.readJournal()).filter((e) => e.op === 'secret-repair').map((e) => e.phase)).toEqual(['intent', 'result']);
  });

  it('a crash after the pending write converges on re-run without a second version', async () => {
    const {store, deps, state} = setup();
    await secretsImport({app: 'shop'}, deps);
    vars.API_KEY = 'k4';
    const crashing = setup({failOn: 'promote'});
    crashing.store.secrets.set('heroku2aws/shop', store.secrets.get('heroku2aws/shop')!);
    await expect(secretsImport({app: 'shop'}, {...crashing.deps, state})).rejects.toThrow(/injected failure in promote/);
    const versionsAfterCrash = store.secrets.get('heroku2aws/shop')!.versions.size;
    expect(JSON.parse(current(store)![1].value).API_KEY).toBe('k1');
    const r = await secretsImport({app: 'shop'}, deps);
    vars.API_KEY = 'k1';
    expect(store.secrets.get('heroku2aws/shop')!.versions.size).toBe(versionsAfterCrash);
    expect(current(store)![0]).toBe(r.versionId);
    expect(JSON.parse(current(store)![1].value).API_KEY).toBe('k4');
    const phases = (await state.readJournal()).filter((e) => e.op === 'secret-write').map((e) => `${e.phase}:${e.ok ?? ''}`);
    expect(phases).toEqual(['intent:', 'result:true', 'verify:true', 'intent:', 'result:true', 'result:false', 'intent:', 'result:true', 'verify:true']);
  });
});
