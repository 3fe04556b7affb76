import type {MotoServer} from './moto.ts';

export default async function globalTeardown(): Promise<void> {
  const moto = (globalThis as {__MOTO__?: MotoServer}).__MOTO__;
  if (moto) moto.process.kill('SIGTERM');
}
