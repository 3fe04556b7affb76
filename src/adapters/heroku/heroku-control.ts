/**
 * HerokuControl over heroku-client (loaded lazily): maintenance mode and formation scale.
 * Same token, base URL, back-off (429/5xx) and error mapping as the read adapter.
 */
import type Heroku from 'heroku-client';
import type {IncomingHttpHeaders} from 'node:http';
import {MigrateError} from '../../domain/errors.ts';
import type {HerokuControl} from '../../ports/heroku-control.ts';
import {httpLimits, type HttpLimits} from '../http-limits.ts';
import {bounded} from './bounded.ts';
import {rememberSecrets} from '../../domain/redaction.ts';
import {displayUrl, resolveApiUrl, resolveHerokuToken, type Env} from './credentials.ts';
import {readFailure, toMigrateError} from './errors.ts';
import {DEFAULT_RETRY, retryDelay, type RetryPolicy} from './retry.ts';

export interface HerokuControlOptions {
  token?: string;
  apiUrl?: string;
  env?: Env;
  retry?: Partial<RetryPolicy>;
  limits?: Partial<HttpLimits>;
  sleep?: (ms: number) => Promise<void>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createHerokuControl(options: HerokuControlOptions = {}): HerokuControl {
  const env = options.env ?? process.env;
  const {token, source} = resolveHerokuToken({token: options.token, env});
  rememberSecrets([token]);
  const apiUrl = resolveApiUrl(options.apiUrl, env);
  const shownUrl = displayUrl(apiUrl);
  const basePath = apiUrl.pathname.replace(/\/+$/, '');
  const policy: RetryPolicy = {...DEFAULT_RETRY, ...options.retry};
  const limits = {...httpLimits(env), ...options.limits};
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let client: Promise<Heroku> | undefined;
  const connect = () =>
    (client ??= import('heroku-client').then(({default: Client}) => new Client({host: apiUrl.origin, headers: {Authorization: `Bearer ${token}`}, userAgent: 'heroku2aws (node-heroku-client)'})));

  async function patch(path: string, body: unknown, what: string, app: string): Promise<unknown> {
    return write('patch', path, body, what, app);
  }

  async function write(method: 'patch' | 'delete', path: string, body: unknown, what: string, app: string): Promise<unknown> {
    const heroku = await connect();
    for (let retry = 0; ; retry++) {
      let headers: IncomingHttpHeaders = {};
      const seen = (res: {headers: IncomingHttpHeaders}) => (headers = res.headers);
      try {
        return await bounded(limits, (bounds) => (method === 'patch' ? heroku.patch<unknown>(basePath + path, {body, ...bounds}) : heroku.delete<unknown>(basePath + path, bounds)), seen);
      } catch (err) {
        const failure = readFailure(err, headers, Date.now());
        const delay = retryDelay(failure, retry, policy, Math.random);
        if (delay === undefined) {
          const e = toMigrateError(failure, {what, app, apiUrl: shownUrl, tokenSource: source, token, retries: retry});
          if (failure.status === 403) {
            throw new MigrateError('forbidden', `The Heroku API token from ${source} may not change ${what} (403).`, {hint: 'Use a token with the write (or global) scope: `heroku authorizations:create --scope write`.'});
          }
          throw new MigrateError(e.code, e.message.replace('while reading', 'while changing'), {hint: e.hint});
        }
        await sleep(delay);
      }
    }
  }

  const appPath = (app: string, sub = '') => `/apps/${encodeURIComponent(app)}${sub}`;
  return {
    async setMaintenance(app, on) {
      const body = await patch(appPath(app), {maintenance: on}, `the maintenance mode of app '${app}'`, app);
      return isRecord(body) && typeof body.maintenance === 'boolean' ? body.maintenance : on;
    },
    async scale(app, updates) {
      const body = await patch(appPath(app, '/formation'), {updates}, `the formation of app '${app}'`, app);
      const out: Record<string, number> = {};
      if (Array.isArray(body)) for (const f of body) if (isRecord(f) && typeof f.type === 'string' && typeof f.quantity === 'number') out[f.type] = f.quantity;
      return out;
    },
    async destroyAddon(app, addon) {
      const body = await write('delete', appPath(app, `/addons/${encodeURIComponent(addon)}`), undefined, `the add-on '${addon}' of app '${app}'`, app);
      const r = isRecord(body) ? body : {};
      return {id: typeof r.id === 'string' ? r.id : addon, name: typeof r.name === 'string' ? r.name : addon, state: typeof r.state === 'string' ? r.state : null};
    },
  };
}
