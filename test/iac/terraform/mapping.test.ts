// Smaller cases: module instances, ambiguous joins, registry modules, plans written outside the
// module, undocumented defaults, unknown and sensitive values through the rules, environment.
import { describe, expect, it } from 'vitest';
import { loadIac } from '../../../src/collectors/iac/index.js';
import { IAC_UNKNOWN_REGION } from '../../../src/model/arn.js';
import { validator } from '../../../src/schema/validate.js';
import { ESTATE, FIXTURES, loadFixture, loadText, NOW, snapshotOf, statuses } from './helpers.js';

const INLINE = `${FIXTURES}/inline/plan.json`;

function change(address: string, type: string, after: Record<string, unknown>, unknown: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const name = address.split('.').pop()?.replace(/\[.*$/, '') ?? address;
  return { address, mode: 'managed', type, name, change: { actions: ['create'], before: null, after, after_unknown: unknown, after_sensitive: extra.sensitive ?? {} }, ...extra };
}
const plan = (changes: unknown[], rest: Record<string, unknown> = {}) => JSON.stringify({ format_version: '1.2', resource_changes: changes, ...rest });
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const useAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*' }] });
const validate = validator('snapshot');

describe('module instances and joins', async () => {
  const s = snapshotOf(await loadFixture('instances/plan.json', { account: '111122223333', region: 'eu-central-1' }));
  const role = (address: string) => s.iamRoles.find((r) => r.origin?.address === address);
  const SVC = `${FIXTURES}/instances/modules/svc/main.tf`;

  it('joins within the same module instance, and locates each in the module files', () => {
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    expect(role('module.svc["a"].aws_iam_role.r')?.inlinePolicies.map((p) => p.document)).toEqual([JSON.parse(useAll)]);
    expect(role('module.svc["b"].aws_iam_role.r')?.inlinePolicies.map((p) => p.name)).toEqual(['module.svc["b"].aws_iam_role_policy.p']);
    expect(role('module.svc["a"].aws_iam_role.r')?.origin?.location).toEqual({ file: SVC, line: 1, column: 1, endLine: 4, endColumn: 2 });
    expect(role('module.svc["a"].aws_iam_role.r')?.origin?.properties?.inlinePolicies).toEqual({ file: SVC, line: 8, column: 3, endLine: 8, endColumn: 43 });
    const st = statuses(s);
    expect(st.get('iam-useconnection-overbroad module.svc["a"].aws_iam_role.r')).toBe('fail');
    expect(st.get('iam-useconnection-overbroad module.svc["b"].aws_iam_role.r')).toBe('pass');
  });

  it('a reference that cannot pick one instance makes each candidate unknown', () => {
    for (const i of [0, 1]) {
      expect(role(`aws_iam_role.many[${i}]`)?.unreadable).toContainEqual({
        field: 'inlinePolicies',
        operation: 'after_unknown',
        errorCode: 'Unresolved',
        message: 'aws_iam_role_policy.which.role names one of 2 instances of aws_iam_role.many, which is known only after apply',
      });
      expect(statuses(s).get(`iam-useconnection-overbroad aws_iam_role.many[${i}]`)).toBe('unknown');
    }
  });

  it('a registry module has no local files: the plan file, line 1', () => {
    expect(role('module.registry.aws_iam_role.this[0]')?.origin?.location).toEqual({ file: `${FIXTURES}/instances/plan.json`, line: 1, column: 1, endLine: 1, endColumn: 1 });
  });

  it('takes --region when the provider names none', () => {
    expect(s.scope.regions).toEqual(['eu-central-1']);
  });
});

describe('references through module outputs', () => {
  it('follows module.NAME.OUTPUT to the resource the output references', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('module.core.aws_iam_role.svc', 'aws_iam_role', { name_prefix: 'svc-', assume_role_policy: trust, path: '/' }, { name: true, arn: true }, { module_address: 'module.core' }),
            change('aws_iam_role_policy.p', 'aws_iam_role_policy', { name: 'p', policy: useAll }, { role: true }),
          ],
          {
            configuration: {
              root_module: {
                resources: [{ address: 'aws_iam_role_policy.p', mode: 'managed', type: 'aws_iam_role_policy', name: 'p', expressions: { role: { references: ['module.core.role_name', 'module.core'] } } }],
                module_calls: {
                  core: {
                    source: './core',
                    module: {
                      outputs: { role_name: { expression: { references: ['aws_iam_role.svc.name', 'aws_iam_role.svc'] } } },
                      resources: [{ address: 'aws_iam_role.svc', mode: 'managed', type: 'aws_iam_role', name: 'svc', expressions: { name_prefix: { constant_value: 'svc-' } } }],
                    },
                  },
                },
              },
            },
          },
        ),
        { account: '111122223333' },
      ),
    );
    expect(s.iamRoles.map((r) => [r.origin?.address, r.inlinePolicies.map((p) => p.name)])).toEqual([['module.core.aws_iam_role.svc', ['p']]]);
    expect(statuses(s).get('iam-useconnection-overbroad module.core.aws_iam_role.svc')).toBe('fail');
  });
});

describe('a host in a VPC the plan creates', () => {
  it('names the VPC by the identity the endpoints in it get', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('aws_vpc.main', 'aws_vpc', { cidr_block: '10.0.0.0/16' }, { id: true }),
            change('aws_codeconnections_host.h', 'aws_codeconnections_host', { name: 'h', provider_type: 'GitLabSelfManaged', provider_endpoint: 'https://gitlab.example.com', vpc_configuration: [{ subnet_ids: ['subnet-01'], security_group_ids: ['sg-01'], tls_certificate: null }] }, { arn: true, status: true, vpc_configuration: [{ vpc_id: true }] }),
            change('aws_vpc_endpoint.webhooks', 'aws_vpc_endpoint', { service_name: 'com.amazonaws.us-east-1.codeconnections.webhooks', vpc_endpoint_type: 'Interface' }, { vpc_id: true }),
          ],
          {
            configuration: {
              root_module: {
                resources: [
                  { address: 'aws_codeconnections_host.h', mode: 'managed', type: 'aws_codeconnections_host', name: 'h', expressions: { vpc_configuration: [{ vpc_id: { references: ['aws_vpc.main.id', 'aws_vpc.main'] } }] } },
                  { address: 'aws_vpc_endpoint.webhooks', mode: 'managed', type: 'aws_vpc_endpoint', name: 'webhooks', expressions: { vpc_id: { references: ['aws_vpc.main.id', 'aws_vpc.main'] } } },
                ],
              },
            },
          },
        ),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    const vpc = `iac:${INLINE}#aws_vpc.main`;
    expect(s.hosts[0]?.vpcConfiguration).toEqual({ vpcId: vpc, subnetIds: ['subnet-01'], securityGroupIds: ['sg-01'] });
    expect(s.hosts[0]?.unreadable).toBeUndefined();
    expect(s.hosts[0]?.status).toBe('PENDING');
    expect(s.vpcEndpoints[0]?.vpcId).toBe(vpc);
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('aws_codestarconnections_host', () => {
  it('maps to a host under the codestar-connections ARN service, and its connection', async () => {
    const s = snapshotOf(
      await loadText(
        plan([
          change('aws_codestarconnections_host.ghes', 'aws_codestarconnections_host', { name: 'ghes', provider_type: 'GitHubEnterpriseServer', provider_endpoint: 'https://github.example.com', vpc_configuration: [] }, { arn: true, id: true, status: true }),
          change('aws_codestarconnections_connection.ghes', 'aws_codestarconnections_connection', { name: 'ghes', provider_type: null }, { arn: true, host_arn: true, connection_status: true }),
        ], {
          configuration: { root_module: { resources: [{ address: 'aws_codestarconnections_connection.ghes', mode: 'managed', type: 'aws_codestarconnections_connection', name: 'ghes', expressions: { host_arn: { references: ['aws_codestarconnections_host.ghes.arn', 'aws_codestarconnections_host.ghes'] } } }] } },
        }),
        { account: '111122223333', region: 'eu-west-1' },
      ),
    );
    const hostArn = `arn:aws:codestar-connections:eu-west-1:111122223333:host/iac:${INLINE}#aws_codestarconnections_host.ghes`;
    const fallback = { file: INLINE, line: 1, column: 1, endLine: 1, endColumn: 1 };
    expect(s.hosts).toEqual([
      {
        arn: hostArn,
        account: '111122223333',
        region: 'eu-west-1',
        tags: {},
        name: 'ghes',
        providerType: 'GitHubEnterpriseServer',
        providerEndpoint: 'https://github.example.com',
        status: 'PENDING',
        origin: { format: 'terraform', id: `${INLINE}#aws_codestarconnections_host.ghes`, location: fallback, address: 'aws_codestarconnections_host.ghes' },
      },
    ]);
    expect(s.connections.map((c) => [c.arn, c.hostArn, c.providerType, c.status])).toEqual([
      [`arn:aws:codestar-connections:eu-west-1:111122223333:connection/iac:${INLINE}#aws_codestarconnections_connection.ghes`, hostArn, 'GitHubEnterpriseServer', 'PENDING'],
    ]);
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('an endpoint to an endpoint service of the same plan', () => {
  it('names the service by the name the service gets, so the AWS-service rules do not apply', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('aws_vpc_endpoint_service.svc', 'aws_vpc_endpoint_service', { acceptance_required: true }, { service_name: true, id: true }),
            change('aws_vpc_endpoint.to_svc', 'aws_vpc_endpoint', { vpc_endpoint_type: 'Interface', vpc_id: 'vpc-01' }, { service_name: true }),
          ],
          { configuration: { root_module: { resources: [{ address: 'aws_vpc_endpoint.to_svc', mode: 'managed', type: 'aws_vpc_endpoint', name: 'to_svc', expressions: { service_name: { references: ['aws_vpc_endpoint_service.svc.service_name', 'aws_vpc_endpoint_service.svc'] } } }] } } },
        ),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    const name = `com.amazonaws.vpce.us-east-1.iac:${INLINE}#aws_vpc_endpoint_service.svc`;
    expect([s.endpointServices[0]?.serviceName, s.vpcEndpoints[0]?.serviceName, s.vpcEndpoints[0]?.unreadable]).toEqual([name, name, undefined]);
    const st = statuses(s);
    expect(st.has('interface-endpoint-policy-allows-all aws_vpc_endpoint.to_svc')).toBe(false);
    expect(st.has('interface-endpoint-private-dns-disabled aws_vpc_endpoint.to_svc')).toBe(false);
  });
});

describe('scan --iac DIR', () => {
  it('finds the plan in a directory of .tf files', async () => {
    const load = await loadIac([`${ESTATE}`], { parameters: {}, cwd: process.cwd(), now: NOW });
    expect(load.units.map((u) => [u.name, u.format])).toEqual([[`${ESTATE}/plan.json`, 'terraform']]);
    expect(load.skipped).toEqual([]);
  });
});

describe('a plan written outside its module', () => {
  it('finds the .tf files in the working directory', async () => {
    const cwd = `${process.cwd()}/${FIXTURES}/elsewhere`;
    const load = await loadIac([`${cwd}/plans/plan.json`], { parameters: {}, cwd, now: NOW });
    const svc = snapshotOf(load).endpointServices[0];
    expect(svc?.origin?.id).toBe('plans/plan.json#aws_vpc_endpoint_service.svc');
    expect(svc?.origin?.location).toEqual({ file: 'main.tf', line: 1, column: 1, endLine: 3, endColumn: 2 });
    expect(svc?.origin?.properties).toEqual({ acceptanceRequired: { file: 'main.tf', line: 2, column: 3, endLine: 2, endColumn: 29 } });
    expect(svc?.region).toBe(IAC_UNKNOWN_REGION);
    expect(load.inputs).toEqual([{ file: 'plans/plan.json', format: 'terraform', resources: 1, unmapped: 0 }]);
  });
});

describe('values the plan does not decide', () => {
  it('acceptance_required missing is NoDefault; known only after apply is unknown; both unknown to the rule', async () => {
    const s = snapshotOf(
      await loadText(
        plan([
          change('aws_vpc_endpoint_service.none', 'aws_vpc_endpoint_service', {}, { id: true }),
          change('aws_vpc_endpoint_service.later', 'aws_vpc_endpoint_service', {}, { acceptance_required: true }),
        ]),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    const none = s.endpointServices.find((e) => e.origin?.address?.endsWith('none'));
    expect(none?.unreadable).toContainEqual({
      field: 'acceptanceRequired',
      operation: 'acceptance_required',
      errorCode: 'NoDefault',
      message: 'aws_vpc_endpoint_service.none.acceptance_required is not set and AWS documents no default: set it explicitly',
    });
    const st = statuses(s);
    expect(st.get('endpoint-service-acceptance-disabled aws_vpc_endpoint_service.none')).toBe('unknown');
    expect(st.get('endpoint-service-acceptance-disabled aws_vpc_endpoint_service.later')).toBe('unknown');
  });

  it('private DNS, endpoint type and policy known only after apply give unknown, a bad policy names the problem', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('aws_vpc_endpoint.dns', 'aws_vpc_endpoint', { service_name: 'com.amazonaws.us-east-1.codeconnections.api', vpc_endpoint_type: 'Interface', vpc_id: 'vpc-01', policy: useAll }, { private_dns_enabled: true }),
            change('aws_vpc_endpoint.bad', 'aws_vpc_endpoint', { service_name: 'com.amazonaws.us-east-1.sts', vpc_endpoint_type: 'Interface', vpc_id: 'vpc-01', private_dns_enabled: true, policy: '{"Statement": [{"Effect": "Maybe", "Action": "*"}]}' }),
          ],
          { configuration: { root_module: { resources: [{ address: 'aws_vpc_endpoint.dns', mode: 'managed', type: 'aws_vpc_endpoint', name: 'dns', expressions: { private_dns_enabled: { references: ['var.dns'] } } }] } } },
        ),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    const bad = s.vpcEndpoints.find((e) => e.origin?.address === 'aws_vpc_endpoint.bad');
    expect(bad?.policy).toBeUndefined();
    expect(bad?.unreadable).toEqual([
      { field: 'policy', operation: 'policy', errorCode: 'MalformedPolicyDocument', message: 'aws_vpc_endpoint.bad.policy: the policy document does not fit the policy grammar at /Statement/0/Effect: expected one of "Allow", "Deny", got "Maybe"' },
    ]);
    const st = statuses(s);
    expect(st.get('interface-endpoint-private-dns-disabled aws_vpc_endpoint.dns')).toBe('unknown');
    expect(st.get('interface-endpoint-policy-allows-all aws_vpc_endpoint.bad')).toBe('unknown');
  });

  it('a policy nested too deep is unreadable, not a crash', async () => {
    const deep = `{"Statement": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const s = snapshotOf(await loadText(plan([change('aws_iam_policy.p', 'aws_iam_policy', { name: 'p', path: '/', policy: deep })]), { account: '111122223333' }));
    expect(s.iamPolicies[0]?.unreadable).toEqual([{ field: 'document', operation: 'policy', errorCode: 'MalformedPolicyDocument', message: 'aws_iam_policy.p.policy: the policy document nests more than 100 deep' }]);
  });

  it('a sensitive policy never enters the model and makes the field unreadable', async () => {
    const secretPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'SECRETSID', Effect: 'Allow', Action: '*', Resource: '*' }] });
    const load = await loadText(
      plan([
        change('aws_iam_role.r', 'aws_iam_role', { name: 'r', assume_role_policy: trust, path: '/' }),
        change('aws_iam_role_policy.p', 'aws_iam_role_policy', { role: 'r', name: 'p', policy: secretPolicy }, {}, { sensitive: { policy: true } }),
      ]),
      { account: '111122223333' },
    );
    expect(JSON.stringify(load)).not.toContain('SECRETSID');
    const r = snapshotOf(load).iamRoles[0];
    expect(r?.inlinePolicies).toEqual([]);
    expect(r?.unreadable).toEqual([{ field: 'inlinePolicies', operation: 'after_sensitive', errorCode: 'Sensitive', message: 'aws_iam_role_policy.p.policy is sensitive: its value is not read' }]);
    expect(statuses(snapshotOf(load)).get('iam-useconnection-overbroad aws_iam_role.r')).toBe('unknown');
  });

  it('aws_iam_policy_attachment attaches to users, groups and roles by name; a plan policy by reference', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('aws_iam_user.u', 'aws_iam_user', { name: 'u', path: '/' }),
            change('aws_iam_group.g', 'aws_iam_group', { name: 'g', path: '/' }),
            change('aws_iam_role.r', 'aws_iam_role', { name: 'r', assume_role_policy: trust, path: '/' }),
            change('aws_iam_policy.p', 'aws_iam_policy', { name: 'p', path: '/', policy: useAll }, { arn: true }),
            change('aws_iam_policy_attachment.a', 'aws_iam_policy_attachment', { name: 'a', users: ['u'], groups: ['g'], roles: ['r', 'not-in-plan'] }, { policy_arn: true }),
          ],
          { configuration: { root_module: { resources: [{ address: 'aws_iam_policy_attachment.a', mode: 'managed', type: 'aws_iam_policy_attachment', name: 'a', expressions: { policy_arn: { references: ['aws_iam_policy.p.arn', 'aws_iam_policy.p'] } } }] } } },
        ),
        { account: '111122223333' },
      ),
    );
    const arn = `arn:aws:iam::111122223333:policy/iac:${INLINE}#aws_iam_policy.p`;
    expect([s.iamUsers[0]?.attachedPolicies, s.iamGroups[0]?.attachedPolicies, s.iamRoles[0]?.attachedPolicies]).toEqual([[arn], [arn], [arn]]);
    expect(statuses(s).get('iam-useconnection-overbroad aws_iam_user.u')).toBe('fail');
  });
});

describe('group memberships', () => {
  it('a membership in a group outside the plan is kept, and the group is unknown to the IAM rules', async () => {
    const s = snapshotOf(
      await loadText(
        plan([
          change('aws_iam_user.u', 'aws_iam_user', { name: 'u', path: '/' }),
          change('aws_iam_group_membership.m', 'aws_iam_group_membership', { name: 'm', group: 'elsewhere', users: ['u'] }),
          change('aws_iam_user_group_membership.n', 'aws_iam_user_group_membership', { user: 'u', groups: ['other'] }),
        ]),
        { account: '111122223333' },
      ),
    );
    expect(s.iamUsers[0]?.groups).toEqual(['elsewhere', 'other']);
    expect(s.iamGroups).toEqual([]);
    expect(statuses(s).get('iam-useconnection-overbroad aws_iam_user.u')).toBe('unknown');
  });
});

describe('environment', () => {
  it('takes the account from aws_caller_identity, the region from a root variable, the partition from the region', async () => {
    const s = snapshotOf(
      await loadText(
        plan([change('aws_iam_group.g', 'aws_iam_group', { name: 'g' }), { address: 'data.aws_caller_identity.me', mode: 'data', type: 'aws_caller_identity', name: 'me', change: { actions: ['read'], before: null, after: { account_id: '999988887777' }, after_unknown: {} } }], {
          variables: { region: { value: 'cn-north-1' } },
          configuration: { provider_config: { aws: { name: 'aws', expressions: { region: { references: ['var.region'] } } } }, root_module: {} },
        }),
      ),
    );
    expect(s.scope).toEqual({ partition: 'aws-cn', accounts: ['999988887777'], regions: ['cn-north-1'] });
    expect(s.iamGroups[0]?.arn).toBe(`arn:aws-cn:iam::999988887777:group/iac:${INLINE}#aws_iam_group.g`);
    expect(s.iamGroups[0]?.unreadable).toBeUndefined();
  });

  it('is deterministic', async () => {
    const a = JSON.stringify(await loadFixture('estate/plan.json'));
    const b = JSON.stringify(await loadFixture('estate/plan.json'));
    expect(a).toBe(b);
  });
});
