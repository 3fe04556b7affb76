import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {cutoverDeps} from '../cli/deps.ts';
import {parseDuration} from '../domain/duration.ts';
import {renderStatus} from '../render/status.ts';
import {statusWorkflow} from '../workflows/status.ts';

export default class Status extends BaseCommand {
  static override summary = 'Where the migration and the cutover stand: stages, live weights, gates, step history, chart';
  static override description = `Shows every stage of the migration (plan, secret, stacks, add-ons, data, edge, guard, shift, finalize) with the next command, then the cutover as the journal and the live load balancer tell it: the headline is the live share; a shift whose process is gone shows as interrupted at its last verified share (re-running migrate shift resumes its step); rollbacks by migrate rollback, a gate or the guard are shown as such. Then the gate alarms (failing ones in colour; NO_COLOR turns colour off), the step history with the gate polls spelled out, and a chart of the AWS share over time. --watch redraws in place in a terminal and appends in a pipe, until Ctrl-C.

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
    const tty = Boolean(process.stdout.isTTY);
    const render = (r: Awaited<ReturnType<typeof read>>) => renderStatus(r, {color: tty && !process.env.NO_COLOR, columns: process.stdout.columns ?? 80, now: Date.now()});
    if (!flags.watch || this.jsonEnabled()) {
      const r = await read();
      if (!this.jsonEnabled()) this.log(render(r));
      return r;
    }
    let stop = false;
    let frames = 0;
    const unsubscribe = deps.interrupts.subscribe(() => (stop = true));
    try {
      while (!stop) {
        const text = render(await read());
        // a terminal: cursor home, the new frame, clear what is left of the old; a pipe: append
        process.stdout.write(tty ? `${frames++ === 0 ? '\x1b[2J' : ''}\x1b[H${text.replace(/\n/g, '\x1b[K\n')}\x1b[K\n\x1b[J` : `${text}\n\n`);
        for (let waited = 0; waited < every && !stop; waited += 200) await deps.sleep(200);
      }
    } finally {
      unsubscribe();
    }
    return undefined;
  }
}
