/** `migrate secrets import` through the built CLI: fake Heroku -> moto Secrets Manager, read back by the aws CLI. */
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateSecretCommand, DeleteSecretCommand, ListSecretVersionIdsCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {filesUnder, runCli, tempDir} from '../support/cli.ts';
import {motoClientConfig, motoEndpoint, motoEnv, resetMoto} from '../support/moto.ts';

const TRICKY: Record<string, string> = {
  TLS_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANcanaryBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7canary\n-----END PRIVATE KEY-----\n',
  GREETING: 'grüße, 世界 🚀 canary',
  QUOTED: `he said "canary" and 'left' \\ back`,
  EQUALS_HASH: 'a=b#c=d # not a comment canary',
  PADDED: '   padded canary value   ',
  EMPTY_VALUE: '',
  LONG_VALUE: 'canary-' + 'x'.repeat(20_000),
};

let heroku: FakeHeroku;
let planDir: string;
const sm = () => new SecretsManagerClient(motoClientConfig());
const env = () => ({HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), ...motoEnv(), AWS_EC2_METADATA_DISABLED: 'true'});
const importCli = (args: string[] = [], extraEnv: Record<string, string> = {}) =>
  runCli(['secrets', 'import', '--app', 'shop', '--plan-dir', planDir, ...args], {env: {...env(), ...extraEnv}});
const canaries = () => [...sampleCanaries(), ...Object.values(TRICKY).filter((v) => v.includes('canary'))];
const awsCliSecret = (name: string) =>
  JSON.parse(
    JSON.parse(execFileSync('aws', ['--endpoint-url', motoEndpoint(), 'secretsmanager', 'get-secret-value', '--secret-id', name, '--version-stage', 'AWSCURRENT', '--output', 'json'], {env: {...process.env, ...motoEnv()}}).toString())
      .SecretString,
  ) as Record<string, string>;

beforeAll(async () => {
  await resetMoto();
  heroku = await startFakeHeroku();
  const app = sampleApp();
  Object.assign(app.configVars, TRICKY);
  seedApp(heroku.state, app);
  planDir = tempDir();
  const plan = await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()});
  expect(plan.code).toBe(0);
});
afterAll(() => heroku.close());

describe('migrate secrets import', () => {
  const outputs: [string, string][] = [];

  it('--dry-run shows key names only and writes nothing', async () => {
    const r = await importCli(['--dry-run']);
    outputs.push(['dry-run stdout', r.stdout], ['dry-run stderr', r.stderr]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/added \(\d+\):/);
    expect(r.stdout).toContain('+ STRIPE_SECRET_KEY');
    expect(r.stdout).toMatch(/Dry run: nothing written/);
    await expect(sm().send(new ListSecretVersionIdsCommand({SecretId: 'heroku2aws/shop'}))).rejects.toThrow();
  });

  it('creates one JSON secret with exactly the app vars, byte for byte (read back by the aws CLI)', async () => {
    const r = await importCli(['--json']);
    outputs.push(['json stdout', r.stdout], ['json stderr', r.stderr]);
    expect(r.stdout).toMatch(/"status": "ok"/);
    expect(r.code).toBe(0);
    const envelope = JSON.parse(r.stdout);
    expect(envelope.result).toMatchObject({written: true, secretName: 'heroku2aws/shop'});
    const secret = awsCliSecret('heroku2aws/shop');
    const vars = {...sampleApp().configVars, ...TRICKY};
    for (const [k, v] of Object.entries(TRICKY)) expect(secret[k]).toBe(v);
    expect(secret.STRIPE_SECRET_KEY).toBe(vars.STRIPE_SECRET_KEY);
    expect(secret.SENDGRID_PASSWORD).toBe(vars.SENDGRID_PASSWORD); // SaaS add-on vars travel with the secret
    // both origins share Heroku Postgres and Redis during the shift: their URLs travel with Heroku's values
    expect(secret.DATABASE_URL).toBe(vars.DATABASE_URL);
    expect(secret.REDIS_URL).toBe(vars.REDIS_URL);
    for (const k of ['HEROKU_APP_NAME', 'HEROKU_DYNO_ID', 'PAPERTRAIL_API_TOKEN', 'PORT']) expect(secret).not.toHaveProperty(k);
    const state = JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
    expect(state.secret).toMatchObject({name: 'heroku2aws/shop', versionId: envelope.result.versionId, keyCount: Object.keys(secret).length});
    expect(state.secret.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws\/shop-/);
  });

  it('re-running with nothing changed writes no new version', async () => {
    const before = (await sm().send(new ListSecretVersionIdsCommand({SecretId: 'heroku2aws/shop'}))).Versions?.length;
    const r = await importCli();
    outputs.push(['rerun stdout', r.stdout]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No change/);
    expect((await sm().send(new ListSecretVersionIdsCommand({SecretId: 'heroku2aws/shop'}))).Versions?.length).toBe(before);
  });

  it('a changed and a removed Heroku var: changed by hash, removed kept unless --prune', async () => {
    const app = heroku.state.apps.find((a) => a.app.name === 'shop')!;
    app.configVars.STRIPE_SECRET_KEY = 'sk_live_canary_rotated';
    delete app.configVars.FEATURE_CHECKOUT_V2;
    const drift = await importCli();
    expect(drift.code).toBe(1);
    expect(drift.stderr).toMatch(/gone from Heroku: FEATURE_CHECKOUT_V2/);
    const r = await importCli(['--allow-drift']);
    outputs.push(['drift stdout', r.stdout], ['drift stderr', r.stderr]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ STRIPE_SECRET_KEY');
    expect(r.stdout).toContain('= FEATURE_CHECKOUT_V2');
    expect(awsCliSecret('heroku2aws/shop').FEATURE_CHECKOUT_V2).toBe('true');
    const pruned = await importCli(['--allow-drift', '--prune']);
    expect(pruned.stdout).toContain('- FEATURE_CHECKOUT_V2');
    expect(awsCliSecret('heroku2aws/shop')).not.toHaveProperty('FEATURE_CHECKOUT_V2');
    expect(awsCliSecret('heroku2aws/shop').STRIPE_SECRET_KEY).toBe('sk_live_canary_rotated');
    app.configVars.FEATURE_CHECKOUT_V2 = 'true';
  });

  it('journals intent, result and verification of each write', () => {
    const journal = readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const writes = journal.filter((e) => e.op === 'secret-write');
    expect(writes.map((e) => e.phase)).toEqual(['intent', 'result', 'verify', 'intent', 'result', 'verify', 'intent', 'result', 'verify']);
  });

  it('never prints or writes a value: stdout, stderr, --json, plan, state, journal', () => {
    expectNoCanary([...outputs, ...filesUnder(planDir)], [...canaries(), 'sk_live_canary_rotated']);
  });
});

describe('secrets import refuses bad input without writing', () => {
  it.each([
    ['no AWS credentials', {AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none-such'}, [], /AWS credentials/],
    ['an invalid region', {}, ['--region', 'mars'], /not an AWS region/],
    ['a KMS key that does not exist', {}, ['--secret-name', 'other/kms', '--kms-key', 'alias/none-such'], /KMS key alias\/none-such not found/],
    ['a Heroku token without the read-protected scope', {HEROKU_API_KEY: 'identity-only'}, [], /read-protected/],
  ])('%s', async (_n, extraEnv, args, message) => {
    const r = await importCli(args as string[], extraEnv as Record<string, string>);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/Fix: /);
    expectNoCanary([['stderr', r.stderr]], canaries());
  });

  it('a secret the tool did not create needs --adopt; one scheduled for deletion is refused', async () => {
    await sm().send(new CreateSecretCommand({Name: 'someone/else', SecretString: '{"KEEP":"me"}'}));
    const refused = await importCli(['--secret-name', 'someone/else']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not created by heroku2aws.*\n.*--adopt/);
    const adopted = await importCli(['--secret-name', 'someone/else', '--adopt']);
    expect(adopted.code).toBe(0);
    expect(awsCliSecret('someone/else').KEEP).toBe('me');
    await sm().send(new CreateSecretCommand({Name: 'doomed/secret', SecretString: '{}', Tags: [{Key: 'heroku2aws:app', Value: 'shop'}]}));
    await sm().send(new DeleteSecretCommand({SecretId: 'doomed/secret', RecoveryWindowInDays: 7}));
    const doomed = await importCli(['--secret-name', 'doomed/secret']);
    expect(doomed.code).toBe(1);
    expect(doomed.stderr).toMatch(/scheduled for deletion[\s\S]*restore-secret/);
  });

  it('a secret over 65,536 bytes names the largest keys and writes nothing', async () => {
    const app = heroku.state.apps.find((a) => a.app.name === 'shop')!;
    const long = app.configVars.LONG_VALUE!;
    app.configVars.LONG_VALUE = 'canary-' + 'y'.repeat(70_000);
    const r = await importCli(['--secret-name', 'too/big']);
    app.configVars.LONG_VALUE = long;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would be \d+ bytes; Secrets Manager allows 65536\. Largest keys: LONG_VALUE \(7\d{4} bytes\)/);
    await expect(sm().send(new ListSecretVersionIdsCommand({SecretId: 'too/big'}))).rejects.toThrow();
    expectNoCanary([['stderr', r.stderr]], canaries());
  });

  it('a second operator is refused with exit 5 naming the holder', async () => {
    const {openSync, writeFileSync, closeSync} = await import('node:fs');
    const lock = join(planDir, '.migrate.lock');
    closeSync(openSync(lock, 'wx'));
    writeFileSync(lock, JSON.stringify({command: 'shift', pid: 1, host: 'ops-box', user: 'alice', startedAt: '2026-11-26T10:00:00Z'}));
    const r = await importCli();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/locked by alice@ops-box/);
    const broken = await importCli(['--break-lock']);
    expect(broken.code).toBe(0);
  });
});
