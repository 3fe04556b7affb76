import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseCatalog} from '../../src/domain/catalog.ts';
import {buildPlan} from '../../src/domain/plan.ts';
import {parsePriceBook} from '../../src/domain/prices.ts';
import {buildReport} from '../../src/domain/report.ts';
import {appModelFromRepo} from '../../src/domain/sources/app-from-repo.ts';
import {renderReportHtml, shareChart} from '../../src/render/report-html.ts';
import {ROOT} from '../support/cli.ts';
import {recordedJournal} from '../support/report-journal.ts';

const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const plan = buildPlan(
  appModelFromRepo({dirName: 'shop', hasDockerfile: false, appJson: {text: read('examples/shop/app.json'), file: 'app.json'}, procfile: {text: read('examples/shop/Procfile'), file: 'Procfile'}}).model,
  parseCatalog(JSON.parse(read('templates/addons/catalog.json'))),
  {source: 'repo:shop', prices: {book: parsePriceBook(JSON.parse(read('templates/prices/prices.json')), 'p'), file: 'built-in'}},
);
const noMetrics = {available: false, note: 'not read', series: []};

describe('the report model of a recorded cutover', () => {
  const m = buildReport(plan, recordedJournal(), noMetrics);

  it('lists every step with its outcome, in order', () => {
    expect(m.steps.map((s) => `${s.share}:${s.outcome}`)).toEqual([
      '1:passed',
      '5:passed',
      '10:rolled back', // the gate failed
      '10:passed', // written by the run that was killed, baked on by the run that recovered it
      '25:passed',
      '25:passed', // after the guard trip, the next day
      '50:passed',
      '100:passed',
    ]);
    expect(m.steps[3]).toMatchObject({startedAt: '2026-11-30T10:40:00.000Z', endedAt: '2026-11-30T10:58:00.000Z', requests: 2400});
  });

  it('marks passes, the gate rollback, the resume, the guard trip, the data window and finalize', () => {
    const kinds = m.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'pass')).toHaveLength(7);
    expect(m.events.find((e) => e.kind === 'fail')?.label).toBe('gate failed at 10%: alarm shop-web-5xx-rate is ALARM');
    expect(m.events.find((e) => e.kind === 'rollback')?.label).toBe('gate rollback 10% → 5%');
    expect(m.events.find((e) => e.kind === 'resume')?.share).toBe(10);
    expect(m.events.find((e) => e.kind === 'guard')?.label).toBe('guard tripped (shop-web-5xx-rate): AWS → 0%');
    expect(kinds.filter((k) => k === 'data')).toHaveLength(2);
    expect(m.finalize).toEqual({at: '2026-11-30T15:00:00.000Z', undoneAt: null});
  });

  it('follows the verified share, including rollbacks and finalize', () => {
    expect(m.share.map((p) => p.share)).toEqual([0, 1, 5, 10, 5, 10, 10, 25, 0, 25, 50, 100, 100]);
  });

  it('times the data window and carries its verification', () => {
    expect(m.data).toEqual([
      {addon: 'DATABASE', startedAt: '2026-11-30T13:40:00.000Z', endedAt: '2026-11-30T13:55:00.000Z', seconds: 900, copy: 'verified', unfrozen: false, details: ['copy: 12 tables, 207000 rows', 'verification: every table/key matched']},
    ]);
  });

  it('renders one self-contained file: no scripts, no external references, a CSP that forbids loading anything', () => {
    const html = renderReportHtml(m, '2026-12-02T08:00:00.000Z');
    expect(html).toContain(`default-src 'none'`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)\s*=/i);
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('AWS − Heroku');
    expect(html).toContain('@media print');
  });

  it('escapes what comes from the journal', () => {
    const journal = recordedJournal();
    journal.push({at: '2026-11-30T16:00:00.000Z', id: 'r', op: 'rollback', phase: 'intent', details: {by: '<script>alert(1)</script>'}});
    journal.push({at: '2026-11-30T16:00:01.000Z', id: 'r', op: 'rollback', phase: 'verify', ok: true, details: {live: 0}});
    const html = renderReportHtml(buildReport(plan, journal, noMetrics), '2026-12-02T08:00:00.000Z');
    expect(html).toContain('rollback by &lt;script&gt;alert(1)&lt;/script&gt;: AWS → 0%');
    expect(html).not.toContain('<script>alert');
  });

  it('says so when nothing has happened yet', () => {
    const empty = buildReport(plan, [], noMetrics);
    expect(empty.steps).toEqual([]);
    expect(shareChart(empty)).toContain('the cutover has not started');
  });
});
