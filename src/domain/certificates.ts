/**
 * The ACM certificate for the plan's hostnames: which names to request, whether a certificate
 * that exists already covers them, and which DNS validation records go into the Cloudflare zone.
 * Pure: no I/O. The ACM and Cloudflare facts relied on are in docs/facts.md ("ACM certificates").
 */
import {createHash} from 'node:crypto';
import {inputError, MigrateError} from './errors.ts';

export interface ValidationRecord {
  /** the certificate name this record validates */
  domainName: string;
  /** PENDING_VALIDATION | SUCCESS | FAILED */
  status: string;
  /** absent for a few seconds after the request, until ACM has made it */
  record?: {name: string; type: string; value: string};
}

export interface CertificateView {
  arn: string;
  /** ISSUED | PENDING_VALIDATION | FAILED | VALIDATION_TIMED_OUT | EXPIRED | REVOKED | INACTIVE */
  status: string;
  /** AMAZON_ISSUED | IMPORTED | PRIVATE */
  type: string;
  /** DomainName first, then the other subject alternative names, lower-case */
  domainNames: string[];
  notAfter?: string;
  validation: ValidationRecord[];
  tags: Record<string, string>;
  failureReason?: string;
}

/** A DNS record the tool keeps in the zone for a certificate (state: what it created itself). */
export interface DnsRecordRef {
  id: string;
  name: string;
  type: string;
  content: string;
  /** true when this tool created it (only those are removed by --cleanup) */
  created: boolean;
}

export const APP_TAG = 'heroku2aws:app';
/** ACM's maximum (a quota: 10 names by default, raisable to 100) and its limit on DomainName. */
export const ACM_MAX_NAMES = 100;
export const ACM_DEFAULT_NAME_QUOTA = 10;
export const ACM_MAX_DOMAIN_NAME_LENGTH = 64;
/** an issued certificate that expires sooner than this is not reused */
export const REUSE_MIN_DAYS_LEFT = 30;

const norm = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

/** The names to request: DomainName (the first exact name of at most 64 characters) and the SANs. */
export function requestNames(domainNames: string[]): {domainName: string; names: string[]; warnings: string[]} {
  const names = [...new Set(domainNames.map(norm))].sort();
  if (names.length === 0) {
    throw inputError('The plan has no custom domain to request a certificate for.', 'Add a custom domain to the Heroku app (heroku domains:add) and re-plan, or pass --domain to `migrate plan`.');
  }
  if (names.length > ACM_MAX_NAMES) {
    throw inputError(`The plan has ${names.length} hostnames; one ACM certificate holds at most ${ACM_MAX_NAMES}.`, 'Split the hostnames over several apps, or use a wildcard name (*.example.com) in the plan.');
  }
  const first = names.find((n) => !n.startsWith('*.') && n.length <= ACM_MAX_DOMAIN_NAME_LENGTH) ?? names.find((n) => n.length <= ACM_MAX_DOMAIN_NAME_LENGTH);
  if (!first) throw inputError(`Every hostname of the plan is longer than ${ACM_MAX_DOMAIN_NAME_LENGTH} characters; ACM needs one that is not as the certificate's DomainName.`, 'Add a shorter custom domain to the plan.');
  const warnings =
    names.length > ACM_DEFAULT_NAME_QUOTA
      ? [`${names.length} names exceed ACM's default quota of ${ACM_DEFAULT_NAME_QUOTA} names per certificate: ask for an increase in Service Quotas (ACM: "Domain names per ACM certificate") first.`]
      : [];
  return {domainName: first, names: [first, ...names.filter((n) => n !== first)], warnings};
}

/** `*.example.com` covers `a.example.com` (one label), not `example.com` nor `a.b.example.com`. */
export function nameCovered(name: string, certNames: string[]): boolean {
  const n = norm(name);
  return certNames.map(norm).some((c) => c === n || (c.startsWith('*.') && n.indexOf('.') > 0 && n.slice(n.indexOf('.') + 1) === c.slice(2)));
}

export const covers = (cert: CertificateView, names: string[]) => names.every((n) => nameCovered(n, cert.domainNames));

const sameNames = (a: string[], b: string[]) => a.length === b.length && [...a].map(norm).sort().join(',') === [...b].map(norm).sort().join(',');

/**
 * What to do with the certificates found: reuse an issued one covering every name (that does
 * not expire within 30 days; ours first, then Amazon-issued, then the longest-lived), else resume
 * our own pending request for exactly these names, else request a new one.
 */
export function chooseCertificate(found: CertificateView[], names: string[], app: string, now: Date): {action: 'reuse' | 'resume'; certificate: CertificateView} | {action: 'request'} {
  const minNotAfter = now.getTime() + REUSE_MIN_DAYS_LEFT * 86_400_000;
  const issued = found
    .filter((c) => c.status === 'ISSUED' && covers(c, names) && (c.notAfter === undefined || Date.parse(c.notAfter) > minNotAfter))
    .sort(
      (a, b) =>
        Number(b.tags[APP_TAG] === app) - Number(a.tags[APP_TAG] === app) ||
        Number(b.type === 'AMAZON_ISSUED') - Number(a.type === 'AMAZON_ISSUED') ||
        (b.notAfter ?? '').localeCompare(a.notAfter ?? '') ||
        a.arn.localeCompare(b.arn),
    );
  if (issued[0]) return {action: 'reuse', certificate: issued[0]};
  const pending = found.filter((c) => c.status === 'PENDING_VALIDATION' && c.tags[APP_TAG] === app && sameNames(c.domainNames, names)).sort((a, b) => a.arn.localeCompare(b.arn));
  if (pending[0]) return {action: 'resume', certificate: pending[0]};
  return {action: 'request'};
}

/** ACM's IdempotencyToken (\w, at most 32 characters): the same app and names within an hour give one certificate. */
export function idempotencyToken(app: string, names: string[]): string {
  return 'h2a' + createHash('sha256').update(`${app}\n${[...names].map(norm).sort().join('\n')}`).digest('hex').slice(0, 29);
}

/** True when `name` is the zone apex or below it. */
export const inZone = (name: string, zoneName: string) => {
  const n = norm(name);
  const z = norm(zoneName);
  return n === z || n.endsWith(`.${z}`);
};

/**
 * The distinct validation records to put in the zone (a wildcard and its base name share one),
 * with names and values as Cloudflare stores them (no trailing dot). Every name must be in the
 * zone: Cloudflare would otherwise append the zone name and the record would validate nothing.
 */
export function validationRecords(cert: CertificateView, zoneName: string): Array<{name: string; type: string; content: string; domainNames: string[]}> {
  const byName = new Map<string, {name: string; type: string; content: string; domainNames: string[]}>();
  for (const v of cert.validation) {
    if (!v.record) continue;
    const name = norm(v.record.name);
    const existing = byName.get(name);
    if (existing) existing.domainNames.push(v.domainName);
    else byName.set(name, {name, type: v.record.type.toUpperCase(), content: norm(v.record.value), domainNames: [v.domainName]});
  }
  const outside = [...byName.values()].filter((r) => !inZone(r.name, zoneName));
  if (outside.length > 0) {
    throw new MigrateError('input', `${outside.flatMap((r) => r.domainNames).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in the Cloudflare zone ${zoneName}: their validation records cannot go there.`, {
      hint: 'Pass --zone with the zone that holds these hostnames (one certificate needs all its names in that zone), or re-plan with hostnames of this zone.',
    });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Same DNS content, ignoring case and a trailing dot. */
export const sameContent = (a: string, b: string) => norm(a) === norm(b);

export function validationProgress(cert: CertificateView): {validated: number; total: number} {
  return {validated: cert.validation.filter((v) => v.status === 'SUCCESS').length, total: cert.validation.length};
}

export const FAILED_STATUSES = ['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'EXPIRED', 'INACTIVE'];

/** The certificate `certs request` recorded, when it is issued and in the deploy region (for `deploy` without --certificate-arn). */
export function recordedCertificate(certificate: {arn: string; region: string; status: string} | undefined, region: string): string | undefined {
  return certificate && certificate.region === region && certificate.status === 'ISSUED' ? certificate.arn : undefined;
}
