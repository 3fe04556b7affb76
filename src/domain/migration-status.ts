/**
 * Where the whole migration stands (pure): one line per stage of the user's path from the plan,
 * the state and the journal, plus the next command; and the cutover's phase derived from the
 * journal and the live weights (a run whose process is gone is interrupted, never baking).
 */
import type {CutoverStatus} from './cutover.ts';
import type {CutoverLedger} from './cutover-ledger.ts';
import type {Plan} from './plan.ts';
import type {AppState, JournalEntry} from './state.ts';

export type StageState = 'done' | 'partial' | 'todo' | 'n/a';
export interface Stage {
  id: 'plan' | 'secret' | 'deploy' | 'addons' | 'edge' | 'guard' | 'shift' | 'data' | 'finalize';
  label: string;
  state: StageState;
  detail: string;
  /** the command that moves this stage on */
  command: string | null;
}

const lastOk = (journal: readonly JournalEntry[], match: (l: JournalEntry) => boolean) => [...journal].reverse().find((l) => match(l) && l.ok === true);

/** true while a `migrate finalize` is in force (started and not undone) */
export function herokuRetired(journal: readonly JournalEntry[]): boolean {
  for (let i = journal.length - 1; i >= 0; i--) {
    const op = journal[i]!.op;
    if (op === 'finalize-undo') return false;
    if (op === 'finalize') return true;
  }
  return false;
}

export function migrationStages(plan: Plan, s: AppState, journal: readonly JournalEntry[], liveShare: number | null): {stages: Stage[]; next: Stage | null} {
  const app = plan.app.name;
  const provisioned = plan.addons.filter((a) => a.target.kind !== 'saas' && !a.manual);
  const moving = plan.addons.filter((a) => a.movesInWindow || a.strategy === 'write-freeze-window');
  const resourced = provisioned.filter((a) => s.addons?.[a.name]?.resource);
  const cutOver = moving.filter((a) => s.addons?.[a.name]?.data?.phase === 'cut-over');
  const guard = lastOk(journal, (l) => l.op.startsWith('guard') && (l.phase === 'result' || l.phase === 'verify'));
  const guardRemoved = guard && /remove/.test(guard.op);
  const retired = herokuRetired(journal);
  const share = liveShare ?? 0;
  const count = (done: number, all: number): StageState => (all === 0 ? 'n/a' : done === all ? 'done' : done > 0 ? 'partial' : 'todo');
  const stages: Stage[] = [
    {id: 'plan', label: 'Plan', state: 'done', detail: `plan.json (${plan.services.length} process types, ${plan.addons.length} add-ons)`, command: null},
    {
      id: 'secret',
      label: 'Secret imported',
      state: s.secret ? 'done' : 'todo',
      detail: s.secret ? `${s.secret.name}: ${s.secret.keyCount} keys, ${s.secret.updatedAt}` : 'config vars not in Secrets Manager yet',
      command: `migrate secrets import --app ${app}`,
    },
    {
      id: 'deploy',
      label: 'Stacks deployed',
      state: s.deploy ? 'done' : 'todo',
      detail: s.deploy ? `${s.deploy.imageUri} at ${s.deploy.deployedAt}` : 'no stack deployed',
      command: `migrate deploy --app ${app} --image <ECR image URI with tag>`,
    },
    {
      id: 'addons',
      label: 'Add-ons provisioned',
      state: count(resourced.length, provisioned.length),
      detail: provisioned.length ? `${resourced.length} of ${provisioned.length} (${provisioned.map((a) => a.name).join(', ')})` : 'none to provision',
      command: `migrate addons provision --app ${app}`,
    },
    {
      id: 'edge',
      label: 'Edge set up',
      state: s.edge ? 'done' : 'todo',
      detail: s.edge ? `Cloudflare load balancer on ${s.edge.hostname}` : 'no Cloudflare load balancer yet',
      command: `migrate edge setup --app ${app}`,
    },
    {
      id: 'guard',
      label: 'Guard armed',
      state: guard && !guardRemoved ? 'done' : 'todo',
      detail: guard && !guardRemoved ? `${guard.op} at ${guard.at}` : 'no server-side guard recorded',
      command: `migrate guard install --app ${app}`,
    },
    {
      id: 'shift',
      label: 'Traffic on AWS',
      state: retired || share >= 100 ? 'done' : share > 0 ? 'partial' : 'todo',
      detail: liveShare === null ? 'not measurable before edge setup' : `${share}% live`,
      command: `migrate shift --app ${app} --to ${nextTarget(plan, share)}%`,
    },
    {
      id: 'data',
      label: 'Data moved',
      state: count(cutOver.length, moving.length),
      detail: moving.length ? `${cutOver.length} of ${moving.length} (${moving.map((a) => a.name).join(', ')})` : 'no data to move',
      command: `migrate data cutover --app ${app} --addon ${moving.find((a) => !cutOver.includes(a))?.name ?? '<addon>'}`,
    },
    {
      id: 'finalize',
      label: 'Heroku retired',
      state: retired ? 'done' : 'todo',
      detail: retired ? 'finalized' : 'Heroku still serves as the fallback',
      command: `migrate finalize --app ${app} --confirm ${app}`,
    },
  ];
  const next = stages.find((st) => st.state === 'todo' || st.state === 'partial') ?? null;
  return {stages, next};
}

function nextTarget(plan: Plan, share: number): number {
  return plan.cutover.steps.map((st) => st.weight).find((w) => w > share) ?? 100;
}

/** What `status` says about the cutover, derived from the journal plus the live weights. */
export type CutoverPhaseView = 'not-started' | 'running' | 'interrupted' | 'paused' | 'halted' | 'rolled-back' | 'done' | 'stopped-error';

export interface PhaseView {
  phase: CutoverPhaseView;
  /** one line led by the live share */
  headline: string;
  detail: string;
}

export function cutoverPhase(shift: CutoverStatus | null, running: boolean, ledger: CutoverLedger, live: number | null, lastShiftAt: number | null): PhaseView {
  const liveText = live === null ? 'AWS share unknown (no load balancer yet)' : `Heroku ${100 - live}% / AWS ${live}% (live)`;
  const rb = ledger.lastRollback;
  if (rb && (lastShiftAt === null || rb.at >= lastShiftAt)) {
    const who = rb.by ? ` by ${rb.by}` : '';
    return {phase: 'rolled-back', headline: liveText, detail: `Rolled back${who} to ${rb.live}% at ${new Date(rb.at).toISOString()}.`};
  }
  if (!shift) return {phase: 'not-started', headline: liveText, detail: 'No shift has run yet.'};
  if (shift.phase !== 'stopped') {
    if (running) return {phase: 'running', headline: liveText, detail: `Running: ${shift.summary}`};
    const unproven = ledger.unproven && live !== null && Math.abs(ledger.unproven.share - live) < 0.005;
    const step = unproven ? ` The ${live}% step has not passed: migrate shift resumes its bake from the journal.` : '';
    return {phase: 'interrupted', headline: liveText, detail: `Interrupted: the shift's process is gone; last verified ${shift.liveShare}%.${step}`};
  }
  const code = shift.stopped?.exitCode;
  const phase: CutoverPhaseView = code === 0 ? 'done' : code === 3 ? 'halted' : code === 4 ? 'paused' : 'stopped-error';
  return {phase, headline: liveText, detail: shift.stopped?.reason ?? ''};
}
