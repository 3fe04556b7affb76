/**
 * bin/run.js on the machine's older Node (re-executes itself under the project's Node 24, quietly,
 * keeping the exit code), and the package: `npm pack` + `npm install -g` of the tarball into a temp
 * prefix gives working `migrate` and `heroku2aws` commands that plan the example app exactly like
 * the checkout does. Needs a build (dist/).
 */
import {spawn, spawnSync} from 'node:child_process';
import {cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN, filesUnder, ROOT, tempDir} from '../support/cli.ts';
import {DEMO_PLAN_ARGS} from '../support/demo.ts';
import {machinePath, oldMachineNode, pathWithNode, PROJECT_NODE} from '../support/node-bins.ts';

const oldNode = oldMachineNode();
const withOldNode = oldNode ? it : it.skip;

const run = (cmd: string, args: string[], env: Record<string, string>, cwd = ROOT) => {
  const r = spawnSync(cmd, args, {cwd, encoding: 'utf8', env: {HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env}, timeout: 300_000});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
};

describe('bin/run.js on a Node older than 22', () => {
  withOldNode('re-executes under the project Node 24 without a word on stderr', () => {
    const r = run(oldNode!, [BIN, '--version'], {PATH: machinePath()});
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^heroku2aws\/\d+\.\d+\.\d+ \S+ node-v24\./);
    expect(r.code).toBe(0);
  });

  withOldNode('keeps the exit code and the error text of the real run', () => {
    const args = [BIN, 'plan', '--from', join(tempDir(), 'missing-app')];
    const r = run(oldNode!, args, {PATH: machinePath()});
    const direct = run(PROJECT_NODE, args, {PATH: machinePath()});
    expect(r.code).toBe(2);
    expect(r.code).toBe(direct.code);
    expect(r.stderr).toContain('Error:');
    expect(r.stderr).toBe(direct.stderr);
    expect(r.stderr).not.toMatch(/EBADENGINE|Node version must be|NodeDeprecationWarning|NodeVersionSupportWarning/);
  });

  withOldNode('plans the example app byte for byte like Node 24 does', () => {
    const out = join(tempDir(), 'shop');
    const r = run(oldNode!, [BIN, ...DEMO_PLAN_ARGS, '--out', out], {PATH: machinePath()});
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/EBADENGINE|Node version must be|NodeDeprecationWarning|NodeVersionSupportWarning/);
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8'));
  });
});

describe('bin/reexec.js', () => {
  withOldNode('passes SIGTERM on to the Node 24 child and exits as the child did', async () => {
    // bin/ with a stand-in run.js that waits for SIGTERM under Node 24 (the real re-exec path otherwise)
    const dir = tempDir('h2a-reexec-');
    cpSync(join(ROOT, 'bin/reexec.js'), join(dir, 'bin/reexec.js'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(
      join(dir, 'bin/run.js'),
      `if (Number(process.versions.node.split('.')[0]) < 22) await (await import('./reexec.js')).reexec();
process.on('SIGTERM', () => { process.stdout.write('child got SIGTERM on ' + process.version + '\\n'); process.exit(7); });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`,
    );
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const child = spawn(oldNode!, [join(dir, 'bin/run.js')], {env: {PATH: machinePath(), HOME: process.env.HOME ?? '/tmp'}, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), stdout.includes('ready') && resolve())));
    child.kill('SIGTERM'); // to the parent only, as a supervisor would
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toMatch(/child got SIGTERM on v24\./);
    expect(code).toBe(7);
    expect(stderr).toBe('');
  });
});

describe('an AWS command on a Node older than 22', () => {
  withOldNode('runs without the AWS SDK Node-version warning (it runs on Node 24)', () => {
    const planDir = join(tempDir(), 'shop');
    cpSync(join(ROOT, 'plans/shop'), planDir, {recursive: true});
    const env = {PATH: machinePath(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1'};
    const net = ['--subnets', 'subnet-1,subnet-2', '--task-security-group', 'sg-1', '--cluster', 'arn:aws:ecs:us-east-1:123456789012:cluster/shop', '--only', 'DATABASE'];
    const r = run(oldNode!, [BIN, 'addons', 'provision', '--app', 'shop', '--plan-dir', planDir, ...net], env);
    expect(r.code).toBe(1); // nothing listens on the AWS endpoint: the first AWS call (through the SDK) fails
    expect(r.stderr).toContain('Cannot reach the AWS endpoint (ECONNREFUSED)');
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|NodeDeprecationWarning|Node version must be/);
  });
});

describe('npm pack + npm install -g', () => {
  const npm = (args: string[], cwd: string) => run('npm', args, {PATH: pathWithNode(PROJECT_NODE)}, cwd);

  it('installs migrate and heroku2aws commands that work from any directory', () => {
    expect(existsSync(join(ROOT, 'dist/commands/plan.js'))).toBe(true); // npm run build first
    const packDir = tempDir('h2a-pack-');
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', packDir], ROOT);
    expect(pack.code).toBe(0);
    const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const prefix = tempDir('h2a-prefix-');
    const work = tempDir('h2a-user-');
    const install = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(packDir, tarball!)], work);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);

    const env = {PATH: `${join(prefix, 'bin')}:${pathWithNode(PROJECT_NODE)}`};
    const version = run(join(prefix, 'bin/heroku2aws'), ['--version'], env, work);
    expect(version.stdout).toMatch(/^heroku2aws\/\d+\.\d+\.\d+ /);
    expect(version.code).toBe(0);

    const help = run(join(prefix, 'bin/migrate'), ['plan', '--help'], env, work);
    expect(help.stdout).toContain('migrate plan --app');
    expect(help.code).toBe(0);

    // the installed copy finds its own templates (add-on catalog, stack blocks) and dist
    const plan = run(join(prefix, 'bin/migrate'), [...DEMO_PLAN_ARGS.map((a) => (a === 'examples/shop' ? join(ROOT, a) : a)), '--out', join(work, 'plans/shop')], env, work);
    expect(plan.code).toBe(0);
    const golden = filesUnder(join(ROOT, 'plans/shop'));
    const made = filesUnder(join(work, 'plans/shop'));
    expect([...made.keys()].map((k) => k.slice(join(work, 'plans/shop').length)).sort()).toEqual([...golden.keys()].map((k) => k.slice(join(ROOT, 'plans/shop').length)).sort());
    expect(made.get(join(work, 'plans/shop/plan.json'))).toBe(golden.get(join(ROOT, 'plans/shop/plan.json')));

    // the published package holds no source maps, tests or sources
    const installed = join(prefix, 'lib/node_modules/heroku2aws');
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    expect(existsSync(join(installed, 'dist/commands/plan.js.map'))).toBe(false);
  }, 600_000);

  withOldNode('an installed copy on a Node older than 22 (no project Node) says what to install', () => {
    // an install without dev dependencies has no `node` package to re-execute under
    const copy = tempDir('h2a-bin-only-');
    cpSync(join(ROOT, 'bin'), join(copy, 'bin'), {recursive: true});
    const r = run(oldNode!, [join(copy, 'bin/run.js'), '--version'], {PATH: machinePath()});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error: migrate needs Node.js 22 or newer; this is Node v\d+/);
    expect(r.stderr).toContain('Fix: Install Node.js 22 or 24 LTS');
  });
});
