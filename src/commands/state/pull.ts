import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {planDirFlagDefault, stateBackendDeps} from '../../cli/deps.ts';
import {statePullWorkflow} from '../../workflows/state-backend.ts';

export default class StatePull extends BaseCommand {
  static override summary = "A local copy of the app's state, journal and lock holder, for inspection";
  static override description = `Writes state.json, journal.jsonl (in order), lock.json and rollback-request.json (when present) and pulled.json (where from, when) into --out. migrate never reads that copy: the backend stays where \`migrate state init\` put it.

Exit codes: 0 written; 1 error; 2 usage.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop --out /tmp/shop-state', '<%= config.bin %> <%= command.id %> --app shop --out ./inspect --json'];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    out: Flags.string({description: 'directory to write the copy into (not the plan directory)', required: true}),
  };

  async run() {
    const {flags} = await this.parse(StatePull);
    const r = await statePullWorkflow({app: flags.app, planDir: flags['plan-dir'] ?? planDirFlagDefault(flags.app), out: flags.out}, stateBackendDeps(flags.app));
    if (!this.jsonEnabled()) this.log(`Copied ${r.journalEntries} journal entries and the state from ${r.location} to ${r.out}:\n${r.files.map((f) => `  ${f}`).join('\n')}`);
    return r;
  }
}
