/**
 * Where a data copy reads from and writes to, and whether the source is write-frozen.
 * URLs come from a flag (discouraged: shells and `ps` keep them), an environment variable
 * named by a flag, or by default: the source from the add-on's Heroku config var (read live),
 * the target from the remap `addons provision` recorded (a plain value, or a key of a secret).
 */
import type {AddonPlan} from '../domain/addon-plan.ts';
import {urlVarOf, type DataKind} from '../domain/data-copy.ts';
import {DataUrl} from '../domain/data-url.ts';
import {MigrateError} from '../domain/errors.ts';
import {parseSecretJson} from '../domain/secret-content.ts';
import type {AppState} from '../domain/state.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import type {SecretStore} from '../ports/secrets.ts';

export interface UrlChoice {
  url?: string;
  env?: string;
}

export interface EndpointDeps {
  heroku: () => Promise<HerokuSource>;
  secrets: (region: string) => Promise<SecretStore>;
  env: Record<string, string | undefined>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** --X-url (warned) or --X-url-env NAME; undefined when neither was given */
function fromChoice(choice: UrlChoice, kind: DataKind, side: 'source' | 'target', env: Record<string, string | undefined>, warnings: string[]): DataUrl | undefined {
  if (choice.url !== undefined && choice.env !== undefined) throw new MigrateError('usage', `Pass either --${side}-url or --${side}-url-env, not both.`, {hint: `Prefer --${side}-url-env NAME.`});
  if (choice.url !== undefined) {
    warnings.push(`--${side}-url puts credentials in your shell history and in the process list; prefer --${side}-url-env NAME.`);
    return DataUrl.parse(choice.url, kind, `--${side}-url`);
  }
  return choice.env === undefined ? undefined : urlFromEnv(choice.env, env, kind, side);
}

export function urlFromEnv(name: string, env: Record<string, string | undefined>, kind: DataKind, side: string): DataUrl {
  if (!ENV_NAME.test(name)) throw new MigrateError('usage', `--${side}-url-env '${name}' is not an environment variable name.`, {hint: 'Pass the NAME of a variable that holds the URL, e.g. --source-url-env SOURCE_URL.'});
  const value = env[name];
  if (!value) throw new MigrateError('usage', `Environment variable ${name} (--${side}-url-env) is not set or empty.`, {hint: `export ${name}=... (the ${side} URL) and run again.`});
  return DataUrl.parse(value, kind, `environment variable ${name}`);
}

export async function resolveSource(app: string, addon: AddonPlan & {category: DataKind}, choice: UrlChoice, deps: EndpointDeps, warnings: string[]): Promise<DataUrl> {
  const given = fromChoice(choice, addon.category, 'source', deps.env, warnings);
  if (given) return given;
  const name = urlVarOf(addon);
  const vars = await (await deps.heroku()).getConfigVars(app);
  const value = vars[name];
  if (!value) throw new MigrateError('input', `Heroku app ${app} has no config var ${name} (add-on ${addon.name}).`, {hint: 'Pass the source with --source-url-env NAME.'});
  return DataUrl.parse(value, addon.category, `Heroku config var ${name} of ${app}`);
}

export async function resolveTarget(addon: AddonPlan & {category: DataKind}, appState: AppState, region: string, choice: UrlChoice, deps: EndpointDeps, warnings: string[]): Promise<DataUrl> {
  const given = fromChoice(choice, addon.category, 'target', deps.env, warnings);
  if (given) return given;
  const name = urlVarOf(addon);
  const remap = appState.addons?.[addon.name]?.remaps[name];
  if (!remap) {
    throw new MigrateError('input', `No target for add-on ${addon.name}: the state has no provisioned ${name}.`, {hint: `Run \`migrate addons provision\` first, or pass --target-url-env NAME.`});
  }
  if (remap.value !== undefined) return DataUrl.parse(remap.value, addon.category, `the provisioned ${name} (state)`);
  if (!remap.fromSecret) throw new MigrateError('schema', `The remap of ${name} in the state has neither a value nor a secret.`, {hint: 'Re-run `migrate addons provision`.'});
  const stored = await (await deps.secrets(region)).getValue(remap.fromSecret.arn);
  const value = stored ? parseSecretJson(stored.value, remap.fromSecret.arn)[remap.fromSecret.key] : undefined;
  if (!value) throw new MigrateError('input', `The provisioned ${name} of ${addon.name} is not in its secret yet.`, {hint: 'Re-run `migrate addons provision` (it fills the connection secret once the instance is available).'});
  return DataUrl.parse(value, addon.category, `the provisioned ${name} (Secrets Manager)`);
}
