// IAM semantics, table-driven: each case is a principal's policies and the reach expected for one
// action on every connection (or host) of the principal's account.
import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../src/model/types.js';
import { adminActions, questionsFor, type ResourceType } from '../../src/iam/questions.js';
import type { Reach } from '../../src/iam/evaluate.js';
import { ACCOUNT, allow, deny, reach, type Setup } from './setup.js';

const USE = 'codestar-connections:UseConnection';
const USE_NEW = 'codeconnections:UseConnection';
const TOKEN = 'codestar-connections:GetConnectionToken';
const PASS = 'codestar-connections:PassConnection';
const CONN = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/0347af09-f291-4cec-9665-42872c5e63c2`;

type Case = [name: string, setup: Setup, action: string, expected: Reach];

const cases: Case[] = [
  // Resources
  ['Resource * reaches every connection', { inline: [allow(USE)] }, USE, 'unconditional'],
  ['connection/* in any region and account', { inline: [allow(USE, 'arn:aws:codestar-connections:*:*:connection/*')] }, USE, 'unconditional'],
  ['every connection of one region is still every connection there', { inline: [allow(USE, `arn:aws:codestar-connections:eu-west-1:${ACCOUNT}:connection/*`)] }, USE, 'unconditional'],
  ['a partial region wildcard reaches every connection of the regions it matches', { inline: [allow(USE, `arn:aws:codestar-connections:us-*:${ACCOUNT}:connection/*`)] }, USE, 'unconditional'],
  ['a partial region wildcard reaches every connection of its regions, scanned or not', { inline: [allow(USE, `arn:aws:codestar-connections:ap-*:${ACCOUNT}:connection/*`)] }, USE, 'unconditional'],
  ['a Deny of one region leaves the others a region pattern names', { inline: [allow(USE, `arn:aws:codestar-connections:us-*:${ACCOUNT}:connection/*`), deny(USE, `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/*`)] }, USE, 'unconditional'],
  // Exactly none; the evaluator does not subtract region sets, so "every region" sees an allow of
  // some regions and a Deny of some regions and answers scoped (a pass, never a false fail).
  ['a Deny of every region a pattern names leaves at most a scope', { inline: [allow(USE, `arn:aws:codestar-connections:us-*:${ACCOUNT}:connection/*`), deny(USE, `arn:aws:codestar-connections:u*:${ACCOUNT}:connection/*`)] }, USE, 'scoped'],
  ['an ARN wildcard over the resource part covers connections', { inline: [allow(USE, `arn:aws:codestar-connections:*:${ACCOUNT}:*`)] }, USE, 'unconditional'],
  ['one named connection is scoped', { inline: [allow(USE, CONN)] }, USE, 'scoped'],
  ['a prefix of connection ids is scoped', { inline: [allow(USE, `arn:aws:codestar-connections:*:${ACCOUNT}:connection/0*`)] }, USE, 'scoped'],
  ['? wildcards spanning a whole UUID reach every connection', { inline: [allow(USE, `arn:aws:codestar-connections:*:${ACCOUNT}:connection/????????-????-????-????-????????????`)] }, USE, 'unconditional'],
  ['another account\'s connections are not this account\'s', { inline: [allow(USE, 'arn:aws:codestar-connections:*:999988887777:connection/*')] }, USE, 'none'],
  ['resources are case-sensitive', { inline: [allow(USE, 'arn:aws:CODESTAR-connections:*:*:connection/*')] }, USE, 'none'],
  ['NotResource that excludes other things reaches every connection', { inline: [{ Effect: 'Allow', Action: USE, NotResource: 'arn:aws:s3:::*' }] }, USE, 'unconditional'],
  ['NotResource that excludes every connection reaches none', { inline: [{ Effect: 'Allow', Action: USE, NotResource: 'arn:aws:codestar-connections:*:*:connection/*' }] }, USE, 'none'],
  ['NotResource that excludes one connection still reaches the rest', { inline: [{ Effect: 'Allow', Action: USE, NotResource: CONN }] }, USE, 'unconditional'],
  ['a policy variable for the account resolves', { inline: [allow(USE, 'arn:aws:codestar-connections:*:${aws:PrincipalAccount}:connection/*')] }, USE, 'unconditional'],
  ['a connection named by a principal tag variable is scoped', { inline: [allow(USE, 'arn:aws:codestar-connections:*:*:connection/${aws:PrincipalTag/connection}')], tags: { connection: 'abc' } }, USE, 'scoped'],
  ['a hosts grant does not reach connections', { inline: [allow(USE, 'arn:aws:codestar-connections:*:*:host/*')] }, USE, 'none'],

  // Actions
  ['* reaches', { inline: [allow('*')] }, USE, 'unconditional'],
  ['a service wildcard reaches', { inline: [allow('codestar-connections:*')] }, USE, 'unconditional'],
  ['a partial wildcard reaches', { inline: [allow('codestar-connections:Use*')] }, USE, 'unconditional'],
  ['? in the action name', { inline: [allow('codestar-connections:?seConnectio?')] }, USE, 'unconditional'],
  ['actions are case-insensitive', { inline: [allow('CODESTAR-CONNECTIONS:useconnection')] }, USE, 'unconditional'],
  ['Get* includes GetConnectionToken', { inline: [allow('codeconnections:Get*')] }, 'codeconnections:GetConnectionToken', 'unconditional'],
  ['List* does not include UseConnection', { inline: [allow('codestar-connections:List*')] }, USE, 'none'],
  ['NotAction that leaves the service out reaches', { inline: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }] }, USE, 'unconditional'],
  ['NotAction that names the service reaches nothing in it', { inline: [{ Effect: 'Allow', NotAction: 'codestar-connections:*', Resource: '*' }] }, USE, 'none'],
  ['NotAction Use* still lets GetConnectionToken through', { inline: [{ Effect: 'Allow', NotAction: 'codestar-connections:Use*', Resource: '*' }] }, TOKEN, 'unconditional'],

  // Prefixes
  ['a codestar-connections grant on codeconnections ARNs reaches no connection', { inline: [allow(USE, 'arn:aws:codeconnections:*:*:connection/*')] }, USE, 'none'],
  ['… and is no codeconnections grant either', { inline: [allow(USE, 'arn:aws:codeconnections:*:*:connection/*')] }, USE_NEW, 'none'],
  ['a codeconnections grant on its own ARNs reaches', { inline: [allow(USE_NEW, 'arn:aws:codeconnections:*:*:connection/*')] }, USE_NEW, 'unconditional'],

  // Deny
  ['an explicit Deny wins over Allow', { inline: [allow('*'), deny(USE)] }, USE, 'none'],
  ['a Deny through a wildcard wins', { inline: [allow(USE)], attached: [[deny('codestar-connections:*')]] }, USE, 'none'],
  ['a Deny of one connection leaves the others', { inline: [allow(USE), deny(USE, CONN)] }, USE, 'unconditional'],
  ['a Deny on NotResource of one connection scopes to it', { inline: [allow(USE), { Effect: 'Deny', Action: USE, NotResource: CONN }] }, USE, 'scoped'],
  ['a Deny outside some repositories scopes', { inline: [allow(USE), deny(USE, '*', { StringNotEquals: { 'codestar-connections:FullRepositoryId': 'example-org/app' } })] }, USE, 'scoped'],
  ['a Deny from other networks only limits the context', { inline: [allow(USE), deny(USE, '*', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })] }, USE, 'unconditional'],
  ['a Deny on some tags leaves untagged connections', { inline: [allow(USE), deny(USE, '*', { StringEquals: { 'aws:ResourceTag/env': 'prod' } })] }, USE, 'unconditional'],
  ['a Deny whose condition cannot hold denies nothing', { inline: [allow(USE), deny(USE, '*', { StringEquals: { 'iam:PassedToService': 'x' } })] }, USE, 'unconditional'],

  // Boundaries
  ['a boundary that allows only S3 leaves nothing', { inline: [allow('*')], boundary: [allow('s3:*')] }, USE, 'none'],
  ['a boundary that names one connection scopes', { inline: [allow('*')], boundary: [allow('codestar-connections:*', CONN)] }, USE, 'scoped'],
  ['a boundary that allows everything changes nothing', { inline: [allow(USE)], boundary: [allow('*')] }, USE, 'unconditional'],
  ['a boundary grants nothing by itself', { boundary: [allow('*')] }, USE, 'none'],
  ['a Deny in the boundary wins', { inline: [allow(USE)], boundary: [allow('*'), deny(USE)] }, USE, 'none'],
  ['a boundary missing from the snapshot is unknown', { inline: [allow(USE)], boundary: `arn:aws:iam::${ACCOUNT}:policy/Gone` }, USE, 'unknown'],

  // Groups and missing policies
  ['a user inherits a group grant', { groups: [[allow(USE)]] }, USE, 'unconditional'],
  ['a group missing from the snapshot is unknown', { groups: ['vanished'] }, USE, 'unknown'],
  ['a managed policy missing from the snapshot is unknown', { attached: [`arn:aws:iam::${ACCOUNT}:policy/Gone`] }, USE, 'unknown'],
  ['a missing policy cannot undo a Deny seen', { inline: [deny(USE)], attached: [`arn:aws:iam::${ACCOUNT}:policy/Gone`] }, USE, 'none'],

  // Conditions
  ['a repository condition scopes', { inline: [allow(USE, '*', { StringEquals: { 'codestar-connections:FullRepositoryId': 'example-org/app' } })] }, USE, 'scoped'],
  ['a tag condition scopes', { inline: [allow(USE, '*', { StringEquals: { 'aws:ResourceTag/team': 'platform' } })] }, USE, 'scoped'],
  ['an ABAC tag condition scopes', { inline: [allow(USE, '*', { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } })] }, USE, 'scoped'],
  ['a negated tag condition only excludes', { inline: [allow(USE, '*', { StringNotEquals: { 'aws:ResourceTag/env': 'prod' } })] }, USE, 'unconditional'],
  ['a source IP condition does not scope', { inline: [allow(USE, '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })] }, USE, 'unconditional'],
  ['MFA does not scope', { inline: [allow(USE, '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } })] }, USE, 'unconditional'],
  ['ForAllValues on a key UseConnection carries scopes', { inline: [allow([USE, PASS], '*', { 'ForAllValues:StringEquals': { 'codestar-connections:ProviderAction': ['ListRepositories'] } })] }, USE, 'scoped'],
  ['ForAllValues on a key PassConnection never carries does not scope it', { inline: [allow([USE, PASS], '*', { 'ForAllValues:StringEquals': { 'codestar-connections:ProviderAction': ['ListRepositories'] } })] }, PASS, 'unconditional'],
  ['ForAnyValue on aws:TagKeys never holds for UseConnection (no tags in its requests)', { inline: [allow(USE, '*', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } })] }, USE, 'none'],
  ['a negated IfExists tag condition in a Deny scopes', { inline: [allow(USE), deny(USE, '*', { StringNotEqualsIfExists: { 'aws:ResourceTag/team': 'platform' } })] }, USE, 'scoped'],
  ['ForAnyValue on an absent key never holds', { inline: [allow(PASS, '*', { 'ForAnyValue:StringEquals': { 'codestar-connections:ProviderAction': ['ListRepositories'] } })] }, PASS, 'none'],
  ['IfExists on a key the action carries scopes', { inline: [allow(PASS, '*', { StringEqualsIfExists: { 'codestar-connections:PassedToService': 'codepipeline.amazonaws.com' } })] }, PASS, 'scoped'],
  ['IfExists on a key the action never carries does not scope', { inline: [allow(PASS, '*', { StringEqualsIfExists: { 'codestar-connections:FullRepositoryId': 'example-org/app' } })] }, PASS, 'unconditional'],
  ['StringEquals on a key the action never carries never holds', { inline: [allow(PASS, '*', { StringEquals: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } })] }, PASS, 'none'],
  ['a negated operator on an absent key holds', { inline: [allow(PASS, '*', { StringNotEquals: { 'codestar-connections:FullRepositoryId': 'x' } })] }, PASS, 'unconditional'],
  ['Null true on an absent key holds', { inline: [allow(USE, '*', { Null: { 'codestar-connections:PassedToService': 'true' } })] }, USE, 'unconditional'],
  ['Null false on an absent key never holds', { inline: [allow(USE, '*', { Null: { 'codestar-connections:PassedToService': 'false' } })] }, USE, 'none'],
  ['Null false on a tag scopes to tagged connections', { inline: [allow(USE, '*', { Null: { 'aws:ResourceTag/team': 'false' } })] }, USE, 'scoped'],
  ['condition keys are case-insensitive', { inline: [allow(USE, '*', { StringEquals: { 'CODESTAR-CONNECTIONS:fullrepositoryid': 'example-org/app' } })] }, USE, 'scoped'],
  ['the other prefix\'s key is not in this prefix\'s requests', { inline: [allow(USE, '*', { StringEquals: { 'codeconnections:FullRepositoryId': 'example-org/app' } })] }, USE, 'none'],
  ['aws:ResourceAccount = ${aws:PrincipalAccount} holds for every own connection', { inline: [allow(USE, '*', { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } })] }, USE, 'unconditional'],
  ['aws:ResourceAccount of another account holds for none', { inline: [allow(USE, '*', { StringEquals: { 'aws:ResourceAccount': '999988887777' } })] }, USE, 'none'],
  ['aws:PrincipalArn naming this role holds', { inline: [allow(USE, '*', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/c*` } })] }, USE, 'unconditional'],
  ['aws:username never holds for a role', { inline: [allow(USE, '*', { StringEquals: { 'aws:username': 'ci' } })] }, USE, 'none'],
  ['aws:username holds for the user', { groups: [[allow(USE, '*', { StringEquals: { 'aws:username': '${aws:username}' } })]] }, USE, 'unconditional'],
  ['a key the catalogue does not know is unknown', { inline: [allow(USE, '*', { StringEquals: { 'codestar-connections:RepositoryVisibility': 'private' } })] }, USE, 'unknown'],
  ['an aws: key that does not exist is unknown', { inline: [allow(USE, '*', { StringEquals: { 'aws:RepositoryOwner': 'x' } })] }, USE, 'unknown'],
  ['a scoping condition beside an unknown one still scopes', { inline: [allow(USE, '*', { StringEquals: { 'codestar-connections:RepositoryVisibility': 'private', 'aws:ResourceTag/team': 'a' } })] }, USE, 'scoped'],

  // Policies that cannot be judged
  ['an Effect that is neither Allow nor Deny is unknown', { inline: [{ Effect: 'Maybe', Action: USE, Resource: '*' } as unknown as PolicyStatement] }, USE, 'unknown'],
  ['an unknown condition operator is unknown', { inline: [allow(USE, '*', { StringSortOf: { 'aws:ResourceTag/team': 'a' } })] }, USE, 'unknown'],

  // Hosts
  ['host/* reaches every host', { inline: [allow('codeconnections:UpdateHost', 'arn:aws:codeconnections:*:*:host/*')] }, 'codeconnections:UpdateHost', 'unconditional'],
  ['one named host is scoped', { inline: [allow('codeconnections:UpdateHost', `arn:aws:codeconnections:us-east-1:${ACCOUNT}:host/ghes-platform-28aa7d37`)] }, 'codeconnections:UpdateHost', 'scoped'],
];

describe('IAM evaluation', () => {
  it.each(cases)('%s', (_name, setup, action, expected) => {
    const type: ResourceType = /Host$/.test(action) ? 'host' : 'connection';
    const got = reach(setup, action, type);
    expect(got.reach).toBe(expected);
    if (expected === 'unknown') expect(got.reasons.length, 'an unknown says why').toBeGreaterThan(0);
  });
});

describe('questions', () => {
  it('derive the administrative actions from the catalogue, as the rule documents them', () => {
    expect(adminActions()).toEqual(['DeleteConnection', 'DeleteHost', 'TagResource', 'UntagResource', 'UpdateConnectionInstallation', 'UpdateHost']);
  });

  it('ask about both prefixes of each action', () => {
    expect(questionsFor(['UseConnection']).map((q) => q.action.name)).toEqual(['codestar-connections:UseConnection', 'codeconnections:UseConnection']);
  });
});
