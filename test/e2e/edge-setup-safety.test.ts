/**
 * Issue case 6 (edge): `migrate edge setup` asks first, has a dry run, and puts the load balancer
 * on the live hostname only once Cloudflare reports the Heroku pool healthy. The fake Cloudflare
 * reports a new pool's health as unknown until its monitor's first probe (probe delay).
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {resetMoto} from '../support/moto.ts';
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';

let w: CutoverEnv;
const balancers = () => [...w.cloudflare.state.zones.values()][0]!.loadBalancers.size;
const writes = () => w.cloudflare.requests.filter((q) => q.method !== 'GET');
const edgeJournal = () => {
  try {
    return readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.op === 'edge-setup');
  } catch {
    return [];
  }
};

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
});
afterAll(() => w.close());

describe('migrate edge setup touches the hostname only when it is safe', () => {
  it('without a terminal and without --yes it fails at once (exit 2), nothing written', async () => {
    const r = await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/takes over routing for that hostname: confirmation needed.*\n.*--yes/);
    expect(writes()).toEqual([]);
    expect(edgeJournal()).toEqual([]);
  });

  it('--dry-run validates and says what it would do; nothing written', async () => {
    const r = await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run: .*load balancer on shop\.example\.com at Heroku 100% \/ AWS 0%.*Nothing was changed/);
    expect(writes()).toEqual([]);
    const bad = await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--dry-run', '--health-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--health-timeout must be a duration/);
  });

  it('an unhealthy Heroku pool stops it: monitor and pools exist, no load balancer on the hostname', async () => {
    w.cloudflare.setPoolHealth('heroku2aws-shop-heroku', false);
    const r = await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cloudflare reports the Heroku pool \(shop-1a2b3c4d5e6f\.herokuapp\.com\) unhealthy: the load balancer was not created, nothing is attached to shop\.example\.com/);
    expect(r.stderr).toMatch(/Fix: Check that .* answers/);
    expect(balancers()).toBe(0);
    expect(w.cloudflare.requests.some((q) => q.method === 'POST' && q.path.includes('/zones/'))).toBe(false);
    expect(edgeJournal().map((l) => `${l.phase}:${l.ok ?? ''}`)).toEqual(['intent:', 'result:false']);
  });

  it('no verdict within --health-timeout stops it the same way', async () => {
    const account = [...w.cloudflare.state.accounts.values()][0]!;
    const heroku = [...account.pools.values()].find((p) => p.name === 'heroku2aws-shop-heroku')!;
    w.cloudflare.state.poolHealth.delete('heroku2aws-shop-heroku');
    heroku.created_on = new Date().toISOString(); // as if just created: no probe yet
    w.cloudflare.setProbeDelay(60_000);
    const r = await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn, '--health-timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Waiting for Cloudflare to report the Heroku pool healthy: unknown/);
    expect(r.stderr).toMatch(/reported no health for the Heroku pool within 2 s/);
    expect(balancers()).toBe(0);
  });

  it('waits, with progress, until the first probe says healthy, then creates the load balancer at Heroku 100%', async () => {
    const account = [...w.cloudflare.state.accounts.values()][0]!;
    const heroku = [...account.pools.values()].find((p) => p.name === 'heroku2aws-shop-heroku')!;
    heroku.created_on = new Date().toISOString();
    w.cloudflare.setProbeDelay(2_500);
    const from = w.cloudflare.requests.length;
    const r = await w.cli(['edge', 'setup', '--yes', '--app', 'shop', '--alb', w.albArn]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Waiting for Cloudflare to report the Heroku pool healthy: unknown/);
    expect(r.stderr).toMatch(/Cloudflare reports the Heroku pool healthy/);
    const requests = w.cloudflare.requests.slice(from);
    const created = requests.find((q) => q.method === 'POST' && q.path.endsWith('/load_balancers'))!;
    expect(created.at - Date.parse(heroku.created_on)).toBeGreaterThanOrEqual(2_500);
    expect((created.body as {random_steering: {pool_weights: Record<string, number>}}).random_steering.pool_weights[heroku.id]).toBe(1);
    expect(balancers()).toBe(1);
    expect(r.stdout).toMatch(/Created: shop\.example\.com\. Adopted: heroku2aws-shop-monitor, heroku2aws-shop-heroku, heroku2aws-shop-aws\./);
  });
});
