import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {Plan} from '../../src/domain/plan.ts';
import {nextSteps} from '../../src/render/next-steps.ts';

const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../../plans/shop/plan.json'), 'utf8')) as Plan;

describe('nextSteps after migrate plan', () => {
  it('lists the path in the order that works, with this plan\'s build command and add-ons', () => {
    const steps = nextSteps(golden, 'plans/shop');
    expect(steps[1]).toContain(golden.build.command);
    const commands = steps.filter((s) => s.startsWith('migrate ')).map((s) => s.split(' --app')[0]);
    expect(commands).toEqual([
      'migrate secrets import',
      'migrate deploy',
      'migrate addons provision',
      'migrate edge setup',
      'migrate shift',
      ...golden.addons.filter((a) => a.movesInWindow && a.strategy === 'shared-then-window').map(() => 'migrate data cutover'),
      'migrate shift',
      'migrate finalize',
    ]);
    expect(steps.every((s) => !s.includes('--plan-dir'))).toBe(true); // the default directory
    expect(steps.at(-1)).toBe('migrate finalize --app shop --confirm shop');
  });

  it('names --plan-dir when the plan is elsewhere, and skips provisioning when nothing is provisioned', () => {
    const saasOnly: Plan = {...golden, addons: golden.addons.filter((a) => a.strategy === 'keep-saas')};
    const steps = nextSteps(saasOnly, '/tmp/p', 'heroku2aws');
    expect(steps.filter((s) => s.startsWith('heroku2aws ')).every((s) => s.includes('--app shop --plan-dir /tmp/p'))).toBe(true);
    expect(steps.some((s) => s.includes('addons provision') || s.includes('data cutover'))).toBe(false);
  });
});
