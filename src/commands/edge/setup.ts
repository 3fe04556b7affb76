import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {edgeDeps} from '../../cli/deps.ts';
import {edgeSetup} from '../../workflows/edge-setup.ts';

export default class EdgeSetup extends BaseCommand {
  static override summary = 'Create or adopt the Cloudflare load balancer that splits traffic between Heroku and AWS';
  static override description = `Idempotently creates or adopts a health monitor (the plan's health path), a Heroku pool (origin: the Heroku app host, Host header: the custom domain), an AWS pool (origin: the ALB DNS name) and a load balancer for the app hostname with random steering at Heroku 100% / AWS 0% and the Heroku pool as fallback. An adopted load balancer keeps its weights. Reports session affinity and adaptive routing, which matter during a cutover.

Needs CLOUDFLARE_API_TOKEN with Load Balancing edit rights (zone: Load Balancers; account: Load Balancing Monitors and Pools).

Exit codes: 0 done; 1 error; 2 usage; 5 another operator holds the app's lock.`;

  static override examples = [
    {
      description: "First set-up (ALB_ARN: the load balancer `migrate deploy` created, from its output or the shared stack's outputs)",
      command: '<%= config.bin %> <%= command.id %> --app shop --zone 023e105f4ecef8ad9ca31a8372d0c353 --account 01a7362d577a6c3019a474fd6f485823 --alb "$ALB_ARN"',
    },
    '<%= config.bin %> <%= command.id %> --app shop --json',
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    zone: Flags.string({description: 'Cloudflare zone id of the hostname [default: CLOUDFLARE_ZONE_ID, else the state]'}),
    account: Flags.string({description: 'Cloudflare account id [default: CLOUDFLARE_ACCOUNT_ID, else the state]'}),
    hostname: Flags.string({description: 'hostname of the load balancer [default: the first custom domain in the plan]'}),
    alb: Flags.string({description: 'ARN or name of the AWS Application Load Balancer [default: the state, after deploy]'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(EdgeSetup);
    const r = await edgeSetup(
      {app: flags.app, zoneId: flags.zone, accountId: flags.account, hostname: flags.hostname, alb: flags.alb, region: flags.region, breakLock: flags['break-lock']},
      {...edgeDeps(flags.app, flags['plan-dir']), onProgress: (m) => this.note(m)},
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    const v = r.view;
    if (!this.jsonEnabled()) {
      this.log(`Load balancer ${r.spec.hostname} (${v.loadBalancerId}): Heroku ${100 - v.awsShare}% / AWS ${v.awsShare}%, fallback ${v.fallbackPoolId === v.herokuPoolId ? 'Heroku' : v.fallbackPoolId}.`);
      this.log(`Created: ${r.created.join(', ') || 'nothing'}. Adopted: ${r.adopted.join(', ') || 'nothing'}.`);
    }
    return {created: r.created, adopted: r.adopted, loadBalancer: v};
  }
}
