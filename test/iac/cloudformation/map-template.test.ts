import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadIac } from '../../../src/collectors/iac/index.js';
import type { IacLoad } from '../../../src/collectors/iac/types.js';
import { evaluateRules } from '../../../src/engine/evaluate.js';
import { loadRuleSet } from '../../../src/engine/rule-set.js';
import { Unresolved, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import type { Snapshot } from '../../../src/model/types.js';
import { SETTINGS, res, schemaProblems, snapshotOf, stack } from './map-fixture.js';

// A template as users write it, read by the real reader and mapped by mapStack, through the
// built-in rules: the statuses and lines in net.expected.json. Runs once the reader (helper
// cfn-read) is wired to mapStack; until then the reader's contract stub says "not built yet".

const DIR = fileURLToPath(new URL('../../fixtures/iac/cloudformation-map/', import.meta.url));
const TEMPLATE = `${DIR}net.yaml`;
const EXPECTED = JSON.parse(readFileSync(`${DIR}net.expected.json`, 'utf8')) as { lines: Record<string, number>; statuses: Record<string, Record<string, string>> };

let load: IacLoad | undefined;
try {
  load = await loadIac([TEMPLATE], { parameters: {}, account: '111122223333', region: 'us-east-1', cwd: DIR, now: new Date('2026-12-01T00:00:00Z') });
} catch (err) {
  if (!/not built yet/.test((err as Error).message)) throw err;
}

/**
 * net.yaml as the reader resolves it (by hand: parameters, pseudo-parameters, `!Ref`/`!Sub`/
 * `!GetAtt` to the identities identity.ts gives), so the expectations are checked by the mappers
 * and rules alone before the reader exists, and the reader is held to the same result after.
 */
function resolvedByHand(): Snapshot {
  const id = (l: string): string => `iac:net.yaml#${l}`;
  const trust: CfnValue = { Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const nlb = `arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/${id('Nlb')}`;
  const r = (logicalId: string, type: string, line: number, props: Record<string, CfnValue> = {}) => res(logicalId, type, props, line, undefined, 'net.yaml');
  const s = stack(
    [
      r('SubnetA', 'AWS::EC2::Subnet', 8, { VpcId: id('Vpc'), CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a' }),
      r('SubnetB', 'AWS::EC2::Subnet', 14, { VpcId: id('Vpc'), CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1b' }),
      r('Vpc', 'AWS::EC2::VPC', 20, { CidrBlock: '10.0.0.0/16' }),
      r('Nlb', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 24, { Type: 'network', Scheme: 'internal', Subnets: [id('SubnetA'), id('SubnetB')] }),
      r('OpenService', 'AWS::EC2::VPCEndpointService', 30, { NetworkLoadBalancerArns: [nlb] }),
      r('OpenPermissions', 'AWS::EC2::VPCEndpointServicePermissions', 34, { ServiceId: id('OpenService'), AllowedPrincipals: ['*'] }),
      r('ReviewedService', 'AWS::EC2::VPCEndpointService', 39, { AcceptanceRequired: 'true', NetworkLoadBalancerArns: [nlb] }),
      r('ReviewedPermissions', 'AWS::EC2::VPCEndpointServicePermissions', 44, { ServiceId: id('ReviewedService'), AllowedPrincipals: ['arn:aws:iam::444455556666:root'] }),
      r('ReviewedNotification', 'AWS::EC2::VPCEndpointConnectionNotification', 49, { ServiceId: id('ReviewedService'), ConnectionNotificationArn: `arn:aws:sns:us-east-1:111122223333:${id('Topic')}`, ConnectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'] }),
      r('ParamService', 'AWS::EC2::VPCEndpointService', 55, { AcceptanceRequired: new Unresolved('Ref', 'parameter RequireAcceptance has no default and no value'), NetworkLoadBalancerArns: [nlb] }),
      r('Topic', 'AWS::SNS::Topic', 60),
      r('ConnectionsEndpoint', 'AWS::EC2::VPCEndpoint', 62, { VpcEndpointType: 'Interface', VpcId: id('Vpc'), ServiceName: 'com.amazonaws.us-east-1.codestar-connections.api', SubnetIds: [id('SubnetA'), id('SubnetB')] }),
      r('Conn', 'AWS::CodeConnections::Connection', 69, { ConnectionName: 'github-org', ProviderType: 'GitHub' }),
      r('ScopedRole', 'AWS::IAM::Role', 74, {
        AssumeRolePolicyDocument: trust,
        Policies: [{ PolicyName: 'use-conn', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'], Resource: `arn:aws:codeconnections:us-east-1:111122223333:connection/${id('Conn')}` }] } }],
      }),
      r('WideRole', 'AWS::IAM::Role', 89, { AssumeRolePolicyDocument: trust }),
      r('WidePolicy', 'AWS::IAM::Policy', 97, { PolicyName: 'use-any', Roles: [id('WideRole')], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*' }] } }),
      r('AdminRole', 'AWS::IAM::Role', 107, { AssumeRolePolicyDocument: trust, ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
      r('ImportedRole', 'AWS::IAM::Role', 116, {
        AssumeRolePolicyDocument: trust,
        Policies: [{ PolicyName: 'use-imported', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: new Unresolved('Fn::ImportValue', 'export shared-connection-arn is outside the template') }] } }],
      }),
    ],
    { file: 'net.yaml', idBase: 'net.yaml' },
  );
  return snapshotOf(s);
}

describe('net.yaml as the reader resolves it, through the mappers and the rules', () => {
  it('gives the expected status of every rule on every resource, at the logical id\'s line', () => check(resolvedByHand()));
});

describe.skipIf(load === undefined)('net.yaml through the reader, the mappers and the rules', () => {
  it('gives the expected status of every rule on every resource, at the logical id\'s line', () => {
    const units = load?.units ?? [];
    expect(units).toHaveLength(1);
    const worlds = units[0]?.worlds ?? [];
    expect(worlds).toHaveLength(1);
    const snapshot = worlds[0]?.snapshot;
    if (!snapshot) throw new Error('no snapshot');
    check(snapshot);
  });
});

function check(snapshot: Snapshot): void {
  expect(schemaProblems(snapshot)).toEqual([]);
  const rules = loadRuleSet();
  const findings = evaluateRules(rules.rules, snapshot, SETTINGS, rules.runtime.bind).findings;
  const got: Record<string, Record<string, string>> = {};
  for (const [ruleId, byId] of Object.entries(EXPECTED.statuses)) {
    got[ruleId] = {};
    for (const logicalId of Object.keys(byId)) {
      const f = findings.find((x) => x.ruleId === ruleId && x.resource.arn.endsWith(`#${logicalId}`));
      (got[ruleId] as Record<string, string>)[logicalId] = f?.status ?? 'none';
    }
  }
  expect(got).toEqual(EXPECTED.statuses);
  const all = [...snapshot.endpointServices, ...snapshot.vpcEndpoints, ...snapshot.iamRoles];
  for (const [logicalId, line] of Object.entries(EXPECTED.lines)) {
    const r = all.find((x) => x.origin?.logicalId === logicalId);
    expect(r?.origin?.location, logicalId).toMatchObject({ file: 'net.yaml', line, column: 3 });
  }
}
