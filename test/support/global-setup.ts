import {startMoto} from './moto.ts';

export default async function globalSetup(): Promise<void> {
  if (process.env.MOTO_ENDPOINT) return; // an already-running moto (set by the caller)
  const moto = await startMoto();
  process.env.MOTO_ENDPOINT = moto.endpoint;
  (globalThis as {__MOTO__?: unknown}).__MOTO__ = moto;
}
