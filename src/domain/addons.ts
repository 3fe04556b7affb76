/**
 * Add-on mapping: each Heroku add-on of the app model -> what it becomes on AWS, from the catalog
 * data (catalog.ts). Pure: same input, same output (sorted by add-on name).
 */
import type {AddonPlan, AddonTarget, AddonVarPlan} from './addon-plan.ts';
import {findEntry, findSize, findVarRule, type Catalog, type CatalogEntry} from './catalog.ts';
import {MigrateError} from './errors.ts';
import type {AddonRef} from './model.ts';

export interface AddonMapping {
  /** one plan per add-on, sorted by add-on name (then service) */
  addons: AddonPlan[];
  warnings: string[];
  manualSteps: string[];
}

/** Suffixes an attachment name implies when the catalog entry does not say (`DATABASE` -> `DATABASE_URL`). */
const DEFAULT_ATTACHMENT_SUFFIXES = ['_URL'] as const;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Maps the app's add-ons through the catalog.
 * @throws MigrateError('input') when a known service names a plan the catalog does not know.
 */
export function mapAddons(addons: readonly AddonRef[], catalog: Catalog): AddonMapping {
  const sorted = [...addons].sort((a, b) => compare(a.name, b.name) || compare(a.service, b.service) || compare(a.plan ?? '', b.plan ?? ''));
  const warnings: string[] = [];
  const manualSteps: string[] = [];
  const plans: AddonPlan[] = [];

  for (const addon of sorted) {
    const entry = findEntry(catalog, addon.service);
    const mapped = entry ? mapKnown(addon, entry) : mapUnknown(addon);
    plans.push(mapped.plan);
    warnings.push(...mapped.warnings);
    manualSteps.push(...mapped.manualSteps);
  }

  // A variable claimed by two add-ons is ambiguous for the config classifier: say so.
  const claimedBy = new Map<string, string>();
  for (const plan of plans) {
    for (const v of plan.configVars) {
      const first = claimedBy.get(v.name);
      if (first === undefined) claimedBy.set(v.name, plan.name);
      else if (first !== plan.name) warnings.push(`Config var ${v.name} is claimed by add-ons ${first} and ${plan.name}; the plan attributes it to ${first}. Check which add-on really owns it.`);
    }
  }

  return {addons: plans, warnings, manualSteps};
}

/** Config var name -> name of the add-on that owns it (first add-on in plan order wins). */
export function ownedVarNames(addonPlans: readonly AddonPlan[]): Map<string, string> {
  const owned = new Map<string, string>();
  const ordered = [...addonPlans].sort((a, b) => compare(a.name, b.name) || compare(a.service, b.service));
  for (const plan of ordered) {
    for (const v of [...plan.configVars].sort((a, b) => compare(a.name, b.name))) {
      if (!owned.has(v.name)) owned.set(v.name, plan.name);
    }
  }
  return owned;
}

interface Mapped {
  plan: AddonPlan;
  warnings: string[];
  manualSteps: string[];
}

function mapKnown(addon: AddonRef, entry: CatalogEntry): Mapped {
  const warnings: string[] = [];
  const label = `${addon.name} (${addon.service})`;
  let plan = normalisePlan(addon);
  let size = plan === undefined ? undefined : findSize(entry, plan);

  if (plan === undefined) {
    if (entry.defaultPlan !== undefined) {
      plan = entry.defaultPlan;
      size = findSize(entry, plan);
      warnings.push(
        `Add-on ${label} names no plan; planned as the default plan ${plan}${size?.size ? ` (${size.size})` : ''}. Name the plan in app.json ("${addon.service}:<plan>") or plan from the live app with --app.`,
      );
    } else {
      // The schema guarantees a catch-all "*" size when there is no defaultPlan: the plan does not matter.
      size = findSize(entry, '*');
    }
  } else if (size === undefined) {
    const known = entry.sizes.map((s) => s.plan).join(', ');
    throw new MigrateError('input', `Add-on ${label} has plan "${plan}", which the add-on catalog does not know for ${addon.service}. Known plans: ${known}.`, {
      hint: `Fix the plan in app.json (e.g. "${addon.service}:${entry.defaultPlan ?? entry.sizes[0]?.plan ?? 'PLAN'}") or check the add-on's plan with \`heroku addons --app <app>\`. If Heroku offers this plan, add it to templates/addons/catalog.json.`,
    });
  }
  if (size === undefined) {
    // Unreachable with a catalog that passed parseCatalog; kept as a guard for hand-built catalogs.
    throw new MigrateError('internal', `The add-on catalog entry ${entry.id} has no size for add-on ${label}.`);
  }

  const target: AddonTarget = {kind: entry.target.kind, service: entry.target.service};
  if (size.size !== undefined) target.size = size.size;
  if (size.multiAz !== undefined) target.multiAz = size.multiAz;
  if (size.details !== undefined) target.details = {...size.details};

  const configVars: AddonVarPlan[] = [];
  for (const name of ownedNames(addon, entry.attachmentVarSuffixes ?? DEFAULT_ATTACHMENT_SUFFIXES, entry.defaultVars ?? [])) {
    const rule = findVarRule(entry, name);
    if (rule) {
      configVars.push(rule.action === 'remap' && rule.to !== undefined ? {name, action: 'remap', to: rule.to} : {name, action: rule.action});
      continue;
    }
    if (entry.strategy === 'keep-saas') {
      configVars.push({name, action: 'keep'});
      warnings.push(`Add-on ${label} owns config var ${name}, which the catalog does not list; planned as keep (it travels with the secret). Check it.`);
    } else {
      configVars.push({name, action: 'remap', to: `the ${entry.target.service} equivalent of ${name} (not in the catalog: check)`});
      warnings.push(`Add-on ${label} owns config var ${name}, which the catalog does not list; planned as remap to ${entry.target.service}. Check what it should become.`);
    }
  }

  const manual = entry.strategy === 'manual';
  return {
    plan: {
      name: addon.name,
      service: addon.service,
      ...(plan !== undefined ? {plan} : {}),
      catalogId: entry.id,
      category: entry.category,
      target,
      strategy: entry.strategy,
      movesInWindow: entry.movesInWindow,
      configVars,
      notes: [...entry.notes, ...(size.notes ?? [])],
      manual,
    },
    warnings,
    manualSteps: (entry.manualSteps ?? []).map((step) => `${label}: ${step}`),
  };
}

function mapUnknown(addon: AddonRef): Mapped {
  const plan = normalisePlan(addon);
  const label = `${addon.name} (${addon.service}${plan !== undefined ? `:${plan}` : ''})`;
  const configVars: AddonVarPlan[] = ownedNames(addon, DEFAULT_ATTACHMENT_SUFFIXES).map((name) => ({name, action: 'keep'}));
  const varList = configVars.length > 0 ? configVars.map((v) => v.name).join(', ') : 'none known';
  return {
    plan: {
      name: addon.name,
      service: addon.service,
      ...(plan !== undefined ? {plan} : {}),
      catalogId: null,
      category: 'unknown',
      target: {kind: 'undecided', service: `${addon.service} (not in the add-on catalog)`},
      strategy: 'manual',
      movesInWindow: false,
      configVars,
      notes: [
        `${addon.service} is not in the add-on catalog: a person decides what it becomes on AWS. Until then its config vars are planned as keep (they travel with the secret).`,
      ],
      manual: true,
    },
    warnings: [`Add-on ${label} is not in the add-on catalog; planned as a manual step.`],
    manualSteps: [
      `${label}: not in the add-on catalog. Decide: keep it as SaaS (its config vars — ${varList} — travel with the secret; add-ons billed through Heroku are destroyed with the Heroku app, so open a direct account with the vendor before \`migrate finalize\`), or replace it with an AWS service and remap its config vars.`,
    ],
  };
}

/** The plan name without a `service:` prefix, lowercased; undefined when none is given. */
function normalisePlan(addon: AddonRef): string | undefined {
  let plan = addon.plan?.trim();
  if (!plan) return undefined;
  const prefix = `${addon.service}:`;
  if (plan.toLowerCase().startsWith(prefix.toLowerCase())) plan = plan.slice(prefix.length).trim();
  return plan ? plan.toLowerCase() : undefined;
}

/**
 * The add-on's own config vars plus those its attachments imply, deduplicated and sorted; the
 * catalog's default vars when the source knows neither (an app.json add-on without `as`).
 */
function ownedNames(addon: AddonRef, suffixes: readonly string[], defaults: readonly string[] = []): string[] {
  if (addon.configVars.length === 0 && addon.attachments.length === 0) return [...defaults].sort(compare);
  const names = new Set<string>();
  for (const name of addon.configVars) {
    const trimmed = name.trim();
    if (trimmed) names.add(trimmed);
  }
  for (const attachment of addon.attachments) {
    const base = attachment.trim();
    if (!base) continue;
    for (const suffix of suffixes) names.add(base + suffix);
  }
  return [...names].sort(compare);
}
