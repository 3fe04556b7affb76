/**
 * The guard function's adapters, built from its configuration and environment: the Cloudflare
 * token read from its own Secrets Manager secret (cached for a few minutes across warm
 * invocations), the Cloudflare edge adapter the CLI uses, CloudWatch for the backstop's alarm
 * states, and the team state the CLI reads (a StateStore). Nothing of oclif or the CLI here.
 */
import type {GuardConfig} from '../domain/guard.ts';
import {MigrateError} from '../domain/errors.ts';
import type {StateStore} from '../ports/state.ts';
import type {GuardDeps} from '../workflows/guard-trip.ts';

type Env = Record<string, string | undefined>;
export type GuardStateFactory = (config: GuardConfig, env: Env) => Promise<Pick<StateStore, 'journal' | 'writeRollbackRequest'> & {close?(): void}>;

const TOKEN_TTL_MS = 5 * 60_000;
let cachedToken: {arn: string; token: string; until: number} | undefined;

export async function readToken(config: GuardConfig, now: number): Promise<string> {
  if (cachedToken && cachedToken.arn === config.tokenSecretArn && cachedToken.until > now) return cachedToken.token;
  const {createSecretStore} = await import('../adapters/aws/secrets-manager.ts');
  const value = await (await createSecretStore({region: config.region})).getValue(config.tokenSecretArn);
  const token = value?.value.trim();
  if (!token) {
    throw new MigrateError('not-found', `The guard's Cloudflare token secret ${config.tokenSecretArn} has no current value.`, {hint: 'Re-run migrate guard install, which writes the token.'});
  }
  cachedToken = {arn: config.tokenSecretArn, token, until: now + TOKEN_TTL_MS};
  return token;
}

/** Forgets the cached token (tests; a rotated token is picked up within TOKEN_TTL_MS anyway). */
export const forgetToken = () => {
  cachedToken = undefined;
};

/**
 * The state store the guard journals to: the app's team state in S3, where the CLI reads it
 * (docs/team-state.md). Without one configured the trips cannot be recorded (the rollback
 * itself still happens).
 */
export const teamState: GuardStateFactory = async (config) => {
  if (!config.state?.bucket) {
    throw new MigrateError('input', 'The guard has no team state to record its trips in.', {hint: 'Run migrate state init, then migrate guard install again.'});
  }
  const {createS3State} = await import('../adapters/state/s3-state.ts');
  return createS3State({bucket: config.state.bucket, prefix: config.state.prefix, app: config.app, region: config.region, clock: {now: () => new Date()}});
};

/** A state store whose creation failure turns every call into a failure the workflow records. */
function lazyState(factory: GuardStateFactory, config: GuardConfig, env: Env): GuardDeps['state'] & {close(): Promise<void>} {
  let made: ReturnType<GuardStateFactory> | undefined;
  const get = () => (made ??= factory(config, env));
  return {
    journal: async (entry) => (await get()).journal(entry),
    writeRollbackRequest: async (request) => (await get()).writeRollbackRequest(request),
    /** closes a store that was opened (its client and timers) */
    close: async () => {
      if (made) (await made.catch(() => null))?.close?.();
    },
  };
}

export interface GuardDepsOptions {
  state?: GuardStateFactory;
  env?: Env;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
  backoffMs?: number;
}

export function guardDeps(config: GuardConfig, options: GuardDepsOptions = {}): GuardDeps & {state: {close(): Promise<void>}} {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  return {
    state: lazyState(options.state ?? teamState, config, env),
    edge: async () => {
      const token = await readToken(config, now());
      const {createEdgeBalancer} = await import('../adapters/cloudflare/edge-balancer.ts');
      // the SDK retries twice; the workflow backs off and tries again; a 5-minute block is not waited out here
      return createEdgeBalancer({token, env, maxRetries: 2, maxRetryAfterSeconds: 10});
    },
    metrics: async () => (await import('../adapters/aws/cloudwatch.ts')).createMetricsGate({region: config.region}),
    now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    log: options.log ?? ((m) => console.log(m)),
    backoffMs: options.backoffMs,
  };
}
