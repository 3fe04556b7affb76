/** Builds the adapters of `migrate finalize` (kept apart from deps.ts; same pattern: lazy imports). */
import {readFile} from 'node:fs/promises';
import {createFileStore} from '../adapters/files/file-store.ts';
import {usageError} from '../domain/errors.ts';
import {renderRetirementMd} from '../render/finalize.ts';
import type {FinalizeDeps} from '../workflows/finalize.ts';
import {ask, canAsk} from './confirm.ts';
import {cutoverDeps, herokuSource} from './deps.ts';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `--confirm <app>` must equal the app; without it, a TTY asks to type the app name, and without
 * a TTY it fails at once (exit 2). Returns the check the workflow runs before its first write.
 */
export function appConfirmer(app: string, given: string | undefined): (summary: string) => Promise<void> {
  if (given !== undefined && given !== app) throw usageError(`--confirm '${given}' does not match the app '${app}': nothing was changed.`, `Pass --confirm ${app}.`);
  if (given === undefined && !canAsk()) {
    throw usageError('Finalize changes Heroku and Cloudflare: confirmation needed, and there is no terminal to ask.', `Re-run with --confirm ${app}.`);
  }
  return async (summary) => {
    if (given === app) return;
    if ((await ask(`${summary}.\nType the app name (${app}) to continue: `)) !== app) throw usageError('Cancelled: nothing was changed.', `Type ${app}, or pass --confirm ${app}.`);
  };
}

/**
 * --destroy-addons: the flags that go with it, checked before anything runs (exit 2). The second
 * confirmation: `--confirm-destroy <app>` must equal the app; without it, a TTY asks to type
 * `destroy <app>`, and without a TTY it fails at once.
 */
export function destroyOptions(
  app: string,
  flags: {'destroy-addons'?: boolean; 'backup-dir'?: string; 'confirm-destroy'?: string; 'no-redis-backup'?: boolean},
): {destroy?: {backupDir: string; noRedisBackup: boolean}; confirmDestroy?: (summary: string) => Promise<void>} {
  if (!flags['destroy-addons']) {
    const stray = (['backup-dir', 'confirm-destroy', 'no-redis-backup'] as const).filter((f) => flags[f] !== undefined && flags[f] !== false);
    if (stray.length) throw usageError(`${stray.map((f) => `--${f}`).join(', ')} only go with --destroy-addons.`, 'Add --destroy-addons, or leave them out.');
    return {};
  }
  const backupDir = flags['backup-dir'];
  if (!backupDir) throw usageError('--destroy-addons needs --backup-dir DIR: each database gets a confirmed final backup there before anything is destroyed.', `Re-run with --backup-dir /path/with/room --confirm-destroy ${app}.`);
  const given = flags['confirm-destroy'];
  if (given !== undefined && given !== app) throw usageError(`--confirm-destroy '${given}' does not match the app '${app}': nothing was changed.`, `Pass --confirm-destroy ${app}.`);
  if (given === undefined && !canAsk()) {
    throw usageError('--destroy-addons destroys the Heroku add-ons for good: a second confirmation is needed, and there is no terminal to ask.', `Re-run with --confirm-destroy ${app} (in addition to --confirm ${app}).`);
  }
  const confirmDestroy = async (summary: string) => {
    if (given === app) return;
    if ((await ask(`${summary}.\nType "destroy ${app}" to continue: `)) !== `destroy ${app}`) throw usageError('Cancelled: no add-on was destroyed.', `Type destroy ${app}, or pass --confirm-destroy ${app}.`);
  };
  return {destroy: {backupDir, noRedisBackup: flags['no-redis-backup'] ?? false}, confirmDestroy};
}

export function finalizeDeps(app: string, planDir: string | undefined, confirm: (summary: string) => Promise<void>, confirmDestroy?: (summary: string) => Promise<void>): FinalizeDeps {
  const {state, edge, metrics, env, now} = cutoverDeps(app, planDir);
  const files = createFileStore();
  return {
    state,
    edge,
    metrics,
    env,
    now,
    heroku: herokuSource,
    control: async () => (await import('../adapters/heroku/heroku-control.ts')).createHerokuControl({}),
    writeFiles: (dir, contents) => files.writeAll(dir, contents),
    renderRecord: renderRetirementMd,
    readText,
    confirm,
    confirmDestroy,
    backup: async () => (await import('../adapters/data/finalize-backup.ts')).createFinalizeBackupTools({env: process.env}),
    guardRemover: async (region) => (await import('../adapters/aws/guard-aws.ts')).createStackRemover({region}),
  };
}
