/**
 * `migrate shift` and the guard, through the built CLI: no shift above 0% without an armed guard
 * (unless --no-guard, journaled), and a guard trip while a shift runs stops that shift (exit 3)
 * with the journal telling the story. The guard's handler runs in-process on the same state.
 */
import {spawn} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {CreateSecretCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {createLocalState} from '../../src/adapters/state/local-state.ts';
import {alarmArn, GUARD_CONFIG_ENV, type GuardConfig} from '../../src/domain/guard.ts';
import {createHandler} from '../../src/guard/handler.ts';
import {BIN, ROOT, type CliResult} from '../support/cli.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {createGateAlarms, GATES} from '../support/gates.ts';
import {alarmEvent} from '../support/guard-events.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

let w: CutoverEnv;
const FAST = ['--poll', '250ms', '--min-requests', '0', '--yes'];
const saved = {...process.env};
const stateFile = () => join(w.planDir, 'state.json');
const readState = () => JSON.parse(readFileSync(stateFile(), 'utf8'));
const journal = () => readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const liveShare = () => {
  const lb = [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
  return Math.round((lb.random_steering?.pool_weights[readState().edge.awsPoolId] ?? 0) * 100);
};
const writes = () => w.cloudflare.requests.filter((q) => q.method !== 'GET').length;
const armGuard = (loadBalancerId: string) => {
  const s = readState();
  s.guard = {stackName: 'shop-guard', stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/shop-guard/1', region: 'us-east-1', functionName: 'shop-guard', loadBalancerId, alarms: GATES, tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', installedAt: '2026-12-02T07:00:00Z', codeSha256: 'x'};
  writeFileSync(stateFile(), JSON.stringify(s, null, 2));
};
const disarm = () => {
  const s = readState();
  delete s.guard;
  writeFileSync(stateFile(), JSON.stringify(s, null, 2));
};

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  expect((await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes'])).code).toBe(0);
  await createGateAlarms();
  Object.assign(process.env, {AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_MAX_ATTEMPTS: '1'});
});
afterAll(async () => {
  process.env = saved;
  await w.close();
});

describe('migrate guard commands', () => {
  it('guard install refuses local state (exit 1) before any write; status says not armed; --help has examples', async () => {
    const before = writes();
    const r = await w.cli(['guard', 'install', '--app', 'shop', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The state of shop is local/);
    expect(r.stderr).toMatch(/migrate state init --app shop/);
    expect(writes()).toBe(before);
    const st = await w.cli(['guard', 'status', '--app', 'shop', '--json']);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({status: 'ok', result: {armed: false, reasons: ['no guard installed (migrate guard install)']}});
    expect((await w.cli(['status', '--app', 'shop'])).stdout).toMatch(/Guard: NOT armed/);
    const help = await w.cli(['guard', 'test', '--help']);
    expect(help.stdout).toMatch(/--confirm shop/);
    const bad = await w.cli(['guard', 'install', '--app', 'shop', '--notify', 'not-an-email', '--yes']);
    expect(bad.code).toBe(2);
  });
});

describe('shift and the guard', () => {
  it('refuses to go above 0% while the guard is not armed, before any write (also with --dry-run)', async () => {
    const before = writes();
    for (const extra of [[], ['--dry-run']]) {
      const r = await w.cli(['shift', '--app', 'shop', '--to', '5', '--bake', '1s', ...FAST, ...extra]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/The guard of shop is not armed/);
      expect(r.stderr).toMatch(/migrate guard install --app shop/);
      expect(r.stderr).toMatch(/--no-guard/);
    }
    expect(writes()).toBe(before);
    expect(liveShare()).toBe(0);
  });

  it('refuses a guard installed for another load balancer', async () => {
    armGuard('0000000000000000000000000000beef');
    const r = await w.cli(['shift', '--app', 'shop', '--to', '5', '--bake', '1s', ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/protects load balancer 0000000000000000000000000000beef, but the live one is/);
    disarm();
  });

  it('--no-guard shifts with a warning in the result and a note in the journal', async () => {
    const r = await w.cli(['shift', '--app', 'shop', '--to', '1', '--steps', '1', '--bake', '500ms', ...FAST, '--no-guard', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings.join('\n')).toMatch(/without the guard \(--no-guard\)/);
    expect(journal().filter((e) => e.op === 'guard-skipped')).toHaveLength(1);
    expect(liveShare()).toBe(1);
  });

  it('a guard trip while a shift bakes stops the shift with exit 3; the journal tells the story', async () => {
    const s = readState();
    armGuard(s.edge.loadBalancerId);
    const secret = await new SecretsManagerClient(motoClientConfig()).send(new CreateSecretCommand({Name: 'heroku2aws/shop/guard/cloudflare-token', SecretString: 'good'}));
    const config: GuardConfig = {
      app: 'shop',
      region: 'us-east-1',
      edge: {zoneId: s.edge.zoneId, accountId: s.edge.accountId, hostname: s.edge.hostname, namePrefix: s.edge.namePrefix, loadBalancerId: s.edge.loadBalancerId, herokuPoolId: s.edge.herokuPoolId, awsPoolId: s.edge.awsPoolId},
      alarms: GATES.map((name) => ({name, arn: alarmArn('us-east-1', '123456789012', name)})),
      tokenSecretArn: secret.ARN!,
    };
    const child = spawn(process.execPath, [BIN, 'shift', '--app', 'shop', '--plan-dir', w.planDir, '--to', '10', '--steps', '10', '--bake', '60s', ...FAST], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({code: code ?? -1, stdout: '', stderr})));
    const end = Date.now() + 20_000;
    while (liveShare() !== 10 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(liveShare()).toBe(10);

    const guard = createHandler({env: {...process.env, [GUARD_CONFIG_ENV]: JSON.stringify(config), CLOUDFLARE_BASE_URL: w.cloudflare.url}, state: async () => createLocalState(w.planDir, 'shop', {now: () => new Date()}), log: () => undefined});
    const out = await guard(alarmEvent(config.alarms[0]!.arn, GATES[0]!, 'ALARM'));
    expect(out).toMatchObject({action: 'rolled-back', from: 10, live: 0});
    const r = await done;
    expect(r.code).toBe(3);
    expect(liveShare()).toBe(0);
    const story = journal().map((e) => `${e.op}:${e.phase}${e.details?.by === 'guard' ? ':guard' : ''}`);
    expect(story).toEqual(expect.arrayContaining(['rollback:intent:guard', 'rollback:result:guard', 'rollback:verify:guard', 'cutover.rollback-requested:note', 'cutover.stopped:note']));
    const stopped = journal().filter((e) => e.op === 'cutover.stopped').at(-1);
    expect(stopped.details.entry.exitCode).toBe(3);
    // status and the next shift read the guard's rollback as the tool's own: no drift
    const again = await w.cli(['shift', '--app', 'shop', '--to', '1', '--steps', '1', '--bake', '500ms', ...FAST, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).warnings.join('\n')).toMatch(/The guard rolled back to 0% at .* \(alarm shop-web-5xx-rate\)/);
    expect((await w.cli(['status', '--app', 'shop'])).stdout).toMatch(/Guard: armed \(shop-guard in us-east-1\); last trip .*, alarm shop-web-5xx-rate, AWS 0% verified/);
    const gs = JSON.parse((await w.cli(['guard', 'status', '--app', 'shop', '--json'])).stdout);
    expect(gs.result).toMatchObject({armed: false, reasons: ['stack shop-guard does not exist in us-east-1'], trips: 1, lastTrip: {alarm: 'shop-web-5xx-rate', ok: true, live: 0}});
  });
});
