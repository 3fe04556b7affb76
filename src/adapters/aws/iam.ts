/** AwsIdentity (STS) and OidcProviders (IAM) for `migrate ci init`. */
import type {AwsIdentity, OidcProviders} from '../../ports/ci.ts';
import {awsError, clientConfig, type AwsClientOptions} from './errors.ts';

export async function createAwsIdentity(options: AwsClientOptions): Promise<AwsIdentity> {
  const sts = await import('@aws-sdk/client-sts');
  const client = new sts.STSClient(clientConfig(options));
  return {
    async accountId() {
      try {
        const r = await client.send(new sts.GetCallerIdentityCommand({}));
        if (!r.Account) throw new Error('GetCallerIdentity returned no account');
        return r.Account;
      } catch (err) {
        throw awsError(err, 'read the AWS account (sts:GetCallerIdentity)');
      }
    },
  };
}

export async function createOidcProviders(options: AwsClientOptions): Promise<OidcProviders> {
  const iam = await import('@aws-sdk/client-iam');
  const client = new iam.IAMClient(clientConfig(options));
  return {
    async find(issuerUrl) {
      // the provider's ARN ends in oidc-provider/<the URL without https://> (IAM User Guide)
      const suffix = `:oidc-provider/${issuerUrl.replace(/^https:\/\//, '').replace(/\/$/, '')}`;
      try {
        const r = await client.send(new iam.ListOpenIDConnectProvidersCommand({}));
        return (r.OpenIDConnectProviderList ?? []).map((p) => p.Arn ?? '').find((arn) => arn.endsWith(suffix)) ?? null;
      } catch (err) {
        throw awsError(err, 'list the IAM OIDC providers (iam:ListOpenIDConnectProviders)');
      }
    },
  };
}
