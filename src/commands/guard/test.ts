import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {guardDeps} from '../../cli/guard-deps.ts';
import {guardTest} from '../../workflows/guard-admin.ts';

export default class GuardTestCommand extends BaseCommand {
  static override summary = 'Show what the guard would write now; with --confirm APP, trip it for real';
  static override description = `Without --confirm: runs the guard's own workflow in-process on a synthetic test event, with your Cloudflare token, and prints what it would write (nothing is written). With --confirm APP: invokes the deployed function with a synthetic trip, which moves ALL traffic of the app to Heroku (AWS 0%), verified and journaled like a real trip; then reads the live share back.

Exit codes: 0 done; 1 error (the function's error is shown); 2 usage (--confirm does not match).`;

  static override examples = [
    {description: 'Dry run', command: '<%= config.bin %> <%= command.id %> --app shop'},
    {description: 'Live synthetic trip (AWS 0%)', command: '<%= config.bin %> <%= command.id %> --app shop --confirm shop'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    confirm: Flags.string({description: 'the app name again: fire a live synthetic trip'}),
  };

  async run() {
    const {flags} = await this.parse(GuardTestCommand);
    const deps = guardDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()});
    const r = await guardTest({app: flags.app, confirm: flags.confirm}, deps);
    if (!this.jsonEnabled()) {
      const outcome = r.outcome as {action?: string; reason?: string};
      this.log(r.dryRun ? `Dry run: the guard ${outcome.action === 'already-zero' ? 'would write nothing' : 'would trip'}: ${outcome.reason}` : `Live test: the function answered ${outcome.action ?? JSON.stringify(r.outcome)}${outcome.reason ? ` (${outcome.reason})` : ''}; live AWS share now ${r.liveAfter}%.`);
    }
    return r;
  }
}
