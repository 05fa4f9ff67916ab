import {
  DescribeVpcEndpointConnectionNotificationsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { endpointServiceArn, vpcEndpointArn } from '../model/arn.js';
import { emptySnapshot } from '../model/empty.js';
import type {
  ConnectionNotification,
  CoverageGap,
  EndpointConnection,
  EndpointService,
  PolicyDocument,
  ResourceBase,
  ResourceKind,
  Tags,
  VpcEndpoint,
} from '../model/types.js';
import { bestProblem, validator } from '../schema/validate.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { principalTypeOf } from './principal-type.js';
import { memoByText } from './memo.js';
import { mapPool } from './pool.js';
import type { EC2_DECODERS, Ec2Page, ServiceConfigurationRead, VpcEndpointRead } from './wire/shapes.js';

type Tag = NonNullable<VpcEndpointRead['Tags']>[number];
import type { Collected, Target } from './types.js';

export { principalTypeOf };

/** Every EC2 operation this module may call (docs/iam-policy.json must allow each; a test checks the calls a collection really makes). */
export const EC2_OPERATIONS = [
  'DescribeVpcEndpoints',
  'DescribeVpcEndpointServices',
  'DescribeVpcEndpointServiceConfigurations',
  'DescribeVpcEndpointServicePermissions',
  'DescribeVpcEndpointConnections',
  'DescribeVpcEndpointConnectionNotifications',
] as const satisfies readonly string[];
type Operation = (typeof EC2_OPERATIONS)[number];

// Page sizes: botocore documents 1,000 as the ceiling for these five. It states none for
// DescribeVpcEndpointConnectionNotifications, so that one is left to the server's default rather
// than risk InvalidParameterValue; every call follows NextToken either way.
const MAX_RESULTS = 1000;
// EC2 refuses calls carrying more than 200 filter values (FilterLimitExceeded).
const FILTER_VALUES_PER_CALL = 200;

const EVENTS = new Set<string>(['Connect', 'Accept', 'Reject', 'Delete']);
// Permissions are read per owned service; a few at once keeps a provider account with many
// services from paying one round trip after another.
const PERMISSION_CONCURRENCY = 4;

/**
 * One account in one region: its VPC endpoints (consumer side) and the endpoint services it
 * provides (provider side), with whatever could not be read as coverage gaps.
 */
export async function collectEc2(client: EC2Client, target: Target): Promise<Collected> {
  const gaps = new GapList(target);
  // The consumer side and the provider side do not depend on each other, nor do the three reads
  // about owned services: run them side by side (a region otherwise costs seven round trips in a
  // row). Gaps are sorted at the end, so the output does not depend on timing.
  const [vpcEndpoints, endpointServices] = await Promise.all([
    (async () => {
      const endpoints = await readEndpoints(client, target, gaps);
      if (endpoints) await readPolicySupport(client, endpoints, gaps);
      return endpoints;
    })(),
    (async () => {
      const services = await readServices(client, target, gaps);
      if (services && services.length > 0) {
        await Promise.all([readPermissions(client, services, gaps), readConnections(client, services, gaps), readNotifications(client, services, gaps)]);
      }
      return services;
    })(),
  ]);
  return {
    ...(vpcEndpoints ? { vpcEndpoints: byArn(vpcEndpoints) } : {}),
    ...(endpointServices ? { endpointServices: byArn(endpointServices) } : {}),
    coverage: gaps.sorted(),
  };
}

async function readEndpoints(client: EC2Client, t: Target, gaps: GapList): Promise<VpcEndpoint[] | undefined> {
  const operation = 'DescribeVpcEndpoints';
  try {
    // Field gaps count only if the listing they belong to is kept.
    const fieldGaps = new GapList(t);
    const endpoints: VpcEndpoint[] = [];
    // Each page is converted as it arrives and the SDK's objects dropped: holding every page of a
    // large region until the last one came doubled what the garbage collector had to trace.
    await readAll(
      (NextToken) => projected<'DescribeVpcEndpoints'>(client.send(new DescribeVpcEndpointsCommand({ MaxResults: MAX_RESULTS, NextToken }))),
      (page) => {
        for (const e of page.VpcEndpoints ?? []) endpoints.push(toEndpoint(e, t, fieldGaps));
      },
    );
    gaps.merge(fieldGaps);
    return endpoints;
  } catch (err) {
    gaps.add(err, operation, ['vpcEndpoint']);
    return undefined;
  }
}

function toEndpoint(e: VpcEndpointRead, t: Target, gaps: GapList): VpcEndpoint {
  const id = need(e.VpcEndpointId, 'VpcEndpointId');
  // Written out member by member rather than spread together: this runs for every endpoint of
  // every region, and the members keep the order the snapshot has always had.
  const endpoint: VpcEndpoint = {
    arn: vpcEndpointArn(t.partition, t.region, t.account, id),
    account: t.account,
    region: t.region,
    tags: tagMap(e.Tags),
    id,
    vpcId: need(e.VpcId, 'VpcId'),
    // Resource and ServiceNetwork endpoints name no service; their target ARN is the closest thing.
    serviceName: need(e.ServiceName ?? e.ServiceNetworkArn ?? e.ResourceConfigurationArn, 'ServiceName'),
    endpointType: need(e.VpcEndpointType, 'VpcEndpointType'),
    state: need(e.State, 'State'),
    privateDnsEnabled: e.PrivateDnsEnabled ?? false,
    requesterManaged: e.RequesterManaged ?? false,
  };
  if (e.SubnetIds) endpoint.subnetIds = e.SubnetIds;
  if (e.Groups) endpoint.securityGroupIds = e.Groups.flatMap((g) => (g.GroupId ? [g.GroupId] : []));
  if (e.CreationTimestamp !== undefined) endpoint.creationTimestamp = e.CreationTimestamp;
  if (e.PolicyDocument !== undefined) {
    const parsed = parsePolicy(e.PolicyDocument);
    if (typeof parsed === 'string') {
      // Named explicitly: gapFrom would read JSON.parse's "Unexpected token" as an unparsable answer.
      gaps.unreadable([endpoint], new Error(parsed), 'DescribeVpcEndpoints', ['vpcEndpoint'], 'policy', 'MalformedPolicyDocument');
    } else {
      endpoint.policy = parsed;
    }
  }
  return endpoint;
}

/**
 * The parsed document, or why it cannot be used. Estates repeat a handful of endpoint policies
 * thousands of times: each text is judged once, and the parsed document shared, never mutated.
 */
const parsePolicy = memoByText(parsePolicyText, 10_000);

function parsePolicyText(text: string): PolicyDocument | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `PolicyDocument is not JSON: ${(err as Error).message}`;
  }
  // Checked against the snapshot schema itself: a document the schema rejects (no Statement, an
  // unknown key, a bad Effect) would otherwise invalidate the whole snapshot, not just this field.
  const validate = validator('snapshot');
  if (validate(policyProbe(doc))) return doc as PolicyDocument;
  const problem = bestProblem(validate.errors);
  return `PolicyDocument is not a policy: ${problem.pointer.replace(/^\/vpcEndpoints\/0\/policy/, '') || '/'}: ${problem.message}`;
}

function policyProbe(policy: unknown): unknown {
  const account = '000000000000';
  return emptySnapshot({
    generatedAt: '2000-01-01T00:00:00Z',
    source: { kind: 'live' },
    scope: { partition: 'aws', accounts: [account], regions: ['us-east-1'] },
    vpcEndpoints: [
      {
        ...base(vpcEndpointArn('aws', 'us-east-1', account, 'vpce-0'), { partition: 'aws', account, region: 'us-east-1' }, undefined),
        id: 'vpce-0',
        vpcId: 'vpc-0',
        serviceName: 'probe',
        endpointType: 'Interface',
        state: 'available',
        privateDnsEnabled: false,
        requesterManaged: false,
        policy: policy as PolicyDocument,
      },
    ],
  });
}

/**
 * Filters on service-name rather than passing ServiceNames: with ServiceNames one name EC2 cannot
 * see (a deleted or no-longer-shared provider service, a cross-region service) fails the whole
 * call with InvalidServiceName, while a filter simply does not return it.
 */
async function readPolicySupport(client: EC2Client, endpoints: VpcEndpoint[], gaps: GapList): Promise<void> {
  const operation = 'DescribeVpcEndpointServices';
  const interfaces = endpoints.filter((e) => e.endpointType.toLowerCase() === 'interface');
  const names = [...new Set(interfaces.map((e) => e.serviceName))].sort();
  const supported = new Map<string, boolean>();
  for (let i = 0; i < names.length; i += FILTER_VALUES_PER_CALL) {
    const Filters = [{ Name: 'service-name', Values: names.slice(i, i + FILTER_VALUES_PER_CALL) }];
    try {
      const pages = await readAll((NextToken) =>
        projected<'DescribeVpcEndpointServices'>(client.send(new DescribeVpcEndpointServicesCommand({ Filters, MaxResults: MAX_RESULTS, NextToken }))),
      );
      for (const d of pages.flatMap((p) => p.ServiceDetails ?? [])) {
        if (d.ServiceName !== undefined && d.VpcEndpointPolicySupported !== undefined) supported.set(d.ServiceName, d.VpcEndpointPolicySupported);
      }
    } catch (err) {
      // Not marked unreadable: the rules fall back to the service name when policySupported is absent.
      gaps.add(err, operation, ['vpcEndpoint'], 'policySupported');
    }
  }
  for (const e of interfaces) {
    const value = supported.get(e.serviceName);
    if (value !== undefined) e.policySupported = value;
  }
}

async function readServices(client: EC2Client, t: Target, gaps: GapList): Promise<EndpointService[] | undefined> {
  const operation = 'DescribeVpcEndpointServiceConfigurations';
  try {
    const pages = await readAll((NextToken) =>
      projected<'DescribeVpcEndpointServiceConfigurations'>(client.send(new DescribeVpcEndpointServiceConfigurationsCommand({ MaxResults: MAX_RESULTS, NextToken }))),
    );
    const fieldGaps = new GapList(t);
    const services = pages.flatMap((p) => p.ServiceConfigurations ?? []).map((c) => toService(c, t, fieldGaps));
    gaps.merge(fieldGaps);
    return services;
  } catch (err) {
    gaps.add(err, operation, ['endpointService']);
    return undefined;
  }
}

function toService(c: ServiceConfigurationRead, t: Target, gaps: GapList): EndpointService {
  const id = need(c.ServiceId, 'ServiceId');
  const service: EndpointService = {
    ...base(endpointServiceArn(t.partition, t.region, t.account, id), t, c.Tags),
    id,
    serviceName: need(c.ServiceName, 'ServiceName'),
    serviceType: need(c.ServiceType?.[0]?.ServiceType, 'ServiceType'),
    state: need(c.ServiceState, 'ServiceState'),
    acceptanceRequired: need(c.AcceptanceRequired, 'AcceptanceRequired'),
    ...(c.ManagesVpcEndpoints !== undefined ? { managesVpcEndpoints: c.ManagesVpcEndpoints } : {}),
    // EC2 leaves out empty sets in some answers; an absent set is an empty one, not an unknown.
    availabilityZones: c.AvailabilityZones ?? [],
    ...(c.NetworkLoadBalancerArns ? { networkLoadBalancerArns: c.NetworkLoadBalancerArns } : {}),
    ...(c.GatewayLoadBalancerArns ? { gatewayLoadBalancerArns: c.GatewayLoadBalancerArns } : {}),
    allowedPrincipals: [],
    endpointConnections: [],
    connectionNotifications: [],
  };
  if (c.PrivateDnsName) {
    const conf = c.PrivateDnsNameConfiguration;
    if (conf?.State) {
      service.privateDns = {
        name: c.PrivateDnsName,
        verificationState: conf.State,
        ...(conf.Type !== undefined ? { verificationType: conf.Type } : {}),
        ...(conf.Name !== undefined ? { verificationName: conf.Name } : {}),
        ...(conf.Value !== undefined ? { verificationValue: conf.Value } : {}),
      };
    } else {
      // A name without a verification state cannot be judged; guessing one would hide or invent a finding.
      const err = Object.assign(new Error('PrivateDnsName without PrivateDnsNameConfiguration.State'), { name: 'InvalidResponse' });
      gaps.unreadable([service], err, 'DescribeVpcEndpointServiceConfigurations', ['endpointService'], 'privateDns');
    }
  }
  return service;
}

async function readPermissions(client: EC2Client, services: EndpointService[], gaps: GapList): Promise<void> {
  const operation = 'DescribeVpcEndpointServicePermissions';
  await mapPool(services, PERMISSION_CONCURRENCY, async (service) => {
    try {
      const pages = await readAll((NextToken) =>
        projected<'DescribeVpcEndpointServicePermissions'>(client.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: service.id, MaxResults: MAX_RESULTS, NextToken }))),
      );
      service.allowedPrincipals = pages
        .flatMap((p) => p.AllowedPrincipals ?? [])
        .map((p) => ({
          principal: need(p.Principal, 'Principal'),
          principalType: p.PrincipalType || principalTypeOf(need(p.Principal, 'Principal')),
          ...(p.ServicePermissionId !== undefined ? { servicePermissionId: p.ServicePermissionId } : {}),
        }))
        .sort((a, b) => compare(`${a.principal}\0${a.servicePermissionId ?? ''}`, `${b.principal}\0${b.servicePermissionId ?? ''}`));
    } catch (err) {
      gaps.unreadable([service], err, operation, ['endpointService'], 'allowedPrincipals');
    }
  });
}

/** One call for the region, not one per service: the answer names each connection's ServiceId. */
async function readConnections(client: EC2Client, services: EndpointService[], gaps: GapList): Promise<void> {
  const operation = 'DescribeVpcEndpointConnections';
  const grouped = new Map<string, EndpointConnection[]>();
  try {
    const pages = await readAll((NextToken) =>
      projected<'DescribeVpcEndpointConnections'>(client.send(new DescribeVpcEndpointConnectionsCommand({ MaxResults: MAX_RESULTS, NextToken }))),
    );
    for (const c of pages.flatMap((p) => p.VpcEndpointConnections ?? [])) {
      if (c.ServiceId === undefined) continue;
      const list = grouped.get(c.ServiceId) ?? [];
      list.push({
        vpcEndpointId: need(c.VpcEndpointId, 'VpcEndpointId'),
        vpcEndpointOwner: need(c.VpcEndpointOwner, 'VpcEndpointOwner'),
        state: need(c.VpcEndpointState, 'VpcEndpointState'),
        ...(c.CreationTimestamp !== undefined ? { creationTimestamp: c.CreationTimestamp } : {}),
      });
      grouped.set(c.ServiceId, list);
    }
  } catch (err) {
    gaps.unreadable(services, err, operation, ['endpointService'], 'endpointConnections');
    return;
  }
  for (const s of services) s.endpointConnections = (grouped.get(s.id) ?? []).sort((a, b) => compare(a.vpcEndpointId, b.vpcEndpointId));
}

async function readNotifications(client: EC2Client, services: EndpointService[], gaps: GapList): Promise<void> {
  const operation = 'DescribeVpcEndpointConnectionNotifications';
  const grouped = new Map<string, ConnectionNotification[]>();
  try {
    const pages = await readAll((NextToken) =>
      projected<'DescribeVpcEndpointConnectionNotifications'>(client.send(new DescribeVpcEndpointConnectionNotificationsCommand({ NextToken }))),
    );
    for (const n of pages.flatMap((p) => p.ConnectionNotificationSet ?? [])) {
      // Notifications on this account's own endpoints (VpcEndpointId) say nothing about its services.
      if (n.ServiceId === undefined) continue;
      const list = grouped.get(n.ServiceId) ?? [];
      list.push({
        id: need(n.ConnectionNotificationId, 'ConnectionNotificationId'),
        topicArn: need(n.ConnectionNotificationArn, 'ConnectionNotificationArn'),
        // The schema enumerates the four events AWS documents; one added later must not void the snapshot.
        events: (n.ConnectionEvents ?? []).filter((e): e is ConnectionNotification['events'][number] => EVENTS.has(e)),
        state: need(n.ConnectionNotificationState, 'ConnectionNotificationState'),
      });
      grouped.set(n.ServiceId, list);
    }
  } catch (err) {
    gaps.unreadable(services, err, operation, ['endpointService'], 'connectionNotifications');
    return;
  }
  for (const s of services) s.connectionNotifications = (grouped.get(s.id) ?? []).sort((a, b) => compare(a.id, b.id));
}

/**
 * Gaps deduplicated by account|region|operation|field|errorCode: a hundred services refused the
 * same way are one gap (each still lists the field in its own `unreadable`).
 */
class GapList {
  private readonly gaps = new Map<string, CoverageGap>();
  constructor(private readonly target: Target) {}

  /** Records the failure; credential errors are rethrown because no other call can succeed either. */
  add(err: unknown, operation: Operation, resourceKinds: ResourceKind[], field?: string, errorCode?: string): CoverageGap {
    if (isCredentialError(err)) throw err;
    const gap = gapFrom(err, { target: this.target, service: 'ec2', operation, resourceKinds, ...(field !== undefined ? { field } : {}) });
    if (errorCode !== undefined) gap.errorCode = errorCode;
    const key = [gap.account, gap.region, gap.operation, gap.field ?? '', gap.errorCode].join('|');
    // Reads run concurrently: of equal gaps keep the smallest message, not the first to arrive,
    // so the same estate always gives the same report.
    const prior = this.gaps.get(key);
    if (!prior || gap.message < prior.message) this.gaps.set(key, gap);
    return gap;
  }

  unreadable(resources: ResourceBase[], err: unknown, operation: Operation, resourceKinds: ResourceKind[], field: string, errorCode?: string): void {
    const gap = this.add(err, operation, resourceKinds, field, errorCode);
    for (const r of resources) {
      (r.unreadable ??= []).push({ field, operation, errorCode: gap.errorCode, message: gap.message });
    }
  }

  merge(other: GapList): void {
    for (const [key, gap] of other.gaps) if (!this.gaps.has(key)) this.gaps.set(key, gap);
  }

  sorted(): CoverageGap[] {
    const key = (g: CoverageGap): string => [g.account, g.region, g.service, g.operation, g.field ?? '', g.errorCode].join('\0');
    return [...this.gaps.values()].sort((a, b) => compare(key(a), key(b)));
  }
}

/**
 * A listing's page as the client gives it. Clients come from clients.ts, whose EC2 protocol reads
 * these listings with the projecting decoder: a page holds the projection's members, and its
 * timestamps are ISO 8601 strings where the SDK's types say Date.
 */
function projected<O extends keyof typeof EC2_DECODERS>(answer: Promise<unknown>): Promise<Ec2Page<O>> {
  return answer as Promise<Ec2Page<O>>;
}

/**
 * Follows NextToken to the end, handing each page to `each` if given (and then keeping none), else
 * returning them all. A page that hands back a token already used would loop forever; that is an
 * answer we cannot trust, not the end of the list.
 */
async function readAll<P extends { NextToken?: string | undefined }>(call: (token: string | undefined) => Promise<P>, each?: (page: P) => void): Promise<P[]> {
  const pages: P[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await call(token);
    if (each) each(page);
    else pages.push(page);
    token = page.NextToken || undefined;
    if (token !== undefined) {
      if (seen.has(token)) throw invalidResponse(`NextToken repeated: ${token.slice(0, 40)}`);
      seen.add(token);
    }
  } while (token !== undefined);
  return pages;
}

export function invalidResponse(message: string): Error {
  return Object.assign(new Error(message), { name: 'InvalidResponse' });
}

/** A member every well-formed answer carries; without it the item cannot be modelled at all. */
function need<T>(value: T | undefined, member: string): T {
  if (value === undefined || value === null || value === '') throw invalidResponse(`EC2 answer lacks ${member}`);
  return value;
}

function base(arn: string, t: Target, tags: Tag[] | undefined): ResourceBase {
  return { arn, account: t.account, region: t.region, tags: tagMap(tags) };
}

function tagMap(tags: Tag[] | undefined): Tags {
  const out: Tags = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

function byArn<T extends { arn: string }>(items: T[]): T[] {
  return items.sort((a, b) => compare(a.arn, b.arn));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
