/**
 * Where the Heroku API token and base URL come from, in the order the Heroku CLI uses:
 * an explicit token, then `HEROKU_API_KEY`, then `~/.netrc` (`machine api.heroku.com`,
 * password field). The base URL is `HEROKU_API_URL` (or an explicit option), else
 * https://api.heroku.com; plain http is allowed (local fakes and proxies).
 */
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {MigrateError, usageError} from '../../domain/errors.ts';
import {netrcMachine, parseNetrc} from './netrc.ts';

export const DEFAULT_API_URL = 'https://api.heroku.com';
const NETRC_MACHINE = 'api.heroku.com';

export type Env = Record<string, string | undefined>;

export interface ResolvedToken {
  token: string;
  /** where it came from, for messages (never the token itself) */
  source: string;
}

export interface TokenSources {
  token?: string;
  env?: Env;
  homeDir?: string;
}

function netrcPath(homeDir: string): string {
  return join(homeDir, process.platform === 'win32' ? '_netrc' : '.netrc');
}

function readNetrc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new MigrateError('io', `Cannot read ${path} (${code ?? 'unknown error'}) to find the Heroku API token.`, {
      hint: 'Fix its permissions, or set HEROKU_API_KEY instead.',
    });
  }
}

export function resolveHerokuToken(sources: TokenSources = {}): ResolvedToken {
  const explicit = sources.token?.trim();
  if (explicit) return {token: explicit, source: 'the token option'};
  const env = sources.env ?? process.env;
  const fromEnv = env.HEROKU_API_KEY?.trim();
  if (fromEnv) return {token: fromEnv, source: 'HEROKU_API_KEY'};
  const path = netrcPath(sources.homeDir ?? (env.HOME || homedir()));
  const text = readNetrc(path);
  const password = text === undefined ? undefined : netrcMachine(parseNetrc(text), NETRC_MACHINE)?.password?.trim();
  if (password) return {token: password, source: path};
  throw new MigrateError('auth', `No Heroku API token found (looked at HEROKU_API_KEY and ${path}, machine ${NETRC_MACHINE}).`, {
    hint:
      'Set HEROKU_API_KEY to a token (`heroku auth:token`, or a scoped one from ' +
      '`heroku authorizations:create --scope read,read-protected`), or run `heroku login` to write ~/.netrc.',
  });
}

/** The API base URL; credentials in it are rejected so they can never reach a message. */
export function resolveApiUrl(apiUrl: string | undefined, env: Env = process.env): URL {
  const raw = apiUrl ?? (env.HEROKU_API_URL?.trim() || DEFAULT_API_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`The Heroku API URL is not a valid URL.`, 'Set HEROKU_API_URL to e.g. https://api.heroku.com, or unset it.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw usageError(`The Heroku API URL must use http or https, not ${url.protocol}`, 'Set HEROKU_API_URL to e.g. https://api.heroku.com, or unset it.');
  }
  if (url.username || url.password) {
    throw usageError('The Heroku API URL must not contain credentials.', 'Put the token in HEROKU_API_KEY, not in HEROKU_API_URL.');
  }
  return url;
}

/** Scheme, host and path of the API URL, for messages. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
