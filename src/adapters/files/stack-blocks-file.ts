/** Loads the CloudFormation building blocks shipped in templates/cloudformation/. */
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {MigrateError} from '../../domain/errors.ts';
import {parseStackBlocks, STACK_BLOCK_NAMES, type StackBlocks} from '../../domain/stacks/index.ts';

export const STACK_BLOCKS_DIR = fileURLToPath(new URL('../../../templates/cloudformation/', import.meta.url));

export async function loadStackBlocks(dir = STACK_BLOCKS_DIR): Promise<StackBlocks> {
  const entries = await Promise.all(
    STACK_BLOCK_NAMES.map(async (name) => {
      const file = join(dir, `${name}.json`);
      try {
        return [name, JSON.parse(await readFile(file, 'utf8')) as unknown] as const;
      } catch (err) {
        throw new MigrateError('internal', `Cannot load the CloudFormation building block ${file}: ${(err as Error).message}.`, {hint: 'Reinstall heroku2aws.'});
      }
    }),
  );
  return parseStackBlocks(Object.fromEntries(entries));
}
