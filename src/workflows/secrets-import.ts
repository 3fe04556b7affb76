/**
 * `migrate secrets import`: Heroku config vars -> ONE JSON secret per app. The new version is
 * written under a pending label, read back and compared key by key, and only then made
 * AWSCURRENT: either a complete, verified version becomes current or none does.
 */
import {checkSecretName} from '../domain/flag-checks.ts';
import {MigrateError} from '../domain/errors.ts';
import {resolveRegion} from '../domain/regions.ts';
import {fingerprint} from '../domain/fingerprint.ts';
import {
  checkSecretSize,
  contentDigest,
  hasChanges,
  mergeSecret,
  nameDrift,
  parseSecretJson,
  serializeSecret,
  verifyContent,
  type SecretContent,
  type SecretDiff,
} from '../domain/secret-content.ts';
import type {AppState} from '../domain/state.ts';
import type {Clock} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import type {KeyChecker, SecretDescription, SecretStore} from '../ports/secrets.ts';
import type {StateStore} from '../ports/state.ts';

export const PENDING_STAGE = 'HEROKU2AWS_PENDING';
export const TAG_APP = 'heroku2aws:app';
export const TAG_TOOL = 'heroku2aws:managed-by';

export interface SecretsImportInput {
  app: string;
  region?: string;
  secretName?: string;
  kmsKeyId?: string;
  dryRun?: boolean;
  prune?: boolean;
  allowDrift?: boolean;
  adopt?: boolean;
  breakLock?: boolean;
}

export interface SecretsImportDeps {
  state: StateStore;
  heroku: () => Promise<HerokuSource>;
  secrets: (region: string) => Promise<SecretStore>;
  keys: (region: string) => Promise<KeyChecker>;
  clock: Clock;
  env?: Record<string, string | undefined>;
  onProgress?: (message: string) => void;
}

export interface SecretsImportResult {
  secretName: string;
  region: string;
  arn: string | null;
  versionId: string | null;
  written: boolean;
  dryRun: boolean;
  diff: SecretDiff;
  bytes: number;
  warnings: string[];
  calls: {heroku: number; aws: number};
}

const list = (names: string[], max = 15) => names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

async function desiredContent(
  input: SecretsImportInput,
  deps: SecretsImportDeps,
  planNames: {all: string[]; secret: string[]},
  appState: AppState,
  warnings: string[],
  store: () => Promise<SecretStore>,
): Promise<{content: SecretContent; herokuCalls: number}> {
  deps.onProgress?.(`Reading config vars of ${input.app} from Heroku`);
  const heroku = await deps.heroku();
  const vars = await heroku.getConfigVars(input.app);
  const drift = nameDrift(planNames.all, Object.keys(vars));
  if (drift.added.length || drift.removed.length) {
    const what = [drift.added.length ? `new on Heroku: ${list(drift.added)}` : '', drift.removed.length ? `gone from Heroku: ${list(drift.removed)}` : '']
      .filter(Boolean)
      .join('; ');
    if (!input.allowDrift) {
      throw new MigrateError('conflict', `Heroku config var names differ from the plan (${what}).`, {
        hint: `Re-plan (migrate plan --app ${input.app}) and review the change, or pass --allow-drift to import the planned keys only.`,
      });
    }
    warnings.push(`Config var names drifted from the plan (${what}); only planned keys were imported.`);
  }
  const content: SecretContent = {};
  for (const key of planNames.secret) if (key in vars) content[key] = vars[key] ?? '';
  for (const [addon, {remaps}] of Object.entries(appState.addons ?? {})) {
    for (const [key, remap] of Object.entries(remaps)) {
      if (!remap.active) continue;
      if (remap.value !== undefined) content[key] = remap.value;
      else if (remap.fromSecret) {
        const source = await (await store()).getValue(remap.fromSecret.arn);
        const value = source ? parseSecretJson(source.value, remap.fromSecret.arn)[remap.fromSecret.key] : undefined;
        if (value === undefined) throw new MigrateError('input', `The remap of ${key} (add-on ${addon}) points at a secret key that does not exist.`, {hint: 'Re-run `migrate addons provision`.'});
        content[key] = value;
      }
    }
  }
  return {content, herokuCalls: heroku.stats().requests};
}

export async function secretsImport(input: SecretsImportInput, deps: SecretsImportDeps): Promise<SecretsImportResult> {
  if (input.secretName !== undefined) checkSecretName(input.secretName, '--secret-name');
  const lock = input.dryRun ? null : await deps.state.lock('secrets import', {breakLock: input.breakLock});
  try {
    const plan = await deps.state.readPlan();
    const appState = await deps.state.readState();
    const region = resolveRegion(input.region, deps.env ?? {}, plan.app.awsRegion);
    const secretName = input.secretName ?? plan.secret.name;
    if (!input.secretName) checkSecretName(secretName, 'plan.json secret.name');
    const warnings: string[] = [];
    const planNames = {all: plan.config.map((c) => c.name), secret: plan.secret.keys};
    const {content: desired, herokuCalls} = await desiredContent(input, deps, planNames, appState, warnings, () => deps.secrets(region));
    const missing = plan.secret.keys.filter((k) => !(k in desired));
    if (missing.length) warnings.push(`Planned keys not set on Heroku: ${list(missing)}.`);

    deps.onProgress?.(`Comparing with secret ${secretName} in ${region}`);
    const store = await deps.secrets(region);
    const existing = await store.describe(secretName);
    if (existing?.deletedDate) {
      throw new MigrateError('conflict', `Secret ${secretName} is scheduled for deletion (${existing.deletedDate.toISOString()}).`, {
        hint: `Restore it (aws secretsmanager restore-secret --secret-id ${secretName}) or choose another --secret-name.`,
      });
    }
    const ours = existing?.tags[TAG_APP] === input.app;
    if (existing && !ours && !input.adopt) {
      throw new MigrateError('conflict', `Secret ${secretName} exists but was not created by heroku2aws for app ${input.app}.`, {
        hint: 'Pass --adopt to take it over (its keys are kept unless --prune), or choose another --secret-name.',
      });
    }
    const current = existing ? await store.getValue(existing.arn) : null;
    const {content, diff} = mergeSecret(desired, current ? parseSecretJson(current.value, secretName) : null, input.prune ?? false);
    const bytes = checkSecretSize(content, secretName);
    const result = (written: boolean, arn: string | null, versionId: string | null): SecretsImportResult => ({
      secretName,
      region,
      arn,
      versionId,
      written,
      dryRun: input.dryRun ?? false,
      diff,
      bytes,
      warnings,
      calls: {heroku: herokuCalls, aws: store.stats().requests},
    });
    const willWrite = !(existing && current && !hasChanges(diff));
    if (input.dryRun) {
      if (existing && Object.values(existing.versions).some((stages) => stages.includes(PENDING_STAGE))) warnings.push(`A ${PENDING_STAGE} label left by an interrupted run is on ${secretName}; a run without --dry-run repairs it.`);
      return result(false, existing?.arn ?? null, current?.versionId ?? null);
    }
    const repaired = existing ? await repairPendingLabel(deps, store, existing, willWrite) : null;
    if (repaired) warnings.push(repaired);
    if (!willWrite && existing && current) {
      if (!ours) await adoptTags(deps, store, existing.arn, secretName, input.app);
      await recordState(deps, appState, {name: secretName, arn: existing.arn, versionId: current.versionId, content});
      return result(false, existing.arn, current.versionId);
    }
    if (input.kmsKeyId && !existing) await (await deps.keys(region)).checkKey(input.kmsKeyId);
    if (existing && !ours) await adoptTags(deps, store, existing.arn, secretName, input.app);
    const written = await writeVerified(deps, store, {secretName, app: input.app, kmsKeyId: input.kmsKeyId, existingArn: existing?.arn, previousVersionId: current?.versionId, content, diff});
    await recordState(deps, appState, {name: secretName, arn: written.arn, versionId: written.versionId, content}).catch((err: unknown) => {
      const e = err instanceof MigrateError ? err : new MigrateError('io', String(err));
      throw new MigrateError(e.code, `Secret ${secretName} was written and verified (version ${written.versionId}), but it could not be recorded: ${e.message}`, {
        hint: `${e.hint ?? ''} Re-running the import records it without writing a new version.`.trim(),
        cause: err,
      });
    });
    return result(true, written.arn, written.versionId);
  } finally {
    await lock?.release();
  }
}

interface WriteSpec {
  secretName: string;
  app: string;
  kmsKeyId?: string;
  existingArn?: string;
  previousVersionId?: string;
  content: SecretContent;
  diff: SecretDiff;
}

/** the first version of a new secret: AWS makes it current at once, so it carries no value at all */
export const PLACEHOLDER = '{}';

async function writeVerified(deps: SecretsImportDeps, store: SecretStore, w: WriteSpec): Promise<{arn: string; versionId: string}> {
  const digest = contentDigest(w.content);
  const id = `secret-${digest.slice(7, 19)}`;
  const journal = (phase: 'intent' | 'result' | 'verify', details: Record<string, unknown>, ok?: boolean) =>
    deps.state.journal({id, op: 'secret-write', phase, ...(ok === undefined ? {} : {ok}), details: {secret: w.secretName, ...details}});
  await journal('intent', {keys: Object.keys(w.content).length, digest, added: w.diff.added, changed: w.diff.changed, removed: w.diff.removed});
  let created: string | null = null;
  try {
    deps.onProgress?.(w.existingArn ? `Writing a new version of ${w.secretName}` : `Creating secret ${w.secretName}`);
    let arn = w.existingArn;
    let previous = w.previousVersionId;
    if (!arn) {
      // AWS makes a secret's first version current whatever stage is asked (docs/fail-safe.md):
      // create it with an empty placeholder, so the real values go through pending -> verify -> promote
      arn = (await store.create(w.secretName, {kmsKeyId: w.kmsKeyId, tags: toolTags(w.app), description: `Config vars of Heroku app ${w.app} (heroku2aws)`, initialValue: PLACEHOLDER})).arn;
      created = arn;
      previous = (await store.getValue(arn))?.versionId;
    }
    // same content on top of the same version -> same token: a retried run cannot add a second version
    const token = fingerprint(`${digest}\n${previous ?? 'none'}`).slice(7);
    const {versionId} = await store.putVersion(arn, serializeSecret(w.content), token, PENDING_STAGE);
    await journal('result', {arn, versionId, stage: PENDING_STAGE}, true);
    deps.onProgress?.('Reading the new version back and comparing every key');
    const readBack = await store.getValue(arn, versionId);
    const bad = readBack ? verifyContent(w.content, parseSecretJson(readBack.value, w.secretName)) : ['(version missing)'];
    if (bad.length) {
      await store.removeStage(arn, PENDING_STAGE, versionId);
      throw new MigrateError('aws', `The new version of ${w.secretName} did not read back as written (keys: ${list(bad)}); it was not made current.`, {
        hint: 'Retry; if it persists, check for another writer of this secret.',
      });
    }
    const holder = (await store.getValue(arn))?.versionId;
    if (holder !== versionId) await store.promote(arn, versionId, holder);
    await store.removeStage(arn, PENDING_STAGE, versionId);
    const now = await store.getValue(arn);
    if (now?.versionId !== versionId || verifyContent(w.content, parseSecretJson(now.value, w.secretName)).length) {
      throw new MigrateError('aws', `After promotion, the current version of ${w.secretName} is not the one written.`, {hint: 'Another process may be writing this secret; re-run to reconcile.'});
    }
    await journal('verify', {arn, versionId}, true);
    return {arn, versionId};
  } catch (err) {
    await journal('result', {error: err instanceof MigrateError ? err.message : 'unexpected error'}, false).catch(() => undefined);
    if (created) {
      const e = err instanceof MigrateError ? err : new MigrateError('aws', err instanceof Error ? err.message : String(err));
      throw new MigrateError(e.code, `${e.message.replace(/\.?$/, '.')} Secret ${w.secretName} was created and holds only an empty placeholder ({}) as its current version: no config value is current.`, {
        hint: `Re-run \`migrate secrets import --app ${w.app}\` to complete it${e.hint ? ` (${e.hint})` : ''}.`,
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * A pending label left by an interrupted run: on the current version (killed during promotion) it
 * is removed; on another version it is removed when nothing will be written, and otherwise moved
 * by this run's write (PutSecretValue moves a staging label).
 */
async function repairPendingLabel(deps: SecretsImportDeps, store: SecretStore, existing: SecretDescription, willWrite: boolean): Promise<string | null> {
  const pending = Object.entries(existing.versions).find(([, stages]) => stages.includes(PENDING_STAGE));
  if (!pending) return null;
  const [versionId, stages] = pending;
  const promoted = stages.includes('AWSCURRENT');
  if (!promoted && willWrite) return null;
  const id = `repair-${versionId}`;
  await deps.state.journal({id, op: 'secret-repair', phase: 'intent', details: {secret: existing.name, versionId, stage: PENDING_STAGE, current: promoted}});
  await store.removeStage(existing.arn, PENDING_STAGE, versionId);
  await deps.state.journal({id, op: 'secret-repair', phase: 'result', ok: true, details: {secret: existing.name, versionId}});
  return promoted
    ? `Removed the ${PENDING_STAGE} label an interrupted run left on the current version of ${existing.name} (its promotion had completed).`
    : `Removed the ${PENDING_STAGE} label an interrupted run left on a version of ${existing.name} that never became current.`;
}

const toolTags = (app: string) => ({[TAG_APP]: app, [TAG_TOOL]: 'heroku2aws'});

async function adoptTags(deps: SecretsImportDeps, store: SecretStore, arn: string, secretName: string, app: string) {
  const id = `adopt-${secretName}`;
  await deps.state.journal({id, op: 'secret-adopt', phase: 'intent', details: {secret: secretName}});
  await store.tag(arn, toolTags(app));
  await deps.state.journal({id, op: 'secret-adopt', phase: 'result', ok: true, details: {secret: secretName}});
}

async function recordState(deps: SecretsImportDeps, appState: AppState, s: {name: string; arn: string; versionId: string; content: SecretContent}) {
  await deps.state.writeState({
    ...appState,
    secret: {name: s.name, arn: s.arn, versionId: s.versionId, keyCount: Object.keys(s.content).length, contentDigest: contentDigest(s.content), updatedAt: deps.clock.now().toISOString()},
  });
}
