/**
 * Pure rules of `migrate finalize`: the preconditions (100% AWS held long enough, gates green,
 * data moved), the formation recorded for --undo (from the journal), the retirement record and
 * the monthly dyno costs that stop. No I/O: every input comes from the workflow.
 */
import type {Verdict} from './cutover.ts';
import type {Plan} from './plan.ts';
import type {AppState, JournalEntry} from './state.ts';

/** Data phases `data copy` / `data cutover` write that finalize accepts as "the data has moved". */
export const COMPLETE_DATA_PHASES = ['cut-over', 'verified'] as const;
/** Strategies whose data must have moved before Heroku is retired. */
export const DATA_STRATEGIES_TO_MOVE = ['shared-then-window', 'write-freeze-window'] as const;

export type RefusalKind = 'not-at-100' | 'hold' | 'gates' | 'data';
export interface Refusal {
  kind: RefusalKind;
  message: string;
  /** true when waiting and re-running may be enough (exit 4), else exit 1 */
  wait: boolean;
}

/**
 * When the live share reached 100% for good: the first verified 100% after which no lower share
 * was verified (null when the last verified share is below 100 or nothing is recorded).
 */
export function holdStart(timeline: {at: string; share: number}[]): string | null {
  let start: string | null = null;
  for (const point of timeline) {
    if (point.share < 100) start = null;
    else start ??= point.at;
  }
  return start;
}

export interface PreconditionInput {
  liveShare: number;
  /** the live load balancer already shows the Heroku pool out (a re-run after step 1) */
  retired: boolean;
  timeline: {at: string; share: number}[];
  nowMs: number;
  minHoldMs: number;
  gate: {verdict: Verdict; reasons: string[]};
  /** gate alarms that do not exist (waiting will not create them) */
  missingAlarms?: string[];
  plan: Plan;
  state: AppState;
  keepAddons: string[];
}

/** Add-ons whose data must move and has not (by the state's data phase). */
export function addonsNotMoved(plan: Plan, state: AppState, keep: string[]): {name: string; strategy: string; phase: string | null}[] {
  return plan.addons
    .filter((a) => (DATA_STRATEGIES_TO_MOVE as readonly string[]).includes(a.strategy) && !keep.includes(a.name))
    .map((a) => ({name: a.name, strategy: a.strategy, phase: state.addons?.[a.name]?.data?.phase ?? null}))
    .filter((a) => !(COMPLETE_DATA_PHASES as readonly string[]).includes(a.phase ?? ''));
}

export function checkPreconditions(i: PreconditionInput): Refusal[] {
  const out: Refusal[] = [];
  if (i.liveShare !== 100) {
    out.push({kind: 'not-at-100', wait: false, message: `The live AWS share is ${i.liveShare}%, not 100%: run \`migrate shift --app ${i.plan.app.name} --to 100\` first.`});
  } else {
    const start = holdStart(i.timeline);
    if (start === null && !i.retired) {
      out.push({kind: 'not-at-100', wait: false, message: 'The journal has no verified read-back at 100% AWS (the weights were changed outside migrate): shift to 100% with `migrate shift`.'});
    } else if (start !== null) {
      const held = i.nowMs - Date.parse(start);
      if (held < i.minHoldMs) {
        const ready = new Date(Date.parse(start) + i.minHoldMs).toISOString();
        out.push({kind: 'hold', wait: true, message: `AWS has held 100% for ${formatMs(held)} (since ${start}); the hold time is ${formatMs(i.minHoldMs)}: re-run after ${ready} (or set --min-hold).`});
      }
    }
  }
  if (i.gate.verdict !== 'pass') {
    const wait = i.gate.verdict === 'inconclusive' && !i.missingAlarms?.length;
    out.push({kind: 'gates', wait, message: `The gates are not green (${i.gate.verdict}): ${i.gate.reasons.join('; ')}.`});
  }
  const unknown = i.keepAddons.filter((k) => !i.plan.addons.some((a) => a.name === k));
  if (unknown.length) out.push({kind: 'data', wait: false, message: `--keep-addon names no add-on of the plan: ${unknown.join(', ')} (add-ons: ${i.plan.addons.map((a) => a.name).join(', ') || 'none'}).`});
  for (const a of addonsNotMoved(i.plan, i.state, i.keepAddons)) {
    out.push({kind: 'data', wait: false, message: `Add-on ${a.name} (${a.strategy}) has not moved its data (phase: ${a.phase ?? 'none'}): run \`migrate data cutover --app ${i.plan.app.name} --addon ${a.name}\`, or pass --keep-addon ${a.name} if it stays on Heroku.`});
  }
  return out;
}

export function formatMs(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

/** Journal ops of finalize (intent/result per step) and of its undo. */
export const FINALIZE_OP = 'finalize';
export const UNDO_OP = 'finalize-undo';

export interface FormationEntry {
  type: string;
  quantity: number;
  size: string;
}

/**
 * The formation finalize recorded before it scaled Heroku to 0, unless an undo restored it since
 * (then null: the next finalize records the live formation again).
 */
export function recordedFormation(journal: JournalEntry[]): FormationEntry[] | null {
  let recorded: FormationEntry[] | null = null;
  for (const line of journal) {
    const step = (line.details as {step?: string} | undefined)?.step;
    if (line.op === FINALIZE_OP && step === 'formation' && line.phase === 'intent') {
      recorded = ((line.details as {previous?: FormationEntry[]}).previous ?? null) as FormationEntry[] | null;
    }
    if (line.op === UNDO_OP && step === 'formation' && line.phase === 'result' && line.ok) recorded = null;
  }
  return recorded;
}

/**
 * Heroku list prices in USD per dyno-month (heroku.com/pricing, late 2025). LIST PRICES TO CHECK:
 * contracts, credits and Eco's shared hours differ; null where the list has no per-dyno price.
 */
export const DYNO_LIST_PRICE_USD: Record<string, number | null> = {
  eco: 5,
  basic: 7,
  'standard-1x': 25,
  'standard-2x': 50,
  'performance-m': 250,
  'performance-l': 500,
  'performance-l-ram': 500,
  'performance-xl': 750,
  'performance-2xl': 1500,
  'private-s': null,
  'private-m': null,
  'private-l': null,
  'shield-s': null,
  'shield-m': null,
  'shield-l': null,
};

export interface CostLine {
  type: string;
  size: string;
  quantity: number;
  unitUsd: number | null;
  monthlyUsd: number | null;
}

export function dynoCosts(formation: FormationEntry[]): {lines: CostLine[]; totalUsd: number; unpriced: string[]} {
  const lines = formation
    .filter((f) => f.quantity > 0)
    .map((f) => {
      const unit = DYNO_LIST_PRICE_USD[f.size.toLowerCase()] ?? null;
      return {type: f.type, size: f.size, quantity: f.quantity, unitUsd: unit, monthlyUsd: unit === null ? null : unit * f.quantity};
    });
  return {lines, totalUsd: lines.reduce((s, l) => s + (l.monthlyUsd ?? 0), 0), unpriced: lines.filter((l) => l.unitUsd === null).map((l) => `${l.type} (${l.size})`)};
}

export interface Milestone {
  what: string;
  at: string;
}

/** The migration's milestones from the journal (first time each happened). */
export function migrationTimings(journal: JournalEntry[], timeline: {at: string; share: number}[]): Milestone[] {
  const first = (what: string, match: (l: JournalEntry) => boolean) => {
    const hit = journal.find(match);
    return hit ? [{what, at: hit.at}] : [];
  };
  const start = holdStart(timeline);
  return [
    ...first('first journaled step', () => true),
    ...first('secret imported', (l) => l.op.startsWith('secret') && l.phase === 'result' && l.ok === true),
    ...first('edge set up', (l) => l.op === 'edge-setup' && l.phase === 'result' && l.ok === true),
    ...first('first traffic on AWS', (l) => l.op.startsWith('cutover.') && ((l.details as {entry?: {op?: string; live?: number}})?.entry?.live ?? 0) > 0),
    ...(start ? [{what: 'AWS at 100% (held since)', at: start}] : []),
    ...first('data cutover done', (l) => l.op === 'data-cutover' && l.phase === 'result' && (l.details as {step?: string})?.step === 'done'),
    ...first('Heroku pool left the load balancer', (l) => l.op === FINALIZE_OP && (l.details as {step?: string})?.step === 'edge' && l.phase === 'result' && l.ok === true),
  ];
}

export interface RetirementRecord {
  schemaVersion: '1.0';
  app: string;
  status: 'retired' | 'undone';
  retiredAt: string;
  undoneAt?: string;
  formation: FormationEntry[];
  maintenance: boolean;
  addons: {name: string; service: string; plan: string | null; strategy: string; dataPhase: string | null; kept: boolean; awsTarget: string}[];
  domains: {hostnames: string[]; herokuOrigin: string; herokuHostHeader: string | null};
  configVars: {name: string; class: string; action: string; fingerprint: string | null}[];
  timings: Milestone[];
  durationMs: number | null;
  monthlyDynoCostStopped: {lines: CostLine[]; totalUsd: number; unpriced: string[]; note: string};
  remainsOnHeroku: string[];
  addonsDestroyed: boolean;
  /** confirmed final backups taken by --destroy-addons (absent before any) */
  backups?: BackupEntry[];
  /** add-ons destroyed by --destroy-addons (absent before any) */
  destroyedAddons?: DestroyedEntry[];
}

/** A confirmed final backup of a database add-on. */
export interface BackupEntry {
  addon: string;
  path: string;
  bytes: number;
  sha256: string;
  tables: string[];
  at: string;
}

export interface DestroyedEntry {
  name: string;
  id: string;
  service: string;
  at: string;
}

const stepOf = (l: JournalEntry) => (l.details as {step?: string} | undefined)?.step;

/** Confirmed backups and destroyed add-ons, from finalize's journal results (the journal is the truth for intent). */
export function destroyHistory(journal: JournalEntry[]): {backups: BackupEntry[]; destroyed: DestroyedEntry[]} {
  const backups = new Map<string, BackupEntry>();
  const destroyed = new Map<string, DestroyedEntry>();
  for (const l of journal) {
    if (l.op !== FINALIZE_OP || l.phase !== 'result' || l.ok !== true) continue;
    const d = l.details as {backup?: Omit<BackupEntry, 'at'>; addon?: {name: string; id: string; service: string}};
    if (stepOf(l) === 'backup' && d.backup) backups.set(d.backup.addon, {...d.backup, at: l.at});
    if (stepOf(l) === 'destroy' && d.addon) destroyed.set(d.addon.name, {...d.addon, at: l.at});
  }
  return {backups: [...backups.values()], destroyed: [...destroyed.values()]};
}

/** Add-ons finalize started to destroy (an intent journaled, whatever the result): undo is no longer safe. */
export function destroyAttempted(journal: JournalEntry[]): string[] {
  const names = new Set<string>();
  for (const l of journal) {
    if (l.op === FINALIZE_OP && l.phase === 'intent' && stepOf(l) === 'destroy') names.add((l.details as {addon?: {name?: string}}).addon?.name ?? '?');
  }
  return [...names];
}

/** Why a backup is not confirmed (empty: confirmed): size, and every source table in the dump's TOC. */
export function backupProblems(b: {bytes: number; sourceTables: string[]; tocTables: string[]}): string[] {
  const out: string[] = [];
  if (!(b.bytes > 0)) out.push('the dump file is empty');
  const toc = new Set(b.tocTables);
  const missing = b.sourceTables.filter((t) => !toc.has(t));
  if (missing.length) out.push(`pg_restore --list does not list ${missing.length} source table(s): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);
  return out;
}

/** The add-on categories that hold data and need a final backup before they are destroyed. */
export const DATABASE_CATEGORIES = ['postgres', 'redis'] as const;

/** The record with the destroy history folded in (what remains on Heroku no longer lists destroyed add-ons). */
export function withDestroyHistory(record: RetirementRecord, history: {backups: BackupEntry[]; destroyed: DestroyedEntry[]}): RetirementRecord {
  if (!history.backups.length && !history.destroyed.length) return record;
  const gone = new Set(history.destroyed.map((d) => d.name));
  return {
    ...record,
    addonsDestroyed: history.destroyed.length > 0,
    backups: history.backups,
    destroyedAddons: history.destroyed,
    remainsOnHeroku: record.remainsOnHeroku.filter((line) => ![...gone].some((n) => line.startsWith(`add-on ${n} (`))),
  };
}

export function retirementRecord(input: {plan: Plan; state: AppState; formation: FormationEntry[]; keepAddons: string[]; journal: JournalEntry[]; timeline: {at: string; share: number}[]; retiredAt: string}): RetirementRecord {
  const {plan, state} = input;
  const timings = migrationTimings(input.journal, input.timeline);
  const firstAt = timings[0]?.at;
  const addons = plan.addons.map((a) => ({
    name: a.name,
    service: a.service,
    plan: a.plan ?? null,
    strategy: a.strategy,
    dataPhase: state.addons?.[a.name]?.data?.phase ?? null,
    kept: input.keepAddons.includes(a.name),
    awsTarget: a.target.service,
  }));
  return {
    schemaVersion: '1.0',
    app: plan.app.name,
    status: 'retired',
    retiredAt: input.retiredAt,
    formation: input.formation,
    maintenance: true,
    addons,
    domains: {hostnames: plan.domains.hostnames, herokuOrigin: plan.domains.herokuOrigin, herokuHostHeader: plan.domains.herokuHostHeader},
    // names and fingerprints only: the plan holds no values
    configVars: plan.config.map((c) => ({name: c.name, class: c.class, action: c.action, fingerprint: c.fingerprint ?? null})),
    timings,
    durationMs: firstAt ? Date.parse(input.retiredAt) - Date.parse(firstAt) : null,
    monthlyDynoCostStopped: {...dynoCosts(input.formation), note: 'Heroku list prices in USD to check against your invoice; add-on charges continue until the add-ons are destroyed.'},
    remainsOnHeroku: [
      `the app ${plan.app.name} (maintenance mode on, all process types at 0 dynos)`,
      ...addons.map((a) => `add-on ${a.name} (${a.service}${a.plan ? `:${a.plan}` : ''})${a.kept ? ', kept by --keep-addon' : ''}: still billed`),
      `config vars (${plan.config.length}) and domains (${plan.domains.hostnames.join(', ') || 'none'})`,
      'the Heroku pool and monitor in Cloudflare (out of the load balancer)',
    ],
    addonsDestroyed: false,
  };
}
