/** Builds the adapters of `certs request` and `ci init` (same pattern as deps.ts: lazy imports). */
import {createLocalState} from '../adapters/state/local-state.ts';
import {processInterrupts} from './confirm.ts';
import {planDirFlagDefault, systemClock} from './deps.ts';

export function certsDeps(app: string, planDir: string | undefined) {
  return {
    state: createLocalState(planDir ?? planDirFlagDefault(app), app, systemClock),
    acm: async (region: string) => (await import('../adapters/aws/acm.ts')).createCertificateAuthority({region}),
    dns: async () => (await import('../adapters/cloudflare/dns-records.ts')).createDnsZoneRecords({}),
    env: process.env,
    now: () => Date.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    interrupts: processInterrupts,
  };
}
