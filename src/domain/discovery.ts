/** Assembles the app model from Heroku Platform API records (pure; values are fingerprinted here and dropped). */
import type {
  HerokuAddon,
  HerokuApp,
  HerokuAttachment,
  HerokuBuildpackInstallation,
  HerokuDomain,
  HerokuDynoSize,
  HerokuFormation,
  HerokuLogDrain,
  HerokuRelease,
  HerokuSlug,
} from '../ports/heroku.ts';
import type {AppModel} from './model.ts';

export interface HerokuRecords {
  app: HerokuApp;
  configVars: Record<string, string>;
  formation: HerokuFormation[];
  addons: HerokuAddon[];
  attachments: HerokuAttachment[];
  domains: HerokuDomain[];
  buildpacks: HerokuBuildpackInstallation[];
  releases: HerokuRelease[];
  slug: HerokuSlug | null;
  dynoSizes: HerokuDynoSize[];
  logDrains: HerokuLogDrain[];
}

const byName = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Scheme and host only: drain URLs often carry tokens in user info, path or query. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? ':' + u.port : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

export function currentRelease(releases: HerokuRelease[]): HerokuRelease | undefined {
  return releases.find((r) => r.current) ?? [...releases].filter((r) => r.status === 'succeeded').sort((a, b) => b.version - a.version)[0];
}

/**
 * @param fingerprint keyed fingerprint of a value (see fingerprint.ts); without it the model
 *   holds config var names only
 */
export function assembleAppModel(r: HerokuRecords, fingerprint?: (value: string) => string): AppModel {
  const generation = typeof r.app.generation === 'string' ? r.app.generation : r.app.generation?.name;
  const release = r.slug?.process_types.release;
  return {
    name: r.app.name,
    origin: 'heroku',
    region: r.app.region?.name,
    stack: r.app.build_stack?.name ?? r.app.stack?.name,
    generation: generation ?? undefined,
    maintenance: r.app.maintenance ?? false,
    buildpacks: [...r.buildpacks].sort((a, b) => a.ordinal - b.ordinal).map((b) => b.buildpack.name || b.buildpack.url),
    processes: r.formation
      .filter((f) => f.type !== 'release')
      .map((f) => ({type: f.type, command: f.command, quantity: f.quantity, size: (f.size ?? f.dyno_size?.name ?? 'standard-1x').toLowerCase()}))
      .sort(byName((p) => p.type)),
    releaseCommand: release,
    configVars: Object.keys(r.configVars)
      .sort()
      .map((name) => (fingerprint ? {name, fingerprint: fingerprint(r.configVars[name] ?? '')} : {name})),
    addons: r.addons
      .map((a) => ({
        name: a.name,
        service: a.addon_service.name,
        plan: a.plan.name.includes(':') ? a.plan.name.split(':').slice(1).join(':') : a.plan.name,
        configVars: [...a.config_vars].sort(),
        attachments: r.attachments
          .filter((t) => t.addon.name === a.name)
          .map((t) => t.name)
          .sort(),
      }))
      .sort(byName((a) => a.name)),
    domains: r.domains
      .map((d) => ({hostname: d.hostname, kind: d.kind, cname: d.cname ?? null, acmStatus: d.acm_status ?? null}))
      .sort(byName((d) => d.hostname)),
    dynoSizes: r.dynoSizes.map((s) => ({name: s.name, memoryGb: s.memory, compute: s.compute, dedicated: s.dedicated})).sort(byName((s) => s.name)),
    logDrains: r.logDrains.map((d) => ({url: redactUrl(d.url), addon: d.addon?.name ?? null})).sort(byName((d) => d.url)),
  };
}
