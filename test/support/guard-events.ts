/**
 * EventBridge events the guard receives, field by field as in AWS's published examples:
 * "CloudWatch Alarm State Change" (Amazon CloudWatch User Guide, "Alarm events and EventBridge",
 * single metric alarm) and "Scheduled Event" (Amazon EventBridge User Guide, scheduled rules).
 */
export function alarmEvent(arn: string, name: string, value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', previous: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA' = 'OK') {
  const [, , , region, account] = arn.split(':');
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time: '2026-12-02T03:04:40Z',
    region,
    resources: [arn],
    detail: {
      alarmName: name,
      configuration: {
        description: 'heroku2aws gate',
        metrics: [
          {
            id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87',
            metricStat: {metric: {dimensions: {LoadBalancer: 'app/shop-alb/50dc6c495c0c9188'}, name: 'HTTPCode_Target_5XX_Count', namespace: 'AWS/ApplicationELB'}, period: 60, stat: 'Sum'},
            returnData: true,
          },
        ],
      },
      previousState: {
        reason: 'Threshold Crossed: 1 out of the last 1 datapoints [0.0 (02/12/26 02:59:00)] was not greater than or equal to the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).',
        reasonData: '{"version":"1.0","queryDate":"2026-12-02T02:59:40.985+0000","statistic":"Sum","period":60,"recentDatapoints":[0.0],"threshold":1.0}',
        timestamp: '2026-12-02T02:59:40.985+0000',
        value: previous,
      },
      state: {
        reason: 'Threshold Crossed: 1 out of the last 1 datapoints [12.0 (02/12/26 03:03:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).',
        reasonData: '{"version":"1.0","queryDate":"2026-12-02T03:04:40.989+0000","statistic":"Sum","period":60,"recentDatapoints":[12.0],"threshold":1.0}',
        timestamp: '2026-12-02T03:04:40.989+0000',
        value,
      },
    },
  };
}

export function scheduledEvent(ruleArn: string) {
  const [, , , region, account] = ruleArn.split(':');
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: '2026-12-02T03:05:00Z',
    region,
    resources: [ruleArn],
    detail: {},
  };
}
