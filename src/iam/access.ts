import type { IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, type CatalogAction, type ConnectionPrefix } from './catalog.js';
import { answer, type Path, type Reach } from './evaluate.js';
import { policiesOf } from './principals.js';
import { factsFor, oneResource, snapshotTime } from './questions.js';

/** The actions `linkaudit access` reports, per connection. */
export const ACCESS_ACTIONS = ['UseConnection', 'GetConnectionToken', 'PassConnection'] as const;

export interface AccessGrant {
  action: string;
  reach: Exclude<Reach, 'none'>;
  /** The statements that allow it (at that reach), and the denies or boundary that limit it. */
  through: Path[];
  limits: Path[];
  reasons: string[];
}

export interface AccessEntry {
  principal: string;
  kind: 'iamUser' | 'iamRole';
  grants: AccessGrant[];
}

export interface AccessReport {
  connection: string;
  /** Whether the connection is in the snapshot (its tags then decide aws:ResourceTag conditions). */
  inSnapshot: boolean;
  tagsKnown: boolean;
  principalsEvaluated: number;
  principals: AccessEntry[];
  /** IAM listings or fields of the connection's account that could not be read. */
  gaps: string[];
}

const CONNECTION_ARN = /^arn:(aws[a-z-]*):(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection\/[A-Za-z0-9-]+$/;

export function parseConnectionArn(arn: string): { partition: string; prefix: ConnectionPrefix; region: string; account: string } | undefined {
  const m = CONNECTION_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as string, prefix: m[2] as ConnectionPrefix, region: m[3] as string, account: m[4] as string };
}

/**
 * Every user and role of the connection's account that may use, take a token from, or pass this
 * connection, with how (unconditionally, within a scope, or unknown). Principals with no access
 * are left out. Only actions of the ARN's own prefix apply to it.
 */
// A template's connection has a pre-deploy identity (`connection/iac:…`): asked about the same way.
const ANY_CONNECTION_ARN = /^arn:(aws[a-z-]*):(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection\/.+$/;

interface AccountPrincipals {
  all: Array<IamUser | IamRole>;
  /** Per prefix: those with a statement about an access action, or a field or policy that could not be read. */
  candidates: Map<string, Array<IamUser | IamRole>>;
}

// Per snapshot and account: `linkaudit graph` asks about thousands of connections of one account,
// and most principals have no statement about any connection action.
const byAccount = new WeakMap<Snapshot, Map<string, AccountPrincipals>>();

function accountPrincipals(snapshot: Snapshot, account: string): AccountPrincipals {
  let map = byAccount.get(snapshot);
  if (!map) {
    map = new Map();
    byAccount.set(snapshot, map);
  }
  let entry = map.get(account);
  if (!entry) {
    const all: Array<IamUser | IamRole> = [...snapshot.iamUsers, ...snapshot.iamRoles].filter((p) => p.account === account).sort((a, b) => (a.arn < b.arn ? -1 : 1));
    entry = { all, candidates: new Map() };
    map.set(account, entry);
  }
  return entry;
}

function candidatesFor(snapshot: Snapshot, entry: AccountPrincipals, prefix: string, actions: readonly CatalogAction[]): Array<IamUser | IamRole> {
  let list = entry.candidates.get(prefix);
  if (!list) {
    list = entry.all.filter((principal) => {
      if (principal.unreadable?.some((u) => PRINCIPAL_FIELDS.includes(u.field))) return true;
      const mentions = policiesOf(principal, snapshot).mentions;
      return mentions === 'all' || actions.some((a) => mentions.has(a.index));
    });
    entry.candidates.set(prefix, list);
  }
  return list;
}

const PRINCIPAL_FIELDS = ['inlinePolicies', 'attachedPolicies', 'permissionsBoundary', 'groups'];

export function whoCanUse(snapshot: Snapshot, connectionArn: string): AccessReport {
  const m = ANY_CONNECTION_ARN.exec(connectionArn);
  const parsed = m ? { partition: m[1] as string, prefix: m[2] as ConnectionPrefix, region: m[3] as string, account: m[4] as string } : undefined;
  if (!parsed) throw new Error(`not a connection ARN: ${connectionArn}`);
  const connection = snapshot.connections.find((c) => c.arn === connectionArn);
  const tagsKnown = connection !== undefined && !connection.unreadable?.some((u) => u.field === 'tags');
  const resource = { account: parsed.account, ...(tagsKnown && connection ? { tags: connection.tags } : {}) };
  const set = oneResource(connectionArn);
  const actions = ACCESS_ACTIONS.map((short) => catalog().byName.get(`${parsed.prefix}:${short}`.toLowerCase())).filter((a) => a !== undefined);
  const account = accountPrincipals(snapshot, parsed.account);
  const entries: AccessEntry[] = [];
  // Principals with no statement about these actions have no access: not asked.
  for (const principal of candidatesFor(snapshot, account, parsed.prefix, actions)) {
    const unread = principal.unreadable?.filter((u) => PRINCIPAL_FIELDS.includes(u.field)) ?? [];
    const policies = policiesOf(principal, snapshot);
    const grants: AccessGrant[] = [];
    for (const action of actions) {
      if (unread.length > 0) {
        grants.push({ action: action.name, reach: 'unknown', through: [], limits: [], reasons: unread.map((u) => `${u.field} not readable (${u.operation}: ${u.errorCode})`) });
        continue;
      }
      const a = answer(policies.identity, policies.boundary, factsFor(principal, action, resource, snapshotTime(snapshot)), set);
      if (a.reach === 'none') continue;
      grants.push({ action: action.name, reach: a.reach, through: a.allows, limits: a.limits, reasons: a.reasons });
    }
    if (grants.length > 0) entries.push({ principal: principal.arn, kind: 'groups' in principal ? 'iamUser' : 'iamRole', grants });
  }
  const gaps = snapshot.coverage
    .filter((g) => g.account === parsed.account && g.resourceKinds.some((k) => k.startsWith('iam')))
    .map((g) => `${g.service}:${g.operation} in ${g.account} (${g.errorCode}: ${g.message})`);
  return { connection: connectionArn, inSnapshot: connection !== undefined, tagsKnown, principalsEvaluated: account.all.length, principals: entries, gaps };
}

