/** Runs the built CLI (bin/run.js -> dist/) as a child process, like a user would. */
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: {env?: Record<string, string | undefined>; cwd?: string; input?: string} = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', HEROKU_API_KEY: undefined, ...options.env};
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: options.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({code: code ?? -1, stdout, stderr}));
    child.stdin.end(options.input ?? '');
  });
}

export const tempDir = (prefix = 'h2a-') => mkdtempSync(join(tmpdir(), prefix));

/** Every file under dir with its content (for canary scans and "nothing written" checks). */
export function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, readFileSync(p, 'utf8'));
    }
  };
  try {
    walk(dir);
  } catch {
    // missing dir: no files
  }
  return out;
}
