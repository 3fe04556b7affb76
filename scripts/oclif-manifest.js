// Writes oclif.manifest.json after a build, so `migrate --help` lists commands without importing them.
import {Config} from '@oclif/core';
import {writeFileSync} from 'node:fs';

const config = await Config.load({root: process.cwd()});
writeFileSync('oclif.manifest.json', JSON.stringify(config.rootPlugin.manifest, null, 2) + '\n');
