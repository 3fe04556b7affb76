/**
 * The plan: everything a team reviews before the move, derived from the app model by pure
 * functions. Same input, same bytes out (no clock, no randomness, sorted lists).
 */
import {createHash} from 'node:crypto';
import type {AddonPlan} from './addon-plan.ts';
import {mapAddons, ownedVarNames} from './addons.ts';
import {planBuild, type BuildPlan} from './build.ts';
import type {Catalog} from './catalog.ts';
import {classifyConfigVars, secretKeys, type ConfigVarPlan} from './config-vars.ts';
import {estimateCost, type CostEstimate} from './cost.ts';
import {planDomains, type DomainPlan} from './domains.ts';
import type {AppModel} from './model.ts';
import {clusterName, secretName} from './naming.ts';
import {mapProcesses, type ReleaseTaskPlan, type ServicePlan} from './processes.ts';
import type {PriceBook} from './prices.ts';
import {awsRegionFor} from './regions.ts';
import {defaultCutover, type CutoverPlan} from './schedule.ts';
import {buildTimeline, type Phase} from './timeline.ts';

export const PLAN_SCHEMA_VERSION = '1.1';

export interface HealthCheckPlan {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  gracePeriodSeconds: number;
}

export interface Plan {
  schemaVersion: string;
  tool: 'heroku2aws';
  app: {name: string; origin: AppModel['origin']; source: string; herokuRegion: string | null; stack: string | null; awsRegion: string};
  /** sha256 of the app model the plan was made from: later commands compare it to detect drift */
  appDigest: string;
  aws: {cluster: string; secretName: string; containerPort: number; healthCheck: HealthCheckPlan};
  services: ServicePlan[];
  releaseTask: ReleaseTaskPlan | null;
  config: ConfigVarPlan[];
  /**
   * keys: every key the secret holds (and the task definitions reference); sharedUntilWindow: the
   * add-on vars that carry Heroku's value during the shift (both origins share the Heroku store)
   * and the AWS endpoint once the data has moved in the write-freeze window.
   */
  secret: {name: string; keys: string[]; sharedUntilWindow: string[]};
  addons: AddonPlan[];
  domains: DomainPlan;
  build: BuildPlan;
  cutover: CutoverPlan;
  timeline: Phase[];
  /** monthly estimate, Heroku today vs AWS as planned (absent when planned without a price file) */
  cost?: CostEstimate;
  warnings: string[];
  manualSteps: string[];
}

export interface PlanOptions {
  /** where the model came from, for the reader: `heroku:shop`, `repo:examples/shop`, `snapshot:shop.json` */
  source: string;
  awsRegion?: string;
  healthCheckPath?: string;
  extraDomains?: string[];
  containerPort?: number;
  /** the price book and the path it was read from (as written into the plan) */
  prices?: {book: PriceBook; file: string};
}

/** Canonical JSON (sorted keys) so digests and files are byte-stable. */
export function canonicalJson(value: unknown, indent = 0): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

export const appDigest = (app: AppModel) => 'sha256:' + createHash('sha256').update(canonicalJson(app)).digest('hex');

function secretPlan(app: string, config: ConfigVarPlan[], addons: AddonPlan[]): Plan['secret'] {
  const shared = new Set(addons.filter((a) => a.strategy === 'shared-then-window').flatMap((a) => a.configVars.filter((v) => v.action === 'remap').map((v) => v.name)));
  const sharedUntilWindow = config.filter((c) => c.action === 'remap' && shared.has(c.name)).map((c) => c.name);
  return {name: secretName(app), keys: [...secretKeys(config), ...sharedUntilWindow].sort(), sharedUntilWindow};
}

export function buildPlan(app: AppModel, catalog: Catalog, options: PlanOptions): Plan {
  const processes = mapProcesses(app);
  const addons = mapAddons(app.addons, catalog);
  const owned = ownedVarNames(addons.addons);
  const ownedWithAction = new Map(
    [...owned].map(([name, addon]) => {
      const plan = addons.addons.find((a) => a.name === addon);
      const v = plan?.configVars.find((c) => c.name === name);
      return [name, {addon, action: v?.action ?? 'remap', ...(v?.to ? {note: v.to} : {})}] as const;
    }),
  );
  // app.json knows add-ons, not the vars they set: list those too (live apps list what exists)
  const known = new Set(app.configVars.map((v) => v.name));
  const implied = app.origin === 'app-json' ? [...owned.keys()].filter((n) => !known.has(n)).map((name) => ({name})) : [];
  const config = classifyConfigVars([...app.configVars, ...implied], ownedWithAction);
  const domains = planDomains(app.name, app.domains, options.extraDomains);
  const build = planBuild({app: app.name, stack: app.stack, buildpacks: app.buildpacks, hasDockerfile: app.hasDockerfile});
  const cutover = defaultCutover(app.name, processes.services.map((s) => s.processType));
  const warnings = [...processes.warnings, ...addons.warnings, ...domains.warnings, ...build.warnings];
  if (app.origin === 'app-json') {
    warnings.push('Planned from app.json and Procfile: config var fingerprints, domains and live formation are unknown; re-plan with --app before the move.');
  }
  if (app.postdeployScript) {
    warnings.push(`app.json scripts.postdeploy ('${app.postdeployScript}') runs once when Heroku creates an app from the manifest (Review Apps, Heroku Button); it is not part of the AWS deploy.`);
  }
  const awsRegion = options.awsRegion ?? awsRegionFor(app.region);
  const cost = options.prices
    ? estimateCost({services: processes.services, addons: addons.addons, alarms: cutover.gates.alarms, region: awsRegion}, options.prices.book, options.prices.file)
    : undefined;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    tool: 'heroku2aws',
    app: {
      name: app.name,
      origin: app.origin,
      source: options.source,
      herokuRegion: app.region ?? null,
      stack: app.stack ?? null,
      awsRegion,
    },
    appDigest: appDigest(app),
    aws: {
      cluster: clusterName(app.name),
      secretName: secretName(app.name),
      containerPort: options.containerPort ?? 8080,
      healthCheck: {
        path: options.healthCheckPath ?? '/',
        intervalSeconds: 15,
        timeoutSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        gracePeriodSeconds: 60,
      },
    },
    services: processes.services,
    releaseTask: processes.releaseTask,
    config,
    secret: secretPlan(app.name, config, addons.addons),
    addons: addons.addons,
    domains: domains.domains,
    build: build.build,
    cutover,
    timeline: buildTimeline(app.name, processes.services, addons.addons, cutover),
    ...(cost ? {cost} : {}),
    warnings,
    manualSteps: [...addons.manualSteps, ...domains.manualSteps, ...build.manualSteps],
  };
}
