/** An in-memory SecretStore with AWS's staging semantics, for workflow unit tests (faults injectable). */
import type {SecretDescription, SecretStore} from '../../src/ports/secrets.ts';

interface Version {
  value: string;
  stages: Set<string>;
}
interface Secret {
  arn: string;
  tags: Record<string, string>;
  versions: Map<string, Version>;
  deletedDate?: Date;
}

export function memorySecretStore(hooks: {corruptReadOf?: (versionId: string) => boolean; failOn?: string} = {}) {
  const secrets = new Map<string, Secret>();
  let requests = 0;
  const find = (id: string) => secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
  const must = (id: string) => {
    const s = find(id);
    if (!s) throw Object.assign(new Error('not found'), {name: 'ResourceNotFoundException'});
    return s;
  };
  const tick = (op: string) => {
    requests++;
    if (hooks.failOn === op) throw new Error(`injected failure in ${op}`);
  };
  const store: SecretStore & {secrets: Map<string, Secret>} = {
    secrets,
    async describe(name) {
      tick('describe');
      const s = find(name);
      if (!s) return null;
      const d: SecretDescription = {arn: s.arn, name, tags: {...s.tags}, versions: Object.fromEntries([...s.versions].map(([id, v]) => [id, [...v.stages]]))};
      if (s.deletedDate) d.deletedDate = s.deletedDate;
      return d;
    },
    async getValue(id, versionId) {
      tick('getValue');
      const s = find(id);
      if (!s) return null;
      const entry = versionId ? [versionId, s.versions.get(versionId)] : [...s.versions].find(([, v]) => v.stages.has('AWSCURRENT'));
      const [vid, v] = (entry ?? []) as [string | undefined, Version | undefined];
      if (!vid || !v) return null;
      return {versionId: vid, value: hooks.corruptReadOf?.(vid) ? v.value.replace(/"}$/, 'X"}') : v.value};
    },
    async create(name, o) {
      tick('create');
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
      const versions = new Map<string, Version>();
      if (o.initialValue !== undefined) versions.set(`initial-${name}`, {value: o.initialValue, stages: new Set(['AWSCURRENT'])});
      secrets.set(name, {arn, tags: {...o.tags}, versions});
      return {arn};
    },
    async putVersion(id, value, token, stage) {
      tick('putVersion');
      const s = must(id);
      if (s.versions.has(token)) return {versionId: token};
      for (const v of s.versions.values()) v.stages.delete(stage);
      const stages = new Set([stage]);
      if (s.versions.size === 0) stages.add('AWSCURRENT'); // AWS: the first version is current at once
      s.versions.set(token, {value, stages});
      return {versionId: token};
    },
    async promote(id, versionId, previous) {
      tick('promote');
      const s = must(id);
      const holder = [...s.versions].find(([, v]) => v.stages.has('AWSCURRENT'))?.[0];
      if (holder && holder !== previous && holder !== versionId) throw new Error('RemoveFromVersionId must name the current version');
      for (const v of s.versions.values()) v.stages.delete('AWSPREVIOUS');
      if (holder && holder !== versionId) {
        s.versions.get(holder)!.stages.delete('AWSCURRENT');
        s.versions.get(holder)!.stages.add('AWSPREVIOUS');
      }
      s.versions.get(versionId)!.stages.add('AWSCURRENT');
    },
    async removeStage(id, stage, versionId) {
      tick('removeStage');
      const v = must(id).versions.get(versionId);
      if (!v?.stages.has(stage)) throw new Error(`stage ${stage} not on ${versionId}`);
      v.stages.delete(stage);
    },
    async tag(id, tags) {
      tick('tag');
      Object.assign(must(id).tags, tags);
    },
    async forceDelete(id) {
      tick('forceDelete');
      secrets.delete([...secrets].find(([n, s]) => n === id || s.arn === id)?.[0] ?? '');
    },
    stats: () => ({requests}),
  };
  return store;
}
