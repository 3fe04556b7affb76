/** The backend record and the bucket rules of `migrate state init` (pure domain). */
import {checkBucketName, checkKmsKey, describeBackend, normalizePrefix, parseBackend, policyWithTlsOnly, TLS_ONLY_SID} from '../../src/domain/backend.ts';
import {MigrateError} from '../../src/domain/errors.ts';

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).exitCode).toBe(2);
    return (err as MigrateError).message;
  }
  throw new Error('expected a usage error');
};

describe('bucket names', () => {
  it.each(['acme-heroku2aws-state', 'a.b.c', 'abc', 'x'.repeat(63)])('accepts %s', (name) => expect(() => checkBucketName(name)).not.toThrow());
  it.each([
    ['ab', /2 characters/],
    ['x'.repeat(64), /64 characters/],
    ['Upper', /characters other than/],
    ['under_score', /characters other than/],
    ['-dash', /characters other than/],
    ['a..b', /adjacent dots/],
    ['192.168.1.1', /IP address/],
    ['xn--bucket', /reserved prefix/],
    ['bucket-s3alias', /reserved suffix/],
  ])('refuses %s', (name, why) => expect(usage(() => checkBucketName(name))).toMatch(why));
});

describe('prefixes and KMS keys', () => {
  it('normalizes slashes and refuses empty segments and odd characters', () => {
    expect(normalizePrefix('/teams/payments/')).toBe('teams/payments');
    expect(normalizePrefix('')).toBe('');
    for (const p of ['a//b', 'a/../b', 'a b', 'x'.repeat(201)]) usage(() => normalizePrefix(p));
  });
  it('takes key ids, ARNs and aliases', () => {
    for (const k of ['1234abcd-12ab-34cd-56ef-1234567890ab', 'mrk-1234abcd12ab34cd56ef1234567890ab', 'alias/heroku2aws', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:eu-west-1:123456789012:alias/state']) {
      expect(() => checkKmsKey(k)).not.toThrow();
    }
    expect(usage(() => checkKmsKey('my-key'))).toMatch(/not a KMS key id, key ARN or alias/);
  });
});

describe('backend.json', () => {
  it('parses both kinds and refuses a newer major or a bad field', () => {
    expect(parseBackend({schemaVersion: '1.0', type: 'local'}, 'b.json')).toEqual({schemaVersion: '1.0', type: 'local'});
    const s3 = {schemaVersion: '1.0', type: 's3', bucket: 'b-1', prefix: 'heroku2aws', region: 'eu-west-1', leaseSeconds: 60};
    expect(parseBackend(s3, 'b.json')).toEqual(s3);
    expect(() => parseBackend({...s3, schemaVersion: '2.0'}, 'b.json')).toThrow(/newer than this migrate supports/);
    expect(() => parseBackend({...s3, bucket: 3}, 'b.json')).toThrow(/b.json is not a valid backend file: bucket/);
    expect(() => parseBackend({schemaVersion: '1.0', type: 'ftp'}, 'b.json')).toThrow(/not a valid backend file/);
  });
  it('describes where the state is', () => {
    expect(describeBackend({schemaVersion: '1.0', type: 's3', bucket: 'b-1', prefix: '', region: 'us-east-1'}, 'plans/shop', 'shop')).toBe('s3://b-1/shop/ (us-east-1)');
    expect(describeBackend({schemaVersion: '1.0', type: 'local'}, 'plans/shop', 'shop')).toBe('plans/shop (local files)');
  });
});

describe('TLS-only bucket policy', () => {
  it('creates a policy with the deny statement when there is none', () => {
    const p = JSON.parse(policyWithTlsOnly(null, 'b-1')!);
    expect(p.Statement).toEqual([expect.objectContaining({Sid: TLS_ONLY_SID, Effect: 'Deny', Resource: ['arn:aws:s3:::b-1', 'arn:aws:s3:::b-1/*'], Condition: {Bool: {'aws:SecureTransport': 'false'}}})]);
  });
  it('keeps the statements a bucket already has, and adds nothing when TLS is already required', () => {
    const theirs = {Version: '2012-10-17', Statement: [{Sid: 'ReadOnlyForAudit', Effect: 'Allow', Principal: {AWS: 'arn:aws:iam::123456789012:role/audit'}, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b-1/*'}]};
    const merged = JSON.parse(policyWithTlsOnly(JSON.stringify(theirs), 'b-1')!);
    expect(merged.Statement).toHaveLength(2);
    expect(merged.Statement[0]).toEqual(theirs.Statement[0]);
    expect(policyWithTlsOnly(JSON.stringify(merged), 'b-1')).toBeNull();
    expect(() => policyWithTlsOnly('{not json', 'b-1')).toThrow(/not valid JSON/);
  });
});
