import {readFileSync} from 'node:fs';
import {MigrateError} from '../../src/domain/errors.ts';
import {appModelSchema} from '../../src/domain/model.ts';
import {appModelFromRepo, type RepoSources, slugifyAppName} from '../../src/domain/sources/app-from-repo.ts';

const examples = new URL('../../examples/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, examples), 'utf8');
const CANARY = 'CANARY-env-default-51be';

const repo = (parts: {appJson?: unknown; procfile?: string; hasDockerfile?: boolean; dirName?: string}): RepoSources => {
  const out: RepoSources = {dirName: parts.dirName ?? 'myapp', hasDockerfile: parts.hasDockerfile ?? false};
  if (parts.appJson !== undefined) out.appJson = {text: typeof parts.appJson === 'string' ? parts.appJson : JSON.stringify(parts.appJson, null, 2), file: 'myapp/app.json'};
  if (parts.procfile !== undefined) out.procfile = {text: parts.procfile, file: 'myapp/Procfile'};
  return out;
};

describe('appModelFromRepo', () => {
  it('builds the shop example', () => {
    const {model, warnings} = appModelFromRepo({
      dirName: 'shop',
      appJson: {text: read('shop/app.json'), file: 'examples/shop/app.json'},
      procfile: {text: read('shop/Procfile'), file: 'examples/shop/Procfile'},
      hasDockerfile: false,
    });
    expect(warnings).toEqual([]);
    expect(model).toEqual({
      name: 'shop',
      origin: 'app-json',
      stack: 'heroku-24',
      buildpacks: ['heroku/nodejs'],
      hasDockerfile: false,
      processes: [
        {type: 'clock', command: 'node server.js clock', quantity: 1, size: 'standard-1x'},
        {type: 'web', command: 'node server.js', quantity: 2, size: 'standard-2x'},
        {type: 'worker', command: 'node server.js worker', quantity: 1, size: 'standard-1x'},
      ],
      releaseCommand: 'npm run migrate',
      postdeployScript: 'npm run seed',
      configVars: [
        {name: 'LOG_LEVEL', required: true},
        {name: 'NODE_ENV', required: true},
        {name: 'SENTRY_DSN', required: false},
        {name: 'SESSION_SECRET', required: true},
        {name: 'STRIPE_API_KEY', required: true},
        {name: 'WEB_CONCURRENCY', required: false},
      ],
      addons: [
        {name: 'DATABASE', service: 'heroku-postgresql', plan: 'standard-0', configVars: [], attachments: ['DATABASE']},
        {name: 'heroku-redis', service: 'heroku-redis', plan: 'premium-0', configVars: [], attachments: []},
        {name: 'papertrail', service: 'papertrail', plan: 'choklad', configVars: [], attachments: []},
        {name: 'scheduler', service: 'scheduler', plan: 'standard', configVars: [], attachments: []},
        {name: 'sendgrid', service: 'sendgrid', plan: 'starter', configVars: [], attachments: []},
      ],
      domains: [],
      logDrains: [],
    });
    expect(appModelSchema.parse(model)).toEqual(model);
  });

  it('uses Heroku first-deploy defaults without app.json: web 1, others 0, standard-1x, with warnings', () => {
    const {model, warnings} = appModelFromRepo(repo({procfile: 'web: npm start\nworker: node w.js\nclock: node c.js\nrelease: npm run migrate\n', dirName: 'My App'}));
    expect(model.name).toBe('my-app');
    expect(model.processes).toEqual([
      {type: 'clock', command: 'node c.js', quantity: 0, size: 'standard-1x'},
      {type: 'web', command: 'npm start', quantity: 1, size: 'standard-1x'},
      {type: 'worker', command: 'node w.js', quantity: 0, size: 'standard-1x'},
    ]);
    expect(model.releaseCommand).toBe('npm run migrate');
    expect(model).toMatchObject({configVars: [], addons: [], buildpacks: [], domains: [], logDrains: []});
    expect(model.stack).toBeUndefined();
    expect(model.postdeployScript).toBeUndefined();
    expect(warnings).toEqual([
      'The directory name "My App" is not a valid Heroku app name; using "my-app".',
      `No quantity in app.json's formation for clock, worker: planned with 0 dynos, as Heroku starts them on a first deploy. If they run, set e.g. "formation": {"worker": {"quantity": 1}} in app.json.`,
      "No dyno size in app.json's formation for clock, web, worker: assuming standard-1x (512 MB, the same as basic and eco).",
    ]);
    expect(appModelSchema.safeParse(model).success).toBe(true);
  });

  it('fills gaps in a partial formation', () => {
    const {model, warnings} = appModelFromRepo(
      repo({appJson: {name: 'x-app', formation: {web: {size: 'performance-m'}, worker: {quantity: 3}}}, procfile: 'web: a\nworker: b\n'}),
    );
    expect(model.processes).toEqual([
      {type: 'web', command: 'a', quantity: 1, size: 'performance-m'},
      {type: 'worker', command: 'b', quantity: 3, size: 'standard-1x'},
    ]);
    expect(warnings).toEqual(["No dyno size in app.json's formation for worker: assuming standard-1x (512 MB, the same as basic and eco)."]);
  });

  it('warns about formation types the Procfile does not declare, and about formation.release', () => {
    const {model, warnings} = appModelFromRepo(
      repo({
        appJson: {formation: {web: {quantity: 1, size: 'basic'}, urgent: {quantity: 2, size: 'basic'}, release: {quantity: 1}, beat: {quantity: 1}}},
        procfile: 'web: a\nrelease: m\n',
      }),
    );
    expect(model.processes.map((p) => p.type)).toEqual(['web']);
    expect(model.releaseCommand).toBe('m');
    expect(warnings).toEqual([
      'myapp/app.json: formation.release is ignored: the release command runs once per deploy, it is not scaled.',
      'myapp/app.json: formation lists beat, urgent, which myapp/Procfile does not declare; ignored.',
    ]);
  });

  it('warns when the Procfile declares only release', () => {
    const {model, warnings} = appModelFromRepo(repo({procfile: 'release: m\n'}));
    expect(model.processes).toEqual([]);
    expect(model.releaseCommand).toBe('m');
    expect(warnings).toEqual(['myapp/Procfile: declares only a release command; no process will run.']);
  });

  it.each([
    [false, "the buildpack's default process types"],
    [true, "the Dockerfile's CMD"],
  ])('plans no processes without a Procfile (Dockerfile: %s) and says why', (hasDockerfile, from) => {
    const {model, warnings} = appModelFromRepo(repo({appJson: {name: 'api', formation: {web: {quantity: 2}}}, hasDockerfile}));
    expect(model.processes).toEqual([]);
    expect(model.hasDockerfile).toBe(hasDockerfile);
    expect(warnings).toEqual([
      `No Procfile: on Heroku the process commands came from ${from}, which this tool cannot read, so no processes are planned; app.json's formation for web is ignored. Add a Procfile, e.g. \`web: npm start\`.`,
    ]);
  });

  it('fails when neither app.json nor Procfile is present, naming both', () => {
    let error: unknown;
    try {
      appModelFromRepo({dirName: 'empty', hasDockerfile: true});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrateError);
    const e = error as MigrateError;
    expect(e.code).toBe('input');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('No app.json and no Procfile in "empty": nothing describes the app.');
    expect(e.hint).toMatch(/app\.json and\/or Procfile/);
  });

  it('passes on errors from either file', () => {
    expect(() => appModelFromRepo(repo({appJson: '{"name": "x",}', procfile: 'web: a'}))).toThrow("myapp/app.json:1:13: invalid JSON: unexpected ',' before '}'");
    expect(() => appModelFromRepo(repo({appJson: {name: 'x'}, procfile: 'web:\n'}))).toThrow('myapp/Procfile:1: process type "web" has no command.');
  });

  it('maps add-ons: name = as or service (unique), attachments = as, owned vars left to the planner', () => {
    const {model, warnings} = appModelFromRepo(
      repo({
        appJson: {addons: ['heroku-redis:mini', {plan: 'heroku-postgresql:essential-0', as: 'DATABASE'}, 'heroku-redis:premium-0', {plan: 'heroku-postgresql', as: 'ANALYTICS'}]},
        procfile: 'web: a',
      }),
    );
    expect(model.addons).toEqual([
      {name: 'ANALYTICS', service: 'heroku-postgresql', configVars: [], attachments: ['ANALYTICS']},
      {name: 'DATABASE', service: 'heroku-postgresql', plan: 'essential-0', configVars: [], attachments: ['DATABASE']},
      {name: 'heroku-redis', service: 'heroku-redis', plan: 'mini', configVars: [], attachments: []},
      {name: 'heroku-redis-2', service: 'heroku-redis', plan: 'premium-0', configVars: [], attachments: []},
    ]);
    expect(warnings).toContain('myapp/app.json: add-on heroku-redis appears more than once without a distinct "as"; the extra one is named "heroku-redis-2".');
  });

  it('keeps config var names and required flags, never values', () => {
    const appJson = {
      env: {SECRET_KEY_BASE: {generator: 'secret'}, API_TOKEN: {value: CANARY}, PLAIN: CANARY, OPTIONAL: {required: false, value: CANARY}},
      scripts: {postdeploy: {command: 'bin/seed', size: 'standard-2x'}},
    };
    const result = appModelFromRepo(repo({appJson, procfile: 'web: a'}));
    expect(result.model.configVars).toEqual([
      {name: 'API_TOKEN', required: true},
      {name: 'OPTIONAL', required: false},
      {name: 'PLAIN', required: true},
      {name: 'SECRET_KEY_BASE', required: true},
    ]);
    expect(result.model.configVars.every((v) => v.fingerprint === undefined)).toBe(true);
    expect(result.model.postdeployScript).toBe('bin/seed');
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it('takes the name from app.json, made valid, else from the directory', () => {
    expect(appModelFromRepo(repo({appJson: {name: 'shop'}, procfile: 'web: a', dirName: 'other'})).model.name).toBe('shop');
    const named = appModelFromRepo(repo({appJson: {name: 'Small Sharp Tool'}, procfile: 'web: a'}));
    expect(named.model.name).toBe('small-sharp-tool');
    expect(named.warnings[0]).toBe('myapp/app.json: "name" is not a valid Heroku app name; using "small-sharp-tool".');
    const unusable = appModelFromRepo(repo({appJson: {name: '!!!'}, procfile: 'web: a', dirName: 'fallback'}));
    expect(unusable.model.name).toBe('fallback');
    expect(unusable.warnings[0]).toBe('myapp/app.json: "name" gives no usable app name; using the directory name instead.');
    expect(appModelFromRepo(repo({appJson: {}, procfile: 'web: a', dirName: 'from-dir'})).model.name).toBe('from-dir');
  });

  it('gives the same model whatever the order of entries in the files', () => {
    const a = appModelFromRepo(
      repo({
        appJson: {env: {B: 'x', A: {}}, addons: ['papertrail:choklad', 'heroku-redis:mini'], formation: {worker: {quantity: 1}, web: {quantity: 2}}},
        procfile: 'worker: w\nweb: a\n',
      }),
    );
    const b = appModelFromRepo(
      repo({
        appJson: {formation: {web: {quantity: 2}, worker: {quantity: 1}}, addons: ['heroku-redis:mini', 'papertrail:choklad'], env: {A: {}, B: 'y'}},
        procfile: 'web: a\nworker: w\n',
      }),
    );
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(JSON.stringify(a)).toBe(
      JSON.stringify(
        appModelFromRepo(
          repo({
            appJson: {env: {B: 'x', A: {}}, addons: ['papertrail:choklad', 'heroku-redis:mini'], formation: {worker: {quantity: 1}, web: {quantity: 2}}},
            procfile: 'worker: w\nweb: a\n',
          }),
        ),
      ),
    );
  });
});

describe('slugifyAppName', () => {
  it.each([
    ['shop', 'shop'],
    ['My Shop!', 'my-shop'],
    ['  --Shop__Demo--  ', 'shop-demo'],
    ['Café Crème', 'cafe-creme'],
    ['42things', 'app-42things'],
    ['a', 'a-app'],
    ['x'.repeat(40), 'x'.repeat(30)],
    [`ab${'-'.repeat(27)}cd`, 'ab-cd'],
    [`${'a'.repeat(29)} b`, 'a'.repeat(29)],
    ['!!!', undefined],
    ['', undefined],
    ['日本', undefined],
  ])('%j -> %j', (raw, slug) => {
    expect(slugifyAppName(raw)).toBe(slug);
  });
});
