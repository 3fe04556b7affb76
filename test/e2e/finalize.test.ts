/**
 * `migrate finalize` and `--undo` through the built CLI against fake Heroku, fake Cloudflare and
 * moto CloudWatch: every refusal first (nothing changes), then finalize, a re-run, undo, finalize again.
 */
import {spawn} from 'node:child_process';
import {readFileSync, writeFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {BIN, filesUnder, ROOT, type CliResult} from '../support/cli.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms, GATES, setAlarm} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
const FAST = ['--bake', '1s', '--poll', '250ms', '--min-requests', '0', '--yes', '--no-guard'];
const CONFIRM = ['--confirm', 'shop'];

const readJson = (file: string) => JSON.parse(readFileSync(join(w.planDir, file), 'utf8'));
const ids = () => readJson('state.json').edge as {herokuPoolId: string; awsPoolId: string};
const lb = () => [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
const app = () => w.heroku.state.apps.find((a) => a.app.name === 'shop')!;
const formation = () => Object.fromEntries(app().formation.map((f) => [f.type, f.quantity]));
const writesTo = (from: number) => w.cloudflare.requests.slice(from).filter((q) => q.method !== 'GET').length;
const dataAddons = () => (readJson('plan.json').addons as {name: string; strategy: string}[]).filter((a) => a.strategy === 'shared-then-window' || a.strategy === 'write-freeze-window').map((a) => a.name);
function setPhases(phases: Record<string, string | undefined>) {
  const state = readJson('state.json');
  state.addons ??= {};
  for (const [name, phase] of Object.entries(phases)) {
    const entry = state.addons[name] ?? {remaps: {}};
    if (phase === undefined) delete entry.data;
    else entry.data = {phase, updatedAt: new Date().toISOString()};
    state.addons[name] = entry;
  }
  writeFileSync(join(w.planDir, 'state.json'), JSON.stringify(state, null, 2));
}
/** runs finalize on a pseudo-terminal (util-linux `script`) and types `answer` at the prompt */
function finalizeOnTty(args: string[], answer: string): Promise<CliResult> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, 'finalize', '--app', 'shop', '--plan-dir', w.planDir, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
  let out = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!typed && out.includes('Type the app name')) {
      typed = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({code: code ?? -1, stdout: out, stderr: out})));
}
const finalize = (args: string[]) => w.cli(['finalize', '--app', 'shop', ...args]);

/** every refusal: the given exit code, no write to Cloudflare, Heroku untouched */
async function refused(args: string[], code: number, message: RegExp) {
  const from = w.cloudflare.requests.length;
  const before = {formation: formation(), maintenance: app().app.maintenance, lb: JSON.stringify(lb())};
  const r = await finalize(args);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(code);
  expect(writesTo(from)).toBe(0);
  expect({formation: formation(), maintenance: app().app.maintenance, lb: JSON.stringify(lb())}).toEqual(before);
  return r;
}

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  const setup = await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn]);
  expect(setup.code).toBe(0);
  await createGateAlarms();
});
afterAll(() => w.close());

describe('migrate finalize: refusals change nothing', () => {
  it('without a TTY and without --confirm: exit 2 at once', async () => {
    await refused(['--min-hold', '0s'], 2, /no terminal to ask[\s\S]*--confirm shop/);
  });

  it('--confirm that is not the app name: exit 2', async () => {
    await refused(['--confirm', 'shoq', '--min-hold', '0s'], 2, /--confirm 'shoq' does not match the app 'shop'/);
  });

  it('on a terminal, the preconditions are checked before the prompt (refused: no prompt, exit 1)', async () => {
    const r = await finalizeOnTty(['--min-hold', '0s'], 'nope');
    expect(r.stdout).toMatch(/live AWS share is 0%/);
    expect(r.stdout).not.toMatch(/Type the app name/);
    expect(r.code).toBe(1);
  });

  it('--destroy-addons without --backup-dir is refused (exit 2)', async () => {
    await refused([...CONFIRM, '--destroy-addons'], 2, /--destroy-addons needs --backup-dir DIR/);
  });

  it('not at 100% AWS: exit 1', async () => {
    await refused([...CONFIRM, '--min-hold', '0s'], 1, /live AWS share is 0%, not 100%/);
  });

  it('shift to 100% for the rest of the tests', async () => {
    const r = await w.cli(['shift', '--app', 'shop', '--to', '100', '--steps', '50,100', ...FAST]);
    expect(r.code).toBe(0);
    expect(lb().random_steering?.pool_weights[ids().awsPoolId]).toBe(1);
  });

  it('data not moved: names each add-on and the command to run (exit 1)', async () => {
    const names = dataAddons();
    expect(names.length).toBeGreaterThan(0);
    const r = await refused([...CONFIRM, '--min-hold', '0s'], 1, /has not moved its data/);
    for (const n of names) expect(r.stderr).toContain(`Add-on ${n}`);
    // one moved: the other is still refused, unless --keep-addon names it
    setPhases({[names[0]!]: 'cut-over'});
    if (names.length > 1) {
      await refused([...CONFIRM, '--min-hold', '0s'], 1, new RegExp(`Add-on ${names[1]} .*has not moved`));
      await refused([...CONFIRM, '--min-hold', '0s', '--keep-addon', 'nope'], 1, /--keep-addon names no add-on of the plan: nope/);
    }
    // the rest verified by `data copy` (accepted, with a warning)
    setPhases(Object.fromEntries(names.slice(1).map((n) => [n, 'verified'])));
  });

  it('hold time not met: exit 4 (not yet), with the time to re-run', async () => {
    await refused([...CONFIRM, '--min-hold', '1h'], 4, /held 100% for .* the hold time is 1h: re-run after/);
    // the plan's default hold (24 h) applies without --min-hold
    await refused(CONFIRM, 4, /the hold time is 24h/);
  });

  it('a gate in ALARM: exit 1', async () => {
    await setAlarm(GATES[0]!, 'ALARM');
    try {
      await refused([...CONFIRM, '--min-hold', '0s'], 1, /gates are not green \(fail\): alarm shop-web-5xx-rate is in ALARM/);
    } finally {
      await setAlarm(GATES[0]!, 'OK');
    }
  });

  it('the AWS pool unhealthy in Cloudflare: exit 1', async () => {
    w.cloudflare.setPoolHealth(ids().awsPoolId, false);
    try {
      await refused([...CONFIRM, '--min-hold', '0s'], 1, /Cloudflare reports the AWS pool unhealthy/);
    } finally {
      w.cloudflare.setPoolHealth(ids().awsPoolId, true);
    }
  });
});

describe('migrate finalize, --undo, finalize again', () => {
  const expectRetired = () => {
    const {herokuPoolId, awsPoolId} = ids();
    expect(lb().default_pools).toEqual([awsPoolId]);
    expect(lb().fallback_pool).toBe(awsPoolId);
    expect(lb().default_pools).not.toContain(herokuPoolId);
    expect(formation()).toEqual({web: 0, worker: 0, clock: 0});
    expect(app().app.maintenance).toBe(true);
  };

  it('retires Heroku: pool out, formation 0, maintenance on, record written without values', async () => {
    const r = await finalize([...CONFIRM, '--min-hold', '0s', '--json']);
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.status).toBe('ok');
    expect(env.result.changed).toHaveLength(3);
    expect(env.warnings.join('\n')).toMatch(/data copy is verified/);
    expectRetired();
    const record = readJson('retirement.json');
    expect(record.status).toBe('retired');
    expect(record.formation).toEqual(
      expect.arrayContaining([
        {type: 'web', quantity: 2, size: 'Standard-2X'},
        {type: 'worker', quantity: 1, size: 'Performance-M'},
      ]),
    );
    // 2 x Standard-2X ($50) + 1 x Performance-M ($250), list prices
    expect(record.monthlyDynoCostStopped.totalUsd).toBe(350);
    expect(record.configVars.map((v: {name: string}) => v.name)).toContain('SECRET_KEY_BASE');
    expect(record.domains.hostnames).toContain('shop.example.com');
    expect(record.timings.map((t: {what: string}) => t.what)).toEqual(expect.arrayContaining(['edge set up', 'AWS at 100% (held since)', 'Heroku pool left the load balancer']));
    expect(existsSync(join(w.planDir, 'retirement.md'))).toBe(true);
    expectNoCanary(filesUnder(w.planDir), sampleCanaries());
    const journal = readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = journal.filter((l) => l.op === 'finalize').map((l) => `${l.details.step}:${l.phase}`);
    expect(steps).toEqual(['edge:intent', 'edge:result', 'formation:intent', 'formation:result', 'maintenance:intent', 'maintenance:result', 'record:intent', 'record:result']);
  });

  it('a re-run resumes: the live systems show every step done, nothing is written', async () => {
    const from = w.cloudflare.requests.length;
    const r = await finalize([...CONFIRM, '--min-hold', '0s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nothing \(already done\)/);
    expect(writesTo(from)).toBe(0);
    expectRetired();
    // status still reads the retired load balancer
    const status = JSON.parse((await w.cli(['status', '--app', 'shop', '--json'])).stdout).result;
    expect(status.edge.awsShare).toBe(100);
    // shift and rollback have no Heroku pool to send traffic to until finalize --undo
    for (const args of [['shift', '--app', 'shop', '--to', '50', '--yes'], ['rollback', '--app', 'shop']]) {
      const refused = await w.cli(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Heroku was retired[\s\S]*--undo/);
    }
    expect(writesTo(from)).toBe(0);
  });

  it('--undo without --confirm and without a TTY fails at once (exit 2)', async () => {
    const r = await finalize(['--undo']);
    expect(r.code).toBe(2);
    expectRetired();
  });

  it('--undo: formation restored, maintenance off, Heroku pool back at weight 0 and as fallback', async () => {
    const r = await finalize(['--undo', ...CONFIRM]);
    expect(r.code).toBe(0);
    const {herokuPoolId, awsPoolId} = ids();
    expect(formation()).toEqual({web: 2, worker: 1, clock: 0});
    expect(app().app.maintenance).toBe(false);
    expect(lb().default_pools).toEqual(expect.arrayContaining([herokuPoolId, awsPoolId]));
    expect(lb().fallback_pool).toBe(herokuPoolId);
    expect(lb().random_steering?.pool_weights).toEqual({[herokuPoolId]: 0, [awsPoolId]: 1});
    expect(readJson('retirement.json').status).toBe('undone');
    const undo = readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.op === 'finalize-undo');
    expect(undo.map((l) => `${l.details.step}:${l.phase}:${l.ok ?? ''}`)).toEqual(['formation:intent:', 'formation:result:true', 'maintenance:intent:', 'maintenance:result:true', 'edge:intent:', 'edge:result:true']);
  });

  it('finalize again after the undo (typing a wrong name on a terminal cancels first)', async () => {
    const from = w.cloudflare.requests.length;
    const cancelled = await finalizeOnTty(['--min-hold', '0s'], 'shoq');
    expect(cancelled.stdout).toMatch(/Type the app name \(shop\)/);
    expect(cancelled.stdout).toMatch(/Cancelled: nothing was changed/);
    expect(cancelled.code).toBe(2);
    expect(writesTo(from)).toBe(0);
    expect(formation()).toEqual({web: 2, worker: 1, clock: 0});
    const r = await finalizeOnTty(['--min-hold', '0s'], 'shop');
    expect(r.stdout).toMatch(/Heroku retired for shop/);
    expect(r.code).toBe(0);
    expectRetired();
    const record = readJson('retirement.json');
    expect(record.status).toBe('retired');
    expect(record.formation.find((f: {type: string}) => f.type === 'web').quantity).toBe(2);
    // and undo once more restores the same quantities
    const u = await finalize(['--undo', ...CONFIRM]);
    expect(u.code).toBe(0);
    expect(formation()).toEqual({web: 2, worker: 1, clock: 0});
  });
});
