// One CloudFormation stack in one world → the model (MapStack, template-types.ts): the service
// mappers (ec2.ts, codeconnections.ts, iam.ts, codebuild.ts, codepipeline.ts) over the resolved
// resources, then what a template that could not be expanded means for the rules.

import { RESOURCE_KINDS, type CoverageGap, type ResourceBase, type ResourceKind } from '../../../model/types.js';
import { MapContext } from './context.js';
import { mapCodeBuild } from './codebuild.js';
import { mapCodeConnections } from './codeconnections.js';
import { mapCodePipeline } from './codepipeline.js';
import { CiRefs } from './ci-refs.js';
import { mapEc2 } from './ec2.js';
import { mapIam } from './iam.js';
import type { CfnStack, MapStack, MappedStack } from './template-types.js';

/** Every type a mapper reads (including those that only add to another's model resource). */
export const MAPPED_TYPES: ReadonlySet<string> = new Set([
  'AWS::EC2::VPCEndpointService',
  'AWS::EC2::VPCEndpointServicePermissions',
  'AWS::EC2::VPCEndpointConnectionNotification',
  'AWS::EC2::VPCEndpoint',
  'AWS::CodeStarConnections::Connection',
  'AWS::CodeConnections::Connection',
  'AWS::CodeConnections::Host',
  'AWS::CodeStarConnections::Host',
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
  'AWS::IAM::UserToGroupAddition',
  'AWS::CodePipeline::Pipeline',
  'AWS::CodeBuild::Project',
  'AWS::CodeBuild::SourceCredential',
]);

/**
 * The model fields of each kind (schemas/snapshot.schema.json; a test keeps them in step): an
 * unexpanded template makes every one unreadable, since the macro may change any of them.
 */
export const KIND_FIELDS: Record<ResourceKind, readonly string[]> = {
  connection: ['account', 'hostArn', 'name', 'ownerAccountId', 'providerType', 'region', 'status', 'tags'],
  host: ['account', 'name', 'providerEndpoint', 'providerType', 'region', 'status', 'statusMessage', 'tags', 'vpcConfiguration'],
  vpcEndpoint: [
    'account', 'creationTimestamp', 'endpointType', 'id', 'policy', 'policySupported', 'privateDnsEnabled', 'region',
    'requesterManaged', 'securityGroupIds', 'serviceName', 'state', 'subnetIds', 'tags', 'vpcId',
  ],
  endpointService: [
    'acceptanceRequired', 'account', 'allowedPrincipals', 'availabilityZones', 'connectionNotifications', 'endpointConnections',
    'gatewayLoadBalancerArns', 'id', 'managesVpcEndpoints', 'networkLoadBalancerArns', 'privateDns', 'region', 'serviceName',
    'serviceType', 'state', 'tags',
  ],
  iamUser: ['account', 'attachedPolicies', 'groups', 'id', 'inlinePolicies', 'name', 'path', 'permissionsBoundary', 'region', 'tags'],
  iamGroup: ['account', 'attachedPolicies', 'id', 'inlinePolicies', 'name', 'path', 'permissionsBoundary', 'region', 'tags'],
  iamRole: ['account', 'assumeRolePolicy', 'attachedPolicies', 'id', 'inlinePolicies', 'name', 'path', 'permissionsBoundary', 'region', 'tags'],
  iamPolicy: ['account', 'attachmentCount', 'awsManaged', 'defaultVersionId', 'document', 'id', 'name', 'path', 'region', 'tags'],
  pipeline: ['account', 'executionMode', 'name', 'pipelineType', 'region', 'roleArn', 'stages', 'tags', 'triggers'],
  buildProject: ['account', 'environmentVariables', 'name', 'region', 'secondarySources', 'serviceRole', 'source', 'sourceVersion', 'tags', 'webhook'],
  sourceCredential: ['account', 'authType', 'region', 'resource', 'serverType', 'tags'],
};

export const mapStack: MapStack = (stack: CfnStack): MappedStack => {
  const ctx = new MapContext(stack);
  const ec2 = mapEc2(ctx);
  const cc = mapCodeConnections(ctx);
  const iam = mapIam(ctx);
  const refs = new CiRefs(ctx);
  const builds = mapCodeBuild(ctx, refs);
  const pipelines = mapCodePipeline(ctx, refs);
  ctx.seal();
  const out: MappedStack = {
    connections: byArn(cc.connections),
    hosts: byArn(cc.hosts),
    vpcEndpoints: byArn(ec2.vpcEndpoints),
    endpointServices: byArn(ec2.endpointServices),
    iamUsers: iam.iamUsers,
    iamGroups: iam.iamGroups,
    iamRoles: iam.iamRoles,
    iamPolicies: iam.iamPolicies,
    pipelines: byArn(pipelines),
    buildProjects: byArn(builds.buildProjects),
    sourceCredentials: byArn(builds.sourceCredentials),
    coverage: [],
    unmapped: stack.resources.filter((r) => !MAPPED_TYPES.has(r.type)).length,
  };
  if (stack.unexpanded) unexpanded(stack, out);
  return out;
};

/**
 * A Transform or macro the reader cannot expand may add, remove or rewrite anything: every field
 * of every mapped resource is unknown, and so is the absence of anything (a coverage gap over
 * every kind, so "no such resource" results are unknown too). The gate fails closed.
 */
function unexpanded(stack: CfnStack, out: MappedStack): void {
  const u = stack.unexpanded;
  if (!u) return;
  const message = `the template's ${u.operation} is not expanded: ${u.reason}`;
  const mark = (_kind: ResourceKind, r: ResourceBase): void => {
    // AWS managed policies come from the bundle, not the template: the macro cannot change them.
    if (!r.origin) return;
    // `*`: every field, one entry (the engine gives unknown to every rule that reads any field).
    r.unreadable = [{ field: '*', operation: u.operation, errorCode: 'Unresolved', message }];
  };
  const kinds: Array<[ResourceKind, ResourceBase[]]> = [
    ['connection', out.connections],
    ['host', out.hosts],
    ['vpcEndpoint', out.vpcEndpoints],
    ['endpointService', out.endpointServices],
    ['iamUser', out.iamUsers],
    ['iamGroup', out.iamGroups],
    ['iamRole', out.iamRoles],
    ['iamPolicy', out.iamPolicies],
    ['pipeline', out.pipelines],
    ['buildProject', out.buildProjects],
    ['sourceCredential', out.sourceCredentials],
  ];
  for (const [kind, list] of kinds) for (const r of list) mark(kind, r);
  const gap: CoverageGap = {
    account: stack.account,
    region: stack.region,
    service: 'cloudformation',
    operation: 'Transform',
    errorCode: 'Unresolved',
    message: `${stack.file}: ${message}`,
    resourceKinds: [...RESOURCE_KINDS],
  };
  out.coverage.push(gap);
}

function byArn<T extends { arn: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
