/** An in-memory StateStore on a given clock (workflow tests); `journalHook` may hang a run to simulate a crash. */
import {emptyState, type AppState, type JournalEntry} from '../../src/domain/state.ts';
import type {Plan} from '../../src/domain/plan.ts';
import type {RollbackRequest, StateStore} from '../../src/ports/state.ts';

export interface MemoryState extends StateStore {
  lines: JournalEntry[];
  /** called before each journal line is stored; return a promise that never settles to freeze the run there */
  journalHook: ((entry: Omit<JournalEntry, 'at'>) => Promise<void> | void) | null;
}

export function memoryState(plan: Plan, state: AppState = emptyState(plan.app.name), now: () => number = Date.now): MemoryState {
  let appState = state;
  let request: RollbackRequest | null = null;
  const store: MemoryState = {
    dir: '/memory',
    lines: [],
    journalHook: null,
    readPlan: async () => plan,
    readState: async () => appState,
    writeState: async (s) => {
      appState = s;
    },
    async journal(entry) {
      await store.journalHook?.(entry);
      store.lines.push({...entry, at: new Date(now()).toISOString()});
    },
    readJournal: async () => [...store.lines],
    lock: async () => ({release: async () => undefined}),
    lockHolder: async () => null,
    writeRollbackRequest: async (r) => {
      request = r;
    },
    readRollbackRequest: async () => request,
    clearRollbackRequest: async () => {
      request = null;
    },
  };
  return store;
}
