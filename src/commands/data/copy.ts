import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';
import {dataFlags, dataInput} from '../../cli/data-flags.ts';
import {dataCopyDeps, progressPrinter} from '../../cli/data-deps.ts';
import {MigrateError} from '../../domain/errors.ts';
import {mismatchSummary, renderDataCopy} from '../../render/data-report.ts';
import {dataCopy} from '../../workflows/data-copy.ts';

export default class DataCopy extends BaseCommand {
  static override summary = "Copy an add-on's data (Postgres or Redis) from Heroku to its AWS store and verify it";
  static override description = `Postgres: pg_dump (directory format, --jobs in parallel) and pg_restore (--jobs, --no-owner, --no-privileges), then ANALYZE; verification compares exact row counts per table, sequence values and schema objects (tables, sequences, indexes, foreign keys, views, functions, triggers, extensions) by name. Redis: SCAN + DUMP/PTTL, RESTORE with the remaining TTL, pipelined; verification compares keys per type, with and without TTL.

URLs are secrets: they are never printed, logged or written. The source defaults to the add-on's Heroku config var (read live), the target to what \`migrate addons provision\` recorded. Prefer --source-url-env/--target-url-env NAME over --source-url/--target-url (shell history, process list).

Refuses unless the source is write-frozen (Heroku maintenance on and non-web processes at 0; with AWS services deployed, confirm with --frozen), or --allow-live is given. Refuses a non-empty target unless --force; an unfinished earlier copy into the same target is wiped and restarted. The state marks the add-on 'verified' only after a complete copy verified.

--in-vpc runs the copy as a one-off ECS Fargate task in the app's cluster and private subnets (RDS and MemoryDB are private): the task reads the source from the app's secret and the target from the provisioned store with its own role, and its progress and result come back through its log stream. It needs the deployed shared stack and the runner image (--runner-image, remembered in the state). Ctrl-C stops the task.

Exit codes: 0 copied and verified; 1 error, verification failed, or the runner task failed (the message names the task and its log stream); 2 usage (e.g. --in-vpc without a runner image, or with URL flags); 4 interrupted; 5 locked.`;

  static override examples = [
    {description: 'Copy Postgres in the write-freeze window (source from Heroku, target from the provisioned RDS)', command: '<%= config.bin %> <%= command.id %> --app shop --addon postgres'},
    {description: 'Rehearse against explicit endpoints without freezing', command: 'SRC=postgres://... DST=postgres://... <%= config.bin %> <%= command.id %> --app shop --addon postgres --source-url-env SRC --target-url-env DST --allow-live'},
    {description: 'Copy from inside the VPC (private RDS): a one-off Fargate task', command: '<%= config.bin %> <%= command.id %> --app shop --addon postgres --in-vpc --runner-image REPOSITORY:TAG'},
    {description: 'Copy Redis (Heroku uses a self-signed certificate)', command: '<%= config.bin %> <%= command.id %> --app shop --addon redis --frozen --source-tls-no-verify'},
  ];

  static override flags = {
    ...dataFlags,
    frozen: Flags.boolean({description: 'confirm that every writer (Heroku dynos and AWS tasks) is stopped'}),
    'allow-live': Flags.boolean({description: 'copy although the source is not write-frozen (rehearsals only)'}),
  };

  async run() {
    const {flags} = await this.parse(DataCopy);
    const deps = dataCopyDeps(flags.app, flags['plan-dir'], {pgBin: flags['pg-bin']});
    const quiet = this.jsonEnabled();
    const r = await dataCopy(
      {...dataInput(flags), allowLive: flags['allow-live'], frozen: flags.frozen},
      {...deps, onProgress: (m) => this.note(m), onCopyProgress: quiet ? undefined : progressPrinter((l) => this.note(l))},
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!quiet) this.log(renderDataCopy(r));
    if (!r.verification.result.ok) {
      throw new MigrateError('conflict', `Verification of ${r.addon} failed: ${mismatchSummary(r)}. The add-on is not marked verified.`, {
        hint: r.warnings.some((w) => w.startsWith('--allow-live')) ? 'The source took writes during the copy: freeze writes and copy again.' : 'Run the copy again (it wipes the target and starts over); if it persists, compare the objects listed.',
      });
    }
    return {addon: r.addon, kind: r.kind, source: r.source, target: r.target, phase: r.phase, wiped: r.wiped, stats: r.stats, verification: r.verification};
  }
}
