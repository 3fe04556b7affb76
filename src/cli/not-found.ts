/**
 * oclif `command_not_found` hook: an unknown command is a usage error (exit 2) that names the
 * closest command ("did you mean"). It never runs the suggestion (a typo must not start a live
 * change), unlike @oclif/plugin-not-found, which offers to run it in a terminal.
 */
import type {Hook} from '@oclif/core';

/** edit distance (insert, delete, substitute, swap of neighbours) */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** the closest of `ids` to `id` when it is close enough to be a typo (at most a third of its letters) */
export function closest(id: string, ids: string[]): string | undefined {
  let best: {id: string; d: number} | undefined;
  for (const candidate of ids) {
    const d = Math.min(distance(id, candidate), ...(candidate.includes(':') ? [] : [distance(id.split(':')[0]!, candidate)]));
    if (!best || d < best.d) best = {id: candidate, d};
  }
  return best && best.d <= Math.max(1, Math.floor(id.length / 3)) ? best.id : undefined;
}

const hook: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const spaced = (id: string) => id.replaceAll(':', ' ');
  const suggestion = closest(opts.id, ids);
  process.stderr.write(
    `Error: '${spaced(opts.id)}' is not a ${opts.config.bin} command.${suggestion ? ` Did you mean '${opts.config.bin} ${spaced(suggestion)}'?` : ''}\n` +
      `Fix: Run '${opts.config.bin} help' for the list of commands.\n`,
  );
  this.exit(2);
};

export default hook;
