/**
 * One operator in its own process, driven line by line over stdin (JSON), answering on stdout:
 * {op:'lock', command} -> {lock:'won'|'locked', message?}; {op:'release'} -> {released:true};
 * {op:'append', label, n} -> {appended:n}; {op:'exit'}. Run by Node 24 (type stripping) from the
 * contract tests, so two processes race through the real SDK against moto.
 * argv: endpoint bucket prefix app leaseMs
 */
import {createInterface} from 'node:readline';
import {createS3State} from '../../src/adapters/state/s3-state.ts';
import type {Lock} from '../../src/ports/state.ts';

const [endpoint, bucket, prefix, app, leaseMs] = process.argv.slice(2);
const store = await createS3State({
  bucket: bucket!,
  prefix: prefix!,
  app: app!,
  endpoint,
  region: 'us-east-1',
  clock: {now: () => new Date()},
  leaseMs: Number(leaseMs),
  maxAttempts: 1,
  credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
  onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
});
let lock: Lock | null = null;
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
say({ready: process.pid});
for await (const line of createInterface({input: process.stdin})) {
  const msg = JSON.parse(line) as {op: string; command?: string; label?: string; n?: number};
  try {
    if (msg.op === 'lock') {
      try {
        lock = await store.lock(msg.command ?? 'shift');
        say({lock: 'won'});
      } catch (err) {
        say({lock: 'locked', code: (err as {exitCode?: number}).exitCode, message: (err as Error).message});
      }
    } else if (msg.op === 'release') {
      await lock?.release();
      lock = null;
      say({released: true});
    } else if (msg.op === 'append') {
      for (let i = 1; i <= (msg.n ?? 1); i++) await store.journal({id: `${msg.label}-${i}`, op: 'test', phase: 'note'});
      say({appended: msg.n});
    } else if (msg.op === 'exit') {
      store.close();
      process.exit(0);
    }
  } catch (err) {
    say({error: (err as Error).message});
  }
}
