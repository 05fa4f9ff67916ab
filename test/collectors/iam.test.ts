import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../../src/collectors/clients.js';
import { IAM_OPERATIONS, collectIam } from '../../src/collectors/iam.js';
import type { Collected, Target } from '../../src/collectors/types.js';
import type { PolicyDocument } from '../../src/model/types.js';
import { IAM_ENDPOINT, XML_TYPE, authorizationDetails, encodePolicy, iamError } from './iam-wire.js';
import { notAllowed } from './policy-check.js';
import { jsonError, testClients, useNock, validates } from './nock-lifecycle.js';

const TARGET: Target = { partition: 'aws', account: '111122223333', region: 'global' };
const ACCOUNT = '111122223333';

function client(): { client: ReturnType<typeof clientsFor>['iam']; calls: string[] } {
  const { clients, calls } = testClients();
  return { client: clients.iam, calls };
}

/** The form fields of a query-protocol request body (nock may hand over a string or an object). */
function form(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  return body as Record<string, string>;
}

/** One GetAccountAuthorizationDetails call, at the page starting at `marker` (none: the first). */
function details(marker: string | undefined): nock.Interceptor {
  return nock(IAM_ENDPOINT).post('/', (b: unknown) => {
    const f = form(b);
    return f.Action === 'GetAccountAuthorizationDetails' && f.Version === '2010-05-08' && f.MaxItems === '1000' && f.Marker === marker && f.Filter === undefined;
  });
}



useNock();

// Characters the percent-encoding must carry: space, double quote, '+', '%', and non-ASCII.
const DEPLOY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Deploy',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::release bucket/100% "final"/a+b/café-ü/*',
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'Équipe plateforme' } },
    },
  ],
};
const DEV_READ: PolicyDocument = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'codestar-connections:List*', Resource: '*' } };
const TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const V1: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const V2: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*' }] };
const V3: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }] };
const READ_ONLY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] };

const ALICE = `arn:aws:iam::${ACCOUNT}:user/eng/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const DEVELOPERS = `arn:aws:iam::${ACCOUNT}:group/developers`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/service/deployer`;
const LOCAL = `arn:aws:iam::${ACCOUNT}:policy/LocalDeploy`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/Boundary`;
const AWS_READ_ONLY = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';

describe('collectIam', () => {
  it('passes the SDK the documents still percent-encoded, so decoding is ours', async () => {
    const { client: iam } = client();
    const encoded = encodePolicy(DEPLOY);
    // What the test documents relies on: every awkward character arrives encoded.
    for (const part of ['%20', '%22', '%2B', '%25', '%C3%A9', '%C3%89']) expect(encoded).toContain(part);
    details(undefined).reply(
      200,
      authorizationDetails({ UserDetailList: [{ UserName: 'bob', Arn: BOB, UserPolicyList: [{ PolicyName: 'deploy', PolicyDocument: encoded }] }], IsTruncated: false }),
      XML_TYPE,
    );
    const out = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(out.UserDetailList?.[0]?.UserPolicyList?.[0]?.PolicyDocument).toBe(encoded);
  });

  it('reads every page, decodes documents, keeps only the default policy version and marks AWS managed policies', async () => {
    const { client: iam, calls } = client();
    details(undefined).reply(
      200,
      authorizationDetails({
        UserDetailList: [
          {
            Path: '/eng/',
            UserName: 'alice',
            UserId: 'AIDAALICE0000000001',
            Arn: ALICE,
            CreateDate: '2024-01-01T00:00:00Z',
            UserPolicyList: [{ PolicyName: 'deploy', PolicyDocument: encodePolicy(DEPLOY) }],
            GroupList: ['developers'],
            AttachedManagedPolicies: [{ PolicyName: 'LocalDeploy', PolicyArn: LOCAL }],
            PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: BOUNDARY },
            Tags: [{ Key: 'team', Value: 'eng' }, { Key: 'cost center', Value: '42' }],
          },
        ],
        GroupDetailList: [
          {
            Path: '/',
            GroupName: 'developers',
            GroupId: 'AGPADEVELOPERS00001',
            Arn: DEVELOPERS,
            CreateDate: '2024-01-01T00:00:00Z',
            GroupPolicyList: [{ PolicyName: 'list-connections', PolicyDocument: encodePolicy(DEV_READ) }],
            AttachedManagedPolicies: [{ PolicyName: 'IAMReadOnlyAccess', PolicyArn: AWS_READ_ONLY }],
          },
        ],
        Policies: [
          {
            PolicyName: 'LocalDeploy',
            PolicyId: 'ANPALOCALDEPLOY0001',
            Arn: LOCAL,
            Path: '/',
            DefaultVersionId: 'v2',
            AttachmentCount: 2,
            PermissionsBoundaryUsageCount: 0,
            IsAttachable: true,
            CreateDate: '2024-01-01T00:00:00Z',
            UpdateDate: '2024-03-01T00:00:00Z',
            PolicyVersionList: [
              { Document: encodePolicy(V1), VersionId: 'v1', IsDefaultVersion: false, CreateDate: '2024-01-01T00:00:00Z' },
              { Document: encodePolicy(V2), VersionId: 'v2', IsDefaultVersion: true, CreateDate: '2024-02-01T00:00:00Z' },
              { Document: encodePolicy(V3), VersionId: 'v3', IsDefaultVersion: false, CreateDate: '2024-03-01T00:00:00Z' },
            ],
          },
        ],
        IsTruncated: true,
        Marker: 'marker/page+2=',
      }),
      XML_TYPE,
    );
    details('marker/page+2=').reply(
      200,
      authorizationDetails({
        UserDetailList: [{ Path: '/', UserName: 'bob', UserId: 'AIDABOB000000000001', Arn: BOB, CreateDate: '2024-01-01T00:00:00Z' }],
        RoleDetailList: [
          {
            Path: '/service/',
            RoleName: 'deployer',
            RoleId: 'AROADEPLOYER0000001',
            Arn: DEPLOYER,
            CreateDate: '2024-01-01T00:00:00Z',
            AssumeRolePolicyDocument: encodePolicy(TRUST),
            InstanceProfileList: [],
            RolePolicyList: [],
            AttachedManagedPolicies: [{ PolicyName: 'LocalDeploy', PolicyArn: LOCAL }],
            Tags: [{ Key: 'purpose', Value: 'ci' }],
            RoleLastUsed: { LastUsedDate: '2024-05-01T00:00:00Z', Region: 'us-east-1' },
          },
        ],
        Policies: [
          {
            PolicyName: 'IAMReadOnlyAccess',
            PolicyId: 'ANPAIAMREADONLY0001',
            Arn: AWS_READ_ONLY,
            Path: '/',
            DefaultVersionId: 'v7',
            AttachmentCount: 1,
            IsAttachable: true,
            PolicyVersionList: [{ Document: encodePolicy(READ_ONLY), VersionId: 'v7', IsDefaultVersion: true }],
          },
        ],
        IsTruncated: false,
      }),
      XML_TYPE,
    );

    const collected = await collectIam(iam, TARGET);

    expect(collected).toEqual({
      iamUsers: [
        {
          arn: BOB,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'bob',
          path: '/',
          id: 'AIDABOB000000000001',
          inlinePolicies: [],
          attachedPolicies: [],
          groups: [],
        },
        {
          arn: ALICE,
          account: ACCOUNT,
          region: 'global',
          tags: { team: 'eng', 'cost center': '42' },
          name: 'alice',
          path: '/eng/',
          id: 'AIDAALICE0000000001',
          inlinePolicies: [{ name: 'deploy', document: DEPLOY }],
          attachedPolicies: [LOCAL],
          permissionsBoundary: BOUNDARY,
          groups: ['developers'],
        },
      ],
      iamGroups: [
        {
          arn: DEVELOPERS,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'developers',
          path: '/',
          id: 'AGPADEVELOPERS00001',
          inlinePolicies: [{ name: 'list-connections', document: DEV_READ }],
          attachedPolicies: [AWS_READ_ONLY],
        },
      ],
      iamRoles: [
        {
          arn: DEPLOYER,
          account: ACCOUNT,
          region: 'global',
          tags: { purpose: 'ci' },
          name: 'deployer',
          path: '/service/',
          id: 'AROADEPLOYER0000001',
          inlinePolicies: [],
          attachedPolicies: [LOCAL],
          assumeRolePolicy: TRUST,
        },
      ],
      iamPolicies: [
        {
          arn: LOCAL,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'LocalDeploy',
          path: '/',
          id: 'ANPALOCALDEPLOY0001',
          defaultVersionId: 'v2',
          document: V2,
          attachmentCount: 2,
          awsManaged: false,
        },
        {
          arn: AWS_READ_ONLY,
          // Where it was read, although the ARN's account is "aws".
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'IAMReadOnlyAccess',
          path: '/',
          id: 'ANPAIAMREADONLY0001',
          defaultVersionId: 'v7',
          document: READ_ONLY,
          attachmentCount: 1,
          awsManaged: true,
        },
      ],
      coverage: [],
    });
    expect(calls).toEqual(['iam:GetAccountAuthorizationDetails', 'iam:GetAccountAuthorizationDetails']);
    expect(calls.every((c) => IAM_OPERATIONS.includes(c.replace(/^iam:/, '')))).toBe(true);
    expect(notAllowed(calls)).toEqual([]);
    validates(collected);
  });

  it('keeps principals and policies whose documents do not decode, marking those fields unreadable with one gap per field', async () => {
    const { client: iam } = client();
    const mallory = `arn:aws:iam::${ACCOUNT}:user/mallory`;
    const brokenTrust = `arn:aws:iam::${ACCOUNT}:role/broken-trust`;
    const weird = `arn:aws:iam::${ACCOUNT}:policy/Weird`;
    const raw = `arn:aws:iam::${ACCOUNT}:group/raw`;
    // Already decoded on the way (starts with '{'): taken as is, its '%' not misread as an escape.
    const rawDoc = '{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%"}}';
    details(undefined).reply(
      200,
      authorizationDetails({
        UserDetailList: [
          {
            UserName: 'mallory',
            Arn: mallory,
            UserPolicyList: [
              { PolicyName: 'good', PolicyDocument: encodePolicy(DEV_READ) },
              { PolicyName: 'bad-escape', PolicyDocument: '%7B%22Statement%22%3A%E0%A4%A' },
            ],
          },
        ],
        GroupDetailList: [
          {
            GroupName: 'raw',
            Arn: raw,
            GroupPolicyList: [
              { PolicyName: 'raw', PolicyDocument: rawDoc },
              { PolicyName: 'truncated', PolicyDocument: '%7B%22Statement%22' },
            ],
          },
        ],
        RoleDetailList: [{ RoleName: 'broken-trust', Arn: brokenTrust, AssumeRolePolicyDocument: encodeURIComponent('{"Version": "2012-10-17", "Statement": [') }],
        Policies: [
          {
            PolicyName: 'Weird',
            Arn: weird,
            DefaultVersionId: 'v2',
            AttachmentCount: 0,
            PolicyVersionList: [
              { Document: encodePolicy(V1), VersionId: 'v1', IsDefaultVersion: false },
              { Document: encodePolicy({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }), VersionId: 'v2', IsDefaultVersion: true },
            ],
          },
        ],
        IsTruncated: false,
      }),
      XML_TYPE,
    );

    const collected = await collectIam(iam, TARGET);

    const badEscape = 'inline policy bad-escape: document is not valid percent-encoding';
    const badTruncated = `inline policy truncated: document is not valid JSON: ${jsonError('{"Statement"')}`;
    const badJson = `document is not valid JSON: ${jsonError('{"Version": "2012-10-17", "Statement": [')}`;
    const badGrammar = 'document does not fit the policy grammar: /Statement/0/Effect: expected one of "Allow", "Deny", got "Maybe"';
    const gap = { account: ACCOUNT, region: 'global', service: 'iam', operation: 'GetAccountAuthorizationDetails', errorCode: 'MalformedPolicyDocument' };
    expect(collected).toEqual({
      iamUsers: [
        {
          arn: mallory,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'mallory',
          inlinePolicies: [{ name: 'good', document: DEV_READ }],
          attachedPolicies: [],
          groups: [],
          unreadable: [{ field: 'inlinePolicies', operation: 'GetAccountAuthorizationDetails', errorCode: 'MalformedPolicyDocument', message: badEscape }],
        },
      ],
      iamGroups: [
        {
          arn: raw,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'raw',
          inlinePolicies: [{ name: 'raw', document: JSON.parse(rawDoc) as PolicyDocument }],
          attachedPolicies: [],
          unreadable: [{ field: 'inlinePolicies', operation: 'GetAccountAuthorizationDetails', errorCode: 'MalformedPolicyDocument', message: badTruncated }],
        },
      ],
      iamRoles: [
        {
          arn: brokenTrust,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'broken-trust',
          inlinePolicies: [],
          attachedPolicies: [],
          assumeRolePolicy: { Statement: [] },
          unreadable: [{ field: 'assumeRolePolicy', operation: 'GetAccountAuthorizationDetails', errorCode: 'MalformedPolicyDocument', message: badJson }],
        },
      ],
      iamPolicies: [
        {
          arn: weird,
          account: ACCOUNT,
          region: 'global',
          tags: {},
          name: 'Weird',
          defaultVersionId: 'v2',
          document: { Statement: [] },
          attachmentCount: 0,
          awsManaged: false,
          unreadable: [{ field: 'document', operation: 'GetAccountAuthorizationDetails', errorCode: 'MalformedPolicyDocument', message: badGrammar }],
        },
      ],
      coverage: [
        { ...gap, message: `${mallory}: ${badEscape}`, resourceKinds: ['iamUser', 'iamGroup'], field: 'inlinePolicies' },
        { ...gap, message: `${brokenTrust}: ${badJson}`, resourceKinds: ['iamRole'], field: 'assumeRolePolicy' },
        { ...gap, message: `${weird}: ${badGrammar}`, resourceKinds: ['iamPolicy'], field: 'document' },
      ],
    });
    // The placeholder { Statement: [] } is valid against the schema.
    validates(collected);
  });

  it('turns AccessDenied into one gap without field and no IAM resources', async () => {
    const { client: iam } = client();
    const message = `User: arn:aws:iam::${ACCOUNT}:user/audit is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *`;
    details(undefined).reply(403, iamError('AccessDenied', message), XML_TYPE);

    const collected = await collectIam(iam, TARGET);

    expect(collected).toEqual({
      iamUsers: [],
      iamGroups: [],
      iamRoles: [],
      iamPolicies: [],
      coverage: [
        {
          account: ACCOUNT,
          region: 'global',
          service: 'iam',
          operation: 'GetAccountAuthorizationDetails',
          errorCode: 'AccessDenied',
          message,
          resourceKinds: ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'],
        },
      ],
    });
    validates(collected);
  });

  it('returns nothing but the gap when a later page fails, never half a listing', async () => {
    const { client: iam, calls } = client();
    details(undefined).reply(
      200,
      authorizationDetails({ UserDetailList: [{ UserName: 'bob', Arn: BOB }], IsTruncated: true, Marker: 'm2' }),
      XML_TYPE,
    );
    details('m2').reply(403, iamError('AccessDenied', 'denied on page 2'), XML_TYPE);

    const collected = await collectIam(iam, TARGET);

    expect(collected).toEqual({
      iamUsers: [],
      iamGroups: [],
      iamRoles: [],
      iamPolicies: [],
      coverage: [
        {
          account: ACCOUNT,
          region: 'global',
          service: 'iam',
          operation: 'GetAccountAuthorizationDetails',
          errorCode: 'AccessDenied',
          message: 'denied on page 2',
          resourceKinds: ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'],
        },
      ],
    });
    expect(calls).toHaveLength(2);
  });

  it('treats a truncated page without a Marker as a failed listing', async () => {
    const { client: iam } = client();
    details(undefined).reply(200, authorizationDetails({ UserDetailList: [{ UserName: 'bob', Arn: BOB }], IsTruncated: true }), XML_TYPE);

    const collected = await collectIam(iam, TARGET);

    expect(collected.iamUsers).toEqual([]);
    expect(collected.coverage).toEqual([
      {
        account: ACCOUNT,
        region: 'global',
        service: 'iam',
        operation: 'GetAccountAuthorizationDetails',
        errorCode: 'InvalidResponse',
        message: 'GetAccountAuthorizationDetails: IsTruncated with no Marker',
        resourceKinds: ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'],
      },
    ]);
  });

  it('rethrows credential errors instead of recording a gap', async () => {
    const { client: iam } = client();
    details(undefined).reply(403, iamError('InvalidClientTokenId', 'The security token included in the request is invalid.'), XML_TYPE);
    await expect(collectIam(iam, TARGET)).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });
});
