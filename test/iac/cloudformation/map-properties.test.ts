import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAPPED_TYPES, mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { Unresolved, type CfnResource, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { res, schemaProblems, snapshotOf, stack, unknownEnv } from './map-fixture.js';

// Whatever a template writes in the properties the mappers read (any value, Unresolved anywhere,
// references between resources that do or do not resolve), mapping gives a schema-valid model
// and never throws: a value CloudFormation would refuse is an unreadable field, not an error.

const PROPS = [
  'AcceptanceRequired', 'NetworkLoadBalancerArns', 'GatewayLoadBalancerArns', 'PrivateDnsName', 'Tags', 'ServiceId', 'AllowedPrincipals',
  'ConnectionNotificationArn', 'ConnectionEvents', 'VpcId', 'ServiceName', 'VpcEndpointType', 'PrivateDnsEnabled', 'PolicyDocument',
  'SubnetIds', 'SecurityGroupIds', 'ConnectionName', 'ProviderType', 'HostArn', 'Name', 'ProviderEndpoint', 'VpcConfiguration',
  'RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'Path', 'AssumeRolePolicyDocument', 'Policies', 'ManagedPolicyArns',
  'PermissionsBoundary', 'Groups', 'Roles', 'Users', 'PolicyName', 'Subnets', 'SubnetMappings', 'AvailabilityZone', 'Type', 'SubnetId',
];
const TYPES = [...MAPPED_TYPES, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::EC2::Subnet'];
const IDS = ['A', 'B', 'C'];

// Strings that join: identities of the resources the stack may hold, ARNs, policy words.
const word = fc.oneof(
  fc.constantFrom(...IDS.map((i) => `iac:templates/net.yaml#${i}`)),
  fc.constantFrom(...IDS.map((i) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/iac:templates/net.yaml#${i}`)),
  fc.constantFrom('*', 'true', 'False', 'Allow', 'allow', 'Deny', 'vpc-0abc', 'us-east-1a', 'network', 'gateway', 'Connect', 'arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::444455556666:root', 'codeconnections:UseConnection', 'sts:AssumeRole', '{"Statement":[]}', '{'),
  fc.string({ maxLength: 8 }),
);
const key = fc.constantFrom('Effect', 'Action', 'NotAction', 'Resource', 'Principal', 'Statement', 'Condition', 'Version', 'Key', 'Value', 'PolicyName', 'PolicyDocument', 'SubnetId', 'VpcId', 'SubnetIds', 'SecurityGroupIds', 'Service', 'AWS');
const value: fc.Arbitrary<CfnValue> = fc.letrec<{ v: CfnValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
    fc.constant(new Unresolved('Ref', 'parameter P has no value')),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 3 }),
  ),
})).v;

const resource = fc.record({
  id: fc.constantFrom(...IDS),
  type: fc.constantFrom(...TYPES),
  props: fc.dictionary(fc.constantFrom(...PROPS), value, { maxKeys: 6 }),
});

describe('mapStack on arbitrary property values', () => {
  it('gives a schema-valid model and never throws', () => {
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 6 }), fc.boolean(), fc.boolean(), (specs, known, unexpanded) => {
        // Logical ids are unique in a template.
        const seen = new Set<string>();
        const list: CfnResource[] = [];
        for (const s of specs) {
          if (seen.has(s.id)) continue;
          seen.add(s.id);
          list.push(res(s.id, s.type, s.props, 4 + list.length * 20));
        }
        const base = known ? stack(list) : unknownEnv(list);
        const st = unexpanded ? { ...base, unexpanded: new Unresolved('Transform', 'macro M') } : base;
        const mapped = mapStack(st);
        expect(schemaProblems(snapshotOf(st, mapped))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
