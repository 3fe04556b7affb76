/** Canary scanning: proves secret values never reach output or files. */
import {sampleApp} from '../fakes/heroku-server.ts';

/** The sample app's secret-looking values (the fixtures mark them with "canary"). */
export const sampleCanaries = (): string[] => Object.values(sampleApp().configVars).filter((v) => v.includes('canary'));

export function expectNoCanary(texts: Iterable<[string, string]>, canaries: string[]): void {
  const leaks: string[] = [];
  for (const [where, text] of texts) {
    for (const c of canaries) if (text.includes(c)) leaks.push(`${where} contains a secret value`);
    if (/canary/i.test(text)) leaks.push(`${where} contains a canary fragment`);
  }
  expect(leaks).toEqual([]);
}
