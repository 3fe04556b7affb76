/** FileStore on the local filesystem. */
import {mkdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import {basename, dirname, join, resolve} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import type {FileStore, RepoFiles} from '../../ports/files.ts';

const ioError = (what: string, path: string, err: unknown, hint: string) =>
  new MigrateError('io', `Cannot ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {hint, cause: err});

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError('read', path, err, 'Check the file permissions.');
  }
}

export function createFileStore(): FileStore {
  return {
    async kind(path) {
      try {
        return (await stat(path)).isDirectory() ? 'dir' : 'file';
      } catch {
        return 'missing';
      }
    },
    async readRepo(dir) {
      const abs = resolve(dir);
      const [appJson, procfile, dockerfile] = await Promise.all(['app.json', 'Procfile', 'Dockerfile'].map((f) => readOptional(join(abs, f))));
      const files: RepoFiles = {dirName: basename(abs), hasDockerfile: dockerfile !== undefined};
      if (appJson !== undefined) files.appJson = {text: appJson, file: join(dir, 'app.json')};
      if (procfile !== undefined) files.procfile = {text: procfile, file: join(dir, 'Procfile')};
      return files;
    },
    async readJson(file) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw ioError('read', file, err, 'Check the path given to --from.');
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new MigrateError('input', `${file} is not valid JSON: ${(err as Error).message}.`, {hint: 'Regenerate it with `migrate snapshot`.'});
      }
    },
    async writeAll(dir, files) {
      try {
        await mkdir(dir, {recursive: true});
      } catch (err) {
        throw ioError('create the output directory', dir, err, 'Choose a writable directory with --out.');
      }
      const tag = `.tmp-${process.pid}-${Date.now()}`;
      const entries = Object.entries(files).map(([name, content]) => ({final: join(dir, name), temp: join(dir, name) + tag, content}));
      try {
        for (const e of entries) {
          await mkdir(dirname(e.final), {recursive: true});
          await writeFile(e.temp, e.content, {mode: 0o644});
        }
      } catch (err) {
        await Promise.all(entries.map((e) => rm(e.temp, {force: true})));
        throw ioError('write to', dir, err, 'Choose a writable directory with --out.');
      }
      for (const e of entries) await rename(e.temp, e.final);
      return entries.map((e) => e.final);
    },
  };
}
