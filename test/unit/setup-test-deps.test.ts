/**
 * scripts/setup-test-deps.sh (run by `npm test` and .ci/run before any test): detection of each
 * missing tool through a PATH that hides it (nothing shared is uninstalled), the install path
 * through stand-in apt-get / python3 that record what they were asked, and the one-command stop.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT, tempDir} from '../support/cli.ts';

const SCRIPT = join(ROOT, 'scripts/setup-test-deps.sh');
const HIDDEN_BY_DEFAULT = new Set(['apt-get', 'sudo', 'python3', 'pip', 'pip3']);

/** a bin dir with every command of the real PATH except `hide` (and, by default, the installers) */
function pathWithout(hide: string[], extra: Record<string, string> = {}): string {
  const dir = tempDir('h2a-setup-bin-');
  const skip = new Set([...hide, ...HIDDEN_BY_DEFAULT]);
  for (const p of (process.env.PATH ?? '').split(':')) {
    if (!p || !existsSync(p)) continue;
    for (const name of readdirSync(p)) {
      if (skip.has(name) || existsSync(join(dir, name))) continue;
      try {
        symlinkSync(join(p, name), join(dir, name));
      } catch {
        // duplicate or unreadable entry
      }
    }
  }
  for (const [name, body] of Object.entries(extra)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function run(binDir: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const r = spawnSync('/bin/bash', [SCRIPT], {encoding: 'utf8', env: {HOME: process.env.HOME ?? '/tmp', PATH: binDir, ...env}});
  return {code: r.status, stderr: r.stderr, stdout: r.stdout, ms: Date.now() - started};
}

describe('setup-test-deps.sh', () => {
  it('is silent and quick when everything is there', () => {
    const r = run(process.env.PATH ?? '', {H2A_SETUP: 'check'});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5000);
  });

  it('names redis-server and the one command that installs it when it is hidden (check mode)', () => {
    const r = run(pathWithout(['redis-server']), {H2A_SETUP: 'check'});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the tests need redis-server');
    expect(r.stderr).toMatch(/apt-get update && (sudo )?apt-get install -y redis-server\n/);
    expect(r.stderr).not.toContain('postgresql');
  });

  it('names PostgreSQL when its binaries are not found, and everything missing in one command line', () => {
    const bin = pathWithout(['moto_server', 'cfn-lint']);
    const r = run(bin, {H2A_SETUP: 'check', PG_BIN: '/nonexistent'});
    expect(r.code).toBe(1);
    // PG_BIN that does not hold the binaries falls back to /usr/lib/postgresql: still found here
    expect(r.stderr).not.toContain('postgresql');
    expect(r.stderr).toContain("python3 -m pip install 'moto[server]' 'cfn-lint'");
    const noPg = run(bin, {H2A_SETUP: 'check', H2A_PG_BASE: tempDir('h2a-no-pg-')});
    expect(noPg.code).toBe(1);
    expect(noPg.stderr).toContain('the tests need postgresql moto[server] cfn-lint');
    expect(noPg.stderr).toMatch(/apt-get install -y postgresql && python3 -m pip install 'moto\[server\]' 'cfn-lint'\n/);
  });

  it('installs what is missing through apt-get and pip, then reports ready', () => {
    const log = join(tempDir('h2a-setup-log-'), 'calls');
    const bin = pathWithout(['redis-server', 'moto_server', 'cfn-lint'], {});
    const fake = (name: string, creates: string[]) =>
      `echo "${name} $*" >> ${log}\ncase "$*" in *install*) for b in ${creates.join(' ')}; do printf '#!/bin/sh\\nexit 0\\n' > ${bin}/$b; chmod +x ${bin}/$b; done;; esac\nexit 0`;
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\n${fake('apt-get', ['redis-server'])}\n`);
    writeFileSync(join(bin, 'python3'), `#!/bin/sh\n${fake('python3', ['moto_server', 'cfn-lint'])}\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
    chmodSync(join(bin, 'python3'), 0o755);
    const policy = join(tempDir('h2a-setup-policy-'), 'policy-rc.d');
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) {
      // non-root: password-less sudo stand-in that just runs the command
      writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n');
      chmodSync(join(bin, 'sudo'), 0o755);
    }
    const r = run(bin, {H2A_POLICY_RC_D: policy});
    expect(r.stderr).toContain('installing redis-server (apt-get)');
    expect(r.stderr).toContain('ready');
    expect(r.code).toBe(0);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain('apt-get update -qq');
    expect(calls).toContain('apt-get install -y -qq redis-server');
    expect(calls).toContain('python3 -m pip install --quiet moto[server] cfn-lint');
    expect(existsSync(policy)).toBe(false); // the temporary no-service policy is removed again
  });

  it('stops at once with the install command when installing fails', () => {
    const bin = pathWithout(['redis-server'], {'apt-get': 'exit 100'});
    if (process.getuid?.() !== 0) {
      writeFileSync(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n');
      chmodSync(join(bin, 'sudo'), 0o755);
    }
    mkdirSync(join(bin, 'x'), {recursive: true});
    const r = run(bin, {H2A_POLICY_RC_D: join(bin, 'x', 'policy-rc.d')});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not install');
    expect(r.stderr).toMatch(/apt-get install -y redis-server/);
  });
});
