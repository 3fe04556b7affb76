/** The adapters of `migrate guard install | status | test | remove`. */
import {readGuardBundle, readStateLocation} from '../adapters/files/guard-files.ts';
import {createLocalState} from '../adapters/state/local-state.ts';
import type {StateStore} from '../ports/state.ts';
import type {GuardInstallDeps} from '../workflows/guard-install.ts';
import {terminalUi} from './deploy-deps.ts';
import {cutoverDeps, planDirFlagDefault, systemClock} from './deps.ts';

/** The app's state where backend.json says (S3 team state, else the plan directory). */
async function appState(app: string, planDir: string): Promise<StateStore> {
  const location = await readStateLocation(planDir);
  if (location.type === 'local') return createLocalState(planDir, app, systemClock);
  const {createS3State} = await import('../adapters/state/s3-state.ts');
  return createS3State({bucket: location.bucket, prefix: location.prefix, app, region: location.region, clock: systemClock, planDir});
}

export async function guardDeps(app: string, planDirFlag: string | undefined, options: {json: boolean}) {
  const planDir = planDirFlag ?? planDirFlagDefault(app);
  const base = cutoverDeps(app, planDir);
  const state = await appState(app, planDir);
  const aws = () => import('../adapters/aws/guard-aws.ts');
  const install: GuardInstallDeps = {
    state,
    location: () => readStateLocation(planDir),
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
