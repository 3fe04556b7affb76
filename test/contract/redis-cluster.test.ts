/**
 * Redis keys are binary: a copy into a 3-shard Redis Cluster (three redis-server primaries from
 * Debian's package on loopback) with key names that are not valid UTF-8. Each key must land on
 * the primary that owns its slot computed on its bytes, with its value and TTL.
 */
import {Redis} from 'ioredis';
import {createRedisTools} from '../../src/adapters/data/redis.ts';
import {DataUrl} from '../../src/domain/data-url.ts';
import {keySlot} from '../../src/domain/redis-slot.ts';
import {startRedis, startRedisCluster, type RedisCluster, type RedisServer} from '../support/datastores.ts';

let source: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [source, cluster] = await Promise.all([startRedis('binsrc-pw-1'), startRedisCluster('bintgt-pw-2', 3)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([source?.stop(), cluster?.stop()]);
});

const conn = (port: number, password: string) => new Redis({host: '127.0.0.1', port, password, lazyConnect: false});

/** the value of a key, independent of its encoding (a set's DUMP depends on insertion order) */
async function valueOf(r: Redis, k: Buffer): Promise<string> {
  const type = await r.type(k);
  const hex = (list: Buffer[]) => list.map((b) => b.toString('hex'));
  if (type === 'string') return `string:${(await r.getBuffer(k))!.toString('hex')}`;
  if (type === 'hash') return `hash:${hex(await r.hgetallBuffer(k).then((h) => Object.entries(h).flatMap(([f, v]) => [Buffer.from(f), v]))).join(',')}`;
  if (type === 'list') return `list:${hex(await r.lrangeBuffer(k, 0, -1)).join(',')}`;
  if (type === 'set') return `set:${hex(await r.smembersBuffer(k)).sort().join(',')}`;
  return type;
}

/** key (hex) -> [value, has a TTL] of every key on the given servers */
async function contents(servers: {port: number; password: string}[]): Promise<Map<string, [string, boolean]>> {
  const out = new Map<string, [string, boolean]>();
  for (const s of servers) {
    const r = conn(s.port, s.password);
    let cursor = '0';
    do {
      const [next, keys] = await r.scanBuffer(cursor, 'COUNT', 500);
      cursor = next.toString();
      for (const k of keys) out.set(k.toString('hex'), [await valueOf(r, k), (await r.pttl(k)) > 0]);
    } while (cursor !== '0');
    r.disconnect();
  }
  return out;
}

describe('Redis copy into a 3-shard cluster', () => {
  it('copies 400 keys, 200 of them named with bytes \\xff\\xfe, each onto the primary owning its slot (computed on bytes)', async () => {
    const src = conn(source.port, source.password);
    const p = src.pipeline();
    for (let i = 0; i < 400; i++) {
      const name = i % 2 === 0 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`:bin:${i}`)]) : Buffer.from(`text:${i}`);
      if (i % 4 === 0) p.set(name, Buffer.from([0x00, 0xff, i & 0xff]));
      else if (i % 4 === 1) p.hset(name, 'f', `v${i}`);
      else if (i % 4 === 2) p.rpush(name, 'a', 'b', Buffer.from([0xfe]));
      else p.sadd(name, 'x', 'y');
      if (i % 5 === 0) p.pexpire(name, 3_600_000);
    }
    // a hash tag over non-UTF-8 bytes puts two keys in one slot
    p.set(Buffer.from('a{\xff\x01}1', 'latin1'), 'one').set(Buffer.from('b{\xff\x01}2', 'latin1'), 'two');
    await p.exec();
    src.disconnect();

    const tools = createRedisTools();
    const from = DataUrl.parse(source.url(), 'redis', 'source');
    const to = DataUrl.parse(cluster.url(), 'redis', 'target');
    const probe = await tools.probe(to, 'target');
    expect(probe.cluster).toBe(true);
    const r = await tools.copy(from, to, {batch: 50, totalKeys: 402});
    expect(r).toMatchObject({keys: 402, expired: 0});

    const want = await contents([source]);
    const got = await contents(cluster.nodes);
    expect(got.size).toBe(402);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k)).toEqual(v);
    // every key sits on the node that owns its byte slot, and the keys spread over all three shards
    const perNode: number[] = [];
    const per = Math.ceil(16384 / cluster.nodes.length); // startRedisCluster's split
    for (const [i, node] of cluster.nodes.entries()) {
      const keys = [...(await contents([node])).keys()].map((h) => Buffer.from(h, 'hex'));
      perNode.push(keys.length);
      for (const k of keys) expect({key: k.toString('hex'), node: Math.floor(keySlot(k) / per)}).toEqual({key: k.toString('hex'), node: i});
    }
    expect(perNode.every((n) => n > 50)).toBe(true);
    const [src2, tgt2] = await Promise.all([tools.inventory(from, 'source', {marginMs: 0}), tools.inventory(to, 'target', {marginMs: 0})]);
    expect(tgt2.types).toEqual(src2.types);
  }, 60_000);
});
