/** Loads the add-on catalog data file shipped in templates/. */
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import {parseCatalog, type Catalog} from '../../domain/catalog.ts';

export const CATALOG_PATH = fileURLToPath(new URL('../../../templates/addons/catalog.json', import.meta.url));

export async function loadCatalog(path = CATALOG_PATH): Promise<Catalog> {
  return parseCatalog(JSON.parse(await readFile(path, 'utf8')) as unknown);
}
