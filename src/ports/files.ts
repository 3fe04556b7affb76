/** Local files the workflows read and write (plans, snapshots, app repositories, the add-on catalog). */
export interface RepoFiles {
  dirName: string;
  appJson?: {text: string; file: string};
  procfile?: {text: string; file: string};
  hasDockerfile: boolean;
}

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
