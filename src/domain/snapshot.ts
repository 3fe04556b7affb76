/** The snapshot file: the app model as read from Heroku (names and fingerprints, never values). */
import {z} from 'zod';
import {MigrateError} from './errors.ts';
import {appModelSchema, type AppModel} from './model.ts';
import {checkSchemaVersion} from './plan-schema.ts';

export const SNAPSHOT_SCHEMA_VERSION = '1.0';

const snapshotSchema = z.object({
  schemaVersion: z.string(),
  kind: z.literal('heroku2aws-snapshot'),
  takenAt: z.string(),
  app: appModelSchema,
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export const makeSnapshot = (app: AppModel, takenAt: Date): Snapshot => ({
  schemaVersion: SNAPSHOT_SCHEMA_VERSION,
  kind: 'heroku2aws-snapshot',
  takenAt: takenAt.toISOString(),
  app,
});

export function parseSnapshot(data: unknown, file: string): Snapshot {
  checkSchemaVersion(data, file, SNAPSHOT_SCHEMA_VERSION);
  const result = snapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MigrateError('schema', `${file} is not a valid snapshot: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Regenerate it with `migrate snapshot --app NAME`.',
    });
  }
  return result.data;
}
