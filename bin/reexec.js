// Re-executes bin/run.js under the project's own Node (node_modules/node, a dev dependency) when the
// running Node is too old for the CLI, forwarding arguments, stdio, signals and the exit status.
// Without that Node (an install without dev dependencies) it stops with what to install.
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

function projectNode() {
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export async function reexec() {
  const node = projectNode();
  if (!node) {
    process.stderr.write(`Error: migrate needs Node.js 22 or newer; this is Node ${process.version}.\nFix: Install Node.js 22 or 24 LTS (https://nodejs.org), or run migrate from a checkout after \`npm ci\` (it brings Node 24).\n`);
    process.exit(1);
  }
  const child = spawn(node, [...process.execArgv, fileURLToPath(new URL('./run.js', import.meta.url)), ...process.argv.slice(2)], {stdio: 'inherit'});
  // A terminal's Ctrl-C (and hang-up) reaches the whole process group, the child included: passing
  // it on would deliver it twice (a second Ctrl-C means "stop now" to some commands). SIGTERM is
  // usually sent to one pid: it is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGHUP', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}
