/**
 * Every generated template, for a variety of plans, passes cfn-lint (the official CloudFormation
 * linter, offline) with zero errors and zero warnings: one invocation over all of them. cfn-lint
 * prints informational findings only when asked (`--include-checks I`); this test asks, so
 * those must be clean too.
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import type {Plan} from '../../src/domain/plan.ts';
import {parsePlan} from '../../src/domain/plan-schema.ts';
import {buildStacks, stackFiles} from '../../src/domain/stacks/index.ts';
import {bigApp, sampleApp} from '../fakes/heroku-fixtures.ts';
import {livePlan, loadBlocks, readJson, variantFixture} from '../support/plans.ts';

const blocks = loadBlocks();


const sample = livePlan(sampleApp(), {healthCheckPath: '/health', containerPort: 5000});
const plans: Array<[string, Plan]> = [
  ['golden', parsePlan(readJson('plans/shop/plan.json'))],
  ['sample', sample],
  ['variant', livePlan(variantFixture(), {awsRegion: 'eu-west-1'})],
  ['big', livePlan(bigApp())],
  ['workers-only', {...sample, app: {...sample.app, name: 'jobs'}, services: sample.services.filter((s) => s.role !== 'web'), releaseTask: null}],
];

describe('cfn-lint', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'heroku2aws-cfn-lint-'));
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it('passes every generated template with no error, warning or informational finding', () => {
    const version = spawnSync('cfn-lint', ['--version'], {encoding: 'utf8'});
    if (version.status !== 0) throw new Error("cfn-lint is not on PATH (the test setup installs it with moto: pip install 'moto[server]' cfn-lint)");

    const templates: string[] = [];
    for (const [label, plan] of plans) {
      for (const [path, text] of Object.entries(stackFiles(plan, blocks))) {
        const file = join(dir, label, path);
        mkdirSync(dirname(file), {recursive: true});
        writeFileSync(file, text);
        if (!path.endsWith('.parameters.json')) templates.push(file);
      }
    }
    // golden: network, shared, release, 3 services; sample: + release; variant: 4 services, no release; big: 12 services; workers-only
    expect(templates.length).toBeGreaterThanOrEqual(6 + 6 + 6 + 15 + 4);
    const regions = [...new Set(plans.map(([, p]) => p.app.awsRegion))].sort();
    const lint = spawnSync('cfn-lint', ['--regions', ...regions, '--include-checks', 'I', '--', ...templates], {encoding: 'utf8', maxBuffer: 16 * 1024 * 1024});
    expect({status: lint.status, output: (lint.stdout + lint.stderr).trim()}).toEqual({status: 0, output: ''});
  });

  it('warns when a template is too large to pass inline (the big app has 282 secret keys)', () => {
    const big = buildStacks(plans[3]![1], blocks);
    expect(big.warnings.length).toBeGreaterThan(0);
    expect(big.warnings[0]).toMatch(/over CloudFormation's 51200-byte limit .* minified \(no indentation\) it is \d+ bytes and fits/);
    expect(buildStacks(plans[0]![1], blocks).warnings).toEqual([]);
  });
});
