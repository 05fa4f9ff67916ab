// IAM roles, users, groups and managed policies with their inline policies, attachments and
// memberships → the model's iam* kinds, as GetAccountAuthorizationDetails (src/collectors/iam.ts)
// would return them after apply. Principals are named by their IAM names (role = "builder"), so
// joins go by known names, else by the configuration's references. AWS managed policies attached
// by ARN get their documents from the bundled copy (../managed-policies.ts); an ARN it lacks, and
// a customer policy the plan does not hold, stay out of the snapshot, which the IAM evaluator
// (src/iam/principals.ts) reads as unknown naming the ARN.

import type { IamGroup, IamPolicy, IamRole, IamUser, InlinePolicy, PolicyDocument, SourceLocation } from '../../../model/types.js';
import { awsManagedPolicy, isAwsManagedPolicyArn } from '../managed-policies.js';
import { unresolvedField } from '../types.js';
import { argLocations, arnOf, configOf, Fields, indexBy, joinOf, originOf, type Join, type MapContext } from './context.js';
import { expressionOf, referencesOf } from './configuration.js';
import { AFTER_APPLY, cmp, isArn } from './ec2.js';
import { attr, isObject, type TfResource } from './plan.js';
import { parsePolicyText } from './policy.js';
import { pushAll } from '../../../arrays.js';

export const IAM_TYPES = [
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_iam_policy',
  'aws_iam_user',
  'aws_iam_user_policy',
  'aws_iam_user_policy_attachment',
  'aws_iam_user_group_membership',
  'aws_iam_group',
  'aws_iam_group_policy',
  'aws_iam_group_policy_attachment',
  'aws_iam_group_membership',
  'aws_iam_policy_attachment',
] as const;

/** Stands in for a required document that is not known; the field is always unreadable too. */
const PLACEHOLDER: PolicyDocument = { Statement: [] };

type PrincipalType = 'aws_iam_role' | 'aws_iam_user' | 'aws_iam_group';

interface Draft {
  r: TfResource;
  f: Fields;
  inline: InlinePolicy[];
  attached: string[];
  groups: string[];
  extra: Record<string, SourceLocation>;
}

export function mapIam(ctx: MapContext): { iamRoles: IamRole[]; iamUsers: IamUser[]; iamGroups: IamGroup[]; iamPolicies: IamPolicy[] } {
  const drafts = new Map<TfResource, Draft>();
  const ofType = (t: PrincipalType): Draft[] =>
    (ctx.byType.get(t) ?? []).map((r) => {
      let d = drafts.get(r);
      if (!d) {
        d = { r, f: new Fields(ctx, r), inline: [], attached: [], groups: [], extra: {} };
        drafts.set(r, d);
      }
      return d;
    });
  const principals: Record<PrincipalType, Draft[]> = { aws_iam_role: ofType('aws_iam_role'), aws_iam_user: ofType('aws_iam_user'), aws_iam_group: ofType('aws_iam_group') };
  const names = { aws_iam_role: indexBy(principals.aws_iam_role.map((d) => d.r), 'name'), aws_iam_user: indexBy(principals.aws_iam_user.map((d) => d.r), 'name'), aws_iam_group: indexBy(principals.aws_iam_group.map((d) => d.r), 'name') };
  const byName = (t: PrincipalType) => names[t];

  /** The principals of type `t` argument `name` of `r` names; unresolved ones get `field` unreadable. */
  const targets = (r: TfResource, name: string, t: PrincipalType, field: string): Draft[] => {
    const join = joinOf(ctx, r, name, [t], byName(t));
    return resolved(join, principals[t], drafts, field);
  };

  // Inline policies written as their own resources.
  const inlineKinds: Array<[string, PrincipalType, string]> = [
    ['aws_iam_role_policy', 'aws_iam_role', 'role'],
    ['aws_iam_user_policy', 'aws_iam_user', 'user'],
    ['aws_iam_group_policy', 'aws_iam_group', 'group'],
  ];
  for (const [type, t, arg] of inlineKinds) {
    for (const p of ctx.byType.get(type) ?? []) {
      const to = targets(p, arg, t, 'inlinePolicies');
      if (to.length === 0) continue;
      const policyName = attr(p, 'name');
      const name = policyName.kind === 'known' && typeof policyName.value === 'string' ? policyName.value : p.address;
      const doc = policyOf(p, 'policy');
      for (const d of to) {
        if (typeof doc === 'string') markPolicy(d.f, 'inlinePolicies', doc);
        else d.inline.push({ name, document: doc });
        locate(d, 'inlinePolicies', argLocations(ctx, p, { inlinePolicies: 'policy' }).inlinePolicies);
      }
    }
  }

  // Managed policy attachments.
  const attachKinds: Array<[string, PrincipalType, string]> = [
    ['aws_iam_role_policy_attachment', 'aws_iam_role', 'role'],
    ['aws_iam_user_policy_attachment', 'aws_iam_user', 'user'],
    ['aws_iam_group_policy_attachment', 'aws_iam_group', 'group'],
  ];
  for (const [type, t, arg] of attachKinds) {
    for (const a of ctx.byType.get(type) ?? []) {
      const to = targets(a, arg, t, 'attachedPolicies');
      if (to.length > 0) attach(ctx, a, to);
    }
  }
  for (const a of ctx.byType.get('aws_iam_policy_attachment') ?? []) {
    const to: Draft[] = [];
    for (const [arg, t] of [['roles', 'aws_iam_role'], ['users', 'aws_iam_user'], ['groups', 'aws_iam_group']] as const) {
      pushAll(to, listTargets(ctx, a, arg, principals[t], byName(t), drafts, 'attachedPolicies'));
    }
    if (to.length > 0) attach(ctx, a, to);
  }

  // Group memberships: users name their groups by name.
  const groupName = (g: Draft): string | undefined => (attr(g.r, 'name').kind === 'known' && typeof g.r.after.name === 'string' ? g.r.after.name : undefined);
  for (const m of ctx.byType.get('aws_iam_user_group_membership') ?? []) {
    const users = targets(m, 'user', 'aws_iam_user', 'groups');
    if (users.length === 0) continue;
    const g = attr(m, 'groups');
    let names: string[] | undefined;
    if (g.kind === 'known' && Array.isArray(g.value)) names = g.value.filter((x): x is string => typeof x === 'string');
    else if (g.kind === 'unknown') {
      const refGroups = listTargets(ctx, m, 'groups', principals.aws_iam_group, byName('aws_iam_group'), drafts, 'groups', []);
      const known = refGroups.map(groupName);
      if (refGroups.length > 0 && known.every((x) => x !== undefined)) names = known as string[];
    }
    for (const u of users) {
      if (names === undefined) u.f.mark(unresolvedField('groups', g.kind === 'sensitive' ? 'after_sensitive' : 'after_unknown', `${m.address}.groups is known only after apply`));
      else pushAll(u.groups, names);
      locate(u, 'groups', argLocations(ctx, m, { groups: 'groups' }).groups);
    }
  }
  for (const m of ctx.byType.get('aws_iam_group_membership') ?? []) {
    const users = listTargets(ctx, m, 'users', principals.aws_iam_user, byName('aws_iam_user'), drafts, 'groups');
    // The membership is the users' `groups`: a group not known is unknown on them, not on groups.
    const join = joinOf(ctx, m, 'group', ['aws_iam_group'], byName('aws_iam_group'));
    if (join.kind === 'unresolved') for (const u of users) u.f.mark(unresolvedField('groups', 'after_unknown', join.reason));
    const known = join.kind === 'targets' ? join.targets.flatMap((t) => (drafts.has(t) ? [drafts.get(t) as Draft] : [])) : [];
    const outside = join.kind === 'outside' ? attr(m, 'group') : undefined;
    if (outside?.kind === 'known' && typeof outside.value === 'string') {
      // A group outside the plan still names the membership (the IAM evaluator reads it as unknown).
      const name = outside.value;
      for (const u of users) {
        u.groups.push(name);
        locate(u, 'groups', argLocations(ctx, m, { groups: 'users' }).groups);
      }
    }
    const groups = known;
    for (const g of groups) {
      const name = groupName(g);
      for (const u of users) {
        if (name === undefined) u.f.mark(unresolvedField('groups', 'after_unknown', `${g.r.address}.name is known only after apply`));
        else u.groups.push(name);
        locate(u, 'groups', argLocations(ctx, m, { groups: 'users' }).groups);
      }
    }
  }

  const iamPolicies = (ctx.byType.get('aws_iam_policy') ?? []).map((p) => managedPolicy(ctx, p));
  const iamRoles = principals.aws_iam_role.map((d) => role(ctx, d));
  const iamUsers = principals.aws_iam_user.map((d) => user(ctx, d));
  const iamGroups = principals.aws_iam_group.map((d) => group(ctx, d));

  // AWS managed policies the principals attach, from the bundle (one model policy per ARN).
  const have = new Set(iamPolicies.map((p) => p.arn));
  for (const p of [...iamRoles, ...iamUsers, ...iamGroups]) {
    for (const arn of [...p.attachedPolicies, ...(p.permissionsBoundary ? [p.permissionsBoundary] : [])]) {
      if (have.has(arn) || !isAwsManagedPolicyArn(arn)) continue;
      const bundled = awsManagedPolicy(arn, p.account);
      if (bundled) {
        iamPolicies.push(bundled);
        have.add(arn);
      }
    }
  }
  return { iamRoles, iamUsers, iamGroups, iamPolicies };
}

function locate(d: Draft, field: string, loc: SourceLocation | undefined): void {
  if (loc && !d.extra[field]) d.extra[field] = loc;
}

function resolved(join: Join, all: Draft[], drafts: Map<TfResource, Draft>, field: string): Draft[] {
  if (join.kind === 'outside') return [];
  if (join.kind === 'targets') return join.targets.flatMap((t) => (drafts.has(t) ? [drafts.get(t) as Draft] : []));
  // Not known which principal: each one it could be is unknown there (none of the plan's: all of that type).
  const candidates = join.candidates.length > 0 ? join.candidates.flatMap((t) => (drafts.has(t) ? [drafts.get(t) as Draft] : [])) : all;
  for (const d of candidates) d.f.mark(unresolvedField(field, 'after_unknown', join.reason));
  return [];
}

/** Principals named by a list argument (`users`, `roles`, `groups`): by known names, else by references. */
function listTargets(ctx: MapContext, r: TfResource, name: string, all: Draft[], byName: (v: string) => TfResource[], drafts: Map<TfResource, Draft>, field: string, markOn: Draft[] = all): Draft[] {
  const a = attr(r, name);
  if (a.kind === 'absent') return [];
  if (a.kind === 'known' && Array.isArray(a.value)) {
    return a.value.flatMap((v) => (typeof v === 'string' ? byName(v) : [])).flatMap((t) => (drafts.has(t) ? [drafts.get(t) as Draft] : []));
  }
  const refs = referencesOf(expressionOf(configOf(ctx, r), name));
  const out: Draft[] = [];
  const type = all[0]?.r.type;
  for (const ref of refs) {
    const m = /^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(ref);
    if (!m || m[1] !== type) continue;
    const configAddress = `${r.modulePath === '' ? '' : `${r.modulePath}.`}${m[1]}.${m[2]}`;
    for (const d of all) if (d.r.configAddress === configAddress && d.r.moduleAddress === r.moduleAddress && !out.includes(d)) out.push(d);
  }
  if (out.length > 0) return out;
  const reason = a.kind === 'sensitive' ? `${r.address}.${name} is sensitive` : `${r.address}.${name} is known only after apply and names no resource of the plan`;
  for (const d of markOn) d.f.mark(unresolvedField(field, a.kind === 'sensitive' ? 'after_sensitive' : 'after_unknown', reason));
  return [];
}

/** A policy argument: the document, or `operation: message` saying why it cannot be read. */
function policyOf(r: TfResource, name: string): PolicyDocument | string {
  const a = attr(r, name);
  if (a.kind === 'sensitive') return `after_sensitive: ${r.address}.${name} is sensitive: its value is not read`;
  if (a.kind === 'unknown') return `after_unknown: ${r.address}.${name} is known only after apply`;
  if (a.kind === 'absent' || typeof a.value !== 'string') return `policy: ${r.address}.${name} holds no policy document`;
  const parsed = parsePolicyText(a.value);
  return typeof parsed === 'string' ? `policy: ${r.address}.${name}: ${parsed}` : parsed;
}

/** The model ARN of an attached policy: a plan policy's IaC ARN, else the ARN as written. */
function policyArn(ctx: MapContext, r: TfResource, name: string): { arn: string } | { reason: string; sensitive: boolean } {
  const a = attr(r, name);
  if (a.kind === 'sensitive') return { reason: `${r.address}.${name} is sensitive`, sensitive: true };
  if (a.kind === 'known' && typeof a.value === 'string') {
    const alias = ctx.arnAliases.get(a.value);
    if (alias !== undefined) return { arn: alias };
    if (isArn(a.value)) return { arn: a.value };
    return { reason: `${r.address}.${name} is not an ARN`, sensitive: false };
  }
  const join = joinOf(ctx, r, name, ['aws_iam_policy'], () => []);
  if (join.kind === 'targets' && join.targets.length === 1) return { arn: arnOf(ctx, join.targets[0] as TfResource, 'iamPolicy') };
  return { reason: join.kind === 'unresolved' ? join.reason : `${r.address}.${name} is known only after apply`, sensitive: false };
}

function attach(ctx: MapContext, a: TfResource, to: Draft[]): void {
  const p = policyArn(ctx, a, 'policy_arn');
  for (const d of to) {
    if ('arn' in p) d.attached.push(p.arn);
    else d.f.mark(unresolvedField('attachedPolicies', p.sensitive ? 'after_sensitive' : 'after_unknown', p.reason, p.sensitive ? 'Sensitive' : 'Unresolved'));
    locate(d, 'attachedPolicies', argLocations(ctx, a, { attachedPolicies: 'policy_arn' }).attachedPolicies);
  }
}

const PRINCIPAL_PROPS = { name: 'name', path: 'path', permissionsBoundary: 'permissions_boundary', tags: 'tags' };

function principalBase(ctx: MapContext, d: Draft, kind: 'iamRole' | 'iamUser' | 'iamGroup') {
  const { r, f } = d;
  const env = ctx.envOf(r);
  // Inline policies the principal's own resource holds (aws_iam_role inline_policy blocks). The
  // argument is Optional+Computed: unset, Terraform does not manage them (the plan says unknown).
  const own = f.read('inline_policy', 'inlinePolicies', true);
  const inline = [...d.inline];
  if (Array.isArray(own)) {
    own.forEach((p, i) => {
      if (!isObject(p) || typeof p.policy !== 'string' || p.policy === '') return;
      const name = typeof p.name === 'string' && p.name !== '' ? p.name : `${r.address}.inline_policy[${i}]`;
      const parsed = parsePolicyText(p.policy);
      if (typeof parsed === 'string') f.mark(unresolvedField('inlinePolicies', 'inline_policy', `${r.address}.inline_policy[${i}]: ${parsed}`, 'MalformedPolicyDocument'));
      else if (!inline.some((x) => x.name === name)) inline.push({ name, document: parsed });
    });
  }
  const attached = [...d.attached];
  const managed = f.strings('managed_policy_arns', 'attachedPolicies', true);
  for (const arn of managed ?? []) {
    const modelArn = ctx.arnAliases.get(arn) ?? arn;
    if (!isArn(modelArn)) f.mark(unresolvedField('attachedPolicies', 'managed_policy_arns', `${r.address}.managed_policy_arns holds a value that is not an ARN`, 'InvalidValue'));
    else attached.push(modelArn);
  }
  const name = f.string('name', 'name');
  const path = f.string('path', 'path', true);
  const out = {
    arn: arnOf(ctx, r, kind),
    account: env.account,
    region: 'global',
    // IAM groups cannot be tagged.
    tags: kind === 'iamGroup' ? {} : f.tags(),
    name: name ?? AFTER_APPLY,
    path: path ?? '/',
    inlinePolicies: inline.sort((a, b) => cmp(a.name, b.name)),
    attachedPolicies: [...new Set(attached)].sort(),
  } as Pick<IamRole, 'arn' | 'account' | 'region' | 'tags' | 'name' | 'path' | 'inlinePolicies' | 'attachedPolicies' | 'permissionsBoundary'>;
  if (kind !== 'iamGroup') {
    const configured = expressionOf(configOf(ctx, r), 'permissions_boundary') !== undefined;
    // Known only after apply, but written as a reference to a policy of the plan: that policy.
    const viaPlan = attr(r, 'permissions_boundary').kind === 'unknown' && configured ? policyArn(ctx, r, 'permissions_boundary') : undefined;
    if (viaPlan && 'arn' in viaPlan) {
      out.permissionsBoundary = viaPlan.arn;
    } else {
      const boundary = f.string('permissions_boundary', 'permissionsBoundary');
      if (boundary !== undefined && boundary !== '') {
        const modelArn = ctx.arnAliases.get(boundary) ?? boundary;
        if (isArn(modelArn)) out.permissionsBoundary = modelArn;
        else f.mark(unresolvedField('permissionsBoundary', 'permissions_boundary', `${r.address}.permissions_boundary is not an ARN`, 'InvalidValue'));
      }
    }
  }
  return out;
}

function originWith(ctx: MapContext, d: Draft, props: Record<string, string>) {
  const o = originOf(ctx, d.r, props);
  const merged = { ...d.extra, ...(o.properties ?? {}) };
  const keys = Object.keys(merged).sort();
  return { ...o, ...(keys.length > 0 ? { properties: Object.fromEntries(keys.map((k) => [k, merged[k] as SourceLocation])) } : {}) };
}

function role(ctx: MapContext, d: Draft): IamRole {
  const base = principalBase(ctx, d, 'iamRole');
  const trust = policyOf(d.r, 'assume_role_policy');
  if (typeof trust === 'string') markPolicy(d.f, 'assumeRolePolicy', trust);
  return {
    ...base,
    assumeRolePolicy: typeof trust === 'string' ? PLACEHOLDER : trust,
    ...d.f.done(),
    origin: originWith(ctx, d, { ...PRINCIPAL_PROPS, assumeRolePolicy: 'assume_role_policy', inlinePolicies: 'inline_policy', attachedPolicies: 'managed_policy_arns' }),
  };
}

function user(ctx: MapContext, d: Draft): IamUser {
  const base = principalBase(ctx, d, 'iamUser');
  return { ...base, groups: [...new Set(d.groups)].sort(), ...d.f.done(), origin: originWith(ctx, d, PRINCIPAL_PROPS) };
}

function group(ctx: MapContext, d: Draft): IamGroup {
  const { permissionsBoundary: _, ...base } = principalBase(ctx, d, 'iamGroup');
  return { ...base, ...d.f.done(), origin: originWith(ctx, d, { name: 'name', path: 'path' }) };
}

function markPolicy(f: Fields, field: string, why: string): void {
  const op = why.slice(0, why.indexOf(':'));
  const message = why.slice(why.indexOf(':') + 2);
  f.mark(unresolvedField(field, op, message, op === 'after_sensitive' ? 'Sensitive' : op === 'after_unknown' ? 'Unresolved' : 'MalformedPolicyDocument'));
}

function managedPolicy(ctx: MapContext, r: TfResource): IamPolicy {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const doc = policyOf(r, 'policy');
  if (typeof doc === 'string') markPolicy(f, 'document', doc);
  return {
    arn: arnOf(ctx, r, 'iamPolicy'),
    account: env.account,
    region: 'global',
    tags: f.tags(),
    name: f.string('name', 'name') ?? AFTER_APPLY,
    path: f.string('path', 'path', true) ?? '/',
    // A policy Terraform creates has one version, v1; an existing one's default is not in the plan.
    defaultVersionId: 'v1',
    document: typeof doc === 'string' ? PLACEHOLDER : doc,
    awsManaged: false,
    ...f.done(),
    origin: originOf(ctx, r, { name: 'name', path: 'path', document: 'policy', tags: 'tags' }),
  };
}
