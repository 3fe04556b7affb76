/** Builds the adapters of `certs request` and `ci init` (same pattern as deps.ts: lazy imports). */
import {createCiRepo} from '../adapters/files/ci-repo.ts';
import {terminalUi} from './deploy-deps.ts';
import {processInterrupts} from './signals.ts';
import {stateStore, systemClock} from './deps.ts';

export function certsDeps(app: string, planDir: string | undefined) {
  return {
    state: stateStore(app, planDir),
    acm: async (region: string) => (await import('../adapters/aws/acm.ts')).createCertificateAuthority({region}),
    dns: async () => (await import('../adapters/cloudflare/dns-records.ts')).createDnsZoneRecords({}),
    env: process.env,
    now: () => Date.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    interrupts: processInterrupts,
  };
}

export function ciDeps(app: string, planDir: string | undefined, options: {json: boolean}) {
  return {
    state: stateStore(app, planDir),
    repo: createCiRepo(),
    identity: async (region: string) => (await import('../adapters/aws/iam.ts')).createAwsIdentity({region}),
    oidc: async (region: string) => (await import('../adapters/aws/iam.ts')).createOidcProviders({region}),
    stacks: async (region: string) => (await import('../adapters/aws/cloudformation.ts')).createStackDeployer({region}),
    clock: systemClock,
    env: process.env,
    ui: terminalUi(options.json),
  };
}
