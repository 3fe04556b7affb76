/**
 * The rule that decides how a runner task of `data copy --in-vpc` ended (judgeRunner) and the
 * reading of its protocol lines (parseLine). moto reports exit code 0 for every container, so the
 * e2e suite (test/e2e/data-copy-vpc.test.ts) cannot pin the exit-code half of the rule: this does.
 */
import {formatLine, judgeRunner, parseLine, type RunnerResult} from '../../src/domain/data-runner.ts';
import {MigrateError} from '../../src/domain/errors.ts';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/shop/0123456789abcdef';
const LOGS = '/heroku2aws/shop data-runner/data-runner/0123456789abcdef';

const result = (ok: boolean): RunnerResult => ({
  addon: 'DATABASE',
  kind: 'postgres',
  source: 'Heroku DATABASE_URL',
  target: 'shop-database',
  phase: ok ? 'verified' : 'verify-failed',
  wiped: 'no',
  stats: {tables: 5, rows: 100, bytes: 1000, seconds: {total: 3}},
  verification: {kind: 'postgres', result: {ok, mismatches: ok ? 0 : 1} as unknown as Extract<RunnerResult['verification'], {kind: 'postgres'}>['result']},
  warnings: [],
});
const judge = (o: Partial<Parameters<typeof judgeRunner>[0]>) => judgeRunner({taskArn: TASK, logs: LOGS, exitCode: 0, timedOut: false, timeoutSeconds: 600, ...o});
const failure = (o: Partial<Parameters<typeof judgeRunner>[0]>): MigrateError => {
  const j = judge(o);
  if (j.ok) throw new Error('expected a failure');
  return j.error;
};

describe('judgeRunner: the result line is the outcome, the exit code must agree', () => {
  it('a verified result and exit code 0: ok, with the result', () => {
    const r = result(true);
    expect(judge({result: r, exitCode: 0})).toEqual({ok: true, result: r});
  });

  it('a verified result with a non-zero exit code: failure naming the code, the task and its log stream', () => {
    const e = failure({result: result(true), exitCode: 137});
    expect(e.message).toBe(`The runner task printed a result but exited with code 137 (task ${TASK}, log stream ${LOGS}).`);
    expect(e.exitCode).toBe(1);
  });

  it('a failed verification is the outcome the result line says (the caller reports verify-failed), whatever the exit code', () => {
    expect(judge({result: result(false), exitCode: 1})).toMatchObject({ok: true, result: {phase: 'verify-failed'}});
  });

  it('a verified result whose exit code ECS does not know (null): the result line decides', () => {
    expect(judge({result: result(true), exitCode: null}).ok).toBe(true);
  });

  it('no result line: failure naming the exit code, the ECS reason, the task and the log stream', () => {
    const e = failure({exitCode: 0, stoppedReason: 'Essential container in task exited'});
    expect(e.message).toBe(`The runner task stopped without a result line (exit code 0; ECS: Essential container in task exited; task ${TASK}, log stream ${LOGS}).`);
    expect(e.hint).toMatch(/Read the log stream/);
    expect(failure({exitCode: null}).message).toContain('(exit code none; task ');
  });

  it('an error line: the failure carries its message and hint, redacted again on this side, exit 1 whatever the code', () => {
    const e = failure({
      error: {code: 'upstream', message: 'pg_dump: connection to postgres://admin:s3cret-Pw@db.internal:5432/app failed', hint: 'check redis://u:hint-Pw-9@cache:6379'},
      exitCode: 1,
    });
    expect(e.message).toBe(`The runner task failed: pg_dump: connection to postgres://[redacted]@db.internal:5432/app failed (task ${TASK}, log stream ${LOGS})`);
    expect(e.hint).toBe('check redis://[redacted]@cache:6379');
    expect(e.code).toBe('upstream');
    expect(e.exitCode).toBe(1);
    // a task's 'locked' or 'usage' is not the operator's lock or command line
    expect(failure({error: {code: 'locked', message: 'x'}}).exitCode).toBe(1);
    expect(failure({error: {code: 'usage', message: 'x'}}).exitCode).toBe(1);
    // an unknown code (another build) becomes internal
    expect(failure({error: {code: 'bogus' as never, message: 'x'}}).code).toBe('internal');
  });

  it('an error line wins over a result line (the task reported a failure after its result)', () => {
    expect(failure({result: result(true), error: {code: 'io', message: 'disk full'}}).message).toMatch(/^The runner task failed: disk full/);
  });

  it('a timeout wins over everything: failure naming the timeout, the task and its log stream', () => {
    const e = failure({result: result(true), timedOut: true, timeoutSeconds: 60, exitCode: null});
    expect(e.message).toBe(`The runner task did not finish within 60 s and was stopped (task ${TASK}, log stream ${LOGS}).`);
    expect(e.hint).toMatch(/--runner-timeout/);
  });
});

describe('parseLine: what a log line is', () => {
  it('reads the lines formatLine writes', () => {
    expect(parseLine(formatLine({type: 'note', message: 'hello'}))).toEqual({type: 'note', message: 'hello'});
    expect(parseLine(`  ${formatLine({type: 'verified', ok: true, mismatches: 0, seconds: 2})}\r`)).toEqual({type: 'verified', ok: true, mismatches: 0, seconds: 2});
  });

  it('ignores what is not a protocol line: a runtime warning, a truncated or garbled line, an unknown type', () => {
    expect(parseLine('(node:1) ExperimentalWarning: something')).toBeNull();
    expect(parseLine('')).toBeNull();
    const full = formatLine({type: 'result', result: result(true)});
    // CloudWatch Logs cuts an event at 256 KiB; a line cut anywhere is no protocol line (and so no result)
    for (const cut of [10, full.length >> 1, full.length - 1]) expect(parseLine(full.slice(0, cut))).toBeNull();
    expect(parseLine('{"h2a":1,"type":"result",\u0000garbage}')).toBeNull();
    expect(parseLine('{"h2a":1,"type":"telemetry","x":1}')).toBeNull();
    expect(parseLine('{"h2a":1}')).toBeNull();
    expect(parseLine('{"type":"result","h2a":1}')).toBeNull(); // the version comes first, as formatLine writes it
  });

  it('refuses a line of another protocol version: a conflict naming both versions and the fix', () => {
    let err: unknown;
    try {
      parseLine('{"h2a":2,"type":"result","result":{}}');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).message).toBe('The runner task speaks protocol version 2; this CLI speaks 1.');
    expect((err as MigrateError).hint).toMatch(/--runner-image/);
    expect((err as MigrateError).exitCode).toBe(1);
  });

  it('a truncated line of another version is ignored (no version can be trusted from it)', () => {
    expect(parseLine('{"h2a":2,"type":"res')).toBeNull();
  });
});
