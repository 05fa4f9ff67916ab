import { describe, expect, it } from 'vitest';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { identityOf } from '../../../src/collectors/iac/cloudformation/identity.js';
import { Unresolved } from '../../../src/collectors/iac/cloudformation/template-types.js';
import type { CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { FILE, findings, type Spec, resources, schemaProblems, snapshotOf, stack, statusOf, unknownEnv } from './map-fixture.js';

const SVC = 'iac:templates/net.yaml#OpenService';
const NLB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/iac:templates/net.yaml#Nlb';

/** A service behind a template NLB in two subnets of two zones, with permissions and a notification. */
function estate(service: Record<string, CfnValue> = {}, extra: { principals?: CfnValue; notification?: boolean; zones?: CfnValue[] } = {}) {
  const zones = extra.zones ?? ['us-east-1a', 'us-east-1b'];
  return stack(
    resources(
      ['SubnetA', 'AWS::EC2::Subnet', { VpcId: 'iac:templates/net.yaml#Vpc', AvailabilityZone: zones[0] ?? null, CidrBlock: '10.0.0.0/24' }],
      ['SubnetB', 'AWS::EC2::Subnet', { VpcId: 'iac:templates/net.yaml#Vpc', AvailabilityZone: zones[1] ?? null, CidrBlock: '10.0.1.0/24' }],
      ['Nlb', 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internal', Subnets: ['iac:templates/net.yaml#SubnetA', 'iac:templates/net.yaml#SubnetB'] }],
      ['OpenService', 'AWS::EC2::VPCEndpointService', { AcceptanceRequired: true, NetworkLoadBalancerArns: [NLB_ARN], ...service }],
      ['OpenPermissions', 'AWS::EC2::VPCEndpointServicePermissions', { ServiceId: SVC, AllowedPrincipals: extra.principals ?? ['arn:aws:iam::444455556666:root'] }],
      ...(extra.notification === false
        ? []
        : [['Notify', 'AWS::EC2::VPCEndpointConnectionNotification', { ServiceId: SVC, ConnectionNotificationArn: 'arn:aws:sns:us-east-1:111122223333:iac:templates/net.yaml#Topic', ConnectionEvents: ['Connect', 'Accept'] }] satisfies Spec]),
    ),
  );
}

describe('AWS::EC2::VPCEndpointService', () => {
  it('maps to the model a live collection of the deployed stack would give, schema-valid', () => {
    const s = estate();
    const mapped = mapStack(s);
    expect(mapped.unmapped).toBe(3);
    expect(mapped.endpointServices).toEqual([
      {
        arn: 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/iac:templates/net.yaml#OpenService',
        account: '111122223333',
        region: 'us-east-1',
        tags: {},
        id: SVC,
        serviceName: `com.amazonaws.vpce.us-east-1.${SVC}`,
        serviceType: 'Interface',
        state: 'Available',
        acceptanceRequired: true,
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        networkLoadBalancerArns: [NLB_ARN],
        allowedPrincipals: [{ principal: 'arn:aws:iam::444455556666:root', principalType: 'Account' }],
        endpointConnections: [],
        connectionNotifications: [{ id: 'iac:templates/net.yaml#Notify', topicArn: 'arn:aws:sns:us-east-1:111122223333:iac:templates/net.yaml#Topic', events: ['Connect', 'Accept'], state: 'Enabled' }],
        origin: {
          format: 'cloudformation',
          id: 'templates/net.yaml#OpenService',
          location: { file: FILE, line: 22, column: 3, endLine: 26, endColumn: 20 },
          logicalId: 'OpenService',
          properties: {
            acceptanceRequired: { file: FILE, line: 25, column: 7, endLine: 25, endColumn: 26 },
            allowedPrincipals: { file: FILE, line: 31, column: 7, endLine: 31, endColumn: 25 },
            availabilityZones: { file: FILE, line: 26, column: 7, endLine: 26, endColumn: 31 },
            connectionNotifications: { file: FILE, line: 32, column: 3, endLine: 37, endColumn: 20 },
            networkLoadBalancerArns: { file: FILE, line: 26, column: 7, endLine: 26, endColumn: 31 },
          },
        },
      },
    ]);
    expect(schemaProblems(snapshotOf(s, mapped))).toEqual([]);
  });

  it('joins permissions and notifications by the id the Ref resolved to, as the identity gives it', () => {
    const id = identityOf(stack([]), 'AWS::EC2::VPCEndpointService', 'OpenService', {});
    expect(id).toEqual({ ref: SVC, attributes: { ServiceId: SVC } });
    const lb = identityOf(stack([]), 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Nlb', { Type: 'network' });
    expect(lb.ref).toBe(NLB_ARN);
  });

  it('allowing * fails endpoint-service-allows-any-principal; named principals pass', () => {
    expect(statusOf(findings(estate({}, { principals: ['*'] })), 'endpoint-service-allows-any-principal', 'OpenService')).toBe('fail');
    expect(statusOf(findings(estate()), 'endpoint-service-allows-any-principal', 'OpenService')).toBe('pass');
  });

  it('AcceptanceRequired omitted is unknown (AWS documents no default), false fails, the string true passes', () => {
    const omitted = estate();
    const svc = omitted.resources.find((r) => r.logicalId === 'OpenService');
    delete svc?.properties.AcceptanceRequired;
    const all = findings(omitted);
    expect(statusOf(all, 'endpoint-service-acceptance-disabled', 'OpenService')).toBe('unknown');
    const f = all.find((x) => x.ruleId === 'endpoint-service-acceptance-disabled');
    expect(f?.message).toContain('AcceptanceRequired is not set and AWS documents no default; set it explicitly');
    expect(statusOf(findings(estate({ AcceptanceRequired: false })), 'endpoint-service-acceptance-disabled', 'OpenService')).toBe('fail');
    expect(statusOf(findings(estate({ AcceptanceRequired: 'true' })), 'endpoint-service-acceptance-disabled', 'OpenService')).toBe('pass');
    expect(statusOf(findings(estate({ AcceptanceRequired: 'FALSE' })), 'endpoint-service-acceptance-disabled', 'OpenService')).toBe('fail');
    expect(statusOf(findings(estate({ AcceptanceRequired: 'yes' })), 'endpoint-service-acceptance-disabled', 'OpenService')).toBe('unknown');
  });

  it('an unresolved AcceptanceRequired is unknown, naming what was not resolved', () => {
    const all = findings(estate({ AcceptanceRequired: new Unresolved('Ref', 'parameter RequireAcceptance has no default and no value') }));
    const f = all.find((x) => x.ruleId === 'endpoint-service-acceptance-disabled');
    expect(f?.status).toBe('unknown');
    expect(f?.message).toContain('OpenService.AcceptanceRequired: parameter RequireAcceptance has no default and no value');
  });

  it('endpoint-service-no-notifications fails when no notification names the service, passes when one does', () => {
    expect(statusOf(findings(estate({}, { notification: false })), 'endpoint-service-no-notifications', 'OpenService')).toBe('fail');
    expect(statusOf(findings(estate()), 'endpoint-service-no-notifications', 'OpenService')).toBe('pass');
  });

  it('a notification whose ServiceId is not resolved makes the absence unknown; a topic from outside still passes', () => {
    const s = estate({}, { notification: false });
    s.resources.push(...resources(['Other', 'AWS::EC2::VPCEndpointConnectionNotification', { ServiceId: new Unresolved('Fn::ImportValue', 'export shared-svc is outside the template'), ConnectionNotificationArn: 'arn:aws:sns:us-east-1:111122223333:t', ConnectionEvents: ['Connect'] }]));
    expect(statusOf(findings(s), 'endpoint-service-no-notifications', 'OpenService')).toBe('unknown');
    const imported = estate();
    const n = imported.resources.find((r) => r.logicalId === 'Notify');
    if (n) n.properties.ConnectionNotificationArn = new Unresolved('Fn::ImportValue', 'export alerts-topic is outside the template');
    expect(statusOf(findings(imported), 'endpoint-service-no-notifications', 'OpenService')).toBe('pass');
  });

  it('permissions whose ServiceId is not resolved make every service\'s principals unknown', () => {
    const s = estate();
    s.resources.push(...resources(['Perm2', 'AWS::EC2::VPCEndpointServicePermissions', { ServiceId: new Unresolved('Ref', 'parameter ServiceId has no value'), AllowedPrincipals: ['*'] }]));
    expect(statusOf(findings(s), 'endpoint-service-allows-any-principal', 'OpenService')).toBe('unknown');
  });

  it('zones: two resolved zones pass single-az, one fails, an unresolved zone or a load balancer outside the template is unknown', () => {
    expect(statusOf(findings(estate()), 'endpoint-service-single-az', 'OpenService')).toBe('pass');
    expect(statusOf(findings(estate({}, { zones: ['us-east-1a', 'us-east-1a'] })), 'endpoint-service-single-az', 'OpenService')).toBe('fail');
    expect(statusOf(findings(estate({}, { zones: ['us-east-1a', new Unresolved('Fn::GetAZs', 'the region is not known')] })), 'endpoint-service-single-az', 'OpenService')).toBe('unknown');
    const outside = estate({ NetworkLoadBalancerArns: ['arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/shared/0123456789abcdef'] });
    const all = findings(outside);
    expect(statusOf(all, 'endpoint-service-single-az', 'OpenService')).toBe('unknown');
    expect(all.find((f) => f.ruleId === 'endpoint-service-single-az')?.message).toContain('is not declared in this template');
    expect(statusOf(findings(estate({}, { zones: ['us-east-1a', null] })), 'endpoint-service-single-az', 'OpenService')).toBe('unknown');
  });

  it('SubnetMappings give the zones as Subnets do; a gateway load balancer service is GatewayLoadBalancer', () => {
    const s = estate({ NetworkLoadBalancerArns: undefined as unknown as CfnValue });
    const svc = s.resources.find((r) => r.logicalId === 'OpenService');
    if (svc) {
      delete svc.properties.NetworkLoadBalancerArns;
      svc.properties.GatewayLoadBalancerArns = ['arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/gwy/iac:templates/net.yaml#Nlb'];
    }
    const lb = s.resources.find((r) => r.logicalId === 'Nlb');
    if (lb) lb.properties = { Type: 'gateway', SubnetMappings: [{ SubnetId: 'iac:templates/net.yaml#SubnetA' }, { SubnetId: 'iac:templates/net.yaml#SubnetB' }] };
    const [mapped] = mapStack(s).endpointServices;
    expect(mapped?.serviceType).toBe('GatewayLoadBalancer');
    expect(mapped?.availabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(mapped?.unreadable).toBeUndefined();
  });

  it('a private DNS name keeps its name; its verification state is runtime (unreadable, RuntimeState)', () => {
    const [svc] = mapStack(estate({ PrivateDnsName: 'git.example.com' })).endpointServices;
    expect(svc?.privateDns).toEqual({ name: 'git.example.com', verificationState: 'pendingVerification' });
    expect(svc?.unreadable).toEqual([
      { field: 'privateDns', operation: 'PrivateDnsName', errorCode: 'RuntimeState', message: 'the verification state of private DNS name git.example.com is known only after deployment' },
    ]);
    expect(statusOf(findings(estate()), 'endpoint-service-private-dns-unverified', 'OpenService')).toBe('none');
  });

  it('Tags become tags; an unresolved tag list makes tags unreadable', () => {
    const [svc] = mapStack(estate({ Tags: [{ Key: 'team', Value: 'net' }, { Key: 'n', Value: 3 }] })).endpointServices;
    expect(svc?.tags).toEqual({ team: 'net', n: '3' });
    const [u] = mapStack(estate({ Tags: [{ Key: 'team', Value: new Unresolved('Ref', 'parameter Team has no value') }] })).endpointServices;
    expect(u?.tags).toEqual({});
    expect(u?.unreadable?.map((x) => x.field)).toEqual(['tags']);
  });

  it('an unknown account makes resource.account unreadable: endpoint-service-untrusted-principal is unknown', () => {
    const s = estate();
    const unknown = unknownEnv(s.resources);
    const settings = { trustedAccounts: ['444455556666'], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
    expect(statusOf(findings(s, settings), 'endpoint-service-untrusted-principal', 'OpenService')).toBe('pass');
    const all = findings(unknown, settings);
    expect(statusOf(all, 'endpoint-service-untrusted-principal', 'OpenService')).toBe('unknown');
    expect(all.find((f) => f.ruleId === 'endpoint-service-untrusted-principal')?.message).toContain("the stack's account is not known: give --account or a CDK env");
  });
});

describe('AWS::EC2::VPCEndpoint', () => {
  const ep = (props: Record<string, CfnValue>) =>
    stack(resources(['CodeEndpoint', 'AWS::EC2::VPCEndpoint', { VpcId: 'iac:templates/net.yaml#Vpc', ServiceName: 'com.amazonaws.us-east-1.codestar-connections.api', ...props }]));

  it('maps with the CloudFormation defaults: Gateway type, private DNS false, no policy', () => {
    const [e] = mapStack(ep({})).vpcEndpoints;
    expect(e).toMatchObject({ id: 'iac:templates/net.yaml#CodeEndpoint', vpcId: 'iac:templates/net.yaml#Vpc', endpointType: 'Gateway', privateDnsEnabled: false, requesterManaged: false, state: 'available' });
    expect(e?.arn).toBe('arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/iac:templates/net.yaml#CodeEndpoint');
    expect(e && 'policy' in e).toBe(false);
  });

  it('an interface endpoint without policy fails policy-allows-all; private DNS omitted fails private-dns-disabled', () => {
    const all = findings(ep({ VpcEndpointType: 'Interface', SubnetIds: ['iac:templates/net.yaml#SubnetA'] }));
    expect(statusOf(all, 'interface-endpoint-policy-allows-all', 'CodeEndpoint')).toBe('fail');
    expect(statusOf(all, 'interface-endpoint-private-dns-disabled', 'CodeEndpoint')).toBe('fail');
    const on = findings(ep({ VpcEndpointType: 'Interface', PrivateDnsEnabled: 'True' }));
    expect(statusOf(on, 'interface-endpoint-private-dns-disabled', 'CodeEndpoint')).toBe('pass');
  });

  it('a PolicyDocument as a JSON string is parsed; a scoped one passes', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'codeconnections:UseConnection', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } } }] };
    const [e] = mapStack(ep({ VpcEndpointType: 'Interface', PolicyDocument: JSON.stringify(doc) })).vpcEndpoints;
    expect(e?.policy).toEqual(doc);
    expect(statusOf(findings(ep({ VpcEndpointType: 'Interface', PolicyDocument: JSON.stringify(doc) })), 'interface-endpoint-policy-allows-all', 'CodeEndpoint')).toBe('pass');
  });

  it('a policy with an unresolved part or outside the policy grammar is unknown, naming the problem', () => {
    const unresolved = findings(ep({ VpcEndpointType: 'Interface', PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: new Unresolved('Fn::ImportValue', 'export bucket-arn is outside the template') }] } }));
    expect(statusOf(unresolved, 'interface-endpoint-policy-allows-all', 'CodeEndpoint')).toBe('unknown');
    const bad = findings(ep({ VpcEndpointType: 'Interface', PolicyDocument: { Statement: [{ Effect: 'allow', Principal: '*', Action: '*', Resource: '*' }] } }));
    expect(statusOf(bad, 'interface-endpoint-policy-allows-all', 'CodeEndpoint')).toBe('unknown');
    expect(bad.find((f) => f.ruleId === 'interface-endpoint-policy-allows-all')?.message).toContain('CodeEndpoint.PolicyDocument: the document does not fit the policy grammar: /Statement/0/Effect');
    const both = mapStack(ep({ PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*"}]}' })).vpcEndpoints[0];
    expect(both?.unreadable?.[0]?.message).toBe('CodeEndpoint.PolicyDocument: the document does not fit the policy grammar: /Statement/0: has both Action and NotAction (IAM allows one of them)');
  });

  it('an unresolved VpcId keeps a schema-valid placeholder and is unreadable', () => {
    const s = ep({ VpcId: new Unresolved('Fn::ImportValue', 'export vpc-id is outside the template') });
    const [e] = mapStack(s).vpcEndpoints;
    expect(e?.vpcId).toBe('iac:unresolved');
    expect(e?.unreadable).toEqual([{ field: 'vpcId', operation: 'Fn::ImportValue', errorCode: 'Unresolved', message: 'CodeEndpoint.VpcId: export vpc-id is outside the template' }]);
    expect(schemaProblems(snapshotOf(s))).toEqual([]);
  });
});
