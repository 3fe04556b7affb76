/** Domains -> Cloudflare load balancer hostnames, the ACM certificate and the Heroku origin. */
import type {DomainRef} from './model.ts';

export interface DomainPlan {
  /** hostnames the Cloudflare load balancer answers for */
  hostnames: string[];
  certificate: {domainNames: string[]};
  /** the Heroku origin for the Cloudflare pool */
  herokuOrigin: string;
  /** Host header the Heroku origin needs (a custom domain registered on the app) */
  herokuHostHeader: string | null;
}

export function planDomains(app: string, domains: DomainRef[], extra: string[] = []): {domains: DomainPlan; warnings: string[]; manualSteps: string[]} {
  const warnings: string[] = [];
  const manualSteps: string[] = [];
  const custom = [...new Set([...domains.filter((d) => d.kind === 'custom').map((d) => d.hostname), ...extra].map((h) => h.toLowerCase()))].sort();
  const herokuOrigin = domains.find((d) => d.kind === 'heroku')?.hostname ?? `${app}.herokuapp.com`;
  const exact = custom.filter((h) => !h.startsWith('*.'));
  if (custom.length === 0) {
    warnings.push('The app has no custom domain: Cloudflare load balancing needs a hostname on a Cloudflare zone.');
    manualSteps.push('Add a custom domain on a Cloudflare zone (heroku domains:add) and re-plan, or pass --domain.');
  }
  for (const d of domains) {
    if (d.kind === 'custom' && d.acmStatus && !['ok', 'cert issued'].includes(d.acmStatus)) {
      warnings.push(`Domain ${d.hostname}: Heroku ACM status is '${d.acmStatus}'.`);
    }
  }
  return {
    domains: {
      hostnames: custom,
      certificate: {domainNames: custom},
      herokuOrigin,
      herokuHostHeader: exact[0] ?? null,
    },
    warnings,
    manualSteps,
  };
}
