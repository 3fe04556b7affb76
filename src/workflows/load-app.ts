/** Produces the app model from one of the three sources: live Heroku, a snapshot file, or an app repository. */
import {basename} from 'node:path';
import {usageError} from '../domain/errors.ts';
import type {AppModel} from '../domain/model.ts';
import {parseSnapshot} from '../domain/snapshot.ts';
import {appModelFromRepo} from '../domain/sources/app-from-repo.ts';
import type {FileStore} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import {discoverApp} from './discover.ts';

export interface AppSource {
  app?: string;
  from?: string;
}

export interface LoadedApp {
  model: AppModel;
  /** `heroku:NAME`, `snapshot:FILE`, `repo:DIR` (base names, so plans do not depend on the working directory) */
  source: string;
  warnings: string[];
}

export interface LoadDeps {
  files: FileStore;
  heroku: () => Promise<HerokuSource>;
  /** the keyed fingerprint of config values (key outside the repository) */
  fingerprinter: () => Promise<(value: string) => string>;
}

export async function loadApp(input: AppSource, deps: LoadDeps): Promise<LoadedApp> {
  if (input.from) {
    const kind = await deps.files.kind(input.from);
    if (kind === 'missing') throw usageError(`--from ${input.from}: no such file or directory.`, 'Give an app repository (with app.json and/or Procfile) or a snapshot file.');
    if (kind === 'dir') {
      const repo = await deps.files.readRepo(input.from);
      const {model, warnings} = appModelFromRepo(repo);
      const renamed = input.app && input.app !== model.name ? {...model, name: input.app} : model;
      return {model: renamed, source: `repo:${repo.dirName}`, warnings};
    }
    const snapshot = parseSnapshot(await deps.files.readJson(input.from), input.from);
    if (input.app && input.app !== snapshot.app.name) {
      throw usageError(`--app ${input.app} does not match the snapshot's app '${snapshot.app.name}'.`, 'Drop --app or use the matching snapshot.');
    }
    return {model: snapshot.app, source: `snapshot:${basename(input.from)}`, warnings: []};
  }
  if (!input.app) throw usageError('Nothing to read: give --app NAME (live Heroku) or --from PATH (app repository or snapshot).', 'Example: migrate plan --app shop');
  const heroku = await deps.heroku();
  return {model: await discoverApp(heroku, input.app, await deps.fingerprinter()), source: `heroku:${input.app}`, warnings: []};
}
