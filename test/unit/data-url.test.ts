/** DataUrl: parsing, display without credentials, and redaction of every encoding of the password. */
import {inspect} from 'node:util';
import {DataUrl, redact} from '../../src/domain/data-url.ts';
import {MigrateError} from '../../src/domain/errors.ts';

const PW = 'p@ss:w/rd canary%';
const raw = `postgres://u8abc:${encodeURIComponent(PW)}@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9xyz`;

describe('DataUrl', () => {
  it('parses Heroku-style Postgres URLs; display, JSON, String and inspect carry no credentials', () => {
    const u = DataUrl.parse(raw, 'postgres', 'DATABASE_URL');
    expect([u.host, u.port, u.database, u.user, u.password, u.sslMode, u.tls]).toEqual(['ec2-1-2-3-4.compute-1.amazonaws.com', 5432, 'd9xyz', 'u8abc', PW, 'require', true]);
    for (const shown of [u.display, JSON.stringify({u}), String(u), `${u}`, inspect(u)]) {
      expect(shown).not.toMatch(/canary|p@ss|u8abc/);
      expect(shown).toContain('ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9xyz');
    }
    expect(u.reveal()).toBe(raw);
  });

  it('defaults: loopback Postgres without TLS, sslmode from the URL, Redis db and rediss', () => {
    expect(DataUrl.parse('postgres://a:b@127.0.0.1/x', 'postgres', 'x').sslMode).toBe('disable');
    expect(DataUrl.parse('postgresql://a:b@db.example/x?sslmode=verify-full', 'postgres', 'x')).toMatchObject({sslMode: 'verify-full', tls: true});
    expect(DataUrl.parse('redis://:pw@h:25070/3', 'redis', 'x')).toMatchObject({database: '3', tls: false, port: 25070});
    expect(DataUrl.parse('rediss://:pw@h', 'redis', 'x')).toMatchObject({database: '0', tls: true, port: 6379, display: 'rediss://h:6379/0'});
  });

  it('the id names the endpoint (same endpoint, same id) without holding the password', () => {
    const a = DataUrl.parse(raw, 'postgres', 'a');
    const b = DataUrl.parse(raw.replace(encodeURIComponent(PW), 'other'), 'postgres', 'b');
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(DataUrl.parse(raw.replace('d9xyz', 'other'), 'postgres', 'c').id);
  });

  it.each([
    ['not a url', 'postgres', /is not a URL/],
    ['mysql://a:b@h/d', 'postgres', /is a mysql:\/\/ URL, not a postgres URL/],
    ['postgres://a:b@h/d', 'redis', /not a redis URL/],
    ['redis://h/abc', 'redis', /Redis databases are numbers/],
    ['postgres://a:b@h/d?sslmode=sometimes', 'postgres', /sslmode=sometimes/],
  ])('rejects %s, naming the label only', (value, engine, message) => {
    let err: unknown;
    try {
      DataUrl.parse(value, engine as 'postgres' | 'redis', 'SOURCE_URL');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain('SOURCE_URL');
    expect((err as MigrateError).exitCode).toBe(2);
  });

  it('redact() removes the raw URL and the password decoded, encoded, and any other credentialed URL', () => {
    const u = DataUrl.parse(raw, 'postgres', 'x');
    const text = `failed ${raw} / ${PW} / ${encodeURIComponent(PW)} / redis://:zz-canary@h:1 / postgres://x:y-canary@z/db`;
    const out = redact(text, [u]);
    expect(out).not.toMatch(/canary|p@ss/);
    expect(out).toContain('[redacted]');
  });
});
