/**
 * One gate evaluation during a bake: CloudWatch alarms by name, the AWS pool's health from
 * Cloudflare, and the AWS request count so far in the step. Missing evidence is never a pass.
 */
import type {Verdict} from './cutover.ts';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface GateReadings {
  alarms: Record<string, AlarmStateValue>;
  poolHealth: 'healthy' | 'unhealthy' | 'unknown';
  requests: number;
}

export function gateVerdict(r: GateReadings): {verdict: Verdict; reasons: string[]} {
  const failed: string[] = [];
  const unsure: string[] = [];
  for (const [name, state] of Object.entries(r.alarms).sort(([a], [b]) => a.localeCompare(b))) {
    if (state === 'ALARM') failed.push(`alarm ${name} is in ALARM`);
    else if (state === 'MISSING') unsure.push(`alarm ${name} does not exist`);
    else if (state === 'INSUFFICIENT_DATA') unsure.push(`alarm ${name} has insufficient data`);
  }
  if (r.poolHealth === 'unhealthy') failed.push('Cloudflare reports the AWS pool unhealthy');
  else if (r.poolHealth === 'unknown') unsure.push('Cloudflare has no health data for the AWS pool yet');
  if (failed.length) return {verdict: 'fail', reasons: failed};
  if (unsure.length) return {verdict: 'inconclusive', reasons: unsure};
  return {verdict: 'pass', reasons: [`${r.requests} AWS requests in the step`]};
}
