/** The Host header choice for the Cloudflare origins (src/domain/edge-hosts.ts). */
import {chooseHerokuHost, herokuHostCandidates, hostRuleWithoutDns, isSubdomainOf} from '../../src/domain/edge-hosts.ts';
import {MigrateError} from '../../src/domain/errors.ts';

describe('edge Host headers', () => {
  it('tells a subdomain of a zone from a lookalike', () => {
    expect(isSubdomainOf('shop.example.com', 'example.com')).toBe(true);
    expect(isSubdomainOf('Example.COM.', 'example.com')).toBe(true);
    expect(isSubdomainOf('badexample.com', 'example.com')).toBe(false);
    expect(isSubdomainOf('example.com.evil.net', 'example.com')).toBe(false);
    expect(isSubdomainOf('example.com', '')).toBe(false);
  });

  it('applies the address and zone rules, leaving the rest to DNS', () => {
    expect(hostRuleWithoutDns('shop.herokuapp.com', 'shop.herokuapp.com', {zoneNames: []})).toBe('address');
    expect(hostRuleWithoutDns('www.shop.example', 'shop.herokuapp.com', {zoneNames: ['shop.example']})).toBe('zone');
    expect(hostRuleWithoutDns('www.other.example', 'shop.herokuapp.com', {zoneNames: ['shop.example']})).toBeNull();
    expect(hostRuleWithoutDns('www.shop.example', 'shop.herokuapp.com', {zoneNames: null})).toBeNull();
  });

  it('prefers the load-balanced hostname when Heroku serves it, then the other custom domains, never a wildcard', () => {
    expect(herokuHostCandidates('shop.example.com', ['a.example.com', 'SHOP.example.com', '*.example.com'])).toEqual(['shop.example.com', 'a.example.com']);
    expect(herokuHostCandidates('lb.example.com', ['b.example.com', 'a.example.com'])).toEqual(['b.example.com', 'a.example.com']);
    expect(herokuHostCandidates('lb.example.com', ['*.example.com'])).toEqual([]);
  });

  it('picks the first accepted candidate, warning when it is not the hostname', () => {
    expect(chooseHerokuHost('shop.example.com', ['shop.example.com', 'a.other.net'], ['shop.example.com', 'a.other.net'], true)).toEqual({hostHeader: 'shop.example.com', warnings: []});
    const other = chooseHerokuHost('lb.example.com', ['a.other.net', 'b.example.com'], ['b.example.com'], true);
    expect(other.hostHeader).toBe('b.example.com');
    expect(other.warnings.join()).toMatch(/Heroku does not serve lb\.example\.com.*heroku domains:add lb\.example\.com/);
  });

  it('stops with what to do when no candidate is accepted, or there is none', () => {
    const none = () => chooseHerokuHost('lb.example.com', ['a.other.net'], [], false);
    expect(none).toThrow(MigrateError);
    expect(none).toThrow(/none of a\.other\.net is one \(the token cannot list the account's zones/);
    try {
      chooseHerokuHost('lb.example.com', [], [], true);
    } catch (err) {
      expect(err).toMatchObject({code: 'input', exitCode: 1});
      expect((err as MigrateError).hint).toMatch(/heroku domains:add lb\.example\.com.*Nothing was created/);
    }
    expect.assertions(4);
  });
});
