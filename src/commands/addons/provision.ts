import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {provisionDeps} from '../../cli/data-deps.ts';
import {renderProvision} from '../../render/provision.ts';
import {addonsProvision, DEFAULT_WAIT_SECONDS} from '../../workflows/addons-provision.ts';

const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);

export default class AddonsProvision extends BaseCommand {
  static override summary = "Create the AWS equivalents of the plan's add-ons (RDS, MemoryDB, schedules)";
  static override description = `Idempotent: what exists (tagged heroku2aws:app=<app>) is kept, what is missing is created, every write is journaled. Heroku Postgres -> RDS PostgreSQL (class from the plan, Multi-AZ for premium plans, encrypted, not public, deletion protection, port 5432 open to the tasks' security group only, master password managed by RDS in Secrets Manager; the app's URL goes to the secret heroku2aws/<app>/addons/<addon>). Heroku Redis -> MemoryDB (node type from the plan, TLS, port 6379 from the tasks only). Logging add-ons -> CloudWatch Logs (noted). Heroku Scheduler -> EventBridge Scheduler schedules from --jobs FILE, created DISABLED. SaaS add-ons are kept.

The remapped URLs are recorded in the state as inactive: the app's secret keeps Heroku's URLs until the data window (migrate data cutover).

Network: the private subnets, the tasks' security group and the cluster come from \`migrate deploy\`'s outputs, or from --subnets, --task-security-group and --cluster.

Exit codes: 0 done; 1 error; 2 usage; 5 locked.`;

  static override examples = [
    {description: 'Show what would be created', command: '<%= config.bin %> <%= command.id %> --app shop --dry-run'},
    {description: 'Provision after `migrate deploy`, with the scheduler jobs (the role comes from the shared stack)', command: '<%= config.bin %> <%= command.id %> --app shop --jobs scheduler-jobs.json'},
    {description: 'Start creation and return at once (re-run later to record endpoints)', command: '<%= config.bin %> <%= command.id %> --app shop --wait-minutes 0'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    only: Flags.string({description: 'comma-separated add-on names to provision [default: all]'}),
    subnets: Flags.string({description: 'private subnet ids, comma-separated [default: the deploy outputs]'}),
    'task-security-group': Flags.string({description: "the ECS tasks' security group [default: the deploy outputs]"}),
    cluster: Flags.string({description: 'ECS cluster ARN for the schedules [default: the deploy outputs]'}),
    jobs: Flags.string({description: 'Heroku Scheduler jobs file (JSON: {"jobs": [{"command", "every": "10m|hourly|daily", "at", "dynoSize"}]})'}),
    'scheduler-role-arn': Flags.string({description: 'IAM role EventBridge Scheduler assumes to run the jobs (ecs:RunTask, ecs:TagResource, iam:PassRole) [default: the SchedulerRoleArn output of the shared stack]'}),
    'task-definition': Flags.string({description: 'task definition the jobs run [default: the deployed one of their process type]'}),
    'db-storage-gb': Flags.integer({description: "RDS allocated storage in GiB, autoscaling up to 5x [default: twice the Heroku database's size (read through its config var), at least 20]", min: 20, max: 65536}),
    'postgres-version': Flags.string({description: 'RDS PostgreSQL engine version [default: RDS default; must be >= the Heroku database]'}),
    'redis-node-type': Flags.string({description: 'MemoryDB node type [default: the plan]'}),
    'redis-replicas': Flags.integer({description: 'MemoryDB replicas per shard', default: 1, min: 0, max: 5}),
    'memorydb-acl': Flags.string({description: 'MemoryDB ACL name', default: 'open-access'}),
    'wait-minutes': Flags.integer({description: 'how long to wait for RDS/MemoryDB to become available (0 = do not wait)', default: DEFAULT_WAIT_SECONDS / 60, min: 0}),
    'dry-run': Flags.boolean({description: 'show what would be created; call nothing'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(AddonsProvision);
    const r = await addonsProvision(
      {
        app: flags.app,
        region: flags.region,
        only: list(flags.only),
        subnets: list(flags.subnets),
        taskSecurityGroup: flags['task-security-group'],
        cluster: flags.cluster,
        jobsFile: flags.jobs,
        schedulerRoleArn: flags['scheduler-role-arn'],
        taskDefinition: flags['task-definition'],
        dbStorageGb: flags['db-storage-gb'],
        postgresVersion: flags['postgres-version'],
        redisNodeType: flags['redis-node-type'],
        redisReplicas: flags['redis-replicas'],
        memorydbAcl: flags['memorydb-acl'],
        waitSeconds: flags['wait-minutes'] * 60,
        dryRun: flags['dry-run'],
        breakLock: flags['break-lock'],
      },
      {...provisionDeps(flags.app, flags['plan-dir']), onProgress: (m) => this.note(m)},
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(renderProvision(r));
    return {region: r.region, outcomes: r.outcomes};
  }
}
