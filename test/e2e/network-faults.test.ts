/**
 * Hung, truncated and oversized Heroku answers through the built CLI: each run ends fast with
 * a clear message and exit 1, writes nothing, and leaves no process behind (npm run build first).
 */
import {join} from 'node:path';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku, type Sabotage, type SabotageOptions} from '../fakes/heroku-server.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {filesUnder, runCli, tempDir} from '../support/cli.ts';

let heroku: FakeHeroku;
beforeAll(async () => {
  heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
});
afterEach(() => heroku.clearFaults());
afterAll(() => heroku.close());

const cases: Array<[string, Sabotage, SabotageOptions, RegExp]> = [
  ['never answers', 'stall', {path: '/apps/shop/config-vars', times: 20}, /did not answer in time \(nothing received for 1 s\) while reading the config vars of app 'shop'/],
  ['truncated body, then close', 'truncate', {path: '/apps/shop/domains', times: 20}, /sent an incomplete answer .* while reading the domains of app 'shop'/],
  ['a 2 GB answer', 'oversize', {path: '/apps/shop/releases', times: 20}, /sent an answer too large to accept \(the answer is larger than 32 MB\) while reading the releases of app 'shop'/],
];

describe('plan --app against a misbehaving Heroku API', () => {
  it.each(cases)('%s: exit 1 fast, clear message, nothing written', async (_name, mode, options, message) => {
    heroku.sabotageNext(mode, options);
    const out = join(tempDir(), 'plan');
    const t0 = Date.now();
    const r = await runCli(['plan', '--app', 'shop', '--out', out], {env: {HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), MIGRATE_HTTP_TIMEOUT: '1'}});
    const ms = Date.now() - t0;
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Fix: /);
    expect(r.code).toBe(1);
    expect(ms).toBeLessThan(15_000); // the process ends: no request, retry or timer outlives the failure
    expect(filesUnder(out).size).toBe(0);
    expectNoCanary([['stderr', r.stderr], ['stdout', r.stdout]], sampleCanaries());
  });
});
