/** Small Markdown helpers (tables with escaped cells). */
const cell = (v: unknown) => String(v ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function table(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '_none_\n';
  const line = (cells: unknown[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

export const bullets = (items: string[]) => (items.length ? items.map((i) => `- ${i}`).join('\n') + '\n' : '_none_\n');

export const code = (s: string) => '`' + s.replace(/`/g, 'ˋ') + '`';

export function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
