/**
 * The app locks this process holds, whatever the backend: a signal handler releases them before
 * the process exits (src/cli/signals.ts). A StateStore adds a lock's release when it takes the
 * lock and removes it when the lock is released normally.
 */
const held = new Set<() => Promise<void>>();

export function holdLock(release: () => Promise<void>): void {
  held.add(release);
}

export function dropLock(release: () => Promise<void>): void {
  held.delete(release);
}

/** releases every held lock (each release checks the lock is still ours); returns how many */
export async function releaseHeldLocks(): Promise<number> {
  const all = [...held];
  held.clear();
  await Promise.allSettled(all.map((release) => release()));
  return all.length;
}
