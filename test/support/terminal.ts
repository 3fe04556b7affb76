/**
 * Runs the built CLI in a pseudo-terminal (100x40, through Python's pty module), answering a
 * prompt when it appears: the output shows what a person at a terminal sees, in order.
 */
import {spawn} from 'node:child_process';
import {BIN, ROOT, type CliResult} from './cli.ts';

const PTY = `
import os, pty, sys, fcntl, termios, struct, select
answer, prompt = os.environ.pop('PTY_ANSWER', ''), os.environ.pop('PTY_PROMPT', '[y/N]')
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
    os.execvpe(sys.argv[1], sys.argv[1:], os.environ)
seen, answered = b'', False
while True:
    try:
        r, _, _ = select.select([fd], [], [], 60)
        data = os.read(fd, 65536) if r else b''
    except OSError:
        data = b''
    if not data:
        break
    seen += data
    sys.stdout.buffer.write(data); sys.stdout.flush()
    if not answered and prompt.encode() in seen:
        answered = True
        os.write(fd, (answer + '\\n').encode())
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

export function runInTerminal(args: string[], options: {env: Record<string, string>; answer: string; prompt?: string}): Promise<CliResult> {
  const env: Record<string, string | undefined> = {...process.env, TERM: 'xterm-256color', ...options.env, PTY_ANSWER: options.answer, PTY_PROMPT: options.prompt ?? '[y/N]'};
  delete env.NO_COLOR;
  delete env.CI;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', PTY, process.execPath, BIN, ...args], {cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}));
  });
}
