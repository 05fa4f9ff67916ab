// IAM users, groups, roles and managed policies from GetAccountAuthorizationDetails: one paged
// call gives every principal with its inline and attached policies, every local managed policy
// and every attached AWS managed policy (the API's default with no Filter).

import { GetAccountAuthorizationDetailsCommand, type IAMClient } from '@aws-sdk/client-iam';
import { parseArn } from '../model/arn.js';
import type {
  CoverageGap,
  IamGroup,
  IamPolicy,
  IamRole,
  IamUser,
  InlinePolicy,
  PolicyDocument,
  ResourceKind,
  Tags,
  UnreadableField,
} from '../model/types.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { memoByText } from './memo.js';
import { policyGrammarProblem } from './policy-grammar.js';
import type { Collected, Target } from './types.js';
import type { AuthorizationDetailsRead, GroupRead, ManagedPolicyRead, RoleRead, UserRead } from './wire/shapes.js';

type Page = AuthorizationDetailsRead;
type Tag = NonNullable<UserRead['Tags']>[number];
type PolicyDetail = NonNullable<UserRead['UserPolicyList']>[number];

const OPERATION = 'GetAccountAuthorizationDetails';
export const IAM_OPERATIONS: readonly string[] = [OPERATION];

/** botocore iam 2010-05-08: maxItemsType is 1..1000. */
const PAGE_SIZE = 1000;
const IAM_KINDS: ResourceKind[] = ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'];
const MALFORMED = 'MalformedPolicyDocument';
/**
 * Stands in for a required document that could not be read. The field is always listed in the
 * resource's `unreadable` too, so rules read it as unknown and never judge this placeholder.
 */
const PLACEHOLDER: PolicyDocument = { Statement: [] };

export async function collectIam(client: IAMClient, target: Target): Promise<Collected> {
  let pages: Page[];
  try {
    pages = await readAllPages(client);
  } catch (err) {
    if (isCredentialError(err)) throw err;
    // Half a listing would read as "these are all the principals": a failed page fails it all.
    const gap = gapFrom(err, { target, service: 'iam', operation: OPERATION, resourceKinds: IAM_KINDS });
    return { iamUsers: [], iamGroups: [], iamRoles: [], iamPolicies: [], coverage: [gap] };
  }

  const ctx = new Context(target);
  const iamUsers = uniqueByArn(pages.flatMap((p) => p.UserDetailList ?? [])).map((u) => user(u, ctx));
  const iamGroups = uniqueByArn(pages.flatMap((p) => p.GroupDetailList ?? [])).map((g) => group(g, ctx));
  const iamRoles = uniqueByArn(pages.flatMap((p) => p.RoleDetailList ?? [])).map((r) => role(r, ctx));
  const iamPolicies = uniqueByArn(pages.flatMap((p) => p.Policies ?? [])).map((p) => policy(p, ctx));
  return { iamUsers, iamGroups, iamRoles, iamPolicies, coverage: ctx.gaps() };
}

async function readAllPages(client: IAMClient): Promise<Page[]> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: PAGE_SIZE, Marker: marker }));
    pages.push(page);
    marker = undefined;
    if (page.IsTruncated) {
      // Truncated without a usable marker: the rest cannot be read, so the listing is incomplete.
      if (!page.Marker || seen.has(page.Marker)) {
        throw Object.assign(new Error(`${OPERATION}: IsTruncated with ${page.Marker ? 'a repeated' : 'no'} Marker`), { name: 'InvalidResponse' });
      }
      seen.add(page.Marker);
      marker = page.Marker;
    }
  } while (marker !== undefined);
  return pages;
}

/** The target, and the gaps for unreadable documents (one per field and error code). */
class Context {
  private readonly byField = new Map<string, CoverageGap>();
  constructor(readonly target: Target) {}

  /** Records that `field` of resource `arn` could not be read: in its unreadable list and as a gap. */
  unreadable(list: UnreadableField[], kind: ResourceKind, arn: string, field: string, message: string): void {
    if (!list.some((u) => u.field === field)) list.push({ field, operation: OPERATION, errorCode: MALFORMED, message });
    const known = this.byField.get(field);
    if (known) {
      if (!known.resourceKinds.includes(kind)) known.resourceKinds = IAM_KINDS.filter((k) => k === kind || known.resourceKinds.includes(k));
      return;
    }
    this.byField.set(field, {
      account: this.target.account,
      region: this.target.region,
      service: 'iam',
      operation: OPERATION,
      errorCode: MALFORMED,
      message: `${arn}: ${message}`,
      resourceKinds: [kind],
      field,
    });
  }

  gaps(): CoverageGap[] {
    return [...this.byField.values()];
  }
}

function user(u: UserRead & { Arn: string }, ctx: Context): IamUser {
  const unreadable: UnreadableField[] = [];
  const inlinePolicies = inline(u.UserPolicyList, 'iamUser', u.Arn, unreadable, ctx);
  return {
    ...head(u.Arn, ctx, u.Tags),
    name: u.UserName ?? '',
    ...optional(u.Path, u.UserId),
    inlinePolicies,
    attachedPolicies: attached(u.AttachedManagedPolicies),
    ...boundary(u.PermissionsBoundary?.PermissionsBoundaryArn),
    groups: u.GroupList ?? [],
    ...(unreadable.length ? { unreadable } : {}),
  };
}

function group(g: GroupRead & { Arn: string }, ctx: Context): IamGroup {
  const unreadable: UnreadableField[] = [];
  const inlinePolicies = inline(g.GroupPolicyList, 'iamGroup', g.Arn, unreadable, ctx);
  return {
    // IAM groups cannot be tagged.
    ...head(g.Arn, ctx, undefined),
    name: g.GroupName ?? '',
    ...optional(g.Path, g.GroupId),
    inlinePolicies,
    attachedPolicies: attached(g.AttachedManagedPolicies),
    ...(unreadable.length ? { unreadable } : {}),
  };
}

function role(r: RoleRead & { Arn: string }, ctx: Context): IamRole {
  const unreadable: UnreadableField[] = [];
  const inlinePolicies = inline(r.RolePolicyList, 'iamRole', r.Arn, unreadable, ctx);
  const trust = decodePolicy(r.AssumeRolePolicyDocument);
  if (!trust.ok) ctx.unreadable(unreadable, 'iamRole', r.Arn, 'assumeRolePolicy', trust.reason);
  return {
    ...head(r.Arn, ctx, r.Tags),
    name: r.RoleName ?? '',
    ...optional(r.Path, r.RoleId),
    inlinePolicies,
    attachedPolicies: attached(r.AttachedManagedPolicies),
    ...boundary(r.PermissionsBoundary?.PermissionsBoundaryArn),
    assumeRolePolicy: trust.ok ? trust.document : PLACEHOLDER,
    ...(unreadable.length ? { unreadable } : {}),
  };
}

function policy(p: ManagedPolicyRead & { Arn: string }, ctx: Context): IamPolicy {
  const unreadable: UnreadableField[] = [];
  // Only the default version is in force; the others are history.
  const versions = p.PolicyVersionList ?? [];
  const current = versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => v.VersionId !== undefined && v.VersionId === p.DefaultVersionId);
  const decoded = current ? decodePolicy(current.Document) : ({ ok: false, reason: 'no default version in PolicyVersionList' } as const);
  if (!decoded.ok) ctx.unreadable(unreadable, 'iamPolicy', p.Arn, 'document', decoded.reason);
  return {
    // account is where it was read, even for AWS managed policies (whose ARN account is "aws").
    ...head(p.Arn, ctx, undefined),
    name: p.PolicyName ?? '',
    ...optional(p.Path, p.PolicyId),
    defaultVersionId: p.DefaultVersionId ?? current?.VersionId ?? '',
    document: decoded.ok ? decoded.document : PLACEHOLDER,
    ...(typeof p.AttachmentCount === 'number' ? { attachmentCount: p.AttachmentCount } : {}),
    awsManaged: parseArn(p.Arn)?.account === 'aws',
    ...(unreadable.length ? { unreadable } : {}),
  };
}

function head(arn: string, ctx: Context, tags: Tag[] | undefined): { arn: string; account: string; region: string; tags: Tags } {
  const map: Tags = {};
  for (const t of tags ?? []) if (t.Key !== undefined) map[t.Key] = t.Value ?? '';
  return { arn, account: ctx.target.account, region: ctx.target.region, tags: map };
}

function optional(path: string | undefined, id: string | undefined): { path?: string; id?: string } {
  return { ...(path !== undefined ? { path } : {}), ...(id !== undefined ? { id } : {}) };
}

function boundary(arn: string | undefined): { permissionsBoundary?: string } {
  return arn ? { permissionsBoundary: arn } : {};
}

function attached(list: Array<{ PolicyArn?: string | undefined }> | undefined): string[] {
  return (list ?? []).flatMap((a) => (a.PolicyArn ? [a.PolicyArn] : []));
}

/** Inline policies that decode; one that does not is left out and its field marked unreadable. */
function inline(list: PolicyDetail[] | undefined, kind: ResourceKind, arn: string, unreadable: UnreadableField[], ctx: Context): InlinePolicy[] {
  const out: InlinePolicy[] = [];
  for (const p of list ?? []) {
    const name = p.PolicyName ?? '';
    const decoded = decodePolicy(p.PolicyDocument);
    if (decoded.ok) out.push({ name, document: decoded.document });
    else ctx.unreadable(unreadable, kind, arn, 'inlinePolicies', `inline policy ${name}: ${decoded.reason}`);
  }
  return out;
}

type Decoded = { ok: true; document: PolicyDocument } | { ok: false; reason: string };

// Accounts attach the same documents to many roles (a trust policy for a CI system, a standard
// inline policy): each text is decoded and checked once. The document is shared, never mutated.
const decodeKnownPolicy = memoByText(decodePolicyText, 10_000);

function decodePolicy(raw: string | undefined): Decoded {
  return raw === undefined || raw === '' ? { ok: false, reason: 'no document' } : decodeKnownPolicy(raw);
}

/**
 * IAM returns policy documents as RFC 3986 percent-encoded JSON (the SDK passes the string
 * through as is). decodeURIComponent is the matching decoder: it leaves '+' alone, which the
 * encoding never uses for a space. A document already starting with '{' has been decoded on its
 * way here (the encoding turns '{' into %7B) and is not decoded twice, which would misread a '%'.
 */
function decodePolicyText(raw: string): Decoded {
  let text = raw;
  if (!raw.trimStart().startsWith('{')) {
    try {
      text = decodeURIComponent(raw);
    } catch {
      return { ok: false, reason: 'document is not valid percent-encoding' };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `document is not valid JSON: ${(err as Error).message}` };
  }
  const problem = policyGrammarProblem(parsed);
  if (problem !== undefined) return { ok: false, reason: `document does not fit the policy grammar: ${problem}` };
  return { ok: true, document: parsed as PolicyDocument };
}

function uniqueByArn<T extends { Arn?: string | undefined }>(items: T[]): Array<T & { Arn: string }> {
  const byArn = new Map<string, T & { Arn: string }>();
  // A resource without an ARN cannot be named or judged; IAM always sends one.
  for (const item of items) if (item.Arn && !byArn.has(item.Arn)) byArn.set(item.Arn, { ...item, Arn: item.Arn });
  return [...byArn.values()].sort((a, b) => (a.Arn < b.Arn ? -1 : a.Arn > b.Arn ? 1 : 0));
}
