import {BaseCommand} from '../../cli/base-command.ts';
import {runnerDeps} from '../../cli/data-deps.ts';
import {runDataTask} from '../../workflows/data-runner.ts';

/**
 * The entry of the runner image (runner/Dockerfile): `migrate data copy --in-vpc` starts it as
 * an ECS task with its job in H2A_DATA_JOB. Hidden: not for people.
 */
export default class DataRunTask extends BaseCommand {
  static override hidden = true;
  static override enableJsonFlag = false;
  static override summary = 'Runner task entry of `data copy --in-vpc` (reads its job from H2A_DATA_JOB; prints JSON lines)';
  static override description = `Not run by hand: \`migrate data copy --in-vpc\` starts it as a one-off ECS Fargate task. It reads the job (no secrets: where the URLs are) from the environment value H2A_DATA_JOB, the URLs from Secrets Manager with the task role, copies and verifies, and prints one JSON object per line on stdout ({"h2a":1,"type":...}).

Exit codes: 0 copied and verified; 1 anything else (the last line says what).`;

  static override examples = [{description: "The runner image's entry; ECS starts it with H2A_DATA_JOB set", command: '<%= config.bin %> <%= command.id %>'}];

  async run() {
    const code = await runDataTask({...runnerDeps(), write: (line) => process.stdout.write(`${line}\n`), version: this.config.version});
    if (code !== 0) process.exitCode = code;
  }
}
