/**
 * Plan discovery against the fake Heroku API with 100 ms added to every request, for an app with
 * 300 config vars, 30 add-ons and 12 process types. Goal: wall time under 6 request latencies
 * plus startup (discovery runs concurrently). Then a 50-app batch with bounded concurrency,
 * in-process. Prints figures; asserts nothing.
 */
import {spawnSync, spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createHerokuSource} from '../src/adapters/heroku/heroku-source.ts';
import {createFileStore} from '../src/adapters/files/file-store.ts';
import {loadCatalog} from '../src/adapters/files/catalog-file.ts';
import {loadPrices} from '../src/adapters/files/prices-file.ts';
import {loadStackBlocks} from '../src/adapters/files/stack-blocks-file.ts';
import {keyedFingerprint} from '../src/domain/fingerprint.ts';
import {planWorkflow} from '../src/workflows/plan.ts';
import {bigApp, seedApp, startFakeHeroku} from '../test/fakes/heroku-server.ts';

const ROOT = join(import.meta.dirname, '..');
const LATENCY = 100;
const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const heroku = await startFakeHeroku({latencyMs: LATENCY});
seedApp(heroku.state, bigApp({name: 'big', configVars: 300, addons: 30, processTypes: 12}));
for (let i = 0; i < 50; i++) seedApp(heroku.state, bigApp({name: `batch-${String(i).padStart(2, '0')}`, index: i + 1, configVars: 60, addons: 6, processTypes: 4}));

const runCli = (args: string[]) =>
  new Promise<{ms: number; code: number | null; stderr: string}>((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {...process.env, HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good'},
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stderr}));
  });
const bare = () => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const helpTime = async () => (await runCli(['--help'])).ms;

const plans: number[] = [];
const helps: number[] = [];
const bares: number[] = [];
let requests = 0;
for (let i = 0; i < RUNS; i++) {
  bares.push(bare());
  helps.push(await helpTime());
  const before = heroku.requests.length;
  const r = await runCli(['plan', '--app', 'big', '--out', mkdtempSync(join(tmpdir(), 'bench-plan-'))]);
  if (r.code !== 0) throw new Error(`plan exited ${r.code}: ${r.stderr}`);
  requests = heroku.requests.length - before;
  plans.push(r.ms);
}
const startup = median(helps);
const budget = startup + 6 * LATENCY;
console.log(`plan --app big (300 config vars, 30 add-ons, 12 process types), ${LATENCY} ms per Heroku request, ${RUNS} runs`);
console.log(`  Heroku requests per plan: ${requests}`);
console.log(`  node -e 0 median ${median(bares).toFixed(0)} ms; migrate --help (startup) median ${startup.toFixed(0)} ms`);
console.log(`  plan wall time median ${median(plans).toFixed(0)} ms, max ${Math.max(...plans).toFixed(0)} ms`);
console.log(`  budget startup + 6 x latency = ${budget.toFixed(0)} ms: ${median(plans) <= budget ? 'met' : 'NOT met'} (${((median(plans) - startup) / LATENCY).toFixed(1)} latencies after startup)`);

// 50-app batch in one process, at most CONCURRENCY apps in flight
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const names = Array.from({length: 50}, (_, i) => `batch-${String(i).padStart(2, '0')}`);
const source = createHerokuSource({apiUrl: heroku.url, token: 'good'});
const deps = {files: createFileStore(), heroku: async () => source, fingerprinter: async () => keyedFingerprint(randomBytes(32)), catalog: () => loadCatalog(), stackBlocks: () => loadStackBlocks(), prices: () => loadPrices()};
const outRoot = mkdtempSync(join(tmpdir(), 'bench-batch-'));
const t0 = process.hrtime.bigint();
let inFlight = 0;
let peak = 0;
const queue = [...names];
await Promise.all(
  Array.from({length: CONCURRENCY}, async () => {
    for (let app = queue.shift(); app; app = queue.shift()) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await planWorkflow({app, out: join(outRoot, app)}, deps);
      inFlight--;
    }
  }),
);
const batchMs = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`batch: 50 apps, concurrency ${CONCURRENCY} (peak ${peak}), ${source.stats().requests} Heroku requests`);
console.log(`  wall ${batchMs.toFixed(0)} ms = ${(batchMs / 50).toFixed(0)} ms per app (a single app takes ~2 latencies of discovery: ${2 * LATENCY} ms)`);
console.log(`  rate-limit pool left on the fake: ${heroku.rateLimitRemaining('good').toFixed(0)} of 4500`);
await heroku.close();
