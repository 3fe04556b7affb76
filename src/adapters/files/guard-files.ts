/**
 * Files `migrate guard` reads: where the app's state lives (plans/<app>/backend.json, written by
 * `migrate state init`; no file: local) and the function bundle built by scripts/build-guard.js
 * (dist/guard/guard.zip and its meta.json, shipped with the package).
 */
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {MigrateError} from '../../domain/errors.ts';
import type {GuardBundle, StateLocation} from '../../ports/guard.ts';

export async function readStateLocation(planDir: string): Promise<StateLocation> {
  const file = join(planDir, 'backend.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {type: 'local'};
    throw new MigrateError('io', `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code}.`, {hint: 'Check the file permissions.'});
  }
  const data = (() => {
    try {
      return JSON.parse(text) as {type?: unknown; bucket?: unknown; prefix?: unknown; region?: unknown};
    } catch {
      throw new MigrateError('schema', `${file} is not valid JSON.`, {hint: 'Restore it from version control, or run `migrate state init` again.'});
    }
  })();
  if (data.type === 'local') return {type: 'local'};
  if (data.type === 's3' && typeof data.bucket === 'string' && typeof data.region === 'string') {
    return {type: 's3', bucket: data.bucket, prefix: typeof data.prefix === 'string' ? data.prefix : '', region: data.region};
  }
  throw new MigrateError('schema', `${file} is not a valid backend file (type local or s3 with bucket and region).`, {hint: 'Run `migrate state init` again.'});
}

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
