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
}

export type PoolHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface EdgeBalancer {
  /** creates or adopts monitor, pools and load balancer (weights Heroku 1 / AWS 0 only when it creates the LB) */
  ensureSetup(spec: EdgeSpec): Promise<EdgeSetupResult>;
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
