/**
 * Keeps secrets out of debugging output (docs/debugging.md). Runs first thing in bin/run.js,
 * before any SDK is loaded:
 *
 * - `DEBUG` (the `debug` package, read when that package loads): heroku-client logs every
 *   response body under the name `http` (config var values), ioredis logs command arguments
 *   under `ioredis:*` (passwords, copied data). Those names are switched off by appending
 *   `-http,-ioredis:*` (the package's own "skip" syntax); every other name still logs.
 * - `NODE_DEBUG` (Node's own debuglog, read once when the process starts, so it cannot be
 *   changed from inside): `http`, `net`, `tls`, `fetch`, `undici`... print request headers,
 *   the bearer tokens among them. When NODE_DEBUG names one of them, the CLI starts itself
 *   again without those names (same Node, same arguments, signals forwarded) and exits with
 *   the child's status.
 */
import {spawn} from 'node:child_process';

/** `debug` names whose output carries secret values. */
export const SILENCED_DEBUG = ['http', 'ioredis:*'] as const;
/** Node debuglog sections that print request/response headers or payloads. */
export const RISKY_NODE_DEBUG = ['http', 'https', 'http2', 'net', 'tls', 'fetch', 'undici', 'websocket', 'dns'] as const;

type Env = Record<string, string | undefined>;

const globRe = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*?')}$`, 'i');

/** True when a `debug` DEBUG value enables `name` (names separated by commas or spaces, `-name` skips). */
export function debugEnables(value: string, name: string): boolean {
  const parts = value.split(/[\s,]+/).filter(Boolean);
  if (parts.some((p) => p.startsWith('-') && globRe(p.slice(1)).test(name))) return false;
  return parts.some((p) => !p.startsWith('-') && globRe(p).test(name));
}

export interface DebugPlan {
  /** the environment the CLI must run with */
  env: Env;
  /** NODE_DEBUG changed: the process must start again to drop it */
  restart: boolean;
  /** what was switched off, for one line on stderr */
  notes: string[];
}

/** Pure: the safe version of `env` (DEBUG and NODE_DEBUG without the names that print secrets). */
export function safeDebugEnv(env: Env): DebugPlan {
  const out: Env = {...env};
  const notes: string[] = [];
  const debug = env.DEBUG?.trim();
  if (debug) {
    const probes: Array<[string, string]> = [['http', 'http'], ['ioredis:*', 'ioredis:redis']];
    const silenced = probes.filter(([, probe]) => debugEnables(debug, probe)).map(([name]) => name);
    if (silenced.length > 0) {
      out.DEBUG = `${debug},${SILENCED_DEBUG.map((n) => `-${n}`).join(',')}`;
      notes.push(`DEBUG: the ${silenced.map((n) => `'${n}'`).join(' and ')} log${silenced.length > 1 ? 's are' : ' is'} off (they print config var values and credentials).`);
    }
  }
  let restart = false;
  const nodeDebug = env.NODE_DEBUG?.trim();
  if (nodeDebug) {
    const sections = nodeDebug.split(/[\s,]+/).filter(Boolean);
    const risky = (s: string) => RISKY_NODE_DEBUG.some((r) => globRe(s).test(r));
    const dropped = sections.filter(risky);
    if (dropped.length > 0) {
      restart = true;
      const kept = sections.filter((s) => !risky(s));
      if (kept.length > 0) out.NODE_DEBUG = kept.join(',');
      else delete out.NODE_DEBUG;
      notes.push(`NODE_DEBUG: ${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} off (they print request headers, API tokens among them).`);
    }
  }
  return {env: out, restart, notes};
}

/**
 * Applies safeDebugEnv to this process: adjusts DEBUG in place, or (for NODE_DEBUG) runs the
 * same command again in a child with the safe environment and never returns.
 */
export async function guardDebugOutput(): Promise<void> {
  const plan = safeDebugEnv(process.env);
  for (const note of plan.notes) process.stderr.write(`› ${note} See docs/debugging.md.\n`);
  if (!plan.restart) {
    if (plan.env.DEBUG !== undefined) process.env.DEBUG = plan.env.DEBUG;
    return;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit', env: plan.env as NodeJS.ProcessEnv});
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  await new Promise<never>(() => {
    child.on('error', (err) => {
      process.stderr.write(`Error: cannot start migrate again without NODE_DEBUG's network sections (${err.message}).\nFix: unset NODE_DEBUG and run the command again.\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  });
}
