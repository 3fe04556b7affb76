/** Builds the adapters a command needs (the only place commands learn about adapters). */
import {loadCatalog} from '../adapters/files/catalog-file.ts';
import {loadStackBlocks} from '../adapters/files/stack-blocks-file.ts';
import {hostname, userInfo} from 'node:os';
import {join} from 'node:path';
import {processInterrupts} from './signals.ts';
import {createFileStore} from '../adapters/files/file-store.ts';
import {backendFiles, createStateStore, openS3State, openStateStore} from '../adapters/state/backend.ts';
import type {Backend, S3Backend} from '../domain/backend.ts';
import type {Clock} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';

export const systemClock: Clock = {now: () => new Date()};

export async function herokuSource(): Promise<HerokuSource> {
  const {createHerokuSource} = await import('../adapters/heroku/heroku-source.ts');
  return createHerokuSource({});
}

export const planDeps = () => ({files: createFileStore(), heroku: herokuSource, catalog: () => loadCatalog(), stackBlocks: () => loadStackBlocks()});

export const planDirFlagDefault = (app: string) => join('plans', app);

const warnOnStderr = {onWarning: (m: string) => process.stderr.write(`Warning: ${m}\n`)};

/** the app's StateStore: local files or S3, as the plan directory's backend.json says (docs/team-state.md) */
export const stateStore = (app: string, planDir: string | undefined) => createStateStore(planDir ?? planDirFlagDefault(app), app, systemClock, warnOnStderr);

/** `migrate state init/show/pull`: the backend record, both kinds of store, the bucket's settings */
export function stateBackendDeps(app: string) {
  return {
    files: backendFiles,
    open: (backend: Backend | null, dir: string) => openStateStore(backend, dir, app, systemClock, warnOnStderr),
    openRemote: (backend: S3Backend, dir: string) => openS3State(backend, dir, app, systemClock, warnOnStderr),
    bucketAdmin: async (region: string) => (await import('../adapters/aws/s3-bucket.ts')).createStateBucketAdmin({region}),
    writeFiles: (dir: string, files: Record<string, string>) => createFileStore().writeAll(dir, files),
    env: process.env,
    now: () => systemClock.now(),
  };
}

export function secretsImportDeps(app: string, planDir: string | undefined) {
  return {
    state: stateStore(app, planDir),
    heroku: herokuSource,
    secrets: async (region: string) => (await import('../adapters/aws/secrets-manager.ts')).createSecretStore({region}),
    keys: async (region: string) => (await import('../adapters/aws/kms.ts')).createKeyChecker({region}),
    clock: systemClock,
    env: process.env,
  };
}

export function edgeDeps(app: string, planDir: string | undefined) {
  return {
    state: stateStore(app, planDir),
    edge: async () => (await import('../adapters/cloudflare/edge-balancer.ts')).createEdgeBalancer({}),
    alb: async (region: string) => (await import('../adapters/aws/elbv2.ts')).createAlbLookup({region}),
    metrics: async (region: string) => (await import('../adapters/aws/cloudwatch.ts')).createMetricsGate({region}),
    env: process.env,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function cutoverDeps(app: string, planDir: string | undefined) {
  const {state, edge, metrics, env} = edgeDeps(app, planDir);
  return {state, edge, metrics, env, now: () => Date.now(), sleep, interrupts: processInterrupts, operator: `${userInfo().username}@${hostname()}`};
}
