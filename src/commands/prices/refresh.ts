import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.ts';
import {planDeps} from '../../cli/deps.ts';
import {pricesRefreshWorkflow} from '../../workflows/prices-refresh.ts';

export default class PricesRefresh extends BaseCommand {
  static override summary = "Rebuild the cost estimate's AWS prices from the AWS Price List API";
  static override description = `Reads today's on-demand prices (Fargate, Application Load Balancer, NAT gateway, public IPv4, RDS for PostgreSQL, MemoryDB, Secrets Manager, CloudWatch) for each region from the AWS Price List Query API and writes a price file; plan with it using \`migrate plan --prices FILE\`. Heroku and Cloudflare prices are copied from the starting file (they have no price API). A figure no product matched keeps its previous value and is named in a warning. Needs pricing:GetProducts (the API answers in us-east-1).

Exit codes: 0 written; 1 error (AWS, file); 2 usage.`;

  static override examples = [
    {description: "Today's prices for the shipped regions", command: '<%= config.bin %> <%= command.id %> --out plans/prices.json'},
    {description: 'Add a region, then plan with the file', command: '<%= config.bin %> <%= command.id %> --region eu-west-1 --out plans/prices.json\n<%= config.bin %> plan --app shop --prices plans/prices.json'},
  ];

  static override flags = {
    region: Flags.string({char: 'r', description: 'AWS region to price (repeatable) [default: the regions of the starting file]', multiple: true}),
    out: Flags.string({char: 'o', description: 'price file to write', required: true}),
    from: Flags.string({description: 'price file to start from [default: the shipped one]'}),
    'dry-run': Flags.boolean({description: 'read the prices and report, write nothing'}),
  };

  async run() {
    const {flags} = await this.parse(PricesRefresh);
    const result = await pricesRefreshWorkflow(
      {regions: flags.region, out: flags.out, from: flags.from, dryRun: flags['dry-run']},
      {
        prices: planDeps().prices,
        priceList: async () => (await import('../../adapters/aws/pricing.ts')).createPriceList(),
        files: planDeps().files,
        now: () => new Date(),
        onProgress: (m) => this.note(m),
      },
    );
    this.addWarnings(result.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      for (const r of result.regions) this.log(`${r.region}: ${r.products} products, ${r.rdsInstanceTypes} RDS and ${r.memorydbNodeTypes} MemoryDB sizes${r.missing.length ? `, ${r.missing.length} figure(s) kept from before` : ''}`);
      this.log(`${result.written ? 'Wrote' : 'Would write'} ${result.out} (${result.requests} Price List requests). Plan with it: migrate plan --prices ${result.out}`);
    }
    return result;
  }
}
