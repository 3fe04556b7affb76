/** `migrate state show` as text. */
import type {StateShowResult} from '../workflows/state-backend.ts';

const entryLine = (e: StateShowResult['lastEntries'][number]) =>
  `  ${e.at}  ${e.op} ${e.phase}${e.ok === undefined ? '' : e.ok ? ' ok' : ' FAILED'}  ${e.id}${typeof e.details?.by === 'string' ? `  by ${e.details.by}` : ''}`;

export function renderStateShow(r: StateShowResult): string {
  const lock = r.lock
    ? `${r.lock.user}@${r.lock.host} (pid ${r.lock.pid}) runs '${r.lock.command}' since ${r.lock.startedAt}${r.lock.leaseExpiresAt ? `; lease ${r.lock.expired ? 'EXPIRED at' : 'until'} ${r.lock.leaseExpiresAt}${r.lock.expired ? ' (the holder stopped renewing: the next command takes it over)' : ''}` : ''}`
    : 'free';
  return [
    `State of ${r.app}: ${r.location}`,
    `Lock: ${lock}`,
    `Recorded: ${r.recorded.length ? r.recorded.join(', ') : 'nothing yet'}`,
    ...(r.rollbackRequest ? [`Rollback requested at ${r.rollbackRequest.at} by ${r.rollbackRequest.by}`] : []),
    `Journal: ${r.journalEntries} entries${r.lastEntries.length ? `; the last ${r.lastEntries.length}:` : ''}`,
    ...r.lastEntries.map(entryLine),
  ].join('\n');
}
