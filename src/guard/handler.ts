/**
 * The guard function's entry (AWS Lambda, Node.js 22): as thin as a command. It reads its
 * configuration, builds the adapters and runs the one workflow. A failure is thrown, so Lambda
 * retries the event and finally hands it to the dead-letter queue (docs/guard.md).
 */
import {GUARD_CONFIG_ENV, parseGuardConfig} from '../domain/guard.ts';
import {guardWorkflow, type GuardOutcome} from '../workflows/guard-trip.ts';
import {guardDeps, type GuardDepsOptions} from './deps.ts';

export function createHandler(options: GuardDepsOptions = {}): (event: unknown) => Promise<GuardOutcome> {
  return async (event) => {
    const env = options.env ?? process.env;
    const config = parseGuardConfig(env[GUARD_CONFIG_ENV]);
    const deps = guardDeps(config, {...options, env});
    let outcome: GuardOutcome;
    try {
      outcome = await guardWorkflow(event, config, deps);
    } finally {
      await deps.state.close();
    }
    (options.log ?? console.log)(JSON.stringify({guard: outcome.action, reason: outcome.reason, recordErrors: outcome.recordErrors}));
    return outcome;
  };
}

export const handler = createHandler();
