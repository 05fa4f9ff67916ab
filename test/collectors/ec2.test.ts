import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor } from '../../src/collectors/clients.js';
import { collectEc2, EC2_OPERATIONS } from '../../src/collectors/ec2.js';
import type { Collected, Target } from '../../src/collectors/types.js';
import type { CoverageGap, EndpointService, VpcEndpoint } from '../../src/model/types.js';
import { ec2Error, ec2Response, XML_HEADERS, type Wire } from './ec2-wire.js';
import { asSnapshot, testClients } from './nock-lifecycle.js';

const HOST = 'https://ec2.us-east-1.amazonaws.com';
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const TARGET: Target = { partition: 'aws', account: ACCOUNT, region: REGION };
const EP_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/`;
const SVC_ARN = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint-service/`;
const CODECONNECTIONS = 'com.amazonaws.us-east-1.codestar-connections.api';
const PARTNER_SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0ffe0ffe0ffe0ffe0';
const UNAUTHORIZED = 'You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/audit/x is not authorized to perform: ec2:DescribeVpcEndpointServicePermissions because no identity-based policy allows the ec2:DescribeVpcEndpointServicePermissions action';

type Params = Record<string, string | undefined>;
interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Requests answered per operation, counted when nock replies. */
let calls: Record<string, number>;

function ec2(maxAttempts = 3) {
  return testClients(REGION, maxAttempts).clients.ec2;
}

/**
 * Expects one request for `action` whose form parameters include `params` (undefined: must be
 * absent, so a first page carries no NextToken), and answers it with `reply`.
 */
function answer(action: string, params: Params, reply: Reply): void {
  nock(HOST)
    .post('/', (body: Record<string, string>) => body.Action === action && Object.entries(params).every(([k, v]) => body[k] === v))
    .reply(() => {
      calls[action] = (calls[action] ?? 0) + 1;
      return [reply.status, reply.body, reply.headers ?? XML_HEADERS];
    });
}

function ok(action: string, params: Params, members: Record<string, Wire>): void {
  answer(action, params, { status: 200, body: ec2Response(action, members) });
}

function refuse(action: string, params: Params, status: number, code: string, message: string): void {
  answer(action, params, { status, body: ec2Error(code, message) });
}

const first = { MaxResults: '1000', NextToken: undefined };

/** What the live scan would write: the collected data inside a snapshot, validated by the loader. */
const validated = (collected: Collected) => asSnapshot(collected, REGION);

function gap(operation: string, errorCode: string, message: string, resourceKinds: CoverageGap['resourceKinds'], field?: string): CoverageGap {
  return { account: ACCOUNT, region: REGION, service: 'ec2', operation, errorCode, message, resourceKinds, ...(field ? { field } : {}) };
}

function gatewayEndpoint(id: string, extra: Record<string, Wire> = {}): Record<string, Wire> {
  return {
    vpcEndpointId: id,
    vpcEndpointType: 'Gateway',
    vpcId: 'vpc-0a1b2c3d',
    serviceName: 'com.amazonaws.us-east-1.s3',
    state: 'available',
    routeTableIdSet: ['rtb-0a1b'],
    subnetIdSet: [],
    groupSet: [],
    privateDnsEnabled: false,
    requesterManaged: false,
    networkInterfaceIdSet: [],
    dnsEntrySet: [],
    creationTimestamp: '2024-03-01T10:00:00.000Z',
    ownerId: ACCOUNT,
    ...extra,
  };
}

function serviceConfig(id: string, extra: Record<string, Wire> = {}): Record<string, Wire> {
  return {
    serviceType: [{ serviceType: 'Interface' }],
    serviceId: id,
    serviceName: `com.amazonaws.vpce.us-east-1.${id}`,
    serviceState: 'Available',
    availabilityZoneSet: ['us-east-1a', 'us-east-1b'],
    acceptanceRequired: true,
    managesVpcEndpoints: false,
    networkLoadBalancerArnSet: [`arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/net/git/0123456789abcdef`],
    supportedIpAddressTypeSet: ['ipv4'],
    baseEndpointDnsNameSet: [`${id}.us-east-1.vpce.amazonaws.com`],
    payerResponsibility: 'ServiceOwner',
    ...extra,
  };
}

function modelService(id: string, extra: Partial<EndpointService> = {}): EndpointService {
  return {
    arn: SVC_ARN + id,
    account: ACCOUNT,
    region: REGION,
    tags: {},
    id,
    serviceName: `com.amazonaws.vpce.us-east-1.${id}`,
    serviceType: 'Interface',
    state: 'Available',
    acceptanceRequired: true,
    managesVpcEndpoints: false,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    networkLoadBalancerArns: [`arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/net/git/0123456789abcdef`],
    allowedPrincipals: [],
    endpointConnections: [],
    connectionNotifications: [],
    ...extra,
  };
}

function modelGateway(id: string, extra: Partial<VpcEndpoint> = {}): VpcEndpoint {
  return {
    arn: EP_ARN + id,
    account: ACCOUNT,
    region: REGION,
    tags: {},
    id,
    vpcId: 'vpc-0a1b2c3d',
    serviceName: 'com.amazonaws.us-east-1.s3',
    endpointType: 'Gateway',
    state: 'available',
    privateDnsEnabled: false,
    requesterManaged: false,
    subnetIds: [],
    securityGroupIds: [],
    creationTimestamp: '2024-03-01T10:00:00.000Z',
    ...extra,
  };
}

/** An account with endpoints but no services of its own; the services calls answer nothing. */
function noServices(): void {
  ok('DescribeVpcEndpointServiceConfigurations', first, { serviceConfigurationSet: [] });
}

/** One owned service whose permissions, connections and notifications all read empty. */
function oneQuietService(id: string): void {
  ok('DescribeVpcEndpointServiceConfigurations', first, { serviceConfigurationSet: [serviceConfig(id)] });
  ok('DescribeVpcEndpointServicePermissions', { ServiceId: id, ...first }, { allowedPrincipals: [] });
  ok('DescribeVpcEndpointConnections', first, { vpcEndpointConnectionSet: [] });
  ok('DescribeVpcEndpointConnectionNotifications', { NextToken: undefined }, { connectionNotificationSet: [] });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  calls = {};
});
afterEach(() => {
  nock.cleanAll();
});

function expectAllAnswered(): void {
  expect(nock.pendingMocks()).toEqual([]);
  expect(nock.isDone()).toBe(true);
}

describe('collectEc2', () => {
  it('reads a multi-page inventory into the model, one call per page and no more', async () => {
    const restrictive = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } },
        },
      ],
    };
    const s3Policy = { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

    ok('DescribeVpcEndpoints', first, {
      vpcEndpointSet: [
        {
          vpcEndpointId: 'vpce-0b0b0b0b0b0b0b0b0',
          vpcEndpointType: 'Interface',
          vpcId: 'vpc-0a1b2c3d',
          serviceName: CODECONNECTIONS,
          state: 'available',
          policyDocument: JSON.stringify(restrictive, null, 2),
          routeTableIdSet: [],
          subnetIdSet: ['subnet-0aaa', 'subnet-0bbb'],
          groupSet: [{ groupId: 'sg-0123', groupName: 'codeconnections' }],
          ipAddressType: 'ipv4',
          dnsOptions: { dnsRecordIpType: 'ipv4' },
          privateDnsEnabled: true,
          requesterManaged: false,
          networkInterfaceIdSet: ['eni-0aaa', 'eni-0bbb'],
          dnsEntrySet: [{ dnsName: 'vpce-0b0b.codestar-connections.us-east-1.vpce.amazonaws.com', hostedZoneId: 'Z7HUB22UULQXV' }],
          creationTimestamp: '2024-03-01T10:00:00.000Z',
          tagSet: [
            { key: 'Name', value: 'git <private> & co' },
            { key: 'team', value: 'platform' },
          ],
          ownerId: ACCOUNT,
        },
        gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { policyDocument: JSON.stringify(s3Policy) }),
      ],
      nextToken: 'endpoints-page-2',
    });
    ok('DescribeVpcEndpoints', { MaxResults: '1000', NextToken: 'endpoints-page-2' }, {
      vpcEndpointSet: [
        {
          vpcEndpointId: 'vpce-0c0c0c0c0c0c0c0c0',
          vpcEndpointType: 'Interface',
          vpcId: 'vpc-0a1b2c3d',
          serviceName: PARTNER_SERVICE,
          state: 'pendingAcceptance',
          subnetIdSet: ['subnet-0aaa'],
          groupSet: [{ groupId: 'sg-0456', groupName: 'partner' }],
          privateDnsEnabled: false,
          requesterManaged: true,
          creationTimestamp: '2024-05-06T07:08:09.000Z',
          ownerId: ACCOUNT,
        },
        {
          vpcEndpointId: 'vpce-0d0d0d0d0d0d0d0d0',
          vpcEndpointType: 'Interface',
          vpcId: 'vpc-0e0f',
          serviceName: CODECONNECTIONS,
          state: 'available',
          subnetIdSet: ['subnet-0ccc'],
          groupSet: [{ groupId: 'sg-0789', groupName: 'default' }],
          privateDnsEnabled: false,
          requesterManaged: false,
          creationTimestamp: '2024-06-01T00:00:00.000Z',
          ownerId: ACCOUNT,
        },
      ],
    });
    // One lookup for the distinct interface service names, sorted; the partner's service is not
    // visible to this account, so EC2 leaves it out and policySupported stays unknown.
    ok('DescribeVpcEndpointServices', {
      'Filter.1.Name': 'service-name',
      'Filter.1.Value.1': CODECONNECTIONS,
      'Filter.1.Value.2': PARTNER_SERVICE,
      'Filter.1.Value.3': undefined,
      ServiceNames: undefined,
      'ServiceName.1': undefined,
      ...first,
    }, {
      serviceNameSet: [CODECONNECTIONS],
      serviceDetailSet: [
        {
          serviceName: CODECONNECTIONS,
          serviceId: 'vpce-svc-0aws0aws0aws0aws0',
          serviceType: [{ serviceType: 'Interface' }],
          availabilityZoneSet: ['us-east-1a', 'us-east-1b'],
          owner: 'amazon',
          baseEndpointDnsNameSet: ['codestar-connections.us-east-1.vpce.amazonaws.com'],
          privateDnsName: 'codestar-connections.us-east-1.amazonaws.com',
          vpcEndpointPolicySupported: true,
          acceptanceRequired: false,
          managesVpcEndpoints: false,
        },
      ],
    });

    ok('DescribeVpcEndpointServiceConfigurations', first, {
      serviceConfigurationSet: [
        serviceConfig('vpce-svc-0b0b0b0b0b0b0b0b0', {
          privateDnsName: 'git.example.com',
          privateDnsNameConfiguration: { state: 'verified', type: 'TXT', value: 'vpce:abc123', name: '_abc123.git.example.com' },
          tagSet: [{ key: 'owner', value: 'platform' }],
        }),
      ],
      nextToken: 'services-page-2',
    });
    ok('DescribeVpcEndpointServiceConfigurations', { MaxResults: '1000', NextToken: 'services-page-2' }, {
      serviceConfigurationSet: [
        {
          serviceType: [{ serviceType: 'GatewayLoadBalancer' }],
          serviceId: 'vpce-svc-0a0a0a0a0a0a0a0a0',
          serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0a0a0a0a0a0a0a0a0',
          serviceState: 'Available',
          availabilityZoneSet: ['us-east-1a'],
          acceptanceRequired: false,
          managesVpcEndpoints: false,
          gatewayLoadBalancerArnSet: [`arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/gwy/fw/0123456789abcdef`],
        },
      ],
    });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0b0b0b0b0b0b0b0b0', ...first }, {
      allowedPrincipals: [{ principalType: 'Account', principal: 'arn:aws:iam::444455556666:root', servicePermissionId: 'sp-0b1', serviceId: 'vpce-svc-0b0b0b0b0b0b0b0b0' }],
      nextToken: 'permissions-page-2',
    });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0b0b0b0b0b0b0b0b0', MaxResults: '1000', NextToken: 'permissions-page-2' }, {
      allowedPrincipals: [
        {
          principalType: 'OrganizationUnit',
          principal: 'arn:aws:organizations::111122223333:ou/o-exampleorg1/ou-ab12-cdef3456',
          servicePermissionId: 'sp-0b2',
          serviceId: 'vpce-svc-0b0b0b0b0b0b0b0b0',
        },
      ],
    });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0a0a0a0a0a0a0a0a0', ...first }, {
      allowedPrincipals: [{ principalType: 'All', principal: '*', servicePermissionId: 'sp-0a1', serviceId: 'vpce-svc-0a0a0a0a0a0a0a0a0' }],
    });
    ok('DescribeVpcEndpointConnections', first, {
      vpcEndpointConnectionSet: [
        { serviceId: 'vpce-svc-0b0b0b0b0b0b0b0b0', vpcEndpointId: 'vpce-0e1e1e1e1e1e1e1e1', vpcEndpointOwner: '444455556666', vpcEndpointState: 'pendingAcceptance', creationTimestamp: '2025-01-02T03:04:05.000Z', vpcEndpointConnectionId: 'vpce-con-1' },
        { serviceId: 'vpce-svc-0a0a0a0a0a0a0a0a0', vpcEndpointId: 'vpce-0f1f1f1f1f1f1f1f1', vpcEndpointOwner: ACCOUNT, vpcEndpointState: 'available', creationTimestamp: '2025-02-03T04:05:06.000Z' },
      ],
      nextToken: 'connections-page-2',
    });
    ok('DescribeVpcEndpointConnections', { MaxResults: '1000', NextToken: 'connections-page-2' }, {
      vpcEndpointConnectionSet: [
        { serviceId: 'vpce-svc-0b0b0b0b0b0b0b0b0', vpcEndpointId: 'vpce-0e0e0e0e0e0e0e0e0', vpcEndpointOwner: '444455556666', vpcEndpointState: 'available', creationTimestamp: '2025-01-01T00:00:00.000Z' },
        // A service of this account outside the listing (deleted in between): not modelled.
        { serviceId: 'vpce-svc-0999', vpcEndpointId: 'vpce-0999', vpcEndpointOwner: '444455556666', vpcEndpointState: 'deleted' },
      ],
    });
    ok('DescribeVpcEndpointConnectionNotifications', { NextToken: undefined, MaxResults: undefined }, {
      connectionNotificationSet: [
        {
          connectionNotificationId: 'vpce-nfn-0b',
          serviceId: 'vpce-svc-0b0b0b0b0b0b0b0b0',
          connectionNotificationType: 'Topic',
          connectionNotificationArn: `arn:aws:sns:us-east-1:${ACCOUNT}:privatelink`,
          connectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'],
          connectionNotificationState: 'Enabled',
        },
        // On one of this account's endpoints, not on a service it provides.
        {
          connectionNotificationId: 'vpce-nfn-ep',
          vpcEndpointId: 'vpce-0b0b0b0b0b0b0b0b0',
          connectionNotificationType: 'Topic',
          connectionNotificationArn: `arn:aws:sns:us-east-1:${ACCOUNT}:endpoints`,
          connectionEvents: ['Accept'],
          connectionNotificationState: 'Enabled',
        },
      ],
    });

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({
      vpcEndpoints: [
        modelGateway('vpce-0a0a0a0a0a0a0a0a0', { policy: s3Policy as VpcEndpoint['policy'] }),
        {
          arn: `${EP_ARN}vpce-0b0b0b0b0b0b0b0b0`,
          account: ACCOUNT,
          region: REGION,
          tags: { Name: 'git <private> & co', team: 'platform' },
          id: 'vpce-0b0b0b0b0b0b0b0b0',
          vpcId: 'vpc-0a1b2c3d',
          serviceName: CODECONNECTIONS,
          endpointType: 'Interface',
          state: 'available',
          privateDnsEnabled: true,
          requesterManaged: false,
          policy: restrictive,
          policySupported: true,
          subnetIds: ['subnet-0aaa', 'subnet-0bbb'],
          securityGroupIds: ['sg-0123'],
          creationTimestamp: '2024-03-01T10:00:00.000Z',
        },
        {
          arn: `${EP_ARN}vpce-0c0c0c0c0c0c0c0c0`,
          account: ACCOUNT,
          region: REGION,
          tags: {},
          id: 'vpce-0c0c0c0c0c0c0c0c0',
          vpcId: 'vpc-0a1b2c3d',
          serviceName: PARTNER_SERVICE,
          endpointType: 'Interface',
          state: 'pendingAcceptance',
          privateDnsEnabled: false,
          requesterManaged: true,
          subnetIds: ['subnet-0aaa'],
          securityGroupIds: ['sg-0456'],
          creationTimestamp: '2024-05-06T07:08:09.000Z',
        },
        {
          arn: `${EP_ARN}vpce-0d0d0d0d0d0d0d0d0`,
          account: ACCOUNT,
          region: REGION,
          tags: {},
          id: 'vpce-0d0d0d0d0d0d0d0d0',
          vpcId: 'vpc-0e0f',
          serviceName: CODECONNECTIONS,
          endpointType: 'Interface',
          state: 'available',
          privateDnsEnabled: false,
          requesterManaged: false,
          policySupported: true,
          subnetIds: ['subnet-0ccc'],
          securityGroupIds: ['sg-0789'],
          creationTimestamp: '2024-06-01T00:00:00.000Z',
        },
      ],
      endpointServices: [
        {
          arn: `${SVC_ARN}vpce-svc-0a0a0a0a0a0a0a0a0`,
          account: ACCOUNT,
          region: REGION,
          tags: {},
          id: 'vpce-svc-0a0a0a0a0a0a0a0a0',
          serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0a0a0a0a0a0a0a0a0',
          serviceType: 'GatewayLoadBalancer',
          state: 'Available',
          acceptanceRequired: false,
          managesVpcEndpoints: false,
          availabilityZones: ['us-east-1a'],
          gatewayLoadBalancerArns: [`arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/gwy/fw/0123456789abcdef`],
          allowedPrincipals: [{ principal: '*', principalType: 'All', servicePermissionId: 'sp-0a1' }],
          endpointConnections: [{ vpcEndpointId: 'vpce-0f1f1f1f1f1f1f1f1', vpcEndpointOwner: ACCOUNT, state: 'available', creationTimestamp: '2025-02-03T04:05:06.000Z' }],
          connectionNotifications: [],
        },
        modelService('vpce-svc-0b0b0b0b0b0b0b0b0', {
          tags: { owner: 'platform' },
          privateDns: {
            name: 'git.example.com',
            verificationState: 'verified',
            verificationType: 'TXT',
            verificationName: '_abc123.git.example.com',
            verificationValue: 'vpce:abc123',
          },
          allowedPrincipals: [
            { principal: 'arn:aws:iam::444455556666:root', principalType: 'Account', servicePermissionId: 'sp-0b1' },
            { principal: 'arn:aws:organizations::111122223333:ou/o-exampleorg1/ou-ab12-cdef3456', principalType: 'OrganizationUnit', servicePermissionId: 'sp-0b2' },
          ],
          endpointConnections: [
            { vpcEndpointId: 'vpce-0e0e0e0e0e0e0e0e0', vpcEndpointOwner: '444455556666', state: 'available', creationTimestamp: '2025-01-01T00:00:00.000Z' },
            { vpcEndpointId: 'vpce-0e1e1e1e1e1e1e1e1', vpcEndpointOwner: '444455556666', state: 'pendingAcceptance', creationTimestamp: '2025-01-02T03:04:05.000Z' },
          ],
          connectionNotifications: [
            { id: 'vpce-nfn-0b', topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:privatelink`, events: ['Connect', 'Accept', 'Reject', 'Delete'], state: 'Enabled' },
          ],
        }),
      ],
      coverage: [],
    });
    expect(calls).toEqual({
      DescribeVpcEndpoints: 2,
      DescribeVpcEndpointServices: 1,
      DescribeVpcEndpointServiceConfigurations: 2,
      DescribeVpcEndpointServicePermissions: 3,
      DescribeVpcEndpointConnections: 2,
      DescribeVpcEndpointConnectionNotifications: 1,
    });
    expect(Object.keys(calls).sort()).toEqual([...EC2_OPERATIONS].sort());
    expect(validated(collected).vpcEndpoints).toHaveLength(4);
    expectAllAnswered();
  });

  it('marks a policy document that is not JSON, or not a policy, unreadable with one gap', async () => {
    const truncated = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"';
    const notPolicy = '{"Version":"2012-10-17"}';
    const parseMessage = (() => {
      try {
        JSON.parse(truncated);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    ok('DescribeVpcEndpoints', first, {
      vpcEndpointSet: [
        gatewayEndpoint('vpce-0b0b0b0b0b0b0b0b0', { policyDocument: truncated }),
        gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { policyDocument: notPolicy }),
        gatewayEndpoint('vpce-0c0c0c0c0c0c0c0c0'),
      ],
    });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    const jsonMessage = `PolicyDocument is not JSON: ${parseMessage}`;
    const schemaMessage = 'PolicyDocument is not a policy: /: missing required field "Statement"';
    expect(collected).toEqual({
      vpcEndpoints: [
        modelGateway('vpce-0a0a0a0a0a0a0a0a0', {
          unreadable: [{ field: 'policy', operation: 'DescribeVpcEndpoints', errorCode: 'MalformedPolicyDocument', message: schemaMessage }],
        }),
        modelGateway('vpce-0b0b0b0b0b0b0b0b0', {
          unreadable: [{ field: 'policy', operation: 'DescribeVpcEndpoints', errorCode: 'MalformedPolicyDocument', message: jsonMessage }],
        }),
        // No PolicyDocument at all: no policy, and nothing unreadable.
        modelGateway('vpce-0c0c0c0c0c0c0c0c0'),
      ],
      endpointServices: [],
      // One gap for the field, carrying the first endpoint's (in answer order) message.
      coverage: [gap('DescribeVpcEndpoints', 'MalformedPolicyDocument', jsonMessage, ['vpcEndpoint'], 'policy')],
    });
    validated(collected);
    expectAllAnswered();
  });

  it('refuses a JSON document the snapshot schema would reject, naming the place', async () => {
    const badEffect = JSON.stringify({ Statement: { Effect: 'allow', Action: '*', Resource: '*' } });
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { policyDocument: badEffect })] });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected.vpcEndpoints?.[0]?.policy).toBeUndefined();
    expect(collected.vpcEndpoints?.[0]?.unreadable).toEqual([
      { field: 'policy', operation: 'DescribeVpcEndpoints', errorCode: 'MalformedPolicyDocument', message: 'PolicyDocument is not a policy: /Statement/Effect: expected one of "Allow", "Deny", got "allow"' },
    ]);
    validated(collected);
    expectAllAnswered();
  });

  it('parses a raw policy string, XML-escaped on the wire, into the policy object', async () => {
    const policy = {
      Version: '2012-10-17',
      Id: 'git<&>"paths"',
      Statement: [
        { Sid: 'OrgOnly', Effect: 'Deny', Principal: { AWS: '*' }, NotAction: ['s3:GetObject'], NotResource: 'arn:aws:s3:::bucket/*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ['o-exampleorg1'] }, Bool: { 'aws:SecureTransport': false } } },
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: ["arn:aws:s3:::it's-<mine>&yours/*"] },
      ],
    };
    // AWS returns the document as stored, line breaks and all.
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { policyDocument: JSON.stringify(policy, null, 4) })] });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({
      vpcEndpoints: [modelGateway('vpce-0a0a0a0a0a0a0a0a0', { policy: policy as VpcEndpoint['policy'] })],
      endpointServices: [],
      coverage: [],
    });
    validated(collected);
    expectAllAnswered();
  });

  it('UnauthorizedOperation on DescribeVpcEndpointServicePermissions: those services unreadable, one gap, the rest read', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [] });
    ok('DescribeVpcEndpointServiceConfigurations', first, {
      serviceConfigurationSet: [serviceConfig('vpce-svc-0a0a0a0a0a0a0a0a0'), serviceConfig('vpce-svc-0b0b0b0b0b0b0b0b0'), serviceConfig('vpce-svc-0c0c0c0c0c0c0c0c0')],
    });
    refuse('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0a0a0a0a0a0a0a0a0' }, 403, 'UnauthorizedOperation', UNAUTHORIZED);
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0b0b0b0b0b0b0b0b0', ...first }, {
      allowedPrincipals: [{ principalType: 'Account', principal: 'arn:aws:iam::444455556666:root', servicePermissionId: 'sp-1' }],
    });
    refuse('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0c0c0c0c0c0c0c0c0' }, 403, 'UnauthorizedOperation', UNAUTHORIZED);
    ok('DescribeVpcEndpointConnections', first, {
      vpcEndpointConnectionSet: [{ serviceId: 'vpce-svc-0c0c0c0c0c0c0c0c0', vpcEndpointId: 'vpce-0e0e', vpcEndpointOwner: '444455556666', vpcEndpointState: 'available' }],
    });
    ok('DescribeVpcEndpointConnectionNotifications', { NextToken: undefined }, { connectionNotificationSet: [] });

    const collected = await collectEc2(ec2(), TARGET);

    const unreadable = [{ field: 'allowedPrincipals', operation: 'DescribeVpcEndpointServicePermissions', errorCode: 'UnauthorizedOperation', message: UNAUTHORIZED }];
    expect(collected).toEqual({
      vpcEndpoints: [],
      endpointServices: [
        modelService('vpce-svc-0a0a0a0a0a0a0a0a0', { unreadable }),
        modelService('vpce-svc-0b0b0b0b0b0b0b0b0', { allowedPrincipals: [{ principal: 'arn:aws:iam::444455556666:root', principalType: 'Account', servicePermissionId: 'sp-1' }] }),
        modelService('vpce-svc-0c0c0c0c0c0c0c0c0', {
          unreadable,
          endpointConnections: [{ vpcEndpointId: 'vpce-0e0e', vpcEndpointOwner: '444455556666', state: 'available' }],
        }),
      ],
      coverage: [gap('DescribeVpcEndpointServicePermissions', 'UnauthorizedOperation', UNAUTHORIZED, ['endpointService'], 'allowedPrincipals')],
    });
    // Refusals are not retried.
    expect(calls.DescribeVpcEndpointServicePermissions).toBe(3);
    validated(collected);
    expectAllAnswered();
  });

  it.each([
    ['UnauthorizedOperation', 'You are not authorized to perform this operation.'],
    ['AccessDenied', 'User is not authorized to perform: ec2:DescribeVpcEndpoints'],
  ])('%s on DescribeVpcEndpoints: a gap without field, no vpcEndpoints, services still read', async (code, message) => {
    refuse('DescribeVpcEndpoints', first, 403, code, message);
    oneQuietService('vpce-svc-0a0a0a0a0a0a0a0a0');

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({
      endpointServices: [modelService('vpce-svc-0a0a0a0a0a0a0a0a0')],
      coverage: [gap('DescribeVpcEndpoints', code, message, ['vpcEndpoint'])],
    });
    expect('vpcEndpoints' in collected).toBe(false);
    expect(validated(collected).vpcEndpoints).toEqual([]);
    expectAllAnswered();
  });

  it('UnauthorizedOperation on DescribeVpcEndpointServiceConfigurations: a gap without field, no service calls after it', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0')] });
    refuse('DescribeVpcEndpointServiceConfigurations', first, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.');

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({
      vpcEndpoints: [modelGateway('vpce-0a0a0a0a0a0a0a0a0')],
      coverage: [gap('DescribeVpcEndpointServiceConfigurations', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', ['endpointService'])],
    });
    expect(calls).toEqual({ DescribeVpcEndpoints: 1, DescribeVpcEndpointServiceConfigurations: 1 });
    validated(collected);
    expectAllAnswered();
  });

  it('DescribeVpcEndpointServices refused: policySupported left out, one gap, endpoints not unreadable', async () => {
    ok('DescribeVpcEndpoints', first, {
      vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { vpcEndpointType: 'Interface', serviceName: CODECONNECTIONS, routeTableIdSet: undefined })],
    });
    refuse('DescribeVpcEndpointServices', { 'Filter.1.Value.1': CODECONNECTIONS }, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.');
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({
      vpcEndpoints: [modelGateway('vpce-0a0a0a0a0a0a0a0a0', { endpointType: 'Interface', serviceName: CODECONNECTIONS })],
      endpointServices: [],
      coverage: [gap('DescribeVpcEndpointServices', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', ['vpcEndpoint'], 'policySupported')],
    });
    validated(collected);
    expectAllAnswered();
  });

  it('looks up at most 200 service names per DescribeVpcEndpointServices call', async () => {
    const names = Array.from({ length: 201 }, (_, i) => `com.amazonaws.vpce.us-east-1.vpce-svc-${i.toString(16).padStart(17, '0')}`);
    ok('DescribeVpcEndpoints', first, {
      vpcEndpointSet: names.map((serviceName, i) => ({
        vpcEndpointId: `vpce-${i.toString(16).padStart(17, '0')}`,
        vpcEndpointType: 'Interface',
        vpcId: 'vpc-0a1b2c3d',
        serviceName,
        state: 'available',
      })),
    });
    ok('DescribeVpcEndpointServices', { 'Filter.1.Value.1': names[0], 'Filter.1.Value.200': names[199], 'Filter.1.Value.201': undefined, ...first }, {
      serviceDetailSet: [{ serviceName: names[0], vpcEndpointPolicySupported: false }],
    });
    ok('DescribeVpcEndpointServices', { 'Filter.1.Value.1': names[200], 'Filter.1.Value.2': undefined, ...first }, {
      serviceDetailSet: [{ serviceName: names[200], vpcEndpointPolicySupported: true }],
    });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    const supported = (collected.vpcEndpoints ?? []).filter((e) => e.policySupported !== undefined).map((e) => [e.serviceName, e.policySupported]);
    expect(supported).toEqual([
      [names[0], false],
      [names[200], true],
    ]);
    expect(calls.DescribeVpcEndpointServices).toBe(2);
    expect(collected.coverage).toEqual([]);
    validated(collected);
    expectAllAnswered();
  });

  it('retries a throttled call and then reads it, leaving no gap', async () => {
    refuse('DescribeVpcEndpoints', first, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0')] });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({ vpcEndpoints: [modelGateway('vpce-0a0a0a0a0a0a0a0a0')], endpointServices: [], coverage: [] });
    expect(calls.DescribeVpcEndpoints).toBe(2);
    expectAllAnswered();
  });

  it('throttled on every attempt: a RequestLimitExceeded gap after maxAttempts calls', async () => {
    for (let i = 0; i < 2; i++) refuse('DescribeVpcEndpoints', first, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
    noServices();

    // Two attempts keep the adaptive back-off short; the count pins that every attempt was made.
    const collected = await collectEc2(ec2(2), TARGET);

    expect(collected).toEqual({
      endpointServices: [],
      coverage: [gap('DescribeVpcEndpoints', 'RequestLimitExceeded', 'Request limit exceeded.', ['vpcEndpoint'])],
    });
    expect(calls.DescribeVpcEndpoints).toBe(2);
    expectAllAnswered();
  });

  it('an HTML 500 page is a gap, never an empty listing', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [] });
    // 500 is retried like any transient failure; every attempt gets the proxy's page.
    for (let i = 0; i < 3; i++) {
      answer('DescribeVpcEndpointServiceConfigurations', first, { status: 500, body: '<html><body>Bad gateway</body></html>', headers: { 'content-type': 'text/html' } });
    }

    const collected = await collectEc2(ec2(3), TARGET);

    expect(collected.endpointServices).toBeUndefined();
    expect(collected.coverage).toHaveLength(1);
    const [only] = collected.coverage;
    // The SDK names an unparsable error body "Unknown"; gapFrom passes that name through today.
    // Either it or the HTTP status is an acceptable code; what matters is that the gap exists.
    expect(only).toEqual(gap('DescribeVpcEndpointServiceConfigurations', only?.errorCode ?? '', only?.message ?? '', ['endpointService']));
    expect(['Unknown', 'HTTP500']).toContain(only?.errorCode);
    expect(calls.DescribeVpcEndpointServiceConfigurations).toBe(3);
    validated(collected);
    expectAllAnswered();
  });

  it('truncated XML with status 200 is an InvalidResponse gap for that field, not an empty list', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [] });
    ok('DescribeVpcEndpointServiceConfigurations', first, { serviceConfigurationSet: [serviceConfig('vpce-svc-0a0a0a0a0a0a0a0a0'), serviceConfig('vpce-svc-0b0b0b0b0b0b0b0b0')] });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0a0a0a0a0a0a0a0a0' }, { allowedPrincipals: [] });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0b0b0b0b0b0b0b0b0' }, { allowedPrincipals: [] });
    const full = ec2Response('DescribeVpcEndpointConnections', {
      vpcEndpointConnectionSet: [{ serviceId: 'vpce-svc-0a0a0a0a0a0a0a0a0', vpcEndpointId: 'vpce-0e0e', vpcEndpointOwner: '444455556666', vpcEndpointState: 'available' }],
    });
    answer('DescribeVpcEndpointConnections', first, { status: 200, body: full.slice(0, full.indexOf('</vpcEndpointOwner>') + 5) });
    ok('DescribeVpcEndpointConnectionNotifications', { NextToken: undefined }, { connectionNotificationSet: [] });

    const collected = await collectEc2(ec2(), TARGET);

    const [g] = collected.coverage;
    expect(g?.errorCode).toBe('InvalidResponse');
    expect(g?.message).toMatch(/XML parse error/);
    const unreadable = [{ field: 'endpointConnections', operation: 'DescribeVpcEndpointConnections', errorCode: 'InvalidResponse', message: g?.message }];
    expect(collected).toEqual({
      vpcEndpoints: [],
      endpointServices: [modelService('vpce-svc-0a0a0a0a0a0a0a0a0', { unreadable }), modelService('vpce-svc-0b0b0b0b0b0b0b0b0', { unreadable })],
      coverage: [gap('DescribeVpcEndpointConnections', 'InvalidResponse', g?.message ?? '', ['endpointService'], 'endpointConnections')],
    });
    validated(collected);
    expectAllAnswered();
  });

  it.each([
    ['an HTML page', '<html><body>Bad gateway</body></html>', 'text/html'],
    ['an empty body', '', 'text/xml'],
    ['another operation\u2019s answer', ec2Response('DescribeVpcs', { vpcSet: [] }), 'text/xml'],
  ])('status 200 with %s is an InvalidResponse gap (the SDK alone would call it an empty list)', async (_what, body, type) => {
    answer('DescribeVpcEndpoints', first, { status: 200, body, headers: { 'content-type': type } });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected.vpcEndpoints).toBeUndefined();
    expect(collected.coverage).toEqual([
      gap('DescribeVpcEndpoints', 'InvalidResponse', expect.stringMatching(/^HTTP 200 answer \(content-type [^)]*\) to DescribeVpcEndpoints is not the service's DescribeVpcEndpointsResponse: /) as unknown as string, ['vpcEndpoint']),
    ]);
    expectAllAnswered();
  });

  it('a notifications failure marks every service unreadable for that field only', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [] });
    ok('DescribeVpcEndpointServiceConfigurations', first, { serviceConfigurationSet: [serviceConfig('vpce-svc-0a0a0a0a0a0a0a0a0')] });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0a0a0a0a0a0a0a0a0' }, { allowedPrincipals: [] });
    ok('DescribeVpcEndpointConnections', first, { vpcEndpointConnectionSet: [] });
    refuse('DescribeVpcEndpointConnectionNotifications', {}, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.');

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected.endpointServices).toEqual([
      modelService('vpce-svc-0a0a0a0a0a0a0a0a0', {
        unreadable: [{ field: 'connectionNotifications', operation: 'DescribeVpcEndpointConnectionNotifications', errorCode: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }],
      }),
    ]);
    expect(collected.coverage).toEqual([
      gap('DescribeVpcEndpointConnectionNotifications', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', ['endpointService'], 'connectionNotifications'),
    ]);
    validated(collected);
    expectAllAnswered();
  });

  it('a NextToken handed back twice is an InvalidResponse gap, not an endless loop', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0')], nextToken: 'again' });
    ok('DescribeVpcEndpoints', { NextToken: 'again' }, { vpcEndpointSet: [gatewayEndpoint('vpce-0b0b0b0b0b0b0b0b0')], nextToken: 'again' });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected.vpcEndpoints).toBeUndefined();
    expect(collected.coverage).toEqual([gap('DescribeVpcEndpoints', 'InvalidResponse', 'NextToken repeated: again', ['vpcEndpoint'])]);
    expectAllAnswered();
  });

  it('an item lacking a member the model needs voids its listing, and with it that listing\'s field gaps', async () => {
    const { vpcEndpointId: _id, ...nameless } = gatewayEndpoint('vpce-0b0b0b0b0b0b0b0b0');
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0', { policyDocument: 'not json' }), nameless] });
    ok('DescribeVpcEndpointServiceConfigurations', first, {
      serviceConfigurationSet: [serviceConfig('vpce-svc-0a0a0a0a0a0a0a0a0', { privateDnsName: 'git.example.com', privateDnsNameConfiguration: { type: 'TXT' } })],
    });
    ok('DescribeVpcEndpointServicePermissions', { ServiceId: 'vpce-svc-0a0a0a0a0a0a0a0a0' }, { allowedPrincipals: [] });
    ok('DescribeVpcEndpointConnections', first, { vpcEndpointConnectionSet: [] });
    ok('DescribeVpcEndpointConnectionNotifications', { NextToken: undefined }, { connectionNotificationSet: [] });

    const collected = await collectEc2(ec2(), TARGET);

    const noState = 'PrivateDnsName without PrivateDnsNameConfiguration.State';
    expect(collected).toEqual({
      // A private DNS name with no verification state is unreadable, not guessed.
      endpointServices: [
        modelService('vpce-svc-0a0a0a0a0a0a0a0a0', {
          unreadable: [{ field: 'privateDns', operation: 'DescribeVpcEndpointServiceConfigurations', errorCode: 'InvalidResponse', message: noState }],
        }),
      ],
      coverage: [
        gap('DescribeVpcEndpointServiceConfigurations', 'InvalidResponse', noState, ['endpointService'], 'privateDns'),
        gap('DescribeVpcEndpoints', 'InvalidResponse', 'EC2 answer lacks VpcEndpointId', ['vpcEndpoint']),
      ],
    });
    validated(collected);
    expectAllAnswered();
  });

  it('an account that owns no services: no permission, connection or notification calls', async () => {
    ok('DescribeVpcEndpoints', first, { vpcEndpointSet: [gatewayEndpoint('vpce-0a0a0a0a0a0a0a0a0')] });
    noServices();

    const collected = await collectEc2(ec2(), TARGET);

    expect(collected).toEqual({ vpcEndpoints: [modelGateway('vpce-0a0a0a0a0a0a0a0a0')], endpointServices: [], coverage: [] });
    // Gateway endpoints only, so no DescribeVpcEndpointServices either.
    expect(calls).toEqual({ DescribeVpcEndpoints: 1, DescribeVpcEndpointServiceConfigurations: 1 });
    validated(collected);
    expectAllAnswered();
  });

  it('rethrows credential errors instead of recording them as gaps', async () => {
    const client = clientsFor(REGION, {
      maxAttempts: 1,
      timeoutMs: 5000,
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      },
    }).ec2;

    await expect(collectEc2(client, TARGET)).rejects.toMatchObject({ name: 'CredentialsProviderError' });
    expect(calls).toEqual({});
  });
});
