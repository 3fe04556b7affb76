/** The default cutover schedule: steps, bake times, request minimums and gates. */
import {alarmNames} from './naming.ts';

export interface CutoverStep {
  /** AWS share in percent */
  weight: number;
  bakeSeconds: number;
  minRequests: number;
}

export interface CutoverPlan {
  steps: CutoverStep[];
  pollSeconds: number;
  /** inconclusive bakes are extended by at most this factor before pausing */
  maxBakeExtension: number;
  consecutiveFailures: number;
  gates: {alarms: string[]; awsPoolHealth: boolean; minRequestsMetric: string};
  /** how long 100% must hold before finalize */
  finalizeHoldSeconds: number;
}

export const DEFAULT_STEPS = [1, 5, 10, 25, 50, 75, 100];

/**
 * At 1% a small app sees few requests: ~230 are needed to tell a 0.1% error rate from 1%
 * (docs/facts.md, "Gates"), so every step needs at least 250 before it can pass.
 */
export function defaultCutover(app: string, processTypes: string[]): CutoverPlan {
  const names = alarmNames(app);
  const bake = (w: number) => (w <= 5 ? 600 : w < 100 ? 900 : 1800);
  return {
    steps: DEFAULT_STEPS.map((weight) => ({weight, bakeSeconds: bake(weight), minRequests: 250})),
    pollSeconds: 30,
    maxBakeExtension: 2,
    consecutiveFailures: 1,
    gates: {
      alarms: [names.errorRate, names.latencyP99, names.unhealthyHosts, ...processTypes.filter((t) => t === 'web').map((t) => names.runningBelowDesired(t))],
      awsPoolHealth: true,
      minRequestsMetric: 'AWS/ApplicationELB RequestCount (Sum)',
    },
    finalizeHoldSeconds: 86400,
  };
}
