/** The CloudWatch MetricsGate through the real SDK against moto. */
import {CloudWatchClient, PutMetricDataCommand, SetAlarmStateCommand} from '@aws-sdk/client-cloudwatch';
import {createGateAlarms} from '../support/gates.ts';
import {completeMinutes, createMetricsGate} from '../../src/adapters/aws/cloudwatch.ts';
import {motoClientConfig, motoEndpoint, resetMoto} from '../support/moto.ts';

const LB = 'app/shop-alb/50dc6c495c0c9188';
let cw: CloudWatchClient;
const saved = {...process.env};

afterAll(() => {
  process.env = saved;
});

beforeAll(async () => {
  await resetMoto();
  // the adapter finds moto through the SDK's own AWS_ENDPOINT_URL support, as the CLI does
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  cw = new CloudWatchClient(motoClientConfig());
  await createGateAlarms(['shop-web-5xx-rate', 'shop-web-p99-latency']);
});

describe('CloudWatch metrics gate', () => {
  it('reads alarm states by name; unknown names are MISSING', async () => {
    const gate = await createMetricsGate({region: 'us-east-1', maxAttempts: 1});
    await cw.send(new SetAlarmStateCommand({AlarmName: 'shop-web-5xx-rate', StateValue: 'ALARM', StateReason: 'test'}));
    expect(await gate.alarmStates(['shop-web-5xx-rate', 'shop-web-p99-latency', 'shop-web-none'])).toEqual({
      'shop-web-5xx-rate': 'ALARM',
      'shop-web-p99-latency': 'OK',
      'shop-web-none': 'MISSING',
    });
  });

  it('sums the ALB RequestCount over a window', async () => {
    const gate = await createMetricsGate({region: 'us-east-1', maxAttempts: 1});
    const now = Date.now();
    for (const [offset, value] of [[-120_000, 40], [-60_000, 60], [-3_600_000, 999]] as const) {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricData: [{MetricName: 'RequestCount', Dimensions: [{Name: 'LoadBalancer', Value: LB}], Value: value, Timestamp: new Date(now + offset), Unit: 'Count'}],
        }),
      );
    }
    // whole minutes only: the minute still filling up (now) is not counted yet
    expect(await gate.requestCount(LB, new Date(now - 600_000), new Date(now + 120_000))).toBe(100);
    expect(await gate.requestCount(LB, new Date(now - 1000), new Date(now))).toBe(0);
    expect(await gate.requestCount('app/other/1', new Date(now - 600_000), new Date(now))).toBe(0);
  });
});

describe('request-count window', () => {
  it('keeps whole minutes inside the step only', () => {
    const t = (s: string) => new Date(`2026-11-26T10:${s}Z`);
    expect(completeMinutes(t('00:30'), t('03:10'))).toEqual({start: t('01:00'), end: t('03:00')});
    expect(completeMinutes(t('00:00'), t('01:00'))).toEqual({start: t('00:00'), end: t('01:00')});
    expect(completeMinutes(t('00:30'), t('01:30'))).toBeNull();
  });
});
