/** Types of the add-on section of a plan (see addons.ts for the mapping). */
export type AddonCategory =
  | 'postgres'
  | 'redis'
  | 'memcache'
  | 'scheduler'
  | 'logging'
  | 'email'
  | 'storage'
  | 'queue'
  | 'kafka'
  | 'monitoring'
  | 'errors'
  | 'search'
  | 'unknown';

/**
 * Data strategies:
 * - shared-then-window: both origins use the Heroku store during the shift; the data moves in
 *   an announced write-freeze window.
 * - write-freeze-window: moved in the window before AWS takes traffic that writes to it.
 * - start-empty: the AWS equivalent starts empty (caches, schedules re-created from config).
 * - keep-saas: stays with the vendor; its config vars travel with the secret.
 * - manual: unknown to the catalog; a person decides.
 */
export type DataStrategy = 'shared-then-window' | 'write-freeze-window' | 'start-empty' | 'keep-saas' | 'manual';

export interface AddonTarget {
  /** machine-readable kind, e.g. rds-postgresql, memorydb, elasticache-valkey, cloudwatch-logs, eventbridge-scheduler, saas */
  kind: string;
  /** human name, e.g. "Amazon RDS for PostgreSQL" */
  service: string;
  /** instance class / node type, e.g. db.m6g.large, db.t4g.small */
  size?: string;
  multiAz?: boolean;
  details?: Record<string, string | number | boolean>;
}

export interface AddonVarPlan {
  name: string;
  /** remap: replaced by the AWS endpoint; keep: travels with the secret; drop: not needed on AWS */
  action: 'remap' | 'keep' | 'drop';
  /** for remap: what it becomes, e.g. "rediss:// URL of the MemoryDB cluster" */
  to?: string;
}

export interface AddonPlan {
  name: string;
  service: string;
  plan?: string;
  /** catalog entry id, null when the add-on is not in the catalog */
  catalogId: string | null;
  category: AddonCategory;
  target: AddonTarget;
  strategy: DataStrategy;
  /** true when the data/jobs move in the write-freeze window (not with the web traffic) */
  movesInWindow: boolean;
  configVars: AddonVarPlan[];
  notes: string[];
  manual: boolean;
}
