import type { IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, CONNECTION_PREFIXES, type CatalogAction, type ConnectionPrefix } from './catalog.js';
import { answer, maxReach, type Answer, type Reach, type ResourceSet } from './evaluate.js';
import { compilePolicy, PolicyError } from './policy.js';
import { policiesOf, type PrincipalPolicies } from './principals.js';
import type { RequestFacts } from './request.js';
import type { CharRun } from './wildcard.js';

export type ResourceType = 'connection' | 'host';

// Two ids of each kind that share no character where an id may vary: a pattern matching both
// matches every id of that shape (connection ids are UUIDs; host ids are NAME-xxxxxxxx).
const PROBES: Record<ResourceType, [string, string]> = {
  connection: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  host: ['a-00000000', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-ffffffff'],
};

// Two region names with no character in common (but the dash): only a pattern whose region part
// is a wildcard matches both.
const REGION_PROBES = ['aa-aaaa-1', 'zz-zzzz-9'];

const REGION_CHARS: CharRun = { run: (c) => /[a-z0-9-]/.test(c) };
const ID_CHARS: CharRun = { run: (c) => /[A-Za-z0-9_.-]/.test(c) };

/** Every connection (or host) of one prefix and account, in one region or (`*`) in every region. */
export function everyResource(type: ResourceType, prefix: ConnectionPrefix, partition: string, region: string, account: string): ResourceSet {
  const regions = region === '*' ? REGION_PROBES : [region];
  return {
    describe: region === '*' ? `every ${type} in every region` : `every ${type} in ${region}`,
    glob: `arn:${partition}:${prefix}:${region}:${account}:${type}/*`,
    shape: [...`arn:${partition}:${prefix}:`, ...(region === '*' ? [REGION_CHARS] : [...region]), ...`:${account}:${type}/`, ID_CHARS],
    probes: regions.flatMap((r) => PROBES[type].map((id) => `arn:${partition}:${prefix}:${r}:${account}:${type}/${id}`)),
  };
}

/** One named resource. */
export function oneResource(arn: string): ResourceSet {
  return { describe: arn, glob: arn, shape: [...arn], probes: [arn] };
}

export function factsFor(principal: IamUser | IamRole, action: CatalogAction, resource: RequestFacts['resource']): RequestFacts {
  return {
    action,
    principal: { arn: principal.arn, account: principal.account, kind: 'groups' in principal ? 'user' : 'role', name: principal.name, tags: principal.tags },
    resource,
  };
}

export interface BroadAnswer extends Answer {
  action: CatalogAction;
  type: ResourceType;
  region: string;
  resources: ResourceSet;
}

/**
 * May the principal do `action` on every resource of the type in its own account? Asked for
 * every region at once, then per region (the snapshot's regions, its connections' regions, and
 * any region a policy names: a grant on `…:eu-west-1:…:connection/*` reaches every connection
 * there). The broadest answer wins; among equals, the one about every region.
 */
export function broadAnswer(principal: IamUser | IamRole, policies: PrincipalPolicies, snapshot: Snapshot, action: CatalogAction, type: ResourceType): BroadAnswer {
  const regions = ['*', ...regionsToAsk(principal, policies, snapshot, action)];
  let best: BroadAnswer | undefined;
  for (const region of regions) {
    const resources = everyResource(type, action.prefix, snapshot.scope.partition, region, principal.account);
    const a = answer(policies.identity, policies.boundary, factsFor(principal, action, { account: principal.account }), resources);
    if (!best || maxReach(best.reach, a.reach) !== best.reach) best = { ...a, action, type, region, resources };
  }
  return best as BroadAnswer;
}

function regionsToAsk(principal: IamUser | IamRole, policies: PrincipalPolicies, snapshot: Snapshot, action: CatalogAction): string[] {
  const regions = new Set(snapshot.scope.regions);
  for (const c of snapshot.connections) if (c.account === principal.account) regions.add(c.region);
  const index = catalog().actions.indexOf(action);
  for (const source of [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])]) {
    if (!source.document) continue;
    let statements;
    try {
      statements = compilePolicy(source.document).statements;
    } catch (err) {
      if (err instanceof PolicyError) continue;
      throw err;
    }
    for (const st of statements) {
      if (!st.connectionActions.has(index)) continue;
      for (const r of st.resources) {
        const region = r.split(':')[3];
        if (region && !/[*?$]/.test(region)) regions.add(region);
      }
    }
  }
  if (regions.size === 0) regions.add('us-east-1');
  return [...regions].sort();
}

/** The catalogue actions a rule asks about, under both prefixes, with the resource types they act on. */
export function questionsFor(shortNames: readonly string[]): Array<{ action: CatalogAction; type: ResourceType }> {
  const out: Array<{ action: CatalogAction; type: ResourceType }> = [];
  for (const prefix of CONNECTION_PREFIXES) {
    for (const short of shortNames) {
      const action = catalog().byName.get(`${prefix}:${short}`.toLowerCase());
      if (!action) throw new Error(`${prefix}:${short} is not in the IAM action catalogue`);
      for (const type of ['connection', 'host'] as const) if (action.resourceTypes.includes(type)) out.push({ action, type });
    }
  }
  return out;
}

/**
 * Actions that delete or re-point connections and hosts, or re-tag them (tags are what scoped
 * grants often rely on): the catalogue's Write and Tagging actions on connections or hosts,
 * except Create*, which makes new resources rather than changing existing ones.
 */
export function adminActions(): string[] {
  const names = new Set<string>();
  for (const a of catalog().actions) {
    if (!/Write|Tagging/.test(a.accessLevel) || a.short.startsWith('Create')) continue;
    if (a.resourceTypes.includes('connection') || a.resourceTypes.includes('host')) names.add(a.short);
  }
  return [...names].sort();
}

export { policiesOf };
export type { Reach };
