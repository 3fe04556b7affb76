/**
 * The Redis copy between single nodes (Heroku Redis is one) runs one Lua call per batch on each
 * side, and falls back to pipelined per-key commands where a server or its ACL refuses scripts
 * (a real redis-server from Debian's package with an ACL user denied @scripting). Both ways the
 * target ends with the same keys, values (binary names included) and TTLs; INFO commandstats
 * shows which way each side went.
 */
import {Redis} from 'ioredis';
import {createRedisTools} from '../../src/adapters/data/redis.ts';
import {DataUrl} from '../../src/domain/data-url.ts';
import {startRedis, type RedisServer} from '../support/datastores.ts';

let source: RedisServer;
let target: RedisServer;
beforeAll(async () => {
  [source, target] = await Promise.all([startRedis('scrsrc-pw-1'), startRedis('scrtgt-pw-2')]);
  for (const s of [source, target]) s.cli('ACL', 'SETUSER', 'noscripts', 'on', '>noscripts-pw-3', '~*', '&*', '+@all', '-@scripting');
  const src = new Redis({host: '127.0.0.1', port: source.port, password: source.password});
  const p = src.pipeline();
  for (let i = 0; i < 2_500; i++) {
    const name = i % 3 === 0 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`:${i}`)]) : Buffer.from(`k:${i}`);
    if (i % 2) p.set(name, Buffer.from([0x00, 0xff, i & 0xff]));
    else p.hset(name, 'f', `v${i}`);
    if (i % 5 === 0) p.pexpire(name, 3_600_000);
  }
  await p.exec();
  src.disconnect();
}, 60_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

/** calls per command since the last reset ("eval" -> 12) */
function commandStats(server: RedisServer): Record<string, {calls: number; rejected: number}> {
  const out: Record<string, {calls: number; rejected: number}> = {};
  for (const m of server.cli('INFO', 'commandstats').matchAll(/cmdstat_(\w+):calls=(\d+),.*?rejected_calls=(\d+)/g)) out[m[1]!] = {calls: Number(m[2]), rejected: Number(m[3])};
  return out;
}

async function snapshot(server: RedisServer): Promise<Map<string, string>> {
  const r = new Redis({host: '127.0.0.1', port: server.port, password: server.password});
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await r.scanBuffer(cursor, 'COUNT', 500);
    cursor = next.toString();
    for (const k of keys) {
      const type = await r.type(k);
      const value = type === 'string' ? (await r.getBuffer(k))!.toString('hex') : JSON.stringify(await r.hgetall(k));
      out.set(k.toString('hex'), `${type}:${value}:${(await r.pttl(k)) > 0 ? 'ttl' : 'none'}`);
    }
  } while (cursor !== '0');
  r.disconnect();
  return out;
}

const url = (s: RedisServer, user?: string) => DataUrl.parse(user ? `redis://${user}:${user}-pw-3@127.0.0.1:${s.port}` : s.url(), 'redis', user ?? 'url');

describe('Redis copy between single nodes', () => {
  it('one Lua call per batch on each side: 2,500 keys, one EVAL per batch on each side, the per-key commands run inside them', async () => {
    for (const s of [source, target]) s.cli('CONFIG', 'RESETSTAT');
    const r = await createRedisTools().copy(url(source), url(target), {batch: 500, totalKeys: 2_500});
    expect(r).toMatchObject({keys: 2_500, expired: 0});
    const [src, tgt] = [commandStats(source), commandStats(target)]; // before the checks' own reads
    expect(await snapshot(target)).toEqual(await snapshot(source));
    // SCAN's COUNT is a hint: one EVAL per SCAN reply that held keys, on each side
    expect(src.eval!.calls).toBeGreaterThanOrEqual(5);
    expect(src.eval!.calls).toBeLessThanOrEqual(src.scan!.calls);
    expect(tgt.eval?.calls).toBe(src.eval!.calls);
    expect(src.pttl?.calls).toBe(2_500);
    expect(src.dump?.calls).toBe(2_500); // counted inside the scripts
    expect(tgt.restore?.calls).toBe(2_500);
    // the verification's inventory: TYPE and PTTL of a batch in one call too
    source.cli('CONFIG', 'RESETSTAT');
    const inventory = await createRedisTools().inventory(url(source), 'source', {marginMs: 0});
    expect(inventory).toMatchObject({total: 2_500, types: {string: {keys: 1_250, withTtl: 250}, hash: {keys: 1_250, withTtl: 250}}});
    const stats = commandStats(source);
    expect(stats.eval!.calls).toBeGreaterThanOrEqual(3);
    expect(stats.type?.calls).toBe(2_500);
  });

  it('a user denied @scripting on both sides: the copy falls back to pipelined DUMP/PTTL and RESTORE and is the same', async () => {
    target.cli('FLUSHALL');
    for (const s of [source, target]) s.cli('CONFIG', 'RESETSTAT');
    const r = await createRedisTools().copy(url(source, 'noscripts'), url(target, 'noscripts'), {batch: 500, totalKeys: 2_500});
    expect(r).toMatchObject({keys: 2_500, expired: 0});
    const [src, tgt] = [commandStats(source), commandStats(target)];
    expect(await snapshot(target)).toEqual(await snapshot(source));
    // the first EVAL of each side was refused (ACL), none ran
    expect(src.eval).toEqual({calls: 0, rejected: expect.any(Number)});
    expect(src.eval!.rejected).toBeGreaterThanOrEqual(1);
    expect(tgt.eval).toEqual({calls: 0, rejected: expect.any(Number)});
    expect(src.pttl?.calls).toBe(2_500);
    expect(tgt.restore?.calls).toBe(2_500);
    const [a, b] = await Promise.all([createRedisTools().inventory(url(source, 'noscripts'), 'source', {marginMs: 0}), createRedisTools().inventory(url(target), 'target', {marginMs: 0})]);
    expect(a).toMatchObject({total: 2_500, types: {string: {keys: 1_250, withTtl: 250}, hash: {keys: 1_250, withTtl: 250}}});
    expect(b.types).toEqual(a.types);
  });
});
