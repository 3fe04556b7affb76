/**
 * The Postgres copy's sessions, seen from the real tools: pg_restore (and its parallel workers)
 * run with synchronous_commit=off passed through PGOPTIONS, pg_dump without it, and a real
 * PostgreSQL server accepts the setting (the restored data is all there). The client tools are
 * wrapped by scripts that record PGOPTIONS, then run the real binaries.
 */
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createPostgresTools} from '../../src/adapters/data/postgres.ts';
import {DataUrl} from '../../src/domain/data-url.ts';
import {pgBinDir, startPostgres, type PgServer} from '../support/datastores.ts';
import {seedPostgres} from '../support/seed.ts';

let source: PgServer;
let target: PgServer;
let wrappers: string;
beforeAll(async () => {
  [source, target] = await Promise.all([startPostgres('sess-src-pw-1'), startPostgres('sess-tgt-pw-2')]);
  seedPostgres(source, 0.05);
  wrappers = mkdtempSync(join(tmpdir(), 'h2a-pgwrap-'));
  for (const tool of ['pg_dump', 'pg_restore']) {
    const file = join(wrappers, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} [\${PGOPTIONS:-}] $1" >> "${join(wrappers, 'calls.log')}"\nexec "${join(pgBinDir(), tool)}" "$@"\n`);
    chmodSync(file, 0o755);
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  rmSync(wrappers, {recursive: true, force: true});
});

it('pg_restore runs with synchronous_commit=off, pg_dump without; the target holds every row', async () => {
  const tools = createPostgresTools({pgBin: wrappers});
  const from = DataUrl.parse(source.url('app'), 'postgres', 'source');
  const to = DataUrl.parse(target.url('app'), 'postgres', 'target');
  const rows = (await tools.inventory(from, 'source', {jobs: 2})).tables;
  const dump = await tools.dump(from, wrappers, {jobs: 2, compress: 0, rows});
  await tools.restore(to, dump.dir, {jobs: 2, rows});
  await tools.removeDump(dump.dir);
  const calls = readFileSync(join(wrappers, 'calls.log'), 'utf8').trim().split('\n');
  // pg_dump reads without it; pg_restore --list (the table of contents) opens no session
  expect(calls).toEqual(['pg_dump [] --format=directory', 'pg_restore [] --list', `pg_restore [-c synchronous_commit=off] --dbname=dbname='app'`]);
  expect((await tools.inventory(to, 'target', {jobs: 2})).tables).toEqual(rows);
}, 60_000);
