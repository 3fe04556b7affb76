/** Human output of `migrate finalize` and the retirement record as Markdown (retirement.md). */
import type {RetirementRecord} from '../domain/finalize.ts';
import {formatMs} from '../domain/finalize.ts';
import type {FinalizeResult} from '../workflows/finalize.ts';
import {bullets, code, table} from './markdown.ts';

const usd = (n: number | null) => (n === null ? 'n/a' : `$${n}`);

export function renderRetirementMd(r: RetirementRecord): string {
  const c = r.monthlyDynoCostStopped;
  return [
    `# Retirement of ${r.app} on Heroku`,
    '',
    `Status: **${r.status}** — retired ${r.retiredAt}${r.undoneAt ? `, undone ${r.undoneAt} (\`migrate finalize --undo\`)` : ''}.`,
    r.durationMs === null ? '' : `Whole migration: ${formatMs(r.durationMs)} from the first journaled step.`,
    '',
    '## Formation before finalize (restored by `migrate finalize --undo`)',
    '',
    table(['Process', 'Size', 'Quantity'], r.formation.map((f) => [f.type, f.size, f.quantity])),
    '## Monthly dyno cost that stops (list prices, check your invoice)',
    '',
    table(['Process', 'Size', 'Quantity', 'Unit', 'Monthly'], c.lines.map((l) => [l.type, l.size, l.quantity, usd(l.unitUsd), usd(l.monthlyUsd)])),
    `Total: ${usd(c.totalUsd)}/month${c.unpriced.length ? ` (no list price for ${c.unpriced.join(', ')})` : ''}. ${c.note}`,
    '',
    r.addonsDestroyed ? '## Add-ons' : '## Add-ons (not destroyed)',
    '',
    table(['Add-on', 'Service', 'Plan', 'Data strategy', 'Data phase', 'Kept', 'AWS target', 'Destroyed'], r.addons.map((a) => [a.name, a.service, a.plan ?? '', a.strategy, a.dataPhase ?? '', a.kept ? 'yes' : '', a.awsTarget, r.destroyedAddons?.find((d) => d.name === a.name)?.at ?? ''])),
    ...(r.backups?.length
      ? ['## Final backups (confirmed by `pg_restore --list`)', '', table(['Add-on', 'File', 'Bytes', 'SHA-256', 'Tables', 'At'], r.backups.map((b) => [b.addon, code(b.path), b.bytes, code(b.sha256), b.tables.length, b.at]))]
      : []),
    '## Domains',
    '',
    bullets([...r.domains.hostnames.map(code), `Heroku origin: ${code(r.domains.herokuOrigin)}${r.domains.herokuHostHeader ? ` (Host ${code(r.domains.herokuHostHeader)})` : ''}`]),
    '## Config vars (names and fingerprints only)',
    '',
    table(['Name', 'Class', 'Action', 'Fingerprint'], r.configVars.map((v) => [v.name, v.class, v.action, v.fingerprint ?? ''])),
    '## Timings',
    '',
    table(['Milestone', 'At'], r.timings.map((t) => [t.what, t.at])),
    '## What remains on Heroku',
    '',
    bullets(r.remainsOnHeroku),
  ].join('\n');
}

export function renderFinalize(r: FinalizeResult): string {
  const out: string[] = [];
  out.push(r.undo ? `Finalize undone for ${r.app}.` : `Heroku retired for ${r.app}.`);
  out.push('', 'Changed:', ...(r.changed.length ? r.changed.map((c) => `  - ${c}`) : ['  - nothing (already done)']));
  if (r.skipped.length) out.push('Already done:', ...r.skipped.map((s) => `  - ${s}`));
  if (r.record) {
    const c = r.record.monthlyDynoCostStopped;
    out.push('', 'Remains on Heroku:', ...r.record.remainsOnHeroku.map((s) => `  - ${s}`));
    out.push('', `Monthly dyno cost that stops (list prices, to check): ${usd(c.totalUsd)}`, ...c.lines.map((l) => `  - ${l.type}: ${l.quantity} × ${l.size} @ ${usd(l.unitUsd)} = ${usd(l.monthlyUsd)}`));
    if (r.record.addonsDestroyed) out.push('', `Add-ons destroyed: ${(r.record.destroyedAddons ?? []).map((d) => d.name).join(', ')}. Undo is no longer possible.`);
    else out.push('', `Undo (until add-ons are destroyed): migrate finalize --app ${r.app} --undo --confirm ${r.app}`);
  }
  if (r.backups.length) {
    out.push('', 'Final backups (confirmed):', ...r.backups.map((b) => `  - ${b.addon}: ${b.path} (${b.bytes} bytes, sha256 ${b.sha256}, ${b.tables.length} tables)`));
  }
  if (r.files.length) out.push('', `Record: ${r.files.join(', ')}`);
  return out.join('\n');
}
