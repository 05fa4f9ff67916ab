// The principal and snapshot the IAM semantics suites build: a role (or, with groups or user:
// true, a user) with inline, attached, boundary and group policies.
import { emptySnapshot } from '../../src/model/empty.js';
import type { IamGroup, IamPolicy, IamRole, IamUser, PolicyDocument, PolicyStatement, Snapshot } from '../../src/model/types.js';
import { broadAnswer, type BroadAnswer, type ResourceType } from '../../src/iam/questions.js';
import { policiesOf } from '../../src/iam/principals.js';
import { catalog } from '../../src/iam/catalog.js';
import type { Reach } from '../../src/iam/evaluate.js';

export const ACCOUNT = '111122223333';

export interface Setup {
  /** Inline statements of the principal. */
  inline?: PolicyStatement[];
  /** Managed policies attached to the principal: documents (made into policies), or ARNs left out of the snapshot. */
  attached?: Array<PolicyStatement[] | string>;
  boundary?: PolicyStatement[] | string;
  /** Make the principal a user in groups with these inline statements (or a missing group name). */
  groups?: Array<PolicyStatement[] | string>;
  tags?: Record<string, string>;
  /** Make the principal a user (without groups). */
  user?: boolean;
  /** The documents' Version element; null: none. */
  version?: string | null;
  /** Inline documents as written, for documents the model's types do not allow. */
  rawInline?: unknown[];
  /** The snapshot's time. */
  generatedAt?: string;
}

export function build(setup: Setup): { snapshot: Snapshot; principal: IamUser | IamRole } {
  const version = setup.version === undefined ? '2012-10-17' : setup.version;
  const doc = (statements: PolicyStatement[]): PolicyDocument => ({ ...(version !== null ? { Version: version as PolicyDocument['Version'] } : {}), Statement: statements });
  const policies: IamPolicy[] = [];
  const managedArn = (s: PolicyStatement[] | string, i: number, what: string): string => {
    if (typeof s === 'string') return s;
    const arn = `arn:aws:iam::${ACCOUNT}:policy/${what}${i}`;
    policies.push({ arn, account: ACCOUNT, region: 'global', tags: {}, name: `${what}${i}`, defaultVersionId: 'v1', document: doc(s) });
    return arn;
  };
  const base = { account: ACCOUNT, region: 'global', tags: setup.tags ?? {} };
  const inlinePolicies = [
    ...(setup.inline ? [{ name: 'inline', document: doc(setup.inline) }] : []),
    // Deliberately unchecked: these documents break the model's types on purpose.
    ...(setup.rawInline ?? []).map((d, i) => ({ name: `raw${i}`, document: d as PolicyDocument })),
  ];
  const attachedPolicies = (setup.attached ?? []).map((s, i) => managedArn(s, i, 'Attached'));
  const boundary = setup.boundary !== undefined ? { permissionsBoundary: managedArn(setup.boundary, 0, 'Boundary') } : {};
  const groups: IamGroup[] = [];
  let principal: IamUser | IamRole;
  if (setup.groups || setup.user) {
    const names = (setup.groups ?? []).map((g, i) => {
      if (typeof g === 'string') return g;
      const name = `group${i}`;
      groups.push({ ...base, tags: {}, arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, name, inlinePolicies: [{ name: 'group-inline', document: doc(g) }], attachedPolicies: [] });
      return name;
    });
    principal = { ...base, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, name: 'ci', inlinePolicies, attachedPolicies, groups: names, ...boundary };
  } else {
    principal = { ...base, arn: `arn:aws:iam::${ACCOUNT}:role/ci`, name: 'ci', inlinePolicies, attachedPolicies, assumeRolePolicy: doc([]), ...boundary };
  }
  const snapshot = emptySnapshot({
    generatedAt: setup.generatedAt ?? '2026-01-15T00:00:00Z',
    source: { kind: 'file' },
    scope: { partition: 'aws', accounts: [ACCOUNT], regions: ['us-east-1'] },
    iamPolicies: policies,
    iamGroups: groups,
    ...('groups' in principal ? { iamUsers: [principal] } : { iamRoles: [principal as IamRole] }),
  });
  return { snapshot, principal };
}

export function answerFor(setup: Setup, action: string, type: ResourceType = 'connection'): BroadAnswer {
  const { snapshot, principal } = build(setup);
  const a = catalog().byName.get(action.toLowerCase());
  if (!a) throw new Error(`no such action ${action}`);
  return broadAnswer(principal, policiesOf(principal, snapshot), snapshot, a, type);
}

export function reach(setup: Setup, action: string, type: ResourceType = 'connection'): { reach: Reach; reasons: string[] } {
  const answer = answerFor(setup, action, type);
  return { reach: answer.reach, reasons: answer.reasons };
}

export const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: PolicyStatement['Condition']): PolicyStatement => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
export const deny = (Action: string | string[], Resource: string | string[] = '*', Condition?: PolicyStatement['Condition']): PolicyStatement => ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });

