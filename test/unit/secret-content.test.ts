import {MigrateError} from '../../src/domain/errors.ts';
import {checkSecretSize, contentDigest, mergeSecret, nameDrift, parseSecretJson, serializeSecret, verifyContent} from '../../src/domain/secret-content.ts';

describe('secret content', () => {
  it('diffs by hash: added, changed, unchanged; removed kept unless prune', () => {
    const current = {A: '1', B: '2', GONE: 'x'};
    const desired = {A: '1', B: 'two', C: '3'};
    expect(mergeSecret(desired, current, false)).toEqual({
      content: {A: '1', B: 'two', C: '3', GONE: 'x'},
      diff: {added: ['C'], changed: ['B'], removed: [], kept: ['GONE'], unchanged: 1},
    });
    expect(mergeSecret(desired, current, true).diff).toEqual({added: ['C'], changed: ['B'], removed: ['GONE'], kept: [], unchanged: 1});
    expect(mergeSecret(desired, null, false).diff.added).toEqual(['A', 'B', 'C']);
  });

  it('serializes with sorted keys and carries every byte', () => {
    const tricky = {Z: '-----BEGIN KEY-----\nabc\n-----END KEY-----\n', A: ' pad ', M: 'a="b"#c', E: '', U: 'ü🚀'};
    const json = serializeSecret(tricky);
    expect(Object.keys(JSON.parse(json))).toEqual(['A', 'E', 'M', 'U', 'Z']);
    expect(JSON.parse(json)).toEqual(tricky);
    expect(verifyContent(tricky, JSON.parse(json))).toEqual([]);
  });

  it('verify names mismatching, missing and extra keys', () => {
    expect(verifyContent({A: '1', B: '2'}, {A: '1', B: '3', C: '4'})).toEqual(['B', 'C']);
  });

  it('the digest depends on names and values only, not order', () => {
    expect(contentDigest({A: '1', B: '2'})).toBe(contentDigest({B: '2', A: '1'}));
    expect(contentDigest({A: '1'})).not.toBe(contentDigest({A: '2'}));
  });

  it('refuses more than 65,536 bytes naming the largest keys, never values', () => {
    const big = {SMALL: 'x', HUGE: 'v'.repeat(60_000), MEDIUM: 'w'.repeat(6_000)};
    expect(() => checkSecretSize(big, 's')).toThrow(/Largest keys: HUGE \(600\d\d bytes\), MEDIUM \(60\d\d bytes\), SMALL/);
    try {
      checkSecretSize(big, 's');
    } catch (err) {
      expect((err as MigrateError).message).not.toContain('vvvv');
    }
    expect(checkSecretSize({A: 'v'.repeat(65_000)}, 's')).toBeLessThanOrEqual(65_536);
  });

  it('refuses secrets that are not flat JSON objects of strings', () => {
    expect(() => parseSecretJson('not json', 'x')).toThrow(/not written by heroku2aws/);
    expect(() => parseSecretJson('{"a":{"b":1}}', 'x')).toThrow(/flat JSON object/);
  });

  it('reports name drift both ways', () => {
    expect(nameDrift(['A', 'B'], ['B', 'C'])).toEqual({added: ['C'], removed: ['A']});
  });
});
