/**
 * Every command's --help at 80 columns: no line wider than the terminal, and every example
 * copy-pastable (oclif wraps long examples with `\` continuations; a wrap inside a token would
 * paste as two arguments). Also `migrate help CMD`, `migrate version` and "did you mean".
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {ROOT, runCli} from '../support/cli.ts';

interface ManifestCommand {
  id: string;
  examples?: (string | {command: string; description?: string})[];
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>};
const commands = Object.values(manifest.commands).filter((c) => !c.id.startsWith('help') && c.id !== 'version');

const spaced = (id: string) => id.replaceAll(':', ' ');
const expand = (example: string, id: string) => example.replaceAll('<%= config.bin %>', 'migrate').replaceAll('<%= command.id %>', spaced(id));
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** the examples as a user would paste them: command lines (`  $ ` or indented 4) joined with their `\` continuations (indented 6) */
export function pastedExamples(help: string): string[] {
  const section = help.split(/^EXAMPLES$/m)[1]?.split(/^[A-Z][A-Z ]+$/m)[0] ?? '';
  const out: string[] = [];
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const continued = current !== undefined && /^ {6}\S/.test(line);
    if (!continued && !/^ {4}\S|^ {2}\$ /.test(line)) continue;
    const text = line.trim().replace(/^\$ /, '');
    current = continued ? `${current} ${text}` : text;
    if (!text.endsWith('\\')) (out.push(current), (current = undefined));
    else current = current.replace(/\s*\\$/, '');
  }
  return out.map(norm);
}

describe('--help at 80 columns', () => {
  it.each(commands.map((c) => [spaced(c.id), c] as const))('%s: fits and its examples paste as written', async (_name, command) => {
    const r = await runCli([...command.id.split(':'), '--help'], {env: {COLUMNS: '80'}});
    expect(r.code).toBe(0);
    // the first line is the summary, printed as written (the terminal wraps it); the rest is laid out at 80
    for (const line of r.stdout.split('\n').slice(1)) expect(line.length).toBeLessThanOrEqual(80);
    const written = (command.examples ?? []).map((e) => norm(expand(typeof e === 'string' ? e : e.command, command.id)));
    expect(written.length).toBeGreaterThan(0);
    expect(pastedExamples(r.stdout)).toEqual(written);
  });
});

describe('help, version, typos', () => {
  it('migrate help plan is plan --help', async () => {
    const [a, b] = await Promise.all([runCli(['help', 'plan']), runCli(['plan', '--help'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('migrate plan --app shop');
  });

  it('migrate version and --version print the version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string};
    for (const args of [['version'], ['--version']]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^heroku2aws/${pkg.version.replaceAll('.', '\\.')} `));
    }
  });

  it('a typo is a usage error that names the closest command and runs nothing', async () => {
    const r = await runCli(['shfit', '--app', 'shop', '--to', '100%', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("Error: 'shfit' is not a migrate command. Did you mean 'migrate shift'?\nFix: Run 'migrate help' for the list of commands.\n");
    const topic = await runCli(['edge', 'setp']);
    expect(topic.code).toBe(2);
    expect(topic.stderr).toContain("Did you mean 'migrate edge setup'?");
    const far = await runCli(['xyzzy']);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('Did you mean');
  });
});
