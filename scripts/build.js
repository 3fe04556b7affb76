// `npm run build`: compiles src/ into a temporary directory next to dist/, writes oclif's command
// manifest there, then swaps both in. dist/ never disappears while a build runs (another terminal's
// `migrate`, a test spawning bin/run.js): the swap is two renames, microseconds apart.
import {Config} from '@oclif/core';
import {execFileSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join, resolve} from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(root, '.build-'));
try {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(tmp, 'dist')], {cwd: root, stdio: 'inherit'});
  // the guard function's bundle (the asset `migrate guard install` uploads), built into the same swap
  execFileSync(process.execPath, [join(root, 'scripts/build-guard.js'), join(tmp, 'dist', 'guard')], {cwd: root, stdio: 'inherit'});
  // the manifest lets `migrate --help` list commands without importing them; it is written from the
  // new build (package.json beside it, node_modules found up the tree)
  copyFileSync(join(root, 'package.json'), join(tmp, 'package.json'));
  const config = await Config.load({root: tmp});
  writeFileSync(join(tmp, 'oclif.manifest.json'), JSON.stringify(config.rootPlugin.manifest, null, 2) + '\n');
  if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), join(tmp, 'old-dist'));
  renameSync(join(tmp, 'dist'), join(root, 'dist'));
  renameSync(join(tmp, 'oclif.manifest.json'), join(root, 'oclif.manifest.json'));
} finally {
  rmSync(tmp, {recursive: true, force: true});
}
