import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {confirmer} from '../cli/confirm.ts';
import {cutoverDeps} from '../cli/deps.ts';
import {progressMode, withProgress} from '../cli/progress.ts';
import {parseDuration} from '../domain/duration.ts';
import {renderShift} from '../render/shift.ts';
import {shiftWorkflow} from '../workflows/shift.ts';

export default class Shift extends BaseCommand {
  static override summary = 'Move live traffic toward (or back from) AWS step by step, gated on CloudWatch';
  static override description = `Each step writes both Cloudflare pool weights in one request, reads them back, then bakes: every poll the gates are checked (CloudWatch alarms from the plan, the AWS pool health, the AWS request count). A step passes only when the bake time is over, the request minimum is met and no gate failed. A failing gate rolls back at once to the last share that passed (--on-fail zero: to 0%) and exits 3; missing evidence extends the bake, then pauses and exits 4. Ctrl-C stops at the last verified share. Shifting down works the same way, without gates blocking it. Going above 0% needs the guard armed (migrate guard install), or --no-guard; a guard trip during the shift stops it with exit 3.

Re-running after a pause, Ctrl-C or a crash resumes from the journal: the live share must be the last verified one or the one being written (by a shift, migrate rollback, a gate or the guard), else the run refuses unless --adopt. If the live share is a step that has not passed, nothing is written: that step bakes again first, with this run's --bake and --min-requests; only bake time covered by journaled gate verdicts counts (time between runs does not), its requests count from when it was verified live, and it never passes just because it is the live share. See docs/cutover.md.

Exit codes: 0 target reached; 1 error; 2 usage; 3 halted by a gate and rolled back; 4 paused or interrupted (resumable); 5 another operator holds the app's lock.`;

  static override examples = [
    {description: 'Preview the schedule and gates', command: '<%= config.bin %> <%= command.id %> --app shop --to 25% --dry-run'},
    {description: 'Shift to 25% through the plan schedule', command: '<%= config.bin %> <%= command.id %> --app shop --to 25%'},
    {description: 'Custom steps and bake, no prompt', command: '<%= config.bin %> <%= command.id %> --app shop --to 50 --steps 1,10,50 --bake 15m --yes'},
    {description: 'All traffic back to Heroku, gradually', command: '<%= config.bin %> <%= command.id %> --app shop --to 0 --yes'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    to: Flags.string({description: 'target AWS share: 25% or 25', required: true}),
    steps: Flags.string({description: 'comma-separated AWS shares to step through [default: the plan schedule, cut at the target]'}),
    bake: Flags.string({description: 'bake time of every step, e.g. 10m [default: the plan]'}),
    'min-requests': Flags.integer({description: 'AWS requests a step must see before it can pass [default: the plan]', min: 0}),
    poll: Flags.string({description: 'gate poll interval, e.g. 30s [default: the plan]'}),
    'max-bake-extension': Flags.string({description: 'how far an inconclusive bake may stretch (× the bake time) before pausing [default: the plan]'}),
    'consecutive-failures': Flags.integer({description: 'fail verdicts in a row that roll back [default: the plan, 1]', min: 1}),
    'on-fail': Flags.string({description: 'roll back to the last passed share, or to 0%', options: ['last-passed', 'zero'], default: 'last-passed'}),
    'dry-run': Flags.boolean({description: 'print the schedule and gates; change nothing'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
    adopt: Flags.boolean({description: 'continue from live weights that were changed outside migrate'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'break-lock': breakLockFlag,
    'no-guard': Flags.boolean({description: 'shift above 0% without an armed guard (warned and journaled; see migrate guard install)'}),
  };

  async run() {
    const {flags} = await this.parse(Shift);
    const deps = cutoverDeps(flags.app, flags['plan-dir']);
    const mode = progressMode(this.jsonEnabled());
    const r = await withProgress(`Shift ${flags.app} to ${flags.to.replace(/%$/, "")}% AWS`, flags['dry-run'] ? 'plain' : mode, (report) =>
      shiftWorkflow(
        {
          app: flags.app,
          to: flags.to,
          steps: flags.steps,
          bakeMs: flags.bake === undefined ? undefined : parseDuration(flags.bake, '--bake'),
          minRequests: flags['min-requests'],
          pollMs: flags.poll === undefined ? undefined : parseDuration(flags.poll, '--poll'),
          maxBakeExtension: flags['max-bake-extension'] === undefined ? undefined : Number(flags['max-bake-extension']),
          consecutiveFailures: flags['consecutive-failures'],
          onFail: flags['on-fail'] as 'last-passed' | 'zero',
          dryRun: flags['dry-run'],
          adopt: flags.adopt,
          breakLock: flags['break-lock'],
          region: flags.region,
          noGuard: flags['no-guard'],
        },
        {...deps, confirm: confirmer(flags.yes), onProgress: (s) => report(s.summary, {phase: s.phase, liveShare: s.liveShare, step: s.step})},
      ),
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(renderShift(r));
    return this.finish(r.stop?.exitCode ?? 0, r);
  }
}
