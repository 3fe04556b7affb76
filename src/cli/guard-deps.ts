/** The adapters of `migrate guard install | status | test | remove`. */
import {readGuardBundle} from '../adapters/files/guard-files.ts';
import {backendFiles} from '../adapters/state/backend.ts';
import type {StateLocation} from '../ports/guard.ts';
import type {GuardInstallDeps} from '../workflows/guard-install.ts';
import {terminalUi} from './deploy-deps.ts';
import {cutoverDeps, planDirFlagDefault, systemClock} from './deps.ts';

/** Where the app's state lives: plans/<app>/backend.json (migrate state init), else local files. */
async function stateLocation(planDir: string): Promise<StateLocation> {
  const b = await backendFiles.read(planDir);
  return b?.type === 's3' ? {type: 's3', bucket: b.bucket, prefix: b.prefix, region: b.region} : {type: 'local'};
}

export function guardDeps(app: string, planDirFlag: string | undefined, options: {json: boolean}) {
  const planDir = planDirFlag ?? planDirFlagDefault(app);
  const base = cutoverDeps(app, planDir);
  const state = base.state;
  const aws = () => import('../adapters/aws/guard-aws.ts');
  const install: GuardInstallDeps = {
    state,
    location: () => stateLocation(planDir),
    stacks: async (region) => (await import('../adapters/aws/cloudformation.ts')).createStackDeployer({region}),
    secrets: async (region) => (await import('../adapters/aws/secrets-manager.ts')).createSecretStore({region}),
    assets: async (region) => (await aws()).createAssetStore({region}),
    metrics: base.metrics,
    edge: async (token) => (await import('../adapters/cloudflare/edge-balancer.ts')).createEdgeBalancer({token}),
    bundle: () => readGuardBundle(),
    clock: systemClock,
    env: process.env,
    ui: terminalUi(options.json),
  };
  return {
    ...base,
    state,
    install,
    invoker: async (region: string) => (await aws()).createFunctionInvoker({region}),
    remover: async (region: string) => (await aws()).createStackRemover({region}),
  };
}
