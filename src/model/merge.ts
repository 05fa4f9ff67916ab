import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../errors.js';
import { isSharedResource } from './arn.js';
import { emptySnapshot } from './empty.js';
import { normalizeSnapshot } from './load.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type Organization, type Snapshot } from './types.js';

/**
 * Combines snapshots of shards (disjoint accounts, or regions) into one. The same ARN in two inputs
 * is kept once if both say the same, and refused otherwise: two different truths about one
 * resource mean the inputs are not shards of one collection.
 */
export function mergeSnapshots(inputs: ReadonlyArray<{ file: string; snapshot: Snapshot }>): Snapshot {
  const first = inputs[0];
  if (!first) throw new UserError('merge: give at least one snapshot file');
  for (const { file, snapshot } of inputs) {
    if (snapshot.scope.partition !== first.snapshot.scope.partition) {
      throw new UserError(`${file}: partition ${snapshot.scope.partition} differs from ${first.file}'s ${first.snapshot.scope.partition}`);
    }
  }
  const merged = emptySnapshot({
    // The newest: shards run side by side, and age-based rules should see the current estate.
    generatedAt: inputs.map((i) => i.snapshot.generatedAt).sort().at(-1) ?? first.snapshot.generatedAt,
    source: {
      kind: inputs.every((i) => i.snapshot.source.kind === first.snapshot.source.kind) ? first.snapshot.source.kind : 'file',
      ...(first.snapshot.source.tool ? { tool: first.snapshot.source.tool } : {}),
      description: `merged from ${inputs.length} snapshot(s): ${inputs.map((i) => i.file).join(', ')}`,
    },
    scope: {
      partition: first.snapshot.scope.partition,
      accounts: [...new Set(inputs.flatMap((i) => i.snapshot.scope.accounts))].sort(),
      regions: [...new Set(inputs.flatMap((i) => i.snapshot.scope.regions))].sort(),
    },
  });
  const orgs = mergeOrganizations(inputs.flatMap((i) => i.snapshot.organizations ?? []));
  if (orgs.length > 0) merged.organizations = orgs;
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    const seen = new Map<string, { file: string; resource: unknown }>();
    const out: unknown[] = [];
    for (const { file, snapshot } of inputs) {
      for (const resource of snapshot[collection]) {
        const prior = seen.get(resource.arn);
        if (!prior) {
          seen.set(resource.arn, { file, resource });
          out.push(resource);
        } else if (kind === 'iamPolicy' && isSharedResource(resource)) {
          // An AWS managed policy is listed by every account attaching it, under one ARN, filed under
          // the account that listed it: each shard has the copy of its first account. One collection
          // of every account keeps the first account's copy, and so does this.
          const p = prior.resource as { account: string };
          if (resource.account < p.account) {
            out[out.indexOf(prior.resource)] = resource;
            seen.set(resource.arn, { file, resource });
          }
        } else if (!isDeepStrictEqual(prior.resource, resource)) {
          throw new UserError(`${file}: ${resource.arn} differs from the same resource in ${prior.file}; merge takes shards of one collection`);
        }
      }
    }
    (merged as unknown as Record<string, unknown[]>)[collection] = out;
  }
  const gaps = new Map(inputs.flatMap((i) => i.snapshot.coverage).map((g) => [JSON.stringify(g), g]));
  merged.coverage = [...gaps.values()];
  return normalizeSnapshot(merged);
}

function mergeOrganizations(orgs: Organization[]): Organization[] {
  const byId = new Map<string, Organization>();
  for (const o of orgs) {
    const prior = byId.get(o.id);
    byId.set(o.id, {
      id: o.id,
      ...((prior?.managementAccount ?? o.managementAccount) ? { managementAccount: prior?.managementAccount ?? o.managementAccount } : {}),
      accounts: [...new Set([...(prior?.accounts ?? []), ...o.accounts])].sort(),
    });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}
