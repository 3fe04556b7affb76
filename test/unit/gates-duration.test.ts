import {parseDuration} from '../../src/domain/duration.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {gateVerdict} from '../../src/domain/gates.ts';

describe('gate verdicts', () => {
  const ok = {a: 'OK', b: 'OK'} as const;
  it.each([
    [{alarms: ok, poolHealth: 'healthy', requests: 300}, 'pass'],
    [{alarms: {...ok, b: 'ALARM'}, poolHealth: 'healthy', requests: 300}, 'fail'],
    [{alarms: ok, poolHealth: 'unhealthy', requests: 300}, 'fail'],
    [{alarms: {...ok, b: 'ALARM'}, poolHealth: 'unknown', requests: 0}, 'fail'],
    [{alarms: {...ok, b: 'INSUFFICIENT_DATA'}, poolHealth: 'healthy', requests: 300}, 'inconclusive'],
    [{alarms: {...ok, b: 'MISSING'}, poolHealth: 'healthy', requests: 300}, 'inconclusive'],
    [{alarms: ok, poolHealth: 'unknown', requests: 300}, 'inconclusive'],
  ] as const)('%j -> %s', (readings, verdict) => {
    expect(gateVerdict(readings).verdict).toBe(verdict);
  });

  it('names every failing check', () => {
    expect(gateVerdict({alarms: {'shop-web-5xx-rate': 'ALARM'}, poolHealth: 'unhealthy', requests: 1}).reasons).toEqual([
      'alarm shop-web-5xx-rate is in ALARM',
      'Cloudflare reports the AWS pool unhealthy',
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['2', 2000],
    ['1.5s', 1500],
  ])('%s -> %i ms', (text, ms) => expect(parseDuration(text, '--bake')).toBe(ms));

  it.each(['', 'soon', '10 minutes', '5d', '1h 30m', '-1s'])('refuses %p as a usage error', (text) => {
    expect(() => parseDuration(text, '--bake')).toThrow(MigrateError);
    expect(() => parseDuration(text, '--bake')).toThrow(/--bake must be a duration/);
  });
});
