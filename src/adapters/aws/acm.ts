/** CertificateAuthority on AWS Certificate Manager (DNS validation). Facts: docs/facts.md ("ACM certificates"). */
import type {CertificateDetail} from '@aws-sdk/client-acm';
import type {CertificateView} from '../../domain/certificates.ts';
import {MigrateError} from '../../domain/errors.ts';
import type {CertificateAuthority} from '../../ports/certificates.ts';
import {awsError, clientConfig, type AwsClientOptions} from './errors.ts';

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

function toView(c: CertificateDetail, tags: Record<string, string>): CertificateView {
  const names = [...new Set([lower(c.DomainName), ...(c.SubjectAlternativeNames ?? []).map(lower)])].filter(Boolean);
  return {
    arn: c.CertificateArn ?? '',
    status: c.Status ?? 'UNKNOWN',
    type: c.Type ?? 'UNKNOWN',
    domainNames: names,
    ...(c.NotAfter ? {notAfter: c.NotAfter.toISOString()} : {}),
    validation: (c.DomainValidationOptions ?? []).map((v) => ({
      domainName: lower(v.DomainName),
      status: v.ValidationStatus ?? 'PENDING_VALIDATION',
      ...(v.ResourceRecord?.Name && v.ResourceRecord.Value ? {record: {name: v.ResourceRecord.Name, type: v.ResourceRecord.Type ?? 'CNAME', value: v.ResourceRecord.Value}} : {}),
    })),
    tags,
    ...(c.FailureReason ? {failureReason: c.FailureReason} : {}),
  };
}

export async function createCertificateAuthority(options: AwsClientOptions): Promise<CertificateAuthority> {
  const acm = await import('@aws-sdk/client-acm');
  const client = new acm.ACMClient(clientConfig(options));

  async function describe(arn: string): Promise<CertificateView | null> {
    try {
      const r = await client.send(new acm.DescribeCertificateCommand({CertificateArn: arn}));
      if (!r.Certificate) return null;
      const t = await client.send(new acm.ListTagsForCertificateCommand({CertificateArn: arn}));
      return toView(r.Certificate, Object.fromEntries((t.Tags ?? []).map((x) => [x.Key ?? '', x.Value ?? ''])));
    } catch (err) {
      if ((err as {name?: string}).name === 'ResourceNotFoundException') return null;
      throw awsError(err, `describe certificate ${arn}`);
    }
  }

  return {
    describe,
    async find(names) {
      const wanted = new Set(names.map(lower));
      const arns: string[] = [];
      try {
        for await (const page of acm.paginateListCertificates({client}, {CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION']})) {
          for (const s of page.CertificateSummaryList ?? []) {
            const carried = [s.DomainName, ...(s.SubjectAlternativeNameSummaries ?? [])].map(lower);
            if (s.CertificateArn && carried.some((n) => wanted.has(n) || (n.startsWith('*.') && names.some((w) => lower(w).endsWith(n.slice(1)))))) arns.push(s.CertificateArn);
          }
        }
      } catch (err) {
        throw awsError(err, `list the ACM certificates in ${options.region}`);
      }
      const views: CertificateView[] = [];
      for (const arn of arns) {
        const v = await describe(arn);
        if (v) views.push(v);
      }
      return views;
    },
    async request(r) {
      try {
        const out = await client.send(
          new acm.RequestCertificateCommand({
            DomainName: r.domainName,
            SubjectAlternativeNames: r.names,
            ValidationMethod: 'DNS',
            IdempotencyToken: r.idempotencyToken,
            Tags: Object.entries(r.tags).map(([Key, Value]) => ({Key, Value})),
          }),
        );
        if (!out.CertificateArn) throw new Error('RequestCertificate returned no ARN');
        return out.CertificateArn;
      } catch (err) {
        const name = (err as {name?: string}).name;
        if (name === 'LimitExceededException') {
          throw new MigrateError('aws', `ACM refused the certificate for ${r.names.join(', ')}: an account limit was reached (${(err as Error).message}).`, {
            hint: 'See Service Quotas for ACM (certificates per year, names per certificate); ask for an increase or delete unused certificates.',
          });
        }
        if (name === 'InvalidDomainValidationOptionsException' || name === 'InvalidParameterException' || name === 'ValidationException') {
          throw new MigrateError('input', `ACM refused the names ${r.names.join(', ')} (${name}).`, {hint: 'Check the custom domains in the plan: public DNS names, at most 253 characters, DomainName at most 64.'});
        }
        throw awsError(err, `request a certificate for ${r.domainName}`);
      }
    },
  };
}
