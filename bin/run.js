#!/usr/bin/env node
// Node's on-disk compile cache (Node 22.1+) roughly halves the cost of loading oclif on later runs;
// importing only oclif's `execute` keeps `migrate --help` from loading the rest of @oclif/core.
import module from 'node:module';

// Older than Node 22: run again, quietly, under the project's own Node 24 (the `node` dev
// dependency of a checkout); see docs/architecture.md "Node versions".
if (Number(process.versions.node.split('.')[0]) < 22) await (await import('./reexec.js')).reexec();

module.enableCompileCache?.();
// DEBUG/NODE_DEBUG must not print config var values or tokens (docs/debugging.md).
await (await import('../dist/cli/debug-guard.js')).guardDebugOutput();
const {execute} = await import('@oclif/core/execute');
await execute({dir: import.meta.url});
