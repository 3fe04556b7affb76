/** MetricsGate on CloudWatch: alarm states by name and the ALB request count of a time window. */
import type {AlarmState, MetricsGate, MetricsHistory} from '../../ports/metrics.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

const MINUTE = 60_000;

/**
 * ALB metrics have one-minute resolution: count only the whole minutes inside [start, end], so a
 * step is never credited with requests served before it began (or a minute still filling up).
 */
export function completeMinutes(start: Date, end: Date): {start: Date; end: Date} | null {
  const from = Math.ceil(start.getTime() / MINUTE) * MINUTE;
  const to = Math.floor(end.getTime() / MINUTE) * MINUTE;
  return to > from ? {start: new Date(from), end: new Date(to)} : null;
}

export async function createMetricsGate(options: AwsClientOptions): Promise<MetricsGate & {stats(): {requests: number}}> {
  const cw = await import('@aws-sdk/client-cloudwatch');
  const client = capResponses(new cw.CloudWatchClient(clientConfig(options)));
  let requests = 0;
  return {
    async alarmStates(names) {
      const out: Record<string, AlarmState> = Object.fromEntries(names.map((n) => [n, 'MISSING' as AlarmState]));
      // DescribeAlarms takes at most 100 names per call; the SDK paginator follows NextToken
      for (let i = 0; i < names.length; i += 100) {
        try {
          for await (const page of cw.paginateDescribeAlarms({client}, {AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm']})) {
            requests++;
            for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
              if (a.AlarmName && a.StateValue) out[a.AlarmName] = a.StateValue as AlarmState;
            }
          }
        } catch (err) {
          throw awsError(err, 'read CloudWatch alarm states');
        }
      }
      return out;
    },
    async requestCount(loadBalancer, start, end) {
      const window = completeMinutes(start, end);
      if (!window) return 0;
      let sum = 0;
      try {
        for await (const page of cw.paginateGetMetricData(
          {client},
          {
            StartTime: window.start,
            EndTime: window.end,
            MetricDataQueries: [
              {
                Id: 'rq',
                MetricStat: {
                  Metric: {Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [{Name: 'LoadBalancer', Value: loadBalancer}]},
                  Period: 60,
                  Stat: 'Sum',
                },
              },
            ],
          },
        )) {
          requests++;
          for (const r of page.MetricDataResults ?? []) for (const v of r.Values ?? []) sum += v;
        }
      } catch (err) {
        throw awsError(err, 'read the ALB request count from CloudWatch');
      }
      return sum;
    },
    stats: () => ({requests}),
  };
}

/** the series `migrate report` draws: requests, target 5xx and load balancer 5xx per period */
const HISTORY = [
  {id: 'rq', metric: 'RequestCount', name: 'Requests', unit: 'requests per period'},
  {id: 't5', metric: 'HTTPCode_Target_5XX_Count', name: 'Target 5xx responses', unit: 'responses per period'},
  {id: 'e5', metric: 'HTTPCode_ELB_5XX_Count', name: 'Load balancer 5xx responses', unit: 'responses per period'},
];

export async function createMetricsHistory(options: AwsClientOptions): Promise<MetricsHistory> {
  const cw = await import('@aws-sdk/client-cloudwatch');
  const client = capResponses(new cw.CloudWatchClient(clientConfig(options)));
  return {
    async history(loadBalancer, start, end) {
      // at most ~1,440 points a series: one-minute periods up to a day, coarser beyond
      const period = Math.max(60, Math.ceil((end.getTime() - start.getTime()) / 1440 / 60_000) * 60);
      const points = new Map<string, {at: string; value: number}[]>(HISTORY.map((h) => [h.id, []]));
      try {
        for await (const page of cw.paginateGetMetricData(
          {client},
          {
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampAscending',
            MetricDataQueries: HISTORY.map((h) => ({
              Id: h.id,
              MetricStat: {Metric: {Namespace: 'AWS/ApplicationELB', MetricName: h.metric, Dimensions: [{Name: 'LoadBalancer', Value: loadBalancer}]}, Period: period, Stat: 'Sum'},
            })),
          },
        )) {
          for (const r of page.MetricDataResults ?? []) {
            const list = points.get(r.Id ?? '');
            (r.Timestamps ?? []).forEach((t, i) => list?.push({at: t.toISOString(), value: r.Values?.[i] ?? 0}));
          }
        }
      } catch (err) {
        throw awsError(err, 'read the load balancer metrics from CloudWatch');
      }
      return HISTORY.map((h) => ({name: h.name, unit: h.unit.replace('period', period === 60 ? 'minute' : `${period / 60} minutes`), points: points.get(h.id)!.sort((a, b) => a.at.localeCompare(b.at))}));
    },
  };
}
