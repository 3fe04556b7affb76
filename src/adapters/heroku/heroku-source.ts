/**
 * HerokuSource over the real `heroku-client` (loaded lazily, so CLI start-up does not pay
 * for it). heroku-client follows `Next-Range` itself and retries network errors; this adapter
 * adds back-off on 429 and 5xx (which heroku-client passes straight through), counts every
 * HTTP exchange (each page, each retry) through heroku-client's `middleware` hook, and turns
 * failures into MigrateErrors. A list that fails part-way through its pages is read again
 * from its first page, so a retried list is never stitched from two different moments.
 */
import type {IncomingHttpHeaders} from 'node:http';
import type Heroku from 'heroku-client';
import {MigrateError} from '../../domain/errors.ts';
import type {
  HerokuAddon,
  HerokuApp,
  HerokuAttachment,
  HerokuBuildpackInstallation,
  HerokuCallStats,
  HerokuDomain,
  HerokuDynoSize,
  HerokuFormation,
  HerokuLogDrain,
  HerokuRelease,
  HerokuSlug,
  HerokuSource,
} from '../../ports/heroku.ts';
import {httpLimits, type HttpLimits} from '../http-limits.ts';
import {bounded} from './bounded.ts';
import {rememberSecrets} from '../../domain/redaction.ts';
import {displayUrl, resolveApiUrl, resolveHerokuToken, type Env} from './credentials.ts';
import {readFailure, toMigrateError, type CallContext} from './errors.ts';
import {DEFAULT_RETRY, retryDelay, type RetryPolicy} from './retry.ts';

export interface HerokuSourceOptions {
  /** the API token; else HEROKU_API_KEY, else ~/.netrc (machine api.heroku.com) */
  token?: string;
  /** else HEROKU_API_URL, else https://api.heroku.com */
  apiUrl?: string;
  retry?: Partial<RetryPolicy>;
  /** timeouts and size cap of each call (default: httpLimits(env)) */
  limits?: Partial<HttpLimits>;
  env?: Env;
  /** where to look for .netrc (default: HOME) */
  homeDir?: string;
  /** injectable for tests: the wait between retries */
  sleep?: (ms: number) => Promise<void>;
  /** injectable for tests: jitter source in [0, 1) */
  random?: () => number;
  /** injectable for tests: the clock `Retry-After` dates are read against */
  now?: () => number;
}

const USER_AGENT = 'heroku2aws (node-heroku-client)';

type Read = Pick<CallContext, 'what' | 'app' | 'configVars'>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isList = (v: unknown): boolean => Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

/** Throws MigrateError('auth') at once when no token can be found, before any request. */
export function createHerokuSource(options: HerokuSourceOptions = {}): HerokuSource {
  const env = options.env ?? process.env;
  const {token, source} = resolveHerokuToken({token: options.token, env, homeDir: options.homeDir});
  rememberSecrets([token]);
  const apiUrl = resolveApiUrl(options.apiUrl, env);
  const shownUrl = displayUrl(apiUrl);
  const basePath = apiUrl.pathname.replace(/\/+$/, '');
  const policy: RetryPolicy = {...DEFAULT_RETRY, ...options.retry};
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const counters: HerokuCallStats = {requests: 0, retries: 0};
  const limits: HttpLimits = {...httpLimits(env), ...options.limits};

  let client: Promise<Heroku> | undefined;
  const connect = () =>
    (client ??= import('heroku-client').then(
      // Bearer, as the API reference documents; heroku-client would otherwise send Basic `:token`.
      ({default: Client}) => new Client({host: apiUrl.origin, headers: {Authorization: `Bearer ${token}`}, userAgent: USER_AGENT}),
    ));

  /** GETs `path` (all pages), retrying 429/5xx per the policy; `shapeOk` is a minimal sanity check of the body. */
  async function get<T>(path: string, read: Read, shapeOk: (body: unknown) => boolean): Promise<T> {
    const heroku = await connect();
    for (let retry = 0; ; retry++) {
      let headers: IncomingHttpHeaders = {};
      const seen = (res: {headers: IncomingHttpHeaders}) => {
        counters.requests++;
        headers = res.headers;
      };
      let body: unknown;
      try {
        body = await bounded(limits, (bounds) => heroku.get<unknown>(basePath + path, bounds), seen);
      } catch (err) {
        const failure = readFailure(err, headers, now());
        const delay = retryDelay(failure, retry, policy, random);
        if (delay === undefined) throw toMigrateError(failure, {...read, apiUrl: shownUrl, tokenSource: source, token, retries: retry});
        counters.retries++;
        await sleep(delay);
        continue;
      }
      if (!shapeOk(body)) {
        throw new MigrateError('upstream', `The Heroku API at ${shownUrl} answered with an unexpected shape while reading ${read.what}.`, {
          hint: 'Check that HEROKU_API_URL (if set) points at the Heroku Platform API v3.',
        });
      }
      return body as T;
    }
  }

  const appPath = (app: string, sub = '') => `/apps/${encodeURIComponent(app)}${sub}`;
  const list = <T>(app: string, sub: string, what: string) => get<T[]>(appPath(app, `/${sub}`), {what: `the ${what} of app '${app}'`, app}, isList);

  return {
    getApp: (app) => get<HerokuApp>(appPath(app), {what: `app '${app}'`, app}, isRecord),
    getConfigVars: async (app) => {
      const vars = await get<Record<string, string>>(appPath(app, '/config-vars'), {what: `the config vars of app '${app}'`, app, configVars: true}, isStringMap);
      rememberSecrets(Object.values(vars));
      return vars;
    },
    listFormation: (app) => list<HerokuFormation>(app, 'formation', 'formation'),
    listAddons: (app) => list<HerokuAddon>(app, 'addons', 'add-ons'),
    listAttachments: (app) => list<HerokuAttachment>(app, 'addon-attachments', 'add-on attachments'),
    listDomains: (app) => list<HerokuDomain>(app, 'domains', 'domains'),
    listBuildpacks: (app) => list<HerokuBuildpackInstallation>(app, 'buildpack-installations', 'buildpacks'),
    listReleases: (app) => list<HerokuRelease>(app, 'releases', 'releases'),
    getSlug: (app, slugId) =>
      get<HerokuSlug>(appPath(app, `/slugs/${encodeURIComponent(slugId)}`), {what: `slug '${slugId}' of app '${app}'`, app}, isRecord),
    listDynoSizes: () => get<HerokuDynoSize[]>('/dyno-sizes', {what: 'the dyno sizes'}, isList),
    listLogDrains: (app) => list<HerokuLogDrain>(app, 'log-drains', 'log drains'),
    stats: () => ({...counters}),
  };
}
