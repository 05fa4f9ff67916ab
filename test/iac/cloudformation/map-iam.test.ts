import { describe, expect, it } from 'vitest';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { identityOf } from '../../../src/collectors/iac/cloudformation/identity.js';
import { Unresolved, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { findings, resources, schemaProblems, snapshotOf, stack, statusOf, unknownEnv, type Spec } from './map-fixture.js';

const CONN = 'arn:aws:codeconnections:us-east-1:111122223333:connection/iac:templates/net.yaml#Conn';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const use = (resource: CfnValue): CfnValue => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'], Resource: resource }] });

function withRole(role: Record<string, CfnValue>, ...more: Spec[]) {
  return stack(
    resources(
      ['Conn', 'AWS::CodeConnections::Connection', { ConnectionName: 'github-org', ProviderType: 'GitHub' }],
      ['BuildRole', 'AWS::IAM::Role', { AssumeRolePolicyDocument: TRUST, ...role }],
      ...more,
    ),
  );
}

const USE = 'iam-useconnection-overbroad';

describe('AWS::IAM::Role', () => {
  it('maps trust policy, inline policies, managed ARNs and boundary; schema-valid', () => {
    const s = withRole({
      RoleName: 'builder',
      Path: '/ci/',
      Policies: [{ PolicyName: 'use', PolicyDocument: use(CONN) }],
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      Tags: [{ Key: 'team', Value: 'ci' }],
    });
    const mapped = mapStack(s);
    const [role] = mapped.iamRoles;
    expect(role).toMatchObject({
      arn: 'arn:aws:iam::111122223333:role/iac:templates/net.yaml#BuildRole',
      account: '111122223333',
      region: 'global',
      name: 'builder',
      path: '/ci/',
      tags: { team: 'ci' },
      assumeRolePolicy: TRUST,
      inlinePolicies: [{ name: 'use', document: use(CONN) }],
      attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    expect(role?.unreadable).toBeUndefined();
    expect(Object.keys(role?.origin?.properties ?? {})).toEqual(['assumeRolePolicy', 'attachedPolicies', 'inlinePolicies', 'name', 'path', 'permissionsBoundary', 'tags']);
    // Each AWS managed policy named, from the bundle, once.
    expect(mapped.iamPolicies.map((p) => [p.arn, p.awsManaged])).toEqual([
      ['arn:aws:iam::aws:policy/PowerUserAccess', true],
      ['arn:aws:iam::aws:policy/ReadOnlyAccess', true],
    ]);
    expect(schemaProblems(snapshotOf(s, mapped))).toEqual([]);
  });

  it('the Ref of a role is its RoleName, else a stand-in no real name can be; GetAtt Arn is its model ARN', () => {
    const env = stack([]);
    expect(identityOf(env, 'AWS::IAM::Role', 'BuildRole', { RoleName: 'builder' })).toEqual({ ref: 'builder', attributes: { Arn: 'arn:aws:iam::111122223333:role/iac:templates/net.yaml#BuildRole', RoleId: 'iac:templates/net.yaml#BuildRole' } });
    expect(identityOf(env, 'AWS::IAM::Role', 'BuildRole', {}).ref).toBe('iac:templates/net.yaml#BuildRole');
    const [role] = mapStack(withRole({})).iamRoles;
    expect(role?.name).toBe('iac:templates/net.yaml#BuildRole');
  });

  it('UseConnection on * fails, on !Ref Conn passes, with an unresolved Resource is unknown', () => {
    expect(statusOf(findings(withRole({ Policies: [{ PolicyName: 'use', PolicyDocument: use('*') }] })), USE, 'BuildRole')).toBe('fail');
    expect(statusOf(findings(withRole({ Policies: [{ PolicyName: 'use', PolicyDocument: use(CONN) }] })), USE, 'BuildRole')).toBe('pass');
    const all = findings(withRole({ Policies: [{ PolicyName: 'use', PolicyDocument: use(new Unresolved('Fn::ImportValue', 'export ci-connection is outside the template')) }] }));
    expect(statusOf(all, USE, 'BuildRole')).toBe('unknown');
    expect(all.find((f) => f.ruleId === USE)?.message).toContain('BuildRole.Policies: inline policy use: export ci-connection is outside the template');
  });

  it('a policy naming a bucket by !GetAtt Arn stays judgeable (the identity gives unmodelled types their ARN)', () => {
    const bucketArn = identityOf(stack([]), 'AWS::S3::Bucket', 'Artifacts', {}).attributes.Arn ?? '';
    const doc = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/*` }, { Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: CONN }] };
    expect(statusOf(findings(withRole({ Policies: [{ PolicyName: 'ci', PolicyDocument: doc }] }, ['Artifacts', 'AWS::S3::Bucket', {}])), USE, 'BuildRole')).toBe('pass');
  });

  it('account-relative patterns with the symbolic account of an unknown environment are judged', () => {
    const wide = use('arn:aws:codeconnections:aa-unknown-0:000000000000:connection/*');
    const s = unknownEnv(withRole({ Policies: [{ PolicyName: 'use', PolicyDocument: wide }] }).resources);
    expect(statusOf(findings(s), USE, 'BuildRole')).toBe('fail');
  });

  it('AdministratorAccess attached fails; an AWS managed ARN the bundle lacks, or a customer ARN outside the template, is unknown naming it', () => {
    expect(statusOf(findings(withRole({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] })), USE, 'BuildRole')).toBe('fail');
    for (const arn of ['arn:aws:iam::aws:policy/NoSuchPolicyInTheBundle', 'arn:aws:iam::111122223333:policy/shared-ci']) {
      const all = findings(withRole({ ManagedPolicyArns: [arn] }));
      expect(statusOf(all, USE, 'BuildRole')).toBe('unknown');
      expect(all.find((f) => f.ruleId === USE)?.message).toContain(arn);
    }
  });

  it('an unresolved ManagedPolicyArns entry is unknown, naming what was not resolved', () => {
    const all = findings(withRole({ ManagedPolicyArns: [new Unresolved('Ref', 'parameter PolicyArn has no default and no value')] }));
    expect(statusOf(all, USE, 'BuildRole')).toBe('unknown');
    expect(all.find((f) => f.ruleId === USE)?.message).toContain('parameter PolicyArn has no default and no value');
  });

  it('a trust or inline document outside the policy grammar is unreadable, naming the policy and the problem', () => {
    const [role] = mapStack(withRole({ AssumeRolePolicyDocument: '{"Statement":{"Effect":"Allow","Action":7}}', Policies: [{ PolicyName: 'bad', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*' }] } }] })).iamRoles;
    expect(role?.assumeRolePolicy).toEqual({ Statement: [] });
    expect(role?.inlinePolicies).toEqual([]);
    expect(role?.unreadable).toEqual([
      { field: 'inlinePolicies', operation: 'Policies', errorCode: 'MalformedPolicyDocument', message: 'BuildRole.Policies: inline policy bad: the document does not fit the policy grammar: /Statement/0: has both Action and NotAction (IAM allows one of them)' },
      { field: 'assumeRolePolicy', operation: 'AssumeRolePolicyDocument', errorCode: 'MalformedPolicyDocument', message: expect.stringMatching(/^BuildRole\.AssumeRolePolicyDocument: trust policy of role iac:templates\/net\.yaml#BuildRole: the document does not fit the policy grammar: \/Statement\/Action/) },
    ]);
    expect(statusOf(findings(withRole({ Policies: [{ PolicyName: 'bad', PolicyDocument: '{not json' }] })), USE, 'BuildRole')).toBe('unknown');
  });
});

describe('policies attached by other resources', () => {
  it('AWS::IAM::Policy joins by !Ref of the role name (literal or stand-in) and becomes an inline policy', () => {
    for (const role of [{}, { RoleName: 'builder' }] as Array<Record<string, CfnValue>>) {
      const ref = identityOf(stack([]), 'AWS::IAM::Role', 'BuildRole', role).ref;
      const s = withRole(role, ['UsePolicy', 'AWS::IAM::Policy', { PolicyName: 'use-all', PolicyDocument: use('*'), Roles: [ref] }]);
      const [mapped] = mapStack(s).iamRoles;
      expect(mapped?.inlinePolicies.map((p) => p.name)).toEqual(['use-all']);
      expect(mapped?.origin?.properties?.inlinePolicies?.line).toBe(s.resources[2]?.propertyLocations.PolicyDocument?.line);
      expect(statusOf(findings(s), USE, 'BuildRole')).toBe('fail');
    }
  });

  it('a policy attached to an unresolved role name makes every role of the template unknown', () => {
    const s = withRole({}, ['UsePolicy', 'AWS::IAM::Policy', { PolicyName: 'use-all', PolicyDocument: use('*'), Roles: [new Unresolved('Ref', 'parameter RoleName has no value')] }]);
    expect(statusOf(findings(s), USE, 'BuildRole')).toBe('unknown');
  });

  it('RolePolicy, UserPolicy and GroupPolicy name their principal by name', () => {
    const s = stack(
      resources(
        ['BuildRole', 'AWS::IAM::Role', { AssumeRolePolicyDocument: TRUST }],
        ['Dev', 'AWS::IAM::User', { UserName: 'dev', Groups: ['iac:templates/net.yaml#Devs'] }],
        ['Devs', 'AWS::IAM::Group', {}],
        ['RP', 'AWS::IAM::RolePolicy', { RoleName: 'iac:templates/net.yaml#BuildRole', PolicyName: 'rp', PolicyDocument: use(CONN) }],
        ['UP', 'AWS::IAM::UserPolicy', { UserName: 'dev', PolicyName: 'up', PolicyDocument: use(CONN) }],
        ['GP', 'AWS::IAM::GroupPolicy', { GroupName: 'iac:templates/net.yaml#Devs', PolicyName: 'gp', PolicyDocument: use('*') }],
      ),
    );
    const m = mapStack(s);
    expect(m.iamRoles[0]?.inlinePolicies.map((p) => p.name)).toEqual(['rp']);
    expect(m.iamUsers[0]?.inlinePolicies.map((p) => p.name)).toEqual(['up']);
    expect(m.iamUsers[0]?.groups).toEqual(['iac:templates/net.yaml#Devs']);
    expect(m.iamGroups[0]?.inlinePolicies.map((p) => p.name)).toEqual(['gp']);
    const all = findings(s);
    expect(statusOf(all, USE, 'BuildRole')).toBe('pass');
    // The group's policy reaches the user through the group.
    expect(statusOf(all, USE, 'Dev')).toBe('fail');
  });

  it('AWS::IAM::ManagedPolicy is an iamPolicy attached by its Roles/Users/Groups and by ManagedPolicyArns', () => {
    const s = stack(
      resources(
        ['UseAll', 'AWS::IAM::ManagedPolicy', { PolicyDocument: use('*'), Roles: ['builder'] }],
        ['BuildRole', 'AWS::IAM::Role', { RoleName: 'builder', AssumeRolePolicyDocument: TRUST }],
        ['Dev', 'AWS::IAM::User', { ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/iac:templates/net.yaml#UseAll'] }],
      ),
    );
    const m = mapStack(s);
    expect(m.iamPolicies).toHaveLength(1);
    expect(m.iamPolicies[0]).toMatchObject({ arn: 'arn:aws:iam::111122223333:policy/iac:templates/net.yaml#UseAll', name: 'iac:templates/net.yaml#UseAll', defaultVersionId: 'v1', awsManaged: false, attachmentCount: 2 });
    expect(m.iamRoles[0]?.attachedPolicies).toEqual(['arn:aws:iam::111122223333:policy/iac:templates/net.yaml#UseAll']);
    const all = findings(s);
    expect(statusOf(all, USE, 'BuildRole')).toBe('fail');
    expect(statusOf(all, USE, 'Dev')).toBe('fail');
  });

  it('UserToGroupAddition puts users in a group; a group outside the template leaves the user unknown', () => {
    const s = stack(
      resources(
        ['Dev', 'AWS::IAM::User', {}],
        ['Devs', 'AWS::IAM::Group', { GroupName: 'devs', Policies: [{ PolicyName: 'g', PolicyDocument: use('*') }] }],
        ['Add', 'AWS::IAM::UserToGroupAddition', { GroupName: 'devs', Users: ['iac:templates/net.yaml#Dev'] }],
      ),
    );
    expect(mapStack(s).iamUsers[0]?.groups).toEqual(['devs']);
    expect(statusOf(findings(s), USE, 'Dev')).toBe('fail');
    const outside = stack(resources(['Dev', 'AWS::IAM::User', { Groups: ['shared-admins'] }]));
    const all = findings(outside);
    expect(statusOf(all, USE, 'Dev')).toBe('unknown');
    expect(all.find((f) => f.ruleId === USE)?.message).toContain('shared-admins');
  });
});
