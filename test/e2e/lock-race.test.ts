/**
 * Lock take-over races between real processes (the built adapter in dist/): a lock left by a dead
 * process on this host, and several processes starting at once to take it over. Exactly one holds
 * the lock each time, and the file names it.
 */
import {spawn, spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {ROOT, tempDir} from '../support/cli.ts';

const ADAPTER = join(ROOT, 'dist/adapters/state/local-state.js');
/** takes the lock, prints the outcome, and keeps a won lock (alive) for a moment */
const CONTENDER = `
const {createLocalState} = await import(${JSON.stringify(ADAPTER)});
const store = createLocalState(process.argv[1], 'shop', {now: () => new Date()}, {onWarning: () => undefined});
try {
  await store.lock('shift', {breakLock: process.argv[2] === 'break'});
  console.log('won ' + process.pid);
  setTimeout(() => undefined, 1500);
} catch (err) {
  console.log('lost ' + err.exitCode);
}`;

function contender(dir: string, breakLock: boolean): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, dir, breakLock ? 'break' : ''], {stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('close', () => resolve(out.trim()));
  });
}

it('50 races of 4 processes over a dead process lock: exactly one holder each time', async () => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
  for (let run = 0; run < 50; run++) {
    const dir = tempDir();
    writeFileSync(join(dir, '.migrate.lock'), JSON.stringify({command: 'shift', pid: dead, host: hostname(), user: 'gone', startedAt: '2026-12-02T00:00:00Z', token: 'old'}) + '\n');
    const outcomes = await Promise.all([0, 1, 2, 3].map((i) => contender(dir, i % 2 === 1)));
    const winners = outcomes.filter((o) => o.startsWith('won'));
    expect({run, winners: winners.length, losers: outcomes.filter((o) => o === 'lost 5').length}).toEqual({run, winners: 1, losers: 3});
    const holder = JSON.parse(readFileSync(join(dir, '.migrate.lock'), 'utf8')) as {pid: number};
    expect(`won ${holder.pid}`).toBe(winners[0]);
  }
}, 300_000);
