import {Flags} from '@oclif/core';
import {appFlag, BaseCommand, outputPath} from '../cli/base-command.ts';
import {planDeps} from '../cli/deps.ts';
import {costSummary} from '../render/cost-md.ts';
import {nextSteps} from '../render/next-steps.ts';
import {planWorkflow} from '../workflows/plan.ts';

export default class Plan extends BaseCommand {
  static override summary = 'Read a Heroku app and write a migration plan to review';
  static override description = `Reads the app live from Heroku (--app, with HEROKU_API_KEY or ~/.netrc), from a snapshot file, or from the app's own repository (app.json + Procfile), and writes plan.json and plan.md into plans/<app>/ (or --out). No AWS or Cloudflare call is made. The same input always gives byte-identical files.

Exit codes: 0 written; 1 error (Heroku, input or file problem); 2 usage.`;

  static override examples = [
    {description: 'Plan a live app', command: '<%= config.bin %> <%= command.id %> --app shop'},
    {description: 'Plan from an app repository, offline', command: '<%= config.bin %> <%= command.id %> --from ./shop --out plans/shop'},
    {description: 'Plan from a snapshot made by `migrate snapshot`', command: '<%= config.bin %> <%= command.id %> --from shop.snapshot.json'},
    {description: 'Machine-readable summary', command: '<%= config.bin %> <%= command.id %> --app shop --json'},
  ];

  static override flags = {
    app: appFlag,
    from: Flags.string({char: 'f', description: 'app repository directory (app.json, Procfile) or snapshot file instead of live Heroku'}),
    out: Flags.string({parse: outputPath, char: 'o', description: 'output directory [default: plans/<app>]'}),
    region: Flags.string({description: 'AWS region [default: nearest to the Heroku region]'}),
    'health-path': Flags.string({description: 'HTTP path the load balancer health checks use', default: '/'}),
    domain: Flags.string({description: 'extra hostname for the load balancer and certificate (repeatable)', multiple: true}),
    prices: Flags.string({description: 'price file for the cost estimate [default: the shipped one; see `migrate prices refresh`]'}),
    'dry-run': Flags.boolean({description: 'print the summary without writing files'}),
  };

  async run() {
    const {flags} = await this.parse(Plan);
    const result = await planWorkflow(
      {
        app: flags.app,
        from: flags.from,
        out: flags.out,
        awsRegion: flags.region,
        healthCheckPath: flags['health-path'],
        domains: flags.domain,
        prices: flags.prices,
        dryRun: flags['dry-run'],
      },
      {...planDeps(), onProgress: (m) => this.note(m)},
    );
    const {plan} = result;
    const steps = nextSteps(plan, result.outDir, this.config.bin);
    this.addWarnings(plan.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      const stacks = result.files.filter((f) => f.includes('stacks')).length;
      this.log(`${result.written ? 'Wrote' : 'Would write'} ${result.outDir}: plan.json, plan.md (review it) and ${stacks} CloudFormation files in stacks/.`);
      this.log(`${plan.services.length} services, ${plan.secret.keys.length} secret keys, ${plan.addons.length} add-ons, ${plan.manualSteps.length} manual steps.`);
      if (plan.cost) this.log(costSummary(plan.cost));
      this.log(`\nNext steps (README.md, "The user's path"):\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}`);
    }
    return {
      app: plan.app.name,
      outDir: result.outDir,
      files: result.files,
      written: result.written,
      services: plan.services.map((s) => ({processType: s.processType, role: s.role, cpu: s.fargate.cpu, memory: s.fargate.memory, desiredCount: s.desiredCount})),
      secretKeys: plan.secret.keys.length,
      addons: plan.addons.map((a) => ({name: a.name, service: a.service, target: a.target.service, strategy: a.strategy})),
      manualSteps: plan.manualSteps,
      cost: plan.cost ?? null,
      nextSteps: steps,
    };
  }
}
