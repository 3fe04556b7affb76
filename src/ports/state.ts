/** The app's local working area: plan, state, journal and the operator lock. */
import type {Plan} from '../domain/plan.ts';
import type {AppState, JournalEntry} from '../domain/state.ts';

export interface LockInfo {
  command: string;
  pid: number;
  host: string;
  user: string;
  startedAt: string;
  /** shared backends (S3): when the holder's lease runs out unless it renews it */
  leaseExpiresAt?: string;
  /** shared backends (S3): the lease ran out (the holder stopped renewing: it died or lost the network) */
  expired?: boolean;
}

export interface Lock {
  /** removes the lock only if it is still this process's (another may have taken it over) */
  release(): Promise<void>;
  /** set when the lock was taken over (a dead process's, or with breakLock) */
  warning?: string;
  /** shared backends (S3): why the lock is no longer ours (taken over after our lease ran out), else null */
  lost?(): string | null;
}

export interface StateStore {
  readonly dir: string;
  readPlan(): Promise<Plan>;
  readState(): Promise<AppState>;
  writeState(state: AppState): Promise<void>;
  /** appends one line to the journal and syncs it to disk before returning */
  journal(entry: Omit<JournalEntry, 'at'>): Promise<void>;
  readJournal(): Promise<JournalEntry[]>;
  /**
   * takes the app's lock or fails with exit code 5 naming the holder. A lock of a dead process on
   * this host is taken over (with a warning); another host's needs breakLock; a running process
   * on this host is never taken over.
   */
  lock(command: string, options?: {breakLock?: boolean}): Promise<Lock>;
  /** who holds the lock now (null when free) */
  lockHolder(): Promise<LockInfo | null>;
  /** an emergency rollback request a running shift must honour (a file next to the plan) */
  writeRollbackRequest(request: RollbackRequest): Promise<void>;
  readRollbackRequest(): Promise<RollbackRequest | null>;
  clearRollbackRequest(): Promise<void>;
}

export interface RollbackRequest {
  at: string;
  by: string;
}
