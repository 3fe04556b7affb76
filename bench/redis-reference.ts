/**
 * The reference method of Redis migration tools, run as its own process by bench/data.ts so it
 * starts as cold as `migrate data copy` does: SCAN the source in batches of 1,000; for each
 * batch one pipeline of DUMP + PTTL on the source, then one pipeline of RESTORE ... REPLACE on
 * the target; 16 batches in flight (the source is one node here). The clock starts once both
 * connections are up, as the product's copy time does. Reads SRC and DST (redis:// URLs) from
 * the environment; prints {"ms", "keys", "bytes"} as JSON.
 */
import {Redis} from 'ioredis';

const src = new Redis(process.env.SRC!, {lazyConnect: true});
const dst = new Redis(process.env.DST!, {lazyConnect: true});
await Promise.all([src.connect(), dst.connect()]);
const t0 = process.hrtime.bigint();
const running = new Set<Promise<void>>();
let [cursor, keys, bytes] = ['0', 0, 0];
do {
  const [next, batch] = await src.scanBuffer(cursor, 'COUNT', 1000);
  cursor = next.toString();
  const job = (async () => {
    const read = src.pipeline();
    for (const k of batch) read.dumpBuffer(k).pttl(k);
    const res = (await read.exec()) ?? [];
    const write = dst.pipeline();
    batch.forEach((k, i) => {
      const payload = res[2 * i]?.[1] as Buffer | null;
      const ttl = Number(res[2 * i + 1]?.[1]);
      if (!payload || ttl === -2) return;
      write.restore(k, ttl > 0 ? ttl : 0, payload, 'REPLACE');
      keys++;
      bytes += payload.length;
    });
    for (const [err] of (await write.exec()) ?? []) if (err) throw err;
  })();
  running.add(job);
  void job.finally(() => running.delete(job));
  if (running.size >= 16) await Promise.race(running);
} while (cursor !== '0');
await Promise.all(running);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
src.disconnect();
dst.disconnect();
console.log(JSON.stringify({ms, keys, bytes}));
