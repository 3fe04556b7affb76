/**
 * `migrate finalize --destroy-addons` through the built CLI: a REAL PostgreSQL source (the Heroku
 * app's DATABASE_URL points at it), fake Heroku, fake Cloudflare, moto CloudWatch. Refusals first
 * (nothing destroyed), then a confirmed final backup (pg_dump -Fc, pg_restore --list lists every
 * table), the add-ons destroyed, undo refused; the database password never shows anywhere.
 */
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {join} from 'node:path';
import {BIN, filesUnder, ROOT, tempDir, type CliResult} from '../support/cli.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {PASSWORDS, pgBinDir, startPostgres, type PgServer} from '../support/datastores.ts';
import {createGateAlarms} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
let pg: PgServer;
const outputs: CliResult[] = [];
const backupDir = tempDir('h2a-backups-');
const CONFIRM = ['--confirm', 'shop', '--min-hold', '0s'];
const DESTROY = ['--destroy-addons', '--backup-dir', backupDir];
const PG_VARS = ['DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL'];

const readJson = (file: string) => JSON.parse(readFileSync(join(w.planDir, file), 'utf8'));
const app = () => w.heroku.state.apps.find((a) => a.app.name === 'shop')!;
const addonNames = () => app().addons.map((a) => a.name).sort();
const journal = () => readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const finalize = async (args: string[]) => {
  const r = await w.cli(['finalize', '--app', 'shop', ...args]);
  outputs.push(r);
  return r;
};
const setDatabaseUrl = (url: string) => {
  for (const v of PG_VARS) app().configVars[v] = url;
};
const canaries = () => [...sampleCanaries(), PASSWORDS.pgSource, encodeURIComponent(PASSWORDS.pgSource)];

/** runs finalize on a pseudo-terminal (util-linux `script`) and types `answer` at the second prompt */
function finalizeOnTty(args: string[], answer: string): Promise<CliResult> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, 'finalize', '--app', 'shop', '--plan-dir', w.planDir, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
  let out = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!typed && out.includes('Type "destroy shop"')) {
      typed = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const r = {code: code ?? -1, stdout: out, stderr: out};
      outputs.push(r);
      resolve(r);
    }),
  );
}

/** a refusal: the exit code, the message, and no add-on destroyed (no DELETE reached the fake) */
async function refused(args: string[], code: number, message: RegExp) {
  const before = addonNames();
  const deletes = w.heroku.requests.filter((q) => q.method === 'DELETE').length;
  const r = await finalize(args);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(code);
  expect(addonNames()).toEqual(before);
  expect(w.heroku.requests.filter((q) => q.method === 'DELETE').length).toBe(deletes);
  return r;
}

beforeAll(async () => {
  await resetMoto();
  [w, pg] = await Promise.all([startCutoverEnv(), startPostgres(PASSWORDS.pgSource)]);
  pg.sql(`CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
    INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 500) g;
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric);
    INSERT INTO orders (customer_id, total) SELECT 1 + g % 500, g * 1.5 FROM generate_series(1, 2000) g;
    CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigserial PRIMARY KEY, note text);
    CREATE TABLE empty_table (x int);`);
  expect((await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn])).code).toBe(0);
  await createGateAlarms();
  expect((await w.cli(['shift', '--app', 'shop', '--to', '100', '--steps', '100', '--bake', '1s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard'])).code).toBe(0);
  // the data of the stateful add-ons has moved (what `data cutover` records)
  const state = readJson('state.json');
  state.addons ??= {};
  for (const a of readJson('plan.json').addons as {name: string; strategy: string}[]) {
    if (a.strategy === 'shared-then-window' || a.strategy === 'write-freeze-window') state.addons[a.name] = {...(state.addons[a.name] ?? {remaps: {}}), data: {phase: 'cut-over', updatedAt: new Date().toISOString()}};
  }
  writeFileSync(join(w.planDir, 'state.json'), JSON.stringify(state, null, 2));
  setDatabaseUrl(pg.url());
}, 120_000);
afterAll(async () => {
  await w?.close();
  await pg?.stop();
});

describe('finalize --destroy-addons: refusals destroy nothing', () => {
  it('without --confirm-destroy and without a TTY: exit 2 at once', async () => {
    await refused([...CONFIRM, ...DESTROY, '--no-redis-backup'], 2, /second confirmation is needed, and there is no terminal[\s\S]*--confirm-destroy shop/);
    expect(app().app.maintenance).toBe(false);
  });

  it('--confirm-destroy that is not the app name: exit 2', async () => {
    await refused([...CONFIRM, ...DESTROY, '--no-redis-backup', '--confirm-destroy', 'shoq'], 2, /--confirm-destroy 'shoq' does not match the app 'shop'/);
  });

  it('a Redis add-on without --keep-addon or --no-redis-backup: exit 2, nothing changed', async () => {
    await refused([...CONFIRM, ...DESTROY, '--confirm-destroy', 'shop'], 2, /no Redis backup in this version[\s\S]*redis-rigid-54321[\s\S]*--no-redis-backup/);
    expect(app().app.maintenance).toBe(false);
  });

  it('--backup-dir that cannot be written: exit 2, nothing changed', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    await refused([...CONFIRM, '--destroy-addons', '--backup-dir', join(file, 'sub'), '--confirm-destroy', 'shop', '--no-redis-backup'], 2, /--backup-dir .* is not a writable directory/);
    expect(app().app.maintenance).toBe(false);
    expect(app().formation.find((f) => f.type === 'web')!.quantity).toBe(2);
  });

  it('a backup that cannot be taken (source unreachable): exit 1, steps 1-3 done, nothing destroyed', async () => {
    setDatabaseUrl(`postgres://admin:${encodeURIComponent(PASSWORDS.pgSource)}@127.0.0.1:1/app`);
    try {
      const r = await refused([...CONFIRM, ...DESTROY, '--confirm-destroy', 'shop', '--no-redis-backup'], 1, /Nothing was destroyed/);
      expect(r.stderr).toMatch(/Cannot reach the source database|could not connect|cannot reach/i);
    } finally {
      setDatabaseUrl(pg.url());
    }
    // Heroku is retired (steps 1-3), the add-ons all remain
    expect(app().app.maintenance).toBe(true);
    const backups = journal().filter((l) => l.op === 'finalize' && l.details.step === 'backup');
    expect(backups.map((l) => `${l.phase}:${l.ok ?? ''}`)).toEqual(['intent:', 'result:false']);
    expect(journal().some((l) => l.details?.step === 'destroy')).toBe(false);
    expect(readJson('retirement.json').addonsDestroyed).toBe(false);
  });
});

describe('finalize --destroy-addons on a terminal', () => {
  it('without --confirm-destroy asks to type "destroy shop" after the backup; a wrong answer destroys nothing (exit 2)', async () => {
    const before = addonNames();
    const r = await finalizeOnTty([...CONFIRM, ...DESTROY, '--no-redis-backup'], 'destroy shoq');
    expect(r.stdout).toMatch(/DESTROY on Heroku, for good[\s\S]*final backups: [\s\S]*Type "destroy shop" to continue/);
    expect(r.stdout).toMatch(/Cancelled: no add-on was destroyed/);
    expect(r.code).toBe(2);
    expect(addonNames()).toEqual(before);
    expect(w.heroku.requests.filter((q) => q.method === 'DELETE')).toHaveLength(0);
  });
});

describe('finalize --destroy-addons', () => {
  it('backs up the database (confirmed), then destroys every add-on not kept', async () => {
    const r = await finalize([...CONFIRM, ...DESTROY, '--confirm-destroy', 'shop', '--no-redis-backup', '--keep-addon', 'papertrail-shaped-22222', '--json']);
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.status).toBe('ok');
    const [backup] = env.result.backups as {path: string; bytes: number; sha256: string; tables: string[]}[];
    expect(backup).toBeDefined();
    expect(existsSync(backup!.path)).toBe(true);
    expect(statSync(backup!.path).size).toBe(backup!.bytes);
    expect(statSync(backup!.path).mode & 0o077).toBe(0);
    expect(createHash('sha256').update(readFileSync(backup!.path)).digest('hex')).toBe(backup!.sha256);
    expect(backup!.tables).toEqual(['billing.invoices', 'public.customers', 'public.empty_table', 'public.orders']);
    const toc = execFileSync(join(pgBinDir(), 'pg_restore'), ['--list', backup!.path], {encoding: 'utf8'});
    for (const t of ['customers', 'orders', 'invoices', 'empty_table']) expect(toc).toMatch(new RegExp(`TABLE DATA \\w+ ${t} `));
    // the fake's add-ons are gone (their attachments and config vars with them), except the kept one
    expect(addonNames()).toEqual(['papertrail-shaped-22222']);
    expect(app().attachments.map((a) => a.name)).toEqual(['PAPERTRAIL']);
    expect(app().configVars.DATABASE_URL).toBeUndefined();
    expect(app().configVars.REDIS_URL).toBeUndefined();
    expect(app().configVars.PAPERTRAIL_API_TOKEN).toBeDefined();
    const deletes = w.heroku.requests.filter((q) => q.method === 'DELETE');
    expect(deletes).toHaveLength(5);
    expect(deletes.every((q) => q.status === 200)).toBe(true);
    // journaled: backup before any destroy, intent before each result
    const steps = journal().filter((l) => l.op === 'finalize' && ['backup', 'destroy'].includes(l.details.step)).map((l) => `${l.details.step}:${l.phase}:${l.ok ?? ''}`);
    expect(steps.slice(-12)).toEqual(['backup:intent:', 'backup:result:true', ...Array(5).fill(['destroy:intent:', 'destroy:result:true']).flat()]);
    const record = readJson('retirement.json');
    expect(record.addonsDestroyed).toBe(true);
    expect(record.backups).toEqual([expect.objectContaining({addon: 'postgresql-curly-12345', path: backup!.path, bytes: backup!.bytes, sha256: backup!.sha256, tables: backup!.tables})]);
    expect(record.destroyedAddons.map((d: {name: string}) => d.name).sort()).toEqual(['acme-metrics-fuzzy-44444', 'postgresql-curly-12345', 'redis-rigid-54321', 'scheduler-flat-11111', 'sendgrid-clear-33333']);
    expect(record.remainsOnHeroku.join('\n')).toMatch(/papertrail-shaped-22222/);
    expect(record.remainsOnHeroku.join('\n')).not.toMatch(/postgresql-curly-12345/);
    expect(readFileSync(join(w.planDir, 'retirement.md'), 'utf8')).toMatch(/Final backups/);
  });

  it('--undo is refused once add-ons are destroyed (exit 1, nothing changed)', async () => {
    const r = await finalize(['--undo', '--confirm', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Undo is no longer possible[\s\S]*postgresql-curly-12345/);
    expect(app().app.maintenance).toBe(true);
    expect(app().formation.find((f) => f.type === 'web')!.quantity).toBe(0);
  });

  it('a re-run resumes: the add-ons are already gone, nothing is backed up or destroyed', async () => {
    const deletes = w.heroku.requests.filter((q) => q.method === 'DELETE').length;
    const r = await finalize([...CONFIRM, ...DESTROY, '--confirm-destroy', 'shop', '--no-redis-backup', '--keep-addon', 'papertrail-shaped-22222']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already gone/);
    expect(w.heroku.requests.filter((q) => q.method === 'DELETE').length).toBe(deletes);
    expect(readJson('retirement.json').addonsDestroyed).toBe(true);
  });

  it('the database password and the app secrets never appear in output, plan files or backups', () => {
    expectNoCanary(
      [...outputs.flatMap((r, i) => [[`stdout ${i}`, r.stdout], [`stderr ${i}`, r.stderr]] as [string, string][]), ...filesUnder(w.planDir), ...filesUnder(backupDir)],
      canaries(),
    );
  });
});
