import {BaseCommand, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {cutoverDeps} from '../cli/deps.ts';
import {rollbackWorkflow} from '../workflows/rollback.ts';

export default class Rollback extends BaseCommand {
  static override summary = 'All traffic back to Heroku now (AWS share 0%), verified';
  static override description = `Writes AWS 0% / Heroku 100% at once, reads it back and journals it; with session affinity on it also disables the AWS pool, since pinned users ignore weights. It works while a shift is running: it does not wait for the app's lock, leaves a rollback request the running shift honours (it stops without writing again), and checks the weights once more after that shift has stopped.

Exit codes: 0 rolled back (or already at 0%); 1 error (the message says what is live).`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop', '<%= config.bin %> <%= command.id %> --app shop --json'];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
  };

  async run() {
    const {flags} = await this.parse(Rollback);
    const r = await rollbackWorkflow({app: flags.app}, {...cutoverDeps(flags.app, flags['plan-dir']), onNote: (m) => this.note(m)});
    if (!this.jsonEnabled()) {
      this.log(r.written ? `Rolled back: AWS ${r.from}% → ${r.live}% (verified)${r.awsPoolDisabled ? '; AWS pool disabled' : ''}.` : `Already at AWS ${r.live}%: nothing written (verified).`);
      if (r.runningShift) this.log(`The running shift (${r.runningShift}) was asked to stop.`);
    }
    return r;
  }
}
