/**
 * Connection URLs of data stores (Postgres, Redis) are secrets: they carry passwords. A DataUrl
 * keeps the raw URL in a private field; printing, string conversion and JSON give a display
 * form without credentials, and redact() scrubs the raw URL and the password (in every
 * encoding) from any text, e.g. a driver's or pg_dump's error message.
 */
import {fingerprint} from './fingerprint.ts';
import {MigrateError} from './errors.ts';

export type DataEngine = 'postgres' | 'redis';

const PG_SCHEMES = new Set(['postgres:', 'postgresql:']);
const REDIS_SCHEMES = new Set(['redis:', 'rediss:']);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export class DataUrl {
  readonly engine: DataEngine;
  readonly host: string;
  readonly port: number;
  /** Postgres: database name; Redis: database number as text ('0' by default) */
  readonly database: string;
  readonly user: string;
  /** TLS requested by the URL (rediss://, sslmode=require/verify-*) */
  readonly tls: boolean;
  /** Postgres sslmode from the URL, or the default chosen for the host (see sslMode) */
  readonly sslMode: string;
  /** where it came from, for messages ("--source-url-env SOURCE_URL", "Heroku config var DATABASE_URL") */
  readonly label: string;
  readonly #raw: string;
  readonly #password: string;

  private constructor(raw: string, engine: DataEngine, label: string, url: URL) {
    this.#raw = raw;
    this.engine = engine;
    this.label = label;
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.user = safeDecode(url.username);
    this.#password = safeDecode(url.password);
    const path = safeDecode(url.pathname.replace(/^\//, ''));
    if (engine === 'postgres') {
      this.port = url.port ? Number(url.port) : 5432;
      this.database = path || this.user || 'postgres';
      const mode = url.searchParams.get('sslmode');
      // libpq's default is "prefer"; node-postgres cannot prefer, so a remote host gets TLS (as Heroku requires)
      this.sslMode = mode ?? (LOOPBACK.test(this.host) ? 'disable' : 'require');
      this.tls = ['require', 'verify-ca', 'verify-full', 'no-verify'].includes(this.sslMode);
    } else {
      this.port = url.port ? Number(url.port) : 6379;
      this.database = path || '0';
      this.sslMode = url.protocol === 'rediss:' ? 'require' : 'disable';
      this.tls = url.protocol === 'rediss:';
    }
  }

  /** @throws MigrateError('usage') naming the label, never the value */
  static parse(raw: string, engine: DataEngine, label: string): DataUrl {
    const trimmed = raw.trim();
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new MigrateError('usage', `${label} is not a URL.`, {hint: engine === 'postgres' ? 'Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE.' : 'Expected redis://:PASSWORD@HOST:PORT or rediss://...'});
    }
    const schemes = engine === 'postgres' ? PG_SCHEMES : REDIS_SCHEMES;
    if (!schemes.has(url.protocol)) {
      throw new MigrateError('usage', `${label} is a ${url.protocol.replace(':', '')}:// URL, not a ${engine} URL.`, {
        hint: engine === 'postgres' ? 'Pass the Postgres URL (postgres://...) for a Postgres add-on.' : 'Pass the Redis URL (redis:// or rediss://) for a Redis add-on.',
      });
    }
    if (!url.hostname) throw new MigrateError('usage', `${label} has no host.`, {hint: 'Expected SCHEME://USER:PASSWORD@HOST:PORT/...'});
    if (url.port && !(Number(url.port) > 0 && Number(url.port) < 65536)) throw new MigrateError('usage', `${label} has an invalid port.`, {hint: 'Ports are 1-65535.'});
    if (engine === 'redis' && url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) {
      throw new MigrateError('usage', `${label} names Redis database '${url.pathname.slice(1)}'; Redis databases are numbers.`, {hint: 'Use redis://HOST:PORT/0 (or no path for database 0).'});
    }
    if (engine === 'postgres') {
      const mode = url.searchParams.get('sslmode');
      if (mode !== null && !['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'].includes(mode)) {
        throw new MigrateError('usage', `${label} has sslmode=${mode}, which libpq does not know.`, {hint: 'Use sslmode=require (or verify-full with a CA).'});
      }
    }
    return new DataUrl(trimmed, engine, label, url);
  }

  get password(): string {
    return this.#password;
  }

  /** the raw URL: only for a driver or a child process environment, never for output */
  reveal(): string {
    return this.#raw;
  }

  /** no credentials: scheme://host:port/database */
  get display(): string {
    const scheme = this.engine === 'postgres' ? 'postgres' : this.tls ? 'rediss' : 'redis';
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${scheme}://${host}:${this.port}/${this.database}`;
  }

  /** a stable id of the endpoint (host, port, database, user) for state and journal: a hash, no names */
  get id(): string {
    return fingerprint(`${this.engine}\n${this.host}\n${this.port}\n${this.database}\n${this.user}`).slice(0, 23);
  }

  /** the strings that must never appear in output */
  secrets(): string[] {
    const out = new Set<string>([this.#raw]);
    if (this.#password) {
      out.add(this.#password);
      out.add(encodeURIComponent(this.#password));
      try {
        out.add(new URL(this.#raw).password);
      } catch {
        // parsed before; cannot fail
      }
    }
    return [...out].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  }

  toString(): string {
    return this.display;
  }

  toJSON(): string {
    return this.display;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DataUrl(${this.display})`;
  }
}

/** Replaces every secret of the given URLs (raw URL, password in any encoding) with [redacted]. */
export function redact(text: string, urls: readonly (DataUrl | undefined)[]): string {
  let out = text;
  for (const u of urls) {
    if (!u) continue;
    for (const s of u.secrets()) out = out.split(s).join('[redacted]');
  }
  // any other credentialed URL that slipped into a message (e.g. a driver echoing its config)
  return out.replace(/\b(postgres(?:ql)?|rediss?):\/\/[^\s/@'"]*:[^\s/@'"]*@/gi, '$1://[redacted]@');
}
