/**
 * Process types -> ECS services. `web` sits behind the ALB, other types run without a load
 * balancer, `release` becomes a one-off pre-deploy task, clock-like processes are singletons
 * that must never run on both sides at once.
 */
import {MigrateError} from './errors.ts';
import {chooseFargatePair, dynoProfile, knownDynoSizes} from './fargate.ts';
import type {AppModel, ProcessType} from './model.ts';
import {serviceName} from './naming.ts';

export type ServiceRole = 'web' | 'worker' | 'clock';

export interface ServicePlan {
  name: string;
  processType: string;
  command: string;
  role: ServiceRole;
  loadBalanced: boolean;
  /** clock-like: at most one task, moved (not shared) in the write-freeze window */
  singleton: boolean;
  heroku: {size: string; quantity: number; memoryMb: number};
  fargate: {cpu: number; memory: number};
  desiredCount: number;
  autoscaling: {min: number; max: number} | null;
  /** web moves with the traffic weights; workers and clocks move once, in the window */
  moves: 'with-traffic' | 'in-window';
}

export interface ReleaseTaskPlan {
  command: string;
  cpu: number;
  memory: number;
  timeoutSeconds: number;
}

const CLOCK_TYPE = /^(clock|clockwork|scheduler|cron|beat|timer)$/i;
const CLOCK_COMMAND = /\b(clockwork|celery\b.*\bbeat|rufus|whenever|crond?|node-cron|apscheduler|sidekiq-cron|scheduler)\b/i;

export function roleOf(proc: Pick<ProcessType, 'type' | 'command'>): ServiceRole {
  if (proc.type === 'web') return 'web';
  if (CLOCK_TYPE.test(proc.type) || CLOCK_COMMAND.test(proc.command)) return 'clock';
  return 'worker';
}

function autoscalingFor(role: ServiceRole, quantity: number): ServicePlan['autoscaling'] {
  if (role === 'clock' || quantity === 0) return null;
  if (role === 'web') {
    const min = Math.max(quantity, 2);
    return {min, max: Math.max(min * 3, 4)};
  }
  return {min: quantity, max: quantity * 3};
}

export interface ProcessMapping {
  services: ServicePlan[];
  releaseTask: ReleaseTaskPlan | null;
  warnings: string[];
}

export function mapProcesses(app: AppModel): ProcessMapping {
  const warnings: string[] = [];
  const sizeOf = (proc: {type: string; size: string}) => {
    const profile = dynoProfile(proc.size, app.dynoSizes);
    if (!profile) {
      throw new MigrateError('input', `Unknown dyno size '${proc.size}' for process type '${proc.type}'.`, {
        hint: `Use one of: ${knownDynoSizes().join(', ')} (private-* and shield-* variants too).`,
      });
    }
    return profile;
  };
  const services = [...app.processes]
    .filter((p) => p.type !== 'release')
    .sort((a, b) => (a.type === 'web' ? -1 : b.type === 'web' ? 1 : a.type.localeCompare(b.type)))
    .map((proc): ServicePlan => {
      const profile = sizeOf(proc);
      const pair = chooseFargatePair(profile);
      if (pair.shortfallMb) {
        warnings.push(
          `Process '${proc.type}' had ${profile.memoryMb} MiB on Heroku (${proc.size}); Fargate's largest task has ${pair.memory} MiB: ${pair.shortfallMb} MiB less. Check its peak memory before the move.`,
        );
      }
      const role = roleOf(proc);
      let desired = proc.quantity;
      if (role === 'clock' && desired > 1) {
        warnings.push(`Clock process '${proc.type}' runs ${desired} dynos on Heroku; the plan runs exactly 1 task (duplicate schedules otherwise).`);
        desired = 1;
      }
      if (proc.quantity === 0) warnings.push(`Process '${proc.type}' is scaled to 0 on Heroku; its ECS service is created with 0 tasks.`);
      return {
        name: serviceName(app.name, proc.type),
        processType: proc.type,
        command: proc.command,
        role,
        loadBalanced: role === 'web',
        singleton: role === 'clock',
        heroku: {size: proc.size, quantity: proc.quantity, memoryMb: profile.memoryMb},
        fargate: {cpu: pair.cpu, memory: pair.memory},
        desiredCount: desired,
        autoscaling: autoscalingFor(role, desired),
        moves: role === 'web' ? 'with-traffic' : 'in-window',
      };
    });
  if (!services.some((s) => s.role === 'web')) {
    warnings.push('No web process: nothing to put behind the load balancer; the traffic shift does not apply.');
  }
  const release = app.releaseCommand ?? app.processes.find((p) => p.type === 'release')?.command;
  const releaseSize = app.processes.find((p) => p.type === 'release')?.size ?? 'standard-1x';
  const releasePair = chooseFargatePair(sizeOf({type: 'release', size: releaseSize}));
  const releaseTask = release ? {command: release, cpu: releasePair.cpu, memory: releasePair.memory, timeoutSeconds: 3600} : null;
  return {services, releaseTask, warnings};
}
