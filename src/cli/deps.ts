/** Builds the adapters a command needs (the only place commands learn about adapters). */
import {loadCatalog} from '../adapters/files/catalog-file.ts';
import {createFileStore} from '../adapters/files/file-store.ts';
import type {Clock} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';

export const systemClock: Clock = {now: () => new Date()};

export async function herokuSource(): Promise<HerokuSource> {
  const {createHerokuSource} = await import('../adapters/heroku/heroku-source.ts');
  return createHerokuSource({});
}

export const planDeps = () => ({files: createFileStore(), heroku: herokuSource, catalog: () => loadCatalog()});
