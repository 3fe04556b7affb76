import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {cutoverDeps} from '../cli/deps.ts';
import {parseDuration} from '../domain/duration.ts';
import {renderStatus} from '../render/status.ts';
import {statusWorkflow} from '../workflows/status.ts';

export default class Status extends BaseCommand {
  static override summary = 'Where the cutover stands: live weights, gates, the current step, history';
  static override description = `Reads the live load balancer and the gate alarms, and the journal for the current or last shift: step, bake time left, verdicts, and a chart of the AWS share over time. --watch refreshes until Ctrl-C.

Exit codes: 0 shown; 1 error; 2 usage.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --app shop', '<%= config.bin %> <%= command.id %> --app shop --watch --interval 10s', '<%= config.bin %> <%= command.id %> --app shop --json'];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    watch: Flags.boolean({description: 'refresh until Ctrl-C'}),
    interval: Flags.string({description: 'refresh interval with --watch', default: '5s'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
  };

  async run() {
    const {flags} = await this.parse(Status);
    const every = parseDuration(flags.interval, '--interval'); // validated even without --watch
    const deps = cutoverDeps(flags.app, flags['plan-dir']);
    const read = () => statusWorkflow({app: flags.app, region: flags.region}, deps);
    if (!flags.watch || this.jsonEnabled()) {
      const r = await read();
      if (!this.jsonEnabled()) this.log(renderStatus(r));
      return r;
    }
    let stop = false;
    const unsubscribe = deps.interrupts.subscribe(() => (stop = true));
    try {
      while (!stop) {
        const text = renderStatus(await read());
        process.stdout.write(process.stdout.isTTY ? `\x1b[2J\x1b[H${text}\n` : `${text}\n\n`);
        for (let waited = 0; waited < every && !stop; waited += 200) await deps.sleep(200);
      }
    } finally {
      unsubscribe();
    }
    return undefined;
  }
}
