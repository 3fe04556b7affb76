/**
 * `migrate certs request`: an ACM certificate for the plan's hostnames, validated through DNS
 * records the tool writes into the Cloudflare zone (DNS-only), waited for until ISSUED and
 * recorded in the state for `migrate deploy`. `--cleanup` removes only the records it created.
 */
import {
  APP_TAG,
  chooseCertificate,
  FAILED_STATUSES,
  idempotencyToken,
  inZone,
  requestNames,
  sameContent,
  validationProgress,
  validationRecords,
  type CertificateView,
  type DnsRecordRef,
} from '../domain/certificates.ts';
import {MigrateError, usageError} from '../domain/errors.ts';
import {resolveRegion} from '../domain/regions.ts';
import type {AppState} from '../domain/state.ts';
import type {CertificateAuthority, DnsZoneRecords} from '../ports/certificates.ts';
import type {StateStore} from '../ports/state.ts';

export const DEFAULT_WAIT_MINUTES = 30;
export const DEFAULT_POLL_SECONDS = 15;
/** ACM adds the validation records to a new request within seconds; this bounds that wait */
const RECORDS_WAIT_SECONDS = 120;
const ZONE_ID_RE = /^[0-9a-f]{32}$/;

export interface CertsRequestInput {
  app: string;
  zoneId?: string;
  region?: string;
  waitMinutes: number;
  pollSeconds: number;
  dryRun?: boolean;
  breakLock?: boolean;
}

export interface Interrupts {
  subscribe(onInterrupt: () => void): () => void;
}

export interface CertsDeps {
  state: StateStore;
  acm: (region: string) => Promise<CertificateAuthority>;
  dns: () => Promise<DnsZoneRecords>;
  env: Record<string, string | undefined>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  interrupts: Interrupts;
  onProgress?: (message: string) => void;
}

export type RecordAction = 'created' | 'present' | 'adopted' | 'would-create';

export interface CertsRequestResult {
  /** issued: validated now; reused: an issued certificate existed; pending: still validating (exit 4); dry-run: nothing written */
  outcome: 'issued' | 'reused' | 'pending' | 'dry-run';
  action: 'reuse' | 'resume' | 'request';
  arn: string | null;
  region: string;
  domainNames: string[];
  status: string;
  records: Array<{name: string; type: string; action: RecordAction}>;
  reason?: 'timeout' | 'interrupted';
  warnings: string[];
}

export function checkCertsFlags(input: {zoneId?: string; waitMinutes: number; pollSeconds: number}): void {
  if (input.zoneId !== undefined && !ZONE_ID_RE.test(input.zoneId)) {
    throw usageError(`--zone '${input.zoneId}' is not a Cloudflare zone id.`, "A zone id is 32 hexadecimal characters: the zone's Overview page in the Cloudflare dashboard shows it.");
  }
  if (!Number.isInteger(input.waitMinutes) || input.waitMinutes < 0 || input.waitMinutes > 24 * 60) throw usageError('--wait-minutes must be a whole number from 0 to 1440.', 'ACM validates within minutes once the records resolve; 30 is the default.');
  if (!Number.isInteger(input.pollSeconds) || input.pollSeconds < 1 || input.pollSeconds > 300) throw usageError('--poll must be a whole number of seconds from 1 to 300.', 'The default is 15.');
}

const zoneOf = (input: {zoneId?: string}, env: Record<string, string | undefined>, st: AppState) => input.zoneId ?? (env.CLOUDFLARE_ZONE_ID?.trim() || undefined) ?? st.certificate?.zoneId ?? st.edge?.zoneId;

/** Waits (interruptibly, within a second) until `done` returns a value, or the deadline passes. */
async function waitUntil<T>(
  deps: CertsDeps,
  options: {deadline: number; pollMs: number; interrupted: () => boolean},
  poll: () => Promise<T | undefined>,
): Promise<{value?: T; reason?: 'timeout' | 'interrupted'}> {
  for (;;) {
    const value = await poll();
    if (value !== undefined) return {value};
    const next = deps.now() + options.pollMs;
    while (deps.now() < next) {
      if (options.interrupted()) return {reason: 'interrupted'};
      if (deps.now() >= options.deadline) return {reason: 'timeout'};
      await deps.sleep(Math.min(1000, next - deps.now()));
    }
    if (options.interrupted()) return {reason: 'interrupted'};
    if (deps.now() >= options.deadline) return {reason: 'timeout'};
  }
}

async function journaled<T>(state: StateStore, id: string, op: string, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  await state.journal({id, op, phase: 'intent', details});
  try {
    const r = await fn();
    await state.journal({id, op, phase: 'result', ok: true, details});
    return r;
  } catch (err) {
    await state.journal({id, op, phase: 'result', ok: false, details: {...details, error: err instanceof MigrateError ? err.message : 'unexpected error'}});
    throw err;
  }
}

export async function certsRequest(input: CertsRequestInput, deps: CertsDeps): Promise<CertsRequestResult> {
  checkCertsFlags(input);
  const lock = input.dryRun ? null : await deps.state.lock('certs request', {breakLock: input.breakLock});
  let interrupted = false;
  const unsubscribe = deps.interrupts.subscribe(() => {
    interrupted = true;
    deps.onProgress?.('Interrupted: stopping the wait (the certificate request and its records stay; re-run to continue).');
  });
  try {
    const plan = await deps.state.readPlan();
    const st0 = await deps.state.readState();
    const {domainName, names, warnings} = requestNames(plan.domains.certificate.domainNames);
    const region = resolveRegion(input.region, deps.env, plan.app.awsRegion);
    const acm = await deps.acm(region);
    deps.onProgress?.(`Looking for ACM certificates in ${region} covering ${names.join(', ')}`);
    const recorded = st0.certificate?.region === region ? await acm.describe(st0.certificate.arn) : null;
    const choice = chooseCertificate([...(recorded ? [recorded] : []), ...(await acm.find(names))], names, plan.app.name, new Date(deps.now()));
    const base = {action: choice.action, region, domainNames: names, warnings};

    if (choice.action === 'reuse') {
      const cert = choice.certificate;
      deps.onProgress?.(`Reusing issued certificate ${cert.arn}`);
      if (!input.dryRun) await record(deps, cert, region, zoneOf(input, deps.env, st0));
      return {...base, outcome: input.dryRun ? 'dry-run' : 'reused', arn: cert.arn, status: cert.status, records: []};
    }

    const zoneId = zoneOf(input, deps.env, st0);
    if (!zoneId) throw usageError('No Cloudflare zone given for the validation records.', 'Pass --zone ZONE_ID (or set CLOUDFLARE_ZONE_ID): the zone that holds the hostnames.');
    checkCertsFlags({...input, zoneId});
    const dns = await deps.dns();
    const zoneName = await dns.zoneName(zoneId);
    const outside = names.filter((n) => !inZone(n.replace(/^\*\./, ''), zoneName));
    if (outside.length > 0) {
      throw new MigrateError('input', `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in the Cloudflare zone ${zoneName} (${zoneId}).`, {
        hint: 'Pass --zone with the zone that holds every hostname of the plan (one certificate validates in one zone here). Nothing was changed.',
      });
    }
    // the token must reach the zone's DNS records before anything is requested (a read: a token
    // that can read but not edit them fails at the first record; a re-run resumes the request)
    await dns.list(zoneId, domainName);
    if (input.dryRun) {
      const cert = choice.action === 'resume' ? choice.certificate : null;
      const planned = cert ? validationRecords(cert, zoneName).map((r) => ({name: r.name, type: r.type, action: 'would-create' as const})) : [];
      return {...base, outcome: 'dry-run', arn: cert?.arn ?? null, status: cert?.status ?? 'NOT_REQUESTED', records: planned};
    }

    let cert: CertificateView;
    if (choice.action === 'resume') {
      cert = choice.certificate;
      deps.onProgress?.(`Resuming the pending certificate ${cert.arn}`);
    } else {
      const tags = {[APP_TAG]: plan.app.name};
      const token = idempotencyToken(plan.app.name, names);
      deps.onProgress?.(`Requesting an ACM certificate for ${names.join(', ')} (DNS validation)`);
      const arn = await journaled(deps.state, `certs-request-${token}`, 'certs-request', {names, region}, () => acm.request({domainName, names, idempotencyToken: token, tags}));
      cert = (await acm.describe(arn)) ?? {arn, status: 'PENDING_VALIDATION', type: 'AMAZON_ISSUED', domainNames: names, validation: [], tags};
    }
    await record(deps, cert, region, zoneId);

    const deadline = deps.now() + input.waitMinutes * 60_000;
    const interruptedNow = () => interrupted;
    // ACM adds the validation records a few seconds after the request
    const withRecords = await waitUntil(deps, {deadline: Math.min(deadline, deps.now() + RECORDS_WAIT_SECONDS * 1000), pollMs: 2000, interrupted: interruptedNow}, async () => {
      const view = cert.validation.length > 0 && cert.validation.every((v) => v.record) ? cert : await acm.describe(cert.arn);
      if (view && view.validation.length > 0 && view.validation.every((v) => v.record)) return view;
      return undefined;
    });
    if (!withRecords.value) {
      if (input.waitMinutes > 0 && withRecords.reason === 'timeout') warnings.push(`ACM had not published the validation records of ${cert.arn} after ${RECORDS_WAIT_SECONDS} s.`);
      return {...base, outcome: 'pending', arn: cert.arn, status: cert.status, records: [], reason: withRecords.reason ?? 'timeout'};
    }
    cert = withRecords.value;
    const records = await ensureRecords(deps, dns, zoneId, validationRecords(cert, zoneName), cert);

    if (cert.status !== 'ISSUED') deps.onProgress?.(`Waiting for ACM to validate ${cert.arn} (up to ${input.waitMinutes} min; usually a few minutes)`);
    let last = {validated: -1, at: 0};
    const t0 = deps.now();
    const issued = await waitUntil(deps, {deadline, pollMs: input.pollSeconds * 1000, interrupted: interruptedNow}, async () => {
      const view = await acm.describe(cert.arn);
      if (!view) throw new MigrateError('not-found', `Certificate ${cert.arn} disappeared from ACM while it was validating.`, {hint: 'Someone deleted it: re-run `migrate certs request` to request a new one.'});
      cert = view;
      if (FAILED_STATUSES.includes(view.status)) {
        throw new MigrateError('aws', `ACM ended the certificate ${view.arn} as ${view.status}${view.failureReason ? ` (${view.failureReason})` : ''}.`, {
          hint: 'Check that the zone is the one the hostnames are delegated to and that no CAA record forbids amazon.com; then re-run `migrate certs request` (it requests a new certificate).',
        });
      }
      if (view.status === 'ISSUED') return view;
      const p = validationProgress(view);
      if (p.validated !== last.validated || deps.now() - last.at >= 60_000) {
        deps.onProgress?.(`ACM: ${p.validated}/${p.total} names validated after ${Math.round((deps.now() - t0) / 1000)} s`);
        last = {validated: p.validated, at: deps.now()};
      }
      return undefined;
    });
    await record(deps, cert, region, zoneId);
    if (!issued.value) {
      return {...base, outcome: 'pending', arn: cert.arn, status: cert.status, records, reason: issued.reason ?? 'timeout'};
    }
    return {...base, outcome: 'issued', arn: cert.arn, status: cert.status, records};
  } finally {
    unsubscribe();
    await lock?.release();
  }
}

/** Puts each validation record in the zone unless it is there; records what it created in the state at once. */
async function ensureRecords(
  deps: CertsDeps,
  dns: DnsZoneRecords,
  zoneId: string,
  wanted: ReturnType<typeof validationRecords>,
  cert: CertificateView,
): Promise<CertsRequestResult['records']> {
  const out: CertsRequestResult['records'] = [];
  for (const r of wanted) {
    const ours = (await deps.state.readState()).certificate?.records ?? [];
    const existing = await dns.list(zoneId, r.name);
    const same = existing.find((e) => e.type === r.type && sameContent(e.content, r.content));
    if (same) {
      const created = ours.some((o) => o.id === same.id && o.created);
      await addRecord(deps, {id: same.id, name: r.name, type: r.type, content: r.content, created});
      out.push({name: r.name, type: r.type, action: created ? 'present' : 'adopted'});
      continue;
    }
    if (existing.length > 0) {
      throw new MigrateError('conflict', `Zone ${zoneId} already has ${existing.map((e) => `a ${e.type} record`).join(' and ')} named ${r.name} with other content; the certificate needs a CNAME to ${r.content} there.`, {
        hint: 'That is probably the validation record of an older request: delete it in the Cloudflare dashboard (DNS > Records) if nothing uses it, then re-run.',
      });
    }
    deps.onProgress?.(`Adding the validation record ${r.name} (DNS only) to the Cloudflare zone`);
    const made = await journaled(deps.state, `certs-dns-${r.name}`, 'certs-dns-record', {zone: zoneId, name: r.name, type: r.type, certificate: cert.arn}, () =>
      dns.create(zoneId, {name: r.name, type: r.type, content: r.content, comment: `heroku2aws: ACM validation for ${r.domainNames.join(', ')}`}),
    );
    await addRecord(deps, {id: made.id, name: r.name, type: r.type, content: r.content, created: true});
    out.push({name: r.name, type: r.type, action: 'created'});
  }
  return out;
}

async function addRecord(deps: CertsDeps, ref: DnsRecordRef): Promise<void> {
  const st = await deps.state.readState();
  if (!st.certificate) return;
  const records = [...st.certificate.records.filter((x) => x.id !== ref.id), ref];
  await deps.state.writeState({...st, certificate: {...st.certificate, records}});
}

/** Records the certificate in the state, keeping the records already known. */
async function record(deps: CertsDeps, cert: CertificateView, region: string, zoneId: string | undefined): Promise<void> {
  const st = await deps.state.readState();
  const records = st.certificate ? st.certificate.records : [];
  await deps.state.writeState({
    ...st,
    certificate: {
      arn: cert.arn,
      region,
      domainNames: cert.domainNames,
      status: cert.status,
      ...(zoneId ?? st.certificate?.zoneId ? {zoneId: zoneId ?? st.certificate?.zoneId} : {}),
      records,
      updatedAt: new Date(deps.now()).toISOString(),
    },
  });
}

export interface CertsCleanupResult {
  removed: string[];
  kept: Array<{name: string; why: string}>;
  warnings: string[];
}

/** Removes the validation records this tool created (and only those), after the caller confirmed. */
export async function certsCleanup(
  input: {app: string; breakLock?: boolean},
  deps: Pick<CertsDeps, 'state' | 'dns' | 'onProgress'> & {confirm: (summary: string) => Promise<void>},
): Promise<CertsCleanupResult> {
  const lock = await deps.state.lock('certs request --cleanup', {breakLock: input.breakLock});
  try {
    const st = await deps.state.readState();
    const cert = st.certificate;
    const ours = cert?.records.filter((r) => r.created) ?? [];
    if (!cert || ours.length === 0) return {removed: [], kept: [], warnings: ['No validation record created by heroku2aws is recorded: nothing to remove.']};
    if (!cert.zoneId) throw new MigrateError('schema', 'The state lists validation records without their zone.', {hint: 'Remove them in the Cloudflare dashboard (DNS > Records).'});
    await deps.confirm(`Remove ${ours.length} validation record(s) from Cloudflare zone ${cert.zoneId} (ACM cannot renew ${cert.arn} without them)`);
    const dns = await deps.dns();
    const removed: string[] = [];
    const kept: CertsCleanupResult['kept'] = [];
    for (const r of ours) {
      const live = await dns.get(cert.zoneId, r.id);
      if (live && (live.name.toLowerCase() !== r.name || !sameContent(live.content, r.content))) {
        kept.push({name: r.name, why: `record ${r.id} was changed since heroku2aws created it`});
        continue;
      }
      if (live) {
        deps.onProgress?.(`Removing ${r.name}`);
        await journaled(deps.state, `certs-dns-delete-${r.id}`, 'certs-dns-delete', {zone: cert.zoneId, name: r.name, id: r.id}, () => dns.delete(cert.zoneId!, r.id));
      }
      removed.push(r.name);
      const now = await deps.state.readState();
      if (now.certificate) await deps.state.writeState({...now, certificate: {...now.certificate, records: now.certificate.records.filter((x) => x.id !== r.id)}});
    }
    const warnings = cert.status === 'ISSUED' ? [`ACM renews ${cert.arn} only while its validation records resolve: it will not renew now. Re-run \`migrate certs request\` to put them back.`] : [];
    return {removed, kept, warnings};
  } finally {
    await lock.release();
  }
}
