/**
 * What the data workflows need from the data stores. Endpoints come in as DataUrls (their
 * credentials never leave the adapter except into a driver or a child's environment); every
 * failure is a MigrateError whose message went through redact().
 */
import type {DataUrl} from '../domain/data-url.ts';
import type {PgInventory, RedisInventory} from '../domain/data-copy.ts';

export type Role = 'source' | 'target';

export interface PgProbe {
  versionNum: number;
  version: string;
  /** user objects outside the system schemas: relations, functions, schemas other than public, types, extensions */
  objects: number;
  /** heap + TOAST bytes of the user tables (what a dump holds, before compression) */
  dataBytes: number;
  /** pg_database_size: everything the database takes on disk (tables, TOAST, indexes); absent when unknown */
  databaseBytes?: number;
}

export interface CopyProgress {
  stage: 'dump' | 'restore' | 'copy';
  /** tables (Postgres) finished in this stage, of total */
  done: number;
  total: number;
  /** rows (Postgres, from the source's counts) or keys (Redis) finished */
  rows: number;
  totalRows: number;
  bytes: number;
}

export interface DumpResult {
  tables: number;
  bytes: number;
  seconds: number;
}

export interface PostgresTools {
  /** connects (with a short timeout), reads the version and whether the database is empty */
  probe(url: DataUrl, role: Role): Promise<PgProbe>;
  /** major.minor*10000 style version of the pg_dump that will run (e.g. 150018) */
  clientVersion(): Promise<number>;
  /** exact row counts (in parallel on `jobs` connections), sequences, indexes, FKs... */
  inventory(url: DataUrl, role: Role, options: {jobs: number}): Promise<PgInventory>;
  /** drops every user schema's objects (and re-creates `public`), leaving an empty database */
  wipe(url: DataUrl): Promise<void>;
  /** free bytes on the volume of dir (creating dir if needed) */
  freeSpace(dir: string): Promise<number>;
  /** pg_dump --format=directory --jobs into a fresh private directory under parentDir */
  dump(url: DataUrl, parentDir: string, options: {jobs: number; compress: number; rows: Record<string, number>; onProgress?: (p: CopyProgress) => void}): Promise<{dir: string; result: DumpResult}>;
  /** pg_restore --jobs --no-owner --no-privileges --exit-on-error, then ANALYZE */
  restore(url: DataUrl, dumpDir: string, options: {jobs: number; rows: Record<string, number>; onProgress?: (p: CopyProgress) => void}): Promise<DumpResult>;
  removeDump(dir: string): Promise<void>;
}

export interface RedisProbe {
  version: string;
  keys: number;
  usedMemory: number;
  /** 0 = no limit */
  maxMemory: number;
  cluster: boolean;
  /** other numbered databases that hold keys ("db3": 12) */
  otherDatabases: Record<string, number>;
}

export interface RedisCopyResult {
  keys: number;
  /** keys that expired between SCAN and DUMP */
  expired: number;
  bytes: number;
  seconds: number;
}

export interface RedisTools {
  probe(url: DataUrl, role: Role, options?: {tlsVerify?: boolean}): Promise<RedisProbe>;
  /** removes every key of the target's database (every primary in cluster mode) */
  wipe(url: DataUrl): Promise<void>;
  /** SCAN + DUMP/PTTL on the source, RESTORE ... REPLACE (with the remaining TTL) on the target, pipelined */
  copy(source: DataUrl, target: DataUrl, options: {batch: number; sourceTlsVerify?: boolean; totalKeys: number; onProgress?: (p: CopyProgress) => void}): Promise<RedisCopyResult>;
  /** keys per type (and with TTL), leaving out keys that expire within marginMs */
  inventory(url: DataUrl, role: Role, options: {marginMs: number; tlsVerify?: boolean}): Promise<RedisInventory>;
}
