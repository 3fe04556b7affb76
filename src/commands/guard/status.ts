import {BaseCommand, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {guardDeps} from '../../cli/guard-deps.ts';
import {guardStatus} from '../../workflows/guard-admin.ts';

export default class GuardStatusCommand extends BaseCommand {
  static override summary = 'Is the guard armed, and when did it last trip';
  static override description = `Armed means: installed (migrate guard install), its stack complete, and guarding the load balancer edge setup recorded. Also shows the guard's last trip from the journal and how many shifts went above 0% with --no-guard.

Exit codes: 0 shown (armed or not); 1 error.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop', '<%= config.bin %> <%= command.id %> --app shop --json'];

  static override flags = {app: requiredAppFlag, 'plan-dir': planDirFlag};

  async run() {
    const {flags} = await this.parse(GuardStatusCommand);
    const deps = guardDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()});
    const r = await guardStatus({app: flags.app}, {state: deps.state, stacks: deps.install.stacks});
    if (!this.jsonEnabled()) {
      this.log(r.armed ? `Guard of ${r.app}: ARMED (${r.installed!.stackName} in ${r.installed!.region}, ${r.stackStatus})` : `Guard of ${r.app}: NOT ARMED: ${r.reasons.join('; ')}`);
      if (r.installed) this.log(`  alarms: ${r.installed.alarms.join(', ')}`);
      this.log(r.lastTrip ? `  last trip: ${r.lastTrip.at}, alarm ${r.lastTrip.alarm} (${r.lastTrip.trigger}), ${r.lastTrip.ok ? `AWS ${r.lastTrip.live}% verified` : 'FAILED'}; ${r.trips} in all` : '  no trip recorded');
      if (r.unguardedShifts) this.log(`  ${r.unguardedShifts} shift(s) ran with --no-guard`);
    }
    return r;
  }
}
