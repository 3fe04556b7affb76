#!/usr/bin/env node
/**
 * Bundles the guard function (src/guard/handler.ts) with esbuild into one ES module and packs it
 * into a deterministic zip (fixed timestamps, one entry `index.mjs`), the asset `migrate guard
 * install` uploads: dist/guard/guard.zip, plus dist/guard/meta.json (sizes, sha256, inputs).
 * The AWS SDK v3 is left out: the Node.js 22 Lambda runtime provides it. Nothing of oclif or the
 * CLI may be in the bundle: the build fails if it is.
 *
 * Usage: node scripts/build-guard.js [outDir]   (default dist/guard)
 */
import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {deflateRawSync, crc32} from 'node:zlib';
import {build} from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FORBIDDEN = [/node_modules\/@oclif\//, /node_modules\/listr2\//, /^src\/cli\//, /^src\/commands\//, /^src\/render\//];

/** A zip with one stored-or-deflated entry and a fixed timestamp (1980-01-01 00:00), so equal code gives equal bytes. */
export function zipOne(name, data) {
  const deflated = deflateRawSync(data, {level: 9});
  const nameBuf = Buffer.from(name, 'utf8');
  const crc = crc32(data) >>> 0;
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt16LE(dosTime, 10);
  local.writeUInt16LE(dosDate, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(dosTime, 12);
  central.writeUInt16LE(dosDate, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
  central.writeUInt32LE(0, 42); // offset of the local header
  const centralSize = central.length + nameBuf.length;
  const centralOffset = local.length + nameBuf.length + deflated.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBuf, deflated, central, nameBuf, end]);
}

export async function buildGuard(outDir = join(ROOT, 'dist', 'guard')) {
  const result = await build({
    entryPoints: [join(ROOT, 'src/guard/handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    write: false,
    metafile: true,
    external: ['@aws-sdk/*'],
    // bundled CommonJS dependencies call require() for Node built-ins
    banner: {js: "import {createRequire as __h2aRequire} from 'node:module';const require=__h2aRequire(import.meta.url);"},
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const bad = inputs.filter((i) => FORBIDDEN.some((re) => re.test(i)));
  if (bad.length) throw new Error(`The guard bundle must not contain CLI code, but it does: ${bad.join(', ')}`);
  const code = Buffer.from(result.outputFiles[0].contents);
  const zip = zipOne('index.mjs', code);
  mkdirSync(outDir, {recursive: true});
  writeFileSync(join(outDir, 'guard.zip'), zip);
  const meta = {
    sha256: createHash('sha256').update(zip).digest('hex'),
    bundleBytes: code.length,
    zipBytes: zip.length,
    inputs: inputs.length,
    packages: [...new Set(inputs.filter((i) => i.includes('node_modules/')).map((i) => i.split('node_modules/').at(-1).split('/').slice(0, i.split('node_modules/').at(-1).startsWith('@') ? 2 : 1).join('/')))].sort(),
  };
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const meta = await buildGuard(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`guard bundle: ${(meta.bundleBytes / 1024).toFixed(0)} KiB, zipped ${(meta.zipBytes / 1024).toFixed(0)} KiB (sha256 ${meta.sha256.slice(0, 12)}); packages: ${meta.packages.join(', ')}\n`);
}
