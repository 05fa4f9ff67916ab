import { describe, expect, it } from 'vitest';
import { KIND_FIELDS, MAPPED_TYPES, mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { identityOf } from '../../../src/collectors/iac/cloudformation/identity.js';
import { Unresolved, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { RESOURCE_KINDS } from '../../../src/model/types.js';
import { schemaDocument } from '../../../src/schema/validate.js';
import { findings, res, resources, schemaProblems, snapshotOf, stack, statusOf, unknownEnv } from './map-fixture.js';

const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const NLB = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/iac:templates/net.yaml#Nlb';

/** One of every mapped type, plus an unmapped one. */
function everything() {
  return resources(
    ['Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }],
    ['Nlb', 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Subnets: [] }],
    ['Svc', 'AWS::EC2::VPCEndpointService', { AcceptanceRequired: 'false', NetworkLoadBalancerArns: [NLB] }],
    ['Perm', 'AWS::EC2::VPCEndpointServicePermissions', { ServiceId: 'iac:templates/net.yaml#Svc', AllowedPrincipals: ['*'] }],
    ['Note', 'AWS::EC2::VPCEndpointConnectionNotification', { ServiceId: 'iac:templates/net.yaml#Svc', ConnectionNotificationArn: 'arn:aws:sns:us-east-1:111122223333:t', ConnectionEvents: ['Connect'] }],
    ['Ep', 'AWS::EC2::VPCEndpoint', { VpcId: 'iac:templates/net.yaml#Vpc', ServiceName: 'com.amazonaws.us-east-1.codestar-connections.api', VpcEndpointType: 'Interface' }],
    ['Old', 'AWS::CodeStarConnections::Connection', { ConnectionName: 'old', ProviderType: 'Bitbucket' }],
    ['Host', 'AWS::CodeConnections::Host', { Name: 'gitlab', ProviderType: 'GitLabSelfManaged', ProviderEndpoint: 'http://gitlab.internal', VpcConfiguration: { VpcId: 'iac:templates/net.yaml#Vpc', SubnetIds: ['subnet-0a'], SecurityGroupIds: ['sg-0a'] } }],
    ['OnHost', 'AWS::CodeConnections::Connection', { ConnectionName: 'gl', HostArn: 'arn:aws:codeconnections:us-east-1:111122223333:host/iac:templates/net.yaml#Host' }],
    ['Role', 'AWS::IAM::Role', { AssumeRolePolicyDocument: TRUST }],
    ['User', 'AWS::IAM::User', { Groups: ['iac:templates/net.yaml#Group'] }],
    ['Group', 'AWS::IAM::Group', {}],
    ['Pol', 'AWS::IAM::Policy', { PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }, Roles: ['iac:templates/net.yaml#Role'] }],
    ['Managed', 'AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] }, Users: ['iac:templates/net.yaml#User'] }],
    ['RP', 'AWS::IAM::RolePolicy', { RoleName: 'iac:templates/net.yaml#Role', PolicyName: 'rp', PolicyDocument: { Statement: [] } }],
    ['UP', 'AWS::IAM::UserPolicy', { UserName: 'iac:templates/net.yaml#User', PolicyName: 'up', PolicyDocument: { Statement: [] } }],
    ['GP', 'AWS::IAM::GroupPolicy', { GroupName: 'iac:templates/net.yaml#Group', PolicyName: 'gp', PolicyDocument: { Statement: [] } }],
    ['Add', 'AWS::IAM::UserToGroupAddition', { GroupName: 'iac:templates/net.yaml#Group', Users: ['iac:templates/net.yaml#User'] }],
    ['Build', 'AWS::CodeBuild::Project', { Name: 'app-build', ServiceRole: 'iac:templates/net.yaml#Role', Source: { Type: 'CODEPIPELINE' }, Environment: { EnvironmentVariables: [{ Name: 'STAGE', Value: 'prod' }] } }],
    ['Release', 'AWS::CodePipeline::Pipeline', { RoleArn: 'arn:aws:iam::111122223333:role/iac:templates/net.yaml#Role', Stages: [{ Name: 'Build', Actions: [{ Name: 'Build', ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' }, Configuration: { ProjectName: 'app-build' } }] }] }],
    ['Credential', 'AWS::CodeBuild::SourceCredential', { ServerType: 'GITHUB', AuthType: 'CODECONNECTIONS', Token: 'arn:aws:codeconnections:us-east-1:111122223333:connection/iac:templates/net.yaml#OnHost' }],
    ['Bucket', 'AWS::S3::Bucket', {}],
  );
}

describe('mapStack', () => {
  it('maps every mapped type schema-valid, in a known, an unknown and an unexpanded environment', () => {
    const list = everything();
    const types = new Set(list.map((r) => r.type));
    for (const t of MAPPED_TYPES) if (t !== 'AWS::CodeStarConnections::Host') expect(types.has(t), t).toBe(true);
    for (const s of [stack(list), unknownEnv(list), stack(list, { unexpanded: new Unresolved('Transform', 'macro MyMacro cannot be expanded') })]) {
      const m = mapStack(s);
      expect(m.unmapped).toBe(3);
      expect([m.connections.length, m.hosts.length, m.vpcEndpoints.length, m.endpointServices.length, m.iamUsers.length, m.iamGroups.length, m.iamRoles.length, m.iamPolicies.length]).toEqual([2, 1, 1, 1, 1, 1, 1, 1]);
      expect([m.pipelines.length, m.buildProjects.length, m.sourceCredentials.length]).toEqual([1, 1, 1]);
      expect(schemaProblems(snapshotOf(s, m))).toEqual([]);
    }
  });

  it('gives the same output for the same stack (deterministic, ARN order)', () => {
    expect(JSON.stringify(mapStack(stack(everything())))).toBe(JSON.stringify(mapStack(stack(everything()))));
    const arns = mapStack(stack(everything())).connections.map((c) => c.arn);
    expect(arns).toEqual([...arns].sort());
  });

  it('origins carry the stack name and the CDK construct path', () => {
    const r = res('Ep', 'AWS::EC2::VPCEndpoint', { VpcId: 'vpc-0abc', ServiceName: 'com.amazonaws.us-east-1.s3' }, 5, 'Net/Ep/Resource');
    const [e] = mapStack(stack([r], { format: 'cdk', idBase: 'NetStack', stackName: 'NetStack', originStack: 'NetStack' })).vpcEndpoints;
    expect(e?.origin).toMatchObject({ format: 'cdk', id: 'NetStack#Ep', logicalId: 'Ep', stack: 'NetStack', constructPath: 'Net/Ep/Resource' });
    expect(e?.arn).toBe('arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/iac:NetStack#Ep');
  });

  it('an unexpanded template makes every field of every mapped resource unknown, and absence too', () => {
    const s = stack(everything(), { unexpanded: new Unresolved('Transform', 'macro MyMacro is not one the scanner can expand') });
    const m = mapStack(s);
    expect(m.coverage).toEqual([
      {
        account: '111122223333',
        region: 'us-east-1',
        service: 'cloudformation',
        operation: 'Transform',
        errorCode: 'Unresolved',
        message: "templates/net.yaml: the template's Transform is not expanded: macro MyMacro is not one the scanner can expand",
        resourceKinds: [...RESOURCE_KINDS],
      },
    ]);
    for (const e of m.endpointServices) expect(e.unreadable?.map((u) => u.field)).toEqual(['*']);
    const all = findings(s);
    const mine = all.filter((f) => f.resource.arn.includes('#'));
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((f) => f.status))).toEqual(new Set(['unknown']));
    // The gap: one unknown per rule and kind, so a rule that would pass on "nothing there" cannot.
    expect(all.filter((f) => f.resource.arn.endsWith('/*')).map((f) => f.status)).not.toContain('pass');
    expect(all.some((f) => f.ruleId === 'endpoint-service-no-notifications' && f.resource.arn === 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/*' && f.status === 'unknown')).toBe(true);
    // Runtime-state rules give no result from a template, the gap included.
    expect(all.some((f) => f.ruleId === 'connection-not-available')).toBe(false);
  });

  it('KIND_FIELDS lists every field the schema gives each kind', () => {
    const schema = schemaDocument('snapshot') as { $defs: Record<string, { properties?: Record<string, unknown>; allOf?: Array<{ $ref?: string }> }> };
    const fieldsOf = (name: string): string[] => {
      const def = schema.$defs[name];
      const own = Object.keys(def?.properties ?? {});
      // allOf also holds the iac:-id condition (if/then), which adds no field.
      const inherited = (def?.allOf ?? []).flatMap((a) => (a.$ref ? fieldsOf(a.$ref.replace('#/$defs/', '')) : []));
      return [...own, ...inherited];
    };
    for (const kind of RESOURCE_KINDS) {
      const expected = [...new Set(fieldsOf(kind))].filter((f) => !['arn', 'unreadable', 'origin'].includes(f)).sort();
      expect([...KIND_FIELDS[kind]].sort(), kind).toEqual(expected);
    }
  });

  it('an unknown account is an unreadable account on every resource, with the symbolic account in place', () => {
    const m = mapStack(unknownEnv(everything()));
    for (const r of [...m.connections, ...m.hosts, ...m.vpcEndpoints, ...m.endpointServices, ...m.iamRoles, ...m.iamUsers, ...m.iamGroups, ...m.pipelines, ...m.buildProjects, ...m.sourceCredentials]) {
      expect(r.account).toBe('000000000000');
      expect(r.unreadable).toContainEqual({ field: 'account', operation: 'AWS::AccountId', errorCode: 'Unresolved', message: "the stack's account is not known: give --account or a CDK env" });
    }
  });
});

describe('identityOf', () => {
  const env = stack([]);
  const cases: Array<[string, Record<string, CfnValue>, string, Record<string, string>]> = [
    ['AWS::EC2::VPC', {}, 'iac:templates/net.yaml#X', { VpcId: 'iac:templates/net.yaml#X' }],
    ['AWS::EC2::VPCEndpoint', {}, 'iac:templates/net.yaml#X', { Id: 'iac:templates/net.yaml#X' }],
    ['AWS::EC2::Subnet', { AvailabilityZone: 'us-east-1a' }, 'iac:templates/net.yaml#X', { SubnetId: 'iac:templates/net.yaml#X', AvailabilityZone: 'us-east-1a' }],
    ['AWS::CodeStarConnections::Connection', {}, 'arn:aws:codestar-connections:us-east-1:111122223333:connection/iac:templates/net.yaml#X', { ConnectionArn: 'arn:aws:codestar-connections:us-east-1:111122223333:connection/iac:templates/net.yaml#X', OwnerAccountId: '111122223333' }],
    ['AWS::CodeConnections::Connection', {}, 'arn:aws:codeconnections:us-east-1:111122223333:connection/iac:templates/net.yaml#X', { ConnectionArn: 'arn:aws:codeconnections:us-east-1:111122223333:connection/iac:templates/net.yaml#X', OwnerAccountId: '111122223333' }],
    ['AWS::CodeConnections::Host', {}, 'arn:aws:codeconnections:us-east-1:111122223333:host/iac:templates/net.yaml#X', { HostArn: 'arn:aws:codeconnections:us-east-1:111122223333:host/iac:templates/net.yaml#X' }],
    ['AWS::IAM::User', { UserName: 'dev' }, 'dev', { Arn: 'arn:aws:iam::111122223333:user/iac:templates/net.yaml#X' }],
    ['AWS::IAM::Group', {}, 'iac:templates/net.yaml#X', { Arn: 'arn:aws:iam::111122223333:group/iac:templates/net.yaml#X', GroupId: 'iac:templates/net.yaml#X' }],
    ['AWS::IAM::ManagedPolicy', {}, 'arn:aws:iam::111122223333:policy/iac:templates/net.yaml#X', { PolicyArn: 'arn:aws:iam::111122223333:policy/iac:templates/net.yaml#X', PolicyId: 'iac:templates/net.yaml#X' }],
    ['AWS::IAM::Policy', {}, 'iac:templates/net.yaml#X', { Id: 'iac:templates/net.yaml#X' }],
    ['AWS::SNS::Topic', {}, 'arn:aws:sns:us-east-1:111122223333:iac:templates/net.yaml#X', { TopicArn: 'arn:aws:sns:us-east-1:111122223333:iac:templates/net.yaml#X', TopicName: 'iac:templates/net.yaml#X' }],
    ['AWS::ElasticLoadBalancingV2::LoadBalancer', {}, 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/iac:templates/net.yaml#X', { LoadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/iac:templates/net.yaml#X' }],
    ['AWS::S3::Bucket', { BucketName: 'b' }, 'iac:templates/net.yaml#X', { Arn: 'arn:aws:s3:::iac:templates/net.yaml#X' }],
    ['AWS::KMS::Key', {}, 'iac:templates/net.yaml#X', { Arn: 'arn:aws:kms:us-east-1:111122223333:key/iac:templates/net.yaml#X' }],
    ['AWS::Logs::LogGroup', {}, 'iac:templates/net.yaml#X', { Arn: 'arn:aws:logs:us-east-1:111122223333:log-group:iac:templates/net.yaml#X:*' }],
    ['AWS::CodeBuild::Project', { Name: 'app-build' }, 'app-build', { Arn: 'arn:aws:codebuild:us-east-1:111122223333:project/iac:templates/net.yaml#X' }],
    ['AWS::CodeBuild::Project', {}, 'iac:templates/net.yaml#X', { Arn: 'arn:aws:codebuild:us-east-1:111122223333:project/iac:templates/net.yaml#X' }],
    ['AWS::CodePipeline::Pipeline', { Name: 'release' }, 'release', {}],
    ['AWS::CodeBuild::SourceCredential', {}, 'arn:aws:codebuild:us-east-1:111122223333:token/iac:templates/net.yaml#X', { Arn: 'arn:aws:codebuild:us-east-1:111122223333:token/iac:templates/net.yaml#X' }],
    ['AWS::CloudFormation::WaitConditionHandle', {}, 'iac:templates/net.yaml#X', {}],
  ];
  it.each(cases)('%s', (type, literals, ref, attributes) => {
    expect(identityOf(env, type, 'X', literals)).toEqual({ ref, attributes });
  });

  it('keeps the partition and gives no OwnerAccountId when the account is not known', () => {
    const gov = stack([], { partition: 'aws-us-gov', region: 'us-gov-west-1', account: '000000000000', accountKnown: false });
    expect(identityOf(gov, 'AWS::CodeConnections::Connection', 'X', {})).toEqual({
      ref: 'arn:aws-us-gov:codeconnections:us-gov-west-1:000000000000:connection/iac:templates/net.yaml#X',
      attributes: { ConnectionArn: 'arn:aws-us-gov:codeconnections:us-gov-west-1:000000000000:connection/iac:templates/net.yaml#X' },
    });
  });
});

describe('CodeConnections', () => {
  const conn = (props: Record<string, CfnValue>, ...host: Array<Record<string, CfnValue>>) =>
    stack(resources(...host.map((h) => ['Host', 'AWS::CodeConnections::Host', h] as [string, string, Record<string, CfnValue>]), ['Conn', 'AWS::CodeConnections::Connection', props]));

  it('a connection maps with its provider; its status is runtime: PENDING and unreadable', () => {
    const [c] = mapStack(conn({ ConnectionName: 'github-org', ProviderType: 'GitHub', Tags: [{ Key: 'a', Value: 'b' }] })).connections;
    expect(c).toMatchObject({ name: 'github-org', providerType: 'GitHub', status: 'PENDING', ownerAccountId: '111122223333', tags: { a: 'b' } });
    expect(c?.unreadable).toEqual([{ field: 'status', operation: 'Status', errorCode: 'RuntimeState', message: 'the status of connection github-org is runtime state: AWS creates it PENDING until it is completed in the console' }]);
    // connection-not-available judges runtime state: no result from a template at all.
    expect(statusOf(findings(conn({ ConnectionName: 'github-org', ProviderType: 'GitHub' })), 'connection-not-available', 'Conn')).toBe('none');
  });

  it('a connection on a template host takes the host\'s provider type; on a host outside, it is unknown', () => {
    const hostArn = 'arn:aws:codeconnections:us-east-1:111122223333:host/iac:templates/net.yaml#Host';
    const m = mapStack(conn({ ConnectionName: 'gl', HostArn: hostArn }, { Name: 'gl', ProviderType: 'GitLabSelfManaged', ProviderEndpoint: 'https://gitlab.example.com' }));
    expect(m.connections[0]).toMatchObject({ providerType: 'GitLabSelfManaged', hostArn });
    const outside = mapStack(conn({ ConnectionName: 'gl', HostArn: 'arn:aws:codeconnections:us-east-1:111122223333:host/shared-0123' })).connections[0];
    expect(outside?.unreadable?.map((u) => u.field)).toEqual(['providerType', 'status']);
  });

  it('a host over http fails host-endpoint-not-https, over https passes; an unresolved endpoint is unknown', () => {
    const host = (endpoint: CfnValue) => stack(resources(['Host', 'AWS::CodeConnections::Host', { Name: 'gl', ProviderType: 'GitLabSelfManaged', ProviderEndpoint: endpoint }]));
    expect(statusOf(findings(host('http://gitlab.internal')), 'host-endpoint-not-https', 'Host')).toBe('fail');
    expect(statusOf(findings(host('https://gitlab.internal')), 'host-endpoint-not-https', 'Host')).toBe('pass');
    expect(statusOf(findings(host(new Unresolved('Ref', 'parameter Endpoint has no value'))), 'host-endpoint-not-https', 'Host')).toBe('unknown');
  });

  it('a host VpcConfiguration maps; one CloudFormation would refuse is unreadable', () => {
    const ok = mapStack(stack(resources(['Host', 'AWS::CodeConnections::Host', { Name: 'h', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe', VpcConfiguration: { VpcId: 'vpc-0abc', SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'], TlsCertificate: 'PEM' } }]))).hosts[0];
    expect(ok?.vpcConfiguration).toEqual({ vpcId: 'vpc-0abc', subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'], tlsCertificate: 'PEM' });
    const bad = mapStack(stack(resources(['Host', 'AWS::CodeConnections::Host', { Name: 'h', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe', VpcConfiguration: { VpcId: 'vpc-0abc' } }]))).hosts[0];
    expect(bad?.vpcConfiguration).toBeUndefined();
    expect(bad?.unreadable?.map((u) => u.field)).toEqual(['status', 'vpcConfiguration']);
  });
});
