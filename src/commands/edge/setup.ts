import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {confirmer} from '../../cli/confirm.ts';
import {edgeDeps, sleep} from '../../cli/deps.ts';
import {parseDuration} from '../../domain/duration.ts';
import {edgeSetup} from '../../workflows/edge-setup.ts';

export default class EdgeSetup extends BaseCommand {
  static override summary = 'Create or adopt the Cloudflare load balancer that splits traffic between Heroku and AWS';
  static override description = `Idempotently creates or adopts a health monitor (the plan's health path, Host header: the hostname), a Heroku pool (origin: the Heroku app host, Host header: the hostname when it is a custom domain of the Heroku app, else another custom domain of the app that Cloudflare accepts) and an AWS pool (origin: the ALB DNS name, Host header: the hostname); then waits (bounded by --health-timeout, with progress) until Cloudflare's monitor reports the Heroku pool healthy, and only then creates the load balancer for the app hostname with random steering at Heroku 100% / AWS 0% and the Heroku pool as fallback. The load balancer takes over routing for that hostname, so the command asks first (--yes to skip; required without a terminal); --dry-run validates and shows what it would do. An unhealthy Heroku pool, or no health verdict in time, stops it with nothing attached to the hostname (the monitor and pools stay and are adopted by a re-run). An adopted load balancer keeps its weights. Reports session affinity and adaptive routing, which matter during a cutover.

Cloudflare accepts a Host header only on a zone of the account, equal to the origin address, or resolving to it; when no custom domain of the Heroku app qualifies, setup stops before it creates anything. See docs/edge.md.

Needs CLOUDFLARE_API_TOKEN with Load Balancing edit rights (zone: Load Balancers; account: Load Balancing Monitors and Pools) and Zone Read.

Exit codes: 0 done; 1 error; 2 usage; 5 another operator holds the app's lock.`;

  static override examples = [
    {
      description: "First set-up (ALB_ARN: the load balancer `migrate deploy` created, from its output or the shared stack's outputs)",
      command: '<%= config.bin %> <%= command.id %> --app shop --zone 023e105f4ecef8ad9ca31a8372d0c353 --account 01a7362d577a6c3019a474fd6f485823 --alb "$ALB_ARN"',
    },
    {description: 'Check the flags and see what would be created', command: '<%= config.bin %> <%= command.id %> --app shop --alb "$ALB_ARN" --dry-run'},
    {description: 'No prompt (CI); wait up to 10 min for Heroku pool health', command: '<%= config.bin %> <%= command.id %> --app shop --yes --health-timeout 10m --json'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    zone: Flags.string({description: 'Cloudflare zone id of the hostname [default: CLOUDFLARE_ZONE_ID, else the state]'}),
    account: Flags.string({description: 'Cloudflare account id [default: CLOUDFLARE_ACCOUNT_ID, else the state]'}),
    hostname: Flags.string({description: 'hostname of the load balancer [default: the first custom domain in the plan]'}),
    alb: Flags.string({description: 'ARN or name of the AWS Application Load Balancer [default: the state, after deploy]'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'dry-run': Flags.boolean({description: 'validate and show what would be created; change nothing'}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation'}),
    'health-timeout': Flags.string({description: "how long to wait for Cloudflare to report the Heroku pool healthy, e.g. 5m", default: '5m'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(EdgeSetup);
    const healthTimeoutMs = parseDuration(flags['health-timeout'], '--health-timeout');
    const r = await edgeSetup(
      {app: flags.app, zoneId: flags.zone, accountId: flags.account, hostname: flags.hostname, alb: flags.alb, region: flags.region, breakLock: flags['break-lock'], dryRun: flags['dry-run'], healthTimeoutMs},
      {...edgeDeps(flags.app, flags['plan-dir']), confirm: confirmer(flags.yes), now: () => Date.now(), sleep, onProgress: (m) => this.note(m)},
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    const v = r.view;
    if (r.dryRun) {
      if (!this.jsonEnabled()) this.log(`Dry run: ${r.summary}. Nothing was changed.`);
      return {dryRun: true, summary: r.summary, hostname: r.spec.hostname, heroku: r.spec.heroku, aws: r.spec.aws};
    }
    if (!this.jsonEnabled()) {
      this.log(`Load balancer ${r.spec.hostname} (${v.loadBalancerId}): Heroku ${100 - v.awsShare}% / AWS ${v.awsShare}%, fallback ${v.fallbackPoolId === v.herokuPoolId ? 'Heroku' : v.fallbackPoolId}.`);
      this.log(`Created: ${r.created.join(', ') || 'nothing'}. Adopted: ${r.adopted.join(', ') || 'nothing'}.`);
    }
    return {created: r.created, adopted: r.adopted, loadBalancer: v};
  }
}
