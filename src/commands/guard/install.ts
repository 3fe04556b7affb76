import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {guardDeps} from '../../cli/guard-deps.ts';
import {guardInstall} from '../../workflows/guard-install.ts';

export default class GuardInstall extends BaseCommand {
  static override summary = 'Arm the guard: gate alarms move traffic back to Heroku even when no migrate runs';
  static override description = `Creates the stack <app>-guard through a change set (like migrate deploy): a function (Node.js 22, this tool's own weight-writing code) invoked by an EventBridge rule when one of the plan's gate alarms enters ALARM, and every minute as a backstop. It writes AWS 0% / Heroku 100% in one request (disabling the AWS pool under session affinity), reads it back and journals it in the team state, where migrate shift and status see it. The Cloudflare token goes into its own secret, readable only by the function.

Needs: the state in S3 (migrate state init), edge setup done, the gate alarms deployed, and a Cloudflare token (CLOUDFLARE_API_TOKEN, or --token-env) that can edit the load balancer and its pools: checked with a read and a no-op write before anything is created.

Exit codes: 0 armed; 1 error (nothing armed; the message says why); 2 usage; 5 another operator holds the app's lock.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop',
    {description: 'Notify the team, no prompt', command: '<%= config.bin %> <%= command.id %> --app shop --notify ops@example.com --yes'},
    {description: 'Give the guard its own narrower token', command: 'GUARD_CF_TOKEN=... <%= config.bin %> <%= command.id %> --app shop --token-env GUARD_CF_TOKEN'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    notify: Flags.string({description: 'email address to notify when an alarm fires or the guard fails (SNS subscription)'}),
    'token-env': Flags.string({description: 'environment variable holding the Cloudflare token the guard gets', default: 'CLOUDFLARE_API_TOKEN'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask before executing the change set'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(GuardInstall);
    const deps = guardDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()});
    const r = await guardInstall({app: flags.app, notify: flags.notify, tokenEnv: flags['token-env'], region: flags.region, yes: flags.yes, breakLock: flags['break-lock']}, deps.install);
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      this.log(`Guard of ${r.app} armed: stack ${r.stack.stackName} ${r.stack.result} in ${r.region}; function ${r.functionName}.`);
      this.log(`It reacts to: ${r.alarms.join(', ')} (and re-reads them every minute).`);
      for (const c of r.checks) this.log(`  ✓ ${c}`);
    }
    return r;
  }
}
