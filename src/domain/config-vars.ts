/**
 * Config var classification: app vars go to the secret, add-on-owned vars are replaced by the
 * AWS endpoints (or travel with the secret for SaaS add-ons), platform vars are dropped or
 * translated. Names only: values never reach this module.
 */
import type {ConfigVarRef} from './model.ts';

export type ConfigClass = 'app' | 'addon' | 'platform';
export type ConfigAction = 'secret' | 'remap' | 'drop' | 'translate';

export interface ConfigVarPlan {
  name: string;
  class: ConfigClass;
  action: ConfigAction;
  /** the add-on that owns it (class addon) */
  owner?: string;
  /** what it becomes on AWS (remap/translate) or why it is dropped */
  note?: string;
  fingerprint?: string;
}

/** Vars Heroku sets on every dyno, and what they become on ECS. */
const PLATFORM: Record<string, {action: 'drop' | 'translate'; note: string}> = {
  PORT: {action: 'translate', note: 'set to the container port in the task definition'},
  DYNO: {action: 'drop', note: 'no ECS equivalent; use the ECS task metadata endpoint'},
  HEROKU_APP_NAME: {action: 'translate', note: 'plain environment variable in the task definition'},
  HEROKU_APP_ID: {action: 'drop', note: 'Heroku-only identifier'},
  HEROKU_RELEASE_VERSION: {action: 'translate', note: 'the image tag / task definition revision'},
  HEROKU_SLUG_COMMIT: {action: 'translate', note: 'the image tag (git commit) of the deployment'},
  HEROKU_RELEASE_CREATED_AT: {action: 'drop', note: 'Heroku dyno metadata'},
  HEROKU_SLUG_DESCRIPTION: {action: 'drop', note: 'Heroku dyno metadata'},
  HEROKU_DYNO_ID: {action: 'drop', note: 'use the ECS task ARN from the metadata endpoint'},
};

export function isPlatformVar(name: string): boolean {
  return name in PLATFORM || name.startsWith('HEROKU_');
}

/**
 * @param owned config var name -> {addon, action, note}: from the add-on mapping
 */
export function classifyConfigVars(
  vars: ConfigVarRef[],
  owned: ReadonlyMap<string, {addon: string; action: 'remap' | 'keep' | 'drop'; note?: string}>,
): ConfigVarPlan[] {
  const out = vars.map((v): ConfigVarPlan => {
    const base = v.fingerprint ? {name: v.name, fingerprint: v.fingerprint} : {name: v.name};
    const owner = owned.get(v.name);
    if (owner) {
      const action = owner.action === 'keep' ? 'secret' : owner.action;
      return {...base, class: 'addon', action, owner: owner.addon, ...(owner.note ? {note: owner.note} : {})};
    }
    if (isPlatformVar(v.name)) {
      const rule = PLATFORM[v.name] ?? {action: 'drop' as const, note: 'Heroku platform variable'};
      return {...base, class: 'platform', action: rule.action, note: rule.note};
    }
    return {...base, class: 'app', action: 'secret'};
  });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Names that go into the app's secret. */
export const secretKeys = (plans: ConfigVarPlan[]) => plans.filter((p) => p.action === 'secret').map((p) => p.name);
