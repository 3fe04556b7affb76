/** Node binaries for the tests of bin/run.js: the project's own (node_modules/node) and the machine's. */
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {ROOT} from './cli.ts';

export const PROJECT_NODE = join(ROOT, 'node_modules/node/bin/node');

/** PATH entries outside node_modules (where npm scripts put the project's Node first) */
export const machinePath = () =>
  (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p && !p.includes('node_modules'))
    .join(':');

/** the first Node older than 22 on the machine's PATH (a fresh machine of this kind ships Node 20), if any */
export function oldMachineNode(): string | undefined {
  for (const dir of machinePath().split(':')) {
    const bin = join(dir, 'node');
    if (!existsSync(bin)) continue;
    const v = spawnSync(bin, ['-p', 'process.versions.node'], {encoding: 'utf8'}).stdout.trim();
    if (Number(v.split('.')[0]) < 22) return bin;
  }
  return undefined;
}

/** a PATH whose `node` is the given binary's directory first */
export const pathWithNode = (bin: string) => `${dirname(bin)}:${machinePath()}`;
