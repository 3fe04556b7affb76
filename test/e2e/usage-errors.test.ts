/**
 * What a newcomer's mistakes print: a missing required flag names the flag (text and --json), a
 * missing plan says "no plan" and how to make one for every command that needs a plan (and creates
 * nothing), `plan` without a source, a bad --interval, and --yes / --confirm on the command that
 * takes the other one. Nothing here reaches a live system (AWS points at a closed port).
 */
import {ROOT, filesUnder, runCli, tempDir} from '../support/cli.ts';

const offline = {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', CLOUDFLARE_API_TOKEN: undefined, HEROKU_API_KEY: undefined};

describe('missing required flags', () => {
  it.each([
    [['shift', '--app', 'shop'], '--to'],
    [['deploy'], '--app'],
    [['finalize'], '--app'],
  ])('%j names %s', async (args, flag) => {
    const r = await runCli(args, {env: offline});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`Error: Missing required flag ${flag}\nFix: See migrate ${args[0]} --help for the flags and examples.\n`);
    const json = await runCli([...args, '--json'], {env: offline});
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({status: 'error', error: {code: 'usage', message: `Missing required flag ${flag}`, hint: `See migrate ${args[0]} --help for the flags and examples.`, exitCode: 2}, warnings: []});
  });
});

describe('no plan directory', () => {
  const cases: string[][] = [
    ['deploy', '--app', 'newapp', '--image', 'shop:1', '--yes'],
    ['addons', 'provision', '--app', 'newapp'],
    ['edge', 'setup', '--app', 'newapp', '--zone', '023e105f4ecef8ad9ca31a8372d0c353', '--account', '01a7362d577a6c3019a474fd6f485823', '--alb', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1'],
    ['finalize', '--app', 'newapp', '--confirm', 'newapp'],
    ['data', 'copy', '--app', 'newapp', '--addon', 'postgres'],
    ['data', 'cutover', '--app', 'newapp', '--addon', 'postgres'],
    ['secrets', 'import', '--app', 'newapp'],
    ['shift', '--app', 'newapp', '--to', '5%', '--yes'],
    ['rollback', '--app', 'newapp'],
    ['status', '--app', 'newapp'],
  ];
  it.each(cases.map((c) => [c.slice(0, c.indexOf('--app')).join(' '), c] as const))('%s says there is no plan and how to make one', async (_name, args) => {
    const cwd = tempDir('h2a-noplan-');
    const r = await runCli(args, {cwd, env: offline});
    expect(r.stderr).toBe('Error: No plan at plans/newapp/plan.json.\nFix: Run `migrate plan --app newapp` (or --from PATH) first, or point --plan-dir at the plan directory.\n');
    expect(r.code).toBe(1);
    expect(filesUnder(cwd).size).toBe(0);
  });
});

describe('other first mistakes', () => {
  it('plan without --app or --from says what to give, and nothing else', async () => {
    const r = await runCli(['plan'], {cwd: tempDir()});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error: Nothing to read: give --app NAME (live Heroku) or --from PATH (app repository or snapshot).\nFix: Example: migrate plan --app shop\n');
  });

  it('status --interval banana is refused before anything is read', async () => {
    const r = await runCli(['status', '--app', 'shop', '--interval', 'banana'], {env: offline});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--interval must be a duration such as 30s');
  });

  it('finalize --yes names --confirm APP; shift --confirm names --yes', async () => {
    const fin = await runCli(['finalize', '--app', 'shop', '--yes'], {env: offline});
    expect(fin.code).toBe(2);
    expect(fin.stderr).toContain("migrate finalize is destructive: it takes --confirm <app> (the app's name), not --yes.");
    const shift = await runCli(['shift', '--app', 'shop', '--to', '5%', '--confirm', 'shop'], {env: offline});
    expect(shift.code).toBe(2);
    expect(shift.stderr).toContain('migrate shift is reversible: it takes --yes to skip its prompt');
    const deploy = await runCli(['deploy', '--app', 'shop', '--confirm=shop', '--json'], {env: offline});
    expect(deploy.code).toBe(2);
    expect(JSON.parse(deploy.stdout).error.message).toContain('migrate deploy is reversible: it takes --yes');
    // the plan of the repository is untouched
    expect(filesUnder(`${ROOT}/plans/shop`).has(`${ROOT}/plans/shop/journal.jsonl`)).toBe(false);
  });
});
