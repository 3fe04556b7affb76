/**
 * The migration's story for `migrate report`, derived from the plan, the state and the journal
 * (pure): the AWS share over time, every step with its verdict, rollbacks (operator, gate, guard),
 * resumes, the data window and finalize. The renderer draws it; nothing here reads a clock.
 */
import type {CostEstimate} from './cost.ts';
import type {Plan} from './plan.ts';
import type {JournalEntry} from './state.ts';

export type ReportEventKind = 'edge' | 'shift' | 'pass' | 'fail' | 'rollback' | 'guard' | 'paused' | 'interrupted' | 'resume' | 'data' | 'finalize' | 'undo';

export interface ReportEvent {
  at: string;
  kind: ReportEventKind;
  label: string;
  share?: number;
}

export interface ReportStep {
  share: number;
  startedAt: string;
  endedAt: string | null;
  outcome: 'passed' | 'rolled back' | 'paused' | 'interrupted' | 'in progress' | 'superseded';
  requests: number | null;
  bakedSeconds: number | null;
}

export interface DataWindow {
  addon: string;
  startedAt: string;
  endedAt: string | null;
  seconds: number | null;
  copy: 'verified' | 'failed' | 'not run';
  unfrozen: boolean;
  details: string[];
}

export interface MetricSeries {
  name: string;
  unit: string;
  points: {at: string; value: number}[];
}

export interface ReportModel {
  app: string;
  summary: string[];
  cost: CostEstimate | null;
  share: {at: string; share: number}[];
  events: ReportEvent[];
  steps: ReportStep[];
  data: DataWindow[];
  finalize: {at: string; undoneAt: string | null} | null;
  window: {start: string; end: string} | null;
  metrics: {available: boolean; note: string; series: MetricSeries[]};
}

type Cutover = {op: string; at: number; share?: number; live?: number | null; ok?: boolean; purpose?: string; verdict?: string; reasons?: string[]; requests?: number; bakedMs?: number; from?: number; to?: number; exitCode?: number; reason?: string; liveShare?: number; target?: number; by?: string | null};
const cutoverOf = (e: JournalEntry) => (e.op.startsWith('cutover.') ? ((e.details as {entry?: Cutover} | undefined)?.entry ?? null) : null);
const details = (e: JournalEntry) => (e.details ?? {}) as Record<string, unknown>;
const secondsBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 1000);

function summaryOf(plan: Plan): string[] {
  return [
    `Heroku ${plan.app.herokuRegion ?? 'region unknown'} → AWS ${plan.app.awsRegion}, ECS cluster ${plan.aws.cluster} on Fargate`,
    `${plan.services.length} service(s): ${plan.services.map((s) => `${s.processType} (${s.role}, ${s.desiredCount} task${s.desiredCount === 1 ? '' : 's'})`).join(', ') || 'none'}`,
    `${plan.addons.length} add-on(s): ${plan.addons.map((a) => `${a.service} → ${a.manual ? 'manual decision' : a.target.service}`).join(', ') || 'none'}`,
    `Hostnames: ${plan.domains.hostnames.join(', ') || 'none'}`,
    `Cutover schedule: ${plan.cutover.steps.map((s) => `${s.weight}%`).join(' → ')}; gates: ${plan.cutover.gates.alarms.join(', ')}`,
  ];
}

/** steps from the cutover entries: a step write opens a step, the next step write or a verdict closes it */
function stepsOf(journal: JournalEntry[]): ReportStep[] {
  const steps: ReportStep[] = [];
  const open = () => steps.at(-1)?.endedAt === null ? steps.at(-1)! : null;
  const close = (at: string, outcome: ReportStep['outcome']) => {
    const s = open();
    if (s) Object.assign(s, {endedAt: at, outcome});
  };
  for (const line of journal) {
    const c = cutoverOf(line);
    if (line.op === 'rollback' && line.phase === 'intent') close(line.at, 'rolled back');
    if (!c) continue;
    if (c.op === 'write-weights' && line.phase === 'intent' && c.purpose === 'step') {
      close(line.at, 'superseded');
      steps.push({share: c.share ?? 0, startedAt: line.at, endedAt: null, outcome: 'in progress', requests: null, bakedSeconds: null});
    } else if (c.op === 'step-passed') {
      const s = open();
      if (s) Object.assign(s, {endedAt: line.at, outcome: 'passed', requests: c.requests ?? null, bakedSeconds: c.bakedMs === undefined ? null : Math.round(c.bakedMs / 1000)});
    } else if (c.op === 'rolling-back') close(line.at, 'rolled back');
    // a run closed by a later one (after a crash) leaves its step open: the resumed run continues its bake
    else if (c.op === 'stopped' && !/recovered/i.test(c.reason ?? '')) close(line.at, c.exitCode === 3 ? 'rolled back' : c.exitCode === 4 ? (/interrupt|Ctrl-C/i.test(c.reason ?? '') ? 'interrupted' : 'paused') : 'interrupted');
  }
  return steps;
}

function eventsOf(journal: JournalEntry[]): ReportEvent[] {
  const events: ReportEvent[] = [];
  const failed = new Set<string>();
  const rollbacks = new Map<string, Record<string, unknown>>();
  for (const line of journal) {
    const c = cutoverOf(line);
    const d = details(line);
    if (c) {
      if (c.op === 'shift-started') events.push({at: line.at, kind: 'shift', label: `shift ${c.liveShare}% → ${c.target}%`, share: c.liveShare});
      else if (c.op === 'step-passed') events.push({at: line.at, kind: 'pass', label: `${c.share}% passed (${c.requests ?? 0} requests, baked ${Math.round((c.bakedMs ?? 0) / 1000)} s)`, share: c.share});
      else if (c.op === 'gate-verdict' && c.verdict === 'fail' && !failed.has(`${c.share}@${line.id}`)) {
        failed.add(`${c.share}@${line.id}`);
        events.push({at: line.at, kind: 'fail', label: `gate failed at ${c.share}%: ${(c.reasons ?? []).join('; ')}`, share: c.share});
      } else if (c.op === 'rolling-back') events.push({at: line.at, kind: 'rollback', label: `gate rollback ${c.from}% → ${c.to}%`, share: c.to});
      else if (c.op === 'stopped' && /recovered/i.test(c.reason ?? '')) events.push({at: line.at, kind: 'resume', label: `resumed after an interrupted run (live ${c.share ?? '?'}%)`, share: c.share ?? undefined});
      else if (c.op === 'stopped' && c.exitCode === 4) events.push({at: line.at, kind: /interrupt|Ctrl-C/i.test(c.reason ?? '') ? 'interrupted' : 'paused', label: c.reason ?? 'paused', share: c.share ?? undefined});
      continue;
    }
    if (line.op === 'rollback' && line.phase === 'intent') rollbacks.set(line.id, d);
    else if (line.op === 'rollback' && line.phase === 'verify') {
      // who and why may be on the intent (`migrate rollback`) or on the verify line (the guard)
      const all = {...rollbacks.get(line.id), ...d};
      const by = String(all.by ?? 'operator');
      const guard = by === 'guard' || by.startsWith('guard');
      const what = line.ok ? 'AWS → 0%' : 'AWS → 0% NOT verified';
      events.push({at: line.at, kind: guard ? 'guard' : 'rollback', label: guard ? `guard tripped${all.alarm ? ` (${String(all.alarm)})` : ''}: ${what}` : `rollback by ${by}: ${what}`, share: line.ok ? Number(all.live ?? 0) : undefined});
    } else if (line.op === 'edge-setup' && line.phase === 'result' && line.ok) events.push({at: line.at, kind: 'edge', label: 'Cloudflare load balancer set up (Heroku 100%)', share: Number(d.awsShare ?? 0)});
    else if (line.op === 'finalize' && line.phase === 'result' && line.ok && d.step === 'edge') events.push({at: line.at, kind: 'finalize', label: 'finalized: Heroku retired from the load balancer', share: 100});
    else if (line.op === 'finalize-undo' && line.phase === 'intent' && d.step === 'edge') events.push({at: line.at, kind: 'undo', label: 'finalize undone: Heroku back in the load balancer'});
    else if (line.op === 'data-cutover' && line.phase === 'intent' && d.step === 'freeze') events.push({at: line.at, kind: 'data', label: `data window opens for ${String(d.addon)} (Heroku frozen)`});
    else if (line.op === 'data-cutover' && line.phase === 'result' && d.step === 'redeploy') events.push({at: line.at, kind: 'data', label: `data window done for ${String(d.addon)}: AWS on the new store`});
  }
  return events;
}

function dataWindowsOf(journal: JournalEntry[]): DataWindow[] {
  const windows = new Map<string, DataWindow>();
  for (const line of journal) {
    const d = details(line);
    const addon = String(d.addon ?? '');
    if (line.op === 'data-cutover') {
      if (d.step === 'freeze' && line.phase === 'intent') windows.set(addon, {addon, startedAt: line.at, endedAt: null, seconds: null, copy: 'not run', unfrozen: false, details: []});
      const w = windows.get(addon);
      if (!w) continue;
      if (d.step === 'copy' && line.phase === 'result') w.copy = line.ok ? 'verified' : 'failed';
      if ((d.step === 'redeploy' || d.step === 'unfreeze') && line.phase === 'result') {
        w.endedAt = line.at;
        w.seconds = secondsBetween(w.startedAt, line.at);
        w.unfrozen = d.step === 'unfreeze';
      }
    } else if (line.op === 'data-copy' && line.phase === 'result' && line.ok) {
      const w = windows.get(addon);
      const what = d.rows !== undefined ? `${String(d.tables)} tables, ${String(d.rows)} rows` : d.keys !== undefined ? `${String(d.keys)} keys` : 'copied';
      if (w) w.details.push(`copy: ${what}`);
    } else if (line.op === 'data-copy' && line.phase === 'verify') {
      const w = windows.get(addon);
      const mismatches = Array.isArray(d.mismatches) ? d.mismatches.length : 0;
      if (w) w.details.push(line.ok ? 'verification: every table/key matched' : `verification: ${mismatches} mismatch(es)`);
    }
  }
  return [...windows.values()];
}

function sharePoints(journal: JournalEntry[]): {at: string; share: number}[] {
  return journal.flatMap((line) => {
    const c = cutoverOf(line);
    if (c?.op === 'read-back' && c.ok && typeof c.live === 'number') return [{at: line.at, share: c.live}];
    if (line.op === 'rollback' && line.phase === 'verify' && line.ok) return [{at: line.at, share: Number(details(line).live ?? 0)}];
    if (line.op === 'edge-setup' && line.phase === 'result' && line.ok) return [{at: line.at, share: Number(details(line).awsShare ?? 0)}];
    // a later run learning the live share (after a crash), or adopting one written outside migrate
    if ((line.op === 'cutover-reconcile' || line.op === 'cutover-adopt') && line.phase === 'verify' && line.ok) return [{at: line.at, share: Number(details(line).live ?? 0)}];
    if (line.op === 'finalize' && line.phase === 'result' && line.ok && details(line).step === 'edge') return [{at: line.at, share: 100}];
    return [];
  });
}

export function buildReport(plan: Plan, journal: JournalEntry[], metrics: ReportModel['metrics']): ReportModel {
  const events = eventsOf(journal);
  const finalizeAt = events.filter((e) => e.kind === 'finalize').at(-1)?.at ?? null;
  const undoneAt = events.filter((e) => e.kind === 'undo' && finalizeAt !== null && e.at > finalizeAt).at(-1)?.at ?? null;
  const times = journal.map((l) => l.at).sort();
  return {
    app: plan.app.name,
    summary: summaryOf(plan),
    cost: plan.cost ?? null,
    share: sharePoints(journal),
    events,
    steps: stepsOf(journal),
    data: dataWindowsOf(journal),
    finalize: finalizeAt ? {at: finalizeAt, undoneAt} : null,
    window: times.length ? {start: times[0]!, end: times.at(-1)!} : null,
    metrics,
  };
}
