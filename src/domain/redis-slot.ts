/**
 * Redis Cluster key slots, computed on the key's BYTES (docs/facts.md, "Redis Cluster"): keys
 * are binary strings, so a key that is not valid UTF-8 (bytes \xff\xfe, say) must be hashed as
 * it is, never through a decoded string. Slot = CRC16-XMODEM(hashed part) mod 16384, where the
 * hashed part is the bytes between the first `{` and the next `}` when that holds at least one
 * byte (a hash tag), else the whole key.
 */
export const SLOTS = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-XMODEM (poly 0x1021, init 0), as Redis computes it ("123456789" -> 0x31c3). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ bytes[i]!) & 0xff] as number);
  return crc;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

export function keySlot(key: Uint8Array): number {
  const open = key.indexOf(OPEN);
  if (open >= 0) {
    const close = key.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) % SLOTS;
  }
  return crc16(key) % SLOTS;
}
