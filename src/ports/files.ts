/** Local files the workflows read and write (plans, snapshots, app repositories, the add-on catalog). */
import type {RepoSources} from '../domain/sources/app-from-repo.ts';

/** what `readRepo` finds in an app repository: the texts the domain parses */
export type RepoFiles = RepoSources;

export interface FileStore {
  /** 'dir' | 'file' | 'missing' */
  kind(path: string): Promise<'dir' | 'file' | 'missing'>;
  readRepo(dir: string): Promise<RepoFiles>;
  readJson(file: string): Promise<unknown>;
  /**
   * Writes all files into dir or none: each goes to a temporary file first and is renamed into
   * place only after every write succeeded. Returns the written paths.
   */
  writeAll(dir: string, files: Record<string, string>): Promise<string[]>;
}

export interface Clock {
  now(): Date;
}
