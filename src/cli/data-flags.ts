/** Flags shared by `data copy` and `data cutover`, and their mapping to the workflow input. */
import {Flags} from '@oclif/core';
import {breakLockFlag, planDirFlag, requiredAppFlag} from './base-command.ts';
import type {DataCopyInput} from '../workflows/data-copy.ts';

export const dataFlags = {
  app: requiredAppFlag,
  addon: Flags.string({description: 'postgres, redis, or the add-on name in the plan', required: true}),
  'plan-dir': planDirFlag,
  'source-url': Flags.string({description: 'source URL (discouraged: visible in shell history and ps)', exclusive: ['source-url-env']}),
  'source-url-env': Flags.string({description: 'name of the environment variable holding the source URL [default: the Heroku config var]'}),
  'target-url': Flags.string({description: 'target URL (discouraged: visible in shell history and ps)', exclusive: ['target-url-env']}),
  'target-url-env': Flags.string({description: 'name of the environment variable holding the target URL [default: the provisioned endpoint]'}),
  force: Flags.boolean({description: 'wipe a non-empty target first (deletes its data)'}),
  jobs: Flags.integer({description: 'parallel pg_dump/pg_restore jobs (and counting connections) [default: the number of CPU cores]', min: 1, max: 64}),
  compress: Flags.integer({description: 'gzip level of the dump directory (0 = none) [default: 0 when the dump directory has room for the uncompressed dump, else 1]', min: 0, max: 9}),
  'dump-dir': Flags.string({description: 'where the temporary dump directory goes [default: the OS temp dir]'}),
  batch: Flags.integer({description: 'Redis keys per SCAN/pipeline batch', default: 1000, min: 10, max: 100_000}),
  'source-tls-no-verify': Flags.boolean({description: "Redis: accept the source's self-signed certificate (Heroku Redis)"}),
  'pg-bin': Flags.string({description: 'directory of pg_dump/pg_restore [default: PG_BIN, the newest /usr/lib/postgresql/N/bin, PATH]'}),
  region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
  'break-lock': breakLockFlag,
  'in-vpc': Flags.boolean({description: "run the copy as a one-off ECS Fargate task inside the app's VPC (RDS and MemoryDB are private)"}),
  'runner-image': Flags.string({description: 'with --in-vpc: the image built from runner/Dockerfile [default: the one the state records]'}),
  'runner-timeout': Flags.integer({description: 'with --in-vpc: seconds before the runner task is stopped', default: 21_600, min: 60}),
};

type DataFlagValues = {
  app: string;
  addon: string;
  'source-url'?: string;
  'source-url-env'?: string;
  'target-url'?: string;
  'target-url-env'?: string;
  force: boolean;
  jobs?: number;
  compress?: number;
  'dump-dir'?: string;
  batch: number;
  'source-tls-no-verify': boolean;
  region?: string;
  'break-lock': boolean;
  'in-vpc': boolean;
  'runner-image'?: string;
  'runner-timeout': number;
};

export const dataInput = (f: DataFlagValues): DataCopyInput => ({
  app: f.app,
  addon: f.addon,
  source: {url: f['source-url'], env: f['source-url-env']},
  target: {url: f['target-url'], env: f['target-url-env']},
  force: f.force,
  jobs: f.jobs,
  compress: f.compress,
  dumpDir: f['dump-dir'],
  batch: f.batch,
  sourceTlsVerify: !f['source-tls-no-verify'],
  region: f.region,
  breakLock: f['break-lock'],
  inVpc: f['in-vpc'],
  runnerImage: f['runner-image'],
  runnerTimeoutSeconds: f['runner-timeout'],
});
