/** What the journal says about the guard: its trips (rollbacks by 'guard') and skipped guards. */
import {MigrateError} from '../domain/errors.ts';
import type {GuardRecord, JournalEntry} from '../domain/state.ts';

export interface GuardTrip {
  at: string;
  alarm: string;
  trigger: string;
  ok: boolean;
  /** the AWS share after the trip (verified), when it succeeded */
  live: number | null;
}

/** The guard's trips, oldest first (each rollback journaled by the guard, by its verify line). */
export function guardTrips(journal: JournalEntry[]): GuardTrip[] {
  return journal.flatMap((e) => {
    const d = (e.details ?? {}) as {by?: unknown; alarm?: unknown; trigger?: unknown; live?: unknown};
    if (e.op !== 'rollback' || e.phase !== 'verify' || d.by !== 'guard') return [];
    return [{at: e.at, alarm: String(d.alarm ?? ''), trigger: String(d.trigger ?? ''), ok: e.ok === true, live: typeof d.live === 'number' ? d.live : null}];
  });
}

/**
 * Shifting above 0% needs an armed guard for this load balancer (or an explicit --no-guard).
 * Returns a warning for --no-guard; throws when the guard is missing or guards something else.
 */
export function checkGuardArmed(guard: GuardRecord | undefined, loadBalancerId: string, app: string, target: number, noGuard: boolean): string | null {
  if (target <= 0) return null;
  if (noGuard) return `Shifting to ${target}% without the guard (--no-guard): if an alarm fires while no shift is running, nothing moves traffic back to Heroku.`;
  const hint = `Install it with \`migrate guard install --app ${app}\` (docs/guard.md), or pass --no-guard to shift without it (journaled).`;
  if (!guard) {
    throw new MigrateError('input', `The guard of ${app} is not armed: above 0%, an alarm between shifts would leave traffic on a failing AWS side.`, {hint});
  }
  if (guard.loadBalancerId !== loadBalancerId) {
    throw new MigrateError('conflict', `The guard of ${app} (${guard.stackName}) protects load balancer ${guard.loadBalancerId}, but the live one is ${loadBalancerId}.`, {hint: `Re-install it: migrate guard install --app ${app}.`});
  }
  return null;
}
