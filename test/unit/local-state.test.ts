/**
 * The local StateStore's fail-safe rules on a real disk: journal appends never glue an entry to a
 * torn line, corrupt files name themselves and the fix, and the lock is released only by its
 * holder, taken over from a dead process only, and held by exactly one contender in a race.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {createLocalState, type LocalStateOptions} from '../../src/adapters/state/local-state.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {tempDir} from '../support/cli.ts';

const clock = {now: () => new Date('2026-12-02T08:00:00Z')};
const HOST = hostname();
const DEAD = 999_999;

function store(dir: string, options: LocalStateOptions & {pid?: number; host?: string; live?: Set<number>} = {}) {
  const warnings: string[] = [];
  const live = options.live;
  const s = createLocalState(dir, 'shop', clock, {
    identity: {pid: options.pid ?? process.pid, host: options.host ?? HOST, user: 'tester'},
    isAlive: live ? (pid) => live.has(pid) : (pid) => pid !== DEAD,
    onWarning: (m) => warnings.push(m),
  });
  return {s, warnings};
}
const lockFile = (dir: string) => join(dir, '.migrate.lock');
const holderPid = (dir: string) => (JSON.parse(readFileSync(lockFile(dir), 'utf8')) as {pid: number}).pid;
const writeLock = (dir: string, pid: number, host = HOST) =>
  writeFileSync(lockFile(dir), JSON.stringify({command: 'shift', pid, host, user: 'someone', startedAt: '2026-12-02T07:00:00Z', token: 'x'}) + '\n');
const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as MigrateError;
  }
  throw new Error('expected a rejection');
};

describe('journal', () => {
  it('sets a torn last line aside, reports it, and starts the next entry on a line of its own', async () => {
    const dir = tempDir();
    const {s, warnings} = store(dir);
    await s.journal({id: 'a', op: 'x', phase: 'intent'});
    writeFileSync(join(dir, 'journal.jsonl'), '{"id":"b","op":"x","ph', {flag: 'a'});
    expect((await s.readJournal()).map((e) => e.id)).toEqual(['a']);
    expect(warnings.join('\n')).toMatch(/journal\.jsonl is torn/);
    await s.journal({id: 'c', op: 'x', phase: 'result', ok: true});
    expect((await s.readJournal()).map((e) => e.id)).toEqual(['a', 'c']);
    expect(readFileSync(join(dir, 'journal.torn.jsonl'), 'utf8')).toBe('{"id":"b","op":"x","ph\n');
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id)).toEqual(['a', 'c']);
    expect(warnings.at(-1)).toMatch(/was moved to .*journal\.torn\.jsonl/);
  });

  it('keeps a complete last line that only lost its newline', async () => {
    const dir = tempDir();
    const {s} = store(dir);
    writeFileSync(join(dir, 'journal.jsonl'), '{"at":"t","id":"a","op":"x","phase":"note"}');
    await s.journal({id: 'b', op: 'x', phase: 'note'});
    expect((await s.readJournal()).map((e) => e.id)).toEqual(['a', 'b']);
    expect(existsSync(join(dir, 'journal.torn.jsonl'))).toBe(false);
  });

  it('refuses a broken line in the middle, naming the file, the line and the fix', async () => {
    const dir = tempDir();
    const {s} = store(dir);
    writeFileSync(join(dir, 'journal.jsonl'), '{"id":"a","op":"x","phase":"note"}\nnot json\n{"id":"b","op":"x","phase":"note"}\n');
    const err = await rejection(s.readJournal());
    expect(err.code).toBe('schema');
    expect(err.message).toContain(`${join(dir, 'journal.jsonl')} line 2 is not valid JSON`);
    expect(err.hint).toMatch(/journal\.torn\.jsonl/);
  });
});

describe('state.json', () => {
  it.each([
    ['empty', '', /state\.json is empty/],
    ['corrupt', '{"schemaVersion": "1.0", "app": ', /state\.json is not valid JSON/],
  ])('an %s file names itself and the fix', async (_, text, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.json'), text);
    const err = await rejection(store(dir).s.readState());
    expect(err).toBeInstanceOf(MigrateError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(dir);
    expect(err.hint).toMatch(/Restore it/);
  });

  it("refuses another app's state", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'state.json'), JSON.stringify({schemaVersion: '1.0', app: 'blog'}));
    const err = await rejection(store(dir).s.readState());
    expect(err.message).toMatch(/is the state of 'blog', not 'shop'/);
    expect(err.exitCode).toBe(1);
  });
});

describe('lock', () => {
  it("release removes only a lock that is still ours (after another host's --break-lock)", async () => {
    const dir = tempDir();
    const first = await store(dir, {pid: 100}).s.lock('shift');
    const other = store(dir, {pid: 200, host: 'elsewhere'});
    const second = await other.s.lock('shift', {breakLock: true});
    expect(other.warnings.join()).toMatch(/Took over the lock of tester@/);
    await first.release();
    expect(holderPid(dir)).toBe(200);
    await second.release();
    expect(existsSync(lockFile(dir))).toBe(false);
  });

  it('a running process on this host is never taken over, even with --break-lock', async () => {
    const dir = tempDir();
    writeLock(dir, process.pid);
    for (const breakLock of [false, true]) {
      const err = await rejection(store(dir, {pid: 300}).s.lock('shift', {breakLock}));
      expect(err.exitCode).toBe(5);
      expect(err.message).toMatch(/still running on this host/);
      expect(err.hint).toMatch(breakLock ? /--break-lock does not take over a running process/ : /kill/);
    }
    expect(holderPid(dir)).toBe(process.pid);
  });

  it("a dead process's lock on this host is taken over with a warning, without --break-lock", async () => {
    const dir = tempDir();
    writeLock(dir, DEAD);
    const {s, warnings} = store(dir, {pid: 400});
    const lock = await s.lock('shift');
    expect(lock.warning).toMatch(/pid 999999.*a process that is gone/);
    expect(warnings).toEqual([lock.warning]);
    expect(holderPid(dir)).toBe(400);
  });

  it("another host's lock needs --break-lock", async () => {
    const dir = tempDir();
    writeLock(dir, 5, 'elsewhere');
    const err = await rejection(store(dir, {pid: 500}).s.lock('deploy'));
    expect(err.exitCode).toBe(5);
    expect(err.hint).toMatch(/--break-lock/);
    await store(dir, {pid: 500}).s.lock('deploy', {breakLock: true});
    expect(holderPid(dir)).toBe(500);
  });

  it.each([
    ['empty', ''],
    ['corrupt', '{"pid": '],
  ])('an %s lock file names itself and the fix', async (_, text) => {
    const dir = tempDir();
    writeFileSync(lockFile(dir), text);
    const err = await rejection(store(dir).s.lock('shift'));
    expect(err.exitCode).toBe(5);
    expect(err.message).toContain(lockFile(dir));
    expect(err.hint).toMatch(/delete .*\.migrate\.lock or re-run with --break-lock/);
    await store(dir, {pid: 600}).s.lock('shift', {breakLock: true});
    expect(holderPid(dir)).toBe(600);
  });

  it('50 take-over races of a dead process lock: exactly one holder each time', async () => {
    for (let run = 0; run < 50; run++) {
      const dir = tempDir();
      if (run % 5 !== 4) writeLock(dir, DEAD); // every fifth run: no lock at all
      const pids = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => 1000 * (run + 1) + i);
      const live = new Set(pids);
      const results = await Promise.allSettled(pids.map((pid) => store(dir, {pid, live}).s.lock('shift', {breakLock: pid % 2 === 0})));
      const winners = pids.filter((_, i) => results[i]!.status === 'fulfilled');
      expect({run, winners: winners.length}).toEqual({run, winners: 1});
      expect(holderPid(dir)).toBe(winners[0]);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as MigrateError).exitCode).toBe(5);
      expect(existsSync(join(dir, '.migrate.lock.takeover'))).toBe(false);
    }
  });
});
