/** Loads the price book: the one shipped in templates/prices/, or a file given with --prices. */
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import {MigrateError} from '../../domain/errors.ts';
import {parsePriceBook, type PriceBook} from '../../domain/prices.ts';

export const PRICES_PATH = fileURLToPath(new URL('../../../templates/prices/prices.json', import.meta.url));
/** how the shipped file is named in plans (a stable name, not this machine's path) */
export const BUILT_IN_PRICES = 'built-in templates/prices/prices.json';

export async function loadPrices(path?: string): Promise<{book: PriceBook; file: string}> {
  const file = path ?? PRICES_PATH;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MigrateError('input', `Cannot read the price file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, {
      hint: 'Check the --prices path, or write one with `migrate prices refresh --out FILE`.',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new MigrateError('schema', `${file} is not valid JSON: ${(err as Error).message}.`, {hint: 'Rebuild it with `migrate prices refresh --out FILE`.'});
  }
  return {book: parsePriceBook(data, file), file: path ?? BUILT_IN_PRICES};
}
