/** The plan's gate alarms as real moto CloudWatch alarms (moto's CloudFormation skips alarms). */
import {CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand} from '@aws-sdk/client-cloudwatch';
import {motoClientConfig} from './moto.ts';

export const GATES = ['shop-web-5xx-rate', 'shop-web-p99-latency', 'shop-web-unhealthy-hosts', 'shop-web-running-below-desired'];

export async function createGateAlarms(names = GATES): Promise<void> {
  const cw = new CloudWatchClient(motoClientConfig());
  for (const AlarmName of names) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    await cw.send(new SetAlarmStateCommand({AlarmName, StateValue: 'OK', StateReason: 'test reset'}));
  }
}

export async function setAlarm(name: string, state: 'OK' | 'ALARM'): Promise<void> {
  await new CloudWatchClient(motoClientConfig()).send(new SetAlarmStateCommand({AlarmName: name, StateValue: state, StateReason: 'test'}));
}
