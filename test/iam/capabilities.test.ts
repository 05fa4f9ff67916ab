// Role capabilities (src/iam/capabilities.ts): admin-equivalence, iam:PassRole, UseConnection and
// sts:AssumeRole into other accounts, through the evaluator, on ordinary and adversarial policies.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../src/model/empty.js';
import type { IamRole, PolicyDocument, PolicyStatement } from '../../src/model/types.js';
import { capabilitiesOf, mayUseConnection, type RoleCapabilities, type Verdict } from '../../src/iam/capabilities.js';
import { CODE_RUNNERS, capabilityActionNames } from '../../src/iam/capability-table.js';
import { catalog } from '../../src/iam/catalog.js';
import { ACCOUNT, allow, build, deny, type Setup } from './setup.js';

const caps = (setup: Setup): RoleCapabilities => {
  const { snapshot, principal } = build(setup);
  return capabilitiesOf(principal, snapshot);
};
const admin = (setup: Setup): { verdict: Verdict; routes: string[] } => {
  const c = caps(setup).admin;
  return { verdict: c.verdict, routes: c.paths.map((p) => (p.route.kind === 'pass-role' ? `pass-role ${p.route.runner.service} ${p.actions.slice(1).join('+')}` : p.route.kind)) };
};
const notAction = (NotAction: string | string[], Resource: string | string[] = '*'): PolicyStatement => ({ Effect: 'Allow', NotAction, Resource });
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ci`;
const OTHER = '444455556666';

describe('the capability table', () => {
  it('names only actions the IAM catalogue has', () => {
    for (const name of capabilityActionNames()) expect(catalog().byName.has(name.toLowerCase()), name).toBe(true);
  });

  it('gives every row a service principal and a source', () => {
    for (const row of CODE_RUNNERS) {
      expect(row.service).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
      expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(row.actions.length).toBeGreaterThan(0);
    }
  });
});

describe('admin-equivalent', () => {
  type Case = [name: string, setup: Setup, verdict: Verdict, route?: string];
  const cases: Case[] = [
    ['* on * (AdministratorAccess)', { attached: [[allow('*')]] }, 'yes', 'every-action'],
    ['*:* on *', { inline: [allow('*:*')] }, 'yes', 'every-action'],
    ['?*:* on arn:*', { inline: [allow('?*:*', 'arn:*')] }, 'yes', 'every-action'],
    ['nothing', { inline: [allow('s3:GetObject', 'arn:aws:s3:::artifacts/*')] }, 'no'],
    ['PowerUserAccess: NotAction iam:* leaves PassRole out', { attached: [[notAction(['iam:*', 'organizations:*', 'account:*']), allow(['iam:CreateServiceLinkedRole', 'iam:ListRoles'])]] }, 'no'],
    ['NotAction organizations:* still leaves IAM in', { inline: [notAction('organizations:*')] }, 'yes', 'every-action'],
    ['NotAction iam:PassRole: not every action, but it may rewrite its own policy', { inline: [notAction('iam:PassRole')] }, 'yes', 'self-escalation'],
    ['PassRole on * with lambda create and invoke', { inline: [allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'])] }, 'yes', 'pass-role lambda.amazonaws.com lambda:CreateFunction+lambda:InvokeFunction'],
    ['PassRole on * with lambda create only', { inline: [allow(['iam:PassRole', 'lambda:CreateFunction'])] }, 'no'],
    ['a wildcard in the middle of the action: iam:Pa*Role with ec2:Run*', { inline: [allow(['iam:Pa*Role', 'ec2:Run*'])] }, 'yes', 'pass-role ec2.amazonaws.com ec2:RunInstances'],
    ['iam:Pass* with codebuild:*', { inline: [allow(['iam:Pass*', 'codebuild:*'])] }, 'yes', 'pass-role codebuild.amazonaws.com codebuild:CreateProject+codebuild:StartBuild'],
    ['a ? wildcard: iam:PassRol? with cloudformation:CreateStac?', { inline: [allow(['iam:PassRol?', 'cloudformation:CreateStac?'])] }, 'yes', 'pass-role cloudformation.amazonaws.com cloudformation:CreateStack'],
    ['PassRole scoped to lambda, with lambda:*', { inline: [allow('iam:PassRole', '*', { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }), allow('lambda:*')] }, 'yes', 'pass-role lambda.amazonaws.com'],
    ['PassRole scoped to ec2, with lambda:* only', { inline: [allow('iam:PassRole', '*', { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }), allow('lambda:*')] }, 'no'],
    ['PassRole of some roles only', { inline: [allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/app-*`), allow('ec2:RunInstances')] }, 'no'],
    ['PassRole of another account\'s roles', { inline: [allow('iam:PassRole', `arn:aws:iam::${OTHER}:role/*`), allow('ec2:RunInstances')] }, 'no'],
    ['RunInstances limited to own-account resources cannot use AMIs (no account in their ARN)', { inline: [allow('iam:PassRole'), allow('ec2:RunInstances', `arn:aws:ec2:*:${ACCOUNT}:*`)] }, 'no'],
    ['RunInstances in one region reaches every instance there', { inline: [allow('iam:PassRole'), allow('ec2:RunInstances', 'arn:aws:ec2:eu-west-1:*:*')] }, 'yes', 'pass-role ec2.amazonaws.com'],
    ['lambda functions of one name prefix only', { inline: [allow('iam:PassRole'), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'], `arn:aws:lambda:*:${ACCOUNT}:function:dev-*`)] }, 'no'],
    ['glue:CreateDevEndpoint takes Resource * only', { inline: [allow('iam:PassRole'), allow('glue:CreateDevEndpoint', 'arn:aws:glue:*')] }, 'no'],
    ['glue:CreateDevEndpoint on *', { inline: [allow('iam:PassRole'), allow('glue:CreateDevEndpoint')] }, 'yes', 'pass-role glue.amazonaws.com glue:CreateDevEndpoint'],
    ['an explicit Deny of PassRole removes both routes', { inline: [allow('*'), deny('iam:PassRole'), deny(['iam:PutRolePolicy', 'iam:AttachRolePolicy'])] }, 'no'],
    ['a Deny of PassRole except to lambda leaves the lambda route', { inline: [allow('*'), deny('iam:PassRole', '*', { StringNotEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } })] }, 'yes', 'pass-role lambda.amazonaws.com'],
    ['a Deny on * that cannot be judged makes it unknown', { inline: [allow('*'), deny('*', '*', { StringNotEquals: { 'aws:PrincipalTag/team': 'platform' } })] }, 'unknown'],
    ['a Deny on a context key only (source IP) does not limit what is reached', { inline: [allow('*'), deny('*', '*', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })] }, 'yes', 'every-action'],
    ['an Allow * with a source-IP condition is still every action', { inline: [allow('*', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })] }, 'yes', 'every-action'],
    ['an Allow * on tagged resources only is not every action', { inline: [allow('*', '*', { StringEquals: { 'aws:ResourceTag/env': 'dev' } })] }, 'no'],
    ['a boundary that allows S3 only', { attached: [[allow('*')]], boundary: [allow('s3:*')] }, 'no'],
    ['a boundary that allows everything but IAM', { attached: [[allow('*')]], boundary: [notAction('iam:*')] }, 'no'],
    ['a boundary that is not in the snapshot', { attached: [[allow('*')]], boundary: 'arn:aws:iam::111122223333:policy/missing' }, 'unknown'],
    ['a managed policy that is not in the snapshot', { attached: ['arn:aws:iam::aws:policy/NotInSnapshot'] }, 'unknown'],
    ['NotResource that leaves out one role still reaches every role', { inline: [{ Effect: 'Allow', Action: '*', NotResource: `arn:aws:iam::${ACCOUNT}:role/break-glass` }] }, 'yes', 'every-action'],
    ['NotResource every role leaves PassRole out', { inline: [{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:iam::*:role/*' }] }, 'no'],
    ['PutRolePolicy on its own role', { inline: [allow('iam:PutRolePolicy', ROLE)] }, 'yes', 'self-escalation'],
    ['AttachRolePolicy on every role', { inline: [allow('iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/*`)] }, 'yes', 'self-escalation'],
    ['PutRolePolicy on another role only', { inline: [allow('iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/other`)] }, 'no'],
    ['an expired grant of *', { inline: [allow('*', '*', { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } })] }, 'no'],
    ['a policy with an unknown condition key on *', { inline: [allow('*', '*', { StringEquals: { 'aws:NoSuchKey': 'x' } })] }, 'unknown'],
  ];
  it.each(cases)('%s', (_name, setup, verdict, route) => {
    const got = admin(setup);
    expect(got.verdict).toBe(verdict);
    if (route) expect(got.routes.some((r) => r.startsWith(route)), got.routes.join('; ')).toBe(true);
  });

  it('names the deciding statement', () => {
    const c = caps({ attached: [[{ Sid: 'All', ...allow('*') }]] });
    const path = c.admin.paths[0]?.allows[0];
    expect(path?.sid).toBe('All');
    expect(path?.source.label).toContain('managed policy');
  });

  it('is unknown when the role\'s policies could not be read, with the reason', () => {
    const { snapshot, principal } = build({ inline: [allow('*')] });
    principal.unreadable = [{ field: 'attachedPolicies', operation: 'GetAccountAuthorizationDetails', errorCode: 'AccessDenied' }];
    const c = capabilitiesOf(principal, snapshot);
    expect([c.admin.verdict, c.passRole.verdict, c.useConnection.verdict, c.assumeRole.verdict]).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    expect(c.admin.reasons.join()).toContain('attachedPolicies not readable');
  });
});

describe('iam:PassRole on every role', () => {
  it.each<[string, Setup, Verdict]>([
    ['Resource *', { inline: [allow('iam:PassRole')] }, 'yes'],
    ['role/*', { inline: [allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/*`)] }, 'yes'],
    ['iam:*', { inline: [allow('iam:*')] }, 'yes'],
    ['one role', { inline: [allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/app`)] }, 'no'],
    ['to one service only (scoped)', { inline: [allow('iam:PassRole', '*', { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } })] }, 'no'],
    ['iam:PassRole is not codestar-connections:PassConnection', { inline: [allow('codestar-connections:PassConnection')] }, 'no'],
  ])('%s', (_name, setup, verdict) => {
    expect(caps(setup).passRole.verdict).toBe(verdict);
  });
});

describe('UseConnection on every connection', () => {
  it.each<[string, Setup, Verdict]>([
    ['codestar-connections:UseConnection on *', { inline: [allow('codestar-connections:UseConnection')] }, 'yes'],
    ['codeconnections:* on *', { inline: [allow('codeconnections:*')] }, 'yes'],
    ['one connection', { inline: [allow('codeconnections:UseConnection', `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/0347af09-f291-4cec-9665-42872c5e63c2`)] }, 'no'],
    ['none', { inline: [allow('s3:*')] }, 'no'],
  ])('%s', (_name, setup, verdict) => {
    expect(caps(setup).useConnection.verdict).toBe(verdict);
  });
});

describe('sts:AssumeRole into other accounts', () => {
  it.each<[string, Setup, Verdict, string[]]>([
    ['Resource *', { inline: [allow('sts:AssumeRole')] }, 'yes', ['*']],
    ['every role of every account', { inline: [allow('sts:AssumeRole', 'arn:aws:iam::*:role/*')] }, 'yes', ['arn:aws:iam::*:role/*']],
    ['one role of another account', { inline: [allow('sts:AssumeRole', `arn:aws:iam::${OTHER}:role/deploy`)] }, 'yes', [`arn:aws:iam::${OTHER}:role/deploy`]],
    ['a role name in any account', { inline: [allow('sts:AssumeRole', 'arn:aws:iam::*:role/deploy')] }, 'yes', ['arn:aws:iam::*:role/deploy']],
    ['its own account only', { inline: [allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/*`)] }, 'no', []],
    ['denied', { inline: [allow('sts:AssumeRole'), deny('sts:*')] }, 'no', []],
    ['through sts:Assume*', { inline: [allow('sts:Assume*', `arn:aws:iam::${OTHER}:role/*`)] }, 'yes', [`arn:aws:iam::${OTHER}:role/*`]],
  ])('%s', (_name, setup, verdict, targets) => {
    const a = caps(setup).assumeRole;
    expect(a.verdict).toBe(verdict);
    expect(a.targets).toEqual(targets);
  });
});

describe('UseConnection on one connection', () => {
  const OLD = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/0347af09-f291-4cec-9665-42872c5e63c2`;
  const NEW = OLD.replace('codestar-connections', 'codeconnections');
  const use = (setup: Setup, arn: string, repository?: string) => {
    const { snapshot, principal } = build(setup);
    return mayUseConnection(principal, snapshot, arn, repository);
  };

  it('asks the action of the ARN\'s own prefix', () => {
    expect(use({ inline: [allow('codestar-connections:UseConnection')] }, OLD)?.verdict).toBe('yes');
    expect(use({ inline: [allow('codestar-connections:UseConnection')] }, NEW)?.verdict).toBe('no');
    expect(use({ inline: [allow('codeconnections:UseConnection', NEW)] }, NEW)?.verdict).toBe('yes');
    expect(use({ inline: [allow('codeconnections:UseConnection', OLD)] }, NEW)?.reach).toBe('none');
  });

  it('judges a repository condition against the repository named', () => {
    const setup: Setup = { inline: [allow('codeconnections:UseConnection', '*', { 'ForAllValues:StringEquals': { 'codeconnections:FullRepositoryId': ['acme/payments'] } })] };
    expect(use(setup, NEW, 'acme/payments')?.reach).toBe('unconditional');
    expect(use(setup, NEW, 'acme/other')?.reach).toBe('none');
    expect(use(setup, NEW)?.reach).toBe('scoped');
  });

  it('is not a question for something that is not a connection ARN', () => {
    expect(use({ inline: [allow('*')] }, 'arn:aws:s3:::bucket')).toBeUndefined();
  });
});

// Every AWS managed policy of ../shared/corpus as a role's only policy: no crash, no unknown
// without a reason, and a hand-reasoned set pinned (the corpus is fixed).
describe('capabilities over the AWS managed policy corpus', () => {
  const corpus = (JSON.parse(readFileSync(resolve('../shared/corpus/aws-managed-policies.json'), 'utf8')) as Array<{ name: string; arn: string | null; defaultVersionId: string; document: PolicyDocument }>).map((p) => ({
    ...p,
    arn: p.arn ?? `arn:aws:iam::aws:policy/${p.name}`,
  }));
  const rows = new Map<string, RoleCapabilities>();
  for (const p of corpus) {
    const role: IamRole = { arn: `arn:aws:iam::${ACCOUNT}:role/corpus`, account: ACCOUNT, region: 'global', tags: {}, name: 'corpus', inlinePolicies: [], attachedPolicies: [p.arn], assumeRolePolicy: { Statement: [] } };
    const snapshot = emptySnapshot({
      generatedAt: '2026-01-15T00:00:00Z',
      source: { kind: 'file' },
      scope: { partition: 'aws', accounts: [ACCOUNT], regions: ['us-east-1'] },
      iamPolicies: [{ arn: p.arn, account: ACCOUNT, region: 'global', tags: {}, name: p.name, defaultVersionId: p.defaultVersionId, document: p.document, awsManaged: true }],
      iamRoles: [role],
    });
    rows.set(p.name, capabilitiesOf(role, snapshot));
  }

  it('gives a reason for every unknown', () => {
    for (const [name, c] of rows) {
      for (const a of [c.admin, c.passRole, c.useConnection, c.assumeRole]) if (a.verdict === 'unknown') expect(a.reasons.length, name).toBeGreaterThan(0);
    }
  });

  it('pins the tally', () => {
    const tally = { admin: 0, passRole: 0, assumeRole: 0, unknown: 0 };
    for (const c of rows.values()) {
      if (c.admin.verdict === 'yes') tally.admin++;
      if (c.passRole.verdict === 'yes') tally.passRole++;
      if (c.assumeRole.verdict === 'yes') tally.assumeRole++;
      if ([c.admin, c.passRole, c.assumeRole].some((a) => a.verdict === 'unknown')) tally.unknown++;
    }
    expect(tally).toEqual({ admin: 31, passRole: 15, assumeRole: 26, unknown: 2 });
  });

  // name → admin verdict and the route that decides, reasoned by hand from the documents.
  it.each<[string, Verdict, string | undefined]>([
    // Allow * on *.
    ['AdministratorAccess', 'yes', 'every-action'],
    // NotAction iam:*, organizations:*, account:*: everything else, but no iam:PassRole and no IAM writes.
    ['PowerUserAccess', 'no', undefined],
    // Reads only.
    ['ReadOnlyAccess', 'no', undefined],
    // iam:* lets it put a policy on itself.
    ['IAMFullAccess', 'yes', 'self-escalation'],
    // iam:PassRole with PassedToService lambda.amazonaws.com, and lambda:*.
    ['AWSLambda_FullAccess', 'yes', 'pass-role'],
    // iam:PassRole of every role, but only to codepipeline.amazonaws.com (and cwe-role-* to
    // events), which runs no code of its own; codebuild:CreateProject without StartBuild.
    ['AWSCodePipeline_FullAccess', 'no', undefined],
  ])('%s', (name, verdict, route) => {
    const c = rows.get(name);
    expect(c, name).toBeDefined();
    expect(c?.admin.verdict).toBe(verdict);
    if (route) expect(c?.admin.paths.map((p) => p.route.kind)).toContain(route);
  });
});
