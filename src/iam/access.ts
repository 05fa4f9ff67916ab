import type { IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, type ConnectionPrefix } from './catalog.js';
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
export function whoCanUse(snapshot: Snapshot, connectionArn: string): AccessReport {
  const parsed = parseConnectionArn(connectionArn);
  if (!parsed) throw new Error(`not a connection ARN: ${connectionArn}`);
  const connection = snapshot.connections.find((c) => c.arn === connectionArn);
  const tagsKnown = connection !== undefined && !connection.unreadable?.some((u) => u.field === 'tags');
  const resource = { account: parsed.account, ...(tagsKnown && connection ? { tags: connection.tags } : {}) };
  const set = oneResource(connectionArn);
  const actions = ACCESS_ACTIONS.map((short) => catalog().byName.get(`${parsed.prefix}:${short}`.toLowerCase())).filter((a) => a !== undefined);
  const principals: Array<IamUser | IamRole> = [...snapshot.iamUsers, ...snapshot.iamRoles].filter((p) => p.account === parsed.account).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const entries: AccessEntry[] = [];
  for (const principal of principals) {
    const unread = principal.unreadable?.filter((u) => ['inlinePolicies', 'attachedPolicies', 'permissionsBoundary', 'groups'].includes(u.field)) ?? [];
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
  return { connection: connectionArn, inSnapshot: connection !== undefined, tagsKnown, principalsEvaluated: principals.length, principals: entries, gaps };
}

