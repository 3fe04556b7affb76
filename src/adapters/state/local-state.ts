/** StateStore in plans/<app>/: plan.json, state.json, journal.jsonl and .migrate.lock. */
import {open, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {hostname, userInfo} from 'node:os';
import {join} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import {canonicalJson} from '../../domain/plan.ts';
import {parsePlan} from '../../domain/plan-schema.ts';
import {emptyState, parseState, type JournalEntry} from '../../domain/state.ts';
import type {Clock} from '../../ports/files.ts';
import type {LockInfo, RollbackRequest, StateStore} from '../../ports/state.ts';

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MigrateError('io', `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code}.`, {hint: 'Check the file permissions.'});
  }
}

/** a plan directory or plan.json that is not there: say so, and how to make one */
const noPlan = (planFile: string, app: string) =>
  new MigrateError('input', `No plan at ${planFile}.`, {hint: `Run \`migrate plan --app ${app}\` (or --from PATH) first, or point --plan-dir at the plan directory.`});

export function createLocalState(dir: string, app: string, clock: Clock): StateStore {
  const planFile = join(dir, 'plan.json');
  const stateFile = join(dir, 'state.json');
  const journalFile = join(dir, 'journal.jsonl');
  const lockFile = join(dir, '.migrate.lock');
  const rollbackFile = join(dir, 'rollback-request.json');

  return {
    dir,
    async readPlan() {
      const text = await readText(planFile);
      if (text === undefined) throw noPlan(planFile, app);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new MigrateError('schema', `${planFile} is not valid JSON: ${(err as Error).message}.`, {hint: 'Regenerate it with `migrate plan`.'});
      }
      const plan = parsePlan(data, planFile);
      if (plan.app.name !== app) throw new MigrateError('input', `${planFile} is the plan of '${plan.app.name}', not '${app}'.`, {hint: 'Point --plan-dir at the plan of this app.'});
      return plan;
    },
    async readState() {
      const text = await readText(stateFile);
      if (text === undefined) return emptyState(app);
      return parseState(JSON.parse(text) as unknown, stateFile);
    },
    async writeState(state) {
      const tmp = `${stateFile}.tmp-${process.pid}`;
      await writeFile(tmp, canonicalJson(state, 2) + '\n');
      await rename(tmp, stateFile);
    },
    async journal(entry) {
      const line = JSON.stringify({at: clock.now().toISOString(), ...entry} satisfies JournalEntry) + '\n';
      const fh = await open(journalFile, 'a');
      try {
        await fh.write(line);
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    async readJournal() {
      const text = (await readText(journalFile)) ?? '';
      return text
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as JournalEntry];
          } catch {
            return []; // a torn last line after a crash
          }
        });
    },
    async lock(command, options = {}) {
      const info: LockInfo = {command, pid: process.pid, host: hostname(), user: userInfo().username, startedAt: clock.now().toISOString()};
      if (options.breakLock) await rm(lockFile, {force: true});
      try {
        const fh = await open(lockFile, 'wx');
        await fh.write(JSON.stringify(info) + '\n');
        await fh.close();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noPlan(planFile, app);
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new MigrateError('io', `Cannot create ${lockFile}: ${(err as NodeJS.ErrnoException).code}.`, {hint: 'Check the directory permissions.'});
        const holder = JSON.parse((await readText(lockFile)) ?? '{}') as Partial<LockInfo>;
        const stale = holder.host === info.host && typeof holder.pid === 'number' && !pidAlive(holder.pid);
        throw new MigrateError(
          'locked',
          `${dir} is locked by ${holder.user ?? '?'}@${holder.host ?? '?'} (pid ${holder.pid ?? '?'}, '${holder.command ?? '?'}' since ${holder.startedAt ?? '?'})${stale ? '; that process is gone, so the lock is stale' : ''}.`,
          {hint: stale ? 'Re-run with --break-lock to take over the stale lock.' : 'Wait for the other operator to finish, or, if you are sure it is gone, re-run with --break-lock.'},
        );
      }
      return {
        release: () => rm(lockFile, {force: true}),
      };
    },
    async lockHolder() {
      const text = await readText(lockFile);
      if (!text) return null;
      try {
        return JSON.parse(text) as LockInfo;
      } catch {
        return null;
      }
    },
    async writeRollbackRequest(request) {
      const tmp = `${rollbackFile}.tmp-${process.pid}`;
      await writeFile(tmp, JSON.stringify(request) + '\n');
      await rename(tmp, rollbackFile);
    },
    async readRollbackRequest() {
      const text = await readText(rollbackFile);
      if (!text) return null;
      try {
        return JSON.parse(text) as RollbackRequest;
      } catch {
        return null;
      }
    },
    clearRollbackRequest: () => rm(rollbackFile, {force: true}),
  };
}
