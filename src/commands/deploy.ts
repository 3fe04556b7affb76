import {Flags} from '@oclif/core';
import {BaseCommand, breakLockFlag, planDirFlag, requiredAppFlag} from '../cli/base-command.ts';
import {deployDeps} from '../cli/deploy-deps.ts';
import {renderDeployResult} from '../render/deploy.ts';
import {deploy} from '../workflows/deploy.ts';

export default class Deploy extends BaseCommand {
  static override summary = "Create or update the app's CloudFormation stacks (ECS on Fargate, ALB, autoscaling, alarms) through change sets";
  static override description = `Builds the plan's stacks (network with --create-network, shared, release, one per service) and deploys them in that order, each through a change set that is shown (added, modified, replaced) and confirmed before it runs. Replacing or removing a stateful resource (load balancer, target group, log group, cluster, VPC, subnet) also needs --allow-replace. When the plan has a release phase, it runs as a one-off ECS task on the new task definition after the release stack and must exit 0 before any service changes. A re-run with nothing changed changes nothing.

Before any change it checks the imported secret (it must hold exactly the keys the plan's task definitions reference), the stacks' states and that every parameter has a value. Values given once (certificate, VPC, subnets) are kept from the live stacks on later runs.

Exit codes: 0 done (or nothing to do); 1 error (a stack failed and rolled back, the release phase failed, or a check refused); 2 usage (missing values, no terminal and no --yes, a replacement without --allow-replace, cancelled); 5 another operator holds the app's lock.`;

  static override examples = [
    {
      description: 'First deploy into an existing VPC (CERT_ARN: the ACM certificate for the app\'s hostname, in the deploy region)',
      command:
        '<%= config.bin %> <%= command.id %> --app shop --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9 --certificate-arn "$CERT_ARN" --vpc vpc-0a1b2c3d4e5f60718 --public-subnets subnet-0a1b2c3d,subnet-4e5f6a7b --private-subnets subnet-8c9d0e1f,subnet-2a3b4c5d',
    },
    {description: 'First deploy with a new VPC', command: '<%= config.bin %> <%= command.id %> --app shop --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9 --certificate-arn "$CERT_ARN" --create-network'},
    {description: 'Show what a pull request would change, executing nothing', command: '<%= config.bin %> <%= command.id %> --app shop --image "$IMAGE" --review'},
    {description: 'Roll out a new image from CI (no prompts)', command: '<%= config.bin %> <%= command.id %> --app shop --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:9e8d7c6 --yes --json'},
  ];

  static override flags = {
    app: requiredAppFlag,
    'plan-dir': planDirFlag,
    image: Flags.string({description: 'container image URI with a tag or digest [default: the last deployed image]'}),
    'certificate-arn': Flags.string({description: 'ACM certificate for the HTTPS listener, in the deploy region [default: the live stack\'s]'}),
    vpc: Flags.string({description: 'existing VPC id [default: the live stack\'s]'}),
    'public-subnets': Flags.string({description: 'comma-separated public subnet ids for the load balancer (two AZs)'}),
    'private-subnets': Flags.string({description: 'comma-separated private subnet ids for the tasks (two AZs, NAT)'}),
    'create-network': Flags.boolean({description: 'create (or update) the optional network stack and use its VPC and subnets'}),
    'allow-replace': Flags.boolean({description: 'allow change sets that replace or remove stateful resources (still asks unless --yes)'}),
    'allow-drift': Flags.boolean({description: 'deploy even though the secret holds keys the plan does not know (they are not given to the containers)'}),
    'skip-heroku-check': Flags.boolean({description: 'do not compare the plan with the live Heroku app (process types, add-ons, config var names)'}),
    yes: Flags.boolean({char: 'y', description: 'execute every change set without asking (needed without a terminal)'}),
    review: Flags.boolean({description: 'show every change set, then delete it: nothing is executed, no release task runs, no state is written (CI on pull requests)', exclusive: ['yes']}),
    region: Flags.string({description: 'AWS region [default: AWS_REGION, else the plan]'}),
    'break-lock': breakLockFlag,
  };

  async run() {
    const {flags} = await this.parse(Deploy);
    const r = await deploy(
      {
        app: flags.app,
        image: flags.image,
        certificateArn: flags['certificate-arn'],
        vpc: flags.vpc,
        publicSubnets: flags['public-subnets'],
        privateSubnets: flags['private-subnets'],
        createNetwork: flags['create-network'],
        allowReplace: flags['allow-replace'],
        allowDrift: flags['allow-drift'],
        skipHerokuCheck: flags['skip-heroku-check'],
        yes: flags.yes,
        review: flags.review,
        region: flags.region,
        breakLock: flags['break-lock'],
      },
      deployDeps(flags.app, flags['plan-dir'], {json: this.jsonEnabled()}),
    );
    const {warnings, ...result} = r;
    this.addWarnings(warnings);
    this.printWarnings();
    if (!this.jsonEnabled()) this.log(renderDeployResult(r));
    return result;
  }
}
