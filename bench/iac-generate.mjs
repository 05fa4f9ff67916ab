// Generated inputs of `npm run bench:iac` (bench/iac.mjs): a CloudFormation template of N resources
// of the mapped types (YAML with short-form intrinsics, and the same template as JSON with long
// forms), a CDK cloud assembly of S stacks, and a Terraform plan (`terraform show -json`) of N
// resources. Deterministic: the same arguments give the same files byte for byte.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Resources per group: one of each mapped kind (an endpoint service with its permissions and notification, two endpoints, a connection, IAM). */
export const GROUP = 10;

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/**
 * One group of resources as CloudFormation (long-form intrinsics; `yamlOf` turns them into short
 * forms). Every 7th service allows `*`, every 3rd has acceptance off, every other endpoint has no
 * policy and every 5th no private DNS: the rules fail, pass and (through the parameter without
 * a default on every 11th group) give unknown.
 */
function group(i) {
  const s = `Svc${i}`;
  const conn = `Conn${i}`;
  const role = `Role${i}`;
  return {
    [s]: {
      Type: 'AWS::EC2::VPCEndpointService',
      Properties: {
        AcceptanceRequired: i % 11 === 5 ? { Ref: 'RequireAcceptance' } : i % 3 !== 0,
        NetworkLoadBalancerArns: [{ 'Fn::Sub': `arn:\${AWS::Partition}:elasticloadbalancing:\${AWS::Region}:\${AWS::AccountId}:loadbalancer/net/nlb-${i}/${(0x1000000 + i).toString(16)}` }],
      },
    },
    [`${s}Permissions`]: {
      Type: 'AWS::EC2::VPCEndpointServicePermissions',
      Properties: {
        ServiceId: { Ref: s },
        AllowedPrincipals: i % 7 === 0 ? ['*'] : [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${ConsumerAccount}:root' }],
      },
    },
    [`${s}Notification`]: {
      Type: 'AWS::EC2::VPCEndpointConnectionNotification',
      Properties: {
        ServiceId: { Ref: s },
        ConnectionEvents: ['Connect', 'Accept', 'Reject', 'Delete'],
        ConnectionNotificationArn: { 'Fn::Sub': `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:endpoint-events-${i % 4}` },
      },
    },
    [`Endpoint${i}`]: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Sub': 'com.amazonaws.${AWS::Region}.codestar-connections.api' },
        VpcId: { Ref: 'VpcId' },
        SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
        PrivateDnsEnabled: i % 5 !== 0,
        ...(i % 2 === 0
          ? {
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [role, 'Arn'] } }, Action: ['codestar-connections:UseConnection'], Resource: { Ref: conn } }],
              },
            }
          : {}),
      },
    },
    [`PartnerEndpoint${i}`]: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Sub': `com.amazonaws.vpce.\${AWS::Region}.\${${s}}` },
        VpcId: { Ref: 'VpcId' },
        SubnetIds: [{ Ref: 'SubnetA' }],
        PrivateDnsEnabled: false,
      },
    },
    [conn]: {
      Type: 'AWS::CodeStarConnections::Connection',
      Properties: { ConnectionName: { 'Fn::Sub': `\${AWS::StackName}-gh-${i}` }, ProviderType: 'GitHub' },
    },
    [role]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Sub': `\${AWS::StackName}-build-${i}` },
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [
          {
            PolicyName: 'use-connection',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: i % 4 === 0 ? '*' : { 'Fn::GetAtt': [conn, 'ConnectionArn'] } }],
            },
          },
        ],
        ManagedPolicyArns: i % 6 === 0 ? ['arn:aws:iam::aws:policy/ReadOnlyAccess'] : [],
      },
    },
    [`Policy${i}`]: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Roles: [{ Ref: role }],
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:PassConnection'], Resource: { Ref: conn }, Condition: { StringEquals: { 'codestar-connections:PassedToService': 'codepipeline.amazonaws.com' } } }] },
      },
    },
    [`Deployer${i}`]: {
      Type: 'AWS::IAM::User',
      Properties: { Groups: [{ Ref: `Deployers${i}` }], ManagedPolicyArns: [{ Ref: `Policy${i}` }] },
    },
    [`Deployers${i}`]: {
      Type: 'AWS::IAM::Group',
      Properties: { Policies: [{ PolicyName: 'admin-connections', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: i % 9 === 0 ? 'codestar-connections:*' : 'codestar-connections:List*', Resource: '*' }] } }] },
    },
  };
}

/** A template object of `resources` resources (rounded up to whole groups), starting at group `from`. */
export function templateObject(resources, from = 0) {
  const Resources = {};
  for (let g = from; g < from + Math.ceil(resources / GROUP); g++) Object.assign(Resources, group(g));
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `linkaudit bench: ${Object.keys(Resources).length} resources of the mapped types`,
    Parameters: {
      VpcId: { Type: 'AWS::EC2::VPC::Id', Default: 'vpc-0123456789abcdef0' },
      SubnetA: { Type: 'AWS::EC2::Subnet::Id', Default: 'subnet-0123456789abcdef0' },
      SubnetB: { Type: 'AWS::EC2::Subnet::Id', Default: 'subnet-0fedcba9876543210' },
      ConsumerAccount: { Type: 'String', Default: '444455556666' },
      // No default: what the template does not decide.
      RequireAcceptance: { Type: 'String', AllowedValues: ['true', 'false'] },
    },
    Resources,
  };
}

const SHORT = { Ref: '!Ref', 'Fn::Sub': '!Sub', 'Fn::GetAtt': '!GetAtt', 'Fn::If': '!If', 'Fn::Join': '!Join', 'Fn::Split': '!Split' };

/** A template as YAML the way people write it: short-form tags (`!Ref X`, `!Sub '…'`, `!GetAtt A.B`). */
export function yamlOf(value) {
  const out = [];
  emit(value, 0, out, undefined);
  return `${out.join('\n')}\n`;
}

function scalar(v) {
  if (typeof v === 'string') return /^[A-Za-z0-9][\w.\-/:]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) && !/^[\d.+-]/.test(v) ? v : `'${v.replace(/'/g, "''")}'`;
  return String(v);
}

function intrinsic(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !(keys[0] in SHORT)) return undefined;
  const k = keys[0];
  const arg = v[k];
  if (k === 'Fn::GetAtt' && Array.isArray(arg)) return `!GetAtt ${arg.join('.')}`;
  if (typeof arg === 'string') return `${SHORT[k]} ${scalar(arg)}`;
  return undefined;
}

function emit(v, indent, out, key) {
  const pad = ' '.repeat(indent);
  const head = key === undefined ? pad : `${pad}${key}:`;
  const short = intrinsic(v);
  if (short !== undefined || v === null || typeof v !== 'object') {
    const text = short ?? scalar(v);
    out.push(key === undefined ? `${pad}${text}` : `${head} ${text}`);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(key === undefined ? `${pad}[]` : `${head} []`);
      return;
    }
    if (key !== undefined) out.push(head);
    for (const item of v) {
      const s = intrinsic(item);
      if (s !== undefined || item === null || typeof item !== 'object') out.push(`${pad}  - ${s ?? scalar(item)}`);
      else {
        const sub = [];
        emit(item, indent + 4, sub, undefined);
        out.push(`${pad}  - ${(sub[0] ?? '').trimStart()}`, ...sub.slice(1));
      }
    }
    return;
  }
  if (key !== undefined) out.push(head);
  const inner = key === undefined ? indent : indent + 2;
  const entries = Object.entries(v);
  entries.forEach(([k, x]) => emit(x, inner, out, k));
}

/** A cloud assembly of `stacks` stacks of `perStack` resources each; every 10th is env-agnostic. */
export function writeAssembly(dir, stacks, perStack) {
  mkdirSync(dir, { recursive: true });
  const artifacts = {};
  for (let i = 0; i < stacks; i++) {
    const id = `Bench${String(i).padStart(3, '0')}Stack`;
    const template = templateObject(perStack, i * Math.ceil(perStack / GROUP));
    delete template.AWSTemplateFormatVersion;
    for (const [logicalId, r] of Object.entries(template.Resources)) r.Metadata = { 'aws:cdk:path': `${id}/${logicalId}/Resource` };
    writeFileSync(join(dir, `${id}.template.json`), JSON.stringify(template, undefined, 1));
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: i % 10 === 9 ? 'aws://unknown-account/unknown-region' : `aws://${ACCOUNT}/${REGION}`,
      properties: { templateFile: `${id}.template.json`, parameters: { RequireAcceptance: 'true' }, validateOnSynth: false },
      metadata: Object.fromEntries(Object.keys(template.Resources).map((l) => [`/${id}/${l}/Resource`, [{ type: 'aws:cdk:logicalId', data: l }]])),
      displayName: id,
    };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '41.0.0', artifacts }, undefined, 2));
  writeFileSync(join(dir, 'cdk.out'), JSON.stringify({ version: '41.0.0' }));
}

/** A Terraform plan of `resources` resource changes, as `terraform show -json` writes it (values known at plan time in `after`, the rest in `after_unknown`). */
export function planObject(resources) {
  const changes = [];
  const config = [];
  const add = (type, name, after, unknown, references = {}) => {
    changes.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: ['create'], before: null, after, after_unknown: unknown, before_sensitive: false, after_sensitive: {} },
    });
    config.push({
      address: `${type}.${name}`,
      mode: 'managed',
      type,
      name,
      provider_config_key: 'aws',
      expressions: Object.fromEntries(Object.entries(references).map(([k, r]) => [k, { references: r }])),
      schema_version: 0,
    });
  };
  for (let i = 0; changes.length < resources; i++) {
    const s = `svc${i}`;
    add('aws_vpc_endpoint_service', s, { acceptance_required: i % 3 !== 0, network_load_balancer_arns: [`arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/nlb-${i}/abc`], private_dns_name: null, tags: null, timeouts: null }, { id: true, arn: true, service_name: true, allowed_principals: true, availability_zones: true, base_endpoint_dns_names: true, state: true, tags_all: true });
    add('aws_vpc_endpoint_service_allowed_principal', `${s}_consumer`, { principal_arn: i % 7 === 0 ? '*' : `arn:aws:iam::444455556666:root` }, { id: true, vpc_endpoint_service_id: true }, { vpc_endpoint_service_id: [`aws_vpc_endpoint_service.${s}.id`, `aws_vpc_endpoint_service.${s}`] });
    add('aws_vpc_endpoint_connection_notification', `${s}_events`, { connection_events: ['Accept', 'Connect', 'Delete', 'Reject'], connection_notification_arn: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint-events`, vpc_endpoint_id: null }, { id: true, vpc_endpoint_service_id: true, state: true, notification_type: true }, { vpc_endpoint_service_id: [`aws_vpc_endpoint_service.${s}.id`, `aws_vpc_endpoint_service.${s}`] });
    add('aws_vpc_endpoint', `api${i}`, { vpc_endpoint_type: 'Interface', service_name: `com.amazonaws.${REGION}.codestar-connections.api`, vpc_id: 'vpc-0123456789abcdef0', subnet_ids: ['subnet-0123456789abcdef0'], private_dns_enabled: i % 5 !== 0, auto_accept: null, tags: null, timeouts: null, ...(i % 2 === 0 ? { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'codestar-connections:UseConnection', Resource: '*' }] }) } : {}) }, { id: true, arn: true, ...(i % 2 === 0 ? {} : { policy: true }), dns_entry: true, network_interface_ids: true, owner_id: true, state: true, security_group_ids: true, tags_all: true });
    add('aws_vpc_endpoint', `partner${i}`, { vpc_endpoint_type: 'Interface', vpc_id: 'vpc-0123456789abcdef0', subnet_ids: ['subnet-0123456789abcdef0'], private_dns_enabled: false, tags: null, timeouts: null }, { id: true, arn: true, service_name: true, policy: true, dns_entry: true, state: true, tags_all: true }, { service_name: [`aws_vpc_endpoint_service.${s}.service_name`, `aws_vpc_endpoint_service.${s}`] });
    add('aws_codestarconnections_connection', `gh${i}`, { name: `gh-${i}`, provider_type: 'GitHub', host_arn: null, tags: null }, { id: true, arn: true, connection_status: true, tags_all: true });
    add('aws_iam_role', `build${i}`, { name: `build-${i}`, path: '/', assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), permissions_boundary: null, description: null, max_session_duration: 3600, force_detach_policies: false, tags: null }, { id: true, arn: true, unique_id: true, create_date: true, inline_policy: true, managed_policy_arns: true, tags_all: true });
    add('aws_iam_role_policy', `build${i}_use`, { name: 'use-connection', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: i % 4 === 0 ? '*' : `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/gh-${i}` }] }) }, { id: true, role: true }, { role: [`aws_iam_role.build${i}.id`, `aws_iam_role.build${i}`] });
    add('aws_iam_policy', `pass${i}`, { name: `pass-${i}`, path: '/', description: null, policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:PassConnection', Resource: '*' }] }), tags: null }, { id: true, arn: true, policy_id: true, attachment_count: true, tags_all: true });
    add('aws_iam_role_policy_attachment', `build${i}_pass`, { policy_arn: null }, { id: true, role: true, policy_arn: true }, { role: [`aws_iam_role.build${i}.name`, `aws_iam_role.build${i}`], policy_arn: [`aws_iam_policy.pass${i}.arn`, `aws_iam_policy.pass${i}`] });
  }
  changes.length = resources;
  config.length = resources;
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: { resources: changes.map((c) => ({ address: c.address, mode: c.mode, type: c.type, name: c.name, provider_name: c.provider_name, schema_version: 0, values: c.change.after, sensitive_values: {} })) } },
    resource_changes: changes,
    configuration: { provider_config: { aws: { name: 'aws', full_name: 'registry.terraform.io/hashicorp/aws', expressions: { region: { constant_value: REGION } } } }, root_module: { resources: config } },
    timestamp: '2026-12-01T00:00:00Z',
    applyable: true,
    complete: true,
    errored: false,
  };
}
