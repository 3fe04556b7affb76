/** `migrate snapshot`: the live app model into a file (names and fingerprints only). */
import {basename, dirname, join} from 'node:path';
import {canonicalJson} from '../domain/plan.ts';
import {makeSnapshot, type Snapshot} from '../domain/snapshot.ts';
import type {Clock, FileStore} from '../ports/files.ts';
import type {HerokuSource} from '../ports/heroku.ts';
import {discoverApp} from './discover.ts';

export interface SnapshotDeps {
  files: FileStore;
  heroku: () => Promise<HerokuSource>;
  clock: Clock;
  /** the keyed fingerprint of config values (key outside the repository) */
  fingerprinter: () => Promise<(value: string) => string>;
}

export async function snapshotWorkflow(input: {app: string; out?: string}, deps: SnapshotDeps): Promise<{snapshot: Snapshot; file: string; requests: number}> {
  const heroku = await deps.heroku();
  const snapshot = makeSnapshot(await discoverApp(heroku, input.app, await deps.fingerprinter()), deps.clock.now());
  const target = input.out ?? join('plans', input.app, 'snapshot.json');
  const [file] = await deps.files.writeAll(dirname(target), {[basename(target)]: canonicalJson(snapshot, 2) + '\n'});
  return {snapshot, file: file ?? target, requests: heroku.stats().requests};
}
