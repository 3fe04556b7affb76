/**
 * Heroku dyno sizes -> Fargate CPU/memory pairs (docs/facts.md, "Dynos -> Fargate").
 * Only pairs from Fargate's published table are ever produced.
 */
import type {DynoSize} from './model.ts';

export interface DynoProfile {
  memoryMb: number;
  /** the smallest Fargate CPU (units) that matches the dyno's compute */
  cpu: number;
}

const GB = 1024;

/** Published Heroku dyno sizes; private-* and shield-* size like their counterparts. */
const DYNO_PROFILES: Record<string, DynoProfile> = {
  eco: {memoryMb: 512, cpu: 256},
  free: {memoryMb: 512, cpu: 256},
  hobby: {memoryMb: 512, cpu: 256},
  basic: {memoryMb: 512, cpu: 256},
  'standard-1x': {memoryMb: 512, cpu: 256},
  'standard-2x': {memoryMb: 1 * GB, cpu: 512},
  'performance-m': {memoryMb: 2.5 * GB, cpu: 2048},
  'performance-l': {memoryMb: 14 * GB, cpu: 8192},
  'performance-l-ram': {memoryMb: 30 * GB, cpu: 4096},
  'performance-xl': {memoryMb: 62 * GB, cpu: 8192},
  'performance-2xl': {memoryMb: 126 * GB, cpu: 16384},
};
const COUNTERPART: Record<string, string> = {
  s: 'standard-2x',
  m: 'performance-m',
  l: 'performance-l',
  'l-ram': 'performance-l-ram',
  xl: 'performance-xl',
  '2xl': 'performance-2xl',
};

export function knownDynoSizes(): string[] {
  return Object.keys(DYNO_PROFILES);
}

/** Profile of a dyno size name, or undefined when unknown (the caller reports it). */
export function dynoProfile(size: string, liveSizes: DynoSize[] = []): DynoProfile | undefined {
  const name = size.toLowerCase();
  const direct = DYNO_PROFILES[name];
  if (direct) return direct;
  const isolated = /^(private|shield)-(.+)$/.exec(name);
  const counterpart = isolated?.[2] ? COUNTERPART[isolated[2]] : undefined;
  if (counterpart) return DYNO_PROFILES[counterpart];
  const live = liveSizes.find((s) => s.name.toLowerCase() === name);
  if (live) {
    const memoryMb = Math.round(live.memoryGb * GB);
    return {memoryMb, cpu: memoryMb <= 512 ? 256 : memoryMb <= GB ? 512 : live.dedicated ? 2048 : 1024};
  }
  return undefined;
}

export interface FargatePair {
  cpu: number;
  memory: number;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** Every valid Fargate task size (CPU units, memory MiB), ascending by CPU then memory. */
export const FARGATE_PAIRS: readonly FargatePair[] = [
  ...[512, 1024, 2048].map((memory) => ({cpu: 256, memory})),
  ...range(1, 4, 1).map((g) => ({cpu: 512, memory: g * GB})),
  ...range(2, 8, 1).map((g) => ({cpu: 1024, memory: g * GB})),
  ...range(4, 16, 1).map((g) => ({cpu: 2048, memory: g * GB})),
  ...range(8, 30, 1).map((g) => ({cpu: 4096, memory: g * GB})),
  ...range(16, 60, 4).map((g) => ({cpu: 8192, memory: g * GB})),
  ...range(32, 120, 8).map((g) => ({cpu: 16384, memory: g * GB})),
];

export function isValidFargatePair(pair: FargatePair): boolean {
  return FARGATE_PAIRS.some((p) => p.cpu === pair.cpu && p.memory === pair.memory);
}

export interface FargateChoice extends FargatePair {
  /** set when the task gets less memory than the dyno had */
  shortfallMb?: number;
}

/** Smallest valid pair with at least the dyno's CPU and memory; the largest pair (with a shortfall) when none fits. */
export function chooseFargatePair(profile: DynoProfile): FargateChoice {
  const fit = FARGATE_PAIRS.find((p) => p.cpu >= profile.cpu && p.memory >= profile.memoryMb);
  if (fit) return {...fit};
  const largest = FARGATE_PAIRS[FARGATE_PAIRS.length - 1] as FargatePair;
  return {...largest, shortfallMb: profile.memoryMb - largest.memory};
}
