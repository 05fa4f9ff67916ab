import type { AnyResource, CoverageGap, Snapshot } from '../model/types.js';
import type { SnapshotIndex } from './types.js';

/** Lookups the cross-resource helpers need, built once per scan. */
export function buildIndex(snapshot: Snapshot): SnapshotIndex {
  const vpcEndpointsByVpc = new Map<string, AnyResource[]>();
  for (const e of snapshot.vpcEndpoints) {
    const key = `${e.account}|${e.region}|${e.vpcId}`;
    const list = vpcEndpointsByVpc.get(key);
    if (list) list.push(e);
    else vpcEndpointsByVpc.set(key, [e]);
  }
  const missingListings = new Map<string, CoverageGap>();
  for (const gap of snapshot.coverage) {
    if (gap.field !== undefined) continue;
    for (const kind of gap.resourceKinds) {
      const key = `${gap.account}|${gap.region}|${kind}`;
      if (!missingListings.has(key)) missingListings.set(key, gap);
    }
  }
  const accounts = new Set(snapshot.scope.accounts);
  const regions = new Set(snapshot.scope.regions);
  const organizationMembers = snapshot.organizations
    ? new Map(snapshot.organizations.map((o) => [o.id, new Set(o.accounts)]))
    : undefined;
  return {
    vpcEndpointsByVpc,
    missingListings,
    inScope: (account, region) => accounts.has(account) && (region === 'global' || regions.has(region)),
    organizationMembers,
  };
}
