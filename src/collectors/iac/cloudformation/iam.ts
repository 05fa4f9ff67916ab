// AWS::IAM::Role|User|Group|ManagedPolicy|Policy|RolePolicy|UserPolicy|GroupPolicy|
// UserToGroupAddition → the model's iamRoles, iamUsers, iamGroups and iamPolicies, as
// GetAccountAuthorizationDetails would show the deployed stack (src/collectors/iam.ts): inline
// policies on the principal they are attached to, managed policies by ARN, AWS managed policies
// from the bundled copy (managed-policies.ts).
//
// Principals are joined by name, as IAM joins them: `Roles: [!Ref BuildRole]` resolves to the
// role's name (its RoleName, or the stand-in identity.ts gives a generated name), and either
// one finds the role.

import { iacArn } from '../../../model/arn.js';
import type { IamGroup, IamPolicy, IamRole, IamUser, InlinePolicy, PolicyDocument } from '../../../model/types.js';
import { awsManagedPolicy, isAwsManagedPolicyArn } from '../managed-policies.js';
import { unresolvedField } from '../types.js';
import type { MapContext } from './context.js';
import { generatedNameOf, IAM_NAME_PROPERTY, originIdOf } from './identity.js';
import { PLACEHOLDER_DOCUMENT, policyDocumentOf } from './policy-document.js';
import { Unresolved, type CfnResource, type CfnValue } from './template-types.js';
import { findUnresolved, stringOf, type FieldReader } from './values.js';

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+$/;

type PrincipalKind = 'iamRole' | 'iamUser' | 'iamGroup';
type PrincipalModel = IamRole | IamUser | IamGroup;

interface Principal {
  kind: PrincipalKind;
  model: PrincipalModel;
  reader: FieldReader;
}

const TYPE_OF: Record<PrincipalKind, string> = { iamRole: 'AWS::IAM::Role', iamUser: 'AWS::IAM::User', iamGroup: 'AWS::IAM::Group' };
const NOUN: Record<PrincipalKind, string> = { iamRole: 'role', iamUser: 'user', iamGroup: 'group' };

export interface MappedIam {
  iamRoles: IamRole[];
  iamUsers: IamUser[];
  iamGroups: IamGroup[];
  iamPolicies: IamPolicy[];
}

export function mapIam(ctx: MapContext): MappedIam {
  return new IamMapper(ctx).run();
}

class IamMapper {
  private readonly byName: Record<PrincipalKind, Map<string, Principal>> = { iamRole: new Map(), iamUser: new Map(), iamGroup: new Map() };
  private readonly principals: Principal[] = [];
  /** The template's managed policies by ARN, with how many template principals attach each. */
  private readonly policies = new Map<string, { model: IamPolicy; attached: Set<Principal> }>();
  /** AWS managed policies the template attaches that the bundle holds, once per ARN. */
  private readonly bundled = new Map<string, IamPolicy>();

  constructor(private readonly ctx: MapContext) {}

  run(): MappedIam {
    for (const r of this.ctx.of('AWS::IAM::ManagedPolicy')) this.managedPolicy(r);
    for (const kind of ['iamGroup', 'iamRole', 'iamUser'] as const) for (const r of this.ctx.of(TYPE_OF[kind])) this.principal(kind, r);
    // Users name their groups: normalized once every group is known.
    for (const p of this.principals) if (p.kind === 'iamUser') this.ownGroups(p);
    for (const r of this.ctx.of('AWS::IAM::ManagedPolicy')) this.managedPolicyAttachments(r);
    for (const r of this.ctx.of('AWS::IAM::Policy')) this.policyResource(r, { Roles: 'iamRole', Users: 'iamUser', Groups: 'iamGroup' });
    for (const r of this.ctx.of('AWS::IAM::RolePolicy')) this.policyResource(r, { RoleName: 'iamRole' });
    for (const r of this.ctx.of('AWS::IAM::UserPolicy')) this.policyResource(r, { UserName: 'iamUser' });
    for (const r of this.ctx.of('AWS::IAM::GroupPolicy')) this.policyResource(r, { GroupName: 'iamGroup' });
    for (const r of this.ctx.of('AWS::IAM::UserToGroupAddition')) this.userToGroup(r);
    for (const { model, attached } of this.policies.values()) model.attachmentCount = attached.size;
    const of = <T extends PrincipalModel>(kind: PrincipalKind): T[] => byArn(this.principals.filter((p) => p.kind === kind).map((p) => p.model as T));
    return {
      iamRoles: of<IamRole>('iamRole'),
      iamUsers: of<IamUser>('iamUser'),
      iamGroups: of<IamGroup>('iamGroup'),
      iamPolicies: byArn([...[...this.policies.values()].map((p) => p.model), ...this.bundled.values()]),
    };
  }

  private head(r: CfnResource, rd: FieldReader, kind: PrincipalKind | 'iamPolicy'): { arn: string; account: string; region: string; name: string; path: string } {
    const { stack } = this.ctx;
    const type = kind === 'iamPolicy' ? 'AWS::IAM::ManagedPolicy' : TYPE_OF[kind];
    const nameProp = IAM_NAME_PROPERTY[type] as string;
    // An unresolved name is not unreadable: no rule reads it, and the stand-in still joins `!Ref`s.
    const written = r.properties[nameProp];
    const name = typeof written === 'string' && written !== '' ? written : generatedNameOf(stack, r.logicalId);
    if (typeof written === 'string') rd.at('name', nameProp);
    return {
      arn: iacArn(kind, stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
      account: stack.account,
      region: 'global',
      name,
      path: rd.string('path', 'Path', '/'),
    };
  }

  private managedPolicy(r: CfnResource): void {
    const rd = this.ctx.reader(r);
    const { arn, account, region, name, path } = this.head(r, rd, 'iamPolicy');
    const doc = this.document(rd, r, 'document', 'PolicyDocument', `managed policy ${name}`);
    const model: IamPolicy = {
      arn,
      account,
      region,
      tags: rd.tags(),
      name,
      path,
      defaultVersionId: 'v1',
      document: doc ?? PLACEHOLDER_DOCUMENT,
      awsManaged: false,
    };
    this.policies.set(this.ctx.identity(r).ref, { model: this.ctx.add(model, rd), attached: new Set() });
  }

  /** A policy document property; undefined (and the field unreadable, naming the policy) when it cannot be used. */
  private document(rd: FieldReader, from: CfnResource, field: string, prop: string, label: string, value: CfnValue | undefined = from.properties[prop]): PolicyDocument | undefined {
    rd.at(field, prop, from);
    if (value === undefined) {
      rd.invalid(field, prop, `is not set (${label} has no document)`, from);
      return undefined;
    }
    const read = policyDocumentOf(value);
    if (read.ok) return read.document;
    if (read.unresolved) rd.mark(unresolvedField(field, read.unresolved.operation, `${from.logicalId}.${prop}: ${label}: ${read.reason}`));
    else rd.mark(unresolvedField(field, prop, `${from.logicalId}.${prop}: ${label}: ${read.reason}`, 'MalformedPolicyDocument'));
    return undefined;
  }

  private principal(kind: PrincipalKind, r: CfnResource): void {
    const rd = this.ctx.reader(r);
    const { arn, account, region, name, path } = this.head(r, rd, kind);
    const tags = kind === 'iamGroup' ? {} : rd.tags(); // IAM groups cannot be tagged.
    const base = { arn, account, region, tags, name, path, inlinePolicies: this.inlinePolicies(rd, r), attachedPolicies: [] as string[] };
    let model: PrincipalModel;
    if (kind === 'iamRole') {
      const trust = this.document(rd, r, 'assumeRolePolicy', 'AssumeRolePolicyDocument', `trust policy of role ${name}`);
      model = { ...base, assumeRolePolicy: trust ?? PLACEHOLDER_DOCUMENT } satisfies IamRole;
    } else if (kind === 'iamUser') {
      model = { ...base, groups: [] } satisfies IamUser;
    } else {
      model = base satisfies IamGroup;
    }
    const p: Principal = { kind, model: this.ctx.add(model, rd), reader: rd };
    this.principals.push(p);
    // Both the name the model carries and what `!Ref` gave (the stand-in when the name was not a literal).
    for (const key of new Set([name, this.ctx.identity(r).ref, generatedNameOf(this.ctx.stack, r.logicalId)])) this.byName[kind].set(key, p);
    const arns = rd.raw('attachedPolicies', 'ManagedPolicyArns');
    if (arns !== undefined) {
      if (!Array.isArray(arns)) rd.invalid('attachedPolicies', 'ManagedPolicyArns', 'is not a list');
      else for (const a of arns) this.attachArn(p, a, r, 'ManagedPolicyArns');
    }
    const boundary = rd.optionalString('permissionsBoundary', 'PermissionsBoundary');
    if (boundary !== undefined && kind !== 'iamGroup') {
      if (!ARN.test(boundary)) rd.invalid('permissionsBoundary', 'PermissionsBoundary', 'is not an ARN');
      else {
        (model as IamRole | IamUser).permissionsBoundary = boundary;
        this.managedArnSeen(boundary, p);
      }
    }
  }

  /** The principal's own `Policies: [{PolicyName, PolicyDocument}]`. */
  private inlinePolicies(rd: FieldReader, r: CfnResource): InlinePolicy[] {
    const field = 'inlinePolicies';
    const list = r.properties.Policies;
    if (list === undefined) return [];
    rd.at(field, 'Policies');
    if (list instanceof Unresolved) {
      rd.unresolved(field, 'Policies', list);
      return [];
    }
    if (!Array.isArray(list)) {
      rd.invalid(field, 'Policies', 'is not a list');
      return [];
    }
    const out: InlinePolicy[] = [];
    for (const [i, entry] of list.entries()) {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || entry instanceof Unresolved) {
        const u = findUnresolved(entry);
        if (u) rd.unresolved(field, `Policies[${i}]`, u);
        else rd.invalid(field, `Policies[${i}]`, 'is not {PolicyName, PolicyDocument}');
        continue;
      }
      const name = policyName(entry.PolicyName, `${r.logicalId}-${i}`);
      const doc = this.document(rd, r, field, 'Policies', `inline policy ${name}`, entry.PolicyDocument);
      if (doc) out.push({ name, document: doc });
    }
    return out;
  }

  /** One ManagedPolicyArns entry (or a ManagedPolicy's attachment) on a principal. */
  private attachArn(p: Principal, value: CfnValue, from: CfnResource, prop: string): void {
    const field = 'attachedPolicies';
    if (value instanceof Unresolved) {
      p.reader.mark(unresolvedField(field, value.operation, `${from.logicalId}.${prop}: a managed policy ARN is not resolved: ${value.reason}`));
      return;
    }
    const arn = stringOf(value);
    if (arn === undefined || !ARN.test(arn)) {
      p.reader.invalid(field, prop, 'has an entry that is not an ARN', from);
      return;
    }
    if (!p.model.attachedPolicies.includes(arn)) p.model.attachedPolicies.push(arn);
    this.managedArnSeen(arn, p);
  }

  /**
   * A managed policy ARN a principal names: one of the template's (counted), an AWS managed one
   * the bundle holds (added once), or neither: left out of the snapshot, which makes the IAM rules
   * unknown for the principal, naming the ARN (src/iam/principals.ts: "not in the snapshot").
   */
  private managedArnSeen(arn: string, p: Principal): void {
    const own = this.policies.get(arn);
    if (own) {
      own.attached.add(p);
      return;
    }
    if (isAwsManagedPolicyArn(arn) && !this.bundled.has(arn)) {
      const policy = awsManagedPolicy(arn, this.ctx.stack.account);
      if (policy) this.bundled.set(arn, policy);
    }
  }

  /**
   * The principals a list of names (or one name) points at. A name that is not resolved may be
   * any principal of the kind in the template: `onUnknown` marks each of them.
   */
  private targets(kind: PrincipalKind, value: CfnValue | undefined, onUnknown: (p: Principal, u: Unresolved) => void): Principal[] {
    if (value === undefined) return [];
    const names = Array.isArray(value) ? value : [value];
    const out: Principal[] = [];
    for (const n of names) {
      const u = findUnresolved(n);
      if (u) {
        for (const p of this.principals) if (p.kind === kind) onUnknown(p, u);
        continue;
      }
      // A principal not declared in this template is not in the model: nothing here to judge.
      const p = typeof n === 'string' ? this.byName[kind].get(n) : undefined;
      if (p && !out.includes(p)) out.push(p);
    }
    return out;
  }

  private managedPolicyAttachments(r: CfnResource): void {
    const arn = this.ctx.identity(r).ref;
    for (const [prop, kind] of [['Roles', 'iamRole'], ['Users', 'iamUser'], ['Groups', 'iamGroup']] as const) {
      const targets = this.targets(kind, r.properties[prop], (p, u) =>
        p.reader.mark(unresolvedField('attachedPolicies', u.operation, `${r.logicalId}.${prop}: managed policy ${arn} is attached to a ${NOUN[kind]} that is not resolved: ${u.reason}`)),
      );
      for (const p of targets) {
        p.reader.at('attachedPolicies', prop, r);
        this.attachArn(p, arn, r, prop);
      }
    }
  }

  /** AWS::IAM::Policy and the Role/User/GroupPolicy types: an inline policy of each principal named. */
  private policyResource(r: CfnResource, props: Partial<Record<string, PrincipalKind>>): void {
    const field = 'inlinePolicies';
    const name = policyName(r.properties.PolicyName, r.logicalId);
    const value = r.properties.PolicyDocument;
    for (const [prop, kind] of Object.entries(props) as Array<[string, PrincipalKind]>) {
      const targets = this.targets(kind, r.properties[prop], (p, u) =>
        p.reader.mark(unresolvedField(field, u.operation, `${r.logicalId}.${prop}: policy ${name} is attached to a ${NOUN[kind]} that is not resolved: ${u.reason}`)),
      );
      for (const p of targets) {
        const doc = this.document(p.reader, r, field, 'PolicyDocument', `policy ${name}`, value);
        if (doc) p.model.inlinePolicies.push({ name, document: doc });
      }
    }
  }

  private ownGroups(p: Principal): void {
    const user = p.model as IamUser;
    const r = p.reader.resource;
    const value = p.reader.raw('groups', 'Groups');
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      p.reader.invalid('groups', 'Groups', 'is not a list');
      return;
    }
    for (const g of value) this.addGroup(user, g, p.reader, r, 'Groups');
  }

  private addGroup(user: IamUser, g: CfnValue, rd: FieldReader, from: CfnResource, prop: string): void {
    const name = stringOf(g);
    if (name === undefined) {
      rd.invalid('groups', prop, 'has an entry that is not a group name', from);
      return;
    }
    // The group's model name, whichever of its names the template used; a group outside the
    // template keeps the name given (the IAM rules are unknown about its policies).
    const model = this.byName.iamGroup.get(name)?.model.name ?? name;
    if (!user.groups.includes(model)) user.groups.push(model);
  }

  private userToGroup(r: CfnResource): void {
    const group = r.properties.GroupName;
    const users = this.targets('iamUser', r.properties.Users, (p, u) =>
      p.reader.mark(unresolvedField('groups', u.operation, `${r.logicalId}.Users: a user added to a group is not resolved: ${u.reason}`)),
    );
    for (const p of users) {
      if (group instanceof Unresolved || group === undefined) {
        p.reader.mark(unresolvedField('groups', group?.operation ?? 'Properties', `${r.logicalId}.GroupName: ${group?.reason ?? 'is not set'}`));
        continue;
      }
      p.reader.at('groups', 'GroupName', r);
      this.addGroup(p.model as IamUser, group, p.reader, r, 'GroupName');
    }
  }
}

function policyName(value: CfnValue | undefined, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function byArn<T extends { arn: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
