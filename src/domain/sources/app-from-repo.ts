/**
 * Builds the app model from an app repository's app.json and/or Procfile (no Heroku token).
 *
 * Defaults, chosen to reproduce what Heroku does with the same repository:
 * - Quantity: a Procfile type without a quantity in app.json's formation gets what Heroku gives
 *   it on the first deploy: `web` 1 dyno, every other type 0 (warned, since a worker at 0
 *   would silently not run on AWS either).
 * - Size: `standard-1x` (warned). Heroku's default depends on the account (eco, basic or
 *   standard-1x); all three have 512 MB, so the Fargate mapping is the same whichever it was.
 * - `release` in the Procfile becomes `releaseCommand` and is not a process.
 * - Add-ons: name = `as` when given, else the service (made unique with -2, -3...); the config
 *   vars they own are left empty for the planner to derive; attachments = [`as`] when given.
 * - Name: app.json's `name` made into a valid Heroku app name, else the directory's name.
 * Output lists are sorted (processes by type, config vars and add-ons by name); buildpacks keep
 * their order, which matters.
 */
import {MigrateError} from '../errors.ts';
import type {AddonRef, AppModel, ConfigVarRef, ProcessType} from '../model.ts';
import {APP_NAME_RE} from '../model.ts';
import {type AppJsonFormation, type AppManifest, parseAppJson} from './appjson.ts';
import {parseProcfile, type ProcfileProcess} from './procfile.ts';

export interface RepoSources {
  /** the directory's base name (the fallback app name) */
  dirName: string;
  appJson?: {text: string; file: string};
  procfile?: {text: string; file: string};
  hasDockerfile: boolean;
}

export interface RepoAppResult {
  model: AppModel;
  warnings: string[];
}

export const DEFAULT_DYNO_SIZE = 'standard-1x';
/** Dynos Heroku starts for a process type on the first deploy when nothing says otherwise. */
export const defaultQuantity = (type: string): number => (type === 'web' ? 1 : 0);

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

const list = (items: string[]) => items.join(', ');

/**
 * A valid Heroku app name (APP_NAME_RE) from free text: "My Shop!" -> "my-shop", "Café" -> "cafe",
 * "42things" -> "app-42things". Undefined when nothing usable is left.
 */
export function slugifyAppName(raw: string): string | undefined {
  let slug = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug === '') return undefined;
  if (!/^[a-z]/.test(slug)) slug = `app-${slug}`;
  slug = slug.slice(0, 30).replace(/-+$/, '');
  if (slug.length < 3) slug = `${slug}-app`;
  return APP_NAME_RE.test(slug) ? slug : undefined;
}

function appName(manifest: AppManifest | undefined, dirName: string, appJsonFile: string | undefined, warnings: string[]): string {
  if (manifest?.name !== undefined) {
    const slug = slugifyAppName(manifest.name);
    if (slug === undefined) {
      warnings.push(`${appJsonFile}: "name" gives no usable app name; using the directory name instead.`);
    } else {
      if (slug !== manifest.name) warnings.push(`${appJsonFile}: "name" is not a valid Heroku app name; using "${slug}".`);
      return slug;
    }
  }
  const slug = slugifyAppName(dirName);
  if (slug === undefined) {
    warnings.push(`The directory name gives no usable app name; using "app". Pass --app NAME to choose one.`);
    return 'app';
  }
  if (slug !== dirName) warnings.push(`The directory name "${dirName}" is not a valid Heroku app name; using "${slug}".`);
  return slug;
}

function processesFrom(
  declared: ProcfileProcess[],
  formation: AppJsonFormation[],
  files: {procfile?: string; appJson?: string},
  hasDockerfile: boolean,
  warnings: string[],
): {processes: ProcessType[]; releaseCommand?: string} {
  const scale = new Map(formation.map((f) => [f.type, f]));
  const processes: ProcessType[] = [];
  let releaseCommand: string | undefined;
  const noQuantity: string[] = [];
  const noSize: string[] = [];

  for (const {type, command} of declared) {
    if (type === 'release') {
      releaseCommand = command;
      continue;
    }
    const f = scale.get(type);
    if (f?.quantity === undefined && type !== 'web') noQuantity.push(type);
    if (f?.size === undefined) noSize.push(type);
    processes.push({type, command, quantity: f?.quantity ?? defaultQuantity(type), size: f?.size ?? DEFAULT_DYNO_SIZE});
  }
  processes.sort(byKey((p) => p.type));
  if (processes.length === 0 && releaseCommand !== undefined) warnings.push(`${files.procfile}: declares only a release command; no process will run.`);

  const declaredTypes = new Set(declared.map((p) => p.type));
  if (scale.has('release')) {
    warnings.push(`${files.appJson}: formation.release is ignored: the release command runs once per deploy, it is not scaled.`);
  }
  const orphans = formation.map((f) => f.type).filter((t) => t !== 'release' && !declaredTypes.has(t)).sort();
  if (!files.procfile) {
    const from = hasDockerfile ? "the Dockerfile's CMD" : "the buildpack's default process types";
    const ignored = orphans.length > 0 ? `; app.json's formation for ${list(orphans)} is ignored` : '';
    warnings.push(`No Procfile: on Heroku the process commands came from ${from}, which this tool cannot read, so no processes are planned${ignored}. Add a Procfile, e.g. \`web: npm start\`.`);
  } else if (orphans.length > 0) {
    warnings.push(`${files.appJson}: formation lists ${list(orphans)}, which ${files.procfile} does not declare; ignored.`);
  }
  if (noQuantity.length > 0) {
    const example = noQuantity[0] ?? 'worker';
    warnings.push(`No quantity in app.json's formation for ${list(noQuantity.sort())}: planned with 0 dynos, as Heroku starts them on a first deploy. If they run, set e.g. "formation": {"${example}": {"quantity": 1}} in app.json.`);
  }
  if (noSize.length > 0) {
    warnings.push(`No dyno size in app.json's formation for ${list(noSize.sort())}: assuming ${DEFAULT_DYNO_SIZE} (512 MB, the same as basic and eco).`);
  }
  return releaseCommand === undefined ? {processes} : {processes, releaseCommand};
}

function addonsFrom(manifest: AppManifest, file: string, warnings: string[]): AddonRef[] {
  const taken = new Set<string>();
  const addons = manifest.addons.map((a): AddonRef => {
    const base = a.as ?? a.service;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    if (name !== base) warnings.push(`${file}: add-on ${a.service} appears more than once without a distinct "as"; the extra one is named "${name}".`);
    taken.add(name);
    const ref: AddonRef = {name, service: a.service, configVars: [], attachments: a.as === undefined ? [] : [a.as]};
    if (a.plan !== undefined) ref.plan = a.plan;
    return ref;
  });
  return addons.sort(byKey((a) => a.name));
}

export function appModelFromRepo(input: RepoSources): RepoAppResult {
  if (!input.appJson && !input.procfile) {
    throw new MigrateError('input', `No app.json and no Procfile in "${input.dirName}": nothing describes the app.`, {
      hint: 'Point --from at the app repository root, which holds app.json and/or Procfile; or use --app NAME to read the live Heroku app.',
    });
  }
  const warnings: string[] = [];
  let manifest: AppManifest | undefined;
  if (input.appJson) {
    const parsed = parseAppJson(input.appJson.text, input.appJson.file);
    manifest = parsed.manifest;
    warnings.push(...parsed.warnings);
  }
  let declared: ProcfileProcess[] = [];
  if (input.procfile) {
    const parsed = parseProcfile(input.procfile.text, input.procfile.file);
    declared = parsed.processes;
    warnings.push(...parsed.warnings);
  }

  const files = {procfile: input.procfile?.file, appJson: input.appJson?.file};
  const name = appName(manifest, input.dirName, files.appJson, warnings);
  const {processes, releaseCommand} = processesFrom(declared, manifest?.formation ?? [], files, input.hasDockerfile, warnings);
  const configVars: ConfigVarRef[] = (manifest?.env ?? []).map((e) => ({name: e.name, required: e.required})).sort(byKey((v) => v.name));

  const model: AppModel = {
    name,
    origin: 'app-json',
    buildpacks: [...(manifest?.buildpacks ?? [])],
    hasDockerfile: input.hasDockerfile,
    processes,
    configVars,
    addons: manifest && input.appJson ? addonsFrom(manifest, input.appJson.file, warnings) : [],
    domains: [],
    logDrains: [],
  };
  if (manifest?.stack !== undefined) model.stack = manifest.stack;
  if (releaseCommand !== undefined) model.releaseCommand = releaseCommand;
  if (manifest?.scripts.postdeploy) model.postdeployScript = manifest.scripts.postdeploy.command;
  return {model, warnings};
}
