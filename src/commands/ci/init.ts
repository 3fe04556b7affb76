import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../../cli/base-command.ts';
import {ciDeps} from '../../cli/clicks-deps.ts';
import {ciInit} from '../../workflows/ci-init.ts';

export default class CiInit extends BaseCommand {
  static override summary = "Set up the app's build pipeline: image -> ECR -> migrate deploy, with AWS access through OIDC";
  static override description = `Deploys the stack h2a-ci-<app> through a change set you review: an ECR repository heroku2aws/<app> (scan on push, immutable tags, lifecycle policy), the IAM OIDC provider of GitHub Actions (token.actions.githubusercontent.com) or GitLab (gitlab.com or --gitlab-url), reused when the account has it, and two roles: a deploy role only the given branch of the repository can assume (what \`migrate deploy\` needs, plus pushing to the repository) and a review role for pull/merge requests (change sets shown, never executed, no secret value). No long-lived keys.

Then writes the pipeline into the repository: .github/workflows/heroku2aws-deploy.yml or .gitlab-ci.yml. It builds the image the plan's build section says (Cloud Native Buildpacks with the Heroku builder, or the Dockerfile) for linux/amd64, tags it with the commit SHA, pushes it and runs \`migrate deploy --image ...\`; on pull/merge requests \`migrate deploy --review\`. The pipeline reads the plan from --plan-path in the repository (commit plans/<app>, or use team state).

Exit codes: 0 done; 1 error; 2 usage; 5 locked.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop --provider github --repo ../shop',
    {description: 'GitLab, self-managed, deploying from the production branch', command: '<%= config.bin %> <%= command.id %> --app shop --provider gitlab --gitlab-url https://gitlab.example.com --project acme/shop --branch production --yes'},
    {description: 'Show the stack and the pipeline file, change nothing', command: '<%= config.bin %> <%= command.id %> --app shop --provider github --project acme/shop --dry-run'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    provider: Flags.string({description: 'where the pipeline runs', options: ['github', 'gitlab'], required: true}),
    repo: Flags.string({description: "the app's repository checkout", default: '.'}),
    project: Flags.string({description: 'GitHub OWNER/REPO or GitLab GROUP/PROJECT [default: from the origin remote of --repo]'}),
    branch: Flags.string({description: 'the branch that deploys (the deploy role trusts only it)', default: 'main'}),
    'gitlab-url': Flags.string({description: 'the GitLab instance [default: https://gitlab.com]'}),
    output: Flags.string({description: "the pipeline file inside the repository [default: the provider's standard file]"}),
    'plan-path': Flags.string({description: 'the plan directory inside the repository, as the pipeline sees it [default: plans/<app>]'}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    yes: Flags.boolean({char: 'y', description: 'execute the change set without asking (needed without a terminal)'}),
    'dry-run': Flags.boolean({description: 'show the pipeline file and what the stack would hold; change nothing'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(CiInit);
    const r = await ciInit(
      {
        app: flags.app,
        provider: flags.provider,
        project: flags.project,
        repo: flags.repo,
        branch: flags.branch,
        gitlabUrl: flags['gitlab-url'],
        output: flags.output,
        planPath: flags['plan-path'],
        region: flags.region,
        toolVersion: this.config.version,
        yes: flags.yes,
        dryRun: flags['dry-run'],
        breakLock: flags['break-lock'],
      },
      ciDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()}),
    );
    const {warnings, content, ...result} = r;
    this.addWarnings(warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) {
      if (!r.written) this.log(`${r.pipelineFile} would hold:\n\n${content}`);
      this.log(`Stack ${r.stack.name}: ${r.stack.result} (OIDC provider: ${r.stack.oidcProvider}). ECR: ${r.repositoryUri}`);
      this.log(`Roles: deploy ${r.deployRoleArn} (${r.project} on ${r.branch}); review ${r.reviewRoleArn}`);
      this.log(r.written ? `Wrote ${r.pipelineFile}: commit and push it.` : 'Dry run: nothing was changed.');
    }
    return r.written ? result : {...result, content};
  }
}
