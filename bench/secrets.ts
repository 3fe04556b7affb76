/**
 * Secrets import of apps with 50 and 500 config vars against moto and the fake Heroku API:
 * prints AWS and Heroku API calls (goal: a constant handful, independent of the number of vars)
 * and wall time of the CLI. Prints figures; asserts nothing.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {bigApp, seedApp, startFakeHeroku} from '../test/fakes/heroku-server.ts';
import {motoEnv, startMoto} from '../test/support/moto.ts';

const ROOT = join(import.meta.dirname, '..');
const moto = await startMoto();
const heroku = await startFakeHeroku();
const env = {...process.env, ...motoEnv(moto.endpoint), HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', AWS_EC2_METADATA_DISABLED: 'true'};

const cli = (args: string[]) =>
  new Promise<{ms: number; code: number | null; stdout: string}>((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore']});
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stdout}));
  });

console.log('secrets import against moto (one JSON secret per app)');
for (const [i, count] of [50, 500].entries()) {
  const name = `vars-${count}`;
  seedApp(heroku.state, bigApp({name, index: 100 + i, configVars: count, addons: 5, processTypes: 2}));
  const dir = mkdtempSync(join(tmpdir(), 'bench-secrets-'));
  const plan = await cli(['plan', '--app', name, '--out', dir]);
  if (plan.code !== 0) throw new Error(`plan exited ${plan.code}`);
  for (const run of ['first import', 're-run, nothing changed']) {
    const r = await cli(['secrets', 'import', '--app', name, '--plan-dir', dir, '--json']);
    if (r.code !== 0) throw new Error(`import exited ${r.code}: ${r.stdout}`);
    const {result} = JSON.parse(r.stdout);
    console.log(
      `  ${String(count).padStart(3)} vars, ${run.padEnd(24)} wall ${r.ms.toFixed(0).padStart(5)} ms, Heroku calls ${result.calls.heroku}, AWS calls ${result.calls.aws}, ${result.bytes} bytes, written ${result.written}`,
    );
  }
}
await heroku.close();
moto.process.kill('SIGTERM');
