import {MigrateError} from '../../src/domain/errors.ts';
import type {AppModel} from '../../src/domain/model.ts';
import {mapProcesses, roleOf} from '../../src/domain/processes.ts';

const app = (processes: AppModel['processes'], extra: Partial<AppModel> = {}): AppModel => ({
  name: 'shop',
  origin: 'heroku',
  buildpacks: [],
  processes,
  configVars: [],
  addons: [],
  domains: [],
  logDrains: [],
  ...extra,
});

describe('process roles', () => {
  it.each([
    [{type: 'web', command: 'node server.js'}, 'web'],
    [{type: 'worker', command: 'bundle exec sidekiq'}, 'worker'],
    [{type: 'clock', command: 'node clock.js'}, 'clock'],
    [{type: 'scheduler', command: 'python run.py'}, 'clock'],
    [{type: 'beat', command: 'celery -A app beat'}, 'clock'],
    [{type: 'tasks', command: 'celery -A proj beat -l info'}, 'clock'],
    [{type: 'jobs', command: 'bundle exec clockwork clock.rb'}, 'clock'],
    [{type: 'urgent', command: 'celery -A proj worker'}, 'worker'],
  ])('%o is a %s', (proc, role) => expect(roleOf(proc)).toBe(role));
});

describe('mapProcesses', () => {
  const procs = [
    {type: 'worker', command: 'npm run worker', quantity: 2, size: 'standard-1x'},
    {type: 'web', command: 'npm start', quantity: 3, size: 'standard-2x'},
    {type: 'clock', command: 'node clock.js', quantity: 2, size: 'standard-1x'},
    {type: 'reports', command: 'node reports.js', quantity: 0, size: 'performance-m'},
  ];

  it('puts web first, behind the ALB, moving with the traffic; others move in the window', () => {
    const {services} = mapProcesses(app(procs));
    expect(services.map((s) => s.processType)).toEqual(['web', 'clock', 'reports', 'worker']);
    const web = services[0]!;
    expect(web).toMatchObject({name: 'shop-web', loadBalanced: true, moves: 'with-traffic', desiredCount: 3, fargate: {cpu: 512, memory: 1024}});
    expect(web.autoscaling).toEqual({min: 3, max: 9});
    for (const s of services.slice(1)) {
      expect(s.loadBalanced).toBe(false);
      expect(s.moves).toBe('in-window');
    }
  });

  it('runs a clock as a singleton with a warning when Heroku ran more', () => {
    const {services, warnings} = mapProcesses(app(procs));
    const clock = services.find((s) => s.processType === 'clock')!;
    expect(clock).toMatchObject({singleton: true, desiredCount: 1, autoscaling: null});
    expect(warnings.join('\n')).toMatch(/Clock process 'clock' runs 2 dynos/);
  });

  it('keeps types scaled to 0 with 0 tasks and no autoscaling', () => {
    const {services, warnings} = mapProcesses(app(procs));
    expect(services.find((s) => s.processType === 'reports')).toMatchObject({desiredCount: 0, autoscaling: null, fargate: {cpu: 2048, memory: 4096}});
    expect(warnings.join('\n')).toMatch(/'reports' is scaled to 0/);
  });

  it('turns the release command into a one-off task, not a service', () => {
    const {services, releaseTask} = mapProcesses(app([...procs, {type: 'release', command: 'npm run migrate', quantity: 0, size: 'standard-2x'}]));
    expect(services.some((s) => s.processType === 'release')).toBe(false);
    expect(releaseTask).toEqual({command: 'npm run migrate', cpu: 512, memory: 1024, timeoutSeconds: 3600});
    expect(mapProcesses(app(procs, {releaseCommand: 'rake db:migrate'})).releaseTask?.command).toBe('rake db:migrate');
  });

  it('refuses an unknown dyno size with the known ones in the hint', () => {
    try {
      mapProcesses(app([{type: 'web', command: 'x', quantity: 1, size: 'standard-3x'}]));
      throw new Error('expected an error');
    } catch (err) {
      expect(err).toBeInstanceOf(MigrateError);
      expect((err as MigrateError).message).toBe("Unknown dyno size 'standard-3x' for process type 'web'.");
      expect((err as MigrateError).hint).toMatch(/standard-2x/);
      expect((err as MigrateError).exitCode).toBe(1);
    }
  });

  it('warns when there is no web process', () => {
    expect(mapProcesses(app([procs[0]!])).warnings.join()).toMatch(/No web process/);
  });
});
