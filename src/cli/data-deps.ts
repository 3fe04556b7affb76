/** Builds the adapters of the add-on and data commands (kept apart from deps.ts; same pattern: lazy imports). */
import {availableParallelism, tmpdir} from 'node:os';
import {secretsImportDeps, systemClock} from './deps.ts';
import {processInterrupts} from './signals.ts';
import type {InVpcDeps} from '../workflows/data-copy-vpc.ts';
import {throttleProgress} from '../domain/data-copy.ts';
import type {CopyProgress} from '../ports/data.ts';
import {formatProgress} from '../render/data-report.ts';

export function dataCopyDeps(app: string, planDir: string | undefined, options: {pgBin?: string} = {}) {
  return {
    ...secretsImportDeps(app, planDir),
    postgres: async () => (await import('../adapters/data/postgres.ts')).createPostgresTools({pgBin: options.pgBin, env: process.env}),
    redis: async () => (await import('../adapters/data/redis.ts')).createRedisTools(),
    tmpDir: tmpdir(),
    cores: availableParallelism(),
    vpc: inVpcDeps(),
  };
}

/** the AWS side of --in-vpc: the shared stack's outputs, the runner task, its log stream */
export function inVpcDeps(): InVpcDeps {
  return {
    stacks: async (region) => (await import('../adapters/aws/cloudformation.ts')).createStackDeployer({region}),
    tasks: async (region) => {
      const ecs = await import('../adapters/aws/ecs.ts');
      // a copy takes minutes: ECS is asked every 2-10 s, not the SDK's 6-30 s
      return {...(await ecs.createTaskRunner({region, minDelay: 2, maxDelay: 10})), ...(await ecs.createTaskDefinitionRegistry({region}))};
    },
    logs: async (region) => (await import('../adapters/aws/logs.ts')).createLogReader({region}),
    interrupts: processInterrupts,
  };
}

/** the runner task's adapters: Secrets Manager (task role), the data tools; the region comes with the job */
export function runnerDeps() {
  return {
    env: process.env,
    secrets: async (region: string) => (await import('../adapters/aws/secrets-manager.ts')).createSecretStore({region}),
    postgres: async () => (await import('../adapters/data/postgres.ts')).createPostgresTools({env: process.env}),
    redis: async () => (await import('../adapters/data/redis.ts')).createRedisTools(),
    tmpDir: tmpdir(),
    cores: availableParallelism(),
  };
}

export function herokuControl() {
  return async () => (await import('../adapters/heroku/heroku-control.ts')).createHerokuControl({});
}

export function serviceRedeployer() {
  return async (region: string) => (await import('../adapters/aws/ecs.ts')).createServiceRedeployer({region});
}

export function provisionDeps(app: string, planDir: string | undefined) {
  const base = secretsImportDeps(app, planDir);
  return {
    state: base.state,
    secrets: base.secrets,
    network: async (region: string) => (await import('../adapters/aws/ec2.ts')).createEc2Network({region}),
    rds: async (region: string) => (await import('../adapters/aws/rds.ts')).createRdsAdmin({region}),
    memorydb: async (region: string) => (await import('../adapters/aws/memorydb.ts')).createMemoryDbAdmin({region}),
    scheduler: async (region: string) => (await import('../adapters/aws/scheduler.ts')).createSchedulerAdmin({region}),
    heroku: base.heroku,
    postgres: async () => (await import('../adapters/data/postgres.ts')).createPostgresTools({env: process.env}),
    readFile: async (path: string) => {
      const {readFile} = await import('node:fs/promises');
      try {
        return await readFile(path, 'utf8');
      } catch (err) {
        const {MigrateError} = await import('../domain/errors.ts');
        throw new MigrateError('input', `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: 'Check the --jobs path.'});
      }
    },
    clock: systemClock,
    env: process.env,
  };
}

/** stderr progress for copies: at most one line every `everyMs` (and the last one) */
export function progressPrinter(write: (line: string) => void, everyMs = 2000): (p: CopyProgress) => void {
  const t0 = Date.now();
  return throttleProgress(everyMs, (p: CopyProgress, now) => write(formatProgress(p, (now - t0) / 1000)));
}
