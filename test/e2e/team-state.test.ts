/**
 * Team state through the built CLI: `migrate state init` moves a plan directory's state and
 * journal to a bucket in moto's S3 (and back), commands then use the bucket, the guard's trip
 * written with createS3State is seen by `status`, and no secret value reaches any object version.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {createS3State} from '../../src/adapters/state/s3-state.ts';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {expectNoCanary, sampleCanaries} from '../support/canary.ts';
import {filesUnder, runCli, tempDir, type CliResult} from '../support/cli.ts';
import {motoClientConfig, motoEndpoint, motoEnv, resetMoto} from '../support/moto.ts';

const BUCKET = 'acme-team-state';
let heroku: FakeHeroku;
let planDir: string;
const s3 = new S3Client({...motoClientConfig(), forcePathStyle: true});
const outputs: [string, string][] = [];
const env = () => ({HEROKU_API_URL: heroku.url, HEROKU_API_KEY: 'good', HOME: tempDir(), ...motoEnv(), AWS_EC2_METADATA_DISABLED: 'true'});
const storeOptions = () => ({endpoint: motoEndpoint(), region: 'us-east-1', clock: {now: () => new Date()}, maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}});
const cli = async (args: string[]): Promise<CliResult> => {
  const r = await runCli([...args, '--plan-dir', planDir], {env: env()});
  outputs.push([`${args.join(' ')} stdout`, r.stdout], [`${args.join(' ')} stderr`, r.stderr]);
  return r;
};
const json = (r: CliResult) => JSON.parse(r.stdout) as {status: string; result: Record<string, unknown>; error?: {message: string; exitCode: number}};
const localJournal = () => readFileSync(join(planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const keysUnder = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({Bucket: BUCKET, Prefix: prefix}))).Contents ?? []).map((o) => o.Key!);
const store = () => createS3State({bucket: BUCKET, prefix: 'heroku2aws', app: 'shop', ...storeOptions(), onWarning: () => {}});

beforeAll(async () => {
  await resetMoto();
  heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
  planDir = tempDir();
  expect((await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()})).code).toBe(0);
  // a local history first: the secret imported while the state was on one laptop
  expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
}, 120_000);
afterAll(() => {
  heroku.close();
  s3.destroy();
});

describe('migrate state init: local -> S3', () => {
  let before: Record<string, unknown>[];

  it('refuses bad flags with exit 2 before touching AWS', async () => {
    for (const args of [['--bucket', 'Bad_Bucket'], ['--bucket', BUCKET, '--local'], ['--bucket', BUCKET, '--kms-key', 'not-a-key'], ['--bucket', BUCKET, '--prefix', 'a//b'], ['--bucket', BUCKET, '--lease-seconds', '2'], []]) {
      const r = await cli(['state', 'init', '--app', 'shop', '--json', ...args]);
      expect({args, code: r.code}).toEqual({args, code: 2});
      expect(json(r).error?.message).toBeTruthy();
    }
    await expect(s3.send(new HeadBucketCommand({Bucket: BUCKET}))).rejects.toThrow();
  });

  it('--dry-run lists the bucket changes and the move, and writes nothing', async () => {
    const r = await cli(['state', 'init', '--app', 'shop', '--bucket', BUCKET, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const result = json(r).result;
    expect(result.bucketChanges).toEqual(['create bucket acme-team-state', 'turn on versioning', 'block all public access', 'default encryption SSE-S3', 'bucket policy: deny requests without TLS']);
    expect(result.moved).toMatchObject({state: true});
    await expect(s3.send(new HeadBucketCommand({Bucket: BUCKET}))).rejects.toThrow();
    expect(existsSync(join(planDir, 'backend.json'))).toBe(false);
  });

  it('creates the bucket with its safety settings and moves state and journal there', async () => {
    before = localJournal();
    const state = JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'));
    const r = await cli(['state', 'init', '--app', 'shop', '--bucket', BUCKET, '--json']);
    expect(r.code).toBe(0);
    expect(json(r).result).toMatchObject({location: 's3://acme-team-state/heroku2aws/shop/ (us-east-1)', moved: {state: true, journalEntries: before.length}});
    expect((await s3.send(new GetBucketVersioningCommand({Bucket: BUCKET}))).Status).toBe('Enabled');
    expect((await s3.send(new GetPublicAccessBlockCommand({Bucket: BUCKET}))).PublicAccessBlockConfiguration).toEqual({BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true});
    expect((await s3.send(new GetBucketEncryptionCommand({Bucket: BUCKET}))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({Bucket: BUCKET}))).Policy!) as {Statement: Record<string, unknown>[]};
    const tlsOnly = {Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: {Bool: {'aws:SecureTransport': 'false'}}};
    expect(policy.Statement).toContainEqual(expect.objectContaining(tlsOnly));
    // moto 5.2.1 ignores policy conditions and denies every request (docs/facts.md), while S3 denies
    // only those without TLS: the test gives the statement a principal moto does not evaluate (a
    // plain string other than "*"), which `state init` still recognizes as the TLS-only rule
    policy.Statement = policy.Statement.map((st) => (st.Effect === 'Deny' ? {...st, Principal: 'arn:aws:iam::123456789012:root'} : st));
    expect((await cli(['state', 'show', '--app', 'shop', '--json'])).code).toBe(1); // denied by moto, as the note says
    await s3.send(new PutBucketPolicyCommand({Bucket: BUCKET, Policy: JSON.stringify(policy)}));

    expect(JSON.parse(readFileSync(join(planDir, 'backend.json'), 'utf8'))).toEqual({schemaVersion: '1.0', type: 's3', bucket: BUCKET, prefix: 'heroku2aws', region: 'us-east-1'});
    for (const f of ['state.json', 'journal.jsonl']) expect(existsSync(join(planDir, f))).toBe(false);
    const remote = await store();
    const journal = await remote.readJournal();
    expect(journal.slice(0, before.length)).toEqual(before); // in order, each entry with its own time
    expect(journal.at(-1)).toMatchObject({op: 'state.move', phase: 'note'});
    expect(await remote.readState()).toEqual(state);
    expect(await keysUnder('heroku2aws/shop/journal/')).toHaveLength(before.length + 1);
    remote.close();
  });

  it('re-running is safe: nothing moves twice, the bucket is already right', async () => {
    const r = await cli(['state', 'init', '--app', 'shop', '--bucket', BUCKET, '--json']);
    expect(r.code).toBe(0);
    expect(json(r).result).toMatchObject({bucketChanges: [], moved: {journalEntries: 0}});
    expect(await keysUnder('heroku2aws/shop/journal/')).toHaveLength(before.length + 1);
  });

  it('`migrate plan` regenerating the plan keeps backend.json', async () => {
    const backend = readFileSync(join(planDir, 'backend.json'), 'utf8');
    expect((await runCli(['plan', '--app', 'shop', '--out', planDir], {env: env()})).code).toBe(0);
    expect(readFileSync(join(planDir, 'backend.json'), 'utf8')).toBe(backend);
  });
});

describe('commands use the S3 backend', () => {
  it('secrets import journals into the bucket, not into the plan directory', async () => {
    const app = heroku.state.apps.find((a) => a.app.name === 'shop')!;
    app.configVars.STRIPE_SECRET_KEY = 'sk_live_canary_rotated_for_team_state';
    const count = (await keysUnder('heroku2aws/shop/journal/')).length;
    const r = await cli(['secrets', 'import', '--app', 'shop']);
    expect(r.code).toBe(0);
    expect((await keysUnder('heroku2aws/shop/journal/')).length).toBeGreaterThan(count);
    expect(existsSync(join(planDir, 'journal.jsonl'))).toBe(false);
    expect(existsSync(join(planDir, 'state.json'))).toBe(false);
  });

  it('a lock held on another machine answers exit 5 naming the holder', async () => {
    const other = await createS3State({bucket: BUCKET, prefix: 'heroku2aws', app: 'shop', ...storeOptions(), identity: {user: 'oncall', host: 'other-laptop', pid: 4242}});
    const lock = await other.lock('shift');
    try {
      const r = await cli(['secrets', 'import', '--app', 'shop', '--json']);
      expect(r.code).toBe(5);
      expect(json(r).error?.message).toMatch(/locked by oncall@other-laptop \(pid 4242, 'shift' since/);
      const show = await cli(['state', 'show', '--app', 'shop', '--json']);
      expect(json(show).result.lock).toMatchObject({user: 'oncall', host: 'other-laptop', pid: 4242, command: 'shift', expired: false});
    } finally {
      await lock.release();
      other.close();
    }
  });

  it("the guard's trip, journaled with createS3State, is in `state show` and `status`", async () => {
    const guard = await store(); // as the guard's function builds it: no plan directory
    const id = 'rollback-guard-1';
    await guard.journal({id, op: 'rollback', phase: 'intent', details: {by: 'guard', alarm: 'shop-web-5xx-rate', from: 5}});
    await guard.journal({id, op: 'rollback', phase: 'result', ok: true, details: {by: 'guard', share: 0}});
    await guard.journal({id, op: 'rollback', phase: 'verify', ok: true, details: {by: 'guard', live: 0}});
    guard.close();
    const show = await cli(['state', 'show', '--app', 'shop', '--last', '3']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/State of shop: s3:\/\/acme-team-state\/heroku2aws\/shop\//);
    expect(show.stdout).toMatch(/rollback verify ok {2}rollback-guard-1 {2}by guard/);
    const status = await cli(['status', '--app', 'shop', '--json']);
    expect(status.code).toBe(0);
    expect(json(status).result.timeline).toEqual([expect.objectContaining({share: 0})]);
  });

  it('state pull writes a local copy of state and journal', async () => {
    const out = tempDir();
    const r = await cli(['state', 'pull', '--app', 'shop', '--out', out]);
    expect(r.code).toBe(0);
    const remote = await store();
    const lines = readFileSync(join(out, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(await remote.readJournal());
    expect(JSON.parse(readFileSync(join(out, 'state.json'), 'utf8'))).toEqual(await remote.readState());
    remote.close();
    for (const [f, text] of filesUnder(out)) outputs.push([f, text]);
    const refused = await cli(['state', 'pull', '--app', 'shop', '--out', planDir]);
    expect(refused.code).toBe(2);
  });

  it('no secret value is in any version of any object in the bucket, nor in any output', async () => {
    const versions = (await s3.send(new ListObjectVersionsCommand({Bucket: BUCKET}))).Versions ?? [];
    expect(versions.length).toBeGreaterThan(5);
    const texts: [string, string][] = [];
    for (const v of versions) {
      const o = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: v.Key!, VersionId: v.VersionId!}));
      texts.push([`s3://${BUCKET}/${v.Key}?versionId=${v.VersionId}`, await o.Body!.transformToString()]);
    }
    expectNoCanary([...texts, ...outputs, ...filesUnder(planDir)], [...sampleCanaries(), 'sk_live_canary_rotated_for_team_state']);
  });
});

describe('migrate state init --local: S3 -> local', () => {
  it('moves state and journal back, in order, and removes the app objects from the bucket', async () => {
    const remote = await store();
    const journal = await remote.readJournal();
    const state = await remote.readState();
    remote.close();
    const r = await cli(['state', 'init', '--app', 'shop', '--local', '--json']);
    expect(r.code).toBe(0);
    expect(json(r).result).toMatchObject({moved: {journalEntries: journal.length, state: true}});
    const back = localJournal();
    expect(back.slice(0, journal.length)).toEqual(journal);
    expect(back.at(-1)).toMatchObject({op: 'state.move'});
    expect(JSON.parse(readFileSync(join(planDir, 'state.json'), 'utf8'))).toEqual(state);
    expect(JSON.parse(readFileSync(join(planDir, 'backend.json'), 'utf8'))).toEqual({schemaVersion: '1.0', type: 'local'});
    expect((await keysUnder('heroku2aws/shop/')).filter((k) => k !== 'heroku2aws/shop/plan.json')).toEqual([]);
    const show = await cli(['state', 'show', '--app', 'shop']);
    expect(show.stdout).toContain(`State of shop: ${planDir} (local files)`);
    // and the commands work on local files again
    expect((await cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);
  });

  it('refuses to move back over local files, and to move to S3 when both hold state', async () => {
    writeFileSync(join(planDir, 'backend.json'), JSON.stringify({schemaVersion: '1.0', type: 's3', bucket: BUCKET, prefix: 'heroku2aws', region: 'us-east-1'}));
    const r = await cli(['state', 'init', '--app', 'shop', '--local', '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error?.message).toMatch(/already holds local state files/);
    writeFileSync(join(planDir, 'backend.json'), JSON.stringify({schemaVersion: '1.0', type: 'local'}));
    const remote = await store();
    await remote.journal({id: 'elsewhere', op: 'test', phase: 'note'});
    remote.close();
    const both = await cli(['state', 'init', '--app', 'shop', '--bucket', BUCKET, '--json']);
    expect(both.code).toBe(1);
    expect(json(both).error?.message).toMatch(/Both .* and s3:\/\/acme-team-state\/heroku2aws\/shop\/ .* hold state/);
    expect(JSON.parse(readFileSync(join(planDir, 'backend.json'), 'utf8')).type).toBe('local');
    expect(existsSync(join(planDir, 'journal.jsonl'))).toBe(true);
  });
});
