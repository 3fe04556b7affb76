/** plan.md: the diagram, counts that add up, tasks consistent with the timeline and stacks, short add-on cells. */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import type {Plan} from '../../src/domain/plan.ts';
import {architectureDiagram, renderPlanMarkdown} from '../../src/render/plan-md.ts';

const ROOT = join(import.meta.dirname, '../..');
const golden = JSON.parse(readFileSync(join(ROOT, 'plans/shop/plan.json'), 'utf8')) as Plan;
const section = (md: string, title: string) => md.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;

describe('plan.md', () => {
  it('config var counts in the summary add up to the total', () => {
    const withPlatform: Plan = {
      ...golden,
      config: [...golden.config, {name: 'DYNO', class: 'platform', action: 'drop'}, {name: 'PORT', class: 'platform', action: 'translate'}],
    };
    for (const plan of [golden, withPlatform]) {
      const line = section(renderPlanMarkdown(plan), 'Summary').split('\n').find((l) => l.includes('config var'))!;
      const [total, ...parts] = [...line.split('; the secret')[0]!.matchAll(/(\d+) /g)].map((m) => Number(m[1]));
      expect(total).toBe(plan.config.length);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(line).not.toMatch(/\b1 \w+ vars\b/); // "1 platform vars"
    }
  });

  it('draws the tasks using the Heroku stores during the shift, kept SaaS, and logs/schedules as services', () => {
    const d = architectureDiagram(golden);
    for (const a of golden.addons.filter((x) => x.strategy === 'shared-then-window')) {
      expect(d).toMatch(new RegExp(`ecs -\\. "during the shift \\(TLS\\)" \\.-> heroku_${a.name.replace(/[^A-Za-z0-9]/g, '_')}\\n`));
      expect(d).toContain(`"copied in the window" ==> addon_${a.name.replace(/[^A-Za-z0-9]/g, '_')}`);
    }
    const saas = golden.addons.filter((a) => a.target.kind === 'saas');
    expect(saas.length).toBeGreaterThan(0);
    for (const a of saas) expect(d).toContain(`saas_${a.name}["${a.target.service}"]`);
    for (const a of golden.addons.filter((x) => x.category === 'logging' || x.category === 'scheduler')) {
      expect(d).toContain(`addon_${a.name}["${a.target.service}"]`); // a box, not a [( cylinder )]
    }
  });

  it('gives workers that move in the window 0 tasks until then, as the timeline and the stacks do', () => {
    const md = renderPlanMarkdown(golden);
    const inWindow = golden.services.filter((s) => s.moves === 'in-window');
    expect(inWindow.length).toBeGreaterThan(0);
    for (const s of inWindow) {
      expect(section(md, 'Processes')).toContain(`| 0 → ${s.desiredCount} in the window |`);
      const params = JSON.parse(readFileSync(join(ROOT, `plans/shop/stacks/service-${s.processType}.parameters.json`), 'utf8')) as {ParameterKey: string; ParameterValue: string}[];
      expect(params.find((p) => p.ParameterKey === 'DesiredCount')?.ParameterValue).toBe('0');
    }
    expect(section(md, 'Cutover timeline')).toContain('created with 0 tasks (started in the window)');
  });

  it('orders deploy before addons provision in the timeline', () => {
    const steps = golden.timeline.find((p) => p.id === 'prepare')!.steps;
    expect(steps.findIndex((s) => s.startsWith('migrate deploy'))).toBeLessThan(steps.findIndex((s) => s.startsWith('migrate addons provision')));
  });

  it('keeps add-on table cells short; the whole notes follow as lists', () => {
    const md = renderPlanMarkdown(golden);
    const rows = section(md, 'Add-ons').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Add-on'));
    expect(rows.length).toBe(golden.addons.length);
    for (const row of rows) expect(row.split(' | ').at(-1)!.split(/\s+/).length).toBeLessThanOrEqual(25);
    for (const a of golden.addons) for (const note of a.notes) expect(md).toContain(`- ${note}\n`);
  });

  it('the showcase plan has its custom domain', () => {
    expect(golden.domains.hostnames).toEqual(['www.shop.example.com']);
    expect(renderPlanMarkdown(golden)).not.toContain('no custom domain');
  });
});
