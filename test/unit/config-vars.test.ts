import {classifyConfigVars, secretKeys} from '../../src/domain/config-vars.ts';

describe('config var classification', () => {
  const owned = new Map([
    ['DATABASE_URL', {addon: 'postgresql-curly-1', action: 'remap' as const, note: 'RDS URL'}],
    ['HEROKU_POSTGRESQL_AMBER_URL', {addon: 'postgresql-curly-1', action: 'remap' as const}],
    ['SENDGRID_API_KEY', {addon: 'sendgrid-1', action: 'keep' as const}],
    ['PAPERTRAIL_API_TOKEN', {addon: 'papertrail-1', action: 'drop' as const}],
  ]);
  const vars = ['STRIPE_KEY', 'DATABASE_URL', 'HEROKU_POSTGRESQL_AMBER_URL', 'PORT', 'DYNO', 'HEROKU_APP_NAME', 'HEROKU_FOO', 'SENDGRID_API_KEY', 'PAPERTRAIL_API_TOKEN', 'NODE_ENV'].map((name) => ({name}));
  const plans = classifyConfigVars(vars, owned);
  const by = (n: string) => plans.find((p) => p.name === n);

  it.each([
    ['STRIPE_KEY', 'app', 'secret'],
    ['NODE_ENV', 'app', 'secret'],
    ['DATABASE_URL', 'addon', 'remap'],
    ['HEROKU_POSTGRESQL_AMBER_URL', 'addon', 'remap'],
    ['SENDGRID_API_KEY', 'addon', 'secret'],
    ['PAPERTRAIL_API_TOKEN', 'addon', 'drop'],
    ['PORT', 'platform', 'translate'],
    ['DYNO', 'platform', 'drop'],
    ['HEROKU_APP_NAME', 'platform', 'translate'],
    ['HEROKU_FOO', 'platform', 'drop'],
  ])('%s is %s -> %s', (name, cls, action) => {
    expect(by(name)).toMatchObject({class: cls, action});
  });

  it('add-on ownership wins over the HEROKU_ prefix, and the owner is named', () => {
    expect(by('HEROKU_POSTGRESQL_AMBER_URL')?.owner).toBe('postgresql-curly-1');
  });

  it('sorts by name and lists the secret keys', () => {
    expect(plans.map((p) => p.name)).toEqual([...plans.map((p) => p.name)].sort());
    expect(secretKeys(plans)).toEqual(['NODE_ENV', 'SENDGRID_API_KEY', 'STRIPE_KEY']);
  });
});
