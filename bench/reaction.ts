/**
 * Gate reaction time: from a CloudWatch alarm entering ALARM (moto SetAlarmState) to the
 * rollback verified by read-back (the journal's verify entry), 10 runs with --poll 1s.
 * Goal: at most the poll interval plus one second. Prints figures; asserts nothing.
 */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {BIN, ROOT} from '../test/support/cli.ts';
import {startCutoverEnv} from '../test/support/cutover-env.ts';
import {createGateAlarms, GATES, setAlarm} from '../test/support/gates.ts';
import {startMoto} from '../test/support/moto.ts';

const RUNS = Number(process.env.RUNS ?? 10);
const POLL_MS = 1000;
const moto = await startMoto();
process.env.MOTO_ENDPOINT = moto.endpoint;
const w = await startCutoverEnv();
if ((await w.cli(['edge', 'setup', '--app', 'shop', '--alb', w.albArn])).code !== 0) throw new Error('edge setup failed');
await createGateAlarms();

const journal = () =>
  readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as {at: string; op: string; details?: {entry?: {live?: number; expected?: number; ok?: boolean}}});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const reactions: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const before = journal().length;
  const child = spawn(process.execPath, [BIN, 'shift', '--app', 'shop', '--plan-dir', w.planDir, '--to', '5', '--steps', '5', '--bake', '120s', '--poll', '1s', '--min-requests', '0', '--yes'], {
    cwd: ROOT,
    env: {...process.env, ...w.env},
    stdio: 'ignore',
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  // wait until the 5% step is verified and baking, then let a poll or two pass
  while (!journal().slice(before).some((e) => e.op === 'cutover.read-back' && e.details?.entry?.live === 5 && e.details.entry.ok)) await sleep(20);
  await sleep(500 + Math.random() * POLL_MS);
  const alarmAt = Date.now();
  await setAlarm(GATES[0]!, 'ALARM');
  const code = await exited;
  await setAlarm(GATES[0]!, 'OK');
  const verified = journal()
    .slice(before)
    .filter((e) => e.op === 'cutover.read-back' && e.details?.entry?.live === 0 && e.details.entry.ok)
    .at(-1);
  if (code !== 3 || !verified) throw new Error(`run ${run}: exit ${code}, rollback verified: ${!!verified}`);
  reactions.push(Date.parse(verified.at) - alarmAt);
}
const sorted = [...reactions].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
const max = sorted.at(-1)!;
console.log(`gate reaction: alarm -> rollback verified, ${RUNS} runs, --poll 1s (fake Cloudflare, moto CloudWatch)`);
console.log(`  median ${median} ms, max ${max} ms, min ${sorted[0]} ms; goal <= poll + 1 s = ${POLL_MS + 1000} ms: ${max <= POLL_MS + 1000 ? 'met' : 'NOT met'}`);
await w.close();
moto.process.kill('SIGTERM');
