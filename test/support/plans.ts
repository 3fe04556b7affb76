/** Plans of the fake Heroku fixtures, built the way `migrate plan --app` builds them (for stack tests). */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {assembleAppModel, currentRelease} from '../../src/domain/discovery.ts';
import type {AppModel} from '../../src/domain/model.ts';
import {buildPlan, type Plan, type PlanOptions} from '../../src/domain/plan.ts';
import {parseStackBlocks, STACK_BLOCK_NAMES, type StackBlocks} from '../../src/domain/stacks/index.ts';
import {dynoSizes, sampleApp, type AppFixture} from '../fakes/heroku-fixtures.ts';
import {ROOT} from './cli.ts';

export const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
export const rawBlocks = (): Record<string, unknown> => Object.fromEntries(STACK_BLOCK_NAMES.map((n) => [n, readJson(`templates/cloudformation/${n}.json`)]));
export const loadBlocks = (): StackBlocks => parseStackBlocks(rawBlocks());
export const catalog = parseCatalog(readJson('templates/addons/catalog.json'));

export function livePlan(fixture: AppFixture, options: Partial<PlanOptions> = {}): Plan {
  const rel = currentRelease(fixture.releases);
  const slug = fixture.slugs.find((s) => s.id === rel?.slug?.id) ?? null;
  return buildPlan(assembleAppModel({...fixture, slug, dynoSizes: dynoSizes()}), catalog, {source: `heroku:${fixture.app.name}`, ...options});
}

/** sampleApp() with more variety: Dockerfile image, a busy clock, a 2XL worker, an underscore process type, no release phase. */
export function variantFixture(): AppFixture {
  const fx = sampleApp();
  const stack = {id: fx.app.stack.id, name: 'container'};
  const [web, worker, clock] = fx.formation;
  return {
    ...fx,
    app: {...fx.app, name: 'bulk', stack, build_stack: stack},
    formation: [
      {...web!, quantity: 4, size: 'Performance-XL', dyno_size: {id: 'x', name: 'Performance-XL'}},
      {...worker!, quantity: 3, size: 'Performance-2XL', dyno_size: {id: 'y', name: 'Performance-2XL'}},
      {...clock!, quantity: 2},
      {...worker!, id: 'urgent', type: 'urgent_worker', command: 'bundle exec sidekiq -q urgent', quantity: 0, size: 'Performance-L', dyno_size: {id: 'z', name: 'Performance-L'}},
    ],
    slugs: fx.slugs.map((s) => ({...s, process_types: Object.fromEntries(Object.entries(s.process_types).filter(([t]) => t !== 'release'))})),
  };
}

/** the smallest app with a data add-on: one web process and a Heroku Postgres (for the data copy workflows) */
export function pgShopPlan(): Plan {
  const model: AppModel = {
    name: 'shop',
    origin: 'heroku',
    buildpacks: [],
    processes: [{type: 'web', command: 'node s.js', quantity: 1, size: 'standard-1x'}],
    configVars: [{name: 'DATABASE_URL'}],
    addons: [{name: 'pg', service: 'heroku-postgresql', plan: 'standard-0', configVars: ['DATABASE_URL'], attachments: ['DATABASE']}],
    domains: [],
    logDrains: [],
  };
  return buildPlan(model, catalog, {source: 'test'});
}
