// A plan over an estate that exists (no-op, update, replace, delete; known ids and ARNs; two
// provider configurations): account and regions from the plan, joins by known values, IAM
// users/groups/memberships/attachments, hosts, and a sensitive tag that never reaches the output.
import { describe, expect, it } from 'vitest';
import { validator } from '../../../src/schema/validate.js';
import { FIXTURES, findingsOf, loadFixture, snapshotOf, statuses } from './helpers.js';

const PLAN = `${FIXTURES}/existing/plan.json`;
const MAIN = `${FIXTURES}/existing/main.tf`;
const id = (address: string): string => `${PLAN}#${address}`;
const loc = (line: number, column: number, endLine: number, endColumn: number) => ({ file: MAIN, line, column, endLine, endColumn });

describe('terraform plan over an existing estate', async () => {
  const load = await loadFixture('existing/plan.json');
  const s = snapshotOf(load);
  const user = (name: string) => s.iamUsers.find((u) => u.name === name);

  it('takes the account from the ARNs in the plan and regions from each provider configuration', () => {
    expect(s.scope).toEqual({ partition: 'aws', accounts: ['111122223333'], regions: ['us-east-1', 'us-west-2'] });
    expect(load.inputs).toEqual([{ file: PLAN, format: 'terraform', resources: 19, unmapped: 0 }]);
  });

  it('is a valid snapshot', () => {
    const validate = validator('snapshot');
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });

  it('leaves out a deleted resource and keeps a replaced one, with a sensitive tag unreadable and absent', () => {
    expect(s.vpcEndpoints.map((e) => e.origin?.address)).toEqual(['aws_vpc_endpoint.replaced']);
    expect(s.vpcEndpoints[0]).toEqual({
      arn: `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/iac:${id('aws_vpc_endpoint.replaced')}`,
      account: '111122223333',
      region: 'us-east-1',
      tags: {},
      id: `iac:${id('aws_vpc_endpoint.replaced')}`,
      vpcId: 'vpc-0123456789abcdef0',
      serviceName: 'com.amazonaws.us-east-1.ecr.api',
      endpointType: 'Interface',
      state: 'pending',
      privateDnsEnabled: false,
      requesterManaged: false,
      unreadable: [{ field: 'tags', operation: 'after_sensitive', errorCode: 'Sensitive', message: 'aws_vpc_endpoint.replaced.tags_all is sensitive: its value is not read' }],
      origin: {
        format: 'terraform',
        id: id('aws_vpc_endpoint.replaced'),
        location: loc(45, 1, 50, 2),
        address: 'aws_vpc_endpoint.replaced',
        properties: { endpointType: loc(48, 3, 48, 34), serviceName: loc(47, 3, 47, 56), tags: loc(49, 3, 49, 40), vpcId: loc(46, 3, 46, 46) },
      },
    });
    expect(JSON.stringify(load)).not.toContain('s3cr3t');
  });

  it('keeps the IaC identity of an existing service and its known values; the permission joins by its known id', () => {
    expect(s.endpointServices).toEqual([
      {
        arn: `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/iac:${id('aws_vpc_endpoint_service.git')}`,
        account: '111122223333',
        region: 'us-east-1',
        tags: {},
        id: `iac:${id('aws_vpc_endpoint_service.git')}`,
        serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
        serviceType: 'Interface',
        state: 'Available',
        acceptanceRequired: true,
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        allowedPrincipals: [{ principal: 'arn:aws:iam::111122223333:role/consumer', principalType: 'Role' }],
        endpointConnections: [],
        connectionNotifications: [],
        managesVpcEndpoints: false,
        networkLoadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/git/0123456789abcdef'],
        gatewayLoadBalancerArns: [],
        privateDns: { name: 'git.example.com', verificationState: 'verified', verificationType: 'TXT', verificationName: '_vpce-verify', verificationValue: 'vpce:abc' },
        origin: {
          format: 'terraform',
          id: id('aws_vpc_endpoint_service.git'),
          location: loc(34, 1, 38, 2),
          address: 'aws_vpc_endpoint_service.git',
          properties: {
            acceptanceRequired: loc(35, 3, 35, 36),
            allowedPrincipals: loc(42, 3, 42, 70),
            networkLoadBalancerArns: loc(36, 3, 36, 125),
            privateDns: loc(37, 3, 37, 49),
          },
        },
      },
    ]);
  });

  it('maps a host in a VPC and a connection on it (provider type from the host, hostArn its IaC identity)', () => {
    const hostArn = `arn:aws:codeconnections:us-west-2:111122223333:host/iac:${id('aws_codeconnections_host.gitlab')}`;
    expect(s.hosts).toEqual([
      {
        arn: hostArn,
        account: '111122223333',
        region: 'us-west-2',
        tags: {},
        name: 'gitlab-internal',
        providerType: 'GitLabSelfManaged',
        providerEndpoint: 'http://gitlab.internal.example.com',
        status: 'AVAILABLE',
        vpcConfiguration: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'], securityGroupIds: ['sg-0123456789abcdef0'] },
        origin: {
          format: 'terraform',
          id: id('aws_codeconnections_host.gitlab'),
          location: loc(15, 1, 26, 2),
          address: 'aws_codeconnections_host.gitlab',
          properties: { name: loc(17, 3, 17, 40), providerEndpoint: loc(19, 3, 19, 59), providerType: loc(18, 3, 18, 42), vpcConfiguration: loc(21, 3, 25, 4) },
        },
      },
    ]);
    expect(s.connections).toEqual([
      {
        arn: `arn:aws:codeconnections:us-west-2:111122223333:connection/iac:${id('aws_codeconnections_connection.gitlab')}`,
        account: '111122223333',
        region: 'us-west-2',
        tags: {},
        name: 'gitlab',
        providerType: 'GitLabSelfManaged',
        status: 'PENDING',
        hostArn,
        // Created by the plan: its status is runtime state, as in CloudFormation.
        unreadable: [{ field: 'status', operation: 'Status', errorCode: 'RuntimeState', message: 'the status of connection gitlab is runtime state: AWS creates it PENDING until it is completed in the console' }],
        origin: {
          format: 'terraform',
          id: id('aws_codeconnections_connection.gitlab'),
          location: loc(28, 1, 32, 2),
          address: 'aws_codeconnections_connection.gitlab',
          properties: { hostArn: loc(31, 3, 31, 49), name: loc(30, 3, 30, 22) },
        },
      },
    ]);
  });

  it('maps users with inline policies, boundaries, group memberships (both resources) and attachments', () => {
    const alice = user('alice');
    expect(alice && { ...alice, origin: undefined }).toEqual({
      arn: `arn:aws:iam::111122223333:user/iac:${id('aws_iam_user.alice')}`,
      account: '111122223333',
      region: 'global',
      tags: {},
      name: 'alice',
      path: '/',
      inlinePolicies: [{ name: 'read-connections', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:ListConnections', Resource: '*' }] } }],
      attachedPolicies: [],
      permissionsBoundary: 'arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess',
      groups: ['admins'],
      origin: undefined,
    });
    expect(alice?.origin?.properties?.groups).toEqual(loc(76, 3, 76, 39));
    expect(user('bob')?.groups).toEqual(['ops']);
    expect(user('bob')?.origin?.properties?.groups).toEqual(loc(108, 3, 108, 34));
    expect(user('carol')?.attachedPolicies).toEqual(['arn:aws:iam::aws:policy/NotInTheBundleForTests']);
  });

  it('maps groups; an attachment by the real ARN of a plan policy names its IaC identity', () => {
    const policyArn = `arn:aws:iam::111122223333:policy/iac:${id('aws_iam_policy.connections')}`;
    expect(s.iamGroups[0]).toEqual({
      arn: `arn:aws:iam::111122223333:group/iac:${id('aws_iam_group.admins')}`,
      account: '111122223333',
      region: 'global',
      tags: {},
      name: 'admins',
      path: '/',
      inlinePolicies: [],
      attachedPolicies: [policyArn],
      origin: {
        format: 'terraform',
        id: id('aws_iam_group.admins'),
        location: loc(60, 1, 62, 2),
        address: 'aws_iam_group.admins',
        properties: { attachedPolicies: loc(66, 3, 66, 46), name: loc(61, 3, 61, 18) },
      },
    });
    expect(s.iamGroups.map((g) => [g.name, g.inlinePolicies.map((p) => p.name), g.attachedPolicies])).toEqual([
      ['admins', [], [policyArn]],
      ['ops', ['use-all'], []],
    ]);
    expect(s.iamPolicies.find((p) => p.arn === policyArn)).toEqual({
      arn: policyArn,
      account: '111122223333',
      region: 'global',
      tags: {},
      name: 'connections-admin',
      path: '/',
      defaultVersionId: 'v1',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:*', Resource: '*' }] },
      awsManaged: false,
      origin: { format: 'terraform', id: id('aws_iam_policy.connections'), location: loc(52, 1, 58, 2), address: 'aws_iam_policy.connections', properties: { document: loc(54, 3, 57, 5), name: loc(53, 3, 53, 29) } },
    });
  });

  it('maps a role with inline_policy blocks, managed_policy_arns and an exclusive attachment', () => {
    const legacy = s.iamRoles[0];
    expect(legacy && { ...legacy, origin: undefined }).toEqual({
      arn: `arn:aws:iam::111122223333:role/iac:${id('aws_iam_role.legacy')}`,
      account: '111122223333',
      region: 'global',
      tags: {},
      name: 'legacy',
      path: '/',
      inlinePolicies: [{ name: 'inline', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:GetConnection', Resource: '*' }] } }],
      attachedPolicies: ['arn:aws:iam::111122223333:policy/external', 'arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess'],
      assumeRolePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] },
      origin: undefined,
    });
    expect(legacy?.origin?.properties).toEqual({ assumeRolePolicy: loc(122, 3, 125, 5), attachedPolicies: loc(126, 3, 126, 82), inlinePolicies: loc(128, 3, 134, 4), name: loc(121, 3, 121, 18) });
  });

  it('judges IAM through memberships and boundaries; an ARN neither the plan nor the bundle holds is unknown, named', () => {
    const st = statuses(s);
    expect(st.get('iam-useconnection-overbroad aws_iam_user.bob')).toBe('fail');
    // The group policy grants codeconnections:*, the boundary allows none of it.
    expect(st.get('iam-connection-admin-overbroad aws_iam_user.alice')).toBe('pass');
    expect(st.get('iam-useconnection-overbroad aws_iam_user.carol')).toBe('unknown');
    expect(st.get('iam-useconnection-overbroad aws_iam_role.legacy')).toBe('unknown');
    const messages = findingsOf(s).filter((f) => f.ruleId === 'iam-useconnection-overbroad' && f.status === 'unknown').map((f) => f.message);
    expect(messages.some((m) => m.includes('arn:aws:iam::aws:policy/NotInTheBundleForTests'))).toBe(true);
    expect(messages.some((m) => m.includes('arn:aws:iam::111122223333:policy/external'))).toBe(true);
    expect(st.get('host-endpoint-not-https aws_codeconnections_host.gitlab')).toBe('fail');
    expect(st.get('endpoint-service-no-notifications aws_vpc_endpoint_service.git')).toBe('fail');
  });
});
