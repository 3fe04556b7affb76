import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {secretsImportDeps} from '../../cli/deps.ts';
import {renderSecretDiff} from '../../render/secret-diff.ts';
import {secretsImport} from '../../workflows/secrets-import.ts';

export default class SecretsImport extends BaseCommand {
  static override summary = "Import the app's Heroku config vars into one AWS Secrets Manager secret";
  static override description = `Reads the config vars live from Heroku, keeps the plan's app vars (add-on-owned and platform vars stay out; remapped add-on endpoints are added once the state knows them) and writes ONE JSON secret (default heroku2aws/<app>). The new version is read back and compared key by key before it becomes current. Only key names are ever shown: added, changed (by hash), removed, unchanged. Nothing changed -> nothing written.

A new secret is created with an empty placeholder ({}) as its first version, because AWS makes a secret's first version current at once; the real values then go through the same pending -> verify -> promote path. A pending label left by an interrupted run is repaired by the next run.

Exit codes: 0 done (or nothing to do); 1 error (nothing unverified was made current); 2 usage; 4 interrupted (Ctrl-C / SIGTERM: the lock is released; re-run to complete); 5 another operator holds the app's lock.`;

  static override examples = [
    {description: 'Preview the change (writes nothing)', command: '<%= config.bin %> <%= command.id %> --app shop --dry-run'},
    {description: 'Import, encrypting with a customer key', command: '<%= config.bin %> <%= command.id %> --app shop --kms-key alias/shop'},
    {description: 'Also delete keys that are gone from Heroku', command: '<%= config.bin %> <%= command.id %> --app shop --prune'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'secret-name': Flags.string({description: 'secret name [default: the plan, heroku2aws/<app>]'}),
    'kms-key': Flags.string({description: 'KMS key id, ARN or alias for a new secret [default: the AWS managed key]'}),
    'dry-run': Flags.boolean({description: 'show the change by key name; write nothing'}),
    prune: Flags.boolean({description: 'remove keys that are in the secret but gone from Heroku'}),
    'allow-drift': Flags.boolean({description: "import even if Heroku's config var names differ from the plan"}),
    adopt: Flags.boolean({description: 'take over an existing secret that heroku2aws did not create'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(SecretsImport);
    const r = await secretsImport(
      {
        app: flags.app,
        region: flags.region,
        secretName: flags['secret-name'],
        kmsKeyId: flags['kms-key'],
        dryRun: flags['dry-run'],
        prune: flags.prune,
        allowDrift: flags['allow-drift'],
        adopt: flags.adopt,
        breakLock: flags['break-lock'],
      },
      {...secretsImportDeps(flags.app, flags['plan-dir']), onProgress: (m) => this.note(m)},
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(renderSecretDiff(r));
    return {secretName: r.secretName, region: r.region, arn: r.arn, versionId: r.versionId, written: r.written, dryRun: r.dryRun, bytes: r.bytes, diff: r.diff, calls: r.calls};
  }
}
