/**
 * A simulated cutover world on a virtual clock for workflow tests: a load balancer that records
 * every write and read with its time, CloudWatch alarms that go to ALARM with a probability, ALB
 * traffic as requests per second per one-second slot, and the real workflows' dependencies on it.
 */
import type {ShiftDeps} from '../../src/workflows/shift.ts';
import type {EdgeBalancer, EdgeView} from '../../src/ports/edge.ts';
import type {AlarmState, MetricsGate} from '../../src/ports/metrics.ts';
import {emptyState} from '../../src/domain/state.ts';
import {sampleApp} from '../fakes/heroku-fixtures.ts';
import {livePlan} from './plans.ts';
import {memoryState} from './memory-state.ts';

export interface World {
  t: number;
  share: number;
  awsEnabled: boolean;
  writes: {t: number; from: number; to: number}[];
  reads: {t: number; share: number}[];
  /** requests per second in each one-second slot (repeats) */
  rates: number[];
  alarmP: number;
  rng: {chance(p: number): boolean};
}

/** requests AWS served in [start, end] (ms): the integral of the slot rates */
export function served(w: World, start: number, end: number): number {
  let sum = 0;
  for (let t = Math.max(0, start); t < end; ) {
    const slotEnd = (Math.floor(t / 1000) + 1) * 1000;
    const until = Math.min(end, slotEnd);
    sum += (w.rates[Math.floor(t / 1000) % w.rates.length]! * (until - t)) / 1000;
    t = until;
  }
  return Math.floor(sum);
}

export function worldEdge(w: World): EdgeBalancer {
  const view = (): EdgeView => ({
    loadBalancerId: 'lb',
    hostname: 'shop.example.com',
    steeringPolicy: 'random',
    herokuPoolId: 'heroku',
    awsPoolId: 'aws',
    awsShare: w.share,
    fallbackPoolId: 'heroku',
    defaultPools: ['heroku', 'aws'],
    awsPoolEnabled: w.awsEnabled,
    sessionAffinity: 'none',
    adaptiveFailover: false,
  });
  const unused = () => Promise.reject(new Error('not used by the cutover'));
  return {
    ensureSetup: unused,
    retireHerokuPool: unused,
    restoreHerokuPool: unused,
    acceptedHostHeaders: unused,
    async read() {
      w.t += 1;
      w.reads.push({t: w.t, share: w.share});
      return view();
    },
    async writeWeights(_v, share) {
      w.t += 1;
      w.writes.push({t: w.t, from: w.share, to: share});
      w.share = share;
    },
    async setAwsPoolEnabled(_v, enabled) {
      w.awsEnabled = enabled;
    },
    async awsPoolHealth() {
      return 'healthy';
    },
    async poolHealth() {
      return 'healthy';
    },
    stats: () => ({requests: 0, retries: 0}),
  };
}

export function worldMetrics(w: World): MetricsGate {
  return {
    async alarmStates(names) {
      w.t += 1;
      const alarm = w.rng.chance(w.alarmP);
      return Object.fromEntries(names.map((n, i) => [n, (alarm && i === 0 ? 'ALARM' : 'OK') as AlarmState])) as Record<string, AlarmState>;
    },
    async requestCount(_lb, start, end) {
      w.t += 1;
      return served(w, start.getTime(), end.getTime());
    },
  };
}


export function simulatedCutover(world: World) {
  const plan = livePlan(sampleApp());
  const appState = {
    ...emptyState(plan.app.name),
    aws: {albArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/1', albDnsName: 'shop.elb.amazonaws.com', albFullName: 'app/shop/1'},
    edge: {zoneId: 'z', accountId: 'a', hostname: 'shop.example.com', namePrefix: 'heroku2aws-shop', loadBalancerId: 'lb', herokuPoolId: 'heroku', awsPoolId: 'aws', monitorPath: '/', herokuAddress: 'shop.herokuapp.com', herokuHostHeader: null},
  };
  const now = () => world.t;
  const state = memoryState(plan, appState, now);
  const edge = worldEdge(world);
  const deps: ShiftDeps = {
    state,
    edge: async () => edge,
    metrics: async () => worldMetrics(world),
    now,
    sleep: async (ms) => {
      world.t += ms;
    },
    interrupts: {subscribe: () => () => undefined},
    env: {},
    confirm: async () => undefined,
  };
  return {plan, state, deps, edge};
}
