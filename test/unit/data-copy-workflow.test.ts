/** The data copy workflow over in-memory ports: refusals write nothing; a failed copy is never marked verified. */
import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import type {PgInventory} from '../../src/domain/data-copy.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {canonicalJson} from '../../src/domain/plan.ts';
import type {PostgresTools, RedisTools} from '../../src/ports/data.ts';
import type {HerokuSource} from '../../src/ports/heroku.ts';
import {dataCopy} from '../../src/workflows/data-copy.ts';
import {ROOT, tempDir} from '../support/cli.ts';
import {pgShopPlan} from '../support/plans.ts';

const SRC = 'postgres://u:src-canary@heroku.example:5432/d';
const inv = (rows: number): PgInventory => ({versionNum: 160002, version: '16.2', tables: {'public.t': rows}, sequences: {}, indexes: [], foreignKeys: [], views: [], functions: [], triggers: [], extensions: [], dataBytes: 10_000_000_000});

function setup(tools: Partial<PostgresTools>) {
  const dir = tempDir();
  writeFileSync(join(dir, 'plan.json'), canonicalJson(pgShopPlan(), 2));
  const state = createLocalState(dir, 'shop', {now: () => new Date('2026-11-26T00:00:00Z')});
  const calls: string[] = [];
  const pg: PostgresTools = {
    probe: async (_u, role) => ({versionNum: role === 'source' ? 160002 : 160004, version: '16', objects: 0, dataBytes: 10_000_000_000}),
    clientVersion: async () => 170000,
    inventory: async () => inv(5),
    wipe: async () => void calls.push('wipe'),
    freeSpace: async () => 100_000_000_000,
    dump: async () => (calls.push('dump'), {dir: '/tmp/x', result: {tables: 1, bytes: 1, seconds: 1}}),
    restore: async () => (calls.push('restore'), {tables: 1, bytes: 1, seconds: 1}),
    removeDump: async () => void calls.push('removeDump'),
    ...tools,
  };
  const heroku = {getConfigVars: async () => ({DATABASE_URL: SRC}), stats: () => ({requests: 1, retries: 0})} as unknown as HerokuSource;
  const deps = {
    state,
    heroku: async () => heroku,
    secrets: async () => {
      throw new Error('not used');
    },
    postgres: async () => pg,
    redis: async () => ({}) as RedisTools,
    clock: {now: () => new Date('2026-11-26T00:00:00Z')},
    env: {TGT: 'postgres://rds:tgt-canary@rds.example:5432/shop'},
    tmpDir: '/tmp',
  };
  return {dir, state, calls, deps, input: {app: 'shop', addon: 'postgres', frozen: true, target: {env: 'TGT'}}};
}

const fails = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(MigrateError);
    return err as MigrateError;
  }
  throw new Error('expected a failure');
};

describe('data copy workflow', () => {
  it('the source count failing while pg_dump still runs is the copy\'s failure, not a crash of the process', () => {
    // in a child process: Node's own unhandled-rejection rule (the default ends the process), which
    // this test runner's sandbox would hide
    const script = join(tempDir(), 'count-fails.ts');
    writeFileSync(
      script,
      `import {createLocalState} from ${JSON.stringify(join(ROOT, 'src/adapters/state/local-state.ts'))};
import {MigrateError} from ${JSON.stringify(join(ROOT, 'src/domain/errors.ts'))};
import {canonicalJson} from ${JSON.stringify(join(ROOT, 'src/domain/plan.ts'))};
import {dataCopy} from ${JSON.stringify(join(ROOT, 'src/workflows/data-copy.ts'))};
import {pgShopPlan} from ${JSON.stringify(join(ROOT, 'test/support/plans.ts'))};
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'h2a-count-'));
writeFileSync(join(dir, 'plan.json'), canonicalJson(pgShopPlan(), 2));
const state = createLocalState(dir, 'shop', {now: () => new Date()});
const calls = [];
const inv = {versionNum: 160002, version: '16.2', tables: {'public.t': 5}, sequences: {}, indexes: [], foreignKeys: [], views: [], functions: [], triggers: [], extensions: [], dataBytes: 1};
const pg = {
  probe: async () => ({versionNum: 160002, version: '16', objects: 0, dataBytes: 1}),
  clientVersion: async () => 170000,
  inventory: async (_u, role) => { if (role === 'source') throw new MigrateError('forbidden', 'permission denied for table customers'); return inv; },
  wipe: async () => undefined,
  freeSpace: async () => 10 ** 12,
  dump: async () => { await new Promise((r) => setTimeout(r, 300)); calls.push('dump'); return {dir: '/tmp/x', result: {tables: 1, bytes: 1, seconds: 1}}; },
  restore: async () => (calls.push('restore'), {tables: 1, bytes: 1, seconds: 1}),
  removeDump: async () => void calls.push('removeDump'),
};
const deps = {state, heroku: async () => ({getConfigVars: async () => ({DATABASE_URL: 'postgres://u:p@heroku.example:5432/d'})}), secrets: async () => { throw new Error('unused'); }, postgres: async () => pg, redis: async () => ({}), clock: {now: () => new Date()}, env: {TGT: 'postgres://rds:p2@rds.example:5432/shop'}, tmpDir: '/tmp'};
try {
  await dataCopy({app: 'shop', addon: 'postgres', frozen: true, target: {env: 'TGT'}}, deps);
  console.log('NO FAILURE');
} catch (err) {
  const st = await state.readState();
  console.log(JSON.stringify({error: err.message, calls, phase: Object.values(st.addons ?? {})[0]?.data?.phase}));
}
`,
    );
    const r = spawnSync(process.execPath, ['--no-warnings', script], {encoding: 'utf8'});
    expect({code: r.status, stderr: r.stderr}).toEqual({code: 0, stderr: ''});
    expect(JSON.parse(r.stdout)).toEqual({error: 'permission denied for table customers', calls: ['dump', 'removeDump'], phase: 'copy-failed'});
  });

  it('a source larger than the provisioned RDS instance can grow to is refused before anything is written', async () => {
    const {deps, input, calls, state} = setup({probe: async (_u, role) => ({versionNum: 160002, version: '16', objects: role === 'source' ? 9 : 0, dataBytes: 30 * 1024 ** 3, databaseBytes: 120 * 1024 ** 3})});
    const addon = (await state.readPlan()).addons.find((a) => a.category === 'postgres')!.name;
    await state.writeState({schemaVersion: '1.0', app: 'shop', addons: {[addon]: {remaps: {}, resource: {kind: 'rds-postgresql', id: 'shop-postgres', endpoint: 'rds.example:5432', maxStorageGb: 100}}}});
    const err = await fails(dataCopy({...input, dumpDir: '/tmp'}, {...deps, postgres: async () => ({...(await deps.postgres()), freeSpace: async () => 10 ** 15})}));
    expect(err.message).toMatch(/holds 120\.0 GiB, more than shop-postgres .* can ever hold \(storage autoscaling stops at 100 GiB\)/);
    expect(err.hint).toMatch(/--max-allocated-storage 240/);
    expect(calls).toEqual([]);
    expect(await state.readJournal()).toEqual([]);
    // the same source into a target that is not the provisioned instance is not measured against it
    await state.writeState({schemaVersion: '1.0', app: 'shop', addons: {[addon]: {remaps: {}, resource: {kind: 'rds-postgresql', id: 'shop-postgres', endpoint: 'other.example:5432', maxStorageGb: 100}}}});
    await expect(dataCopy({...input, dumpDir: '/tmp'}, {...deps, postgres: async () => ({...(await deps.postgres()), freeSpace: async () => 10 ** 15})})).resolves.toMatchObject({phase: expect.any(String)});
  });

  it('a dump that would not fit on disk is refused before anything is written', async () => {
    const {deps, input, calls, state} = setup({freeSpace: async () => 1_000_000_000});
    const err = await fails(dataCopy(input, deps));
    expect(err.message).toMatch(/needs about 5.1 GB in \/tmp, but only 1.0 GB is free/);
    expect(err.hint).toMatch(/--dump-dir/);
    expect(calls).toEqual([]);
    expect((await state.readState()).addons).toBeUndefined();
    expect(await state.readJournal()).toEqual([]);
  });

  it('a target older than the source is refused before anything is written', async () => {
    const {deps, input, calls} = setup({probe: async (_u, role) => ({versionNum: role === 'source' ? 160002 : 150007, version: '', objects: 0, dataBytes: 1})});
    expect((await fails(dataCopy(input, deps))).message).toMatch(/target runs PostgreSQL 15, older than the source's 16/);
    expect(calls).toEqual([]);
  });

  it('a restore that fails leaves the add-on copy-failed (never verified), journaled, the dump removed', async () => {
    const {deps, input, calls, state} = setup({restore: async () => Promise.reject(new MigrateError('upstream', 'pg_restore failed'))});
    await fails(dataCopy(input, deps));
    expect(calls).toEqual(['dump', 'removeDump']);
    expect((await state.readState()).addons?.DATABASE?.data?.phase ?? (await state.readState()).addons?.pg?.data?.phase).toBe('copy-failed');
    expect((await state.readJournal()).map((e) => `${e.phase}:${e.ok ?? ''}`)).toEqual(['intent:', 'result:false']);
  });

  it('a count that differs after the copy is verify-failed, not verified', async () => {
    let n = 0;
    const {deps, input, state} = setup({inventory: async () => inv(n++ === 0 ? 5 : 4)});
    const r = await dataCopy(input, deps);
    expect(r.verification.result.ok).toBe(false);
    const addons = (await state.readState()).addons ?? {};
    expect(Object.values(addons)[0]?.data?.phase).toBe('verify-failed');
    expect(JSON.stringify(await state.readJournal())).not.toMatch(/canary/);
  });
});
