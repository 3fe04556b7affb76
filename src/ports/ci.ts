/** What `migrate ci init` needs besides CloudFormation: the AWS account, IAM's OIDC providers, the app's repository. */
export interface AwsIdentity {
  accountId(): Promise<string>;
}

export interface OidcProviders {
  /** the ARN of the account's IAM OIDC provider for this issuer URL, or null */
  find(issuerUrl: string): Promise<string | null>;
}

export interface CiRepo {
  /** the URL of the `origin` remote of the git repository at dir (null when none) */
  originUrl(dir: string): Promise<string | null>;
  /** 'dir' | 'file' | 'missing' */
  kind(path: string): Promise<'dir' | 'file' | 'missing'>;
  /** a file's text, or null when it does not exist */
  readText(path: string): Promise<string | null>;
  /** writes one file below dir atomically (temporary file, then rename); returns its path */
  writeFile(dir: string, relativePath: string, content: string): Promise<string>;
}
