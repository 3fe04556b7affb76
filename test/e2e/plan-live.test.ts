/** `migrate plan --app` and `migrate snapshot` through the built CLI against the fake Heroku API. */
import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {seedApp, sampleApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {filesUnder, runCli, tempDir} from '../support/cli.ts';

let heroku: FakeHeroku;
/** one user's configuration directory: its fingerprint key is made by the first run and reused */
const configHome = tempDir();
const env = (token = 'good') => ({HEROKU_API_URL: heroku.url, HEROKU_API_KEY: token, HOME: tempDir(), XDG_CONFIG_HOME: configHome});

beforeAll(async () => {
  heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
});
afterAll(() => heroku.close());

describe('migrate plan --app (live)', () => {
  let out: string;
  let stdout = '';
  let stderr = '';
  beforeAll(async () => {
    out = tempDir();
    const r = await runCli(['plan', '--app', 'shop', '--out', out], {env: env()});
    stdout = r.stdout;
    stderr = r.stderr;
    expect(r.code).toBe(0);
  });
  const plan = () => JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));

  it('maps formation (including types scaled to 0) and the release command from the current slug', () => {
    const p = plan();
    expect(p.services.map((s: {processType: string; desiredCount: number}) => [s.processType, s.desiredCount])).toEqual([
      ['web', 2],
      ['clock', 0],
      ['worker', 1],
    ]);
    expect(p.services[2].fargate).toEqual({cpu: 2048, memory: 4096});
    expect(p.releaseTask.command).toBe('bundle exec rails db:migrate');
  });

  it('classes config vars by owner and platform, never with values', () => {
    const p = plan();
    const cls = Object.fromEntries(p.config.map((c: {name: string; class: string; action: string}) => [c.name, `${c.class}/${c.action}`]));
    expect(cls).toMatchObject({
      DATABASE_URL: 'addon/remap',
      HEROKU_POSTGRESQL_AMBER_URL: 'addon/remap',
      REDIS_URL: 'addon/remap',
      SENDGRID_PASSWORD: 'addon/secret',
      ACME_METRICS_KEY: 'addon/secret',
      HEROKU_APP_NAME: 'platform/translate',
      HEROKU_DYNO_ID: 'platform/drop',
      STRIPE_SECRET_KEY: 'app/secret',
    });
    expect(p.config.every((c: {fingerprint?: string}) => /^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/.test(c.fingerprint ?? ''))).toBe(true);
  });

  it('holds no plain SHA-256 of any value (no guessing oracle), only fingerprints keyed outside the repository', () => {
    const text = [...filesUnder(out).values()].join('\n');
    for (const value of Object.values(sampleApp().configVars)) expect(text).not.toContain(createHash('sha256').update(value).digest('hex'));
    expect(text).not.toContain('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'); // SHA-256 of the empty value
  });

  it('the same key gives the same fingerprints (change detection), another key others', async () => {
    const key = 'a1'.repeat(32);
    const run = async (k: string) => {
      const dir = tempDir();
      const r = await runCli(['plan', '--app', 'shop', '--out', dir], {env: {...env(), MIGRATE_FINGERPRINT_KEY: k}});
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')).config.map((c: {name: string; fingerprint: string}) => `${c.name}=${c.fingerprint}`);
    };
    const [a, b, other] = [await run(key), await run(key), await run('b2'.repeat(32))];
    expect(a).toEqual(b);
    expect(other.filter((x: string) => a.includes(x))).toEqual([]);
    const short = await runCli(['plan', '--app', 'shop', '--out', tempDir()], {env: {...env(), MIGRATE_FINGERPRINT_KEY: 'short'}});
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/MIGRATE_FINGERPRINT_KEY is too short/);
  });

  it('an older snapshot with plain SHA-256 fingerprints stays readable; they are dropped', async () => {
    const dir = tempDir();
    const snap = join(dir, 'old.snapshot.json');
    const s = await runCli(['snapshot', '--app', 'shop', '--out', snap], {env: env()});
    expect(s.code).toBe(0);
    const old = JSON.parse(readFileSync(snap, 'utf8'));
    for (const c of old.app.configVars) c.fingerprint = 'sha256:' + createHash('sha256').update(c.name).digest('hex');
    writeFileSync(snap, JSON.stringify(old));
    const p = await runCli(['plan', '--from', snap, '--out', join(dir, 'plan')], {env: {HEROKU_API_URL: 'http://127.0.0.1:9', HOME: tempDir()}});
    expect(p.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'plan', 'plan.json'), 'utf8')).config as {name: string; fingerprint?: string}[];
    expect(config.length).toBeGreaterThan(20);
    expect(config.filter((c) => c.fingerprint !== undefined)).toEqual([]);
  });

  it('maps add-ons (unknown ones become manual), domains and the build', () => {
    const p = plan();
    expect(p.addons.find((a: {service: string}) => a.service === 'acme-metrics')).toMatchObject({manual: true, strategy: 'manual'});
    expect(p.domains.hostnames).toEqual(['shop.example.com', 'www.shop.example.com']);
    expect(p.domains.herokuOrigin).toBe('shop-1a2b3c4d5e6f.herokuapp.com');
    expect(p.build.buildpacks).toEqual(['heroku/nodejs', 'heroku/ruby']);
    expect(p.manualSteps.join('\n')).toMatch(/acme-metrics/);
  });

  it('never writes or prints a config value, token or drain credential', () => {
    expectNoCanary([['stdout', stdout], ['stderr', stderr], ...filesUnder(out)], sampleCanaries());
  });

  it('snapshot -> plan --from snapshot gives the same plan offline', async () => {
    const snapDir = tempDir();
    const snap = join(snapDir, 'shop.snapshot.json');
    const s = await runCli(['snapshot', '--app', 'shop', '--out', snap, '--json'], {env: env()});
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).result).toMatchObject({file: snap, configVars: 23, addons: 6});
    const offline = tempDir();
    const p = await runCli(['plan', '--from', snap, '--out', offline], {env: {HEROKU_API_URL: 'http://127.0.0.1:9'}});
    expect(p.code).toBe(0);
    const a = plan();
    const b = JSON.parse(readFileSync(join(offline, 'plan.json'), 'utf8'));
    expect({...b, app: {...b.app, source: 'x'}}).toEqual({...a, app: {...a.app, source: 'x'}});
    expectNoCanary([['snapshot', readFileSync(snap, 'utf8')], ['stdout', s.stdout], ['stderr', s.stderr]], sampleCanaries());
  });
});

describe('bad input against Heroku: clear message, exit code, nothing written', () => {
  interface Case {
    name: string;
    args: string[];
    env?: Record<string, string>;
    code: number;
    message: RegExp;
    arrange?: () => void;
  }
  const cases: Case[] = [
    {name: 'unknown app', args: ['--app', 'nope'], code: 1, message: /Heroku app 'nope' not found/},
    {name: 'bad token', args: ['--app', 'shop'], env: {HEROKU_API_KEY: 'wrong'}, code: 1, message: /rejected|Invalid credentials|401/i},
    {name: 'token without the config-var scope', args: ['--app', 'shop'], env: {HEROKU_API_KEY: 'identity-only'}, code: 1, message: /read-protected/},
    {name: 'no token at all', args: ['--app', 'shop'], env: {HEROKU_API_KEY: ''}, code: 1, message: /HEROKU_API_KEY/},
    {name: 'Heroku 5xx', args: ['--app', 'shop'], code: 1, message: /Heroku/, arrange: () => heroku.failNext(60, 503)},
    {name: 'rate limit exhausted', args: ['--app', 'shop'], code: 1, message: /rate limit/i, arrange: () => heroku.failNext(60, 429, {retryAfterSeconds: 600})},
  ];
  it.each(cases)('$name', async ({args, env: extraEnv, code, message, arrange}) => {
    arrange?.();
    const out = join(tempDir(), 'never');
    const r = await runCli(['plan', ...args, '--out', out], {env: {...env(), ...(extraEnv ?? {})}});
    heroku.clearFaults();
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(/Fix: /);
    expect(filesUnder(out).size).toBe(0);
    expectNoCanary([['stderr', r.stderr], ['stdout', r.stdout]], [...sampleCanaries(), 'wrong']);
  });
});
