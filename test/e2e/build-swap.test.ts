/**
 * `npm run build` (scripts/build.js) builds beside dist/ and swaps: while it runs, dist/ and the
 * command manifest stay in place (another terminal's migrate, a test spawning bin/run.js), and
 * after it nothing of the temporary build is left.
 */
import {spawn} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT, runCli} from '../support/cli.ts';

it('keeps dist/ and the manifest in place during a build, and leaves no temporary build behind', async () => {
  const watched = [join(ROOT, 'dist/commands/plan.js'), join(ROOT, 'dist/cli/base-command.js'), join(ROOT, 'oclif.manifest.json')];
  expect(watched.every((f) => existsSync(f))).toBe(true); // built before the e2e tests
  const build = spawn(process.execPath, [join(ROOT, 'scripts/build.js')], {cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe']});
  let stderr = '';
  build.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => build.on('close', resolve));
  let finished = false;
  void done.then(() => (finished = true));
  const missing = new Set<string>();
  let checks = 0;
  let cliRuns = 0;
  while (!finished) {
    for (const f of watched) if (!existsSync(f)) missing.add(f);
    checks++;
    if (checks % 200 === 0) {
      // the CLI keeps working meanwhile
      const r = await runCli(['plan', '--help']);
      expect(r.code).toBe(0);
      cliRuns++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(await done).toBe(0);
  expect(stderr).toBe('');
  expect([...missing]).toEqual([]);
  expect(checks).toBeGreaterThan(100);
  expect(cliRuns).toBeGreaterThan(0);
  expect(readdirSync(ROOT).filter((f) => f.startsWith('.build-'))).toEqual([]);
  expect(watched.every((f) => existsSync(f))).toBe(true);
}, 600_000);
