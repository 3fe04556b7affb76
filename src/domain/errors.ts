/**
 * Error types shared by every layer. Each carries the documented exit code and a hint that
 * tells the user how to fix the problem. Messages never contain secret values: the message and
 * hint are redacted of every known secret value when the error is made (redaction.ts).
 */
import {redact} from './redaction.ts';

export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  halted: 3,
  paused: 4,
  locked: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'usage'
  | 'input'
  | 'not-found'
  | 'auth'
  | 'forbidden'
  | 'rate-limited'
  | 'upstream'
  | 'schema'
  | 'io'
  | 'aws'
  | 'conflict'
  | 'locked'
  | 'internal';

export class MigrateError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: {hint?: string; exitCode?: ExitCodeValue; cause?: unknown} = {}) {
    super(redact(message), options.cause === undefined ? undefined : {cause: options.cause});
    this.name = 'MigrateError';
    this.code = code;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.exitCode = options.exitCode ?? (code === 'usage' ? ExitCode.usage : code === 'locked' ? ExitCode.locked : ExitCode.error);
  }
}

export const usageError = (message: string, hint?: string) => new MigrateError('usage', message, {hint});
export const inputError = (message: string, hint?: string) => new MigrateError('input', message, {hint});
