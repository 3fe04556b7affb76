/** Builds the adapters a command needs (the only place commands learn about adapters). */
import {loadCatalog} from '../adapters/files/catalog-file.ts';
import {loadStackBlocks} from '../adapters/files/stack-blocks-file.ts';
import {hostname, userInfo} from 'node:os';
import {join} from 'node:path';
import {processInterrupts} from './confirm.ts';
import {createFileStore} from '../adapters/files/file-store.ts';
import {createLocalState} from '../adapters/state/local-state.ts';
import {lockHolderAlive} from '../adapters/state/lock-liveness.ts';
import type {Clock} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';

export const systemClock: Clock = {now: () => new Date()};

export async function herokuSource(): Promise<HerokuSource> {
  const {createHerokuSource} = await import('../adapters/heroku/heroku-source.ts');
  return createHerokuSource({});
}

export const planDeps = () => ({files: createFileStore(), heroku: herokuSource, catalog: () => loadCatalog(), stackBlocks: () => loadStackBlocks()});

export const planDirFlagDefault = (app: string) => join('plans', app);

export function secretsImportDeps(app: string, planDir: string | undefined) {
  return {
    state: createLocalState(planDir ?? planDirFlagDefault(app), app, systemClock),
    heroku: herokuSource,
    secrets: async (region: string) => (await import('../adapters/aws/secrets-manager.ts')).createSecretStore({region}),
    keys: async (region: string) => (await import('../adapters/aws/kms.ts')).createKeyChecker({region}),
    clock: systemClock,
    env: process.env,
  };
}

export function edgeDeps(app: string, planDir: string | undefined) {
  return {
    state: createLocalState(planDir ?? planDirFlagDefault(app), app, systemClock),
    edge: async () => (await import('../adapters/cloudflare/edge-balancer.ts')).createEdgeBalancer({}),
    alb: async (region: string) => (await import('../adapters/aws/elbv2.ts')).createAlbLookup({region}),
    metrics: async (region: string) => (await import('../adapters/aws/cloudwatch.ts')).createMetricsGate({region}),
    env: process.env,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function cutoverDeps(app: string, planDir: string | undefined) {
  const {state, edge, metrics, env} = edgeDeps(app, planDir);
  return {state, edge, metrics, env, now: () => Date.now(), sleep, interrupts: processInterrupts, operator: `${userInfo().username}@${hostname()}`, lockAlive: lockHolderAlive};
}
