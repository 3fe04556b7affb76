import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {assembleAppModel} from '../../src/domain/discovery.ts';
import {buildPlan} from '../../src/domain/plan.ts';
import {planDrift} from '../../src/domain/plan-drift.ts';
import {sampleApp} from '../fakes/heroku-server.ts';
import {ROOT} from '../support/cli.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'templates/addons/catalog.json'), 'utf8')));
const model = () => {
  const f = sampleApp();
  const slug = f.slugs.at(-1)!;
  return assembleAppModel({...f, slug, releases: f.releases, dynoSizes: []});
};

describe('plan drift against the live Heroku app', () => {
  const plan = buildPlan(model(), catalog, {source: 'heroku:shop'});

  it('none when only scale and config values changed', () => {
    const live = model();
    live.processes = live.processes.map((p) => ({...p, quantity: p.quantity + 3}));
    live.configVars = live.configVars.map((c) => ({...c, fingerprint: 'hmac-sha256:00000000:' + '0'.repeat(64)}));
    expect(planDrift(plan, live)).toEqual([]);
  });

  it('names new, gone and changed process types, add-ons, release command and config vars', () => {
    const live = model();
    live.processes = [...live.processes.filter((p) => p.type !== 'clock'), {type: 'mailer', command: 'bin/mailer', quantity: 1, size: 'standard-1x'}];
    live.processes = live.processes.map((p) => (p.type === 'web' ? {...p, size: 'performance-m'} : p));
    live.releaseCommand = 'bin/rails db:migrate && bin/seed';
    live.addons = live.addons.filter((a) => a.service !== 'sendgrid');
    live.configVars = [...live.configVars, {name: 'NEW_FLAG'}];
    expect(planDrift(plan, live)).toEqual([
      'add-on sendgrid-clear-33333 is gone from Heroku',
      'config var NEW_FLAG is new on Heroku',
      'process type clock is gone from Heroku',
      'process type mailer is new on Heroku',
      'process type web changed (bundle exec puma -C config/puma.rb @ standard-2x -> bundle exec puma -C config/puma.rb @ performance-m)',
      'release command release changed (bundle exec rails db:migrate -> bin/rails db:migrate && bin/seed)',
    ]);
  });
});
