/**
 * The whole user path on the fakes and moto: plan, secrets import, deploy, edge setup, shift to
 * 100% in steps, finalize, undo, finalize again. Deploy runs as far as moto goes: its
 * CloudFormation gives change-set stacks no exports, so the release stack stops the run (exit 1)
 * after the shared stack (ALB, cluster) exists; the ALB it recorded is what edge setup uses.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {tempDir} from '../support/cli.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms} from '../support/gates.ts';
import {motoEndpoint, motoEnv, resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
const aws = <T>(args: string[]): T => JSON.parse(execFileSync('aws', ['--endpoint-url', motoEndpoint(), '--output', 'json', ...args], {env: {...process.env, ...motoEnv()}}).toString()) as T;
const state = () => JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));
const KEEP = ['--keep-addon', 'postgresql-curly-12345', '--keep-addon', 'redis-rigid-54321'];

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
}, 120_000);
afterAll(() => w.close());

it('plan -> secrets import -> deploy -> edge setup -> shift 100% -> finalize -> undo -> finalize', async () => {
  expect((await w.cli(['secrets', 'import', '--app', 'shop'])).code).toBe(0);

  const dir = tempDir('h2a-cert-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=shop.example.com'], {stdio: 'ignore'});
  const cert = aws<{CertificateArn: string}>(['acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'c.pem')}`, '--private-key', `fileb://${join(dir, 'k.pem')}`]).CertificateArn;
  const vpc = aws<{Vpc: {VpcId: string}}>(['ec2', 'create-vpc', '--cidr-block', '10.30.0.0/16']).Vpc.VpcId;
  const subnet = (cidr: string, az: string) => aws<{Subnet: {SubnetId: string}}>(['ec2', 'create-subnet', '--vpc-id', vpc, '--cidr-block', cidr, '--availability-zone', az]).Subnet.SubnetId;
  const pub = [subnet('10.30.1.0/24', 'us-east-1a'), subnet('10.30.2.0/24', 'us-east-1b')];
  const priv = [subnet('10.30.11.0/24', 'us-east-1a'), subnet('10.30.12.0/24', 'us-east-1b')];
  const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:9f3c2a1';
  const deploy = await w.cli(['deploy', '--app', 'shop', '--image', image, '--certificate-arn', cert, '--vpc', vpc, '--public-subnets', pub.join(','), '--private-subnets', priv.join(','), '--yes']);
  // moto's limit, not ours: the shared stack is created, the release stack finds no export
  expect(deploy.stderr).toMatch(/heroku2aws-shop-release/);
  // moto also gives change-set stacks no outputs, so the deploy could not record its ALB: find the
  // load balancer the shared stack created (in the deploy's VPC) with the aws CLI
  const lbs = aws<{LoadBalancers: {LoadBalancerArn: string; VpcId: string}[]}>(['elbv2', 'describe-load-balancers']).LoadBalancers;
  const alb = lbs.find((lb) => lb.VpcId === vpc)!.LoadBalancerArn;
  expect(alb).toMatch(/loadbalancer\/app\//);

  expect((await w.cli(['edge', 'setup', '--yes', '--app', 'shop', ...(state().aws ? [] : ['--alb', alb])])).code).toBe(0);
  await createGateAlarms();
  const shift = await w.cli(['shift', '--app', 'shop', '--to', '100%', '--steps', '1,25,100', '--bake', '300ms', '--poll', '100ms', '--min-requests', '0', '--yes', '--no-guard', '--json']);
  expect(shift.code).toBe(0);
  expect(JSON.parse(shift.stdout).result.status.history.map((h: {share: number}) => h.share)).toEqual([1, 25, 100]);

  const formation = () => w.heroku.state.apps.find((a) => a.app.name === 'shop')!.formation.map((f) => `${f.type}=${f.quantity}`).sort();
  const before = formation();
  const finalize = await w.cli(['finalize', '--app', 'shop', '--confirm', 'shop', '--min-hold', '0s', ...KEEP]);
  expect(finalize.code).toBe(0);
  expect(formation().every((f) => f.endsWith('=0'))).toBe(true);
  expect(w.heroku.state.apps.find((a) => a.app.name === 'shop')!.app.maintenance).toBe(true);

  const undo = await w.cli(['finalize', '--app', 'shop', '--undo', '--confirm', 'shop']);
  expect(undo.code).toBe(0);
  expect(formation()).toEqual(before);
  expect(w.heroku.state.apps.find((a) => a.app.name === 'shop')!.app.maintenance).toBe(false);

  const again = await w.cli(['finalize', '--app', 'shop', '--confirm', 'shop', '--min-hold', '0s', ...KEEP]);
  expect(again.code).toBe(0);
  expect(formation().every((f) => f.endsWith('=0'))).toBe(true);
  expect(JSON.parse(readFileSync(join(w.planDir, 'retirement.json'), 'utf8')).status).toBe('retired');
}, 300_000);
