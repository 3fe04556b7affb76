/**
 * Shared behaviour of every command: `--json` envelope `{status, result, warnings}` on stdout,
 * warnings and progress on stderr, MigrateError -> documented exit code and a message with a fix.
 */
import {Command, Flags} from '@oclif/core';
import {ExitCode, MigrateError} from '../domain/errors.ts';
import {checkOutputPath} from '../domain/flag-checks.ts';
import {APP_NAME_RE} from '../domain/model.ts';
import {handleSignals} from './signals.ts';
import {redact} from '../domain/redaction.ts';

export interface Envelope {
  status: 'ok' | 'error' | 'halted' | 'paused';
  result?: unknown;
  error?: {code: string; message: string; hint?: string; exitCode: number};
  warnings: string[];
}

/** oclif's parse messages without their frame ("The following errors occurred:", "See more help with --help"), one line */
export function usageMessage(raw: string): string {
  const lines = raw
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^The following errors? occurred:?$/i.test(l) && !/^See more help with --help$/i.test(l))
    .map((l) => l.replace(/^Missing required flag (?!-)(\S+)$/, 'Missing required flag --$1'));
  return lines.join('; ') || 'Invalid usage.';
}

/** What the command is, for a message about the other confirmation flag (the heroku CLI's rule). */
export interface CommandContext {
  id: string;
  flags: string[];
}

/**
 * Destructive commands take `--confirm APP`, reversible ones `--yes` (the heroku CLI's rule); the
 * other flag is answered with the one this command takes.
 */
function confirmationMix(message: string, ctx: CommandContext | undefined): string | undefined {
  const given = /^Nonexistent flags?: (.*)$/m.exec(message)?.[1]?.split(/,\s*/) ?? [];
  const name = ctx?.id.replaceAll(':', ' ');
  if (ctx && given.some((f) => f === '--yes' || f === '-y') && ctx.flags.includes('confirm')) {
    return `migrate ${name} is destructive: it takes --confirm <app> (the app's name), not --yes.`;
  }
  if (ctx && given.some((f) => f === '--confirm' || f.startsWith('--confirm=')) && ctx.flags.includes('yes')) {
    return `migrate ${name} is reversible: it takes --yes to skip its prompt; --confirm <app> is for destructive commands (finalize).`;
  }
  return undefined;
}

export function toMigrateError(err: unknown, ctx?: CommandContext): MigrateError {
  if (err instanceof MigrateError) return err;
  const e = err as {message?: string; parse?: unknown; oclif?: {exit?: number}};
  if (e?.parse !== undefined || e?.oclif?.exit === 2) {
    const raw = String(e.message ?? '');
    const mixed = confirmationMix(raw, ctx);
    if (mixed) return new MigrateError('usage', mixed, {hint: `See migrate ${ctx!.id.replaceAll(':', ' ')} --help for the flags and examples.`});
    return new MigrateError('usage', usageMessage(raw), {hint: `See ${ctx ? `migrate ${ctx.id.replaceAll(':', ' ')} ` : ''}--help for the flags and examples.`});
  }
  return new MigrateError('internal', e?.message ?? String(err), {hint: 'This is a bug in migrate; please report it with the command you ran.'});
}

const appFlagOptions = {
  char: 'a' as const,
  description: 'Heroku app name',
  parse: async (input: string) => {
    if (!APP_NAME_RE.test(input)) {
      throw new MigrateError('usage', `--app '${input}' is not a valid Heroku app name.`, {
        hint: 'App names are 3-30 lowercase letters, digits and dashes, starting with a letter.',
      });
    }
    return input;
  },
};
export const appFlag = Flags.string(appFlagOptions);
export const requiredAppFlag = Flags.string({...appFlagOptions, required: true});

/** `parse` of an --out flag: refuses the file system root and /proc, /sys, /dev before anything runs. */
export const outputPath = async (input: string) => {
  checkOutputPath(input, '--out', process.cwd());
  return input;
};

export const planDirFlag = Flags.string({description: 'directory holding plan.json, state and journal [default: plans/<app>]'});
export const breakLockFlag = Flags.boolean({description: "remove another operator's lock on this app first (only when you know it is stale)"});

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  protected warnings: string[] = [];

  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`› ${redact(message)}\n`);
  }

  protected addWarnings(warnings: string[]): void {
    this.warnings.push(...warnings.map(redact));
  }

  private outcome: Envelope['status'] = 'ok';

  /** Ctrl-C / SIGTERM: a message, the lock released, exit 4 (src/cli/signals.ts) */
  override async init(): Promise<void> {
    await super.init();
    handleSignals(`migrate ${(this.id ?? '').replaceAll(':', ' ')}`.trim(), () => this.jsonEnabled());
  }

  /**
   * An abandoned call to a hung service (docs/fail-safe.md) keeps its socket open: once the
   * command is done, the process exits even if such a socket would keep it alive.
   */
  override async finally(err: Error | undefined): Promise<unknown> {
    const r = await super.finally(err);
    setTimeout(() => process.exit(), 500).unref();
    return r;
  }

  /** Ends a run that completed with a documented non-zero outcome (3 halted, 4 paused, 1 stopped). */
  protected finish<T>(exitCode: number, result: T): T {
    this.outcome = exitCode === ExitCode.halted ? 'halted' : exitCode === ExitCode.paused ? 'paused' : exitCode === 0 ? 'ok' : 'error';
    if (exitCode !== 0) process.exitCode = exitCode;
    return result;
  }

  protected override toSuccessJson(result: unknown): Envelope {
    return {status: this.outcome, result, warnings: this.warnings};
  }

  private context(): CommandContext {
    return {id: this.id ?? '', flags: Object.keys((this.constructor as typeof BaseCommand).flags ?? {})};
  }

  protected override toErrorJson(err: unknown): Envelope {
    const e = toMigrateError(err, this.context());
    // redacted again here: a value may have become known after the error was made
    return {status: 'error', error: {code: e.code, message: redact(e.message), ...(e.hint ? {hint: redact(e.hint)} : {}), exitCode: e.exitCode}, warnings: this.warnings.map(redact)};
  }

  override async catch(err: unknown): Promise<void> {
    const e = toMigrateError(err, this.context());
    this.parsed = true; // a parse that failed was reported here: no "did not parse its arguments" warning (NODE_ENV=development/test)
    process.exitCode = e.exitCode;
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(e));
      return;
    }
    process.stderr.write(redact(`Error: ${e.message}\n${e.hint ? `Fix: ${e.hint}\n` : ''}`));
    if (e.code === 'internal' && process.env.DEBUG && err instanceof Error) process.stderr.write(`${redact(err.stack ?? '')}\n`);
  }

  /** Prints warnings to stderr (human mode); in JSON mode they travel in the envelope. */
  protected printWarnings(): void {
    if (this.jsonEnabled()) return;
    for (const w of this.warnings) process.stderr.write(`Warning: ${redact(w)}\n`);
  }
}

export {ExitCode};
