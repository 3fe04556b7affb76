/** The cutover timeline for plan.md: when web, workers, clock and data move. */
import type {AddonPlan} from './addon-plan.ts';
import type {ServicePlan} from './processes.ts';
import type {CutoverPlan} from './schedule.ts';

export interface Phase {
  id: 'prepare' | 'edge' | 'shift' | 'window' | 'finalize';
  title: string;
  steps: string[];
}

export function buildTimeline(app: string, services: ServicePlan[], addons: AddonPlan[], cutover: CutoverPlan): Phase[] {
  const inWindow = services.filter((s) => s.moves === 'in-window');
  const shared = addons.filter((a) => a.strategy === 'shared-then-window');
  const windowData = addons.filter((a) => a.movesInWindow || a.strategy === 'write-freeze-window');
  const weights = cutover.steps.map((s) => `${s.weight}%`).join(' → ');
  const hours = Math.round(cutover.finalizeHoldSeconds / 3600);
  return [
    {
      id: 'prepare',
      title: 'Prepare AWS (no user traffic)',
      steps: [
        `migrate secrets import --app ${app}: app config vars into one Secrets Manager secret`,
        `migrate deploy --app ${app}: web runs on ECS; ${inWindow.length ? inWindow.map((s) => s.processType).join(', ') + ' created with 0 tasks (started in the window)' : 'no workers'}`,
        // after deploy: the stores go into the network and security groups deploy creates
        `migrate addons provision --app ${app}: ${addons.filter((a) => a.target.kind !== 'saas' && !a.manual).map((a) => a.target.service).join(', ') || 'no AWS add-on equivalents'}`,
      ],
    },
    {
      id: 'edge',
      title: 'Cloudflare load balancer at Heroku 100% / AWS 0%',
      steps: [`migrate edge setup --app ${app}`],
    },
    {
      id: 'shift',
      title: `Shift web traffic ${weights}`,
      steps: [
        `migrate shift --app ${app} --to 100% (gated on ${cutover.gates.alarms.length} CloudWatch alarms and AWS pool health; halts and rolls back on failure)`,
        shared.length
          ? `During the shift both origins share ${shared.map((a) => a.service).join(', ')} on Heroku (AWS connects over TLS)`
          : 'No shared data stores during the shift',
      ],
    },
    {
      id: 'window',
      title: 'Announced write-freeze window',
      steps: [
        'Heroku maintenance on (web only; workers and scheduler keep running, so scale them to 0)',
        inWindow.length ? `Stop ${inWindow.map((s) => s.processType).join(', ')} on Heroku, then start them on AWS: never both at once` : 'No workers or clock processes to move',
        windowData.length ? `Move data: ${windowData.map((a) => `${a.service} → ${a.target.service}`).join('; ')} (migrate data cutover)` : 'No data to move',
        'Point the secret at the AWS stores, force a new ECS deployment; Heroku stays frozen (its dynos still use the old stores): shift the rest of the traffic to AWS',
      ],
    },
    {
      id: 'finalize',
      title: 'Retire Heroku',
      steps: [`After ${hours} h at 100% with green gates: migrate finalize --app ${app} --confirm ${app}`],
    },
  ];
}
