/** Terminal output helpers: ANSI colour (only when asked: a TTY without NO_COLOR) and aligned tables. */

export const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);
export const red = (on: boolean, text: string) => paint(on, '1;31', text);
export const green = (on: boolean, text: string) => paint(on, '32', text);
export const yellow = (on: boolean, text: string) => paint(on, '33', text);
export const dim = (on: boolean, text: string) => paint(on, '2', text);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
/** printed width (colour codes take no room) */
export const visibleWidth = (text: string): number => [...text.replace(ANSI, '')].length;
const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - visibleWidth(text)));

/** Columns aligned with two spaces, a rule under the header; cells may carry colour. */
export function terminalTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
