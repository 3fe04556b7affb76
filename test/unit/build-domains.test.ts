import {cnbFor, planBuild} from '../../src/domain/build.ts';
import {planDomains} from '../../src/domain/domains.ts';
import {awsRegionFor} from '../../src/domain/regions.ts';

describe('image build strategy', () => {
  it.each([
    ['heroku/nodejs', 'heroku/nodejs'],
    ['https://github.com/heroku/heroku-buildpack-ruby', 'heroku/ruby'],
    ['urn:buildpack:heroku/python', 'heroku/python'],
    ['https://github.com/some/custom-buildpack', undefined],
  ])('%s -> %s', (bp, cnb) => expect(cnbFor(bp)).toBe(cnb));

  it('uses the builder matching the stack', () => {
    expect(planBuild({app: 'shop', stack: 'heroku-24', buildpacks: ['heroku/nodejs']}).build).toEqual({
      strategy: 'cloud-native-buildpacks',
      builder: 'heroku/builder:24',
      buildpacks: ['heroku/nodejs'],
      command: 'pack build shop:<git-sha> --builder heroku/builder:24 --buildpack heroku/nodejs --platform linux/amd64',
    });
    expect(planBuild({app: 'shop', stack: 'heroku-22', buildpacks: []}).build.builder).toBe('heroku/builder:22');
  });

  it('prefers the Dockerfile, and the container stack', () => {
    expect(planBuild({app: 'shop', stack: 'heroku-24', buildpacks: ['heroku/nodejs'], hasDockerfile: true}).build.strategy).toBe('dockerfile');
    expect(planBuild({app: 'shop', stack: 'container', buildpacks: []}).build.strategy).toBe('dockerfile');
  });

  it('turns unknown buildpacks and stacks into warnings and manual steps', () => {
    const r = planBuild({app: 'shop', stack: 'cedar-14', buildpacks: ['https://example.test/bp.tgz']});
    expect(r.warnings).toHaveLength(2);
    expect(r.manualSteps[0]).toMatch(/bp\.tgz/);
  });
});

describe('domains', () => {
  it('maps custom domains to load balancer hostnames and the certificate, Heroku host to the origin', () => {
    const {domains, warnings} = planDomains('shop', [
      {hostname: 'www.shop.example', kind: 'custom', acmStatus: 'cert issued'},
      {hostname: '*.shop.example', kind: 'custom'},
      {hostname: 'shop-1a2b.herokuapp.com', kind: 'heroku'},
    ]);
    expect(domains).toEqual({
      hostnames: ['*.shop.example', 'www.shop.example'],
      certificate: {domainNames: ['*.shop.example', 'www.shop.example']},
      herokuOrigin: 'shop-1a2b.herokuapp.com',
      herokuHostHeader: 'www.shop.example',
    });
    expect(warnings).toEqual([]);
  });

  it('warns without a custom domain and accepts extra ones', () => {
    const none = planDomains('shop', []);
    expect(none.domains.herokuOrigin).toBe('shop.herokuapp.com');
    expect(none.manualSteps[0]).toMatch(/custom domain/);
    expect(planDomains('shop', [], ['API.Shop.example']).domains.hostnames).toEqual(['api.shop.example']);
  });

  it('flags a failing ACM status', () => {
    expect(planDomains('shop', [{hostname: 'a.example', kind: 'custom', acmStatus: 'failing'}]).warnings[0]).toMatch(/failing/);
  });
});

describe('regions', () => {
  it.each([
    ['us', 'us-east-1'],
    ['eu', 'eu-west-1'],
    ['tokyo', 'ap-northeast-1'],
    [undefined, 'us-east-1'],
  ])('%s -> %s', (h, a) => expect(awsRegionFor(h)).toBe(a));
});
