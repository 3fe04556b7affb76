/** Whether a lock's holder still runs: only knowable on the same host (signal 0 probes a pid). */
import {hostname} from 'node:os';
import type {LockInfo} from '../../ports/state.ts';

export function lockHolderAlive(lock: LockInfo): boolean {
  if (lock.host !== hostname()) return true; // another machine: assume it runs
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the pid exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
