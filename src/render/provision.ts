/** `migrate addons provision` output: one block per add-on. */
import type {ProvisionResult} from '../workflows/addons-provision.ts';

export function renderProvision(r: ProvisionResult): string {
  const lines: string[] = [];
  for (const o of r.outcomes) {
    const res = o.resource ? ` ${o.resource.kind} ${o.resource.id}${o.resource.endpoint ? ` at ${o.resource.endpoint}` : ''}${o.resource.status ? ` (${o.resource.status})` : ''}` : '';
    lines.push(`${o.addon} [${o.action}]${res}`);
    for (const d of o.details) lines.push(`  - ${d}`);
    if (o.remaps.length) lines.push(`  - recorded (inactive until the data window): ${o.remaps.join(', ')}`);
  }
  lines.push('', `Region ${r.region}. The app's secret switches to the new stores in the data window: migrate data cutover --app APP --addon NAME.`);
  return lines.join('\n');
}
