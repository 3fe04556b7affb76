/**
 * A fake Heroku Platform API v3 server (node:http on 127.0.0.1, a free port), following the
 * public reference (docs/facts.md, "Heroku Platform API") closely enough that the real `heroku-client` drives it:
 *
 * - `Accept: application/vnd.heroku+json; version=3` is required (406 `not_acceptable`).
 * - Auth: `Authorization: Bearer <token>`, or Basic with the token as password (what
 *   heroku-client sends by default). Missing/unknown -> 401 `unauthorized`. Tokens carry OAuth
 *   scopes: reading needs read/write/read-protected/write-protected/global; config vars need
 *   read-protected/write-protected/global; writes need write/write-protected/global (config
 *   var writes: write-protected/global). Otherwise 403 `forbidden`.
 * - Rate limit: a pool per token (default 4,500, refilled ~75/minute), `RateLimit-Remaining`
 *   on every response, 429 `rate_limit` when empty. `GET /account/rate-limits` is free.
 * - Lists page with `Range`/`Next-Range` (see heroku-range.ts); buildpack-installations
 *   records have no id and are answered whole.
 * - Faults: latency per request, the next N requests fail with a status, a request log; and
 *   broken transports (`sabotageNext`): a server that accepts and never answers, one that
 *   announces a Content-Length larger than the body it sends and then closes, and one that
 *   streams an endless (up to 2 GB) answer, with or without announcing its length.
 */
import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';
import {dynoSizes, type AppFixture, type DynoSizeRecord} from './heroku-fixtures.ts';
import {pageOf, parseRange, RangeNotSatisfiable} from './heroku-range.ts';

export {bigApp, sampleApp} from './heroku-fixtures.ts';
export type {AppFixture, BigAppOptions} from './heroku-fixtures.ts';

export type Scope = 'global' | 'identity' | 'read' | 'write' | 'read-protected' | 'write-protected';
export interface FakeToken {
  token: string;
  scopes: Scope[];
}
export interface RateLimitSettings {
  /** request tokens in a full pool (Heroku: 4,500) */
  capacity: number;
  /** tokens added back per minute (Heroku: ~75) */
  refillPerMinute: number;
}
export interface FakeHerokuState {
  tokens: FakeToken[];
  apps: AppFixture[];
  dynoSizes: DynoSizeRecord[];
  rateLimit: RateLimitSettings;
  /** per API token: remaining request tokens (fractional while refilling) and when last updated */
  pools: Map<string, {remaining: number; at: number}>;
  /** the largest page the server hands out (Heroku: 1000); lower it to force paging */
  maxPageSize: number;
}
export interface FakeHerokuOptions {
  tokens?: FakeToken[];
  apps?: AppFixture[];
  rateLimit?: Partial<RateLimitSettings>;
  maxPageSize?: number;
  latencyMs?: number;
}
export interface RequestLogEntry {
  method: string;
  path: string;
  /** 0 until the answer is sent */
  status: number;
  range?: string;
  auth: 'bearer' | 'basic' | 'none';
}
export type FaultStatus = 429 | 500 | 502 | 503 | 504;
export type Sabotage = 'stall' | 'truncate' | 'oversize';
export interface SabotageOptions {
  /** only requests to this path (default: any) */
  path?: string;
  /** how many requests (default 1) */
  times?: number;
  /** oversize: bytes streamed at most (default 2 GiB) */
  bytes?: number;
  /** oversize: announce the length in Content-Length (default false: chunked) */
  declareLength?: boolean;
}
export interface FakeHeroku {
  url: string;
  state: FakeHerokuState;
  requests: RequestLogEntry[];
  setLatency(ms: number): void;
  /**
   * The next `n` requests (any path) fail with `status`, after letting `skip` requests pass;
   * a `Retry-After` header is added when `retryAfterSeconds` is given.
   */
  failNext(n: number, status: FaultStatus, options?: {retryAfterSeconds?: number; skip?: number}): void;
  /** the next matching requests get a broken transport (see Sabotage) */
  sabotageNext(mode: Sabotage, options?: SabotageOptions): void;
  /** bytes the server wrote for oversize answers (to prove the client stopped reading early) */
  sabotageBytesSent(): number;
  /** drops faults queued by failNext and sabotageNext that no request consumed */
  clearFaults(): void;
  rateLimitRemaining(token: string): number;
  setRateLimitRemaining(token: string, remaining: number): void;
  close(): Promise<void>;
}

export const DEFAULT_TOKENS: FakeToken[] = [
  {token: 'good', scopes: ['global']},
  {token: 'identity-only', scopes: ['identity']},
  {token: 'read-only', scopes: ['read']},
];

const READ: Scope[] = ['global', 'read', 'write', 'read-protected', 'write-protected'];
const READ_PROTECTED: Scope[] = ['global', 'read-protected', 'write-protected'];
const WRITE: Scope[] = ['global', 'write', 'write-protected'];
const WRITE_PROTECTED: Scope[] = ['global', 'write-protected'];

const ACCEPT_RE = /application\/vnd\.heroku\+json;\s*version=3(\.[\w-]+)?\b/;

const FAULT_BODIES: Record<FaultStatus, {id: string; message: string}> = {
  429: {id: 'rate_limit', message: 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests'},
  500: {id: 'internal_server_error', message: 'Internal server error.'},
  502: {id: 'bad_gateway', message: 'Bad gateway.'},
  503: {id: 'service_unavailable', message: 'API is temporarily unavailable.'},
  504: {id: 'gateway_timeout', message: 'Gateway timeout.'},
};

const NO_ENDPOINT = {
  id: 'not_found',
  message: 'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?',
};

/** Stores a copy of `fixture` (replacing an app with the same id or name); returns the stored copy. */
export function seedApp(state: FakeHerokuState, fixture: AppFixture): AppFixture {
  const copy = structuredClone(fixture);
  state.apps = state.apps.filter((a) => a.app.id !== copy.app.id && a.app.name !== copy.app.name);
  state.apps.push(copy);
  return copy;
}

function createState(options: Omit<FakeHerokuOptions, 'latencyMs'> = {}): FakeHerokuState {
  const state: FakeHerokuState = {
    tokens: options.tokens ?? structuredClone(DEFAULT_TOKENS),
    apps: [],
    dynoSizes: dynoSizes(),
    rateLimit: {capacity: 4500, refillPerMinute: 75, ...options.rateLimit},
    pools: new Map(),
    maxPageSize: options.maxPageSize ?? 1000,
  };
  for (const app of options.apps ?? []) seedApp(state, app);
  return state;
}

class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, id: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.body = {id, message, ...extra};
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Call {
  method: string;
  segments: string[];
  range?: string;
  scopes: Scope[];
  body: () => Promise<unknown>;
}

function requireScope(call: Call, allowed: Scope[]): void {
  if (!call.scopes.some((s) => allowed.includes(s))) {
    throw new HttpError(403, 'forbidden', `This OAuth authorization does not have the required scope (one of: ${allowed.join(', ')}).`);
  }
}

function credentials(header: string | undefined): {scheme: RequestLogEntry['auth']; token?: string} {
  if (!header) return {scheme: 'none'};
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return {scheme: 'bearer', token: bearer[1]?.trim()};
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    return {scheme: 'basic', token: decoded.slice(decoded.indexOf(':') + 1)};
  }
  return {scheme: 'none'};
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON.');
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function paged<T extends object>(call: Call, state: FakeHerokuState, list: readonly T[], fields: readonly string[]): Answer {
  try {
    const page = pageOf(list, parseRange(call.range, fields, state.maxPageSize), fields);
    return {status: page.status, body: page.items, headers: page.headers};
  } catch (err) {
    if (err instanceof RangeNotSatisfiable) throw new HttpError(416, 'requested_range_not_satisfiable', err.message);
    throw err;
  }
}

function findApp(state: FakeHerokuState, idOrName: string): AppFixture {
  const app = state.apps.find((a) => a.app.id === idOrName || a.app.name === idOrName);
  if (!app) throw new HttpError(404, 'not_found', "Couldn't find that app.", {resource: 'app'});
  return app;
}

async function patchApp(call: Call, app: AppFixture): Promise<Answer> {
  requireScope(call, WRITE);
  const body = await call.body();
  if (!isRecord(body) || (body.maintenance !== undefined && typeof body.maintenance !== 'boolean')) {
    throw new HttpError(422, 'invalid_params', 'maintenance must be a boolean.');
  }
  if (typeof body.maintenance === 'boolean') app.app.maintenance = body.maintenance;
  return {status: 200, body: app.app};
}

async function patchConfigVars(call: Call, app: AppFixture): Promise<Answer> {
  requireScope(call, WRITE_PROTECTED);
  const body = await call.body();
  if (!isRecord(body) || Object.values(body).some((v) => v !== null && typeof v !== 'string')) {
    throw new HttpError(422, 'invalid_params', 'Config var values must be strings, or null to remove a key.');
  }
  for (const [key, value] of Object.entries(body)) {
    if (value === null) delete app.configVars[key];
    else app.configVars[key] = value as string;
  }
  return {status: 200, body: app.configVars};
}

async function patchFormation(call: Call, state: FakeHerokuState, app: AppFixture): Promise<Answer> {
  requireScope(call, WRITE);
  const body = await call.body();
  const updates = isRecord(body) ? body.updates : undefined;
  if (!Array.isArray(updates) || !updates.every(isRecord)) throw new HttpError(422, 'invalid_params', 'updates must be an array of {type, quantity, size}.');
  for (const update of updates) {
    const entry = app.formation.find((f) => f.type === update.type);
    if (!entry) throw new HttpError(404, 'not_found', "Couldn't find that formation.", {resource: 'formation'});
    if (update.quantity !== undefined) {
      if (typeof update.quantity !== 'number' || !Number.isInteger(update.quantity) || update.quantity < 0) {
        throw new HttpError(422, 'invalid_params', 'quantity must be a non-negative integer.');
      }
      entry.quantity = update.quantity;
    }
    if (update.size !== undefined) {
      const size = state.dynoSizes.find((s) => typeof update.size === 'string' && s.name.toLowerCase() === update.size.toLowerCase());
      if (!size) throw new HttpError(422, 'invalid_params', `No such dyno size: ${String(update.size)}.`);
      entry.size = size.name;
      entry.dyno_size = {id: size.id, name: size.name};
    }
  }
  return {status: 200, body: app.formation};
}

/**
 * DELETE /apps/{app}/addons/{addon_id_or_name}: the add-on is deprovisioned; its attachments and
 * the config vars it owns leave the app; the answer is the add-on (state 'deprovisioned').
 */
function deleteAddon(call: Call, app: AppFixture, idOrName: string): Answer {
  requireScope(call, WRITE);
  const addon = app.addons.find((a) => a.id === idOrName || a.name === idOrName);
  if (!addon) throw new HttpError(404, 'not_found', "Couldn't find that add on.", {resource: 'addon'});
  app.addons = app.addons.filter((a) => a !== addon);
  app.attachments = app.attachments.filter((t) => t.addon.id !== addon.id && t.addon.name !== addon.name);
  for (const name of addon.config_vars) delete app.configVars[name];
  app.logDrains = app.logDrains.filter((d) => d.addon?.name !== addon.name);
  return {status: 200, body: {...addon, state: 'deprovisioned', updated_at: new Date().toISOString()}};
}

async function route(call: Call, state: FakeHerokuState): Promise<Answer> {
  const [root, appId, sub, subId, ...rest] = call.segments;
  const get = call.method === 'GET';
  if (root === 'dyno-sizes' && appId === undefined && get) {
    requireScope(call, READ);
    return paged(call, state, state.dynoSizes, ['id', 'name']);
  }
  if (root !== 'apps' || appId === undefined || rest.length > 0) throw new HttpError(404, NO_ENDPOINT.id, NO_ENDPOINT.message);
  const app = findApp(state, appId);
  if (sub === undefined) {
    if (get) {
      requireScope(call, READ);
      return {status: 200, body: app.app};
    }
    if (call.method === 'PATCH') return patchApp(call, app);
  } else if (sub === 'config-vars' && subId === undefined) {
    if (get) {
      requireScope(call, READ_PROTECTED);
      return {status: 200, body: app.configVars};
    }
    if (call.method === 'PATCH') return patchConfigVars(call, app);
  } else if (sub === 'formation' && subId === undefined && call.method === 'PATCH') {
    return patchFormation(call, state, app);
  } else if (sub === 'addons' && subId !== undefined && call.method === 'DELETE') {
    return deleteAddon(call, app, subId);
  } else if (sub === 'slugs' && subId !== undefined && get) {
    requireScope(call, READ);
    const slug = app.slugs.find((s) => s.id === subId);
    if (!slug) throw new HttpError(404, 'not_found', "Couldn't find that slug.", {resource: 'slug'});
    return {status: 200, body: slug};
  } else if (subId === undefined && get) {
    requireScope(call, READ);
    switch (sub) {
      case 'formation':
        return paged(call, state, app.formation, ['id', 'type']);
      case 'addons':
        return paged(call, state, app.addons, ['id', 'name']);
      case 'addon-attachments':
        return paged(call, state, app.attachments, ['id', 'name']);
      case 'domains':
        return paged(call, state, app.domains, ['id', 'hostname']);
      case 'releases':
        return paged(call, state, app.releases, ['id', 'version']);
      case 'log-drains':
        return paged(call, state, app.logDrains, ['id', 'url']);
      case 'buildpack-installations':
        return {status: 200, body: app.buildpacks};
    }
  }
  throw new HttpError(404, NO_ENDPOINT.id, NO_ENDPOINT.message);
}

export async function startFakeHeroku(options: FakeHerokuOptions = {}): Promise<FakeHeroku> {
  const state = createState(options);
  const requests: RequestLogEntry[] = [];
  const faults: Array<{status: FaultStatus; retryAfterSeconds?: number; skip: number}> = [];
  let latencyMs = options.latencyMs ?? 0;
  const sabotage: Array<{mode: Sabotage} & SabotageOptions> = [];
  let sabotageBytes = 0;

  /** Answers with a broken transport; resolves when the answer is over (or never, for stall). */
  async function sabotaged(mode: Sabotage, o: SabotageOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (mode === 'stall') return; // accept, read nothing more, answer never (closeAllConnections ends it)
    if (mode === 'truncate') {
      const body = Buffer.from(JSON.stringify({id: 'partial', note: 'x'.repeat(200)}));
      res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length * 4)});
      res.write(body.subarray(0, body.length - 10));
      await sleep(50);
      req.socket.destroy();
      return;
    }
    const total = o.bytes ?? 2 * 1024 ** 3;
    res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8', ...(o.declareLength ? {'Content-Length': String(total)} : {})});
    const chunk = Buffer.from(`${JSON.stringify({id: randomUUID(), name: 'x'.repeat(900)})},`.repeat(64));
    res.write('[');
    let sent = 1;
    while (sent + chunk.length < total && !res.destroyed && !req.socket.destroyed) {
      sabotageBytes += chunk.length;
      sent += chunk.length;
      if (!res.write(chunk)) await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
    if (!res.destroyed) res.destroy();
  }

  const pool = (token: string) => {
    const now = Date.now();
    const {capacity, refillPerMinute} = state.rateLimit;
    const p = state.pools.get(token) ?? {remaining: capacity, at: now};
    p.remaining = Math.min(capacity, p.remaining + ((now - p.at) * refillPerMinute) / 60_000);
    p.at = now;
    state.pools.set(token, p);
    return p;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const range = req.headers.range;
    const auth = credentials(req.headers.authorization);
    const entry: RequestLogEntry = {method: req.method ?? 'GET', path: url.pathname, status: 0, auth: auth.scheme, ...(range ? {range} : {})};
    requests.push(entry);
    let remaining: number | undefined;
    const send = ({status, body, headers = {}}: Answer) => {
      entry.status = status;
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Request-Id': randomUUID(),
        ...(remaining === undefined ? {} : {'RateLimit-Remaining': String(Math.max(0, Math.floor(remaining)))}),
        ...headers,
      });
      res.end(JSON.stringify(body));
    };

    if (latencyMs > 0) await sleep(latencyMs);
    const broken = sabotage.findIndex((b) => b.path === undefined || b.path === url.pathname);
    if (broken >= 0) {
      const b = sabotage[broken]!;
      if (--b.times! <= 0) sabotage.splice(broken, 1);
      return sabotaged(b.mode, b, req, res);
    }
    const token = auth.token !== undefined ? state.tokens.find((t) => t.token === auth.token) : undefined;
    if (token) remaining = pool(token.token).remaining;

    let fault: (typeof faults)[number] | undefined;
    const pending = faults[0];
    if (pending && pending.skip > 0) pending.skip--;
    else fault = faults.shift();
    if (fault) {
      if (fault.status === 429) remaining = 0;
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : {'Retry-After': String(fault.retryAfterSeconds)};
      return send({status: fault.status, body: FAULT_BODIES[fault.status], headers});
    }
    if (!ACCEPT_RE.test(req.headers.accept ?? '')) {
      return send({
        status: 406,
        body: {id: 'not_acceptable', message: "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`."},
      });
    }
    if (!token) return send({status: 401, body: {id: 'unauthorized', message: 'Invalid credentials provided.'}});

    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segments.join('/') === 'account/rate-limits' && req.method === 'GET') return send({status: 200, body: {remaining: Math.floor(remaining ?? 0)}});

    const p = pool(token.token);
    if (p.remaining < 1) {
      remaining = 0;
      return send({status: 429, body: {...FAULT_BODIES[429], url: 'https://devcenter.heroku.com/articles/platform-api-reference#rate-limits'}});
    }
    p.remaining -= 1;
    remaining = p.remaining;

    const call: Call = {method: req.method ?? 'GET', segments, range, scopes: token.scopes, body: () => readJson(req)};
    try {
      send(await route(call, state));
    } catch (err) {
      if (err instanceof HttpError) send({status: err.status, body: err.body});
      else send({status: 500, body: {id: 'internal_server_error', message: `fake server error: ${String(err)}`}});
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const {port} = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    setLatency(ms) {
      latencyMs = ms;
    },
    clearFaults() {
      faults.length = 0;
      sabotage.length = 0;
    },
    sabotageNext(mode, o = {}) {
      sabotage.push({mode, ...o, times: o.times ?? 1});
    },
    sabotageBytesSent: () => sabotageBytes,
    failNext(n, status, {retryAfterSeconds, skip = 0} = {}) {
      for (let i = 0; i < n; i++) faults.push({status, retryAfterSeconds, skip: i === 0 ? skip : 0});
    },
    rateLimitRemaining: (token) => Math.floor(pool(token).remaining),
    setRateLimitRemaining(token, value) {
      state.pools.set(token, {remaining: value, at: Date.now()});
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
