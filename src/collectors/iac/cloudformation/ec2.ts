// AWS::EC2::VPCEndpointService (+ VPCEndpointServicePermissions, VPCEndpointConnectionNotification,
// joined by the service id their ServiceId resolved to) and AWS::EC2::VPCEndpoint → the model's
// endpointServices and vpcEndpoints, meaning what a live collection of the deployed stack would
// (src/collectors/ec2.ts). Defaults and their sources: docs/iac.md.

import { iacArn } from '../../../model/arn.js';
import type { ConnectionNotification, EndpointService, VpcEndpoint } from '../../../model/types.js';
import { principalTypeOf } from '../../principal-type.js';
import { unresolvedField } from '../types.js';
import type { MapContext } from './context.js';
import { originIdOf } from './identity.js';
import { policyDocumentOf } from './policy-document.js';
import { Unresolved, type CfnResource } from './template-types.js';
import { stringOf, type FieldReader } from './values.js';
import { pushAll } from '../../../arrays.js';

const EVENTS = new Set<string>(['Connect', 'Accept', 'Reject', 'Delete']);
const EC2_ID = /^(vpc-[A-Za-z0-9]{1,64}|iac:.+)$/;

export function mapEc2(ctx: MapContext): { vpcEndpoints: VpcEndpoint[]; endpointServices: EndpointService[] } {
  return { endpointServices: mapServices(ctx), vpcEndpoints: ctx.of('AWS::EC2::VPCEndpoint').map((r) => endpoint(ctx, r)) };
}

interface ServiceEntry {
  model: EndpointService;
  reader: FieldReader;
}

function mapServices(ctx: MapContext): EndpointService[] {
  const byId = new Map<string, ServiceEntry>();
  for (const r of ctx.of('AWS::EC2::VPCEndpointService')) {
    const entry = service(ctx, r);
    byId.set(entry.model.id, entry);
  }
  const entries = [...byId.values()];
  joinPermissions(ctx, byId, entries);
  joinNotifications(ctx, byId, entries);
  for (const e of entries) e.model.allowedPrincipals.sort((a, b) => compare(a.principal, b.principal));
  return entries.map((e) => e.model);
}

function service(ctx: MapContext, r: CfnResource): ServiceEntry {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const id = ctx.identity(r).ref;
  const tags = rd.tags();
  // Neither the EC2 API reference (CreateVpcEndpointServiceConfiguration) nor the CloudFormation
  // reference of AWS::EC2::VPCEndpointService states a default for AcceptanceRequired: unknown,
  // and the message asks for an explicit value.
  let acceptanceRequired = rd.boolean('acceptanceRequired', 'AcceptanceRequired');
  if (!('AcceptanceRequired' in r.properties)) {
    rd.mark(unresolvedField('acceptanceRequired', 'AcceptanceRequired', 'AcceptanceRequired is not set and AWS documents no default; set it explicitly', 'NoDefault'));
  }
  // Placeholder (the field is unreadable whenever it is used): the worst case, as the acceptance
  // rule assumes the worst of unreadable principals, because other rules' messages and evidence
  // read the field (endpoint-service-allows-any-principal says whether requests need acceptance).
  acceptanceRequired ??= false;
  const nlbs = rd.stringList('networkLoadBalancerArns', 'NetworkLoadBalancerArns');
  const gwlbs = rd.stringList('gatewayLoadBalancerArns', 'GatewayLoadBalancerArns');
  const model: EndpointService = {
    arn: iacArn('endpointService', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
    account: stack.account,
    region: stack.region,
    tags,
    id,
    // What EC2 names a service (com.amazonaws.vpce.REGION.vpce-svc-…), with the IaC id in place of the service id.
    serviceName: `com.amazonaws.vpce.${stack.region}.${id}`,
    serviceType: (gwlbs?.length ?? 0) > 0 && (nlbs?.length ?? 0) === 0 ? 'GatewayLoadBalancer' : 'Interface',
    // CloudFormation reports the resource created once the service is Available.
    state: 'Available',
    acceptanceRequired,
    availabilityZones: zonesOf(ctx, rd, r, nlbs, gwlbs),
    allowedPrincipals: [],
    // No endpoint is connected to a service that does not exist yet.
    endpointConnections: [],
    connectionNotifications: [],
  };
  if (nlbs) model.networkLoadBalancerArns = nlbs;
  if (gwlbs) model.gatewayLoadBalancerArns = gwlbs;
  const dnsName = rd.optionalString('privateDns', 'PrivateDnsName');
  if (dnsName !== undefined) {
    // A new private DNS name starts pendingVerification until its TXT record is verified: runtime
    // state, which a template does not decide (the rule on it gives no result from IaC).
    model.privateDns = { name: dnsName, verificationState: 'pendingVerification' };
    rd.mark(unresolvedField('privateDns', 'PrivateDnsName', `the verification state of private DNS name ${dnsName} is known only after deployment`, 'RuntimeState'));
  }
  return { model: ctx.add(model, rd), reader: rd };
}

/**
 * The zones the service is offered in are its load balancers' zones: known when every load
 * balancer is declared in the template with subnets whose AvailabilityZone resolves; otherwise
 * unknown (never a single zone, which would fail endpoint-service-single-az wrongly).
 */
function zonesOf(ctx: MapContext, rd: FieldReader, r: CfnResource, nlbs: string[] | undefined, gwlbs: string[] | undefined): string[] {
  const field = 'availabilityZones';
  rd.at(field, 'NetworkLoadBalancerArns');
  rd.at(field, 'GatewayLoadBalancerArns');
  if (rd.has('networkLoadBalancerArns') || rd.has('gatewayLoadBalancerArns')) {
    const from = rd.unreadable.find((u) => u.field === 'networkLoadBalancerArns' || u.field === 'gatewayLoadBalancerArns');
    if (from) rd.mark({ ...from, field });
    return [];
  }
  const arns = [...(nlbs ?? []), ...(gwlbs ?? [])];
  if (arns.length === 0) {
    rd.invalid(field, 'NetworkLoadBalancerArns', 'names no load balancer (nor does GatewayLoadBalancerArns), so the service has no zones to offer');
    return [];
  }
  const lbs = ctx.byRef('AWS::ElasticLoadBalancingV2::LoadBalancer');
  const subnets = ctx.byRef('AWS::EC2::Subnet');
  const zones = new Set<string>();
  const unknown = (message: string): string[] => {
    rd.mark(unresolvedField(field, 'Fn::GetAtt', message));
    return [];
  };
  for (const arn of arns) {
    const lb = lbs.get(arn);
    if (!lb) return unknown(`${r.logicalId}: load balancer ${arn} is not declared in this template, so its Availability Zones are not known`);
    const subnetIds: unknown[] = [];
    const list = lb.properties.Subnets;
    const mappings = lb.properties.SubnetMappings;
    if (Array.isArray(list)) pushAll(subnetIds, list);
    else if (Array.isArray(mappings)) for (const m of mappings) subnetIds.push(m !== null && typeof m === 'object' && !Array.isArray(m) && !(m instanceof Unresolved) ? m.SubnetId : m);
    else if (list instanceof Unresolved || mappings instanceof Unresolved) {
      const u = (list instanceof Unresolved ? list : mappings) as Unresolved;
      return unknown(`${lb.logicalId}.${list instanceof Unresolved ? 'Subnets' : 'SubnetMappings'}: ${u.reason}`);
    } else return unknown(`${lb.logicalId} names no Subnets or SubnetMappings, so its Availability Zones are not known`);
    for (const s of subnetIds) {
      if (s instanceof Unresolved) return unknown(`${lb.logicalId}: a subnet is not resolved: ${s.reason}`);
      const subnet = typeof s === 'string' ? subnets.get(s) : undefined;
      if (!subnet) return unknown(`${lb.logicalId}: subnet ${typeof s === 'string' ? s : '(not a string)'} is not declared in this template, so its Availability Zone is not known`);
      const az = subnet.properties.AvailabilityZone ?? subnet.properties.AvailabilityZoneId;
      if (az instanceof Unresolved) return unknown(`${subnet.logicalId}.AvailabilityZone: ${az.reason}`);
      const zone = az === undefined ? undefined : stringOf(az);
      // Without one, EC2 picks a zone at creation time.
      if (zone === undefined) return unknown(`${subnet.logicalId} sets no AvailabilityZone (EC2 picks one when it creates the subnet)`);
      zones.add(zone);
    }
  }
  return [...zones].sort(compare);
}

/** The service a permissions or notification resource names, or why it cannot be told. */
function target(byId: Map<string, ServiceEntry>, r: CfnResource): ServiceEntry | Unresolved | undefined {
  const v = r.properties.ServiceId;
  if (v instanceof Unresolved) return v;
  // A service id that is not one of this template's names a service deployed elsewhere: nothing here to judge.
  return typeof v === 'string' ? byId.get(v) : undefined;
}

function joinPermissions(ctx: MapContext, byId: Map<string, ServiceEntry>, entries: ServiceEntry[]): void {
  const field = 'allowedPrincipals';
  for (const p of ctx.of('AWS::EC2::VPCEndpointServicePermissions')) {
    const t = target(byId, p);
    if (t instanceof Unresolved) {
      // It may name any service of the template: each one's principals are unknown.
      for (const e of entries) e.reader.unresolved(field, 'ServiceId', t, p);
      continue;
    }
    if (!t) continue;
    const principals = t.reader.stringList(field, 'AllowedPrincipals', p) ?? [];
    for (const principal of principals) {
      if (!t.model.allowedPrincipals.some((a) => a.principal === principal)) t.model.allowedPrincipals.push({ principal, principalType: principalTypeOf(principal) }); // EC2 derives the type from the principal, as the live collector infers it
    }
  }
}

function joinNotifications(ctx: MapContext, byId: Map<string, ServiceEntry>, entries: ServiceEntry[]): void {
  const field = 'connectionNotifications';
  for (const n of ctx.of('AWS::EC2::VPCEndpointConnectionNotification')) {
    // A notification on an endpoint (VPCEndpointId) says nothing about a service.
    if (n.properties.ServiceId === undefined) continue;
    const t = target(byId, n);
    if (t instanceof Unresolved) {
      for (const e of entries) if (e.model.connectionNotifications.length === 0) e.reader.unresolved(field, 'ServiceId', t, n);
      continue;
    }
    if (!t) continue;
    if (!(field in t.reader.properties)) t.reader.properties[field] = n.location;
    const topic = n.properties.ConnectionNotificationArn;
    const events = n.properties.ConnectionEvents;
    const notification: ConnectionNotification = {
      id: ctx.identity(n).ref,
      // The rule asks whether an enabled notification exists, which the template decides even when
      // the topic comes from outside it (an import, a parameter): the topic is then named by what
      // did not resolve rather than making the whole field unknown.
      topicArn: topic instanceof Unresolved ? `unresolved ${topic.operation}` : (stringOf(topic ?? '') ?? ''),
      events: Array.isArray(events) ? events.filter((e): e is ConnectionNotification['events'][number] => typeof e === 'string' && EVENTS.has(e)) : [],
      // CloudFormation creates notifications enabled (the EC2 API has no state to ask for).
      state: 'Enabled',
    };
    t.model.connectionNotifications.push(notification);
    // A notification found after one that could not be placed: the service has one for certain.
    const i = t.reader.unreadable.findIndex((u) => u.field === field);
    if (i >= 0) t.reader.unreadable.splice(i, 1);
  }
  for (const e of entries) e.model.connectionNotifications.sort((a, b) => compare(a.id, b.id));
}

function endpoint(ctx: MapContext, r: CfnResource): VpcEndpoint {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const tags = rd.tags();
  let vpcId = rd.string('vpcId', 'VpcId', 'iac:unresolved');
  if (!EC2_ID.test(vpcId)) {
    rd.invalid('vpcId', 'VpcId', 'is not a VPC id (vpc-…)');
    vpcId = 'iac:invalid';
  }
  // Resource and ServiceNetwork endpoints name no service; their target ARN is the closest thing (as live).
  const nameProp = ['ServiceName', 'ServiceNetworkArn', 'ResourceConfigurationArn'].find((p) => p in r.properties) ?? 'ServiceName';
  const serviceName = rd.string('serviceName', nameProp, '');
  if (!(nameProp in r.properties)) rd.invalid('serviceName', 'ServiceName', 'is not set');
  // AWS::EC2::VPCEndpoint VpcEndpointType: "Default: Gateway" (CloudFormation reference).
  const endpointType = rd.string('endpointType', 'VpcEndpointType', 'Gateway');
  // PrivateDnsEnabled: the CloudFormation resource schema's default is false, which is what a
  // deploy of the template gets; the EC2 API's own CreateVpcEndpoint default is true for
  // interface endpoints to AWS services, but CloudFormation sends its default explicitly.
  const privateDnsEnabled = rd.boolean('privateDnsEnabled', 'PrivateDnsEnabled') ?? false;
  const model: VpcEndpoint = {
    arn: iacArn('vpcEndpoint', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
    account: stack.account,
    region: stack.region,
    tags,
    id: ctx.identity(r).ref,
    vpcId,
    serviceName,
    endpointType,
    // The state a successful deploy leaves the endpoint in (a provider's acceptance is runtime).
    state: 'available',
    privateDnsEnabled,
    // Declared by the template's author, so not created on their behalf by a service.
    requesterManaged: false,
  };
  const doc = rd.raw('policy', 'PolicyDocument');
  if (doc !== undefined) {
    const read = policyDocumentOf(doc);
    if (read.ok) model.policy = read.document;
    else rd.mark(unresolvedField('policy', 'PolicyDocument', `${r.logicalId}.PolicyDocument: ${read.reason}`, 'MalformedPolicyDocument'));
  }
  // An absent PolicyDocument is no policy: full access (CloudFormation, EC2 CreateVpcEndpoint), as live.
  const subnetIds = rd.stringList('subnetIds', 'SubnetIds');
  if (subnetIds) model.subnetIds = subnetIds;
  const groups = rd.stringList('securityGroupIds', 'SecurityGroupIds');
  if (groups) model.securityGroupIds = groups;
  return ctx.add(model, rd);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
