import {MigrateError} from '../../src/domain/errors.ts';
import {forgetSecrets, redact, redactDeep, rememberSecrets} from '../../src/domain/redaction.ts';

afterEach(() => forgetSecrets());

describe('redaction of known secret values', () => {
  it('replaces every known value, longest first, in the forms an echo shows', () => {
    rememberSecrets(['sk_live_canary_1234', 'sk_live_canary_1234_extended', 'line1\n"quoted"', 'a b&c=d/e']);
    expect(redact('key sk_live_canary_1234_extended and sk_live_canary_1234.')).toBe('key [redacted] and [redacted].');
    expect(redact(JSON.stringify({v: 'line1\n"quoted"'}))).toBe('{"v":"[redacted]"}');
    expect(redact(JSON.stringify(JSON.stringify({v: 'line1\n"quoted"'})))).toBe('"{\\"v\\":\\"[redacted]\\"}"');
    expect(redact(`?q=${encodeURIComponent('a b&c=d/e')}`)).toBe('?q=[redacted]');
  });

  it("redacts a URL's password on its own (errors quote passwords without the URL)", () => {
    rememberSecrets(['postgres://user:p%40ssw0rd-canary@db.example.com:5432/app']);
    expect(redact('auth failed for p@ssw0rd-canary')).toBe('auth failed for [redacted]');
    expect(redact('auth failed for p%40ssw0rd-canary')).toBe('auth failed for [redacted]');
  });

  it('redacts a value cut off at the end of an echo', () => {
    rememberSecrets(['whsec_canary_0123456789abcdef']);
    expect(redact('Invalid request: {"SecretString":"{\\"HOOK\\":\\"whsec_canary_0123')).toBe('Invalid request: {"SecretString":"{\\"HOOK\\":\\"[redacted]');
    expect(redact('ends with whsec_canar')).toBe('ends with whsec_canar'); // under 12 characters: a common prefix, not a tell
  });

  it('leaves short and boolean-like values alone (they would mangle ordinary words)', () => {
    rememberSecrets(['true', 'prod', '', 'false']);
    expect(redact('true prod false')).toBe('true prod false');
  });

  it('MigrateError messages and hints are redacted when made; redactDeep covers journal entries', () => {
    rememberSecrets(['AKIA-canary-secret-key']);
    const e = new MigrateError('aws', 'AWS error: body was AKIA-canary-secret-key', {hint: 'not AKIA-canary-secret-key'});
    expect([e.message, e.hint]).toEqual(['AWS error: body was [redacted]', 'not [redacted]']);
    expect(redactDeep({op: 'x', details: {error: 'AKIA-canary-secret-key!', n: 3, list: ['AKIA-canary-secret-key']}})).toEqual({op: 'x', details: {error: '[redacted]!', n: 3, list: ['[redacted]']}});
  });
});
