/**
 * FinalizeBackupTools over the real pg_dump / pg_restore (custom format) and the data adapter's
 * inventory. Credentials reach pg_dump only through PG* environment variables (pgEnv), never
 * argv; every message passes through redact().
 */
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {chmod, mkdir, rm, stat, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {redact} from '../../domain/data-url.ts';
import {MigrateError} from '../../domain/errors.ts';
import type {FinalizeBackupTools} from '../../ports/finalize-backup.ts';
import {createPostgresTools, PG_INSTALL_HINT, pgEnv, resolvePgBin} from './postgres.ts';
import {runTool} from './process.ts';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function createFinalizeBackupTools(options: {pgBin?: string; env?: Record<string, string | undefined>} = {}): FinalizeBackupTools {
  const env = options.env ?? process.env;
  const binDir = resolvePgBin(options.pgBin, env);
  const bin = (name: string) => (binDir ? join(binDir, name) : name);
  const pg = createPostgresTools({pgBin: options.pgBin, env});
  return {
    async checkDir(dir) {
      const probe = join(dir, `.heroku2aws-write-test-${process.pid}`);
      try {
        await mkdir(dir, {recursive: true, mode: 0o700});
        await writeFile(probe, 'ok', {mode: 0o600});
        await rm(probe, {force: true});
      } catch (err) {
        throw new MigrateError('usage', `--backup-dir ${dir} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? 'error'}): nothing was changed.`, {hint: 'Point --backup-dir at a writable directory with room for a full dump of each database.'});
      }
    },

    async sourceTables(url) {
      const inv = await pg.inventory(url, 'source', {jobs: 1});
      return Object.keys(inv.tables).sort();
    },

    async dump(url, file) {
      const run = await runTool(bin('pg_dump'), ['--format=custom', '--no-sync', `--file=${file}`], {env: pgEnv(url), redact: (s) => redact(s, [url]), installHint: PG_INSTALL_HINT});
      if (run.code !== 0) {
        await rm(file, {force: true});
        const last = run.tail.filter((l) => /error|fatal|failed|could not/i.test(l)).slice(-3).join(' | ') || run.tail.slice(-2).join(' | ') || `exit ${run.code ?? run.signal}`;
        throw new MigrateError('upstream', `pg_dump of ${url.display} (${url.label}) failed: ${redact(last, [url])}`, {hint: 'Fix the cause above and re-run: nothing was destroyed.'});
      }
      await chmod(file, 0o600);
      return {bytes: (await stat(file)).size, sha256: await sha256(file)};
    },

    listTables: (file) =>
      new Promise((resolve, reject) =>
        execFile(bin('pg_restore'), ['--list', file], {maxBuffer: 256 * 1024 * 1024}, (err, stdout, stderr) => {
          if (err) return reject(new MigrateError('io', `pg_restore --list ${file} failed: ${String(stderr).trim().split('\n').pop() ?? ''}`, {hint: PG_INSTALL_HINT}));
          const tables = new Set<string>();
          // "215; 1259 16386 TABLE public customers admin"
          for (const line of stdout.split('\n')) {
            const m = /^\d+; \d+ \d+ TABLE (\S+) (\S+) /.exec(line);
            if (m) tables.add(`${m[1]}.${m[2]}`);
          }
          resolve([...tables].sort());
        }),
      ),
  };
}
