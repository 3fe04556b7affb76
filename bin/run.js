#!/usr/bin/env node
// Node's on-disk compile cache (Node 22.1+) roughly halves the cost of loading oclif on later runs;
// importing only oclif's `execute` keeps `migrate --help` from loading the rest of @oclif/core.
import module from 'node:module';

module.enableCompileCache?.();
// DEBUG/NODE_DEBUG must not print config var values or tokens (docs/debugging.md).
await (await import('../dist/cli/debug-guard.js')).guardDebugOutput();
const {execute} = await import('@oclif/core/execute');
await execute({dir: import.meta.url});
