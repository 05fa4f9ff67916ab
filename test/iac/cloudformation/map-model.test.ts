import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { resources, schemaProblems, snapshotOf, stack } from './map-fixture.js';

// The whole mapped model of one small stack, reviewed by hand and kept in
// test/fixtures/iac/cloudformation-map/model.json: every field, origin and unreadable entry.
const EXPECTED = JSON.parse(readFileSync(new URL('../../fixtures/iac/cloudformation-map/model.json', import.meta.url), 'utf8')) as unknown;

function small() {
  return stack(
    resources(
      ['Ep', 'AWS::EC2::VPCEndpoint', { VpcId: 'iac:templates/net.yaml#Vpc', ServiceName: 'com.amazonaws.us-east-1.codestar-connections.api', VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SubnetIds: ['subnet-0a'], SecurityGroupIds: ['sg-0a'] }],
      ['Host', 'AWS::CodeConnections::Host', { Name: 'gitlab', ProviderType: 'GitLabSelfManaged', ProviderEndpoint: 'https://gitlab.internal' }],
      ['Old', 'AWS::CodeStarConnections::Connection', { ConnectionName: 'old', ProviderType: 'Bitbucket' }],
      ['User', 'AWS::IAM::User', { UserName: 'dev', Groups: ['devs'], PermissionsBoundary: 'arn:aws:iam::111122223333:policy/boundary' }],
      ['Group', 'AWS::IAM::Group', { GroupName: 'devs', ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/iac:templates/net.yaml#Managed'] }],
      ['Managed', 'AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'logs', Path: '/ci/', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] } }],
    ),
  );
}

describe('the mapped model of a small stack', () => {
  it('is exactly the reviewed model, and schema-valid', () => {
    const mapped = mapStack(small());
    expect(JSON.parse(JSON.stringify(mapped))).toEqual(EXPECTED);
    expect(schemaProblems(snapshotOf(small(), mapped))).toEqual([]);
  });
});
