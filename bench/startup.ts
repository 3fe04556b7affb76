/**
 * Startup cost: `migrate --help` against a bare `node -e 0`, interleaved in one run so both see
 * the same machine load. Goal: at most 4x. Prints figures; asserts nothing.
 */
import {spawnSync} from 'node:child_process';
import {join} from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 15);

const time = (args: string[]) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {cwd: ROOT, stdio: 'ignore'});
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

time(['-e', '0']);
time([join(ROOT, 'bin/run.js'), '--help']);
const bare: number[] = [];
const help: number[] = [];
const planHelp: number[] = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(time(['-e', '0']));
  help.push(time([join(ROOT, 'bin/run.js'), '--help']));
  planHelp.push(time([join(ROOT, 'bin/run.js'), 'plan', '--help']));
}
const ratio = median(help) / median(bare);
console.log(`startup (${RUNS} interleaved runs, node ${process.version})`);
console.log(`  node -e 0          median ${median(bare).toFixed(1)} ms`);
console.log(`  migrate --help     median ${median(help).toFixed(1)} ms  (${ratio.toFixed(2)}x bare node; goal <= 4x: ${ratio <= 4 ? 'met' : 'NOT met'})`);
console.log(`  migrate plan --help median ${median(planHelp).toFixed(1)} ms  (${(median(planHelp) / median(bare)).toFixed(2)}x)`);
