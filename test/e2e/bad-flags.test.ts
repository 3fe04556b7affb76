/**
 * Bad flags and hand-edited plans are refused before the first write to a live system, and
 * --dry-run refuses them the same way: exit 2 (usage) or 1 (a bad plan), a message naming the
 * flag and the fix, and the live systems (fake Cloudflare, fake Heroku, moto) and the journal
 * exactly as they were (npm run build first).
 */
import {ListSecretsCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runCli, tempDir} from '../support/cli.ts';
import {ACCOUNT, startReadyCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {motoClientConfig, resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
beforeAll(async () => {
  await resetMoto();
  w = await startReadyCutoverEnv();
});
afterAll(() => w.close());

const journal = () => (existsSync(join(w.planDir, 'journal.jsonl')) ? readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8') : '');
const awsPool = () => [...w.cloudflare.state.accounts.get(ACCOUNT)!.pools.values()].find((p) => p.name.endsWith('-aws'))!;
const writes = () => [...w.cloudflare.requests, ...w.heroku.requests].filter((q) => q.method !== 'GET').length;
const secrets = async () => (await new SecretsManagerClient(motoClientConfig()).send(new ListSecretsCommand({}))).SecretList ?? [];

/** Runs the CLI and asserts the run changed nothing live and nothing in the journal. */
async function refused(args: string[], code: number, message: RegExp) {
  const [before, journalBefore, secretsBefore] = [writes(), journal(), (await secrets()).length];
  const r = await w.cli(args);
  expect({code: r.code, stderr: r.stderr}).toEqual({code, stderr: expect.stringMatching(message)});
  expect(r.stderr).toMatch(/Fix: /);
  expect(writes()).toBe(before);
  expect(journal()).toBe(journalBefore);
  expect((await secrets()).length).toBe(secretsBefore);
  return r;
}

describe('shift: every flag is checked before the first write', () => {
  beforeAll(() => {
    awsPool().enabled = false; // a shift up would re-enable it first
  });

  it.each([
    ['--poll 0', ['--poll', '0'], /--poll must be at least 100ms/],
    ['--poll 10ms', ['--poll', '10ms'], /--poll must be at least 100ms/],
    ['--max-bake-extension abc', ['--max-bake-extension', 'abc'], /--max-bake-extension must be a number of at least 1/],
    ['--max-bake-extension 0.5', ['--max-bake-extension', '0.5'], /--max-bake-extension must be a number of at least 1/],
    ['--bake 10x', ['--bake', '10x'], /--bake must be a duration/],
    ['--to 101', ['--to', '101'], /--to must be at most 100%/],
    ['--steps 5,1', ['--steps', '5,1'], /--steps must increase/],
    ['--region nowhere', ['--region', 'nowhere'], /'nowhere' is not an AWS region name/],
  ])('%s (and under --dry-run): exit 2, the AWS pool stays disabled, nothing journaled', async (_name, bad, message) => {
    const defaults = [['--to', '5'], ['--bake', '1s'], ['--min-requests', '0']].filter(([flag]) => !bad.includes(flag!)).flat();
    const args = ['shift', '--app', 'shop', ...defaults, ...bad];
    await refused([...args, '--yes'], 2, message);
    await refused([...args, '--dry-run'], 2, message);
    expect(awsPool().enabled).toBe(false);
  });

  it('a hand-edited plan with a poll interval of 0 is refused the same way', async () => {
    const file = join(w.planDir, 'plan.json');
    const original = readFileSync(file, 'utf8');
    const plan = JSON.parse(original);
    plan.cutover.pollSeconds = 0;
    writeFileSync(file, JSON.stringify(plan));
    try {
      await refused(['shift', '--app', 'shop', '--to', '5', '--bake', '1s', '--min-requests', '0', '--yes'], 2, /plan\.json cutover\.pollSeconds must be at least 100ms/);
    } finally {
      writeFileSync(file, original);
    }
    expect(awsPool().enabled).toBe(false);
  });
});

describe('secrets import', () => {
  it.each([[[]], [['--dry-run']]])('--secret-name with a space %j: exit 2, no secret, nothing journaled', async (extra) => {
    await refused(['secrets', 'import', '--app', 'shop', '--secret-name', 'bad name!', ...extra], 2, /--secret-name 'bad name!' is not a valid Secrets Manager secret name/);
  });

  it('a hand-edited plan whose secret.name is not a secret name: exit 1 naming the field, no secret', async () => {
    const file = join(w.planDir, 'plan.json');
    const original = readFileSync(file, 'utf8');
    const plan = JSON.parse(original);
    plan.secret.name = '../../etc/passwd; rm -rf';
    writeFileSync(file, JSON.stringify(plan));
    try {
      await refused(['secrets', 'import', '--app', 'shop'], 1, /plan\.json is not a valid plan: secret\.name: not a valid Secrets Manager secret name/);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('edge setup', () => {
  it.each([
    ['--zone nope', ['--zone', 'nope'], /--zone 'nope' is not a Cloudflare id/],
    ['--account with upper case', ['--account', '01A7362D577A6C3019A474FD6F485823'], /--account '01A7362D577A6C3019A474FD6F485823' is not a Cloudflare id/],
    ['--hostname with a space', ['--hostname', 'shop example.com'], /--hostname 'shop example.com' is not a hostname/],
    ['--region nowhere', ['--region', 'nowhere'], /'nowhere' is not an AWS region name/],
  ])('%s: exit 2, no Cloudflare write, nothing journaled', async (_name, bad, message) => {
    await refused(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes', ...bad], 2, message);
  });
});

describe('plan and snapshot: small input checks', () => {
  it.each([
    ['plan --out /', ['plan', '--app', 'shop', '--out', '/'], /--out \/ is the root of the file system/],
    ['plan --out /proc/self/x', ['plan', '--app', 'shop', '--out', '/proc/self/x'], /--out \/proc\/self\/x is under \/proc/],
    ['snapshot --out /sys/x.json', ['snapshot', '--app', 'shop', '--out', '/sys/x.json'], /is under \/sys/],
    ['plan --app ab', ['plan', '--app', 'ab', '--out', tempDir()], /--app 'ab' is not a valid Heroku app name/],
  ])('%s: exit 2 at once, no request to Heroku', async (_name, args, message) => {
    const requests = w.heroku.requests.length;
    const t0 = Date.now();
    const r = await runCli(args, {env: w.env});
    expect({code: r.code, stderr: r.stderr}).toEqual({code: 2, stderr: expect.stringMatching(message)});
    expect(r.stderr).toMatch(/Fix: .*(App names are 3-30|plans\/shop)/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(w.heroku.requests.length).toBe(requests);
  });
});
