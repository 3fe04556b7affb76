/** Text for `migrate deploy`: a change set before it runs (stderr) and the result (stdout). */
import {countsText, replaces, type ResourceChange} from '../domain/deploy.ts';
import {TEMPLATE_BODY_LIMIT} from '../domain/stacks/index.ts';
import type {ChangeSetReview, DeployResult} from '../workflows/deploy.ts';
import {paint} from './terminal.ts';


export function renderChangeSet(r: ChangeSetReview, color = false): string {
  const guarded = new Map(r.summary.guarded.map((g) => [g.change.logicalId, g.why]));
  const width = Math.max(12, ...r.changes.map((c) => c.logicalId.length));
  const typeWidth = Math.max(20, ...r.changes.map((c) => c.resourceType.length));
  const line = (c: ResourceChange) => {
    const why = guarded.get(c.logicalId);
    const sign = why ? '!' : c.action === 'Add' || c.action === 'Import' ? '+' : c.action === 'Remove' ? '-' : replaces(c) ? '±' : '~';
    const tag = replaces(c) ? `REPLACED (Replacement: ${c.replacement})` : c.action === 'Remove' ? 'REMOVED' : '';
    const text = `  ${sign} ${c.logicalId.padEnd(width)}  ${c.resourceType.padEnd(typeWidth)}${tag ? `  ${tag}` : ''}${why ? ` - stateful: ${why}` : ''}`.trimEnd();
    const colored = why || replaces(c) || c.action === 'Remove' ? paint(color, '1;31', text) : c.action === 'Add' ? paint(color, '32', text) : paint(color, '33', text);
    const causes = c.causes.length && c.action === 'Modify' ? `\n${' '.repeat(width + 6)}because: ${c.causes.slice(0, 4).join('; ')}${c.causes.length > 4 ? '; ...' : ''}` : '';
    return colored + causes;
  };
  const lines = [`Change set for ${r.stackName} (${r.action}): ${countsText(r.summary)}`];
  if (r.changes.length === 0) lines.push('  (no resource changes: parameters, outputs or tags only)');
  lines.push(...r.changes.map(line));
  if (r.summary.guarded.length > 0) lines.push(paint(color, '1;31', `  ${r.summary.guarded.length} stateful resource(s) replaced or removed: needs --allow-replace`));
  if (r.templateMinified) lines.push(`  (template sent minified: pretty-printed it exceeds ${TEMPLATE_BODY_LIMIT} bytes)`);
  return lines.join('\n');
}

export function renderDeployResult(r: DeployResult): string {
  const width = Math.max(...r.stacks.map((s) => s.stackName.length), 10);
  const lines = r.stacks.map((s) => {
    const counts = s.result === 'no changes' || s.result === 'not previewed' ? '' : `  (${s.changes.length} resource change${s.changes.length === 1 ? '' : 's'})`;
    return `${s.stackName.padEnd(width)}  ${s.result}${counts}`;
  });
  if (r.release) {
    lines.push(
      r.release.ran
        ? `Release phase: exit code 0 (task ${r.release.taskArn})`
        : `Release phase: skipped (${r.release.skipped ?? 'not needed'})`,
    );
  }
  lines.push(`Image: ${r.imageUri} (${r.region})`);
  if (r.alb) lines.push(`Load balancer: ${r.alb.albDnsName} (recorded for migrate edge setup)`);
  if (r.review) lines.push('Review only: every change set was shown and deleted; nothing was executed.');
  else lines.push(r.changed ? 'Deployed.' : 'No changes: every stack is up to date and nothing was changed.');
  return lines.join('\n');
}
