import type {MotoServer} from './moto.ts';

export default async function globalTeardown(): Promise<void> {
  for (const moto of (globalThis as {__MOTO__?: MotoServer[]}).__MOTO__ ?? []) moto.process.kill('SIGTERM');
}
