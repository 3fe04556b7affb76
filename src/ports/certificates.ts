/** ACM certificates and the Cloudflare DNS records that validate them. */
import type {CertificateView} from '../domain/certificates.ts';

export interface CertificateRequest {
  domainName: string;
  /** every name, DomainName included */
  names: string[];
  idempotencyToken: string;
  tags: Record<string, string>;
}

export interface CertificateAuthority {
  /** ISSUED and PENDING_VALIDATION certificates carrying any of these names */
  find(names: string[]): Promise<CertificateView[]>;
  /** null when ACM has no such certificate */
  describe(arn: string): Promise<CertificateView | null>;
  /** RequestCertificate with DNS validation; returns the ARN */
  request(request: CertificateRequest): Promise<string>;
}

export interface DnsRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
}

export interface DnsZoneRecords {
  /** the zone's name (example.com) */
  zoneName(zoneId: string): Promise<string>;
  /** every record with exactly this name, of any type */
  list(zoneId: string, name: string): Promise<DnsRecord[]>;
  /** null when the record is gone */
  get(zoneId: string, id: string): Promise<DnsRecord | null>;
  /** creates a DNS-only (never proxied) record */
  create(zoneId: string, record: {name: string; type: string; content: string; comment: string}): Promise<DnsRecord>;
  delete(zoneId: string, id: string): Promise<void>;
}
