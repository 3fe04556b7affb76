/**
 * What to run after `migrate plan`, in the order that works (deploy before addons provision: the
 * add-ons go into deploy's network), with this plan's app, directory, build command and add-ons.
 */
import {join, normalize} from 'node:path';
import type {Plan} from '../domain/plan.ts';

/** targets `migrate addons provision` creates (the others are kept, noted or manual) */
const PROVISIONED = new Set(['rds-postgresql', 'memorydb', 'eventbridge-scheduler']);

export function nextSteps(plan: Plan, outDir: string, bin = 'migrate'): string[] {
  const app = plan.app.name;
  const dir = normalize(outDir) === join('plans', app) ? '' : ` --plan-dir ${outDir}`;
  const run = (command: string, more = '') => `${bin} ${command} --app ${app}${dir}${more}`;
  const provision = plan.addons.some((a) => !a.manual && PROVISIONED.has((a.target as {kind?: string}).kind ?? ''));
  const windowed = plan.addons.filter((a) => a.movesInWindow && (a.strategy === 'shared-then-window' || a.strategy === 'write-freeze-window'));
  return [
    `Review ${join(outDir, 'plan.md')} with your team (commit the plan directory).`,
    `Build the image and push it to ECR, tagged with the git SHA: ${plan.build.command}`,
    run('secrets import'),
    run('deploy', ' --image <ECR image:git-sha> --certificate-arn <ACM ARN> --create-network'),
    ...(provision ? [run('addons provision')] : []),
    run('edge setup', ' --zone <zone id> --account <account id>'),
    run('shift', ' --to 5%'),
    ...windowed.map((a) => run('data cutover', ` --addon ${a.name}`)),
    run('shift', ' --to 100%'),
    run('finalize', ` --confirm ${app}`),
  ];
}
