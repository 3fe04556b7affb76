/** The adapters and terminal UI of `migrate deploy` (kept apart from deps.ts, which other commands share). */
import {loadStackBlocks} from '../adapters/files/stack-blocks-file.ts';
import {renderChangeSet} from '../render/deploy.ts';
import type {DeployDeps, DeployUi, Report} from '../workflows/deploy.ts';
import {MigrateError} from '../domain/errors.ts';
import {ask, canAsk} from './confirm.ts';
import {herokuSource, stateStore, systemClock} from './deps.ts';
import {withProgress} from './progress.ts';

const yesNo = async (question: string): Promise<boolean> => /^y(es)?$/i.test(await ask(`${question} [y/N] `));

/** Terminal: change sets and prompts on stderr, listr2 progress. CI: plain timestamped lines. --json: JSON lines on stderr. */
export function terminalUi(json: boolean): DeployUi {
  const tty = Boolean(process.stderr.isTTY);
  const color = tty && !process.env.NO_COLOR;
  const line = (title: string): Report =>
    json
      ? (event, data) => process.stderr.write(JSON.stringify({at: new Date().toISOString(), step: title, event, ...data}) + '\n')
      : (event) => process.stderr.write(`${new Date().toISOString()} ${title}: ${event}\n`);
  return {
    interactive: canAsk(),
    showChangeSet: (review) => {
      if (!json) process.stderr.write(renderChangeSet(review, color) + '\n');
    },
    confirm: yesNo,
    track: (title, run) => (tty && !json ? withProgress(title, 'tty', run) : run(line(title))),
    note: (message) => {
      if (!json) process.stderr.write(`› ${message}\n`);
    },
  };
}

export function deployDeps(app: string, planDir: string | undefined, options: {json: boolean}): DeployDeps {
  return {
    state: stateStore(app, planDir),
    stacks: async (region) => (await import('../adapters/aws/cloudformation.ts')).createStackDeployer({region}),
    tasks: async (region) => (await import('../adapters/aws/ecs.ts')).createTaskRunner({region}),
    secrets: async (region) => (await import('../adapters/aws/secrets-manager.ts')).createSecretStore({region}),
    keys: async (region) => (await import('../adapters/aws/kms.ts')).createKeyChecker({region}),
    stackBlocks: () => loadStackBlocks(),
    clock: systemClock,
    env: process.env,
    ui: terminalUi(options.json),
    heroku: async () => {
      try {
        return await herokuSource();
      } catch (err) {
        if (err instanceof MigrateError && err.code === 'auth') return null; // no token: the check is skipped with a warning
        throw err;
      }
    },
  };
}
