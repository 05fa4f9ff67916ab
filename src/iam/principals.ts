import type { IamGroup, IamPolicy, IamRole, IamUser, Snapshot } from '../model/types.js';
import type { PolicySource } from './evaluate.js';
import { compilePolicy, PolicyError } from './policy.js';
import { pushAll } from '../arrays.js';

/** The policies one user or role is subject to, gathered from the snapshot. */
export interface PrincipalPolicies {
  identity: PolicySource[];
  boundary?: PolicySource;
  /**
   * Catalogue actions some identity policy has a statement about, or 'all' when a policy cannot
   * be read (it might). An action outside it is not allowed: no question about it needs asking.
   */
  mentions: ReadonlySet<number> | 'all';
}

interface IamIndex {
  policies: Map<string, IamPolicy>;
  /** Managed policy sources by `arn|via|boundary`: shared by every principal they are attached to. */
  sources: Map<string, PolicySource>;
  /** Each principal's policies, gathered once for every rule that asks. */
  gathered: WeakMap<IamUser | IamRole, PrincipalPolicies>;
  /** `account|name` → group (users name their groups, not their ARNs). */
  groups: Map<string, IamGroup>;
}

const indexes = new WeakMap<Snapshot, IamIndex>();

function iamIndex(snapshot: Snapshot): IamIndex {
  let index = indexes.get(snapshot);
  if (!index) {
    index = {
      policies: new Map(snapshot.iamPolicies.map((p) => [p.arn, p])),
      sources: new Map(),
      gathered: new WeakMap(),
      groups: new Map(snapshot.iamGroups.map((g) => [`${g.account}|${g.name}`, g])),
    };
    indexes.set(snapshot, index);
  }
  return index;
}

function managed(index: IamIndex, arn: string, via: string | undefined, boundary: boolean): PolicySource {
  const key = `${arn}|${via ?? ''}|${boundary}`;
  let source = index.sources.get(key);
  if (!source) {
    source = managedSource(index, arn, via, boundary);
    index.sources.set(key, source);
  }
  return source;
}

function managedSource(index: IamIndex, arn: string, via: string | undefined, boundary: boolean): PolicySource {
  const p = index.policies.get(arn);
  const label = `${boundary ? 'permissions boundary' : 'managed policy'} ${arn}${via ? ` (via group ${via})` : ''}`;
  const base = { label, policy: arn, boundary, ...(via ? { via } : {}) };
  if (!p) return { ...base, missing: 'not in the snapshot, so its statements are unknown' };
  const unread = p.unreadable?.find((u) => u.field === 'document');
  if (unread) return { ...base, missing: `document not readable (${unread.operation}: ${unread.errorCode})` };
  return { ...base, document: p.document };
}

function inline(principal: IamUser | IamGroup | IamRole, via: string | undefined): PolicySource[] {
  return principal.inlinePolicies.map((p) => ({
    label: `inline policy ${p.name}${via ? ` of group ${via}` : ''}`,
    policy: p.name,
    boundary: false,
    ...(via ? { via } : {}),
    document: p.document,
  }));
}

/** Users: their own policies and their groups'; roles: their own. Both: the boundary. */
export function policiesOf(principal: IamUser | IamRole, snapshot: Snapshot): PrincipalPolicies {
  const index = iamIndex(snapshot);
  let out = index.gathered.get(principal);
  if (!out) {
    out = gather(principal, index);
    index.gathered.set(principal, out);
  }
  return out;
}

function gather(principal: IamUser | IamRole, index: IamIndex): PrincipalPolicies {
  const identity: PolicySource[] = [...inline(principal, undefined), ...principal.attachedPolicies.map((arn) => managed(index, arn, undefined, false))];
  if ('groups' in principal) {
    for (const name of principal.groups) {
      const group = index.groups.get(`${principal.account}|${name}`);
      if (!group) {
        identity.push({ label: `group ${name}`, policy: name, via: name, boundary: false, missing: 'the group is not in the snapshot, so its policies are unknown' });
        continue;
      }
      const unread = group.unreadable?.find((u) => u.field === 'inlinePolicies' || u.field === 'attachedPolicies');
      if (unread) identity.push({ label: `group ${name}`, policy: name, via: name, boundary: false, missing: `its ${unread.field} could not be read (${unread.operation}: ${unread.errorCode})` });
      pushAll(pushAll(identity, inline(group, group.arn)), group.attachedPolicies.map((arn) => managed(index, arn, group.arn, false)));
    }
  }
  return {
    identity,
    ...(principal.permissionsBoundary ? { boundary: managed(index, principal.permissionsBoundary, undefined, true) } : {}),
    mentions: mentioned(identity),
  };
}

function mentioned(identity: readonly PolicySource[]): ReadonlySet<number> | 'all' {
  const out = new Set<number>();
  for (const source of identity) {
    if (!source.document) return 'all';
    let compiled;
    try {
      compiled = compilePolicy(source.document);
    } catch (err) {
      if (err instanceof PolicyError) return 'all';
      throw err;
    }
    compiled.byAction.forEach((statements, i) => {
      if (statements.length > 0) out.add(i);
    });
  }
  return out;
}
