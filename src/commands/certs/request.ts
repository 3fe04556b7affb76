import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, ExitCode, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {certsDeps} from '../../cli/clicks-deps.ts';
import {confirmer} from '../../cli/confirm.ts';
import {certsCleanup, certsRequest, DEFAULT_POLL_SECONDS, DEFAULT_WAIT_MINUTES} from '../../workflows/certs-request.ts';

export default class CertsRequest extends BaseCommand {
  static override summary = "Request (or reuse) the ACM certificate for the plan's hostnames, validated through the Cloudflare zone";
  static override description = `Finds an issued ACM certificate covering every hostname of the plan and reuses it; otherwise requests one with DNS validation (or resumes its own pending request), writes the validation CNAMEs into the Cloudflare zone as DNS-only records, and waits until ACM has issued it. The ARN goes into the state: \`migrate deploy\` uses it when --certificate-arn is not given.

--cleanup removes the validation records this tool created (only those, and only if unchanged). ACM renews a DNS-validated certificate only while its records resolve, so keep them while the certificate is in use.

Needs CLOUDFLARE_API_TOKEN with Zone > DNS > Edit on the zone, and acm:ListCertificates, DescribeCertificate, ListTagsForCertificate, RequestCertificate, AddTagsToCertificate.

Exit codes: 0 issued or reused; 1 error (ACM failed the validation, Cloudflare refused); 2 usage; 4 still validating when the wait ended or was interrupted (re-run to keep waiting); 5 locked.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop --zone 023e105f4ecef8ad9ca31a8372d0c353',
    {description: 'See what would be requested and written', command: '<%= config.bin %> <%= command.id %> --app shop --dry-run'},
    {description: 'Request and return at once; a later run waits', command: '<%= config.bin %> <%= command.id %> --app shop --wait-minutes 0 --json'},
    {description: 'Remove the validation records it created', command: '<%= config.bin %> <%= command.id %> --app shop --cleanup --yes'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    zone: Flags.string({description: 'Cloudflare zone id of the hostnames [default: CLOUDFLARE_ZONE_ID, else the state]'}),
    region: Flags.string({description: 'AWS region of the certificate (the load balancer\'s) [default: AWS_REGION, else the plan]'}),
    'wait-minutes': Flags.integer({description: 'how long to wait for ACM to issue (0 = do not wait)', default: DEFAULT_WAIT_MINUTES}),
    poll: Flags.integer({description: 'seconds between checks while waiting', default: DEFAULT_POLL_SECONDS}),
    'dry-run': Flags.boolean({description: 'show what would be requested and written; write nothing'}),
    cleanup: Flags.boolean({description: 'remove the validation records this tool created', exclusive: ['dry-run', 'zone', 'wait-minutes']}),
    yes: Flags.boolean({char: 'y', description: 'confirm --cleanup without a prompt'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(CertsRequest);
    const deps = {...certsDeps(flags.app, flags['plan-dir']), onProgress: (m: string) => this.note(m)};
    if (flags.cleanup) {
      const c = await certsCleanup({app: flags.app, breakLock: flags['break-lock']}, {...deps, confirm: confirmer(flags.yes)});
      this.addWarnings(c.warnings);
      this.printWarnings();
      if (!this.jsonEnabled()) {
        this.log(`Removed: ${c.removed.join(', ') || 'nothing'}.`);
        for (const k of c.kept) this.log(`Kept ${k.name}: ${k.why}.`);
      }
      return c;
    }
    const r = await certsRequest(
      {app: flags.app, zoneId: flags.zone, region: flags.region, waitMinutes: flags['wait-minutes'], pollSeconds: flags.poll, dryRun: flags['dry-run'], breakLock: flags['break-lock']},
      deps,
    );
    this.addWarnings(r.warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      const verb = {issued: 'Issued', reused: 'Reusing issued', pending: 'Still validating:', 'dry-run': r.arn ? 'Would use' : 'Would request a'}[r.outcome];
      this.log(`${verb} certificate ${r.arn ?? ''} for ${r.domainNames.join(', ')} (${r.region}, ${r.status}).`.replace('  ', ' '));
      for (const rec of r.records) this.log(`  ${rec.action.padEnd(12)} ${rec.type} ${rec.name}`);
      if (r.outcome === 'pending') this.log(`The wait ${r.reason === 'interrupted' ? 'was interrupted' : 'ended'}; re-run \`migrate certs request --app ${flags.app}\` to keep waiting.`);
      if (r.outcome === 'issued' || r.outcome === 'reused') this.log('`migrate deploy` uses it when --certificate-arn is not given.');
    }
    return this.finish(r.outcome === 'pending' ? ExitCode.paused : 0, r);
  }
}
