/** The secret change as key names only. */
import type {SecretsImportResult} from '../workflows/secrets-import.ts';

export function renderSecretDiff(r: SecretsImportResult): string {
  const lines: string[] = [];
  const section = (sign: string, label: string, keys: string[]) => {
    if (keys.length) lines.push(`${label} (${keys.length}):`, ...keys.map((k) => `  ${sign} ${k}`));
  };
  section('+', 'added', r.diff.added);
  section('~', 'changed', r.diff.changed);
  section('-', 'removed', r.diff.removed);
  section('=', 'kept (gone from Heroku; --prune removes them)', r.diff.kept);
  lines.push(`unchanged: ${r.diff.unchanged}`);
  const size = `${r.bytes} of 65536 bytes`;
  if (r.dryRun) lines.push(`Dry run: nothing written to ${r.secretName} (${r.region}); ${size}.`);
  else if (r.written) lines.push(`Wrote and verified ${r.secretName} version ${r.versionId} (${size}).`);
  else lines.push(`No change: ${r.secretName} is up to date (version ${r.versionId}); nothing written.`);
  return lines.join('\n');
}
