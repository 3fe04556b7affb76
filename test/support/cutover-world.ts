/** What the live systems saw during cutover e2e tests: weights, writes with times, bakes per step. */
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {CloudWatchClient, PutMetricDataCommand} from '@aws-sdk/client-cloudwatch';
import type {JournalEntry} from '../../src/domain/state.ts';
import {BIN, ROOT, type CliResult} from './cli.ts';
import type {CutoverEnv} from './cutover-env.ts';
import {motoClientConfig} from './moto.ts';

const stateFile = (w: CutoverEnv) => JSON.parse(readFileSync(join(w.planDir, 'state.json'), 'utf8'));

/** the AWS share on the fake load balancer now */
export function liveShare(w: CutoverEnv): number {
  const lb = [...w.cloudflare.state.zones.values()][0]!.loadBalancers.values().next().value!;
  return Math.round((lb.random_steering?.pool_weights[stateFile(w).edge.awsPoolId] ?? 0) * 100);
}

/** every weight write the fake saw (from request index `from`), with its time and the time of the first load balancer read after it */
export function weightWrites(w: CutoverEnv, from = 0): {at: number; share: number; readAt: number | null}[] {
  const {awsPoolId} = stateFile(w).edge;
  const all = w.cloudflare.requests;
  return all.slice(from).flatMap((q, i) => {
    const weights = (q.body as {random_steering?: {pool_weights?: Record<string, number>}} | undefined)?.random_steering?.pool_weights;
    if (q.method !== 'PATCH' || !weights || q.status >= 300) return [];
    const read = all.slice(from + i + 1).find((n) => n.method === 'GET' && n.path.includes('/load_balancers/'));
    return [{at: q.at, share: Math.round((weights[awsPoolId] ?? 0) * 100), readAt: read?.at ?? null}];
  });
}

/**
 * Per step up, measured on the fake: the time from the step's verifying read to the next write
 * that raised the share. `null` when no higher write followed. Writes to lower shares end a step.
 */
export function bakesBeforePromotion(w: CutoverEnv, from = 0): {share: number; bakedMs: number | null}[] {
  const writes = weightWrites(w, from);
  const out: {share: number; bakedMs: number | null}[] = [];
  writes.forEach((write, i) => {
    const before = i === 0 ? null : writes[i - 1]!.share;
    if (before !== null && write.share <= before) return; // reached by a step down: nothing to bake
    const nextWrite = writes[i + 1];
    if (!nextWrite || nextWrite.share < write.share) return void out.push({share: write.share, bakedMs: null});
    out.push({share: write.share, bakedMs: write.readAt === null ? -1 : nextWrite.at - write.readAt});
  });
  return out;
}

export function journal(w: CutoverEnv): JournalEntry[] {
  try {
    return readFileSync(join(w.planDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEntry);
  } catch {
    return [];
  }
}

/** the cutover entries of the journal (op without the `cutover.` prefix) */
export const cutoverEntries = (w: CutoverEnv) =>
  journal(w).flatMap((l) => (l.op.startsWith('cutover.') ? [(l.details as {entry: {op: string; at: number; share?: number; live?: number | null; ok?: boolean; requests?: number; bakedMs?: number}}).entry] : []));

/** `migrate shift` as a child process that can be signalled */
export function spawnShift(w: CutoverEnv, args: string[]): {done: Promise<CliResult>; kill: (signal: NodeJS.Signals) => void} {
  const child = spawn(process.execPath, [BIN, 'shift', '--app', 'shop', '--plan-dir', w.planDir, ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...w.env}});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {done: new Promise((resolve) => child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))), kill: (s) => child.kill(s)};
}

export async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** posts the ALB RequestCount the shift's gate reads (AWS/ApplicationELB, dimension LoadBalancer) */
export async function postRequestCount(w: CutoverEnv, at: Date, count: number): Promise<void> {
  const albFullName = stateFile(w).aws.albFullName as string;
  await new CloudWatchClient(motoClientConfig()).send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricData: [{MetricName: 'RequestCount', Dimensions: [{Name: 'LoadBalancer', Value: albFullName}], Timestamp: at, Value: count, Unit: 'Count'}],
    }),
  );
}
