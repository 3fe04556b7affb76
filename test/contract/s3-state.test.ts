/**
 * The S3 StateStore through the real SDK against moto's S3 (conditional writes: If-None-Match,
 * If-Match): the lock raced by two processes, a lease that expires after SIGKILL, the journal
 * written by two processes read back in order.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3';
import {createS3State, type S3StateOptions} from '../../src/adapters/state/s3-state.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {ROOT} from '../support/cli.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const BUCKET = 'team-state-contract';
const NODE24 = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
const CHILD = join(ROOT, 'test/support/s3-state-child.ts');

class Operator {
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | null = null;
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  constructor(prefix: string, leaseMs: number) {
    this.child = spawn(NODE24, ['--no-warnings', CHILD, motoEndpoint(), BUCKET, prefix, 'shop', String(leaseMs)], {stdio: 'pipe'});
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({input: this.child.stdout}).on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(line);
      } else this.lines.push(line);
    });
  }
  next(): Promise<Record<string, unknown>> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer from the operator process; stderr: ${this.stderr}`)), 30_000);
      this.waiter = (l) => {
        clearTimeout(t);
        resolve(JSON.parse(l) as Record<string, unknown>);
      };
    });
  }
  async ask(msg: Record<string, unknown>) {
    this.child.stdin.write(JSON.stringify(msg) + '\n');
    return this.next();
  }
  async ready() {
    expect(await this.next()).toHaveProperty('ready');
    return this;
  }
  async exit() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((r) => this.child.on('close', r));
    this.child.stdin.write(JSON.stringify({op: 'exit'}) + '\n');
    await closed;
  }
}

const options = (prefix: string, extra: Partial<S3StateOptions> = {}): S3StateOptions => ({
  bucket: BUCKET,
  prefix,
  app: 'shop',
  endpoint: motoEndpoint(),
  region: 'us-east-1',
  clock: {now: () => new Date()},
  maxAttempts: 1,
  credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
  onWarning: () => {},
  ...extra,
});

beforeAll(async () => {
  await resetMoto();
  await new S3Client({...motoClientConfig(), forcePathStyle: true}).send(new CreateBucketCommand({Bucket: BUCKET}));
});

describe('S3 state: lock', () => {
  it('two processes race for the lock 50 times: exactly one wins every time, the other gets exit 5 naming the holder', async () => {
    const [a, b] = await Promise.all([new Operator('race', 30_000).ready(), new Operator('race', 30_000).ready()]);
    try {
      const wins = {a: 0, b: 0};
      for (let round = 0; round < 50; round++) {
        a.child.stdin.write(JSON.stringify({op: 'lock', command: `shift ${round}`}) + '\n');
        b.child.stdin.write(JSON.stringify({op: 'lock', command: `shift ${round}`}) + '\n');
        const [ra, rb] = await Promise.all([a.next(), b.next()]);
        const outcome = [ra.lock, rb.lock].sort();
        expect(outcome).toEqual(['locked', 'won']);
        const [winner, loser] = ra.lock === 'won' ? [a, rb] : [b, ra];
        expect(loser.code).toBe(5);
        expect(String(loser.message)).toMatch(new RegExp(`locked by .*@.* \\(pid ${winner.child.pid}, 'shift ${round}' since`));
        wins[ra.lock === 'won' ? 'a' : 'b']++;
        expect(await winner.ask({op: 'release'})).toEqual({released: true});
      }
      expect(wins.a + wins.b).toBe(50);
    } finally {
      await Promise.all([a.exit(), b.exit()]);
    }
    const store = await createS3State(options('race'));
    expect(await store.lockHolder()).toBeNull(); // every winner released its lock
    store.close();
  }, 120_000);

  it('a live holder keeps its lease by renewing it; after SIGKILL the lease expires and is taken over with a warning', async () => {
    const leaseMs = 3_000;
    const holder = await new Operator('lease', leaseMs).ready();
    expect(await holder.ask({op: 'lock', command: 'shift'})).toEqual({lock: 'won'});
    const warnings: string[] = [];
    const other = await createS3State(options('lease', {leaseMs, onWarning: (m) => warnings.push(m)}));
    // alive for two leases: its renewals keep the lock
    const aliveUntil = Date.now() + 2 * leaseMs;
    while (Date.now() < aliveUntil) {
      const err = await other.lock('deploy').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MigrateError);
      expect((err as MigrateError).exitCode).toBe(5);
      await new Promise((r) => setTimeout(r, 700));
    }
    const live = await other.lockHolder();
    expect(live).toMatchObject({command: 'shift', pid: holder.child.pid, expired: false});
    expect(other.calls().PutObject).toBeGreaterThan(0);

    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.on('close', r));
    const killedAt = Date.now();
    let lock = null;
    while (!lock) {
      lock = await other.lock('deploy').catch((e: unknown) => {
        if ((e as MigrateError).exitCode !== 5) throw e;
        return null;
      });
      if (!lock) await new Promise((r) => setTimeout(r, 250));
      expect(Date.now() - killedAt).toBeLessThan(leaseMs + 5_000);
    }
    expect(warnings.join('\n')).toMatch(new RegExp(`Took over the lock of .*pid ${holder.child.pid}, 'shift'.*lease expired`));
    expect(await other.lockHolder()).toMatchObject({command: 'deploy', pid: process.pid, expired: false});
    await lock.release();
    expect(await other.lockHolder()).toBeNull();
    other.close();
  }, 60_000);

  it('a holder whose lock was taken over does not delete the new holder\'s lock on release', async () => {
    const a = await createS3State(options('lost', {leaseMs: 1_200}));
    const b = await createS3State(options('lost', {leaseMs: 60_000}));
    const lockA = await a.lock('shift');
    a.close(); // stops A's renewals, as a hung process would
    await new Promise((r) => setTimeout(r, 2_500));
    const lockB = await b.lock('deploy');
    await lockA.release(); // If-Match on A's old ETag: refused, B's lock stays
    expect(await b.lockHolder()).toMatchObject({command: 'deploy'});
    await lockB.release();
    b.close();
  }, 30_000);

  it('--break-lock removes a live lock with a warning', async () => {
    const warnings: string[] = [];
    const a = await createS3State(options('break'));
    const b = await createS3State(options('break', {onWarning: (m) => warnings.push(m)}));
    await a.lock('shift');
    const lock = await b.lock('rollback', {breakLock: true});
    expect(warnings.join('\n')).toMatch(/Breaking the lock of .*'shift'/);
    expect(await a.lockHolder()).toMatchObject({command: 'rollback'});
    await lock.release();
    a.close();
    b.close();
  });
});

describe('S3 state: journal', () => {
  it('two processes appending in turn are read back in order, each entry its own object', async () => {
    const [a, b] = await Promise.all([new Operator('journal', 30_000).ready(), new Operator('journal', 30_000).ready()]);
    try {
      expect(await a.ask({op: 'append', label: 'a1', n: 3})).toEqual({appended: 3});
      expect(await b.ask({op: 'append', label: 'b1', n: 3})).toEqual({appended: 3});
      expect(await a.ask({op: 'append', label: 'a2', n: 2})).toEqual({appended: 2}); // its next number was taken by b: it moves on
      expect(await b.ask({op: 'append', label: 'b2', n: 2})).toEqual({appended: 2});
    } finally {
      await Promise.all([a.exit(), b.exit()]);
    }
    const store = await createS3State(options('journal'));
    const ids = (await store.readJournal()).map((e) => e.id);
    expect(ids).toEqual(['a1-1', 'a1-2', 'a1-3', 'b1-1', 'b1-2', 'b1-3', 'a2-1', 'a2-2', 'b2-1', 'b2-2']);
    const keys = await store.listKeys();
    expect(keys.filter((k) => k.includes('/journal/'))).toEqual(Array.from({length: 10}, (_, i) => `journal/shop/journal/${String(i + 1).padStart(12, '0')}.json`));
    store.close();
  }, 60_000);

  it('two processes appending at the same time lose nothing and overwrite nothing', async () => {
    const [a, b] = await Promise.all([new Operator('concurrent', 30_000).ready(), new Operator('concurrent', 30_000).ready()]);
    try {
      a.child.stdin.write(JSON.stringify({op: 'append', label: 'a', n: 15}) + '\n');
      b.child.stdin.write(JSON.stringify({op: 'append', label: 'b', n: 15}) + '\n');
      expect(await Promise.all([a.next(), b.next()])).toEqual([{appended: 15}, {appended: 15}]);
    } finally {
      await Promise.all([a.exit(), b.exit()]);
    }
    const store = await createS3State(options('concurrent'));
    const ids = (await store.readJournal()).map((e) => e.id);
    expect(ids).toHaveLength(30);
    for (const label of ['a', 'b']) expect(ids.filter((id) => id.startsWith(`${label}-`))).toEqual(Array.from({length: 15}, (_, i) => `${label}-${i + 1}`));
    store.close();
  }, 60_000);

  it('reads only new entries after the first read; state and rollback requests round-trip', async () => {
    const writer = await createS3State(options('cache'));
    const reader = await createS3State(options('cache', {rollbackCheckMs: 0}));
    for (let i = 1; i <= 5; i++) await writer.journal({id: `e${i}`, op: 'test', phase: 'note'});
    expect((await reader.readJournal()).map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    const gets = reader.calls().GetObject ?? 0;
    await writer.journal({id: 'e6', op: 'test', phase: 'note'});
    expect((await reader.readJournal()).map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect((reader.calls().GetObject ?? 0) - gets).toBe(1);

    expect(await reader.readState()).toEqual({schemaVersion: '1.0', app: 'shop'});
    await writer.writeState({schemaVersion: '1.0', app: 'shop', aws: {albArn: 'arn', albDnsName: 'dns', albFullName: 'app/x/1'}});
    expect((await reader.readState()).aws?.albFullName).toBe('app/x/1');

    expect(await reader.readRollbackRequest()).toBeNull();
    await writer.writeRollbackRequest({at: '2026-12-02T08:00:00.000Z', by: 'oncall@laptop'});
    expect(await reader.readRollbackRequest()).toEqual({at: '2026-12-02T08:00:00.000Z', by: 'oncall@laptop'});
    await writer.clearRollbackRequest();
    expect(await reader.readRollbackRequest()).toBeNull();
    writer.close();
    reader.close();
  });
});
