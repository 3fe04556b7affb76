import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {cutoverDeps} from '../cli/deps.ts';
import {parseDuration} from '../domain/duration.ts';
import {usageError} from '../domain/errors.ts';
import {rollbackWorkflow} from '../workflows/rollback.ts';

export default class Rollback extends BaseCommand {
  static override summary = 'All traffic back to Heroku now (AWS share 0%), verified';
  static override description = `Writes AWS 0% / Heroku 100% at once, reads it back and journals it; with session affinity on it also disables the AWS pool, since pinned users ignore weights. It works while a shift is running: it does not wait for the app's lock, leaves a rollback request the running shift honours (it stops without writing again), and checks the weights once more after that shift has stopped.

It is the emergency exit, so it writes Cloudflare first and records afterwards: with the plan directory full or read-only it still rolls back and says what it could not record. Every Cloudflare call is bounded by --timeout; if Cloudflare cannot be read first, the weights are written from the ids in state.json.

Exit codes: 0 rolled back (or already at 0%), verified; 1 error (the message says what is live); 2 usage; 4 interrupted.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop',
    '<%= config.bin %> <%= command.id %> --app shop --json',
    {description: 'Give up on a hung Cloudflare answer after 5 s', command: '<%= config.bin %> <%= command.id %> --app shop --timeout 5s'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    timeout: Flags.string({description: 'how long to wait for each Cloudflare answer', default: '10s'}),
  };

  async run() {
    const {flags} = await this.parse(Rollback);
    const callTimeoutMs = parseDuration(flags.timeout, '--timeout');
    if (callTimeoutMs < 1000) throw usageError(`--timeout must be at least 1s, not ${flags.timeout}.`, 'Give the time to wait for each Cloudflare answer, e.g. --timeout 10s.');
    const r = await rollbackWorkflow({app: flags.app}, {...cutoverDeps(flags.app, flags['plan-dir']), callTimeoutMs, onNote: (m) => this.note(m)});
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      this.log(r.written ? `Rolled back: AWS ${r.from ?? '?'}% → ${r.live}% (verified)${r.awsPoolDisabled ? '; AWS pool disabled' : ''}.` : `Already at AWS ${r.live}%: nothing written (verified).`);
      if (r.runningShift) this.log(`The running shift (${r.runningShift}) was asked to stop.`);
      if (!r.recorded) this.log('Not recorded in the journal (see the warning).');
    }
    return r;
  }
}
