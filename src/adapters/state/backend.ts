/**
 * The one factory of StateStores: reads the plan directory's backend.json (docs/team-state.md)
 * and gives local files or S3. The store is built on first use, so the AWS SDK is loaded only
 * when the app's state is in S3 and a command touches it.
 */
import {readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {BACKEND_FILE, DEFAULT_LEASE_SECONDS, parseBackend, type Backend, type S3Backend} from '../../domain/backend.ts';
import {MigrateError} from '../../domain/errors.ts';
import type {Clock} from '../../ports/files.ts';
import type {StateStore} from '../../ports/state.ts';
import type {BackendFiles, RemoteStateStore} from '../../ports/state-backend.ts';
import {createLocalState} from './local-state.ts';

export const LOCAL_STATE_FILES = ['state.json', 'journal.jsonl', 'rollback-request.json'];

const exists = (path: string) =>
  stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw new MigrateError('io', `Cannot read ${path}: ${err.code}.`, {hint: 'Check the file permissions.'});
    },
  );

export const backendFiles: BackendFiles = {
  async read(dir) {
    const file = join(dir, BACKEND_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new MigrateError('io', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code}.`, {hint: 'Check the file permissions.'});
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new MigrateError('schema', `${file} is not valid JSON: ${(err as Error).message}.`, {hint: 'Restore it from version control, or run `migrate state init` again.'});
    }
    return parseBackend(data, file);
  },
  async write(dir, backend) {
    const file = join(dir, BACKEND_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      await writeFile(tmp, JSON.stringify(backend, null, 2) + '\n');
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, {force: true});
      throw new MigrateError('io', `Cannot write ${file}: ${(err as NodeJS.ErrnoException).code}.`, {hint: 'Check the directory permissions and free space.'});
    }
  },
  async localStateFiles(dir) {
    const present = await Promise.all(LOCAL_STATE_FILES.map(async (f) => ((await exists(join(dir, f))) ? join(dir, f) : null)));
    return present.filter((p): p is string => p !== null);
  },
  async removeLocalStateFiles(dir) {
    const present = await this.localStateFiles(dir);
    for (const p of present) await rm(p, {force: true});
    return present;
  },
};

export interface StoreOptions {
  onWarning?: (message: string) => void;
}

/** the S3 StateStore of a backend record (the plan directory stays the place of plan.json) */
export async function openS3State(backend: S3Backend, dir: string, app: string, clock: Clock, options: StoreOptions = {}): Promise<RemoteStateStore> {
  const {createS3State} = await import('./s3-state.ts');
  return createS3State({
    bucket: backend.bucket,
    prefix: backend.prefix,
    region: backend.region,
    app,
    clock,
    planDir: dir,
    leaseMs: (backend.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
    ...(options.onWarning ? {onWarning: options.onWarning} : {}),
  });
}

export async function openStateStore(backend: Backend | null, dir: string, app: string, clock: Clock, options: StoreOptions = {}): Promise<StateStore & {close?: () => void}> {
  return backend?.type === 's3' ? openS3State(backend, dir, app, clock, options) : createLocalState(dir, app, clock);
}

/** the app's StateStore as its backend.json says; built on first use */
export function createStateStore(dir: string, app: string, clock: Clock, options: StoreOptions = {}): StateStore {
  let store: Promise<StateStore> | null = null;
  const get = () => (store ??= backendFiles.read(dir).then((b) => openStateStore(b, dir, app, clock, options)));
  return {
    dir,
    readPlan: async () => (await get()).readPlan(),
    readState: async () => (await get()).readState(),
    writeState: async (s) => (await get()).writeState(s),
    journal: async (e) => (await get()).journal(e),
    readJournal: async () => (await get()).readJournal(),
    lock: async (command, o) => (await get()).lock(command, o),
    lockHolder: async () => (await get()).lockHolder(),
    writeRollbackRequest: async (r) => (await get()).writeRollbackRequest(r),
    readRollbackRequest: async () => (await get()).readRollbackRequest(),
    clearRollbackRequest: async () => (await get()).clearRollbackRequest(),
  };
}
