/**
 * The whole outside world of a cutover test: fake Heroku (app `shop`), fake Cloudflare (one zone),
 * moto with a real ALB record (created by the aws CLI), and a plan directory.
 */
import {execFileSync} from 'node:child_process';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';
import {startFakeCloudflare, type FakeCloudflare} from '../fakes/cloudflare-server.ts';
import {runCli, tempDir, type CliResult} from './cli.ts';
import {createGateAlarms} from './gates.ts';
import {motoEndpoint, motoEnv} from './moto.ts';

export const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
export const ACCOUNT = '01a7362d577a6c3019a474fd6f485823';

export interface CutoverEnv {
  heroku: FakeHeroku;
  cloudflare: FakeCloudflare;
  planDir: string;
  albArn: string;
  env: Record<string, string>;
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
}

const aws = (args: string[]) =>
  JSON.parse(execFileSync('aws', ['--endpoint-url', motoEndpoint(), '--output', 'json', ...args], {env: {...process.env, ...motoEnv()}}).toString()) as Record<string, unknown>;

/** VPC, two subnets and an internet-facing ALB in moto; returns the ALB ARN. */
export function createAlb(name: string): string {
  const vpc = (aws(['ec2', 'create-vpc', '--cidr-block', '10.0.0.0/16']).Vpc as {VpcId: string}).VpcId;
  const subnets = ['10.0.1.0/24', '10.0.2.0/24'].map(
    (cidr, i) => (aws(['ec2', 'create-subnet', '--vpc-id', vpc, '--cidr-block', cidr, '--availability-zone', `us-east-1${'ab'[i]}`]).Subnet as {SubnetId: string}).SubnetId,
  );
  const lb = aws(['elbv2', 'create-load-balancer', '--name', name, '--subnets', ...subnets]).LoadBalancers as {LoadBalancerArn: string}[];
  return lb[0]!.LoadBalancerArn;
}

/** what the CLI needs to reach moto and the fake Heroku and Cloudflare servers (credentials the fakes accept) */
export const outsideWorldEnv = (heroku: FakeHeroku, cloudflare: FakeCloudflare): Record<string, string> => ({
  ...motoEnv(),
  AWS_EC2_METADATA_DISABLED: 'true',
  HEROKU_API_URL: heroku.url,
  HEROKU_API_KEY: 'good',
  CLOUDFLARE_BASE_URL: cloudflare.url,
  CLOUDFLARE_API_TOKEN: 'good',
  CLOUDFLARE_ZONE_ID: ZONE,
  CLOUDFLARE_ACCOUNT_ID: ACCOUNT,
});

export async function startCutoverEnv(): Promise<CutoverEnv> {
  const heroku = await startFakeHeroku();
  seedApp(heroku.state, sampleApp());
  const cloudflare = await startFakeCloudflare({zones: [{zoneId: ZONE, zoneName: 'shop.example.com', accountId: ACCOUNT}]});
  const env = {...outsideWorldEnv(heroku, cloudflare), HOME: tempDir()};
  const planDir = tempDir();
  const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, {env: {...env, ...extraEnv}});
  const plan = await cli(['plan', '--app', 'shop', '--out', planDir]);
  if (plan.code !== 0) throw new Error(`plan failed: ${plan.stderr}`);
  const albArn = createAlb(`shop-${Math.random().toString(36).slice(2, 8)}`);
  return {
    heroku,
    cloudflare,
    planDir,
    albArn,
    env,
    cli: (args, extraEnv) => cli([...args, '--plan-dir', planDir], extraEnv),
    close: async () => {
      await heroku.close();
      await cloudflare.close();
    },
  };
}

/** startCutoverEnv, then `edge setup` on its ALB and the plan's gate alarms in moto: ready to shift. */
export async function startReadyCutoverEnv(): Promise<CutoverEnv> {
  const w = await startCutoverEnv();
  const setup = await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes']);
  if (setup.code !== 0) throw new Error(`edge setup failed: ${setup.stderr}`);
  await createGateAlarms();
  return w;
}
