#!/usr/bin/env node
// Node's on-disk compile cache (Node 22.1+) roughly halves the cost of loading oclif on later runs.
import module from 'node:module';

module.enableCompileCache?.();
const {execute} = await import('@oclif/core');
await execute({dir: import.meta.url});
