/**
 * The guard's trip in the shared journal: with the app's state in S3, a shift runs to 5%, then the
 * guard (in-process, as its function does: createS3State + the Cloudflare adapter) writes AWS 0%
 * and journals its rollback. `status` shows the share back at 0, and the next `shift` starts from
 * 0% without calling the guard's write a change made outside migrate.
 */
import {createEdgeBalancer} from '../../src/adapters/cloudflare/edge-balancer.ts';
import {createS3State} from '../../src/adapters/state/s3-state.ts';
import {specFromState} from '../../src/workflows/shift.ts';
import type {CutoverEnv} from '../support/cutover-env.ts';
import {startTeamStateEnv} from '../support/team-state-env.ts';
import {motoEndpoint} from '../support/moto.ts';

const BUCKET = 'guard-team-state';
let w: CutoverEnv;
const shift = () => w.cli(['shift', '--app', 'shop', '--to', '5', '--steps', '5', '--bake', '2s', '--poll', '1s', '--min-requests', '0', '--yes', '--no-guard', '--json']);

beforeAll(async () => {
  w = await startTeamStateEnv(BUCKET);
}, 120_000);
afterAll(() => w.close());

it("a guard trip journaled in S3 is seen by status and by the next shift", async () => {
  const first = await shift();
  expect(first.code).toBe(0);

  // the guard: AWS weight 0 in Cloudflare, read back, journaled as the tool's own rollback
  const state = await createS3State({bucket: BUCKET, prefix: 'heroku2aws', app: 'shop', region: 'us-east-1', endpoint: motoEndpoint(), clock: {now: () => new Date()}, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}});
  const spec = specFromState(await state.readPlan(), await state.readState()); // the bucket's plan copy: no plan directory
  const edge = createEdgeBalancer({env: w.env});
  const view = await edge.read(spec);
  expect(view.awsShare).toBe(5);
  const id = 'rollback-guard-test';
  // the guard writes Cloudflare first and records afterwards: until its records are in the journal,
  // the live 0% is a change nobody recorded
  await edge.writeWeights(view, 0, spec);
  const after = await edge.read(spec);
  const unrecorded = await w.cli(['shift', '--app', 'shop', '--to', '5', '--dry-run', '--no-guard']);
  expect({code: unrecorded.code, stderr: unrecorded.stderr}).toEqual({code: 1, stderr: expect.stringMatching(/changed outside migrate/)});
  await state.journal({id, op: 'rollback', phase: 'intent', details: {by: 'guard', alarm: 'shop-web-5xx-rate', from: view.awsShare}});
  await state.journal({id, op: 'rollback', phase: 'result', ok: true, details: {by: 'guard', share: 0}});
  await state.journal({id, op: 'rollback', phase: 'verify', ok: after.awsShare === 0, details: {by: 'guard', live: after.awsShare, awsPoolEnabled: after.awsPoolEnabled}});
  state.close();

  const status = await w.cli(['status', '--app', 'shop', '--json']);
  expect(status.code).toBe(0);
  const result = JSON.parse(status.stdout).result as {timeline: {share: number}[]; edge: {awsShare: number}};
  expect(result.edge.awsShare).toBe(0);
  expect(result.timeline.at(-1)?.share).toBe(0);

  const again = await shift();
  expect({code: again.code, stderr: again.stderr}).toEqual({code: 0, stderr: expect.not.stringMatching(/changed outside migrate/)});
  expect(JSON.parse(again.stdout).result).toMatchObject({from: 0, target: 5});
}, 120_000);
