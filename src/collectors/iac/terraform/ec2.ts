// aws_vpc_endpoint_service (+ its allowed principals and connection notifications) and
// aws_vpc_endpoint → the model's endpointService and vpcEndpoint, as the live collector
// (src/collectors/ec2.ts) would read the applied plan. Defaults are the AWS provider's
// (registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_endpoint):
// vpc_endpoint_type "Gateway", private_dns_enabled false, no policy = AWS's full-access policy.

import type { AllowedPrincipal, ConnectionNotification, EndpointService, SourceLocation, VpcEndpoint } from '../../../model/types.js';
import { unresolvedField } from '../types.js';
import { argLocations, arnOf, configOf, Fields, iacId, indexBy, joinOf, originOf, type MapContext } from './context.js';
import { expressionOf } from './configuration.js';
import { attr, isObject, type Json, type TfResource } from './plan.js';
import { parsePolicyText } from './policy.js';
// The provider's principal_arn carries no type: EC2's judgement, as the live collector infers it.
import { principalTypeOf } from '../../principal-type.js';

export const EC2_TYPES = ['aws_vpc_endpoint_service', 'aws_vpc_endpoint_service_allowed_principal', 'aws_vpc_endpoint_connection_notification', 'aws_vpc_endpoint'] as const;

const EVENTS = new Set(['Connect', 'Accept', 'Reject', 'Delete']);
/** What a string the plan does not know yet reads as in messages (the field is also unreadable). */
export const AFTER_APPLY = '(known after apply)';

const SERVICE_PROPS: Record<string, string> = {
  acceptanceRequired: 'acceptance_required',
  allowedPrincipals: 'allowed_principals',
  privateDns: 'private_dns_name',
  networkLoadBalancerArns: 'network_load_balancer_arns',
  gatewayLoadBalancerArns: 'gateway_load_balancer_arns',
  tags: 'tags',
};

const ENDPOINT_PROPS: Record<string, string> = {
  serviceName: 'service_name',
  vpcId: 'vpc_id',
  endpointType: 'vpc_endpoint_type',
  privateDnsEnabled: 'private_dns_enabled',
  policy: 'policy',
  subnetIds: 'subnet_ids',
  securityGroupIds: 'security_group_ids',
  tags: 'tags',
};

export function mapEc2(ctx: MapContext): { endpointServices: EndpointService[]; vpcEndpoints: VpcEndpoint[] } {
  const services = (ctx.byType.get('aws_vpc_endpoint_service') ?? []).map((r) => service(ctx, r));
  const byResource = new Map(services.map((s) => [s.r, s]));
  const byRealId = indexBy(services.map((s) => s.r), 'id');

  for (const p of ctx.byType.get('aws_vpc_endpoint_service_allowed_principal') ?? []) {
    const join = joinOf(ctx, p, 'vpc_endpoint_service_id', ['aws_vpc_endpoint_service'], byRealId);
    const targets = joinedServices(join, services, byResource);
    if (targets === 'outside') continue;
    const a = attr(p, 'principal_arn');
    for (const { s, unresolved } of targets) {
      if (unresolved !== undefined) {
        s.fields.mark(unresolvedField('allowedPrincipals', 'after_unknown', unresolved));
      } else if (a.kind === 'known' && typeof a.value === 'string') {
        // The service's computed allowed_principals already lists those of an existing service.
        const principal = a.value;
        if (!s.model.allowedPrincipals.some((x) => x.principal === principal)) s.model.allowedPrincipals.push({ principal, principalType: principalTypeOf(principal) });
      } else if (a.kind === 'sensitive') {
        s.fields.mark(unresolvedField('allowedPrincipals', 'after_sensitive', `${p.address}.principal_arn is sensitive: its value is not read`, 'Sensitive'));
      } else {
        s.fields.mark(unresolvedField('allowedPrincipals', 'after_unknown', `${p.address}.principal_arn is known only after apply`));
      }
      s.locate('allowedPrincipals', argLocations(ctx, p, { allowedPrincipals: 'principal_arn' }).allowedPrincipals);
    }
  }

  for (const n of ctx.byType.get('aws_vpc_endpoint_connection_notification') ?? []) {
    // A notification on an endpoint (vpc_endpoint_id) says nothing about a service, as in the live collector.
    if (attr(n, 'vpc_endpoint_service_id').kind === 'absent' && expressionOf(configOf(ctx, n), 'vpc_endpoint_service_id') === undefined) continue;
    const join = joinOf(ctx, n, 'vpc_endpoint_service_id', ['aws_vpc_endpoint_service'], byRealId);
    const targets = joinedServices(join, services, byResource);
    if (targets === 'outside') continue;
    for (const { s, unresolved } of targets) {
      if (unresolved !== undefined) {
        s.fields.mark(unresolvedField('connectionNotifications', 'after_unknown', unresolved));
        continue;
      }
      s.model.connectionNotifications.push(notification(ctx, n));
      s.locate('connectionNotifications', originOf(ctx, n, {}).location);
    }
  }

  const endpointServices = services.map((s) => {
    s.model.allowedPrincipals.sort((a, b) => cmp(a.principal, b.principal));
    s.model.connectionNotifications.sort((a, b) => cmp(a.id, b.id));
    const done = s.fields.done();
    return { ...s.model, ...done, origin: s.origin() };
  });
  const vpcEndpoints = (ctx.byType.get('aws_vpc_endpoint') ?? []).map((r) => endpoint(ctx, r));
  return { endpointServices, vpcEndpoints };
}

interface ServiceDraft {
  r: TfResource;
  fields: Fields;
  model: EndpointService;
  locate(field: string, loc: SourceLocation | undefined): void;
  origin(): NonNullable<EndpointService['origin']>;
}

function joinedServices(join: ReturnType<typeof joinOf>, all: ServiceDraft[], byResource: Map<TfResource, ServiceDraft>): Array<{ s: ServiceDraft; unresolved?: string }> | 'outside' {
  if (join.kind === 'outside') return 'outside';
  if (join.kind === 'targets') return join.targets.flatMap((t) => (byResource.has(t) ? [{ s: byResource.get(t) as ServiceDraft }] : []));
  // Not known which service: each one it could be gets an unknown there (none of the plan's: all).
  const candidates = join.candidates.length > 0 ? join.candidates.flatMap((t) => (byResource.has(t) ? [byResource.get(t) as ServiceDraft] : [])) : all;
  return candidates.map((s) => ({ s, unresolved: join.reason }));
}

function service(ctx: MapContext, r: TfResource): ServiceDraft {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  let acceptanceRequired = f.bool('acceptance_required', 'acceptanceRequired');
  if (acceptanceRequired === undefined && attr(r, 'acceptance_required').kind === 'absent') {
    // The provider requires the argument; a plan without it (hand-edited, a future provider) is
    // not decided: AWS documents no default for AcceptanceRequired.
    f.mark(unresolvedField('acceptanceRequired', 'acceptance_required', `${r.address}.acceptance_required is not set and AWS documents no default: set it explicitly`, 'NoDefault'));
  }
  acceptanceRequired ??= false;
  const serviceName = serviceNameOf(ctx, r);
  const nlb = arns(f, 'network_load_balancer_arns', 'networkLoadBalancerArns');
  const gwlb = arns(f, 'gateway_load_balancer_arns', 'gatewayLoadBalancerArns');
  // Not configurable: the load balancers decide it (service_type is computed).
  const knownType = attr(r, 'service_type');
  const serviceType = knownType.kind === 'known' && typeof knownType.value === 'string' ? knownType.value : gwlb !== undefined && gwlb.length > 0 ? 'GatewayLoadBalancer' : 'Interface';
  const model: EndpointService = {
    arn: arnOf(ctx, r, 'endpointService'),
    account: env.account,
    region: env.region,
    tags: f.tags(),
    id: iacId(ctx, r),
    serviceName,
    serviceType,
    // Runtime state: what EC2 reports for a service being created (judged by no IaC rule).
    state: f.runtime('state', 'Pending'),
    acceptanceRequired,
    availabilityZones: f.strings('availability_zones', 'availabilityZones') ?? [],
    allowedPrincipals: (f.strings('allowed_principals', 'allowedPrincipals', true) ?? []).map((p): AllowedPrincipal => ({ principal: p, principalType: principalTypeOf(p) })),
    endpointConnections: [],
    connectionNotifications: [],
  };
  const manages = f.bool('manages_vpc_endpoints', 'managesVpcEndpoints', true);
  if (manages !== undefined) model.managesVpcEndpoints = manages;
  if (nlb !== undefined) model.networkLoadBalancerArns = nlb;
  if (gwlb !== undefined) model.gatewayLoadBalancerArns = gwlb;
  const dnsName = f.string('private_dns_name', 'privateDns', true);
  if (dnsName) {
    const conf = attr(r, 'private_dns_name_configuration');
    const first = conf.kind === 'known' && Array.isArray(conf.value) && isObject(conf.value[0]) ? conf.value[0] : undefined;
    const state = first && typeof first.state === 'string' ? first.state : 'pendingVerification';
    model.privateDns = { name: dnsName, verificationState: state };
    if (first && typeof first.type === 'string') model.privateDns.verificationType = first.type;
    if (first && typeof first.name === 'string') model.privateDns.verificationName = first.name;
    if (first && typeof first.value === 'string') model.privateDns.verificationValue = first.value;
  }
  const extra: Record<string, SourceLocation> = {};
  return {
    r,
    fields: f,
    model,
    locate(field, loc) {
      if (loc && !extra[field]) extra[field] = loc;
    },
    origin() {
      const o = originOf(ctx, r, SERVICE_PROPS);
      // The service's own argument wins over a joined resource's.
      const props = { ...extra, ...(o.properties ?? {}) };
      return { ...o, ...(Object.keys(props).length > 0 ? { properties: sortKeys(props) } : {}) };
    },
  };
}

function notification(ctx: MapContext, n: TfResource): ConnectionNotification {
  const topic = attr(n, 'connection_notification_arn');
  const events = attr(n, 'connection_events');
  const state = attr(n, 'state');
  return {
    id: iacId(ctx, n),
    // Named in pass messages only; the verdict reads the state.
    topicArn: topic.kind === 'known' && typeof topic.value === 'string' ? topic.value : AFTER_APPLY,
    events: events.kind === 'known' && Array.isArray(events.value) ? events.value.filter((e): e is ConnectionNotification['events'][number] => typeof e === 'string' && EVENTS.has(e)).sort() : [],
    // A notification is created Enabled (EC2 CreateVpcEndpointConnectionNotification).
    state: state.kind === 'known' && typeof state.value === 'string' ? state.value : 'Enabled',
  };
}

function endpoint(ctx: MapContext, r: TfResource): VpcEndpoint {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const typeValue = f.read('vpc_endpoint_type', 'endpointType');
  const model: VpcEndpoint = {
    arn: arnOf(ctx, r, 'vpcEndpoint'),
    account: env.account,
    region: env.region,
    tags: f.tags(),
    id: iacId(ctx, r),
    vpcId: vpcIdOf(ctx, r, f, 'vpc_id', 'vpcId'),
    serviceName: endpointServiceName(ctx, r, f),
    // The provider's default: "Gateway" (aws_vpc_endpoint, vpc_endpoint_type).
    endpointType: typeof typeValue === 'string' ? typeValue : 'Gateway',
    // Runtime state: an endpoint being created is pending (judged by no IaC rule).
    state: f.runtime('state', 'pending'),
    // The provider's default: false (aws_vpc_endpoint, private_dns_enabled), though EC2's own is true.
    privateDnsEnabled: f.bool('private_dns_enabled', 'privateDnsEnabled') ?? false,
    // An endpoint Terraform creates is the account's own, never requester-managed.
    requesterManaged: attr(r, 'requester_managed').kind === 'known' && r.after.requester_managed === true,
  };
  const subnets = f.strings('subnet_ids', 'subnetIds', true);
  if (subnets !== undefined) model.subnetIds = [...subnets].sort();
  const groups = f.strings('security_group_ids', 'securityGroupIds', true);
  if (groups !== undefined) model.securityGroupIds = [...groups].sort();
  // policy is Optional+Computed: unset, the plan has it unknown and AWS applies full access, which
  // the model writes as no policy (as the live collector would after reading AWS's full-access one).
  const policy = f.read('policy', 'policy', true);
  if (typeof policy === 'string' && policy !== '') {
    const parsed = parsePolicyText(policy);
    if (typeof parsed === 'string') f.mark(unresolvedField('policy', 'policy', `${r.address}.policy: ${parsed}`, 'MalformedPolicyDocument'));
    else model.policy = parsed;
  }
  return { ...model, ...f.done(), origin: originOf(ctx, r, ENDPOINT_PROPS) };
}

/**
 * An endpoint service's name: the plan's when known, else the name AWS will give it,
 * `com.amazonaws.vpce.REGION.` + its id, with the model's `iac:` id (docs/iac.md), so an
 * endpoint of the same plan that connects to it names it the same way and the rules still see an
 * endpoint service's name (`com.amazonaws.vpce.…`), not an AWS service's.
 */
function serviceNameOf(ctx: MapContext, r: TfResource): string {
  const a = attr(r, 'service_name');
  if (a.kind === 'known' && typeof a.value === 'string') return a.value;
  return `com.amazonaws.vpce.${ctx.envOf(r).region}.${iacId(ctx, r)}`;
}

/** An endpoint's service_name; known only after apply, the name of the plan's service it references. */
function endpointServiceName(ctx: MapContext, r: TfResource, f: Fields): string {
  const a = attr(r, 'service_name');
  if (a.kind === 'known' && typeof a.value === 'string') return a.value;
  if (a.kind === 'unknown') {
    const join = joinOf(ctx, r, 'service_name', ['aws_vpc_endpoint_service'], () => []);
    if (join.kind === 'targets' && join.targets.length === 1) return serviceNameOf(ctx, join.targets[0] as TfResource);
  }
  f.read('service_name', 'serviceName');
  if (a.kind === 'absent') f.mark(unresolvedField('serviceName', 'service_name', `${r.address}.service_name is not set`, 'InvalidValue'));
  return AFTER_APPLY;
}

/**
 * A VPC id: the real one when known; when known only after apply, the id the model gives the
 * plan's `aws_vpc` it references (`iac:plan.json#aws_vpc.main`), so hosts and endpoints in the
 * same new VPC still meet; else unreadable.
 */
export function vpcIdOf(ctx: MapContext, r: TfResource, f: Fields, name: string, field: string, expr?: Json, value?: ReturnType<typeof attr>): string {
  const a = value ?? attr(r, name);
  if (a.kind === 'known' && typeof a.value === 'string' && /^vpc-[A-Za-z0-9]{1,64}$/.test(a.value)) return a.value;
  if (a.kind === 'sensitive') {
    f.sensitive(field, name);
    return 'iac:unknown';
  }
  const join = joinOf(ctx, r, name, ['aws_vpc'], () => [], expr, a);
  if (join.kind === 'targets' && join.targets.length === 1) return iacId(ctx, join.targets[0] as TfResource);
  if (a.kind === 'known') {
    f.mark(unresolvedField(field, name, `${r.address}.${name} is not a VPC id`, 'InvalidValue'));
  } else {
    f.unknown(field, name);
  }
  return 'iac:unknown';
}

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+$/;

export function isArn(s: string): boolean {
  return ARN.test(s);
}

function arns(f: Fields, name: string, field: string): string[] | undefined {
  const list = f.strings(name, field, true);
  if (list === undefined) return undefined;
  if (list.some((a) => !isArn(a))) {
    f.mark(unresolvedField(field, name, `${f.r.address}.${name} holds a value that is not an ARN`, 'InvalidValue'));
    return undefined;
  }
  return [...list].sort();
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => cmp(a, b)));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
