/** `migrate report`: the migration's story as one self-contained HTML file. */
import {basename, dirname, join} from 'node:path';
import {buildReport, type ReportModel} from '../domain/report.ts';
import {resolveRegion} from '../domain/regions.ts';
import type {FileStore} from '../ports/files.ts';
import type {MetricsHistory} from '../ports/metrics.ts';
import type {StateStore} from '../ports/state.ts';
import {renderReportHtml} from '../render/report-html.ts';

export interface ReportInput {
  app: string;
  out?: string;
  region?: string;
  /** false: do not read CloudWatch */
  metrics: boolean;
}

export interface ReportDeps {
  state: StateStore;
  files: FileStore;
  metrics: (region: string) => Promise<MetricsHistory>;
  now: () => Date;
  env: Record<string, string | undefined>;
}

export interface ReportResult {
  file: string;
  steps: number;
  events: number;
  rollbacks: number;
  metrics: ReportModel['metrics']['note'];
  bytes: number;
}

async function readMetrics(input: ReportInput, deps: ReportDeps, albFullName: string | undefined, window: {start: string; end: string} | null, region: string): Promise<ReportModel['metrics']> {
  if (!input.metrics) return {available: false, note: 'CloudWatch metrics were not read (--no-metrics).', series: []};
  if (!albFullName) return {available: false, note: 'No load balancer is recorded in the state yet (run `migrate edge setup`): no CloudWatch metrics to draw.', series: []};
  if (!window) return {available: false, note: 'The journal is empty: no time window to read CloudWatch metrics for.', series: []};
  try {
    const series = await (await deps.metrics(region)).history(albFullName, new Date(window.start), new Date(Math.max(Date.parse(window.end), Date.parse(window.start) + 60_000)));
    return {available: true, note: `CloudWatch AWS/ApplicationELB metrics of ${albFullName} in ${region}.`, series};
  } catch (err) {
    return {available: false, note: `CloudWatch metrics could not be read (${(err as Error).message}); the report draws what the journal holds.`, series: []};
  }
}

export async function reportWorkflow(input: ReportInput, deps: ReportDeps): Promise<ReportResult> {
  const plan = await deps.state.readPlan();
  const [state, journal] = await Promise.all([deps.state.readState(), deps.state.readJournal()]);
  const times = journal.map((l) => l.at).sort();
  const window = times.length ? {start: times[0]!, end: times.at(-1)!} : null;
  const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
  const metrics = await readMetrics(input, deps, state.aws?.albFullName, window, region);
  const model = buildReport(plan, journal, metrics);
  const html = renderReportHtml(model, deps.now().toISOString());
  const file = input.out ?? join(deps.state.dir, 'report.html');
  await deps.files.writeAll(dirname(file), {[basename(file)]: html});
  return {
    file,
    steps: model.steps.length,
    events: model.events.length,
    rollbacks: model.events.filter((e) => e.kind === 'rollback' || e.kind === 'guard').length,
    metrics: metrics.note,
    bytes: Buffer.byteLength(html),
  };
}
