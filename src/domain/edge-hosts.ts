/**
 * The Host headers of the Cloudflare origins and monitor (docs/facts.md, "Cloudflare: Host
 * header overrides"). Cloudflare sends an endpoint's Host override with proxied requests AND
 * with health monitor requests; without one, the origin address is the Host (an ALB's DNS
 * name: wrong certificate name, and apps with host checks answer 4xx). So:
 * - the AWS origin and the monitor carry the load-balanced hostname;
 * - the Heroku origin carries the load-balanced hostname when Heroku serves it (it is a custom
 *   domain of the app), else another custom domain of the app that Cloudflare accepts as an
 *   override, else setup stops before it creates anything.
 * Cloudflare accepts an override only when it is a subdomain of a zone of the account,
 * matches the endpoint address, or publicly resolves to the endpoint address.
 */
import {MigrateError} from './errors.ts';

const norm = (h: string) => h.trim().toLowerCase().replace(/\.$/, '');

/** `host` is `zone` or a name below it. */
export function isSubdomainOf(host: string, zone: string): boolean {
  const h = norm(host);
  const z = norm(zone);
  return z !== '' && (h === z || h.endsWith(`.${z}`));
}

/** What Cloudflare's rule is checked against: the account's zones (null: unreadable) and a resolver. */
export interface HostRuleFacts {
  zoneNames: string[] | null;
}

/** Which of Cloudflare's three conditions `host` meets without DNS (the cheap ones); null: only DNS could tell. */
export function hostRuleWithoutDns(host: string, address: string, facts: HostRuleFacts): 'address' | 'zone' | null {
  if (norm(host) === norm(address)) return 'address';
  if (facts.zoneNames?.some((z) => isSubdomainOf(host, z))) return 'zone';
  return null;
}

/**
 * The Heroku origin's Host candidates in order of preference: the load-balanced hostname when
 * Heroku serves it, then the app's other custom domains (wildcards cannot be a Host).
 */
export function herokuHostCandidates(hostname: string, customDomains: string[]): string[] {
  const exact = [...new Set(customDomains.map(norm))].filter((d) => d !== '' && !d.startsWith('*.'));
  const lb = norm(hostname);
  return exact.includes(lb) ? [lb, ...exact.filter((d) => d !== lb)] : exact;
}

export interface HerokuHostChoice {
  hostHeader: string;
  warnings: string[];
}

/**
 * Picks the Heroku origin's Host among `candidates` (in order) given those Cloudflare accepts,
 * or stops with what to do.
 */
export function chooseHerokuHost(hostname: string, candidates: string[], accepted: string[], zonesReadable: boolean): HerokuHostChoice {
  const lb = norm(hostname);
  const pick = candidates.find((c) => accepted.includes(c));
  if (pick) {
    const warnings =
      pick === lb
        ? []
        : [
            `Heroku does not serve ${lb} (not a custom domain of the Heroku app): the Heroku origin is reached with Host ${pick}, so the app sees that name on Heroku. Add ${lb} to the Heroku app (heroku domains:add ${lb}) and re-plan to keep one name on both sides.`,
          ];
    return {hostHeader: pick, warnings};
  }
  const unreadable = zonesReadable ? '' : ' (the token cannot list the account\'s zones, so only names that resolve to the Heroku origin could be checked: give it Zone > Zone > Read)';
  if (candidates.length === 0) {
    throw new MigrateError('input', `The Heroku app has no custom domain to reach it through Cloudflare with: Heroku routes by Host, and ${lb} is not one of its domains.`, {
      hint: `Add ${lb} to the Heroku app (heroku domains:add ${lb}), then re-plan (migrate plan) and run edge setup again. Nothing was created.`,
    });
  }
  throw new MigrateError('input', `No custom domain of the Heroku app can be the Heroku origin's Host header: Cloudflare accepts only a subdomain of a zone of the account, the origin address itself, or a name that resolves to it, and none of ${candidates.join(', ')} is one${unreadable}.`, {
    hint: `Add ${lb} (on this zone) to the Heroku app with heroku domains:add ${lb}, then re-plan and run edge setup again; or add a zone of this Cloudflare account that holds one of those domains. Nothing was created.`,
  });
}
