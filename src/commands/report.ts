import {Flags} from '@oclif/core';
import {BaseCommand, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {reportDeps} from '../cli/deps.ts';
import {reportWorkflow} from '../workflows/report.ts';

export default class Report extends BaseCommand {
  static override summary = "Write the migration's story as one self-contained HTML file";
  static override description = `Builds a report for stakeholders and post-mortems from the plan, the state and the journal: the plan summary and cost estimate, the AWS share over time with every step, gate verdict, rollback, guard trip and resume marked, the data window and its verification, and finalize. With AWS credentials it also draws the load balancer's CloudWatch metrics over the same window; without them it says so and draws what the journal holds. The file has no scripts and loads nothing from the network: it opens offline and prints well.

Exit codes: 0 written; 1 error (no plan, file system); 2 usage.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop',
    '<%= config.bin %> <%= command.id %> --app shop --out shop-cutover.html --no-metrics',
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    out: Flags.string({char: 'o', description: 'HTML file to write [default: plans/<app>/report.html]'}),
    region: Flags.string({description: 'AWS region of the metrics [default: AWS_REGION, else the plan]'}),
    metrics: Flags.boolean({description: 'read CloudWatch metrics for the cutover window', default: true, allowNo: true}),
  };

  async run() {
    const {flags} = await this.parse(Report);
    this.note(`Reading the plan, state and journal of ${flags.app}`);
    const result = await reportWorkflow({app: flags.app, out: flags.out, region: flags.region, metrics: flags.metrics}, reportDeps(flags.app, flags['plan-dir']));
    if (!result.metrics.startsWith('CloudWatch AWS/')) this.addWarnings([result.metrics]);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(`Wrote ${result.file} (${Math.ceil(result.bytes / 1024)} KB): ${result.steps} steps, ${result.events} events, ${result.rollbacks} rollback(s). Open it in a browser; it needs no network.`);
    return result;
  }
}
