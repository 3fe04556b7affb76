/**
 * Parses a Heroku Procfile: one `<type>: <command>` per line.
 *
 * Heroku's own parser (codon's slug compiler, copied by the heroku/procfile buildpack) matches
 * `^\s*([A-Za-z0-9_-]+):?\s+(.*)` and silently skips every line that does not match; when a
 * type appears twice the later line wins. This parser is stricter where silence would lose a
 * process in the migration: a line that is not a comment and does not declare a process is an
 * error naming the line. Duplicates follow Heroku (the last one wins) with a warning naming
 * both lines. Error messages never quote commands (they may carry credentials).
 */
import {MigrateError} from '../errors.ts';

export interface ProcfileProcess {
  type: string;
  command: string;
}

export interface ProcfileResult {
  /** in file order (of each type's first line); a duplicated type holds its last command */
  processes: ProcfileProcess[];
  warnings: string[];
}

/** Process type names Heroku accepts. */
export const PROCESS_TYPE_RE = /^[A-Za-z0-9_-]+$/;

const HINT = 'Each line is `<type>: <command>`, e.g. `web: npm start`; the type uses letters, digits, "_" or "-". Lines starting with # are comments.';

export function parseProcfile(text: string, file: string): ProcfileResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const byType = new Map<string, {command: string; line: number}>();
  const warnings: string[] = [];

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${lineNo}`;

    const colon = line.indexOf(':');
    if (colon < 0) {
      const guess = /^([A-Za-z0-9_-]+)\s+\S/.exec(line)?.[1];
      const hint = guess ? `If you meant \`${guess}: ...\`, add the ":" (Heroku reads such a line as that, but say it explicitly). ${HINT}` : HINT;
      throw new MigrateError('input', `${where}: expected \`<type>: <command>\`, found no ":" on this line.`, {hint});
    }
    const type = line.slice(0, colon);
    if (!PROCESS_TYPE_RE.test(type)) {
      const detail = type === '' ? 'the process type is empty' : /\s/.test(type) ? 'the process type contains spaces (it must be followed directly by ":")' : 'the process type has characters other than letters, digits, "_" and "-"';
      throw new MigrateError('input', `${where}: malformed process type: ${detail}.`, {hint: HINT});
    }
    const rest = line.slice(colon + 1);
    const command = rest.trim();
    if (command === '') {
      throw new MigrateError('input', `${where}: process type "${type}" has no command.`, {hint: `Add the command after "${type}:", or delete the line. ${HINT}`});
    }
    if (!/^\s/.test(rest)) {
      warnings.push(`${where}: no space after "${type}:"; read as \`${type}: <command>\`, but Heroku's parser may skip such lines, so check that this process really ran on Heroku.`);
    }
    const previous = byType.get(type);
    if (previous) {
      warnings.push(`${where}: process type "${type}" is declared again (first at line ${previous.line}); the last declaration wins, as on Heroku.`);
    }
    // Map keeps the position of the first insertion, so the output order stays that of the file.
    byType.set(type, {command, line: lineNo});
  });

  if (byType.size === 0) warnings.push(`${file}: declares no process types.`);
  return {processes: [...byType].map(([type, {command}]) => ({type, command})), warnings};
}
