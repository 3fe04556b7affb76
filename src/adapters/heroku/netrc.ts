/**
 * A .netrc parser (pure). Understands the multi-line form the Heroku CLI writes and the
 * single-line form (`machine h login l password p`), `default` entries, `#` comments,
 * double-quoted values with backslash escapes, and `macdef` bodies (skipped up to the next
 * blank line). Unknown keywords are ignored, as ftp and curl do.
 */
export interface NetrcEntry {
  /** null for the `default` entry */
  machine: string | null;
  login?: string;
  password?: string;
  account?: string;
}

interface Token {
  value: string;
  /** offset just past the token */
  end: number;
}

/** The next token; `#` starts a comment only where a keyword is expected (a password may start with #). */
function nextToken(text: string, from: number, comments = true): Token | undefined {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) return undefined;
    if (!comments || text[i] !== '#') break;
    while (i < text.length && text[i] !== '\n') i++;
  }
  let value = '';
  if (text[i] === '"') {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    return {value, end: i + 1};
  }
  while (i < text.length && !/\s/.test(text[i] ?? '')) {
    value += text[i];
    i++;
  }
  return {value, end: i};
}

/** Offset after a macdef body: the rest of the current line, then lines up to a blank one. */
function skipMacdef(text: string, from: number): number {
  const blank = /\n[ \t]*\r?\n/g;
  blank.lastIndex = from;
  const m = blank.exec(text);
  return m ? m.index + m[0].length : text.length;
}

export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  let current: NetrcEntry | undefined;
  let pos = 0;
  for (let tok = nextToken(text, pos); tok; tok = nextToken(text, pos)) {
    pos = tok.end;
    switch (tok.value) {
      case 'machine': {
        const host = nextToken(text, pos, false);
        if (!host) return entries;
        pos = host.end;
        current = {machine: host.value};
        entries.push(current);
        break;
      }
      case 'default':
        current = {machine: null};
        entries.push(current);
        break;
      case 'login':
      case 'password':
      case 'account': {
        const value = nextToken(text, pos, false);
        if (!value) return entries;
        pos = value.end;
        if (current) current[tok.value] = value.value;
        break;
      }
      case 'macdef': {
        const name = nextToken(text, pos, false);
        pos = skipMacdef(text, name ? name.end : pos);
        current = undefined;
        break;
      }
      default:
        break;
    }
  }
  return entries;
}

/** The first entry for exactly this machine (the `default` entry is never used for it). */
export function netrcMachine(entries: NetrcEntry[], machine: string): NetrcEntry | undefined {
  const host = machine.toLowerCase();
  return entries.find((e) => e.machine !== null && e.machine.toLowerCase() === host);
}
