/** Choosing and moving an app's state backend (`migrate state init/show/pull`). */
import type {Backend} from '../domain/backend.ts';
import type {StateStore} from './state.ts';

/** backend.json in the committed plan directory, and the local state files next to it */
export interface BackendFiles {
  /** null when the plan directory has no backend.json (local files) */
  read(dir: string): Promise<Backend | null>;
  write(dir: string, backend: Backend): Promise<void>;
  /** the local state files present in dir (state.json, journal.jsonl, rollback-request.json) */
  localStateFiles(dir: string): Promise<string[]>;
  /** removes them (after they were copied elsewhere and verified); returns the removed paths */
  removeLocalStateFiles(dir: string): Promise<string[]>;
}

/** a StateStore shared by a team (S3) */
export interface RemoteStateStore extends StateStore {
  readonly location: string;
  /** every key of the app's objects, in order */
  listKeys(): Promise<string[]>;
  /** deletes the app's state, journal and rollback request (the bucket's versioning keeps them); returns how many */
  removeAll(): Promise<number>;
  /** the copy of plan.json for readers without the plan directory (the guard) */
  writePlanCopy(text: string): Promise<void>;
  /** requests made so far, by operation */
  calls(): Record<string, number>;
  close(): void;
}

export interface BucketSettings {
  exists: boolean;
  region?: string;
  versioning: 'Enabled' | 'Suspended' | 'Off';
  publicAccessBlocked: boolean;
  encryption: {algorithm: string; kmsKeyId?: string} | null;
  policy: string | null;
}

/** the state bucket's own settings */
export interface StateBucketAdmin {
  inspect(bucket: string): Promise<BucketSettings>;
  create(bucket: string, region: string): Promise<void>;
  enableVersioning(bucket: string): Promise<void>;
  blockPublicAccess(bucket: string): Promise<void>;
  /** default encryption: SSE-KMS with the key when given, else SSE-S3 */
  setEncryption(bucket: string, kmsKeyId?: string): Promise<void>;
  putPolicy(bucket: string, policy: string): Promise<void>;
}
