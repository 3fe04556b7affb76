import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {planDirFlagDefault, stateBackendDeps} from '../../cli/deps.ts';
import {stateInitWorkflow} from '../../workflows/state-backend.ts';

export default class StateInit extends BaseCommand {
  static override summary = "Put the app's state, journal and lock in S3 (shared by the team and the guard), or back in local files";
  static override description = `Creates or adopts the bucket (versioning on, all public access blocked, default encryption: SSE-S3, or SSE-KMS with --kms-key, and a policy that refuses requests without TLS), copies the plan directory's state, journal and rollback request to s3://BUCKET/PREFIX/APP/, checks the copy, records the choice in the plan directory's backend.json (commit it: every operator's migrate then uses the bucket) and removes the local files. --local moves everything back. Re-running it is safe: it repairs the bucket's settings and changes nothing else.

Exit codes: 0 done; 1 error (nothing switched); 2 usage; 5 locked by another operator.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop --bucket acme-heroku2aws-state',
    '<%= config.bin %> <%= command.id %> --app shop --bucket acme-state --prefix pay --dry-run',
    '<%= config.bin %> <%= command.id %> --app shop --bucket acme-state --kms-key alias/h2a',
    '<%= config.bin %> <%= command.id %> --app shop --local',
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    bucket: Flags.string({description: 'S3 bucket for the state (created when missing)'}),
    prefix: Flags.string({description: 'key prefix in the bucket; the app\'s objects go under PREFIX/APP/ [default: heroku2aws]'}),
    'kms-key': Flags.string({description: 'KMS key (id, ARN or alias) for the bucket\'s default encryption [default: SSE-S3]'}),
    region: Flags.string({description: 'region of a new bucket [default: AWS_REGION, else the plan]'}),
    'lease-seconds': Flags.integer({description: 'lock lease: a dead holder blocks others at most this long (6-3600) [default: 30]'}),
    local: Flags.boolean({description: 'move the state back from S3 to local files in the plan directory'}),
    'dry-run': Flags.boolean({description: 'show what would change; write nothing'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(StateInit);
    const input = {
      app: flags.app,
      planDir: flags['plan-dir'] ?? planDirFlagDefault(flags.app),
      bucket: flags.bucket,
      prefix: flags.prefix,
      kmsKey: flags['kms-key'],
      region: flags.region,
      leaseSeconds: flags['lease-seconds'],
      local: flags.local,
      dryRun: flags['dry-run'],
      breakLock: flags['break-lock'],
    };
    const r = await stateInitWorkflow(input, {...stateBackendDeps(flags.app), onNote: (m) => this.note(m)});
    if (!this.jsonEnabled()) {
      const verb = r.dryRun ? 'Would move' : 'Moved';
      for (const c of r.bucketChanges) this.log(`${r.dryRun ? 'Would' : 'Did'}: ${c}`);
      if (r.previous === r.location) this.log(`The state of ${flags.app} is in ${r.location}${r.bucketChanges.length ? '' : '; nothing to change'}.`);
      else if (r.adopted) this.log(`Adopted the team state already in ${r.location}.`);
      else this.log(`${verb} the state of ${flags.app} from ${r.previous} to ${r.location} (${r.moved.journalEntries} journal entries${r.moved.state ? ', state' : ''}${r.moved.rollbackRequest ? ', rollback request' : ''}).`);
      for (const x of r.removed) this.log(`Removed ${x}`);
      if (!r.dryRun && r.previous !== r.location) this.log(`Commit ${input.planDir}/backend.json so that everyone's migrate uses ${r.location}.`);
    }
    return r;
  }
}
