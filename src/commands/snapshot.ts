import {Flags} from '@oclif/core';
import {BaseCommand, outputPath, requiredAppFlag} from '../cli/base-command.ts';
import {fingerprinter, herokuSource, systemClock} from '../cli/deps.ts';
import {createFileStore} from '../adapters/files/file-store.ts';
import {snapshotWorkflow} from '../workflows/snapshot.ts';

export default class Snapshot extends BaseCommand {
  static override summary = 'Save a Heroku app as a snapshot file to plan from offline';
  static override description = `Reads the app live from Heroku and writes the app model: formation, add-ons, domains, buildpacks, release command, and config var NAMES with keyed fingerprints (HMAC-SHA256 under a key outside the repository: MIGRATE_FINGERPRINT_KEY or ~/.config/heroku2aws/fingerprint.key; see docs/safety.md). Values are never written. Plan from it later with \`migrate plan --from FILE\`.

Exit codes: 0 written; 1 error; 2 usage.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --app shop',
    {description: 'Save the app, then plan from the file without a token', command: '<%= config.bin %> <%= command.id %> --app shop --out shop.snapshot.json && <%= config.bin %> plan --from shop.snapshot.json'},
  ];

  static override flags = {
    app: requiredAppFlag,
    out: Flags.string({parse: outputPath, char: 'o', description: 'snapshot file [default: plans/<app>/snapshot.json]'}),
  };

  async run() {
    const {flags} = await this.parse(Snapshot);
    this.note(`Reading Heroku app ${flags.app}`);
    const {snapshot, file, requests} = await snapshotWorkflow({app: flags.app, out: flags.out}, {files: createFileStore(), heroku: herokuSource, clock: systemClock, fingerprinter});
    const app = snapshot.app;
    if (!this.jsonEnabled()) this.log(`Wrote ${file}: ${app.processes.length} process types, ${app.configVars.length} config var names, ${app.addons.length} add-ons (${requests} Heroku API requests).`);
    return {file, app: app.name, processTypes: app.processes.length, configVars: app.configVars.length, addons: app.addons.length, requests};
  }
}
