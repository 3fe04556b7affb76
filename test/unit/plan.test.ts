import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {buildPlan, canonicalJson} from '../../src/domain/plan.ts';
import {parsePlan} from '../../src/domain/plan-schema.ts';
import {appModelFromRepo} from '../../src/domain/sources/app-from-repo.ts';
import {ROOT} from '../support/cli.ts';
import {renderPlanMarkdown} from '../../src/render/plan-md.ts';

const catalog = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'templates/addons/catalog.json'), 'utf8')));
const repo = (dir: string) => ({
  dirName: 'shop',
  hasDockerfile: false,
  appJson: {text: readFileSync(join(ROOT, dir, 'app.json'), 'utf8'), file: 'app.json'},
  procfile: {text: readFileSync(join(ROOT, dir, 'Procfile'), 'utf8'), file: 'Procfile'},
});
const shop = appModelFromRepo(repo('examples/shop')).model;

describe('buildPlan', () => {
  const plan = buildPlan(shop, catalog, {source: 'repo:shop'});

  it('is deterministic', () => {
    const again = buildPlan(structuredClone(shop), catalog, {source: 'repo:shop'});
    expect(canonicalJson(again)).toBe(canonicalJson(plan));
    expect(renderPlanMarkdown(again)).toBe(renderPlanMarkdown(plan));
  });

  it('lists add-on vars the app.json does not and classes them', () => {
    expect(plan.config.find((c) => c.name === 'DATABASE_URL')).toMatchObject({class: 'addon', action: 'remap', owner: 'DATABASE'});
    expect(plan.config.find((c) => c.name === 'REDIS_URL')).toMatchObject({class: 'addon', action: 'remap'});
    expect(plan.secret.keys).toContain('STRIPE_API_KEY');
  });

  it('shares the Heroku store vars with AWS until the data window (shared-then-window add-ons)', () => {
    expect(plan.secret.sharedUntilWindow).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(plan.secret.keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
    expect(plan.secret.keys).not.toContain('PAPERTRAIL_API_TOKEN');
  });

  it('gates by the alarm names the stacks create', () => {
    expect(plan.cutover.gates.alarms).toEqual(['shop-web-5xx-rate', 'shop-web-p99-latency', 'shop-web-unhealthy-hosts', 'shop-web-running-below-desired']);
    expect(plan.cutover.steps.map((s) => s.weight)).toEqual([1, 5, 10, 25, 50, 75, 100]);
  });

  it('the digest changes with the app model', () => {
    const other = buildPlan({...shop, configVars: [...shop.configVars, {name: 'NEW_VAR'}]}, catalog, {source: 'repo:shop'});
    expect(other.appDigest).not.toBe(plan.appDigest);
  });

  it('has a Mermaid diagram and every section in plan.md', () => {
    const md = renderPlanMarkdown(plan);
    for (const h of ['## Summary', '```mermaid', '## Processes', '## Config vars', '## Add-ons', '## Domains', '## Cutover timeline', '## Warnings', '## Manual steps']) {
      expect(md).toContain(h);
    }
  });
});

describe('parsePlan', () => {
  const plan = JSON.parse(canonicalJson(buildPlan(shop, catalog, {source: 'repo:shop'})));

  it('round-trips a plan', () => {
    expect(parsePlan(plan)).toEqual(plan);
  });

  it.each([
    [{...plan, schemaVersion: '2.0'}, /schema version 2\.0, newer than this migrate supports \(1\.1\)/],
    [{...plan, schemaVersion: '0.9'}, /older than/],
    [{...plan, schemaVersion: undefined}, /no valid schemaVersion/],
    [{...plan, services: [{...plan.services[0], fargate: {cpu: 'x'}}]}, /services\.0\.fargate\.cpu/],
  ])('refuses %#', (data, message) => {
    expect(() => parsePlan(data)).toThrow(MigrateError);
    expect(() => parsePlan(data)).toThrow(message);
  });

  it('accepts a newer minor version', () => {
    expect(parsePlan({...plan, schemaVersion: '1.7'}).schemaVersion).toBe('1.7');
  });
});
