/**
 * Names derived from the app, shared by plan, stacks and cutover so each finds the others'
 * resources without configuration.
 */
export const secretName = (app: string) => `heroku2aws/${app}`;
export const clusterName = (app: string) => `${app}`;
export const serviceName = (app: string, processType: string) => `${app}-${processType}`;
export const stackName = (app: string, part: string) => `heroku2aws-${app}-${part}`;

export const alarmNames = (app: string) => ({
  errorRate: `${app}-web-5xx-rate`,
  latencyP99: `${app}-web-p99-latency`,
  unhealthyHosts: `${app}-web-unhealthy-hosts`,
  runningBelowDesired: (processType: string) => `${app}-${processType}-running-below-desired`,
});

/** CloudWatch Logs group of every container of the app (stream prefix: the process type). */
export const logGroupName = (app: string) => `/heroku2aws/${app}`;
/** ECS task definition family of the release-phase task. */
export const releaseTaskFamily = (app: string) => `${app}-release`;
