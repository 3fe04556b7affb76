/**
 * The guard through the built CLI with the team state in moto's S3: state init, edge setup,
 * `guard install` (the bundle from dist/, a change set on moto), a shift without --no-guard, then
 * the handler run in-process with the very configuration the deployed function got (moto runs no
 * function without Docker): its trip lands in S3, `status` and `guard status` show it, `guard
 * remove` disarms.
 */
import {GetFunctionCommand, LambdaClient} from '@aws-sdk/client-lambda';
import {GUARD_CONFIG_ENV} from '../../src/domain/guard.ts';
import {createHandler} from '../../src/guard/handler.ts';
import type {CutoverEnv} from '../support/cutover-env.ts';
import {startTeamStateEnv} from '../support/team-state-env.ts';
import {alarmEvent} from '../support/guard-events.ts';
import {motoClientConfig, motoEndpoint} from '../support/moto.ts';

const BUCKET = 'guard-cli-state';
let w: CutoverEnv;
const saved = {...process.env};
const json = (r: {stdout: string}) => JSON.parse(r.stdout) as {status: string; result: Record<string, unknown>; warnings: string[]; error?: {message: string}};

beforeAll(async () => {
  w = await startTeamStateEnv(BUCKET);
  Object.assign(process.env, {AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1'});
}, 120_000);
afterAll(async () => {
  process.env = saved;
  await w.close();
});

it('install, shift guarded, a trip by the deployed configuration, status, remove', async () => {
  const install = await w.cli(['guard', 'install', '--app', 'shop', '--yes', '--notify', 'ops@example.com', '--json']);
  expect({code: install.code, stderr: install.code ? install.stderr : ''}).toEqual({code: 0, stderr: ''});
  expect(json(install).result).toMatchObject({functionName: 'shop-guard', stack: {stackName: 'shop-guard', result: 'created'}});
  expect(json(await w.cli(['guard', 'status', '--app', 'shop', '--json'])).result).toMatchObject({armed: true});

  const shift = await w.cli(['shift', '--app', 'shop', '--to', '5', '--steps', '5', '--bake', '1s', '--poll', '250ms', '--min-requests', '0', '--yes', '--json']);
  expect(shift.code).toBe(0);
  expect(json(shift).warnings.join('\n')).not.toMatch(/guard/);

  // the configuration CloudFormation gave the function, run in-process
  const fn = await new LambdaClient(motoClientConfig()).send(new GetFunctionCommand({FunctionName: 'shop-guard'}));
  const guardEnv = fn.Configuration!.Environment!.Variables!;
  const config = JSON.parse(guardEnv[GUARD_CONFIG_ENV]!);
  const handle = createHandler({env: {...process.env, ...guardEnv, CLOUDFLARE_BASE_URL: w.cloudflare.url}, sleep: async () => undefined, log: () => undefined});
  const out = await handle(alarmEvent(config.alarms[0].arn, config.alarms[0].name, 'ALARM'));
  expect(out).toMatchObject({action: 'rolled-back', from: 5, live: 0, recordErrors: []});

  const status = await w.cli(['status', '--app', 'shop']);
  expect(status.stdout).toMatch(/Guard: armed \(shop-guard in us-east-1\); last trip .*, alarm shop-web-5xx-rate, AWS 0% verified/);
  expect(json(await w.cli(['guard', 'status', '--app', 'shop', '--json'])).result).toMatchObject({armed: true, trips: 1, lastTrip: {alarm: 'shop-web-5xx-rate', trigger: 'event', ok: true, live: 0}});

  const dry = await w.cli(['guard', 'test', '--app', 'shop']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/would write nothing/);

  const remove = await w.cli(['guard', 'remove', '--app', 'shop', '--yes', '--json']);
  expect(json(remove).result).toMatchObject({removed: true, stackName: 'shop-guard'});
  const refused = await w.cli(['shift', '--app', 'shop', '--to', '5', '--steps', '5', '--bake', '1s', '--yes']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/The guard of shop is not armed/);
}, 180_000);
