/**
 * What the cutover needs from Cloudflare Load Balancing. Weights are the AWS share in whole
 * percent (0..100); the adapter converts to Cloudflare's relative pool weights (0..1) and always
 * writes both pools' weights in one request.
 */
export interface EdgeSpec {
  zoneId: string;
  accountId: string;
  /** the load balancer's hostname (a custom domain on the zone) */
  hostname: string;
  /** names derive from the app: heroku2aws-<app>-heroku, heroku2aws-<app>-aws, heroku2aws-<app>-monitor */
  namePrefix: string;
  monitor: {path: string; expectedCodes: string; intervalSeconds: number; type: 'http' | 'https'};
  heroku: {address: string; hostHeader: string | null};
  aws: {address: string};
}

export interface EdgeView {
  loadBalancerId: string;
  hostname: string;
  steeringPolicy: string;
  herokuPoolId: string;
  awsPoolId: string;
  /** AWS share in percent as currently configured (rounded to 0.01) */
  awsShare: number;
  fallbackPoolId: string;
  defaultPools: string[];
  awsPoolEnabled: boolean;
  sessionAffinity: string;
  /** adaptive routing's failover_across_pools */
  adaptiveFailover: boolean;
}

export interface EdgeSetupResult {
  created: string[];
  adopted: string[];
  view: EdgeView;
  /** adopted objects whose Host headers differ from the ones setup would give them */
  warnings?: string[];
}

/** Which Host overrides Cloudflare would accept for an origin (docs/facts.md, "Host header overrides"). */
export interface HostHeaderCheck {
  /** the hosts that meet Cloudflare's rule, in the order given */
  accepted: string[];
  /** false when the token could not list the account's zones (only the address and DNS rules were checked) */
  zonesReadable: boolean;
}

export type PoolHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface EdgeBalancer {
  /**
   * Which of `hosts` Cloudflare accepts as the Host override of an origin at `address`: a
   * subdomain of a zone of the account, the address itself, or a name resolving to it. Reads only.
   */
  acceptedHostHeaders(spec: EdgeSpec, address: string, hosts: string[]): Promise<HostHeaderCheck>;
  /**
   * Creates or adopts monitor (Host header: the hostname), pools (the AWS origin's Host: the
   * hostname; the Heroku origin's: spec.heroku.hostHeader) and the load balancer (weights Heroku 1 /
   * AWS 0 only when it creates the LB). `beforeLoadBalancer` runs once the pools exist and before a
   * load balancer is created on the hostname (not when one is adopted); if it throws, nothing is
   * attached to the hostname.
   */
  ensureSetup(spec: EdgeSpec, options?: {beforeLoadBalancer?: (pools: {herokuPoolId: string; awsPoolId: string}) => Promise<void>}): Promise<EdgeSetupResult>;
  /** a pool's health as Cloudflare's monitor reports it ('unknown' before the first probe) */
  poolHealth(poolId: string, spec: EdgeSpec): Promise<PoolHealth>;
  /** reads the live load balancer (the truth for weights) */
  read(spec: EdgeSpec): Promise<EdgeView>;
  /** one write that sets both pool weights for the given AWS share (0..100) */
  writeWeights(view: EdgeView, awsShare: number, spec: EdgeSpec): Promise<void>;
  setAwsPoolEnabled(view: EdgeView, enabled: boolean, spec: EdgeSpec): Promise<void>;
  awsPoolHealth(view: EdgeView, spec: EdgeSpec): Promise<PoolHealth>;
  /**
   * Finalize: the AWS pool becomes the only default pool (weight 1) and the fallback; the Heroku
   * pool leaves the load balancer (the pool itself stays). Reads the load balancer back, throws
   * when it does not show that, and returns the read-back view.
   */
  retireHerokuPool(view: EdgeView, spec: EdgeSpec): Promise<EdgeView>;
  /**
   * Finalize --undo: the Heroku pool back in the default pools at weight 0 (AWS 1) and as the
   * fallback; verified by read-back like retireHerokuPool.
   */
  restoreHerokuPool(view: EdgeView, spec: EdgeSpec): Promise<EdgeView>;
  /**
   * Proves the token may edit the load balancer ('load-balancer') or the AWS pool ('pool') with a
   * write that changes nothing (each object's description, written back as read).
   */
  probeWriteAccess?(view: EdgeView, spec: EdgeSpec, what: 'load-balancer' | 'pool'): Promise<void>;
  stats(): {requests: number; retries: number};
}
