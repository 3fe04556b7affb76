/**
 * Issue case 5: in a terminal, a command's confirmation is on screen before any progress, and
 * answered before anything runs (a pseudo-terminal of 100 columns, so the listr2 display is on).
 */
import {startCutoverEnv, type CutoverEnv} from '../support/cutover-env.ts';
import {liveShare, until, weightWrites} from '../support/cutover-world.ts';
import {createGateAlarms} from '../support/gates.ts';
import {resetMoto} from '../support/moto.ts';
import {runInTerminal} from '../support/terminal.ts';
import {spawn} from 'node:child_process';
import {BIN, ROOT} from '../support/cli.ts';

let w: CutoverEnv;
const inTerminal = (args: string[], answer: string) => runInTerminal([...args, '--plan-dir', w.planDir], {env: w.env, answer});
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

beforeAll(async () => {
  await resetMoto();
  w = await startCutoverEnv();
  await createGateAlarms();
});
afterAll(() => w.close());

describe('prompts come before progress, in a terminal', () => {
  it('edge setup: the question is the first thing on screen; "n" changes nothing', async () => {
    const r = await inTerminal(['edge', 'setup', '--app', 'shop', '--alb', w.albArn], 'n');
    const screen = plain(r.stdout);
    expect(screen.trimStart()).toMatch(/^Create or adopt the Cloudflare monitor and pools .* Continue\? \[y\/N\]/s);
    expect(screen).toMatch(/Cancelled: nothing was changed/);
    expect(r.code).toBe(2);
    expect(w.cloudflare.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    const yes = await inTerminal(['edge', 'setup', '--app', 'shop', '--alb', w.albArn], 'y');
    expect(yes.code).toBe(0);
  });

  it('shift: "Continue? [y/N]" is shown before the progress display, and the shift runs only after "y"', async () => {
    const from = w.cloudflare.requests.length;
    const r = await inTerminal(['shift', '--app', 'shop', '--to', '1', '--steps', '1', '--bake', '500ms', '--poll', '100ms', '--min-requests', '0', '--no-guard'], 'y');
    const screen = plain(r.stdout);
    const prompt = screen.indexOf('Continue? [y/N]');
    if (prompt < 0) throw new Error(`no prompt (exit ${r.code}):\n${screen}\n${r.stderr}`);
    const progress = screen.indexOf('Shift shop to 1% AWS');
    expect(prompt).toBeGreaterThanOrEqual(0);
    expect(progress).toBeGreaterThan(prompt);
    expect(screen.slice(0, prompt)).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏✔]/);
    expect(r.code).toBe(0);
    expect(weightWrites(w, from).map((x) => x.share)).toEqual([1]);
    expect(liveShare(w)).toBe(1);
  });

  it('status --watch appends frames in a pipe and redraws in place in a terminal', async () => {
    const args = ['status', '--app', 'shop', '--plan-dir', w.planDir, '--watch', '--interval', '300ms'];
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
    let piped = '';
    child.stdout.on('data', (d: Buffer) => (piped += d.toString()));
    await until(() => piped.split('Migration of shop').length - 1 >= 2, 30_000);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(piped.split('Migration of shop').length - 1).toBeGreaterThanOrEqual(2);
    expect(piped).not.toMatch(/\u001b\[/);
    const tty = await runInTerminal([...args.slice(0, -2), '--interval', '300ms'], {env: {...w.env}, answer: '\u0003', prompt: 'Migration of shop'});
    expect(tty.stdout).toContain('\u001b[2J');
    expect(tty.stdout.split('\u001b[H').length - 1).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
