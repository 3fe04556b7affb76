#!/usr/bin/env node
/**
 * Refreshes Cloudflare's published IP ranges kept in templates/cloudformation/shared-alb.json
 * (slots cloudflareIpv4, cloudflareIpv6, cloudflareIpsAsOf), which the generator turns into the
 * ALB security group's only ingress (docs/origin-access.md). Reads Cloudflare's public
 * `GET /ips` (no token needed; CLOUDFLARE_BASE_URL overrides the API base, for tests), with a
 * 30 s timeout and a 1 MB cap. Then re-run `migrate plan` and `migrate deploy` to apply.
 *
 *   node scripts/refresh-cloudflare-ips.js [--file templates/cloudformation/shared-alb.json] [--date YYYY-MM-DD]
 */
import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const file = arg('--file') ?? join(dirname(fileURLToPath(import.meta.url)), '../templates/cloudformation/shared-alb.json');
const today = arg('--date') ?? new Date().toISOString().slice(0, 10);
const base = (process.env.CLOUDFLARE_BASE_URL || 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '');

function fail(message) {
  process.stderr.write(`Error: ${message}\nFix: check the network (and CLOUDFLARE_BASE_URL if set), then run it again; the template was not changed.\n`);
  process.exit(1);
}

const res = await fetch(`${base}/ips`, {signal: AbortSignal.timeout(30_000)}).catch((err) => fail(`cannot reach ${base}/ips (${err.name}).`));
const text = await res.text();
if (text.length > 1_000_000) fail(`${base}/ips answered more than 1 MB.`);
if (!res.ok) fail(`${base}/ips answered ${res.status}.`);
let result;
try {
  result = JSON.parse(text).result;
} catch {
  fail(`${base}/ips did not answer JSON.`);
}
const cidr4 = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const cidr6 = /^[0-9a-f:]+::?[0-9a-f:]*\/\d{1,3}$/i;
const v4 = result?.ipv4_cidrs;
const v6 = result?.ipv6_cidrs;
if (!Array.isArray(v4) || !v4.length || !v4.every((c) => cidr4.test(c))) fail('the answer holds no usable ipv4_cidrs.');
if (!Array.isArray(v6) || !v6.length || !v6.every((c) => cidr6.test(c))) fail('the answer holds no usable ipv6_cidrs.');

const template = JSON.parse(readFileSync(file, 'utf8'));
const before = JSON.stringify([template.slots.cloudflareIpv4, template.slots.cloudflareIpv6]);
template.slots.cloudflareIpv4 = v4;
template.slots.cloudflareIpv6 = v6;
template.slots.cloudflareIpsAsOf = today;
const tmp = `${file}.tmp`;
writeFileSync(tmp, JSON.stringify(template, null, 2) + '\n');
renameSync(tmp, file);
const changed = before !== JSON.stringify([v4, v6]);
process.stdout.write(`${file}: ${v4.length} IPv4 and ${v6.length} IPv6 ranges as of ${today}${changed ? ' (changed: re-run migrate plan and migrate deploy)' : ' (unchanged)'}.\n`);
