/**
 * `migrate state init` over its ports: local files in a temporary plan directory (the real
 * adapter), an in-memory shared store and bucket admin that record every call.
 */
import {copyFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {backendFiles} from '../../src/adapters/state/backend.ts';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import type {Backend, S3Backend} from '../../src/domain/backend.ts';
import type {AppState, JournalEntry} from '../../src/domain/state.ts';
import type {RollbackRequest} from '../../src/ports/state.ts';
import type {BucketSettings, RemoteStateStore, StateBucketAdmin} from '../../src/ports/state-backend.ts';
import {stateInitWorkflow, type StateBackendDeps} from '../../src/workflows/state-backend.ts';
import {ROOT, tempDir} from '../support/cli.ts';

const clock = {now: () => new Date('2026-12-02T08:00:00Z')};

function memoryRemote(log: string[], options: {dropEntry?: number} = {}) {
  const data = {state: null as AppState | null, journal: [] as JournalEntry[], rollback: null as RollbackRequest | null, plan: null as string | null, lock: false};
  const store: RemoteStateStore = {
    dir: 'mem',
    location: 's3://mem/',
    readPlan: () => Promise.reject(new Error('not used')),
    readState: async () => data.state ?? {schemaVersion: '1.0', app: 'shop'},
    writeState: async (s) => void (data.state = s, log.push('remote.writeState')),
    journal: async (e) => {
      log.push('remote.journal');
      if (options.dropEntry !== undefined && data.journal.length === options.dropEntry && !data.journal.some((x) => x.id === 'dropped')) {
        data.journal.push({...(e as JournalEntry), id: 'dropped'});
        return;
      }
      data.journal.push({at: clock.now().toISOString(), ...e});
    },
    readJournal: async () => [...data.journal],
    lock: async () => {
      log.push('remote.lock');
      data.lock = true;
      return {release: async () => void (data.lock = false, log.push('remote.release'))};
    },
    lockHolder: async () => null,
    writeRollbackRequest: async (r) => void (data.rollback = r),
    readRollbackRequest: async () => data.rollback,
    clearRollbackRequest: async () => void (data.rollback = null),
    listKeys: async () => [...(data.state ? ['shop/state.json'] : []), ...data.journal.map((_, i) => `shop/journal/${i + 1}.json`)],
    removeAll: async () => {
      const n = data.journal.length + (data.state ? 1 : 0);
      data.journal = [];
      data.state = null;
      return n;
    },
    writePlanCopy: async (text) => void (data.plan = text, log.push('remote.writePlanCopy')),
    calls: () => ({}),
    close: () => {},
  };
  return {store, data};
}

function memoryAdmin(log: string[], settings: Partial<BucketSettings>): StateBucketAdmin {
  return {
    inspect: async () => ({exists: false, versioning: 'Off', publicAccessBlocked: false, encryption: null, policy: null, ...settings}),
    create: async (b, region) => void log.push(`create ${b} ${region}`),
    enableVersioning: async () => void log.push('versioning'),
    blockPublicAccess: async () => void log.push('public'),
    setEncryption: async (_b, key) => void log.push(`encryption ${key ?? 'AES256'}`),
    putPolicy: async () => void log.push('policy'),
  };
}

async function setup(options: {dropEntry?: number; bucket?: Partial<BucketSettings>} = {}) {
  const dir = tempDir();
  copyFileSync(join(ROOT, 'plans/shop/plan.json'), join(dir, 'plan.json'));
  const local = createLocalState(dir, 'shop', clock);
  await local.writeState({schemaVersion: '1.0', app: 'shop', aws: {albArn: 'arn', albDnsName: 'dns', albFullName: 'app/x/1'}});
  for (const id of ['a', 'b', 'c']) await local.journal({id, op: 'test', phase: 'note'});
  const log: string[] = [];
  const notes: string[] = [];
  const remote = memoryRemote(log, options);
  const deps: StateBackendDeps = {
    files: backendFiles,
    open: async (b: Backend | null, d: string) => (b?.type === 's3' ? remote.store : createLocalState(d, 'shop', clock)),
    openRemote: async (_b: S3Backend) => remote.store,
    bucketAdmin: async () => memoryAdmin(log, options.bucket ?? {}),
    keys: async (region: string) => ({
      checkKey: async (key: string) => {
        if (key !== 'alias/state') throw new Error(`KMS key ${key} not found in this account and region.`);
        return {arn: `arn:aws:kms:${region}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`};
      },
    }),
    writeFiles: async () => [],
    env: {},
    now: () => clock.now(),
    onNote: (m) => notes.push(m),
  };
  return {dir, deps, log, notes, remote};
}

describe('state init to S3', () => {
  it('sets up the bucket, copies, then switches, removes local files, and applies the TLS-only policy last', async () => {
    const {dir, deps, log, remote} = await setup();
    const r = await stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket', kmsKey: 'alias/state'}, deps);
    expect(log).toEqual([
      'create team-bucket us-east-1',
      'versioning',
      'public',
      'encryption arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'remote.lock',
      'remote.writeState',
      'remote.journal',
      'remote.journal',
      'remote.journal',
      'remote.journal',
      'remote.writePlanCopy',
      'remote.release',
      'policy',
    ]);
    expect(remote.data.journal.map((e) => e.id)).toEqual(['a', 'b', 'c', expect.stringMatching(/^state-init-/)]);
    expect(r.moved).toEqual({state: true, journalEntries: 3, rollbackRequest: false});
    expect(JSON.parse(readFileSync(join(dir, 'backend.json'), 'utf8'))).toEqual({schemaVersion: '1.0', type: 's3', bucket: 'team-bucket', prefix: 'heroku2aws', region: 'us-east-1', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'});
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(false);
  });

  it('an unknown --kms-key is refused before anything is written, --dry-run included', async () => {
    const {dir, deps, log} = await setup();
    for (const dryRun of [true, false]) {
      await expect(stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket', kmsKey: 'alias/missing', dryRun}, deps)).rejects.toThrow(/KMS key alias\/missing not found/);
    }
    expect(log).toEqual([]);
    expect(existsSync(join(dir, 'backend.json'))).toBe(false);
  });

  it('a copy that does not read back switches nothing and removes nothing', async () => {
    const {dir, deps, log, remote} = await setup({dropEntry: 1});
    await expect(stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket'}, deps)).rejects.toThrow(/does not read back as written \(journal: 2 of 3 entries match, 3 read\)/);
    expect(existsSync(join(dir, 'backend.json'))).toBe(false);
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(log).toContain('remote.release');
    expect(log).not.toContain('policy');
    expect(remote.data.journal).toEqual([]); // the partial copy is gone: a re-run starts clean
    expect(remote.data.state).toBeNull();
  });

  it('a bucket in another region is used in its region; --dry-run writes nothing', async () => {
    const {dir, deps, log, notes} = await setup({bucket: {exists: true, region: 'eu-west-1', versioning: 'Enabled', publicAccessBlocked: true, encryption: {algorithm: 'AES256'}}});
    const dry = await stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket', dryRun: true}, deps);
    expect(dry).toMatchObject({dryRun: true, bucketChanges: ['bucket policy: deny requests without TLS'], backend: {region: 'eu-west-1'}});
    expect(log).toEqual([]);
    expect(notes.join('\n')).toMatch(/is in eu-west-1/);
    expect(existsSync(join(dir, 'backend.json'))).toBe(false);
  });

  it('after a move that stopped before removing the local files, a re-run removes them only if the bucket holds them', async () => {
    const {dir, deps, remote} = await setup();
    const backend = {schemaVersion: '1.0', type: 's3', bucket: 'team-bucket', prefix: 'heroku2aws', region: 'us-east-1'};
    writeFileSync(join(dir, 'backend.json'), JSON.stringify(backend));
    await expect(stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket'}, deps)).rejects.toThrow(/still holds local state files that .* does not contain/);
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(true);
    const local = createLocalState(dir, 'shop', clock);
    remote.data.journal = [...(await local.readJournal()), {at: clock.now().toISOString(), id: 'later', op: 'test', phase: 'note'}];
    const r = await stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket'}, deps);
    expect(r.removed.map((p) => p.split('/').at(-1)).sort()).toEqual(['journal.jsonl', 'state.json']);
    expect(remote.data.journal.map((e) => e.id)).toEqual(['a', 'b', 'c', 'later']); // nothing copied twice
  });

  it('refuses a different bucket while the state is in one', async () => {
    const {dir, deps} = await setup();
    writeFileSync(join(dir, 'backend.json'), JSON.stringify({schemaVersion: '1.0', type: 's3', bucket: 'old-bucket', prefix: 'heroku2aws', region: 'us-east-1'}));
    await expect(stateInitWorkflow({app: 'shop', planDir: dir, bucket: 'team-bucket'}, deps)).rejects.toThrow(/already in s3:\/\/old-bucket/);
  });
});
