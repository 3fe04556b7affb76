import {startMoto, type MotoServer} from './moto.ts';

/**
 * One moto server per jest worker: suites reset moto in beforeAll, and a worker runs one suite
 * at a time, so suites running in parallel never see each other's AWS state.
 */
export default async function globalSetup(config: {maxWorkers: number}): Promise<void> {
  if (process.env.MOTO_ENDPOINT) return; // an already-running moto (set by the caller)
  const servers: MotoServer[] = await Promise.all(Array.from({length: Math.max(1, config.maxWorkers)}, () => startMoto()));
  process.env.MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  (globalThis as {__MOTO__?: MotoServer[]}).__MOTO__ = servers;
}
