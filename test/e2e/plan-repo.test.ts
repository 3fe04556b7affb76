/** `migrate plan --from DIR` through the built CLI: golden files, determinism, bad input. */
import {writeFileSync, mkdirSync, chmodSync} from 'node:fs';
import {join} from 'node:path';
import {filesUnder, ROOT, runCli, tempDir} from '../support/cli.ts';
import {DEMO_PLAN_ARGS} from '../support/demo.ts';

const GOLDEN = join(ROOT, 'plans/shop');

describe('migrate plan --from examples/shop', () => {
  it('regenerates the committed golden plan byte for byte', async () => {
    const out = tempDir();
    const r = await runCli([...DEMO_PLAN_ARGS, '--out', out]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const golden = filesUnder(GOLDEN);
    const fresh = filesUnder(out);
    expect([...fresh.keys()].map((f) => f.slice(out.length)).sort()).toEqual([...golden.keys()].map((f) => f.slice(GOLDEN.length)).sort());
    expect(golden.size).toBeGreaterThan(10);
    for (const [f, content] of golden) expect(fresh.get(out + f.slice(GOLDEN.length))).toBe(content);
  });

  it('prints one JSON envelope on stdout with --json', async () => {
    const out = tempDir();
    const r = await runCli(['plan', '--from', 'examples/shop', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const env = JSON.parse(r.stdout);
    expect(env.status).toBe('ok');
    expect(env.result.services.map((s: {processType: string}) => s.processType)).toEqual(['web', 'clock', 'worker']);
    expect(env.result.written).toBe(true);
    expect(env.warnings.length).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
  });

  it('--dry-run writes nothing', async () => {
    const out = join(tempDir(), 'p');
    const r = await runCli(['plan', '--from', 'examples/shop', '--out', out, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Would write/);
    expect(filesUnder(out).size).toBe(0);
  });
});

describe('bad input: clear message, documented exit code, nothing written', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['truncated app.json', ['--from', 'examples/broken/truncated-app.json'], 1, /app\.json:\d+:\d+: invalid JSON/],
    ['Procfile line without a command', ['--from', 'examples/broken/bad-procfile'], 1, /Procfile:3/],
    ['missing --from path', ['--from', 'examples/nope'], 2, /no such file or directory/],
    ['no source at all', [], 2, /give --app NAME/],
    ['invalid app name', ['--app', 'Bad_Name'], 2, /not a valid Heroku app name/],
    ['unknown flag', ['--from', 'examples/shop', '--frobnicate'], 2, /frobnicate/],
  ];
  it.each(cases)('%s', async (_name, args, code, message) => {
    const out = join(tempDir(), 'never');
    const r = await runCli(['plan', ...args, '--out', out]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Fix: /);
    expect(filesUnder(out).size).toBe(0);
    const json = await runCli(['plan', ...args, '--out', out, '--json']);
    expect(json.code).toBe(code);
    expect(JSON.parse(json.stdout)).toMatchObject({status: 'error', error: {exitCode: code}});
  });

  it('duplicate keys are a warning, not an error', async () => {
    const out = tempDir();
    const r = await runCli(['plan', '--from', 'examples/broken/duplicate-keys', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: .*duplicate/i);
  });

  it('an unknown dyno size or add-on plan stops with exit 1', async () => {
    for (const [appJson, message] of [
      [{formation: {web: {quantity: 1, size: 'standard-9x'}}}, /Unknown dyno size 'standard-9x'/],
      [{addons: ['heroku-postgresql:mega-1']}, /plan "mega-1"/],
    ] as const) {
      const repo = tempDir();
      writeFileSync(join(repo, 'app.json'), JSON.stringify(appJson));
      writeFileSync(join(repo, 'Procfile'), 'web: node server.js\n');
      const out = join(tempDir(), 'never');
      const r = await runCli(['plan', '--from', repo, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(filesUnder(out).size).toBe(0);
    }
  });

  it('an unwritable output directory: exit 1, nothing written', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path below a regular file instead
      const file = join(tempDir(), 'file');
      writeFileSync(file, 'x');
      const r = await runCli(['plan', '--from', 'examples/shop', '--out', join(file, 'plans')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Cannot create the output directory/);
      return;
    }
    const dir = join(tempDir(), 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const r = await runCli(['plan', '--from', 'examples/shop', '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
  });
});
