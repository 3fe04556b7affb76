/**
 * The runner task's side of `migrate data copy --in-vpc` (`migrate data run-task`, the image's
 * entry): reads its job spec from H2A_DATA_JOB, the two URLs from Secrets Manager with the task
 * role, runs the same copy and verification as a local copy (runCopy), and prints the protocol
 * (domain/data-runner.ts) on stdout, one JSON line per event. Every line passes redaction: no
 * URL, password or secret value leaves the process. Exit code 0 only when the copy verified.
 */
import {checkDistinct, runCopy, type CopySink, type DataCopyDeps} from './data-copy.ts';
import {formatLine, JOB_ENV, parseJobSpec, previousOf, type EndpointRef, type JobSpec, type RunnerEvent} from '../domain/data-runner.ts';
import {throttleProgress, type DataKind} from '../domain/data-copy.ts';
import {DataUrl, redact as redactUrls} from '../domain/data-url.ts';
import {MigrateError} from '../domain/errors.ts';
import {redact} from '../domain/redaction.ts';
import {parseSecretJson} from '../domain/secret-content.ts';
import type {CopyProgress} from '../ports/data.ts';
import type {SecretStore} from '../ports/secrets.ts';

export interface RunnerDeps extends Pick<DataCopyDeps, 'postgres' | 'redis' | 'tmpDir' | 'cores'> {
  env: Record<string, string | undefined>;
  secrets: (region: string) => Promise<SecretStore>;
  /** one protocol line (stdout) */
  write: (line: string) => void;
  version: string;
  /** at most one progress line per this many ms (and the last one of a stage) */
  progressEveryMs?: number;
}

async function resolveRef(ref: EndpointRef, kind: DataKind, side: 'source' | 'target', store: () => Promise<SecretStore>): Promise<DataUrl> {
  if ('url' in ref) return DataUrl.parse(ref.url, kind, `the job's ${side} URL`);
  const stored = await (await store()).getValue(ref.secretArn);
  const value = stored ? parseSecretJson(stored.value, ref.secretArn)[ref.jsonKey] : undefined;
  if (!value) {
    throw new MigrateError('input', `The ${side} URL is not in secret ${ref.secretArn} (no key ${ref.jsonKey}).`, {
      hint: side === 'source' ? 'Run `migrate secrets import` (it writes the Heroku URL into the app secret), then copy again.' : 'Re-run `migrate addons provision` (it fills the connection secret), then copy again.',
    });
  }
  return DataUrl.parse(value, kind, `${side} (secret ${ref.secretArn}, key ${ref.jsonKey})`);
}

/** Runs the job; never throws: failures are an error line. Returns the process exit code. */
export async function runDataTask(deps: RunnerDeps): Promise<number> {
  const urls: DataUrl[] = [];
  const emit = (event: RunnerEvent) => deps.write(redactUrls(redact(formatLine(event)), urls));
  let spec: JobSpec | undefined;
  try {
    spec = parseJobSpec(deps.env[JOB_ENV]);
    emit({type: 'start', addon: spec.addon, kind: spec.kind, version: deps.version});
    const region = spec.region;
    let store: Promise<SecretStore> | undefined;
    const secrets = () => (store ??= deps.secrets(region));
    const source = await resolveRef(spec.source, spec.kind, 'source', secrets);
    urls.push(source);
    const target = await resolveRef(spec.target, spec.kind, 'target', secrets);
    urls.push(target);
    checkDistinct(source, target, spec.kind);
    const sink: CopySink = {
      begin: async (e) => emit({type: 'begin', ...e}),
      copied: async (stats) => emit({type: 'copied', stats}),
      failed: async (message) => emit({type: 'failed', message}),
      verified: async (e) => emit({type: 'verified', ...e}),
    };
    const result = await runCopy({
      addon: {name: spec.addon, category: spec.kind},
      source,
      target,
      options: {force: spec.force, jobs: spec.jobs, compress: spec.compress, batch: spec.batch, sourceTlsVerify: spec.sourceTlsVerify, allowLive: spec.allowLive},
      previous: previousOf(spec),
      storage: spec.storage,
      tools: {
        postgres: deps.postgres,
        redis: deps.redis,
        tmpDir: deps.tmpDir,
        cores: deps.cores,
        onProgress: (message) => emit({type: 'note', message}),
        onCopyProgress: throttleProgress(deps.progressEveryMs ?? 1000, (p: CopyProgress) => emit({type: 'progress', ...p})),
      },
      sink,
      warnings: [],
    });
    emit({type: 'result', result});
    return result.verification.result.ok ? 0 : 1;
  } catch (err) {
    const e = err instanceof MigrateError ? err : new MigrateError('internal', redactUrls(err instanceof Error ? err.message : String(err), urls), {hint: 'This is a bug in migrate; please report it with the log stream.'});
    emit({type: 'error', error: {code: e.code, message: e.message, ...(e.hint ? {hint: e.hint} : {})}});
    return 1;
  }
}
