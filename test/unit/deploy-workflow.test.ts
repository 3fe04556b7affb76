/**
 * The deploy workflow over in-memory CloudFormation and ECS (test/support/memory-deploy.ts) and
 * the real local state: order, change-set review, replacements, release phase, no-change re-runs,
 * refusals before any write, and what is recorded.
 */
import {jest} from '@jest/globals';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {MigrateError} from '../../src/domain/errors.ts';
import type {Plan} from '../../src/domain/plan.ts';
import {parseStackBlocks, STACK_BLOCK_NAMES} from '../../src/domain/stacks/index.ts';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {deploy, type ChangeSetReview, type DeployDeps, type DeployInput, type DeployUi} from '../../src/workflows/deploy.ts';
import {expectNoCanary} from '../support/canary.ts';
import {filesUnder, ROOT, tempDir} from '../support/cli.ts';
import {memoryStacks, memoryTasks, type MemoryStacksOptions, type MemoryTasksOptions} from '../support/memory-deploy.ts';
import {memorySecretStore} from '../support/memory-secrets.ts';

const planText = readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8');
const plan = JSON.parse(planText) as Plan;
const blocks = parseStackBlocks(Object.fromEntries(STACK_BLOCK_NAMES.map((n) => [n, JSON.parse(readFileSync(join(ROOT, `templates/cloudformation/${n}.json`), 'utf8'))])));
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:v1';
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const FIRST: DeployInput = {
  app: 'shop',
  image: IMAGE,
  certificateArn: CERT,
  vpc: 'vpc-0123456789abcdef0',
  publicSubnets: 'subnet-0aaaaaaa1,subnet-0aaaaaaa2',
  privateSubnets: 'subnet-0bbbbbbb1,subnet-0bbbbbbb2',
  yes: true,
};
const S = (part: string) => `heroku2aws-shop-${part}`;

interface SetupOptions {
  stacks?: MemoryStacksOptions;
  tasks?: MemoryTasksOptions;
  secretKeys?: string[];
  noSecret?: boolean;
  interactive?: boolean;
  answers?: boolean[];
}

async function setup(o: SetupOptions = {}) {
  const dir = tempDir();
  writeFileSync(join(dir, 'plan.json'), planText);
  let t = Date.UTC(2026, 10, 26, 12, 0, 0);
  const clock = {now: () => new Date((t += 1000))};
  const state = createLocalState(dir, 'shop', clock);
  const secrets = memorySecretStore();
  if (!o.noSecret) {
    const {arn} = await secrets.create('heroku2aws/shop', {tags: {}, description: 'test'});
    const keys = o.secretKeys ?? plan.secret.keys;
    const {versionId} = await secrets.putVersion(arn, JSON.stringify(Object.fromEntries(keys.map((k) => [k, `canary-value-of-${k}`]))), 'v1', 'AWSCURRENT');
    await state.writeState({
      schemaVersion: '1.0',
      app: 'shop',
      secret: {name: 'heroku2aws/shop', arn, versionId, keyCount: keys.length, contentDigest: 'sha256:test', updatedAt: '2026-11-26T00:00:00.000Z'},
    });
  }
  const calls: string[] = [];
  const cfn = memoryStacks({...o.stacks, calls});
  const tasks = memoryTasks({...o.tasks, calls});
  const shown: ChangeSetReview[] = [];
  const notes: string[] = [];
  const progress: string[] = [];
  const questions: string[] = [];
  const answers = [...(o.answers ?? [])];
  const ui: DeployUi = {
    interactive: o.interactive ?? false,
    showChangeSet: (r) => shown.push(r),
    confirm: async (q) => {
      questions.push(q);
      return answers.shift() ?? false;
    },
    track: (title, run) => run((line) => progress.push(`${title}: ${line}`)),
    note: (m) => notes.push(m),
  };
  const deps: DeployDeps = {
    state,
    stacks: async () => cfn,
    tasks: async () => tasks,
    secrets: async () => secrets,
    keys: async () => ({checkKey: async (k: string) => ({arn: k})}),
    stackBlocks: async () => blocks,
    clock,
    env: {},
    ui,
  };
  const journal = async () => (await state.readJournal()).map((e) => `${e.op}:${e.phase}${e.ok === undefined ? '' : `:${e.ok}`}`);
  return {dir, state, cfn, tasks, secrets, deps, shown, notes, progress, questions, calls, journal};
}

async function refusal(p: Promise<unknown>): Promise<MigrateError> {
  const err = await p.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MigrateError);
  return err as MigrateError;
}

const writes = (calls: string[]) => calls.filter((c) => /^(createChangeSet|executeChangeSet|deleteChangeSet|runTask|stopTask)/.test(c));

describe('deploy workflow: first deploy', () => {
  it('deploys shared, release, runs the release task, then the services; records state and journal', async () => {
    const w = await setup();
    const r = await deploy(FIRST, w.deps);
    expect(r.stacks.map((s) => [s.stackName, s.result])).toEqual([
      [S('shared'), 'created'],
      [S('release'), 'created'],
      [S('service-web'), 'created'],
      [S('service-clock'), 'created'],
      [S('service-worker'), 'created'],
    ]);
    // the release task runs after the release stack and before any service change set
    const order = w.calls.filter((c) => /^(executeChangeSet|runTask)/.test(c));
    expect(order).toEqual([
      `executeChangeSet ${S('shared')}`,
      `executeChangeSet ${S('release')}`,
      `runTask arn:aws:ecs:us-east-1:123456789012:task-definition/${S('release')}:1`,
      `executeChangeSet ${S('service-web')}`,
      `executeChangeSet ${S('service-clock')}`,
      `executeChangeSet ${S('service-worker')}`,
    ]);
    expect(w.tasks.runs[0]).toMatchObject({cluster: 'shop', subnets: ['subnet-0bbbbbbb1', 'subnet-0bbbbbbb2'], securityGroups: ['sg-0123456789abcdef0'], containerName: 'release'});
    expect(r.release).toMatchObject({ran: true, exitCode: 0});
    expect(r.changed).toBe(true);

    // parameters: flags, the secret ARN from the state, the image everywhere
    const shared = w.cfn.stacks.get(S('shared'))!;
    expect(shared.parameters).toMatchObject({CertificateArn: CERT, VpcId: FIRST.vpc, PublicSubnetIds: FIRST.publicSubnets, PrivateSubnetIds: FIRST.privateSubnets, KmsKeyArn: ''});
    expect(shared.parameters.SecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:heroku2aws\/shop-/);
    expect(w.cfn.stacks.get(S('service-web'))!.parameters).toMatchObject({ImageUri: IMAGE, DesiredCount: '2'});
    expect(w.cfn.stacks.get(S('service-worker'))!.parameters.DesiredCount).toBe('0'); // moves in the write-freeze window

    // every change set was shown before it ran
    expect(w.shown.map((s) => s.stackName)).toEqual(r.stacks.map((s) => s.stackName));
    expect(w.shown[0]!.summary.add.map((c) => c.logicalId)).toEqual(expect.arrayContaining(['LoadBalancer', 'TargetGroup', 'HttpsListener', 'Cluster']));
    expect(w.progress.some((l) => l.startsWith(`Creating ${S('shared')}: LoadBalancer CREATE_COMPLETE`))).toBe(true);
    expect(w.progress).toContain('Release phase: npm run migrate: task STOPPED');

    const state = await w.state.readState();
    expect(state.aws).toEqual({
      albArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/heroku2aws-shop/50dc6c495c0c9188',
      albDnsName: 'heroku2aws-shop-1234567890.us-east-1.elb.amazonaws.com',
      albFullName: 'app/heroku2aws-shop/50dc6c495c0c9188',
    });
    expect(state.deploy).toMatchObject({imageUri: IMAGE, releaseTaskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${S('release')}:1`});
    expect(Object.keys(state.deploy!.stacks)).toHaveLength(5);
    expect(state.deploy!.stacks[S('shared')]!.outputs.ClusterName).toBe('shop');
    expect(await w.journal()).toEqual([
      ...Array(2).fill(['stack-change-set:intent', 'stack-change-set:result:true']).flat(),
      'release-task:intent',
      'release-task:result:true',
      ...Array(3).fill(['stack-change-set:intent', 'stack-change-set:result:true']).flat(),
    ]);
    // secret values never leave the secret store
    expectNoCanary([['result', JSON.stringify(r)], ['progress', w.progress.join('\n')], ...filesUnder(w.dir)], plan.secret.keys.map((k) => `canary-value-of-${k}`));
  });

  it('without --certificate-arn it uses the issued certificate `certs request` recorded in the deploy region', async () => {
    const w = await setup();
    const recorded = CERT.replace('11111111', '99999999');
    const st = await w.state.readState();
    const certificate = {arn: recorded, region: 'us-east-1', domainNames: ['shop.example.com'], status: 'ISSUED', records: [], updatedAt: '2026-11-26T00:00:00.000Z'};
    await w.state.writeState({...st, certificate: {...certificate, region: 'eu-west-1'}});
    const elsewhere = await refusal(deploy({...FIRST, certificateArn: undefined}, w.deps));
    expect(elsewhere.message).toMatch(/Missing values for CertificateArn/);
    expect(elsewhere.hint).toMatch(/migrate certs request/);
    await w.state.writeState({...st, certificate});
    await deploy({...FIRST, certificateArn: undefined}, w.deps);
    expect(w.cfn.stacks.get(S('shared'))!.parameters.CertificateArn).toBe(recorded);
  });

  it('--create-network deploys the network stack first and feeds its outputs to the shared stack', async () => {
    const w = await setup();
    const r = await deploy({app: 'shop', image: IMAGE, certificateArn: CERT, createNetwork: true, yes: true}, w.deps);
    expect(r.stacks[0]).toMatchObject({stackName: S('network'), result: 'created'});
    expect(w.cfn.stacks.get(S('shared'))!.parameters).toMatchObject({VpcId: 'vpc-0aaaaaaaaaaaaaaa1', PrivateSubnetIds: 'subnet-0bbbbbbb1,subnet-0bbbbbbb2'});
  });

  it('an add-on remap the secret holds beyond the plan is referenced too (extraSecretKeys); others are refused', async () => {
    const w = await setup({secretKeys: [...plan.secret.keys, 'MEMCACHE_URL']});
    const refused = await refusal(deploy(FIRST, w.deps));
    expect(refused.message).toMatch(/holds 1 key\(s\) the plan does not know: MEMCACHE_URL/);
    expect(refused.hint).toMatch(/--allow-drift/);
    expect(writes(w.calls)).toEqual([]);
    await w.state.writeState({...(await w.state.readState()), addons: {memcache: {remaps: {MEMCACHE_URL: {value: 'memcache://x', active: true}}}}});
    await deploy(FIRST, w.deps);
    const body = JSON.stringify(w.cfn.stacks.get(S('service-web'))!.template);
    expect(body).toContain('"Name":"MEMCACHE_URL"');
  });
});

describe('deploy workflow: re-runs', () => {
  it('nothing changed: every change set is deleted as "no changes", the release is not re-run, nothing is written', async () => {
    const w = await setup();
    await deploy(FIRST, w.deps);
    const stateBefore = readFileSync(join(w.dir, 'state.json'), 'utf8');
    const journalBefore = await w.journal();
    w.calls.length = 0;
    const r = await deploy({app: 'shop', yes: true}, w.deps); // image, certificate, VPC and subnets come from the state and live stacks
    expect(r.changed).toBe(false);
    expect(r.stacks.every((s) => s.result === 'no changes')).toBe(true);
    expect(r.release).toMatchObject({ran: false});
    expect(w.notes.filter((n) => n.endsWith(': no changes'))).toHaveLength(5);
    expect(writes(w.calls).filter((c) => !c.startsWith('createChangeSet') && !c.startsWith('deleteChangeSet'))).toEqual([]);
    expect(w.cfn.changeSets.size).toBe(0);
    expect(readFileSync(join(w.dir, 'state.json'), 'utf8')).toBe(stateBefore);
    expect(await w.journal()).toEqual(journalBefore);
  });

  it('--review shows every change set and deletes it: nothing executed, no release, no state or journal write, no secret value read', async () => {
    const w = await setup();
    const first = await deploy({...FIRST, review: true, yes: false}, w.deps);
    // nothing exists yet: a CREATE change set would leave empty stacks behind, so none is made
    expect(first.stacks.map((s) => s.result)).toEqual(Array(5).fill('not previewed'));
    expect(writes(w.calls)).toEqual([]);
    await deploy(FIRST, w.deps);
    const stateBefore = readFileSync(join(w.dir, 'state.json'), 'utf8');
    const journalBefore = await w.journal();
    w.calls.length = 0;
    w.shown.length = 0;
    const getValue = jest.spyOn(w.secrets, 'getValue');
    const r = await deploy({app: 'shop', image: IMAGE.replace(':v1', ':v2'), review: true}, w.deps);
    expect(r.review).toBe(true);
    expect(r.changed).toBe(false);
    // the shared stack does not use the image: no changes; the others are shown, then deleted
    expect(r.stacks.map((s) => s.result)).toEqual(['no changes', 'reviewed', 'reviewed', 'reviewed', 'reviewed']);
    expect(w.shown.map((c) => c.stackName)).toEqual([S('release'), S('service-web'), S('service-clock'), S('service-worker')]);
    expect(r.release).toBeNull();
    expect(writes(w.calls).filter((c) => !c.startsWith('createChangeSet') && !c.startsWith('deleteChangeSet'))).toEqual([]);
    expect(w.cfn.changeSets.size).toBe(0);
    expect(getValue).not.toHaveBeenCalled();
    expect(r.checks.join('\n')).toMatch(/key names not compared \(review mode/);
    expect(readFileSync(join(w.dir, 'state.json'), 'utf8')).toBe(stateBefore);
    expect(await w.journal()).toEqual(journalBefore);
  });

  it('a new image updates the task definitions, re-runs the release and keeps the live DesiredCount', async () => {
    const w = await setup();
    await deploy(FIRST, w.deps);
    w.cfn.stacks.get(S('service-worker'))!.parameters.DesiredCount = '1'; // the write-freeze window moved the worker
    const r = await deploy({app: 'shop', image: IMAGE.replace(':v1', ':v2'), yes: true}, w.deps);
    expect(r.stacks.map((s) => s.result)).toEqual(['no changes', 'updated', 'updated', 'updated', 'updated']);
    expect(r.release).toMatchObject({ran: true});
    expect(w.tasks.runs.at(-1)!.taskDefinition).toMatch(/:2$/);
    expect(w.cfn.stacks.get(S('service-worker'))!.parameters).toMatchObject({DesiredCount: '1', ImageUri: IMAGE.replace(':v1', ':v2')});
    expect(w.shown.at(-1)!.summary.modify.map((c) => c.logicalId)).toContain('TaskDefinition');
    expect((await w.state.readState()).deploy?.imageUri).toBe(IMAGE.replace(':v1', ':v2'));
  });
});

describe('deploy workflow: release phase', () => {
  it('a non-zero exit code stops the deploy before any service stack change', async () => {
    const w = await setup({tasks: {exitCode: 3, stoppedReason: 'Essential container in task exited'}});
    const err = await refusal(deploy(FIRST, w.deps));
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/release phase failed: 'npm run migrate' exited with code 3 \(Essential container in task exited\)\. The services were not changed/);
    expect(err.hint).toMatch(/aws logs tail \/heroku2aws\/shop --log-stream-name-prefix release/);
    expect(w.calls.filter((c) => c.includes('service-'))).toEqual(expect.arrayContaining([`describeStack ${S('service-web')}`]));
    expect(w.calls.filter((c) => /ChangeSet .*service-/.test(c))).toEqual([]);
    expect(await w.journal()).toEqual([...Array(2).fill(['stack-change-set:intent', 'stack-change-set:result:true']).flat(), 'release-task:intent', 'release-task:result:false']);
    const state = await w.state.readState();
    expect(state.deploy).toBeUndefined(); // only a complete deploy is recorded
    expect(state.aws).toBeDefined(); // the ALB exists: edge setup may use it
  });

  it('a container that never ran reports why; a timeout stops the task', async () => {
    const never = await setup({tasks: {exitCode: null, stoppedReason: 'ResourceInitializationError: unable to pull secrets', containerReason: 'CannotStartContainerError'}});
    expect((await refusal(deploy(FIRST, never.deps))).message).toMatch(/never returned an exit code \(ResourceInitializationError: unable to pull secrets; CannotStartContainerError\)/);
    const slow = await setup({tasks: {timedOut: true}});
    const err = await refusal(deploy(FIRST, slow.deps));
    expect(err.message).toMatch(/did not finish within 3600 s; its task was stopped\. The services were not changed/);
    expect(slow.tasks.stopped).toHaveLength(1);
    expect(slow.calls.filter((c) => /ChangeSet .*service-/.test(c))).toEqual([]);
  });

  it('after a failed release, a re-run with the same image runs the release again (it never succeeded)', async () => {
    const w = await setup({tasks: {exitCode: 1}});
    await refusal(deploy(FIRST, w.deps));
    const ok = await setup();
    Object.assign(w.tasks, {waitForTask: ok.tasks.waitForTask});
    const r = await deploy(FIRST, w.deps);
    expect(r.stacks.map((s) => s.result)).toEqual(['no changes', 'no changes', 'created', 'created', 'created']);
    expect(r.release).toMatchObject({ran: true});
  });
});

describe('deploy workflow: review and confirmation', () => {
  it('a replacement of the ALB is refused without --allow-replace; the change set is deleted, nothing executed', async () => {
    const w = await setup({stacks: {replacement: (id) => (id === 'LoadBalancer' ? 'True' : undefined)}});
    await deploy(FIRST, w.deps);
    w.calls.length = 0;
    const input = {...FIRST, publicSubnets: 'subnet-0ccccccc1,subnet-0ccccccc2'};
    const err = await refusal(deploy(input, w.deps));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/would replace or remove stateful resources: LoadBalancer \(AWS::ElasticLoadBalancingV2::LoadBalancer, replacement True\): a new load balancer gets a new DNS name/);
    expect(err.hint).toMatch(/--allow-replace/);
    expect(w.calls.filter((c) => c.startsWith('executeChangeSet'))).toEqual([]);
    expect(w.calls).toContain(`deleteChangeSet ${S('shared')}`);
    expect(w.shown.at(-1)!.summary.guarded.map((g) => g.change.logicalId)).toEqual(['LoadBalancer']);
    const r = await deploy({...input, allowReplace: true}, w.deps);
    expect(r.stacks[0]!.result).toBe('updated');
  });

  it('a Conditional replacement of the target group needs --allow-replace too; replacing a listener does not', async () => {
    const w = await setup({stacks: {replacement: (id) => (id === 'TargetGroup' ? 'Conditional' : id === 'HttpsListener' ? 'True' : undefined)}});
    await deploy(FIRST, w.deps);
    const other = CERT.replace('1111', '9999');
    const listener = await deploy({...FIRST, certificateArn: other}, w.deps);
    expect(listener.stacks[0]!.result).toBe('updated');
    expect(w.shown.at(-1)!.summary.replace.map((c) => c.logicalId)).toEqual(['HttpsListener']);
    const err = await refusal(deploy({...FIRST, certificateArn: other, vpc: 'vpc-0fedcba9876543210'}, w.deps));
    expect(err.message).toMatch(/TargetGroup \(AWS::ElasticLoadBalancingV2::TargetGroup, replacement Conditional\)/);
  });

  it('without a terminal and without --yes it fails at once with exit 2: no lock, no AWS call', async () => {
    const w = await setup();
    const err = await refusal(deploy({...FIRST, yes: false}, w.deps));
    expect(err.exitCode).toBe(2);
    expect(err.hint).toMatch(/--yes/);
    expect(w.calls).toEqual([]);
  });

  it('in a terminal it asks before each change set; "no" deletes that change set and stops', async () => {
    const w = await setup({interactive: true, answers: [true, false]});
    const err = await refusal(deploy({...FIRST, yes: false}, w.deps));
    expect(err.message).toMatch(/Cancelled at heroku2aws-shop-release/);
    expect(err.hint).toMatch(/Already deployed in this run: heroku2aws-shop-shared \(created\)/);
    expect(w.questions).toHaveLength(2);
    expect(w.questions[0]).toMatch(/Execute the change set for heroku2aws-shop-shared \(13 to add, 0 to modify \(0 replaced\), 0 to remove\)\?/);
    expect(w.calls.filter((c) => c.startsWith('executeChangeSet'))).toEqual([`executeChangeSet ${S('shared')}`]);
    expect(w.cfn.changeSets.size).toBe(0);
  });
});

describe('deploy workflow: refusals before any change', () => {
  it.each([
    ['no image', {image: undefined}, 2, /No container image given/, /--image/],
    ['an image without a tag', {image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop'}, 2, /has no tag or digest/, /immutable tag/],
    ['no certificate', {certificateArn: undefined}, 2, /Missing values for CertificateArn \(heroku2aws-shop-shared\)/, /--certificate-arn/],
    ['no subnets', {publicSubnets: undefined, privateSubnets: undefined}, 2, /PrivateSubnetIds \(heroku2aws-shop-shared\), PublicSubnetIds/, /Pass --private-subnets \(or --create-network\), --public-subnets \(or --create-network\)\. Nothing was changed/],
    ['one public subnet', {publicSubnets: 'subnet-0aaaaaaa1'}, 2, /--public-subnets needs at least two subnets/, /two zones/],
    ['a certificate from another region', {certificateArn: CERT.replace('us-east-1', 'eu-west-1')}, 2, /certificate is in eu-west-1, the load balancer in us-east-1/, /own region/],
    ['--create-network with --vpc', {createNetwork: true}, 2, /cannot be combined/, /either/],
  ])('%s', async (_n, change, code, message, hint) => {
    const w = await setup();
    const err = await refusal(deploy({...FIRST, ...change} as DeployInput, w.deps));
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
    expect(err.exitCode).toBe(code);
    expect(writes(w.calls)).toEqual([]);
  });

  it('no secret imported', async () => {
    const w = await setup({noSecret: true});
    const err = await refusal(deploy(FIRST, w.deps));
    expect(err.message).toMatch(/No secret is recorded for shop/);
    expect(err.hint).toMatch(/migrate secrets import --app shop/);
    expect(writes(w.calls)).toEqual([]);
  });

  it('a plan newer than the secret (keys the secret lacks) is refused; so is a secret scheduled for deletion', async () => {
    const w = await setup({secretKeys: plan.secret.keys.filter((k) => k !== 'STRIPE_API_KEY')});
    const err = await refusal(deploy(FIRST, w.deps));
    expect(err.message).toMatch(/reference 1 config var\(s\) that secret heroku2aws\/shop does not hold: STRIPE_API_KEY\. ECS would not start the tasks/);
    expect(err.hint).toMatch(/migrate secrets import --app shop/);
    const gone = await setup();
    gone.secrets.secrets.get('heroku2aws/shop')!.deletedDate = new Date('2026-12-01T00:00:00Z');
    expect((await refusal(deploy(FIRST, gone.deps))).message).toMatch(/scheduled for deletion/);
    expect(writes([...w.calls, ...gone.calls])).toEqual([]);
  });

  it.each([
    ['ROLLBACK_COMPLETE', /its first creation failed[\s\S]*/, /delete-stack --region us-east-1 --stack-name heroku2aws-shop-release/],
    ['UPDATE_IN_PROGRESS', /another operation on it is still running/, /Wait until it settles/],
    ['UPDATE_ROLLBACK_FAILED', /a rollback could not finish/, /continue-update-rollback/],
    ['DELETE_FAILED', /cannot be deployed to/, /COMPLETE state/],
  ])('a stack in %s is refused before any change set', async (status, message, hint) => {
    const w = await setup();
    w.cfn.seed(S('release'), status);
    const err = await refusal(deploy(FIRST, w.deps));
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(hint);
    expect(writes(w.calls)).toEqual([]);
  });

  it('a stack left in REVIEW_IN_PROGRESS (a change set never executed) is created normally', async () => {
    const w = await setup();
    w.cfn.seed(S('shared'), 'REVIEW_IN_PROGRESS');
    w.cfn.stacks.get(S('shared'))!.template = null as never;
    const r = await deploy(FIRST, w.deps);
    expect(r.stacks[0]).toMatchObject({result: 'created'});
  });
});

describe('deploy workflow: a failing stack', () => {
  it("prints the failing resources' reasons, exits 1 and changes nothing after it", async () => {
    const reason = 'Resource handler returned message: "subnet-0bbbbbbb1 does not exist" (Service: Ec2, Status Code: 400)';
    const w = await setup({stacks: {failResource: {stackName: S('service-web'), logicalId: 'Service', reason}}});
    const err = await refusal(deploy(FIRST, w.deps));
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(`Stack ${S('service-web')} failed: ROLLBACK_COMPLETE. Failing resources:\n  Service (AWS::ECS::Service) CREATE_FAILED: ${reason}`);
    expect(err.message).not.toMatch(/cancelled/); // the real cause, not the noise
    expect(err.hint).toMatch(/delete the empty stack[\s\S]*Stacks after it were not changed[\s\S]*Already deployed in this run: heroku2aws-shop-shared \(created\), heroku2aws-shop-release \(created\)/);
    expect(w.calls.filter((c) => /ChangeSet .*service-(clock|worker)/.test(c))).toEqual([]);
    expect((await w.journal()).slice(-2)).toEqual(['stack-change-set:intent', 'stack-change-set:result:false']);
    const journal = await w.state.readJournal();
    expect(journal.at(-1)!.details).toMatchObject({stack: S('service-web'), status: 'ROLLBACK_COMPLETE', failed: [`Service: ${reason}`]});
    // the next run refuses the rolled-back stack with what to do
    const again = await refusal(deploy(FIRST, w.deps));
    expect(again.message).toMatch(/heroku2aws-shop-service-web is ROLLBACK_COMPLETE/);
  });
});
