// Which other accounts one account's resources lead the engine to. Evaluation account by account
// (streamed.ts) must give what one evaluation of the whole snapshot gives, and the engine looks
// across accounts only where a resource names another account's resource by ARN: a pipeline's or
// build's connection (ConnectionArn, a source's auth resource, a source credential's resource), a
// pipeline's or action's role, a build's service role, a connection's host, and (for a principal)
// the managed policies and boundary it names. Accounts so linked are evaluated together. Other
// cross-account text (trust policies, endpoint service principals, resource patterns in policies)
// is judged against the organization-wide index every evaluation shares (scope, organizations,
// coverage), never by looking the other account's resources up.
import type { Snapshot } from '../model/types.js';

/** The collections of one or more accounts: a snapshot's resources without its head. */
export type Collections = Pick<Snapshot, 'connections' | 'hosts' | 'vpcEndpoints' | 'endpointServices' | 'iamUsers' | 'iamGroups' | 'iamRoles' | 'iamPolicies' | 'pipelines' | 'buildProjects' | 'sourceCredentials'>;

const ARN_ACCOUNT = /arn:[a-z0-9-]*:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12}):/g;

function accountsIn(text: string, into: Set<string>): void {
  if (!text.includes('arn:')) return;
  for (const m of text.matchAll(ARN_ACCOUNT)) into.add(m[1] as string);
}

/** Every ARN-named account in any string below `value` (keys included: a configuration map's). */
function deep(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 64) return;
  if (typeof value === 'string') accountsIn(value, into);
  else if (Array.isArray(value)) for (const v of value) deep(v, into, depth + 1);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      accountsIn(k, into);
      deep(v, into, depth + 1);
    }
  }
}

/** The accounts other than `own` that these collections name where the engine follows a name. */
export function linkedAccounts(part: Collections, own: string): Set<string> {
  const found = new Set<string>();
  for (const list of [part.pipelines, part.buildProjects, part.sourceCredentials, part.connections, part.hosts]) for (const r of list) deep(r, found);
  for (const list of [part.iamUsers, part.iamGroups, part.iamRoles]) {
    for (const p of list) {
      for (const a of p.attachedPolicies) accountsIn(a, found);
      if ('permissionsBoundary' in p && typeof p.permissionsBoundary === 'string') accountsIn(p.permissionsBoundary, found);
    }
  }
  found.delete(own);
  return found;
}

/**
 * Accounts that must be evaluated together: the connected components of the links (through any
 * account named, collected or not: two accounts naming a third share what is said about it).
 * Each group lists its collected accounts in order; groups come in the order of their first.
 */
export function accountGroups(accounts: readonly string[], links: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const parent = new Map<string, string>();
  const find = (a: string): string => {
    let root = a;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) as string;
    let x = a;
    while (x !== root) {
      const next = parent.get(x) as string;
      parent.set(x, root);
      x = next;
    }
    if (!parent.has(root)) parent.set(root, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const a of accounts) find(a);
  for (const [a, others] of links) for (const b of others) union(a, b);
  const groups = new Map<string, string[]>();
  for (const a of [...accounts].sort()) {
    const root = find(a);
    const g = groups.get(root);
    if (g) g.push(a);
    else groups.set(root, [a]);
  }
  return [...groups.values()].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1));
}
