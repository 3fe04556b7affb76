import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';
import {confirmer} from '../../cli/confirm.ts';
import {dataCopyDeps, herokuControl, progressPrinter, serviceRedeployer} from '../../cli/data-deps.ts';
import {dataFlags, dataInput} from '../../cli/data-flags.ts';
import {renderCutover} from '../../render/data-report.ts';
import {dataCutover} from '../../workflows/data-cutover.ts';

export default class DataCutover extends BaseCommand {
  static override summary = "Move one add-on's data to AWS in a write-freeze window: freeze, copy, verify, switch the secret";
  static override description = `The announced window as one resumable, journaled command:
  1. freeze: Heroku maintenance on and every non-web process scaled to 0 (the quantities are saved first)
  2. copy and verify (as \`migrate data copy\`) into the store \`migrate addons provision\` created
  3. activate the add-on's remapped URL in the state and run \`migrate secrets import\` (verified write)
  4. redeploy: printed as a manual step (new ECS deployments read the new secret)
If any step fails, Heroku is unfrozen on the old store (maintenance and scale as they were) and the app keeps the Heroku store. After success Heroku stays frozen: its dynos still point at the old store.
It asks before it changes anything (--yes to skip; required without a terminal); --dry-run validates the same way and prints the steps.
A run that was interrupted (crash, Ctrl-C) leaves Heroku frozen and resumes where it stopped; after a crash re-run with --break-lock.

The source is the add-on's Heroku config var (read live), the target the provisioned store (override with --source-url-env / --target-url-env). With AWS services deployed, stop them first and pass --aws-frozen.

--in-vpc runs the copy (step 2) as a one-off ECS Fargate task inside the app's VPC, as \`migrate data copy --in-vpc\` does.

Exit codes: 0 cut over (or already); 1 error (Heroku unfrozen on the old store); 2 usage (e.g. --in-vpc without a runner image); 4 interrupted; 5 locked.`;

  static override examples = [
    {description: 'See what the window would do; change nothing', command: '<%= config.bin %> <%= command.id %> --app shop --addon postgres --dry-run'},
    {description: 'Move the database in the announced window', command: '<%= config.bin %> <%= command.id %> --app shop --addon postgres'},
    {description: 'Move Redis, reaching MemoryDB through a tunnel', command: 'TUNNEL=rediss://localhost:6380 <%= config.bin %> <%= command.id %> --app shop --addon redis --target-url-env TUNNEL --source-tls-no-verify'},
  ];

  static override flags = {
    ...dataFlags,
    'aws-frozen': Flags.boolean({description: 'confirm the AWS services are stopped (scaled to 0 or answering a maintenance response)'}),
    'allow-drift': Flags.boolean({description: "switch the secret even if Heroku's config var names differ from the plan"}),
    'dry-run': Flags.boolean({description: 'validate (plan, state, live Heroku app, endpoints) and show what the window would do; change nothing'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (required without a terminal)'}),
  };

  async run() {
    const {flags} = await this.parse(DataCutover);
    const quiet = this.jsonEnabled();
    const r = await dataCutover(
      {...dataInput(flags), awsFrozen: flags['aws-frozen'], allowDrift: flags['allow-drift'], dryRun: flags['dry-run']},
      {
        confirm: confirmer(flags.yes),
        ...dataCopyDeps(flags.app, flags['plan-dir'], {pgBin: flags['pg-bin']}),
        control: herokuControl(),
        services: serviceRedeployer(),
        onProgress: (m) => this.note(m),
        onCopyProgress: quiet ? undefined : progressPrinter((l) => this.note(l)),
      },
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (r.dryRun) {
      if (!quiet) this.log(['Dry run: nothing was changed. The window would:', ...r.dryRun.map((step, i) => `  ${i + 1}. ${step}`)].join('\n'));
      return {addon: r.addon, dryRun: r.dryRun};
    }
    if (!quiet) this.log(renderCutover(r));
    return {addon: r.addon, kind: r.kind, alreadyDone: r.alreadyDone, resumedFrom: r.resumedFrom ?? null, activated: r.activated, secret: r.secret ?? null, verification: r.copy?.verification ?? null, manualSteps: r.manualSteps};
  }
}
