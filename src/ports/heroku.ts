/**
 * What the workflows need from the Heroku Platform API. Shapes are the subset of the
 * published v3 schema we read. Config var VALUES come back only from getConfigVars and must
 * stay in memory: callers fingerprint them or hand them to a SecretStore, nothing else.
 */
export interface HerokuApp {
  id: string;
  name: string;
  region?: {name: string} | null;
  stack?: {name: string} | null;
  build_stack?: {name: string} | null;
  generation?: string | {name: string} | null;
  maintenance?: boolean;
}
export interface HerokuFormation {
  type: string;
  quantity: number;
  command: string;
  size?: string;
  dyno_size?: {name?: string | null; id?: string} | null;
}
export interface HerokuAddon {
  id?: string;
  name: string;
  addon_service: {name: string};
  plan: {name: string};
  config_vars: string[];
}
export interface HerokuAttachment {
  name: string;
  addon: {name: string; id?: string};
}
export interface HerokuDomain {
  hostname: string;
  kind: 'heroku' | 'custom';
  cname?: string | null;
  acm_status?: string | null;
}
export interface HerokuBuildpackInstallation {
  ordinal: number;
  buildpack: {url: string; name?: string | null};
}
export interface HerokuRelease {
  version: number;
  status: string;
  current: boolean;
  slug?: {id: string} | null;
}
export interface HerokuSlug {
  id: string;
  process_types: Record<string, string>;
}
export interface HerokuDynoSize {
  name: string;
  memory: number;
  compute?: number;
  dedicated?: boolean;
}
export interface HerokuLogDrain {
  url: string;
  addon?: {name: string} | null;
}

export interface HerokuCallStats {
  requests: number;
  retries: number;
}

export interface HerokuSource {
  getApp(app: string): Promise<HerokuApp>;
  getConfigVars(app: string): Promise<Record<string, string>>;
  listFormation(app: string): Promise<HerokuFormation[]>;
  listAddons(app: string): Promise<HerokuAddon[]>;
  listAttachments(app: string): Promise<HerokuAttachment[]>;
  listDomains(app: string): Promise<HerokuDomain[]>;
  listBuildpacks(app: string): Promise<HerokuBuildpackInstallation[]>;
  listReleases(app: string): Promise<HerokuRelease[]>;
  getSlug(app: string, slugId: string): Promise<HerokuSlug>;
  listDynoSizes(): Promise<HerokuDynoSize[]>;
  listLogDrains(app: string): Promise<HerokuLogDrain[]>;
  /** requests sent and retries made so far (for progress and benchmarks) */
  stats(): HerokuCallStats;
}
