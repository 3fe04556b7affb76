/**
 * S3 requests of a shift whose state is in S3 (`migrate state init --bucket`): the built CLI runs
 * `migrate shift` (two steps, gates green) against fake Cloudflare and moto, with a counting proxy
 * in front of moto's S3. Prints requests per poll and per step, by object and method.
 * Goals: no S3 read of the lock or the state per poll while the lock is held; lock renewals at most
 * one per third of the lease. Prints figures; asserts nothing.
 */
import {createServer, request} from 'node:http';
import type {AddressInfo} from 'node:net';
import {startCutoverEnv} from '../test/support/cutover-env.ts';
import {createGateAlarms} from '../test/support/gates.ts';
import {motoClientConfig, startMoto} from '../test/support/moto.ts';
import {tlsOnlyStatement} from '../src/domain/backend.ts';
import {CreateBucketCommand, PutBucketPolicyCommand, S3Client} from '@aws-sdk/client-s3';

const BAKE_S = Number(process.env.BAKE_S ?? 40);
const POLL_S = Number(process.env.POLL_S ?? 5);
const LEASE_S = Number(process.env.LEASE_S ?? 30);
const moto = await startMoto();
process.env.MOTO_ENDPOINT = moto.endpoint;
const target = new URL(moto.endpoint);

interface Call {
  at: number;
  method: string;
  path: string;
}
const calls: Call[] = [];
const proxy = createServer((req, res) => {
  calls.push({at: Date.now(), method: req.method ?? '?', path: decodeURIComponent((req.url ?? '').split('?')[0] ?? '') + ((req.url ?? '').includes('list-type=2') ? '?list' : '')});
  const upstream = request({host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers}, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
const s3Endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const w = await startCutoverEnv();
const run = async (args: string[]) => {
  const r = await w.cli(args, {AWS_ENDPOINT_URL_S3: s3Endpoint});
  if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
};
// moto 5.2.1 ignores bucket policy conditions (docs/facts.md): the bucket is made beforehand with the
// TLS-only statement under a principal moto skips, which `state init` recognizes and keeps
const s3 = new S3Client({...motoClientConfig(moto.endpoint), forcePathStyle: true});
await s3.send(new CreateBucketCommand({Bucket: 'bench-team-state'}));
const policy = {Version: '2012-10-17', Statement: [{...tlsOnlyStatement('bench-team-state'), Principal: 'arn:aws:iam::123456789012:root'}]};
await s3.send(new PutBucketPolicyCommand({Bucket: 'bench-team-state', Policy: JSON.stringify(policy)}));
s3.destroy();
await run(['state', 'init', '--app', 'shop', '--bucket', 'bench-team-state', '--lease-seconds', String(LEASE_S)]);
await run(['edge', 'setup', '--app', 'shop', '--alb', w.albArn]);
await createGateAlarms();

calls.length = 0;
const started = Date.now();
await run(['shift', '--app', 'shop', '--to', '5', '--steps', '1,5', '--bake', `${BAKE_S}s`, '--poll', `${POLL_S}s`, '--min-requests', '0', '--yes']);
const seconds = (Date.now() - started) / 1000;

const kind = (c: Call) => {
  const key = c.path.replace(/^\/bench-team-state\/heroku2aws\/shop\/?/, '');
  const object = key.startsWith('journal/') ? 'journal entry' : key.endsWith('?list') ? 'journal list' : key || '(bucket)';
  return `${c.method} ${object}`;
};
const byKind = new Map<string, number>();
for (const c of calls) byKind.set(kind(c), (byKind.get(kind(c)) ?? 0) + 1);
const count = (k: string) => byKind.get(k) ?? 0;
const steps = 2;
const polls = Math.max(1, Math.round((steps * BAKE_S) / POLL_S));
const renewals = count('PUT lock.json') - 1; // the first PUT takes the lock
const lockReads = count('GET lock.json');
const journalPuts = count('PUT journal entry');

console.log(`team state in S3: one \`migrate shift\` run, ${steps} steps, bake ${BAKE_S}s, poll ${POLL_S}s (~${polls} polls), lease ${LEASE_S}s; ${seconds.toFixed(1)} s, ${calls.length} S3 requests`);
for (const [k, n] of [...byKind.entries()].sort()) console.log(`  ${k.padEnd(34)} ${String(n).padStart(4)}`);
console.log(`per poll: ${(count('GET rollback-request.json') / polls).toFixed(2)} rollback-request reads (one per 5 s at most), ${(lockReads / polls).toFixed(2)} lock reads, ${(count('GET state.json') / polls).toFixed(2)} state reads, ${(journalPuts / polls).toFixed(2)} journal writes (all entries, incl. steps)`);
console.log(`per step: ${(journalPuts / steps).toFixed(1)} journal entries written; ${(calls.length / steps).toFixed(1)} S3 requests in all`);
console.log(`lock renewals: ${renewals} in ${seconds.toFixed(0)} s = one per ${(seconds / Math.max(1, renewals)).toFixed(1)} s; goal at most one per lease third (${(LEASE_S / 3).toFixed(1)} s): ${renewals <= Math.floor(seconds / (LEASE_S / 3)) ? 'met' : 'NOT met'}`);
console.log(`lock reads while held: ${lockReads}; goal 0: ${lockReads === 0 ? 'met' : 'NOT met'}`);
await w.close();
proxy.close();
moto.process.kill('SIGTERM');
