import {chooseFargatePair, dynoProfile, FARGATE_PAIRS, isValidFargatePair} from '../../src/domain/fargate.ts';

describe('Fargate pairs', () => {
  it('lists exactly the published table', () => {
    const byCpu = (cpu: number) => FARGATE_PAIRS.filter((p) => p.cpu === cpu).map((p) => p.memory / 1024);
    expect(byCpu(256)).toEqual([0.5, 1, 2]);
    expect(byCpu(512)).toEqual([1, 2, 3, 4]);
    expect(byCpu(1024)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(byCpu(2048)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(byCpu(4096)).toHaveLength(23);
    expect(byCpu(4096)[0]).toBe(8);
    expect(byCpu(4096).at(-1)).toBe(30);
    expect(byCpu(8192)).toEqual([16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
    expect(byCpu(16384)).toEqual([32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120]);
  });

  it.each([
    ['eco', 256, 512],
    ['basic', 256, 512],
    ['standard-1x', 256, 512],
    ['standard-2x', 512, 1024],
    ['performance-m', 2048, 4096],
    ['performance-l', 8192, 16384],
    ['performance-l-ram', 4096, 30720],
    ['performance-xl', 16384, 65536],
    ['private-s', 512, 1024],
    ['shield-m', 2048, 4096],
    ['private-l', 8192, 16384],
    ['Standard-2X', 512, 1024],
  ])('%s -> %i CPU / %i MiB, never less memory than on Heroku', (size, cpu, memory) => {
    const profile = dynoProfile(size);
    expect(profile).toBeDefined();
    const pair = chooseFargatePair(profile!);
    expect(pair).toEqual({cpu, memory});
    expect(isValidFargatePair(pair)).toBe(true);
    expect(pair.memory).toBeGreaterThanOrEqual(profile!.memoryMb);
  });

  it('performance-2xl exceeds Fargate: largest pair with the shortfall reported', () => {
    const pair = chooseFargatePair(dynoProfile('performance-2xl')!);
    expect(pair).toEqual({cpu: 16384, memory: 122880, shortfallMb: 126 * 1024 - 122880});
  });

  it('unknown sizes come from the live dyno-sizes list or are undefined', () => {
    expect(dynoProfile('galactic-9')).toBeUndefined();
    expect(dynoProfile('galactic-9', [{name: 'galactic-9', memoryGb: 6, dedicated: true}])).toEqual({memoryMb: 6144, cpu: 2048});
  });

  it('every pair chosen for any memory up to 120 GB is valid', () => {
    for (let mb = 128; mb <= 120 * 1024; mb += 333) {
      for (const cpu of [256, 512, 1024, 2048, 4096, 8192, 16384]) {
        const pair = chooseFargatePair({memoryMb: mb, cpu});
        expect(isValidFargatePair(pair)).toBe(true);
        expect(pair.memory).toBeGreaterThanOrEqual(mb);
        expect(pair.cpu).toBeGreaterThanOrEqual(cpu);
      }
    }
  });
});
