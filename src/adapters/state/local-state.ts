/**
 * StateStore in plans/<app>/: plan.json, state.json, journal.jsonl and .migrate.lock.
 * Journal and lock rules: docs/fail-safe.md.
 */
import {randomBytes} from 'node:crypto';
import {redactDeep} from '../../domain/redaction.ts';
import {link, open, readFile, rename, rm, stat, writeFile} from 'node:fs/promises';
import {hostname, userInfo} from 'node:os';
import {join} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import {canonicalJson} from '../../domain/plan.ts';
import {parsePlanText} from '../../domain/plan-schema.ts';
import {dropLock, holdLock} from './held-locks.ts';
import {emptyState, parseState, type JournalEntry} from '../../domain/state.ts';
import type {Clock} from '../../ports/files.ts';
import type {Lock, LockInfo, RollbackRequest, StateStore} from '../../ports/state.ts';

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'unknown error';

/** an I/O failure on a state file, naming the file and the operating system's code */
export function ioError(verb: string, path: string, err: unknown): MigrateError {
  const code = errno(err);
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'The disk is full: free space, then re-run (the command reconciles with the live systems).'
      : code === 'EROFS'
        ? 'The plan directory is on a read-only file system: make it writable or use a copy (--plan-dir), then re-run.'
        : 'Check the file and directory permissions, then re-run.';
  return new MigrateError('io', `Cannot ${verb} ${path}: ${code}.`, {hint, cause: err});
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw ioError('read', path, err);
  }
}


export interface LocalStateOptions {
  /** who this process is (tests run several "processes" in one) */
  identity?: {pid: number; host: string; user: string};
  isAlive?: (pid: number) => boolean;
  /** warnings such as a torn journal line set aside or a dead process's lock taken over */
  onWarning?: (message: string) => void;
}

/** how long a take-over mutex may live before it counts as left behind by a killed process */
const MUTEX_STALE_MS = 10_000;

/** a plan directory or plan.json that is not there: say so, and how to make one */
const noPlan = (planFile: string, app: string) =>
  new MigrateError('input', `No plan at ${planFile}.`, {hint: `Run \`migrate plan --app ${app}\` (or --from PATH) first, or point --plan-dir at the plan directory.`});

export function createLocalState(dir: string, app: string, clock: Clock, options: LocalStateOptions = {}): StateStore {
  const planFile = join(dir, 'plan.json');
  const stateFile = join(dir, 'state.json');
  const journalFile = join(dir, 'journal.jsonl');
  const tornFile = join(dir, 'journal.torn.jsonl');
  const lockFile = join(dir, '.migrate.lock');
  const mutexFile = join(dir, '.migrate.lock.takeover');
  const rollbackFile = join(dir, 'rollback-request.json');
  const me = options.identity ?? {pid: process.pid, host: hostname(), user: userInfo().username};
  const alive = options.isAlive ?? pidAlive;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`Warning: ${m}\n`));
  let tornReported = false;

  /** the journal's lines; a torn last line (no newline, not JSON) is returned apart */
  const splitJournal = (text: string): {entries: JournalEntry[]; torn: string | null} => {
    const lines = text.split('\n');
    const last = lines.pop() ?? ''; // '' when the file ends with a newline
    const entries = lines.flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as JournalEntry];
      } catch {
        throw new MigrateError('schema', `${journalFile} line ${i + 1} is not valid JSON (only a torn last line is tolerated).`, {
          hint: `Move that line into ${tornFile} (keep it for the record), then re-run.`,
        });
      }
    });
    if (!last.trim()) return {entries, torn: null};
    try {
      return {entries: [...entries, JSON.parse(last) as JournalEntry], torn: null};
    } catch {
      return {entries, torn: last};
    }
  };

  const parseLock = (text: string | undefined): LockInfo | null | 'corrupt' => {
    if (text === undefined) return null;
    try {
      const info = JSON.parse(text) as Partial<LockInfo>;
      if (typeof info?.pid === 'number' && typeof info.host === 'string') return info as LockInfo;
    } catch {
      // fall through
    }
    return 'corrupt';
  };

  /** one process at a time may replace or remove the lock file */
  const withMutex = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await (await open(mutexFile, 'wx')).close();
        break;
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw ioError('create', mutexFile, err);
        const age = await stat(mutexFile).then((s) => Date.now() - s.mtimeMs, () => 0); // file times are wall-clock times
        if (age > MUTEX_STALE_MS) await rm(mutexFile, {force: true});
        if (attempt > 200) throw new MigrateError('locked', `${mutexFile} is held by another process taking over the lock.`, {hint: `Re-run in a moment; if it persists and no migrate runs on this app, delete ${mutexFile}.`});
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(mutexFile, {force: true});
    }
  };

  /** creates the lock file with its content in one step (link fails if it exists) */
  const createLock = async (content: string): Promise<boolean> => {
    const tmp = `${lockFile}.${me.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, content);
      await link(tmp, lockFile);
      return true;
    } catch (err) {
      if (errno(err) === 'EEXIST') return false;
      // no plan directory: the command has no plan to act on (say so, not "permissions")
      if (errno(err) === 'ENOENT') throw noPlan(planFile, app);
      throw ioError('create', lockFile, err);
    } finally {
      await rm(tmp, {force: true});
    }
  };

  const describeHolder = (h: LockInfo) => `${h.user ?? '?'}@${h.host} (pid ${h.pid}, '${h.command ?? '?'}' since ${h.startedAt ?? '?'})`;

  return {
    dir,
    async readPlan() {
      const text = await readText(planFile);
      if (text === undefined) throw noPlan(planFile, app);
      return parsePlanText(text, planFile, app);
    },
    async readState() {
      const text = await readText(stateFile);
      if (text === undefined) return emptyState(app);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new MigrateError('schema', `${stateFile} is ${text.trim() ? 'not valid JSON' : 'empty'}.`, {
          hint: 'Restore it from version control or a backup; removing it makes migrate forget what it created (the live systems are not changed by that).',
        });
      }
      const state = parseState(data, stateFile);
      if (state.app !== app) throw new MigrateError('input', `${stateFile} is the state of '${state.app}', not '${app}'.`, {hint: 'Point --plan-dir at the plan directory of this app.'});
      return state;
    },
    async writeState(state) {
      const tmp = `${stateFile}.tmp-${me.pid}`;
      try {
        await writeFile(tmp, canonicalJson(state, 2) + '\n');
        await rename(tmp, stateFile);
      } catch (err) {
        await rm(tmp, {force: true}).catch(() => undefined);
        throw ioError('write', stateFile, err);
      }
    },
    async journal(entry) {
      // no known secret value reaches the journal, whatever an error message carried (docs/safety.md)
      const line = JSON.stringify(redactDeep({at: clock.now().toISOString(), ...entry} satisfies JournalEntry)) + '\n';
      let fh;
      try {
        fh = await open(journalFile, 'a+');
      } catch (err) {
        throw ioError('append to', journalFile, err);
      }
      try {
        const {size} = await fh.stat();
        let prefix = '';
        if (size > 0) {
          const lastByte = Buffer.alloc(1);
          await fh.read(lastByte, 0, 1, size - 1);
          if (lastByte[0] !== 0x0a) {
            // a torn last line (a crash mid-append): set it aside, never glue an entry to it
            const text = await readFile(journalFile, 'utf8');
            const cut = text.lastIndexOf('\n') + 1;
            const torn = text.slice(cut);
            try {
              JSON.parse(torn);
              prefix = '\n'; // complete, only its newline was lost
            } catch {
              await writeFile(tornFile, torn + '\n', {flag: 'a'});
              await fh.truncate(Buffer.byteLength(text.slice(0, cut)));
              warn(`The last line of ${journalFile} was torn (an earlier run stopped mid-write); it was moved to ${tornFile}.`);
            }
          }
        }
        await fh.write(prefix + line);
        await fh.sync();
      } catch (err) {
        throw err instanceof MigrateError ? err : ioError('append to', journalFile, err);
      } finally {
        await fh.close().catch(() => undefined);
      }
    },
    async readJournal() {
      const {entries, torn} = splitJournal((await readText(journalFile)) ?? '');
      if (torn !== null && !tornReported) {
        tornReported = true;
        warn(`The last line of ${journalFile} is torn (an earlier run stopped mid-write); it is ignored and will be moved to ${tornFile} on the next write.`);
      }
      return entries;
    },
    async lock(command, lockOptions = {}) {
      const info: LockInfo & {token: string} = {command, pid: me.pid, host: me.host, user: me.user, startedAt: clock.now().toISOString(), token: randomBytes(8).toString('hex')};
      const content = JSON.stringify(info) + '\n';
      let warning: string | undefined;
      if (!(await createLock(content))) {
        warning = await withMutex(async () => {
          const text = await readText(lockFile);
          const holder = parseLock(text);
          if (holder === null) {
            if (await createLock(content)) return undefined;
            throw new MigrateError('locked', `${dir} was locked by another process just now.`, {hint: 'Wait for the other operator to finish.'});
          }
          if (holder === 'corrupt') {
            if (!lockOptions.breakLock) {
              throw new MigrateError('locked', `${lockFile} is ${text?.trim() ? 'not a valid lock file' : 'empty'}.`, {
                hint: `If no migrate command is running on this app, delete ${lockFile} or re-run with --break-lock.`,
              });
            }
          } else {
            const sameHost = holder.host === me.host;
            const dead = sameHost && !alive(holder.pid);
            if (sameHost && !dead) {
              throw new MigrateError('locked', `${dir} is locked by ${describeHolder(holder)}, which is still running on this host.`, {
                hint: lockOptions.breakLock
                  ? `--break-lock does not take over a running process: stop it first (Ctrl-C in its terminal, or kill ${holder.pid}), then re-run.`
                  : `Wait for it to finish, or stop it (Ctrl-C in its terminal, or kill ${holder.pid}), then re-run.`,
              });
            }
            if (!dead && !lockOptions.breakLock) {
              throw new MigrateError('locked', `${dir} is locked by ${describeHolder(holder)}.`, {
                hint: 'Wait for the other operator to finish, or, if you are sure it is gone, re-run with --break-lock.',
              });
            }
          }
          await rm(lockFile, {force: true});
          if (!(await createLock(content))) throw new MigrateError('locked', `${dir} was locked by another process just now.`, {hint: 'Wait for the other operator to finish.'});
          return holder === 'corrupt' ? `Replaced the unreadable lock file ${lockFile}.` : `Took over the lock of ${describeHolder(holder)}${holder.host === me.host && !alive(holder.pid) ? ', a process that is gone' : ''}.`;
        });
        if (warning) warn(warning);
      }
      const release = async () => {
        dropLock(release);
        // only a lock that is still ours: another operator may have taken it over with --break-lock
        const removeIfOurs = async () => {
          const now = parseLock(await readText(lockFile));
          if (now && now !== 'corrupt' && (now as {token?: string}).token === info.token) await rm(lockFile, {force: true});
        };
        await withMutex(removeIfOurs).catch(() => removeIfOurs().catch(() => undefined));
      };
      holdLock(release);
      const lock: Lock = {release, ...(warning ? {warning} : {})};
      return lock;
    },
    async lockHolder() {
      const holder = parseLock(await readText(lockFile));
      if (holder === null || holder === 'corrupt') return null;
      const {command, pid, host, user, startedAt} = holder; // not the token: it proves ownership
      return {command, pid, host, user, startedAt};
    },
    async writeRollbackRequest(request) {
      const tmp = `${rollbackFile}.tmp-${me.pid}`;
      try {
        await writeFile(tmp, JSON.stringify(request) + '\n');
        await rename(tmp, rollbackFile);
      } catch (err) {
        await rm(tmp, {force: true}).catch(() => undefined);
        throw ioError('write', rollbackFile, err);
      }
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
