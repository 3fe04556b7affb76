/** The guard function's bundle built by scripts/build-guard.js (dist/guard/guard.zip and meta.json, shipped with the package). */
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {MigrateError} from '../../domain/errors.ts';
import type {GuardBundle} from '../../ports/guard.ts';

/** the package root: two levels above this file, in src/ and in dist/ alike */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function readGuardBundle(dir = join(ROOT, 'dist', 'guard')): Promise<GuardBundle> {
  try {
    const [zip, meta] = await Promise.all([readFile(join(dir, 'guard.zip')), readFile(join(dir, 'meta.json'), 'utf8')]);
    return {zip, sha256: (JSON.parse(meta) as {sha256: string}).sha256};
  } catch (err) {
    throw new MigrateError('io', `The guard function bundle is missing (${join(dir, 'guard.zip')}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      hint: 'Build it: npm run build (node scripts/build-guard.js).',
    });
  }
}
