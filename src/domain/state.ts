/** The app's state next to its plan: what the tool has done on live systems (no secret values). */
import {z} from 'zod';
import {MigrateError} from './errors.ts';
import {checkSchemaVersion} from './plan-schema.ts';

export const STATE_SCHEMA_VERSION = '1.0';

const remapSchema = z.object({
  /** the value is not secret (e.g. a rediss:// endpoint without credentials) */
  value: z.string().optional(),
  /** the value lives in another secret (e.g. RDS credentials): ARN and JSON key */
  fromSecret: z.object({arn: z.string(), key: z.string()}).optional(),
  /** false until the plan's data strategy says the app switches to the AWS store */
  active: z.boolean(),
});

export const appStateSchema = z.object({
  schemaVersion: z.string(),
  app: z.string(),
  secret: z
    .object({
      name: z.string(),
      arn: z.string(),
      versionId: z.string(),
      keyCount: z.number().int(),
      /** sha256 over the sorted key names and value fingerprints of the verified version */
      contentDigest: z.string(),
      updatedAt: z.string(),
    })
    .optional(),
  addons: z
    .record(
      z.string(),
      z.object({
        remaps: z.record(z.string(), remapSchema),
        /** the AWS resource `addons provision` created for it */
        resource: z
          .object({
            kind: z.string(),
            id: z.string(),
            arn: z.string().optional(),
            endpoint: z.string().optional(),
            status: z.string().optional(),
            /** RDS: the storage autoscaling ceiling, GiB (a copy larger than this is refused) */
            maxStorageGb: z.number().optional(),
          })
          .optional(),
        /** `data copy` / `data cutover` progress for this add-on */
        data: z.object({phase: z.string(), updatedAt: z.string(), details: z.record(z.string(), z.unknown()).optional()}).optional(),
      }),
    )
    .optional(),
  /** what `migrate deploy` last deployed */
  deploy: z
    .object({
      imageUri: z.string(),
      deployedAt: z.string(),
      stacks: z.record(z.string(), z.object({stackId: z.string(), outputs: z.record(z.string(), z.string())})),
      releaseTaskDefinitionArn: z.string().optional(),
    })
    .optional(),
  /** the runner image and task definition `data copy --in-vpc` last used (reused without --runner-image) */
  dataRunner: z.object({image: z.string(), taskDefinitionArn: z.string().optional(), updatedAt: z.string()}).optional(),
  /** the ACM certificate `certs request` found or requested; `deploy` uses it without --certificate-arn */
  certificate: z
    .object({
      arn: z.string(),
      region: z.string(),
      domainNames: z.array(z.string()),
      status: z.string(),
      zoneId: z.string().optional(),
      /** validation records in the Cloudflare zone; `created` ones are removed by `certs request --cleanup` */
      records: z.array(z.object({id: z.string(), name: z.string(), type: z.string(), content: z.string(), created: z.boolean()})),
      updatedAt: z.string(),
    })
    .optional(),
  /** the pipeline `ci init` set up */
  ci: z
    .object({
      provider: z.enum(['github', 'gitlab']),
      project: z.string(),
      branch: z.string(),
      stackName: z.string(),
      repositoryUri: z.string(),
      deployRoleArn: z.string(),
      reviewRoleArn: z.string(),
      pipelineFile: z.string(),
      updatedAt: z.string(),
    })
    .optional(),
  /** the AWS side the cutover sends traffic to (recorded by deploy or edge setup) */
  aws: z.object({albArn: z.string(), albDnsName: z.string(), albFullName: z.string()}).optional(),
  edge: z
    .object({
      zoneId: z.string(),
      accountId: z.string(),
      hostname: z.string(),
      namePrefix: z.string(),
      loadBalancerId: z.string(),
      herokuPoolId: z.string(),
      awsPoolId: z.string(),
      monitorPath: z.string(),
      herokuAddress: z.string(),
      herokuHostHeader: z.string().nullable(),
    })
    .optional(),
  /** the guard `migrate guard install` armed (absent when none is installed) */
  guard: z
    .object({
      stackName: z.string(),
      stackId: z.string(),
      region: z.string(),
      functionName: z.string(),
      /** the Cloudflare load balancer it protects */
      loadBalancerId: z.string(),
      /** the gate alarms it reacts to (names) */
      alarms: z.array(z.string()),
      tokenSecretArn: z.string(),
      installedAt: z.string(),
      /** sha256 of the function bundle it runs */
      codeSha256: z.string(),
    })
    .optional(),
});
export type AppState = z.infer<typeof appStateSchema>;
export type GuardRecord = NonNullable<AppState['guard']>;
export type Remap = z.infer<typeof remapSchema>;

export const emptyState = (app: string): AppState => ({schemaVersion: STATE_SCHEMA_VERSION, app});

export function parseState(data: unknown, file: string): AppState {
  checkSchemaVersion(data, file, STATE_SCHEMA_VERSION);
  const r = appStateSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MigrateError('schema', `${file} is not a valid state file: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`, {
      hint: 'Restore it from version control or remove it to start over (the live systems are not changed by that).',
    });
  }
  return r.data;
}

export interface JournalEntry {
  at: string;
  /** groups the intent and result of one write */
  id: string;
  op: string;
  phase: 'intent' | 'result' | 'verify' | 'note';
  ok?: boolean;
  details?: Record<string, unknown>;
}
