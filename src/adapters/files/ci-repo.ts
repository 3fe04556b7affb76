/** CiRepo on the local file system: the app's git repository (its .git/config read as text, git itself is not run). */
import {mkdir, readFile, rename, stat, writeFile} from 'node:fs/promises';
import {dirname, isAbsolute, join, relative, resolve} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import type {CiRepo} from '../../ports/ci.ts';

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new MigrateError('io', `Cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: 'Check the path and its permissions.'});
  }
}

/** the git config file of the repository at dir (a worktree's .git file points at its git dir, which may name a common dir) */
async function gitConfigPath(dir: string): Promise<string | null> {
  const dotGit = join(dir, '.git');
  const kind = await stat(dotGit).then((s) => (s.isDirectory() ? 'dir' : 'file')).catch(() => 'missing');
  if (kind === 'dir') return join(dotGit, 'config');
  if (kind === 'missing') return null;
  const pointer = /^gitdir:\s*(.+)$/m.exec((await readOrNull(dotGit)) ?? '')?.[1]?.trim();
  if (!pointer) return null;
  const gitDir = isAbsolute(pointer) ? pointer : resolve(dir, pointer);
  const common = (await readOrNull(join(gitDir, 'commondir')))?.trim();
  return join(common ? resolve(gitDir, common) : gitDir, 'config');
}

export function createCiRepo(): CiRepo {
  return {
    async originUrl(dir) {
      const config = await gitConfigPath(dir);
      const text = config ? await readOrNull(config) : null;
      if (!text) return null;
      const section = /^\s*\[remote\s+"origin"\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/m.exec(text)?.[1] ?? '';
      return /^\s*url\s*=\s*(.+?)\s*$/m.exec(section)?.[1] ?? null;
    },
    kind: (path) => stat(path).then((s) => (s.isDirectory() ? 'dir' : 'file')).catch(() => 'missing' as const),
    readText: readOrNull,
    async writeFile(dir, relativePath, content) {
      const target = resolve(dir, relativePath);
      if (relative(resolve(dir), target).startsWith('..')) throw new MigrateError('usage', `${relativePath} is outside the repository ${dir}.`, {hint: 'Give a path inside the repository.'});
      const tmp = `${target}.heroku2aws-${process.pid}.tmp`;
      try {
        await mkdir(dirname(target), {recursive: true});
        await writeFile(tmp, content, {encoding: 'utf8', flush: true});
        await rename(tmp, target);
      } catch (err) {
        throw new MigrateError('io', `Cannot write ${target} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {hint: 'Check that the repository directory is writable.'});
      }
      return target;
    },
  };
}
