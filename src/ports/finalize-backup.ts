/**
 * The final backup `migrate finalize --destroy-addons` takes of each Postgres add-on before it
 * destroys anything. The URL stays a DataUrl (credentials only reach pg_dump's environment);
 * every failure is a MigrateError whose message went through redact().
 */
import type {DataUrl} from '../domain/data-url.ts';

export interface FinalizeBackupTools {
  /** creates dir (0700) if needed and proves a file can be written in it */
  checkDir(dir: string): Promise<void>;
  /** the source's user tables, "schema.table" */
  sourceTables(url: DataUrl): Promise<string[]>;
  /** pg_dump --format=custom into file (0600); its size and SHA-256 */
  dump(url: DataUrl, file: string): Promise<{bytes: number; sha256: string}>;
  /** `pg_restore --list file`: the tables (TABLE items, "schema.table") its table of contents lists */
  listTables(file: string): Promise<string[]>;
}
