/** The AWS load balancer the AWS pool points at. */
export interface AlbInfo {
  arn: string;
  dnsName: string;
  /** `app/<name>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB metrics */
  fullName: string;
}

export interface AlbLookup {
  describe(arnOrName: string): Promise<AlbInfo>;
}
