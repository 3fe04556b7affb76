/**
 * Has the Heroku app changed since the plan was made? Compares what shapes the AWS side: process
 * types and their commands and sizes, add-ons and their plans, and config var names. Scale
 * (quantities) and config values are left out: they change daily and the plan does not depend on them.
 */
import type {AppModel} from './model.ts';
import type {Plan} from './plan.ts';

export function planDrift(plan: Plan, live: AppModel): string[] {
  const out: string[] = [];
  const diff = (what: string, planned: Map<string, string>, now: Map<string, string>) => {
    for (const [k, v] of now) {
      if (!planned.has(k)) out.push(`${what} ${k} is new on Heroku`);
      else if (planned.get(k) !== v) out.push(`${what} ${k} changed (${planned.get(k)} -> ${v})`);
    }
    for (const k of planned.keys()) if (!now.has(k)) out.push(`${what} ${k} is gone from Heroku`);
  };
  diff(
    'process type',
    new Map(plan.services.map((s) => [s.processType, `${s.command} @ ${s.heroku.size}`])),
    new Map(live.processes.filter((p) => p.type !== 'release').map((p) => [p.type, `${p.command} @ ${p.size}`])),
  );
  diff('release command', new Map(plan.releaseTask ? [['release', plan.releaseTask.command]] : []), new Map(live.releaseCommand ? [['release', live.releaseCommand]] : []));
  diff('add-on', new Map(plan.addons.map((a) => [a.name, `${a.service}:${a.plan ?? ''}`])), new Map(live.addons.map((a) => [a.name, `${a.service}:${a.plan ?? ''}`])));
  diff('config var', new Map(plan.config.map((c) => [c.name, ''])), new Map(live.configVars.map((c) => [c.name, ''])));
  return out.sort();
}
