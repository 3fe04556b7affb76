/**
 * The README's own command lines, from a clean copy of the repository (its tracked files; the shared
 * node_modules linked in instead of `npm ci`, which would download the dependencies again):
 * - the quick start: the two lines CI runs are there as written, and `npm run demo` builds and writes
 *   the golden plan byte for byte;
 * - every `npx migrate` line anywhere in the README names a real command and real flags;
 * - the user path (the block marked `readme-test: user-path`) runs line by line, through bash as a
 *   user pastes it, against the fake Heroku and Cloudflare servers and moto. Where moto stops (its
 *   CloudFormation gives change-set stacks no outputs, so deploy cannot finish and record the
 *   network and ALB), the test says so line by line and passes the missing values as flags, plus
 *   short bake times; every other line must succeed as written.
 */
import {execFileSync, spawn} from 'node:child_process';
import {cpSync, lstatSync, mkdirSync, readFileSync, symlinkSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {ACCOUNT, createAlb, outsideWorldEnv, ZONE} from '../support/cutover-env.ts';
import {filesUnder, ROOT, tempDir} from '../support/cli.ts';
import {createGateAlarms} from '../support/gates.ts';
import {motoEndpoint, motoEnv, resetMoto} from '../support/moto.ts';
import {machinePath} from '../support/node-bins.ts';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {startFakeCloudflare, type FakeCloudflare} from '../fakes/cloudflare-server.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** the ```sh blocks of a text, optionally only the one after a `<!-- readme-test: NAME -->` marker */
function shellBlocks(text: string, marker?: string): string[][] {
  const re = marker ? new RegExp(`<!-- readme-test: ${marker} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``, 'g') : /```sh\n([\s\S]*?)```/g;
  return [...text.matchAll(re)].map((m) =>
    m[1]!
      .replace(/\\\n\s*/g, ' ') // continuation lines
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').replace(/^#.*$/, '').trim())
      .filter(Boolean),
  );
}

/** shell words of a simple command line (quotes removed; variables left as written) */
const words = (line: string) => [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

interface ManifestCommand {
  id: string;
  flags: Record<string, {char?: string}>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>};

describe('the README', () => {
  it('keeps the two quick-start commands CI runs', () => {
    const [quick] = shellBlocks(README.slice(README.indexOf('## Quick start')));
    expect(quick).toEqual(['npm ci && npm run demo', 'npm test']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {scripts: Record<string, string>};
    expect(pkg.scripts.test).toMatch(/^bash scripts\/setup-test-deps\.sh && /); // what the tests need, first
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('bash scripts/setup-test-deps.sh');
  });

  it('names only real commands and flags in every npx migrate line', () => {
    const lines = shellBlocks(README)
      .flat()
      .flatMap((l) => l.split(/\s*(?:&&|;|\|)\s*/))
      .filter((l) => /^(\w+=\S+\s+)*npx migrate /.test(l));
    expect(lines.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const line of lines) {
      const argv = words(line.replace(/^(\w+=\S+\s+)*npx migrate /, ''));
      const positional = argv.slice(0, argv.findIndex((w) => w.startsWith('-')) === -1 ? argv.length : argv.findIndex((w) => w.startsWith('-')));
      const id = positional.join(':');
      const command = manifest.commands[id];
      if (!command) {
        problems.push(`${line}: no command '${positional.join(' ')}'`);
        continue;
      }
      for (const w of argv.filter((a) => a.startsWith('--'))) {
        const flag = w.slice(2).split('=')[0]!;
        if (!(flag in command.flags)) problems.push(`${line}: ${positional.join(' ')} has no --${flag}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the README from a clean copy', () => {
  let copy: string;
  let heroku: FakeHeroku;
  let cloudflare: FakeCloudflare;
  const vars: Record<string, string> = {};
  const aws = <T>(args: string[]): T => JSON.parse(execFileSync('aws', ['--endpoint-url', motoEndpoint(), '--output', 'json', ...args], {env: {...process.env, ...motoEnv()}}).toString()) as T;

  beforeAll(async () => {
    copy = tempDir('h2a-readme-');
    const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {cwd: ROOT, encoding: 'utf8'}).split('\0').filter((f) => f && lstatSync(join(ROOT, f)).isFile());
    for (const f of tracked) {
      mkdirSync(dirname(join(copy, f)), {recursive: true});
      cpSync(join(ROOT, f), join(copy, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    await resetMoto();
    heroku = await startFakeHeroku();
    seedApp(heroku.state, sampleApp());
    cloudflare = await startFakeCloudflare({zones: [{zoneId: ZONE, zoneName: 'shop.example.com', accountId: ACCOUNT}]});
  }, 120_000);
  afterAll(async () => {
    await heroku?.close();
    await cloudflare?.close();
  });

  /**
   * a line as a user pastes it: bash, the machine's PATH (its own, older Node first), cwd = the copy.
   * Asynchronous: the fake servers answer from this process.
   */
  const sh = (line: string): Promise<{code: number | null; stdout: string; stderr: string}> =>
    new Promise((resolvePromise, reject) => {
      const child = spawn('bash', ['-c', line], {
        cwd: copy,
        env: {
          PATH: machinePath(),
          HOME: process.env.HOME ?? '/tmp',
          NO_COLOR: '1',
          ...outsideWorldEnv(heroku, cloudflare),
          ...vars,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({code, stdout, stderr}));
    });

  it('quick start: npm run demo builds and writes the golden plan', async () => {
    const r = await sh('npm run demo');
    expect(r.stderr).not.toMatch(/EBADENGINE|npm warn/);
    expect(r.code).toBe(0);
    const golden = filesUnder(join(ROOT, 'plans/shop'));
    const made = filesUnder(join(copy, 'plans/shop'));
    expect(made.size).toBe(golden.size);
    for (const [path, text] of golden) expect([path, made.get(path.replace(ROOT, copy))]).toEqual([path, text]);
  }, 600_000);

  it('the user path, line by line, against the fakes and moto', async () => {
    const lines = shellBlocks(README, 'user-path')[0]!;
    expect(lines.length).toBeGreaterThanOrEqual(10);
    // what a user has by then: an image in ECR and an ACM certificate
    const dir = tempDir('h2a-cert-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=www.shop.example.com'], {stdio: 'ignore'});
    vars.CERT_ARN = aws<{CertificateArn: string}>(['acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'c.pem')}`, '--private-key', `fileb://${join(dir, 'k.pem')}`]).CertificateArn;
    vars.IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9';
    vars.STATE_BUCKET = `h2a-readme-${Math.random().toString(36).slice(2, 8)}`;
    const fast = ' --bake 300ms --poll 100ms --min-requests 0';
    let alb = '';
    let network: string[] = [];
    const ran: string[] = [];

    for (const line of lines) {
      const cmd = words(line).slice(2, 4).join(' ');
      if (cmd.startsWith('deploy')) {
        // moto's limit, not ours: the network stack is made by a change set and gets no outputs, so
        // the shared stack cannot find its subnets: deploy stops after the first stack (exit 1)
        const r = await sh(line);
        expect(r.stderr).toMatch(/heroku2aws-shop-/);
        expect(r.code).toBe(1);
        // ... so the network and ALB it would have recorded are made with the aws CLI and passed as flags
        alb = createAlb(`shop-${Math.random().toString(36).slice(2, 8)}`);
        const vpc = aws<{LoadBalancers: {VpcId: string}[]}>(['elbv2', 'describe-load-balancers', '--load-balancer-arns', alb]).LoadBalancers[0]!.VpcId;
        const subnets = aws<{Subnets: {SubnetId: string}[]}>(['ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc}`]).Subnets.map((s) => s.SubnetId);
        const sg = aws<{GroupId: string}>(['ec2', 'create-security-group', '--group-name', 'shop-tasks', '--description', 'tasks', '--vpc-id', vpc]).GroupId;
        network = ['--subnets', subnets.join(','), '--task-security-group', sg, '--cluster', 'arn:aws:ecs:us-east-1:123456789012:cluster/heroku2aws-shop', '--only', 'postgresql-curly-12345,redis-rigid-54321'];
        ran.push(cmd);
        continue;
      }
      const more = cmd.startsWith('addons provision')
        ? ` ${network.join(' ')}` // deploy's outputs, which moto could not give
        : cmd.startsWith('edge setup')
          ? ` --alb ${alb}` // the ALB deploy would have recorded
          : cmd.startsWith('shift') && !line.includes('--dry-run')
            ? fast
            : cmd.startsWith('finalize') && !line.includes('--undo')
              ? ' --min-hold 0s --keep-addon postgresql-curly-12345 --keep-addon redis-rigid-54321' // no data cutover in this run
              : '';
      if ((cmd.startsWith('shift') && !line.includes('--dry-run')) || cmd.startsWith('guard install')) await createGateAlarms();
      const r = await sh(line + more);
      if (r.code !== 0) throw new Error(`README line failed (exit ${r.code}): ${line}${more}\n${r.stderr}`);
      if (cmd.startsWith('state init')) {
        // moto 5.2.1 evaluates no policy conditions: its TLS-only deny would refuse every request
        // (docs/facts.md); give that statement a principal moto skips, as test/e2e/team-state does
        const policy = JSON.parse(aws<{Policy: string}>(['s3api', 'get-bucket-policy', '--bucket', vars.STATE_BUCKET!]).Policy) as {Statement: Record<string, unknown>[]};
        policy.Statement = policy.Statement.map((st) => (st.Effect === 'Deny' ? {...st, Principal: 'arn:aws:iam::123456789012:root'} : st));
        execFileSync('aws', ['--endpoint-url', motoEndpoint(), 's3api', 'put-bucket-policy', '--bucket', vars.STATE_BUCKET!, '--policy', JSON.stringify(policy)], {env: {...process.env, ...motoEnv()}});
      }
      expect(r.stderr).not.toMatch(/EBADENGINE|Node version must be|NodeDeprecationWarning/);
      ran.push(cmd);
    }
    expect(ran).toEqual(expect.arrayContaining(['plan --app', 'state init', 'secrets import', 'deploy --app', 'edge setup', 'guard install', 'shift --app', 'status --app', 'rollback --app', 'finalize --app', 'report --app']));
    // the end state of the live systems: Heroku retired then restored by the last line (undo)
    const app = heroku.state.apps.find((a) => a.app.name === 'shop')!;
    expect(app.app.maintenance).toBe(false);
  }, 900_000);
});
