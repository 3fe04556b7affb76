/**
 * moto server fixture: a real AWS API emulator on a free loopback port.
 * Started once per jest run (global-setup), reset between suites with resetMoto().
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {createServer} from 'node:net';

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });

export function ensureMotoInstalled(): void {
  if (spawnSync('moto_server', ['--help'], {stdio: 'ignore'}).status === 0) return;
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]', 'cfn-lint'], {stdio: 'inherit'});
  if (pip.status !== 0) throw new Error("moto_server is not installed and pip could not install it; run: pip install 'moto[server]' cfn-lint");
}

export interface MotoServer {
  endpoint: string;
  process: ChildProcess;
}

/** `env` configures the emulator itself (e.g. MOTO_ACM_VALIDATION_WAIT), for a suite that needs its own server. */
export async function startMoto(options: {env?: Record<string, string>} = {}): Promise<MotoServer> {
  ensureMotoInstalled();
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, ...options.env}});
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {endpoint, process: child};
}

/** This jest worker's moto server (the global setup starts one per worker). */
export function motoEndpoint(): string {
  if (process.env.MOTO_ENDPOINT) return process.env.MOTO_ENDPOINT;
  const all = (process.env.MOTO_ENDPOINTS ?? '').split(',').filter(Boolean);
  if (!all.length) throw new Error('MOTO_ENDPOINTS is not set: the jest global setup starts moto');
  return all[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % all.length]!;
}

export async function resetMoto(endpoint = motoEndpoint()): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, {method: 'POST'});
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

/** SDK client settings for moto: dummy credentials, fast failure on unimplemented calls. */
export function motoClientConfig(endpoint = motoEndpoint()) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    maxAttempts: 1,
  };
}

/** Environment for child processes (the CLI, the aws CLI) pointed at moto. */
export function motoEnv(endpoint = motoEndpoint()): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
  };
}
