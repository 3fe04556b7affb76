import {
  chooseCertificate,
  covers,
  idempotencyToken,
  nameCovered,
  recordedCertificate,
  requestNames,
  validationRecords,
  type CertificateView,
} from '../../src/domain/certificates.ts';

const NOW = new Date('2026-12-02T08:00:00Z');
const cert = (over: Partial<CertificateView>): CertificateView => ({
  arn: 'arn:aws:acm:us-east-1:123456789012:certificate/a',
  status: 'ISSUED',
  type: 'AMAZON_ISSUED',
  domainNames: ['shop.example.com', 'www.shop.example.com'],
  notAfter: '2027-12-01T00:00:00.000Z',
  validation: [],
  tags: {},
  ...over,
});
const NAMES = ['shop.example.com', 'www.shop.example.com'];

describe('certificate names', () => {
  it('puts the first exact name of at most 64 characters first, the rest sorted and deduplicated', () => {
    expect(requestNames(['WWW.shop.example.com', '*.shop.example.com', 'shop.example.com.', 'shop.example.com'])).toEqual({
      domainName: 'shop.example.com',
      names: ['shop.example.com', '*.shop.example.com', 'www.shop.example.com'],
      warnings: [],
    });
    const long = `${'a'.repeat(60)}.example.com`;
    expect(requestNames([long, 'b.example.com']).domainName).toBe('b.example.com');
  });

  it('refuses no names or too many, and warns above the default quota', () => {
    expect(() => requestNames([])).toThrow(/no custom domain/);
    expect(() => requestNames(Array.from({length: 101}, (_, i) => `h${i}.example.com`))).toThrow(/at most 100/);
    expect(requestNames(Array.from({length: 11}, (_, i) => `h${i}.example.com`)).warnings[0]).toMatch(/default quota of 10/);
  });

  it.each([
    ['a.example.com', ['*.example.com'], true],
    ['example.com', ['*.example.com'], false],
    ['a.b.example.com', ['*.example.com'], false],
    ['A.Example.com.', ['a.example.com'], true],
    ['b.example.com', ['a.example.com'], false],
  ])('%s covered by %j: %s', (name, names, expected) => expect(nameCovered(name, names)).toBe(expected));
});

describe('choosing a certificate', () => {
  it('reuses an issued certificate covering every name, ours first', () => {
    const other = cert({arn: 'arn:x:other', type: 'IMPORTED'});
    const ours = cert({arn: 'arn:x:ours', tags: {'heroku2aws:app': 'shop'}});
    expect(chooseCertificate([other, ours], NAMES, 'shop', NOW)).toEqual({action: 'reuse', certificate: ours});
    const wildcard = cert({arn: 'arn:x:wild', domainNames: ['shop.example.com', '*.shop.example.com']});
    expect(covers(wildcard, NAMES)).toBe(true);
    expect(chooseCertificate([wildcard], NAMES, 'shop', NOW)).toMatchObject({action: 'reuse'});
  });

  it('does not reuse one missing a name, expiring within 30 days, or not issued', () => {
    const partial = cert({domainNames: ['shop.example.com']});
    const expiring = cert({notAfter: '2026-12-20T00:00:00.000Z'});
    const failed = cert({status: 'FAILED', tags: {'heroku2aws:app': 'shop'}});
    expect(chooseCertificate([partial, expiring, failed], NAMES, 'shop', NOW)).toEqual({action: 'request'});
  });

  it("resumes its own pending request for exactly these names, not someone else's", () => {
    const pendingOurs = cert({status: 'PENDING_VALIDATION', tags: {'heroku2aws:app': 'shop'}});
    const pendingTheirs = cert({status: 'PENDING_VALIDATION', arn: 'arn:x:theirs'});
    const pendingOtherNames = cert({status: 'PENDING_VALIDATION', domainNames: ['shop.example.com'], tags: {'heroku2aws:app': 'shop'}});
    expect(chooseCertificate([pendingTheirs, pendingOtherNames, pendingOurs], NAMES, 'shop', NOW)).toEqual({action: 'resume', certificate: pendingOurs});
    expect(chooseCertificate([pendingTheirs], NAMES, 'shop', NOW)).toEqual({action: 'request'});
  });

  it('gives a stable idempotency token of at most 32 word characters per app and name set', () => {
    const t = idempotencyToken('shop', NAMES);
    expect(t).toMatch(/^\w{1,32}$/);
    expect(idempotencyToken('shop', [...NAMES].reverse())).toBe(t);
    expect(idempotencyToken('shop', ['shop.example.com'])).not.toBe(t);
    expect(idempotencyToken('other', NAMES)).not.toBe(t);
  });

  it('deploy takes a recorded certificate only when issued and in its region', () => {
    const c = {arn: 'arn:c', region: 'us-east-1', status: 'ISSUED'};
    expect(recordedCertificate(c, 'us-east-1')).toBe('arn:c');
    expect(recordedCertificate(c, 'eu-west-1')).toBeUndefined();
    expect(recordedCertificate({...c, status: 'PENDING_VALIDATION'}, 'us-east-1')).toBeUndefined();
    expect(recordedCertificate(undefined, 'us-east-1')).toBeUndefined();
  });
});

describe('validation records', () => {
  const record = (domainName: string, name: string) => ({domainName, status: 'PENDING_VALIDATION', record: {name, type: 'CNAME', value: '_v.acm-validations.aws.'}});

  it('one record per distinct name (a wildcard shares its base name), without trailing dots', () => {
    const c = cert({
      validation: [record('shop.example.com', '_a.shop.example.com.'), record('*.shop.example.com', '_a.shop.example.com.'), record('www.shop.example.com', '_b.www.shop.example.com.')],
    });
    expect(validationRecords(c, 'shop.example.com')).toEqual([
      {name: '_a.shop.example.com', type: 'CNAME', content: '_v.acm-validations.aws', domainNames: ['shop.example.com', '*.shop.example.com']},
      {name: '_b.www.shop.example.com', type: 'CNAME', content: '_v.acm-validations.aws', domainNames: ['www.shop.example.com']},
    ]);
  });

  it('refuses records outside the zone (Cloudflare would append the zone name)', () => {
    const c = cert({validation: [record('shop.other.org', '_a.shop.other.org.')]});
    expect(() => validationRecords(c, 'example.com')).toThrow(/shop.other.org is not in the Cloudflare zone example.com/);
  });
});
