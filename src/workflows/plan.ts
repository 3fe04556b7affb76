/** `migrate plan`: read the app, map it, write plan.json and plan.md (all or nothing). */
import {join} from 'node:path';
import type {Catalog} from '../domain/catalog.ts';
import type {PriceBook} from '../domain/prices.ts';
import {buildPlan, canonicalJson, type Plan} from '../domain/plan.ts';
import {stackFiles, type StackBlocks} from '../domain/stacks/index.ts';
import {renderPlanMarkdown} from '../render/plan-md.ts';
import {loadApp, type AppSource, type LoadDeps} from './load-app.ts';

export interface PlanInput extends AppSource {
  out?: string;
  awsRegion?: string;
  healthCheckPath?: string;
  domains?: string[];
  /** a price file instead of the shipped one (`migrate prices refresh --out FILE`) */
  prices?: string;
  dryRun?: boolean;
}

export interface PlanDeps extends LoadDeps {
  catalog: () => Promise<Catalog>;
  stackBlocks: () => Promise<StackBlocks>;
  prices: (path?: string) => Promise<{book: PriceBook; file: string}>;
  onProgress?: (message: string) => void;
}

export interface PlanResult {
  plan: Plan;
  outDir: string;
  files: string[];
  written: boolean;
}

export const planFiles = (plan: Plan, blocks: StackBlocks): Record<string, string> => ({
  'plan.json': canonicalJson(plan, 2) + '\n',
  'plan.md': renderPlanMarkdown(plan),
  ...stackFiles(plan, blocks),
});

export async function planWorkflow(input: PlanInput, deps: PlanDeps): Promise<PlanResult> {
  if (input.from || input.app) deps.onProgress?.(input.from ? `Reading ${input.from}` : `Reading Heroku app ${input.app}`); // else loadApp says what to give
  const [loaded, catalog, blocks, prices] = await Promise.all([loadApp(input, deps), deps.catalog(), deps.stackBlocks(), deps.prices(input.prices)]);
  deps.onProgress?.('Mapping processes, config vars, add-ons and domains');
  const plan = buildPlan(loaded.model, catalog, {
    source: loaded.source,
    awsRegion: input.awsRegion,
    healthCheckPath: input.healthCheckPath,
    extraDomains: input.domains,
    prices,
  });
  if (loaded.warnings.length) plan.warnings.unshift(...loaded.warnings);
  const outDir = input.out ?? join('plans', plan.app.name);
  const files = planFiles(plan, blocks);
  if (input.dryRun) return {plan, outDir, files: Object.keys(files).map((f) => join(outDir, f)), written: false};
  deps.onProgress?.(`Writing ${outDir}`);
  return {plan, outDir, files: await deps.files.writeAll(outDir, files), written: true};
}
