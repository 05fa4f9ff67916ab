import { parseArn } from '../model/arn.js';
import type { IamRole, Snapshot } from '../model/types.js';

/**
 * The role a pipeline or build project names, in the snapshot: found, or why not. CodeBuild
 * accepts a role name as well as an ARN (a template may write either); pipelines name ARNs.
 */
export type RoleLookup =
  | { state: 'found'; role: IamRole }
  /** The roles of that account could not be read, or the account is outside the snapshot. */
  | { state: 'not-read'; reason: string }
  /** The roles of that account were read and there is no such role. */
  | { state: 'absent'; reason: string }
  /** Nothing that names a role (empty, a `#{…}` variable, another kind of ARN). */
  | { state: 'unresolved'; reason: string };

interface RoleIndex {
  byArn: Map<string, IamRole>;
  byName: Map<string, IamRole>;
  unread: Map<string, string>;
  accounts: Set<string>;
}

const indexes = new WeakMap<Snapshot, RoleIndex>();

function roleIndex(snapshot: Snapshot): RoleIndex {
  let index = indexes.get(snapshot);
  if (!index) {
    const unread = new Map<string, string>();
    for (const g of snapshot.coverage) {
      if (g.field === undefined && g.resourceKinds.includes('iamRole') && !unread.has(g.account)) unread.set(g.account, `${g.service}:${g.operation} failed in ${g.account} (${g.errorCode})`);
    }
    index = {
      byArn: new Map(snapshot.iamRoles.map((r) => [r.arn, r])),
      byName: new Map(snapshot.iamRoles.map((r) => [`${r.account}|${r.name}`, r])),
      unread,
      accounts: new Set(snapshot.scope.accounts),
    };
    indexes.set(snapshot, index);
  }
  return index;
}

/** `roleRef`: a role ARN, or (CodeBuild) a role name in `account`. */
export function lookupRole(snapshot: Snapshot, roleRef: string | undefined, account: string): RoleLookup {
  if (roleRef === undefined || roleRef.trim() === '') return { state: 'unresolved', reason: 'no role is named' };
  if (roleRef.includes('#{')) return { state: 'unresolved', reason: `the role ${roleRef} is a variable resolved at run time` };
  const index = roleIndex(snapshot);
  const byArn = index.byArn.get(roleRef);
  if (byArn) return { state: 'found', role: byArn };
  let roleAccount = account;
  let name = roleRef;
  if (roleRef.startsWith('arn:')) {
    const p = parseArn(roleRef);
    if (!p || p.service !== 'iam' || !p.resource.startsWith('role/')) return { state: 'unresolved', reason: `${roleRef} is not a role ARN` };
    roleAccount = p.account;
    // The name is the last part of the path (role/service-role/NAME).
    name = p.resource.slice(p.resource.lastIndexOf('/') + 1);
  }
  const byName = index.byName.get(`${roleAccount}|${name}`);
  if (byName) return { state: 'found', role: byName };
  if (!index.accounts.has(roleAccount)) return { state: 'not-read', reason: `the role ${roleRef} is in account ${roleAccount}, outside the snapshot` };
  const gap = index.unread.get(roleAccount);
  if (gap !== undefined) return { state: 'not-read', reason: `the roles of ${roleAccount} were not read (${gap})` };
  return { state: 'absent', reason: `the role ${roleRef} is not in the snapshot (its account's roles were read)` };
}
