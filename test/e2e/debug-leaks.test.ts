/**
 * Hostile debugging: `DEBUG=*` (the `debug` package: heroku-client logs response bodies under
 * `http`) and `NODE_DEBUG=http,net,tls` (Node's debuglog prints request headers) must not put
 * a config var value, the Heroku token or the AWS secret key on stdout, stderr or disk.
 * Runs the built CLI (npm run build first).
 */
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {filesUnder, runCli, tempDir} from '../support/cli.ts';
import {motoEnv, resetMoto} from '../support/moto.ts';

const HEROKU_TOKEN = 'HRKU-canary-token-5d1e';
const AWS_SECRET = 'aws-secret-canary-77c1';
let heroku: FakeHeroku;

beforeAll(async () => {
  await resetMoto();
  heroku = await startFakeHeroku({tokens: [{token: HEROKU_TOKEN, scopes: ['global']}]});
  seedApp(heroku.state, sampleApp());
});
afterAll(() => heroku.close());

const baseEnv = () => ({HEROKU_API_URL: heroku.url, HEROKU_API_KEY: HEROKU_TOKEN, HOME: tempDir(), ...motoEnv(), AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_EC2_METADATA_DISABLED: 'true'});
const secretsOf = () => [...sampleCanaries(), HEROKU_TOKEN, AWS_SECRET];

const MODES: Array<[string, Record<string, string>, RegExp]> = [
  ['DEBUG=*', {DEBUG: '*'}, /DEBUG: the 'http' and 'ioredis:\*' logs are off/],
  ['DEBUG=http', {DEBUG: 'http'}, /DEBUG: the 'http' log is off/],
  ['NODE_DEBUG=http,net,tls', {NODE_DEBUG: 'http,net,tls'}, /NODE_DEBUG: http, net, tls are off/],
  ['both', {DEBUG: '*', NODE_DEBUG: 'net,http,timer'}, /NODE_DEBUG: net, http are off/],
];

describe.each(MODES)('%s', (_name, debugEnv, note) => {
  const run = (args: string[]) => runCli(args, {env: {...baseEnv(), ...debugEnv}});

  it('plan --app --json, snapshot and secrets import (dry run, then for real) leak nothing', async () => {
    const dir = tempDir();
    const outputs: Array<[string, string]> = [];
    const steps: Array<[string, string[]]> = [
      ['plan', ['plan', '--app', 'shop', '--out', `${dir}/plan`, '--json']],
      ['snapshot', ['snapshot', '--app', 'shop', '--out', `${dir}/shop.snapshot.json`]],
      ['import dry run', ['secrets', 'import', '--app', 'shop', '--plan-dir', `${dir}/plan`, '--dry-run']],
      ['import', ['secrets', 'import', '--app', 'shop', '--plan-dir', `${dir}/plan`, '--json']],
    ];
    for (const [what, args] of steps) {
      const r = await run(args);
      outputs.push([`${what} stdout`, r.stdout], [`${what} stderr`, r.stderr]);
      expect({what, code: r.code, stderr: r.code === 0 ? '' : r.stderr.slice(-2000)}).toEqual({what, code: 0, stderr: ''});
      expect(r.stderr).toMatch(note);
    }
    expect(JSON.parse(outputs[0]![1]).status).toBe('ok');
    expectNoCanary([...outputs, ...filesUnder(dir)], secretsOf());
    // the debugging the user asked for still happens (other names are not silenced)
    if (debugEnv.DEBUG === '*') expect(outputs.find(([w]) => w === 'plan stderr')![1]).toMatch(/oclif/);
    if (debugEnv.NODE_DEBUG?.includes('timer')) expect(outputs.find(([w]) => w === 'plan stderr')![1]).toMatch(/^TIMER \d+:/m);
    // and the Heroku data was really read (the runs are not empty)
    expect(heroku.requests.some((q) => q.path === '/apps/shop/config-vars' && q.status === 200)).toBe(true);
  });
});
