/**
 * `migrate state init/show/pull`: choose where an app's state, journal and lock live (local files
 * or an S3 bucket shared by the team and the guard), move them there and back, and look at them.
 */
import {
  BACKEND_SCHEMA_VERSION,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_STATE_PREFIX,
  checkBucketName,
  checkKmsKey,
  describeBackend,
  localBackend,
  normalizePrefix,
  policyWithTlsOnly,
  type Backend,
  type S3Backend,
} from '../domain/backend.ts';
import {MigrateError, usageError} from '../domain/errors.ts';
import {canonicalJson} from '../domain/plan.ts';
import {resolveRegion} from '../domain/regions.ts';
import type {AppState, JournalEntry} from '../domain/state.ts';
import type {LockInfo, RollbackRequest, StateStore} from '../ports/state.ts';
import type {BackendFiles, BucketSettings, RemoteStateStore, StateBucketAdmin} from '../ports/state-backend.ts';

export interface StateBackendDeps {
  files: BackendFiles;
  /** the store of a backend record in a plan directory (null: local files); close() ends a remote one */
  open: (backend: Backend | null, dir: string) => Promise<StateStore & {close?: () => void}>;
  openRemote: (backend: S3Backend, dir: string) => Promise<RemoteStateStore>;
  bucketAdmin: (region: string) => Promise<StateBucketAdmin>;
  /** writes files into a directory, all or none */
  writeFiles: (dir: string, files: Record<string, string>) => Promise<string[]>;
  env: Record<string, string | undefined>;
  now: () => Date;
  onNote?: (message: string) => void;
}

export interface StateInitInput {
  app: string;
  planDir: string;
  bucket?: string;
  prefix?: string;
  kmsKey?: string;
  region?: string;
  leaseSeconds?: number;
  /** move the state back to local files */
  local?: boolean;
  dryRun?: boolean;
  breakLock?: boolean;
}

export interface StateInitResult {
  backend: Backend;
  location: string;
  previous: string;
  /** what was (or, with --dry-run, would be) done to the bucket */
  bucketChanges: string[];
  moved: {state: boolean; journalEntries: number; rollbackRequest: boolean};
  adopted: boolean;
  removed: string[];
  dryRun: boolean;
}

/** everything a store holds, to copy it elsewhere */
interface Contents {
  state: AppState | null;
  journal: JournalEntry[];
  rollback: RollbackRequest | null;
}

async function contents(store: StateStore, hasState: boolean): Promise<Contents> {
  return {state: hasState ? await store.readState() : null, journal: await store.readJournal(), rollback: await store.readRollbackRequest()};
}

const isEmpty = (c: Contents) => !c.state && !c.journal.length && !c.rollback;

/** copies state, journal (in order, keeping each entry's time) and the rollback request, then checks the copy */
async function copyContents(from: Contents, to: StateStore, where: string): Promise<void> {
  if (from.state) await to.writeState(from.state);
  // each entry keeps its own `at`: the stores stamp only entries that have none
  for (const entry of from.journal) await to.journal(entry);
  if (from.rollback) await to.writeRollbackRequest(from.rollback);
  const journal = await to.readJournal();
  const same = journal.length === from.journal.length && journal.every((e, i) => canonicalJson(e) === canonicalJson(from.journal[i]));
  const stateSame = !from.state || canonicalJson(await to.readState()) === canonicalJson(from.state);
  if (!same || !stateSame) {
    throw new MigrateError('io', `The copy at ${where} does not read back as written (${!same ? `journal: ${journal.length} of ${from.journal.length} entries match` : 'state differs'}).`, {
      hint: 'Nothing was removed from the old place and the backend was not switched; re-run `migrate state init` to copy again.',
    });
  }
}

function bucketChanges(settings: BucketSettings, input: {bucket: string; kmsKey?: string}): {label: string; key: 'create' | 'versioning' | 'public' | 'encryption' | 'policy'; policy?: string}[] {
  const out: ReturnType<typeof bucketChanges> = [];
  if (!settings.exists) out.push({key: 'create', label: `create bucket ${input.bucket}`});
  if (settings.versioning !== 'Enabled') out.push({key: 'versioning', label: 'turn on versioning'});
  if (!settings.publicAccessBlocked) out.push({key: 'public', label: 'block all public access'});
  const enc = settings.encryption;
  if (input.kmsKey ? enc?.algorithm !== 'aws:kms' || !enc.kmsKeyId?.endsWith(input.kmsKey.replace(/^arn:[^:]*:kms:[^:]*:\d+:/, '')) : !enc) {
    out.push({key: 'encryption', label: input.kmsKey ? `default encryption SSE-KMS with ${input.kmsKey}` : 'default encryption SSE-S3'});
  }
  const policy = policyWithTlsOnly(settings.policy, input.bucket);
  if (policy) out.push({key: 'policy', label: 'bucket policy: deny requests without TLS', policy});
  return out;
}

function validate(input: StateInitInput): {prefix: string; lease: number} {
  if (input.local && (input.bucket || input.kmsKey || input.prefix !== undefined)) throw usageError('--local moves the state back to local files: it takes no --bucket, --prefix or --kms-key.', 'Run either `migrate state init --app APP --bucket B` or `migrate state init --app APP --local`.');
  if (!input.local && !input.bucket) throw usageError('Say where the state goes: --bucket NAME (S3, shared by the team) or --local (files in the plan directory).', 'For example: migrate state init --app shop --bucket acme-heroku2aws-state');
  if (input.bucket) checkBucketName(input.bucket);
  if (input.kmsKey) checkKmsKey(input.kmsKey);
  const lease = input.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(lease) || lease < 6 || lease > 3600) throw usageError(`--lease-seconds ${lease} is out of range.`, 'Use 6 to 3600 seconds (default 30): the lock holder renews every third of it, and a dead holder blocks others for at most that long.');
  return {prefix: normalizePrefix(input.prefix ?? DEFAULT_STATE_PREFIX), lease};
}

export async function stateInitWorkflow(input: StateInitInput, deps: StateBackendDeps): Promise<StateInitResult> {
  const {prefix, lease} = validate(input);
  const current = await deps.files.read(input.planDir);
  const previous = describeBackend(current ?? localBackend(), input.planDir, input.app);
  if (input.local) return current?.type === 's3' ? toLocal(input, deps, current, previous) : unchanged(input, previous);
  // the plan lives in the plan directory whatever the backend; so do local state files
  const localStore = await deps.open(localBackend(), input.planDir);
  const plan = await localStore.readPlan();

  const bucket = input.bucket!;
  if (current?.type === 's3' && (current.bucket !== bucket || current.prefix !== prefix)) {
    throw new MigrateError('conflict', `${input.app}'s state is already in ${previous}.`, {
      hint: `Move it back first (\`migrate state init --app ${input.app} --local\`), then to the new bucket.`,
    });
  }
  const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
  const admin = await deps.bucketAdmin(region);
  const settings = await admin.inspect(bucket);
  const changes = bucketChanges(settings, {bucket, kmsKey: input.kmsKey});
  const bucketRegion = settings.region ?? region;
  if (settings.region && settings.region !== region) deps.onNote?.(`The bucket ${bucket} is in ${settings.region}: the state uses that region.`);
  const backend: S3Backend = {
    schemaVersion: BACKEND_SCHEMA_VERSION,
    type: 's3',
    bucket,
    prefix,
    region: bucketRegion,
    ...(input.kmsKey ? {kmsKeyId: input.kmsKey} : current?.type === 's3' && current.kmsKeyId ? {kmsKeyId: current.kmsKeyId} : {}),
    ...(lease !== DEFAULT_LEASE_SECONDS ? {leaseSeconds: lease} : {}),
  };
  const location = describeBackend(backend, input.planDir, input.app);
  const localFiles = await deps.files.localStateFiles(input.planDir);
  // already in this bucket: local files can only be leftovers of a move that stopped after the switch
  const local = current?.type === 's3' && !localFiles.length ? null : localStore;
  const moving = local ? await contents(local, localFiles.some((f) => f.endsWith('state.json'))) : null;
  const moved = {state: !!moving?.state, journalEntries: moving?.journal.length ?? 0, rollbackRequest: !!moving?.rollback};
  const base = {backend, location, previous, bucketChanges: changes.map((c) => c.label), moved, removed: [] as string[]};
  if (input.dryRun) return {...base, adopted: false, dryRun: true};

  const localLock = local ? await local.lock('state init', {breakLock: input.breakLock}) : null;
  let remote: RemoteStateStore | null = null;
  try {
    // the TLS-only policy comes last, once the state is in place and the lock released
    const apply = async (c: (typeof changes)[number]) => {
      deps.onNote?.(`Bucket ${bucket}: ${c.label}`);
      if (c.key === 'create') await admin.create(bucket, bucketRegion);
      if (c.key === 'versioning') await admin.enableVersioning(bucket);
      if (c.key === 'public') await admin.blockPublicAccess(bucket);
      if (c.key === 'encryption') await admin.setEncryption(bucket, input.kmsKey);
      if (c.key === 'policy') await admin.putPolicy(bucket, c.policy!);
    };
    for (const c of changes.filter((c) => c.key !== 'policy')) await apply(c);
    remote = await deps.openRemote(backend, input.planDir);
    const done = await moveIn(remote, {input, deps, moving, local, localFiles, location, previous, backend, journalEntries: moved.journalEntries, planText: canonicalJson(plan, 2) + '\n', s3Before: current?.type === 's3'});
    for (const c of changes.filter((c) => c.key === 'policy')) await apply(c);
    return {...base, ...done, dryRun: false};
  } finally {
    remote?.close();
    await localLock?.release();
  }
}

interface MoveIn {
  input: StateInitInput;
  deps: StateBackendDeps;
  moving: Contents | null;
  local: StateStore | null;
  localFiles: string[];
  location: string;
  previous: string;
  backend: S3Backend;
  journalEntries: number;
  planText: string;
  /** the backend was already this bucket (a re-run) */
  s3Before: boolean;
}

/** under the bucket's lock: copy (or adopt, or check leftovers), switch backend.json, remove the local files */
async function moveIn(remote: RemoteStateStore, m: MoveIn): Promise<{removed: string[]; adopted: boolean}> {
  const {input, deps, moving, location} = m;
  const remoteLock = await remote.lock('state init', {breakLock: input.breakLock});
  try {
    const there = await contents(remote, (await remote.listKeys()).some((k) => k.endsWith('/state.json')));
    let adopted = false;
    if (moving && m.s3Before) {
      if (!startsWith(there.journal, moving.journal)) {
        throw new MigrateError('conflict', `${input.planDir} still holds local state files that ${location} does not contain.`, {
          hint: `Inspect both (\`migrate state pull\`), then move the local files (${m.localFiles.join(', ')}) out of the plan directory.`,
        });
      }
      deps.onNote?.(`Removing the local state files left over from the move to ${location} (S3 holds them)`);
    } else if (moving && !isEmpty(moving)) {
      if (!isEmpty(there)) {
        throw new MigrateError('conflict', `Both ${input.planDir} and ${location} hold state for ${input.app} (${moving.journal.length} and ${there.journal.length} journal entries).`, {
          hint: `Someone already moved ${input.app}'s state there: commit their backend.json instead (git pull), or inspect both with \`migrate state pull\` and remove the copy that is out of date.`,
        });
      }
      deps.onNote?.(`Copying the state and ${moving.journal.length} journal entries to ${location}`);
      await copyContents(moving, remote, location);
      await remote.journal({id: `state-init-${deps.now().toISOString()}`, op: 'state.move', phase: 'note', details: {from: m.previous, to: location, journalEntries: m.journalEntries}});
    } else adopted = !isEmpty(there);
    await remote.writePlanCopy(m.planText);
    await deps.files.write(input.planDir, m.backend);
    const removed = m.local ? await deps.files.removeLocalStateFiles(input.planDir) : [];
    return {removed, adopted};
  } finally {
    await remoteLock.release();
  }
}

const startsWith = (all: JournalEntry[], head: JournalEntry[]) => head.every((e, i) => all[i] !== undefined && canonicalJson(all[i]) === canonicalJson(e));

const unchanged = (input: StateInitInput, previous: string): StateInitResult => ({
  backend: localBackend(),
  location: previous,
  previous,
  bucketChanges: [],
  adopted: false,
  removed: [],
  moved: {state: false, journalEntries: 0, rollbackRequest: false},
  dryRun: !!input.dryRun,
});

async function toLocal(input: StateInitInput, deps: StateBackendDeps, current: S3Backend, previous: string): Promise<StateInitResult> {
  const backend = localBackend();
  const location = describeBackend(backend, input.planDir, input.app);
  const base = {backend, location, previous, bucketChanges: [], adopted: false, removed: [] as string[]};
  const remote = await deps.openRemote(current, input.planDir);
  try {
    const leftovers = await deps.files.localStateFiles(input.planDir);
    if (leftovers.length) {
      throw new MigrateError('conflict', `${input.planDir} already holds local state files (${leftovers.join(', ')}), which moving ${previous} back would overwrite.`, {
        hint: 'Move those files out of the plan directory (they are older than the S3 state), then re-run.',
      });
    }
    const lock = input.dryRun ? null : await remote.lock('state init --local', {breakLock: input.breakLock});
    try {
      const keys = await remote.listKeys();
      const there = await contents(remote, keys.some((k) => k.endsWith('/state.json')));
      const moved = {state: !!there.state, journalEntries: there.journal.length, rollbackRequest: !!there.rollback};
      if (input.dryRun) return {...base, moved, dryRun: true};
      const local = await deps.open(backend, input.planDir);
      deps.onNote?.(`Copying the state and ${there.journal.length} journal entries to ${input.planDir}`);
      await copyContents(there, local, input.planDir);
      await local.journal({id: `state-init-${deps.now().toISOString()}`, op: 'state.move', phase: 'note', details: {from: previous, to: location, journalEntries: there.journal.length}});
      await deps.files.write(input.planDir, backend);
      const count = await remote.removeAll();
      return {...base, moved, removed: [`${count} object(s) under ${remote.location} (the bucket's versioning keeps them)`], dryRun: false};
    } finally {
      await lock?.release();
    }
  } finally {
    remote.close();
  }
}

export interface StateShowResult {
  app: string;
  backend: Backend;
  location: string;
  lock: LockInfo | null;
  journalEntries: number;
  lastEntries: JournalEntry[];
  /** which parts of the state are recorded (never values) */
  recorded: string[];
  rollbackRequest: RollbackRequest | null;
}

export async function stateShowWorkflow(input: {app: string; planDir: string; last?: number}, deps: Pick<StateBackendDeps, 'files' | 'open'>): Promise<StateShowResult> {
  const last = input.last ?? 10;
  if (!Number.isInteger(last) || last < 0 || last > 1000) throw usageError(`--last ${last} is out of range.`, 'Use 0 to 1000.');
  const backend = (await deps.files.read(input.planDir)) ?? localBackend();
  const store = await deps.open(backend, input.planDir);
  try {
    const [state, journal, lock, rollbackRequest] = await Promise.all([store.readState(), store.readJournal(), store.lockHolder(), store.readRollbackRequest()]);
    const recorded = Object.keys(state).filter((k) => k !== 'schemaVersion' && k !== 'app');
    return {app: input.app, backend, location: describeBackend(backend, input.planDir, input.app), lock, journalEntries: journal.length, lastEntries: last ? journal.slice(-last) : [], recorded, rollbackRequest};
  } finally {
    store.close?.();
  }
}

export interface StatePullResult {
  location: string;
  out: string;
  files: string[];
  journalEntries: number;
}

export async function statePullWorkflow(input: {app: string; planDir: string; out: string}, deps: Pick<StateBackendDeps, 'files' | 'open' | 'writeFiles' | 'now'>): Promise<StatePullResult> {
  const norm = (p: string) => p.replace(/\/+$/, '').replace(/^\.\//, '');
  if (norm(input.out) === norm(input.planDir)) throw usageError(`--out ${input.out} is the plan directory: a pull there would overwrite the working state.`, 'Pull into another directory, e.g. --out /tmp/shop-state.');
  const backend = (await deps.files.read(input.planDir)) ?? localBackend();
  const store = await deps.open(backend, input.planDir);
  try {
    const [state, journal, lock, rollback] = await Promise.all([store.readState(), store.readJournal(), store.lockHolder(), store.readRollbackRequest()]);
    const location = describeBackend(backend, input.planDir, input.app);
    const files: Record<string, string> = {
      'state.json': canonicalJson(state, 2) + '\n',
      'journal.jsonl': journal.map((e) => JSON.stringify(e) + '\n').join(''),
      'pulled.json': JSON.stringify({from: location, at: deps.now().toISOString(), journalEntries: journal.length, note: 'A copy for inspection: migrate never reads it.'}, null, 2) + '\n',
      ...(lock ? {'lock.json': JSON.stringify(lock, null, 2) + '\n'} : {}),
      ...(rollback ? {'rollback-request.json': JSON.stringify(rollback, null, 2) + '\n'} : {}),
    };
    return {location, out: input.out, files: await deps.writeFiles(input.out, files), journalEntries: journal.length};
  } finally {
    store.close?.();
  }
}
