import {mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fingerprintKeyFile, loadFingerprintKey, loadFingerprinter} from '../../src/adapters/files/fingerprint-key.ts';
import {dropLegacyFingerprint, KEYED_FINGERPRINT_RE, keyedFingerprint} from '../../src/domain/fingerprint.ts';
import {appModelSchema} from '../../src/domain/model.ts';

const home = () => mkdtempSync(join(tmpdir(), 'h2a-fp-'));

describe('keyed fingerprints', () => {
  it('are HMACs: stable under one key, different under another, never the plain SHA-256', () => {
    const a = keyedFingerprint(Buffer.alloc(32, 1));
    const b = keyedFingerprint(Buffer.alloc(32, 2));
    expect(a('')).toMatch(KEYED_FINGERPRINT_RE);
    expect(a('x')).toBe(a('x'));
    expect(a('x')).not.toBe(a('y'));
    expect(a('x').slice(-64)).not.toBe(b('x').slice(-64));
    expect(a('x').split(':')[1]).not.toBe(b('x').split(':')[1]); // key ids differ
    expect(a('')).not.toContain('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(() => keyedFingerprint(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('older plain fingerprints are dropped on read, keyed ones kept', () => {
    expect(dropLegacyFingerprint({name: 'A', fingerprint: 'sha256:' + 'a'.repeat(64)})).toEqual({name: 'A'});
    const keyed = {name: 'A', fingerprint: 'hmac-sha256:0123abcd:' + 'a'.repeat(64)};
    expect(dropLegacyFingerprint(keyed)).toBe(keyed);
    const model = appModelSchema.shape.configVars.parse([{name: 'A', fingerprint: 'sha256:' + 'b'.repeat(64)}, keyed]);
    expect(model).toEqual([{name: 'A'}, keyed]);
  });
});

describe('the fingerprint key', () => {
  it('is made once per user (0600, outside the repository) and reused', async () => {
    const env = {HOME: home()};
    const k1 = await loadFingerprintKey(env);
    const k2 = await loadFingerprintKey(env);
    expect(k1.equals(k2)).toBe(true);
    expect(k1.length).toBe(32);
    const file = fingerprintKeyFile(env);
    expect(file).toBe(join(env.HOME, '.config', 'heroku2aws', 'fingerprint.key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(k1.toString('hex'));
  });

  it('MIGRATE_FINGERPRINT_KEY wins (hex or text of 32+ bytes); a short one is a usage error', async () => {
    const env = {HOME: home(), MIGRATE_FINGERPRINT_KEY: 'ab'.repeat(32)};
    expect((await loadFingerprintKey(env)).equals(Buffer.from('ab'.repeat(32), 'hex'))).toBe(true);
    expect((await loadFingerprinter({HOME: home(), MIGRATE_FINGERPRINT_KEY: 'ab'.repeat(32)}))('v')).toBe((await loadFingerprinter(env))('v'));
    await expect(loadFingerprintKey({HOME: home(), MIGRATE_FINGERPRINT_KEY: 'short'})).rejects.toMatchObject({code: 'usage', message: expect.stringMatching(/too short/)});
  });

  it('a damaged key file is named with the fix', async () => {
    const env = {HOME: home()};
    mkdirSync(join(env.HOME, '.config', 'heroku2aws'), {recursive: true});
    writeFileSync(fingerprintKeyFile(env), 'abc\n');
    await expect(loadFingerprintKey(env)).rejects.toMatchObject({message: expect.stringContaining(fingerprintKeyFile(env)), hint: expect.stringMatching(/Delete/)});
  });
});
