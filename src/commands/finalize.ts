import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {appConfirmer, destroyOptions, finalizeDeps} from '../cli/finalize-deps.ts';
import {parseDuration} from '../domain/duration.ts';
import {usageError} from '../domain/errors.ts';
import {renderFinalize} from '../render/finalize.ts';
import {finalizeWorkflow} from '../workflows/finalize.ts';

export default class Finalize extends BaseCommand {
  static override summary = 'Retire Heroku once AWS has carried 100% long enough: pool out, dynos to 0, maintenance on (undoable)';
  static override description = `Preconditions (each refusal changes nothing): the live Cloudflare weights are 100% AWS and have been, by the journal's verified read-backs, for at least the hold time (the plan's, or --min-hold); every gate is green now (CloudWatch alarms OK and the AWS pool healthy in Cloudflare); every add-on whose data strategy is shared-then-window or write-freeze-window has data phase 'cut-over' or 'verified' in the state (or is named by --keep-addon).
Steps, each journaled and skipped on a re-run when the live system shows it done: 1. the AWS pool becomes the only pool and the fallback, the Heroku pool leaves the load balancer (read back); 2. every Heroku process type scaled to 0 (previous quantities journaled), maintenance mode on; 3. plans/<app>/retirement.json and retirement.md (formation, add-ons, domains, config var names and fingerprints, timings, the monthly dyno cost that stops at list prices). 4. only with --destroy-addons: a final backup of each Postgres add-on into --backup-dir (pg_dump custom format, confirmed by pg_restore --list listing every source table, size and SHA-256 recorded), then a second confirmation (--confirm-destroy <app>, or type "destroy <app>" on a terminal), then every add-on of the plan not named by --keep-addon is destroyed (journaled; billing stops). Redis add-ons get no backup in this version: keep them (--keep-addon) or pass --no-redis-backup. After any destroy, --undo is refused.
--undo (until an add-on is destroyed) restores the recorded formation, turns maintenance off and puts the Heroku pool back in the load balancer at weight 0 and as the fallback.

Exit codes: 0 done; 1 error or a precondition refused; 2 usage (--confirm or, with --destroy-addons, --confirm-destroy missing without a terminal, or not the app name; --backup-dir missing or not writable; a Redis add-on without --keep-addon or --no-redis-backup); 4 not yet (hold time not reached or gates inconclusive: re-run later); 5 another operator holds the app's lock.`;

  static override examples = [
    {description: 'Retire Heroku for shop', command: '<%= config.bin %> <%= command.id %> --app shop --confirm shop'},
    {description: 'A shorter hold, keeping a SaaS add-on on Heroku', command: '<%= config.bin %> <%= command.id %> --app shop --confirm shop --min-hold 2h --keep-addon papertrail'},
    {description: 'Retire Heroku and destroy its add-ons after a confirmed final backup of the database', command: '<%= config.bin %> <%= command.id %> --app shop --confirm shop --destroy-addons --backup-dir ./backups --confirm-destroy shop --no-redis-backup'},
    {description: 'Bring Heroku back (formation, maintenance off, pool at weight 0)', command: '<%= config.bin %> <%= command.id %> --app shop --undo --confirm shop'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    confirm: Flags.string({description: 'the app name, to confirm (required without a terminal)'}),
    undo: Flags.boolean({description: 'restore the formation, maintenance off, Heroku pool back at weight 0 and as fallback'}),
    'min-hold': Flags.string({description: 'how long AWS must have held 100%, e.g. 24h or 0s [default: the plan]'}),
    'keep-addon': Flags.string({description: 'an add-on that stays on Heroku (its data need not have moved); repeatable', multiple: true}),
    'destroy-addons': Flags.boolean({description: 'after steps 1-3: final backup of each database, a second confirmation, then destroy the add-ons (no undo after)'}),
    'backup-dir': Flags.string({description: 'where the final database backups go (required with --destroy-addons)'}),
    'confirm-destroy': Flags.string({description: 'the app name again, to confirm destroying the add-ons (required without a terminal)'}),
    'no-redis-backup': Flags.boolean({description: 'with --destroy-addons: destroy Redis add-ons without a backup (none is taken in this version)'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(Finalize);
    if (flags.undo && flags['destroy-addons']) throw usageError('--undo and --destroy-addons cannot go together.');
    const {destroy, confirmDestroy} = destroyOptions(flags.app, flags);
    const minHoldMs = flags['min-hold'] === undefined ? undefined : parseDuration(flags['min-hold'], '--min-hold');
    const confirm = appConfirmer(flags.app, flags.confirm);
    const r = await finalizeWorkflow(
      {app: flags.app, undo: flags.undo, minHoldMs, keepAddons: flags['keep-addon'] ?? [], breakLock: flags['break-lock'], region: flags.region, destroy},
      finalizeDeps(flags.app, flags['plan-dir'], confirm, confirmDestroy),
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(renderFinalize(r));
    return r;
  }
}
