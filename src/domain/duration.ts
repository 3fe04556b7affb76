/** `90s`, `10m`, `1h30m`, `500ms`, `2` (seconds) -> milliseconds. */
import {usageError} from './errors.ts';

const UNIT: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== t) {
    throw usageError(`${flag} must be a duration such as 30s, 10m or 1h30m, not "${text}".`, 'Units: ms, s, m, h; a bare number means seconds.');
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT[p[2] ?? 's'] ?? 1000), 0));
}
