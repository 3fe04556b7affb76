import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {confirmer} from '../../cli/confirm.ts';
import {guardDeps} from '../../cli/guard-deps.ts';
import {guardRemove} from '../../workflows/guard-admin.ts';

export default class GuardRemoveCommand extends BaseCommand {
  static override summary = 'Disarm the guard: delete the stack <app>-guard';
  static override description = `Deletes the guard's stack and forgets it in the state; shifts above 0% then need --no-guard. The token's secret is kept (delete it with aws secretsmanager delete-secret when no longer needed). migrate finalize removes the guard by itself.

Exit codes: 0 removed (or none installed); 1 error; 2 usage; 5 another operator holds the app's lock.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop', '<%= config.bin %> <%= command.id %> --app shop --yes --json'];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    region: Flags.string({description: 'AWS region of the guard [default: where it was installed]'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(GuardRemoveCommand);
    const deps = guardDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()});
    const r = await guardRemove({app: flags.app, region: flags.region, breakLock: flags['break-lock']}, {...deps, confirm: confirmer(flags.yes), onNote: (m) => this.note(m)});
    if (!this.jsonEnabled()) this.log(r.removed ? `Guard removed: stack ${r.stackName} deleted in ${r.region}. Its token secret remains (${r.tokenSecretArn}).` : `No guard of ${flags.app} is installed: nothing to remove.`);
    return r;
  }
}
