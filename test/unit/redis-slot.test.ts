/** Key slots on bytes, checked against Redis's own CLUSTER KEYSLOT on a real server. */
import {spawnSync} from 'node:child_process';
import {crc16, keySlot} from '../../src/domain/redis-slot.ts';
import {startRedis, type RedisServer} from '../support/datastores.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('Redis cluster key slots on bytes', () => {
  it('computes CRC16-XMODEM and the hash-tag rule as the Redis Cluster specification says', () => {
    expect(crc16(b('123456789'))).toBe(0x31c3);
    expect(keySlot(b('foo'))).toBe(12182);
    expect(keySlot(b('{user1000}.following'))).toBe(keySlot(b('user1000')));
    expect(keySlot(b('foo{}{bar}'))).toBe(crc16(b('foo{}{bar}')) % 16384); // an empty tag: the whole key
    expect(keySlot(b('foo{{bar}}zap'))).toBe(keySlot(b('{bar')));
    expect(keySlot(b('foo{bar}{zap}'))).toBe(keySlot(b('bar')));
  });

  let redis: RedisServer;
  afterAll(() => redis?.stop());

  it('agrees with CLUSTER KEYSLOT for binary keys that are not UTF-8', async () => {
    redis = await startRedis('slot-test-pw', {cluster: true});
    const keys = [b('\xff\xfe'), b('k:\xff\xfe:1'), b('{\xff}x'), b('\x00\x01{\xfe\xff}tail'), Buffer.from('plain-utf8-key'), b('\x80')];
    // redis-cli -x takes the last argument raw from stdin: the key's exact bytes
    for (const key of keys) {
      const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--no-auth-warning', '-x', 'CLUSTER', 'KEYSLOT'], {input: key, env: {...process.env, REDISCLI_AUTH: redis.password}});
      expect({key: key.toString('hex'), slot: keySlot(key)}).toEqual({key: key.toString('hex'), slot: Number(r.stdout.toString().trim())});
    }
  });
});
