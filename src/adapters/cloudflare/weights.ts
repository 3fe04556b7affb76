/**
 * Conversions between the cutover's AWS share (whole percent) and Cloudflare's relative pool
 * weights (0..1) under random steering, and a summary of Cloudflare's per-region pool health.
 */
import {inputError} from '../../domain/errors.ts';
import type {PoolHealth} from '../../ports/edge.ts';

/** Heroku (100 - share) / 100, AWS share / 100: both exact to 0.01. */
export function poolWeights(awsShare: number): {heroku: number; aws: number} {
  if (!Number.isInteger(awsShare) || awsShare < 0 || awsShare > 100) {
    throw inputError(`The AWS share must be a whole percentage from 0 to 100, not ${awsShare}.`);
  }
  return {heroku: (100 - awsShare) / 100, aws: awsShare / 100};
}

interface Steering {
  default_pools?: string[];
  random_steering?: {default_weight?: number; pool_weights?: Record<string, number>};
}

/**
 * The percentage (to 0.01) of traffic random steering sends to `poolId` while all pools are
 * healthy: its weight over the sum of the weights of the default pools; a pool missing from
 * `pool_weights` weighs `default_weight` (Cloudflare's default 1); one outside `default_pools` 0.
 */
export function shareOf(lb: Steering, poolId: string): number {
  const pools = lb.default_pools ?? [];
  const weight = (id: string) => lb.random_steering?.pool_weights?.[id] ?? lb.random_steering?.default_weight ?? 1;
  const total = pools.reduce((sum, id) => sum + weight(id), 0);
  if (!pools.includes(poolId) || total === 0) return 0;
  return Math.round((weight(poolId) / total) * 10_000) / 100;
}

/**
 * Pool health from `GET .../pools/{id}/health`: `pop_health` maps each checking region to
 * `{healthy, origins}`. Healthy when more than half of the regions see the pool healthy;
 * unknown when no region reports (no monitor, pool disabled, or not checked yet). The SDK's
 * type flattens `pop_health` to one `{healthy}`; that shape is read too.
 */
export function summarizeHealth(result: unknown): PoolHealth {
  const popHealth = (result as {pop_health?: unknown} | null)?.pop_health;
  if (typeof popHealth !== 'object' || popHealth === null) return 'unknown';
  const flat = (popHealth as {healthy?: unknown}).healthy;
  if (typeof flat === 'boolean') return flat ? 'healthy' : 'unhealthy';
  const verdicts = Object.values(popHealth)
    .map((region) => (region as {healthy?: unknown} | null)?.healthy)
    .filter((h): h is boolean => typeof h === 'boolean');
  if (verdicts.length === 0) return 'unknown';
  return verdicts.filter(Boolean).length * 2 > verdicts.length ? 'healthy' : 'unhealthy';
}
