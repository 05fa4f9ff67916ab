// The estate fixture (main.tf, modules/ci/main.tf, plan.json as `terraform show -json` prints a
// first plan): exact model output, .tf locations, the rules' verdicts, and no leaked token.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validator } from '../../../src/schema/validate.js';
import { ESTATE, FIXTURES, findingsOf, loadFixture, loadText, snapshotOf, statuses } from './helpers.js';

const PLAN = `${ESTATE}/plan.json`;
const MAIN = `${ESTATE}/main.tf`;
const CI = `${ESTATE}/modules/ci/main.tf`;
const id = (address: string): string => `${PLAN}#${address}`;
const loc = (file: string, line: number, column: number, endLine: number, endColumn: number) => ({ file, line, column, endLine, endColumn });
const TOKEN = 'ghp_FixtureSecretToken0123456789abcdefXYZ';

describe('terraform estate plan', async () => {
  const load = await loadFixture('estate/plan.json', { account: '111122223333' });
  const s = snapshotOf(load);

  it('is one unit with one world, and counts mapped and unmapped resources', () => {
    expect(load.units.map((u) => [u.name, u.format, u.worlds.map((w) => w.label)])).toEqual([[PLAN, 'terraform', ['']]]);
    // 40 managed resources after apply (data sources are not resources, the deleted connection is
    // gone); aws_lb, aws_sns_topic, aws_vpc and aws_s3_bucket are not mapped.
    expect(load.inputs).toEqual([{ file: PLAN, format: 'terraform', resources: 40, unmapped: 4 }]);
    expect(load.skipped).toEqual([]);
    expect(s.generatedAt).toBe('2026-12-01T10:00:00.000Z');
    expect(s.source).toEqual({ kind: 'iac', description: PLAN });
    expect(s.scope).toEqual({ partition: 'aws', accounts: ['111122223333'], regions: ['eu-west-1'] });
  });

  it('is a valid snapshot', () => {
    const validate = validator('snapshot');
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });

  it('never carries the sensitive token (variables, after, messages)', () => {
    expect(readFileSync(PLAN, 'utf8')).toContain(TOKEN);
    expect(JSON.stringify(load)).not.toContain(TOKEN);
    expect(JSON.stringify(load)).not.toContain('ghp_');
    const rendered = findingsOf(s).map((f) => ({ id: f.ruleId, arn: f.resource.arn, message: f.message, evidence: f.evidence }));
    expect(rendered.length).toBeGreaterThan(20);
    expect(JSON.stringify(rendered)).not.toContain('ghp_');
  });

  it('maps the open endpoint service with its joined principal', () => {
    expect(s.endpointServices.find((e) => e.origin?.address === 'aws_vpc_endpoint_service.open')).toEqual({
      arn: `arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint-service/iac:${id('aws_vpc_endpoint_service.open')}`,
      account: '111122223333',
      region: 'eu-west-1',
      tags: {},
      id: `iac:${id('aws_vpc_endpoint_service.open')}`,
      // The name AWS gives a service, with the model's id for the one it will get.
      serviceName: `com.amazonaws.vpce.eu-west-1.iac:${id('aws_vpc_endpoint_service.open')}`,
      serviceType: 'Interface',
      state: 'Pending',
      acceptanceRequired: false,
      availabilityZones: [],
      allowedPrincipals: [{ principal: '*', principalType: 'All' }],
      endpointConnections: [],
      connectionNotifications: [],
      unreadable: [
        { field: 'networkLoadBalancerArns', operation: 'after_unknown', errorCode: 'Unresolved', message: 'aws_vpc_endpoint_service.open.network_load_balancer_arns is known only after apply' },
        { field: 'availabilityZones', operation: 'after_unknown', errorCode: 'Unresolved', message: 'aws_vpc_endpoint_service.open.availability_zones is known only after apply' },
      ],
      origin: {
        format: 'terraform',
        id: id('aws_vpc_endpoint_service.open'),
        location: loc(MAIN, 31, 1, 34, 2),
        address: 'aws_vpc_endpoint_service.open',
        properties: {
          acceptanceRequired: loc(MAIN, 32, 3, 32, 37),
          // The permissions resource's principal_arn: where `*` is written.
          allowedPrincipals: loc(MAIN, 38, 3, 38, 32),
          networkLoadBalancerArns: loc(MAIN, 33, 3, 33, 48),
        },
      },
    });
  });

  it('joins the notification and the partner principal to the reviewed service', () => {
    const reviewed = s.endpointServices.find((e) => e.origin?.address === 'aws_vpc_endpoint_service.reviewed');
    expect(reviewed?.tags).toEqual({ Team: 'platform' });
    expect(reviewed?.allowedPrincipals).toEqual([{ principal: 'arn:aws:iam::444455556666:root', principalType: 'Account' }]);
    expect(reviewed?.connectionNotifications).toEqual([
      { id: `iac:${id('aws_vpc_endpoint_connection_notification.reviewed')}`, topicArn: '(known after apply)', events: ['Accept', 'Connect'], state: 'Enabled' },
    ]);
    expect(reviewed?.origin?.properties?.connectionNotifications).toEqual(loc(MAIN, 59, 1, 63, 2));
    expect(reviewed?.origin?.properties?.tags).toEqual(loc(MAIN, 45, 3, 47, 4));
  });

  it('maps an interface endpoint with the provider defaults (no policy, private DNS false)', () => {
    expect(s.vpcEndpoints.find((e) => e.origin?.address === 'aws_vpc_endpoint.codeconnections')).toEqual({
      arn: `arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/iac:${id('aws_vpc_endpoint.codeconnections')}`,
      account: '111122223333',
      region: 'eu-west-1',
      tags: {},
      id: `iac:${id('aws_vpc_endpoint.codeconnections')}`,
      // The VPC the plan creates, by the same identity every resource naming it gets.
      vpcId: `iac:${id('aws_vpc.main')}`,
      serviceName: 'com.amazonaws.eu-west-1.codeconnections.api',
      endpointType: 'Interface',
      state: 'pending',
      privateDnsEnabled: false,
      requesterManaged: false,
      subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
      origin: {
        format: 'terraform',
        id: id('aws_vpc_endpoint.codeconnections'),
        location: loc(MAIN, 65, 1, 70, 2),
        address: 'aws_vpc_endpoint.codeconnections',
        properties: {
          endpointType: loc(MAIN, 68, 3, 68, 34),
          serviceName: loc(MAIN, 67, 3, 67, 68),
          subnetIds: loc(MAIN, 69, 3, 69, 51),
          vpcId: loc(MAIN, 66, 3, 66, 38),
        },
      },
    });
    const s3 = s.vpcEndpoints.find((e) => e.origin?.address === 'aws_vpc_endpoint.s3');
    expect([s3?.endpointType, s3?.privateDnsEnabled, s3?.policy]).toEqual(['Gateway', false, undefined]);
  });

  it('keeps a rendered aws_iam_policy_document, and an unknown one unreadable', () => {
    const sts = s.vpcEndpoints.find((e) => e.origin?.address === 'aws_vpc_endpoint.sts');
    expect(sts?.policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg1' } } }],
    });
    const codebuild = s.vpcEndpoints.find((e) => e.origin?.address === 'aws_vpc_endpoint.codebuild');
    expect(codebuild?.policy).toBeUndefined();
    expect(codebuild?.unreadable).toEqual([{ field: 'policy', operation: 'after_unknown', errorCode: 'Unresolved', message: 'aws_vpc_endpoint.codebuild.policy is known only after apply' }]);
  });

  it('maps the connection', () => {
    expect(s.connections.filter((c) => c.origin?.address === 'aws_codestarconnections_connection.github')).toEqual([
      {
        arn: `arn:aws:codestar-connections:eu-west-1:111122223333:connection/iac:${id('aws_codestarconnections_connection.github')}`,
        account: '111122223333',
        region: 'eu-west-1',
        tags: {},
        name: 'github',
        providerType: 'GitHub',
        status: 'PENDING',
        unreadable: [{ field: 'status', operation: 'Status', errorCode: 'RuntimeState', message: 'the status of connection github is runtime state: AWS creates it PENDING until it is completed in the console' }],
        origin: {
          format: 'terraform',
          id: id('aws_codestarconnections_connection.github'),
          location: loc(MAIN, 101, 1, 104, 2),
          address: 'aws_codestarconnections_connection.github',
          properties: { name: loc(MAIN, 102, 3, 102, 27), providerType: loc(MAIN, 103, 3, 103, 27) },
        },
      },
    ]);
  });

  it('maps for_each roles in a local module, with their inline policies and attachment', () => {
    const address = 'module.ci.aws_iam_role.builder["web"]';
    expect(s.iamRoles.find((r) => r.origin?.address === address)).toEqual({
      arn: `arn:aws:iam::111122223333:role/iac:${id(address)}`,
      account: '111122223333',
      region: 'global',
      tags: {},
      name: 'builder-web',
      path: '/',
      inlinePolicies: [
        {
          name: 'use-connection',
          document: {
            Statement: [{ Action: 'codeconnections:UseConnection', Effect: 'Allow', Resource: 'arn:aws:codeconnections:eu-west-1:111122223333:connection/0123abcd-0123-4567-89ab-0123456789ab' }],
            Version: '2012-10-17',
          },
        },
      ],
      attachedPolicies: ['arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess'],
      assumeRolePolicy: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } }], Version: '2012-10-17' },
      origin: {
        format: 'terraform',
        id: id(address),
        location: loc(CI, 5, 1, 17, 2),
        address,
        properties: {
          assumeRolePolicy: loc(CI, 9, 3, 16, 5),
          attachedPolicies: loc(CI, 39, 3, 39, 71),
          inlinePolicies: loc(CI, 25, 3, 32, 5),
          name: loc(CI, 8, 3, 8, 31),
        },
      },
    });
    // Both instances share the block; each has its own identity.
    const api = s.iamRoles.find((r) => r.origin?.address === 'module.ci.aws_iam_role.builder["api"]');
    expect(api?.origin?.location).toEqual(loc(CI, 5, 1, 17, 2));
    expect(api?.attachedPolicies).toEqual([]);
  });

  it('adds the bundled document of an attached AWS managed policy', () => {
    expect(s.iamPolicies.map((p) => [p.arn, p.awsManaged, p.account])).toEqual([
      ['arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess', true, '111122223333'],
      ['arn:aws:iam::aws:policy/AdministratorAccess', true, '111122223333'],
    ]);
  });

  it('joins an inline policy to a role named only after apply by its references, and keeps its policy unknown', () => {
    const deployer = s.iamRoles.find((r) => r.origin?.address === 'aws_iam_role.deployer');
    expect(deployer?.name).toBe('(known after apply)');
    expect(deployer?.inlinePolicies).toEqual([]);
    expect(deployer?.unreadable).toEqual([
      { field: 'inlinePolicies', operation: 'after_unknown', errorCode: 'Unresolved', message: 'aws_iam_role_policy.deploy.policy is known only after apply' },
      { field: 'name', operation: 'after_unknown', errorCode: 'Unresolved', message: 'aws_iam_role.deployer.name is known only after apply' },
    ]);
    expect(deployer?.origin?.properties?.inlinePolicies).toEqual(loc(MAIN, 152, 3, 152, 52));
  });

  it('gives the rules verdicts as a live collection of the applied plan would', () => {
    const st = statuses(s);
    const expected: Array<[string, string]> = [
      ['endpoint-service-allows-any-principal aws_vpc_endpoint_service.open', 'fail'],
      ['endpoint-service-allows-any-principal aws_vpc_endpoint_service.reviewed', 'pass'],
      ['endpoint-service-acceptance-disabled aws_vpc_endpoint_service.open', 'fail'],
      ['endpoint-service-acceptance-disabled aws_vpc_endpoint_service.reviewed', 'pass'],
      ['endpoint-service-no-notifications aws_vpc_endpoint_service.open', 'fail'],
      ['endpoint-service-no-notifications aws_vpc_endpoint_service.reviewed', 'pass'],
      // The load balancers' zones are known only after apply.
      ['endpoint-service-single-az aws_vpc_endpoint_service.open', 'unknown'],
      ['interface-endpoint-policy-allows-all aws_vpc_endpoint.codeconnections', 'fail'],
      ['interface-endpoint-policy-allows-all aws_vpc_endpoint.sts', 'pass'],
      ['interface-endpoint-policy-allows-all aws_vpc_endpoint.codebuild', 'unknown'],
      ['interface-endpoint-private-dns-disabled aws_vpc_endpoint.codeconnections', 'fail'],
      ['interface-endpoint-private-dns-disabled aws_vpc_endpoint.sts', 'pass'],
      ['iam-useconnection-overbroad module.ci.aws_iam_role.builder["api"]', 'fail'],
      ['iam-useconnection-overbroad module.ci.aws_iam_role.builder["web"]', 'pass'],
      ['iam-useconnection-overbroad aws_iam_role.deployer', 'unknown'],
    ];
    for (const [key, status] of expected) expect([key, st.get(key)]).toEqual([key, status]);
    // The gateway endpoint is not judged by the interface rules.
    expect(st.has('interface-endpoint-policy-allows-all aws_vpc_endpoint.s3')).toBe(false);
  });

  it('without --account, takes the account from the ARN of a connection the plan keeps', async () => {
    expect(snapshotOf(await loadFixture('estate/plan.json')).scope.accounts).toEqual(['111122223333']);
  });

  it('without --account and no known ARN, every resource says the account is not known', async () => {
    // The plan with only the resources it creates: nothing in it names an account.
    const doc = JSON.parse(readFileSync(PLAN, 'utf8')) as { resource_changes: Array<{ change: { actions: string[] } }>; prior_state?: unknown };
    doc.resource_changes = doc.resource_changes.filter((r) => !r.change.actions.includes('no-op') && !r.change.actions.includes('delete'));
    delete doc.prior_state;
    const bare = snapshotOf(await loadText(JSON.stringify(doc), {}, PLAN));
    expect(bare.scope.accounts).toEqual(['000000000000']);
    const all = [...bare.endpointServices, ...bare.vpcEndpoints, ...bare.connections, ...bare.iamRoles, ...bare.pipelines, ...bare.buildProjects, ...bare.sourceCredentials];
    expect(all.length).toBe(24);
    for (const r of all) {
      expect(r.unreadable?.[0]).toEqual({ field: 'account', operation: 'account', errorCode: 'Unresolved', message: 'the account is not known: give --account (000000000000 stands in for it)' });
    }
  });
});
