import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {planDirFlagDefault, stateBackendDeps} from '../../cli/deps.ts';
import {renderStateShow} from '../../render/state.ts';
import {stateShowWorkflow} from '../../workflows/state-backend.ts';

export default class StateShow extends BaseCommand {
  static override summary = "Where the app's state lives, who holds its lock, and the journal's last entries";
  static override description = `Reads the backend recorded in the plan directory (local files, or S3 after \`migrate state init\`): the lock holder with its lease, which parts of the state are recorded (never values), a pending rollback request, and the last journal entries.

Exit codes: 0 shown; 1 error; 2 usage.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop', '<%= config.bin %> <%= command.id %> --app shop --last 30 --json'];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    last: Flags.integer({description: 'how many of the last journal entries to show (0-1000)', default: 10}),
  };

  async run() {
    const {flags} = await this.parse(StateShow);
    const r = await stateShowWorkflow({app: flags.app, planDir: flags['plan-dir'] ?? planDirFlagDefault(flags.app), last: flags.last}, stateBackendDeps(flags.app));
    if (!this.jsonEnabled()) this.log(renderStateShow(r));
    return r;
  }
}
