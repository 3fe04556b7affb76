/** What the gates read from CloudWatch. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface MetricsGate {
  alarmStates(names: string[]): Promise<Record<string, AlarmState>>;
  /** Sum of AWS/ApplicationELB RequestCount for the load balancer between start and end */
  requestCount(loadBalancer: string, start: Date, end: Date): Promise<number>;
}

/** one-minute (or coarser) sums of the load balancer's metrics over a window, for the report */
export interface MetricsHistory {
  history(loadBalancer: string, start: Date, end: Date): Promise<{name: string; unit: string; points: {at: string; value: number}[]}[]>;
}
