import { describe, expect, it } from 'vitest';
import { Unresolved } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { IAC_UNKNOWN_ACCOUNT, IAC_UNKNOWN_REGION } from '../../../src/model/arn.js';
import { validator } from '../../../src/schema/validate.js';
import { FIXTURES, props, readFixture, readStack } from './reader-helpers.js';

const SHORT = `${FIXTURES}/short-form.yaml`;
const LONG = `${FIXTURES}/long-form.json`;
const u = (operation: string, reason: string): unknown => ({ operation, reason });

describe('CloudFormation reader: short-form intrinsics (YAML)', () => {
  it('resolves parameters, pseudo-parameters, mappings and functions in one world', async () => {
    const { load, seen } = await readFixture('short-form.yaml');
    expect(load.units).toHaveLength(1);
    expect(load.units[0]?.name).toBe(SHORT);
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['']);
    expect(load.inputs).toEqual([{ file: SHORT, format: 'cloudformation', resources: 3, unmapped: 0 }]);
    expect(seen).toHaveLength(1);
    const p = props(seen[0]);
    expect(p['OpenService']).toEqual({
      AcceptanceRequired: true,
      NetworkLoadBalancerArns: [u('Ref', 'Nlb is not a parameter or resource of this template'), 'arn:aws:nlb-eu'],
      // `${!NotAVar}` is a literal `${NotAVar}`; the dev-only tag is removed by AWS::NoValue.
      Tags: [{ Key: 'literal', Value: '${NotAVar}-prod' }],
    });
    expect(p['OpenServicePermissions']).toEqual({ ServiceId: 'iac:test/fixtures/iac/cloudformation/short-form.yaml#OpenService', AllowedPrincipals: ['*'] });
    expect(p['Endpoint']).toEqual({
      VpcId: u('Ref', 'parameter VpcId has no default and no value (--iac-param VpcId=…)'),
      SubnetIds: ['subnet-1', 'subnet-2'],
      FirstSubnet: 'subnet-1',
      ServiceName: 'com.amazonaws.vpce.eu-west-1.iac-OpenService',
      Parts: ['a', 'b'],
      Encoded: 'aGVsbG8=',
      Import: u('Fn::ImportValue', 'the value of the export shared-vpc-id is known only in the deployed account'),
      Zones: u('Fn::GetAZs', "the region's Availability Zones are known only in the deployed account"),
      Cidrs: ['10.0.0.0/24', '10.0.1.0/24'],
      Secret: u('Ref', 'parameter DbPassword is NoEcho; linkaudit does not use its value'),
      Name: u('Ref', 'AWS::StackName: the stack name is chosen at deployment'),
    });
    expect(seen[0]?.resources[2]?.properties['VpcId']).toBeInstanceOf(Unresolved);
  });

  it('never carries a NoEcho value, even its Default, into anything it produces', async () => {
    const { load, seen } = await readFixture('short-form.yaml', { parameters: { DbPassword: 'given-secret' } });
    const all = JSON.stringify({ load, seen });
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('given-secret');
  });

  it('takes given parameters over defaults, splits list parameters, and picks the other branch', async () => {
    const { seen } = await readFixture('short-form.yaml', { parameters: { Env: 'dev', VpcId: 'vpc-1', Subnets: 'subnet-9' } });
    const p = props(seen[0]);
    expect((p['OpenService'] as Record<string, unknown>)['AcceptanceRequired']).toBe(false);
    expect((p['OpenService'] as Record<string, unknown>)['Tags']).toEqual([
      { Key: 'literal', Value: '${NotAVar}-dev' },
      { Key: 'dev', Value: 'yes' },
    ]);
    expect((p['Endpoint'] as Record<string, unknown>)['VpcId']).toBe('vpc-1');
    expect((p['Endpoint'] as Record<string, unknown>)['SubnetIds']).toEqual(['subnet-9']);
    expect((p['Endpoint'] as Record<string, unknown>)['OptionalThing']).toBe('something');
  });

  it('locates each resource from its logical-id key through its last line, and each property (exact table)', async () => {
    const { seen } = await readFixture('short-form.yaml');
    const loc = (line: number, column: number, endLine: number, endColumn: number): unknown => ({ file: SHORT, line, column, endLine, endColumn });
    const table = seen[0]?.resources.map((r) => [r.logicalId, r.location, r.propertyLocations]);
    expect(table).toEqual([
      ['OpenService', loc(25, 3, 39, 71), { AcceptanceRequired: loc(28, 7, 28, 52), NetworkLoadBalancerArns: loc(29, 7, 35, 62), Tags: loc(36, 7, 39, 71) }],
      ['OpenServicePermissions', loc(40, 3, 45, 14), { ServiceId: loc(43, 7, 43, 34), AllowedPrincipals: loc(44, 7, 45, 14) }],
      [
        'Endpoint',
        loc(46, 3, 61, 63),
        {
          VpcId: loc(50, 7, 50, 24),
          SubnetIds: loc(51, 7, 51, 30),
          FirstSubnet: loc(52, 7, 52, 45),
          ServiceName: loc(53, 7, 53, 51),
          Parts: loc(54, 7, 54, 33),
          Encoded: loc(55, 7, 55, 29),
          Import: loc(56, 7, 56, 41),
          Zones: loc(57, 7, 57, 24),
          Cidrs: loc(58, 7, 58, 41),
          Secret: loc(59, 7, 59, 30),
          Name: loc(60, 7, 60, 32),
          // Located though AWS::NoValue removed its value: the key is written there.
          OptionalThing: loc(61, 7, 61, 63),
        },
      ],
    ]);
  });
});

describe('CloudFormation reader: long-form intrinsics (JSON)', () => {
  it('resolves Fn::Sub with variables, Fn::GetAtt lists and resource conditions', async () => {
    const { load, seen } = await readFixture('long-form.json');
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['']);
    const p = props(seen[0]);
    expect(Object.keys(p)).toEqual(['OpenService', 'OpenServicePermissions']); // Endpoint: IsDev is false
    expect(p['OpenService']).toEqual({ AcceptanceRequired: true, NetworkLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/prod/1'] });
    expect(load.inputs).toEqual([{ file: LONG, format: 'cloudformation', resources: 3, unmapped: 0 }]);
  });

  it('locates JSON keys exactly', async () => {
    const { seen } = await readFixture('long-form.json');
    const loc = (line: number, column: number, endLine: number, endColumn: number): unknown => ({ file: LONG, line, column, endLine, endColumn });
    expect(seen[0]?.resources.map((r) => [r.logicalId, r.location, r.propertyLocations])).toEqual([
      ['OpenService', loc(12, 5, 20, 6), { AcceptanceRequired: loc(15, 9, 15, 68), NetworkLoadBalancerArns: loc(16, 9, 18, 10) }],
      ['OpenServicePermissions', loc(21, 5, 27, 6), { ServiceId: loc(24, 9, 24, 46), AllowedPrincipals: loc(25, 9, 25, 35) }],
    ]);
  });

  it('keeps the Endpoint in the world where its condition holds', async () => {
    const { seen } = await readFixture('long-form.json', { parameters: { Env: 'dev', VpcId: 'vpc-1' } });
    expect(props(seen[0])['Endpoint']).toEqual({ VpcId: 'vpc-1', ServiceName: 'com.amazonaws.vpce.eu-west-1.iac-OpenService' });
  });
});

describe('CloudFormation reader: environment', () => {
  it('uses symbolic account and region when the template has no environment', async () => {
    const { seen } = await readFixture('long-form.json', { account: undefined, region: undefined });
    const s = seen[0];
    expect([s?.account, s?.accountKnown, s?.region, s?.regionKnown, s?.partition]).toEqual([IAC_UNKNOWN_ACCOUNT, false, IAC_UNKNOWN_REGION, false, 'aws']);
    expect(props(s)['OpenService']).toMatchObject({ NetworkLoadBalancerArns: [`arn:aws:elasticloadbalancing:${IAC_UNKNOWN_REGION}:${IAC_UNKNOWN_ACCOUNT}:loadbalancer/net/prod/1`] });
  });

  it('derives the partition from the region', async () => {
    const cn = await readFixture('long-form.json', { region: 'cn-north-1' });
    const gov = await readFixture('long-form.json', { region: 'us-gov-west-1' });
    expect([cn.seen[0]?.partition, gov.seen[0]?.partition]).toEqual(['aws-cn', 'aws-us-gov']);
    expect(props(cn.seen[0])['OpenService']).toMatchObject({ NetworkLoadBalancerArns: ['arn:aws-cn:elasticloadbalancing:cn-north-1:111122223333:loadbalancer/net/prod/1'] });
  });

  it('builds each world snapshot with the scan time, the scope and the source', async () => {
    const { load } = await readFixture('long-form.json');
    const snap = load.units[0]?.worlds[0]?.snapshot;
    expect(snap?.generatedAt).toBe('2026-12-02T10:00:00.000Z');
    expect(snap?.scope).toEqual({ partition: 'aws', accounts: ['111122223333'], regions: ['eu-west-1'] });
    expect(snap?.source.kind).toBe('iac');
    expect(snap?.source.description).toBe(LONG);
  });
});

describe('CloudFormation reader: conditions and worlds', () => {
  it('enumerates the undecided conditions mapped resources depend on, one world per assignment', async () => {
    const { load, seen } = await readFixture('worlds.yaml');
    // ProdInVpc follows from IsProd and HasVpc; Unused only guards an unmapped bucket.
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['IsProd=true, HasVpc=true', 'IsProd=true, HasVpc=false', 'IsProd=false, HasVpc=true', 'IsProd=false, HasVpc=false']);
    expect(seen.map((s) => s.resources.map((r) => r.logicalId))).toEqual([['Service', 'Endpoint', 'Bucket'], ['Service', 'Bucket'], ['Service', 'Bucket'], ['Service', 'Bucket']]);
    // !If with equal branches is the same value in every world; with different ones it differs per world.
    expect(seen.map((s) => props(s)['Service'])).toEqual([
      { AcceptanceRequired: true, GatewayLoadBalancerArns: ['a'] },
      { AcceptanceRequired: true, GatewayLoadBalancerArns: ['a'] },
      { AcceptanceRequired: true, GatewayLoadBalancerArns: ['b'] },
      { AcceptanceRequired: true, GatewayLoadBalancerArns: ['b'] },
    ]);
    for (const w of load.units[0]?.worlds ?? []) expect(w.snapshot.coverage).toEqual([]);
  });

  it('decides conditions from given parameters: one world', async () => {
    const { load, seen } = await readFixture('worlds.yaml', { parameters: { Env: 'prod', UseVpc: 'yes' } });
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['']);
    expect(seen[0]?.resources.map((r) => r.logicalId)).toEqual(['Service', 'Endpoint']);
  });

  it('enumerates one undecided condition when the other is decided', async () => {
    const { load } = await readFixture('worlds.yaml', { parameters: { UseVpc: 'no' } });
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['IsProd=true', 'IsProd=false']);
  });
});

describe('CloudFormation reader: transforms', () => {
  it('marks a template with a Transform as unexpanded, not an error', async () => {
    const { seen } = await readFixture('sam.yaml');
    expect(seen[0]?.unexpanded).toEqual(new Unresolved('Transform', 'the template uses the AWS::Serverless-2016-10-31 transform, which linkaudit does not expand'));
    expect(seen[0]?.resources.map((r) => r.type)).toEqual(['AWS::Serverless::Function', 'AWS::IAM::Role']);
  });
});

describe('CloudFormation reader: nested stacks', () => {
  const PARENT = `${FIXTURES}/nested/parent.yaml`;
  it('reads a local nested template as a child stack with its parameters; a remote one is a coverage gap', async () => {
    const { load, seen } = await readFixture('nested/parent.yaml');
    expect(load.units).toHaveLength(1);
    expect(load.units[0]?.worlds.map((w) => w.label)).toEqual(['Network/Other=true', 'Network/Other=false']);
    expect(seen.map((s) => s.idBase)).toEqual([PARENT, `${PARENT}/Network`, PARENT, `${PARENT}/Network`]);
    expect(seen[1]?.file).toBe(`${FIXTURES}/nested/child.yaml`);
    expect(props(seen[1])['InnerService']).toEqual({
      AcceptanceRequired: true,
      ContributorInsightsEnabled: true,
      Name: u('Ref', "parameter Missing of nested stack Network has no default and Network's Parameters give it no value"),
    });
    expect((props(seen[3])['InnerService'] as Record<string, unknown>)['ContributorInsightsEnabled']).toBe(false);
    const gaps = load.units[0]?.worlds[0]?.snapshot.coverage;
    expect(gaps).toEqual([
      {
        account: '111122223333',
        region: 'eu-west-1',
        service: 'cloudformation',
        operation: 'NestedStack',
        errorCode: 'Unresolved',
        message: `${PARENT}:16:7: nested stack Remote: its TemplateURL "https://s3.amazonaws.com/bucket/remote.yaml" is not a local template, so its resources are not known`,
        resourceKinds: ['connection', 'host', 'vpcEndpoint', 'endpointService', 'iamUser', 'iamGroup', 'iamRole', 'iamPolicy', 'pipeline', 'buildProject', 'sourceCredential'],
      },
    ]);
    expect(load.inputs.map((i) => [i.file, i.resources])).toEqual([
      [PARENT, 2],
      [`${FIXTURES}/nested/child.yaml`, 1],
    ]);
  });

  it('passes a parent parameter through to the child', async () => {
    const { seen } = await readFixture('nested/parent.yaml', { parameters: { Env: 'dev' } });
    expect((props(seen[1])['InnerService'] as Record<string, unknown>)['AcceptanceRequired']).toBe(false);
  });

  it('finds CDK nested templates through the context (format cdk, artifact id as id base)', () => {
    const asked: unknown[] = [];
    const { load, seen } = readStack('nested/parent.yaml', {
      format: 'cdk',
      idBase: 'ParentStack',
      stackName: 'parent-stack',
      account: '444455556666',
      region: 'us-east-1',
      parameters: {},
      nestedTemplate: (url, logicalId) => {
        asked.push([url, logicalId]);
        return logicalId === 'Network' ? `${FIXTURES}/nested/child.yaml` : undefined;
      },
    });
    expect(asked).toContainEqual(['child.yaml', 'Network']);
    expect(load.units[0]?.format).toBe('cdk');
    // A nested stack's name is AWS's at deployment (AWS::StackName unresolved); findings name it
    // by its parent and logical id.
    expect(seen.map((s) => [s.format, s.idBase, s.stackName, s.originStack, s.account])).toEqual([
      ['cdk', 'ParentStack', 'parent-stack', 'parent-stack', '444455556666'],
      ['cdk', 'ParentStack/Network', undefined, 'parent-stack/Network', '444455556666'],
      ['cdk', 'ParentStack', 'parent-stack', 'parent-stack', '444455556666'],
      ['cdk', 'ParentStack/Network', undefined, 'parent-stack/Network', '444455556666'],
    ]);
  });
});

describe('CloudFormation reader: snapshots validate against the schema', () => {
  it.each(['short-form.yaml', 'long-form.json', 'worlds.yaml', 'sam.yaml', 'nested/parent.yaml', 'many-conditions.yaml', 'macro.json', 'conditional-ref.yaml', 'block-style.yaml', 'mappings.yaml'])('%s', async (name) => {
    const validate = validator('snapshot');
    for (const env of [{}, { account: undefined, region: undefined }]) {
      const { load } = await readFixture(name, env);
      for (const w of load.units.flatMap((unit) => unit.worlds)) expect(validate(w.snapshot), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});

describe('CloudFormation reader: beyond the worlds cap, macros, absent resources', () => {
  it('enumerates six undecided conditions (64 worlds) and leaves the seventh undecided', async () => {
    const { load, seen } = await readFixture('many-conditions.yaml');
    const worlds = load.units[0]?.worlds ?? [];
    expect(worlds).toHaveLength(64);
    expect(worlds[0]?.label).toBe('C1=true, C2=true, C3=true, C4=true, C5=true, C6=true');
    expect(worlds[63]?.label).toBe('C1=false, C2=false, C3=false, C4=false, C5=false, C6=false');
    const last = props(seen[63]);
    expect(last['Service']).toEqual({
      AcceptanceRequired: false,
      Same: 'x',
      Differs: u('Fn::If', 'condition C7 is not decided (parameter P has no default and no value (--iac-param P=…)) and its branches differ'),
    });
    // Perms depends on C7: kept in every world, with a coverage note on the kinds it can become.
    expect(seen[63]?.resources.map((r) => r.logicalId)).toEqual(['Service', 'Perms', 'Endpoint']);
    expect(worlds[63]?.snapshot.coverage).toEqual([
      {
        account: '111122223333',
        region: 'eu-west-1',
        service: 'cloudformation',
        operation: 'Condition',
        errorCode: 'Unresolved',
        message: `${FIXTURES}/many-conditions.yaml: resource Perms exists only if condition C7 holds, which is not decided (parameter P has no default and no value (--iac-param P=…)) and is not among the conditions enumerated as worlds; it is read as existing`,
        resourceKinds: ['endpointService'],
      },
    ]);
  });

  it('marks a stack with an Fn::Transform macro as unexpanded', async () => {
    const { seen } = await readFixture('macro.json');
    expect(seen[0]?.unexpanded).toEqual(new Unresolved('Fn::Transform', 'the template calls the macro AWS::Include (Fn::Transform), which linkaudit does not expand'));
    expect(props(seen[0])['Role']).toEqual({ Policies: u('Fn::Transform', 'the macro AWS::Include is not expanded by linkaudit') });
  });

  it('resolves Ref, GetAtt and Sub of a resource that does not exist in the world to Unresolved', async () => {
    const { seen } = await readFixture('conditional-ref.yaml');
    const why = 'resource Service does not exist when condition IsProd is false';
    expect(props(seen[0])).toEqual({ Endpoint: { ServiceName: u('Fn::GetAtt', why), ServiceRef: u('Ref', why), Name: u('Ref', why) } });
    const prod = await readFixture('conditional-ref.yaml', { parameters: { Env: 'prod' } });
    expect(props(prod.seen[0])['Endpoint']).toEqual({
      ServiceName: 'com.amazonaws.vpce.eu-west-1.iac-Service',
      ServiceRef: `iac:${FIXTURES}/conditional-ref.yaml#Service`,
      Name: `iac:${FIXTURES}/conditional-ref.yaml#Service-endpoint`,
    });
  });
});

describe('CloudFormation reader: block style as hand edits leave it', () => {
  it('reads comments, quoted keys and values, bare "-" items and block scalars', async () => {
    const { seen } = await readFixture('block-style.yaml');
    const p = props(seen[0]);
    expect(p['BuilderRole']).toEqual({
      RoleName: 'builder',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['codebuild.amazonaws.com'] }, Action: 'sts:AssumeRole' }] },
      Policies: [
        {
          PolicyName: 'use-connection',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'], Resource: '*' }] },
        },
      ],
    });
    expect(p['Script']).toEqual({ Content: '#!/bin/sh\necho "it\'s built"\n\n  indented line\n', Name: 'build-eu-west-1', Description: 'line\none "quoted" é' });
    const loc = seen[0]?.resources.map((r) => [r.logicalId, r.location.line, r.location.column, r.location.endLine]);
    expect(loc).toEqual([
      ['BuilderRole', 9, 3, 29],
      ['Script', 30, 3, 40],
    ]);
  });
});

describe('CloudFormation reader: mappings and list functions', () => {
  it('resolves FindInMap (with DefaultValue), Select, Join over lists, URLSuffix, GetAtt by Ref, Length, ToJsonString', async () => {
    const { seen } = await readFixture('mappings.yaml');
    expect(seen[0]?.unexpanded).toEqual(new Unresolved('Transform', 'the template uses the AWS::LanguageExtensions transform, which linkaudit does not expand (its loops and functions are not run)'));
    expect(props(seen[0])['Role']).toEqual({
      Found: '111122223333',
      Defaulted: 'none',
      Missing: u('Fn::FindInMap', 'Mappings has no Accounts.us-east-1.Tools'),
      Second: 'b.example',
      Joined: 'a.example;b.example',
      Url: 'https://s3.eu-west-1.amazonaws.com/x',
      ByRefAttr: 'com.amazonaws.vpce.eu-west-1.iac-Service',
      Length: 3,
      Json: '{"k":[1,true]}',
      OutOfRange: u('Fn::Select', 'Fn::Select: index 5 is not in the list'),
    });
  });
});
