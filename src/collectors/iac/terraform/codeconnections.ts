// aws_codestarconnections_connection / aws_codeconnections_connection and the matching hosts →
// the model's connection and host (src/collectors/codeconnections.ts reads the same fields live).
// Status is runtime state: AWS documents that a connection or host created outside the console
// starts PENDING until someone completes it there; IaC rules give no result on it. A connection
// the plan creates has its status unreadable (errorCode RuntimeState), as in CloudFormation.

import type { Connection, Host } from '../../../model/types.js';
import { unresolvedField } from '../types.js';
import { arnOf, Fields, indexBy, joinOf, originOf, type MapContext } from './context.js';
import { AFTER_APPLY, isArn, vpcIdOf } from './ec2.js';
import { expressionOf } from './configuration.js';
import { configOf } from './context.js';
import { attr, isObject, markerAt, type Attr, type TfResource } from './plan.js';

const CONNECTION_TYPES = { aws_codestarconnections_connection: 'codestar-connections', aws_codeconnections_connection: 'codeconnections' } as const;
const HOST_TYPES = { aws_codestarconnections_host: 'codestar-connections', aws_codeconnections_host: 'codeconnections' } as const;
export const CODECONNECTIONS_TYPES = [...Object.keys(CONNECTION_TYPES), ...Object.keys(HOST_TYPES)];

const CONNECTION_PROPS = { name: 'name', providerType: 'provider_type', hostArn: 'host_arn', tags: 'tags' };
const HOST_PROPS = { name: 'name', providerType: 'provider_type', providerEndpoint: 'provider_endpoint', vpcConfiguration: 'vpc_configuration' };

export function mapCodeConnections(ctx: MapContext): { connections: Connection[]; hosts: Host[] } {
  const hostResources = Object.keys(HOST_TYPES).flatMap((t) => ctx.byType.get(t) ?? []);
  const hostArn = new Map<TfResource, string>();
  for (const h of hostResources) hostArn.set(h, arnOf(ctx, h, 'host', HOST_TYPES[h.type as keyof typeof HOST_TYPES]));
  const hosts = hostResources.map((h) => host(ctx, h, hostArn.get(h) as string));
  const byArn = indexBy(hostResources, 'arn');
  const connections = Object.keys(CONNECTION_TYPES)
    .flatMap((t) => ctx.byType.get(t) ?? [])
    .map((c) => connection(ctx, c, byArn, hostArn));
  return { connections, hosts };
}

function connection(ctx: MapContext, r: TfResource, byArn: (arn: string) => TfResource[], hostArn: Map<TfResource, string>): Connection {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const model: Connection = {
    arn: arnOf(ctx, r, 'connection', CONNECTION_TYPES[r.type as keyof typeof CONNECTION_TYPES]),
    account: env.account,
    region: env.region,
    tags: f.tags(),
    name: f.string('name', 'name') ?? AFTER_APPLY,
    providerType: '',
    // Runtime state (see the header).
    status: f.runtime('connection_status', 'PENDING'),
  };
  // A connection the plan creates is PENDING until someone completes it in the console: runtime
  // state, unreadable as the CloudFormation mapper makes it, so a rule about the connection's
  // status from a pipeline's side gives no verdict on it. An existing one keeps the plan's status.
  if (attr(r, 'connection_status').kind !== 'known') {
    f.mark(unresolvedField('status', 'Status', `the status of connection ${model.name} is runtime state: AWS creates it PENDING until it is completed in the console`, 'RuntimeState'));
  }
  const owner = f.string('owner_account_id', 'ownerAccountId', true);
  if (owner !== undefined && /^[0-9]{12}$/.test(owner)) model.ownerAccountId = owner;
  let host: TfResource | undefined;
  if (attr(r, 'host_arn').kind !== 'absent' || expressionOf(configOf(ctx, r), 'host_arn') !== undefined) {
    const join = joinOf(ctx, r, 'host_arn', Object.keys(HOST_TYPES), byArn);
    if (join.kind === 'targets' && join.targets.length === 1) {
      host = join.targets[0] as TfResource;
      model.hostArn = hostArn.get(host) as string;
    } else {
      const a = attr(r, 'host_arn');
      if (join.kind === 'outside' && a.kind === 'known' && typeof a.value === 'string' && isArn(a.value)) model.hostArn = a.value;
      else if (join.kind === 'unresolved') f.mark(unresolvedField('hostArn', 'after_unknown', join.reason));
      else if (a.kind !== 'absent') f.mark(unresolvedField('hostArn', 'host_arn', `${r.address}.host_arn is not an ARN`, 'InvalidValue'));
    }
  }
  // With a host, the provider type is the host's (the argument conflicts with host_arn).
  const own = attr(r, 'provider_type');
  const fromHost = host ? attr(host, 'provider_type') : undefined;
  const type: Attr = own.kind !== 'absent' && !(own.kind === 'unknown' && host) ? own : (fromHost ?? own);
  if (type.kind === 'known' && typeof type.value === 'string') model.providerType = type.value;
  else if (type.kind === 'unknown') f.unknown('providerType', 'provider_type');
  else if (type.kind === 'sensitive') f.sensitive('providerType', 'provider_type');
  return { ...model, ...f.done(), origin: originOf(ctx, r, CONNECTION_PROPS) };
}

function host(ctx: MapContext, r: TfResource, arn: string): Host {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const model: Host = {
    arn,
    account: env.account,
    region: env.region,
    tags: f.tags(),
    name: f.string('name', 'name') ?? AFTER_APPLY,
    providerType: f.string('provider_type', 'providerType') ?? '',
    providerEndpoint: f.string('provider_endpoint', 'providerEndpoint') ?? AFTER_APPLY,
    status: f.runtime('status', 'PENDING'),
  };
  // A nested block is read member by member: one member known only after apply (vpc_id of a new
  // VPC) leaves the others known.
  const vpc = attr(r, 'vpc_configuration');
  const raw = r.after.vpc_configuration;
  const partial = vpc.kind === 'unknown' && markerAt(r.unknown, 'vpc_configuration') !== true && Array.isArray(raw) && isObject(raw[0]);
  if ((vpc.kind === 'known' || partial) && Array.isArray(raw) && isObject(raw[0])) {
    const block = raw[0];
    const unknown = nested(r.unknown, 'vpc_configuration');
    const sensitive = nested(r.sensitive, 'vpc_configuration');
    const inner = { after: block, unknown, sensitive };
    const exprBlock = expressionOf(configOf(ctx, r), 'vpc_configuration');
    const expr = Array.isArray(exprBlock) && isObject(exprBlock[0]) ? exprBlock[0].vpc_id : undefined;
    const list = (name: string): string[] => {
      const a = attr(inner, name);
      if (a.kind === 'known' && Array.isArray(a.value)) return a.value.filter((x): x is string => typeof x === 'string').sort();
      if (a.kind === 'unknown') f.unknown('vpcConfiguration', `vpc_configuration.${name}`);
      if (a.kind === 'sensitive') f.sensitive('vpcConfiguration', `vpc_configuration.${name}`);
      return [];
    };
    model.vpcConfiguration = {
      vpcId: vpcIdOf(ctx, r, f, 'vpc_id', 'vpcConfiguration', expr, attr(inner, 'vpc_id')),
      subnetIds: list('subnet_ids'),
      securityGroupIds: list('security_group_ids'),
    };
    const tls = attr(inner, 'tls_certificate');
    if (tls.kind === 'known' && typeof tls.value === 'string' && tls.value !== '') model.vpcConfiguration.tlsCertificate = tls.value;
  } else if (vpc.kind === 'unknown') {
    f.unknown('vpcConfiguration', 'vpc_configuration');
  } else if (vpc.kind === 'sensitive') {
    f.sensitive('vpcConfiguration', 'vpc_configuration');
  }
  return { ...model, ...f.done(), origin: originOf(ctx, r, HOST_PROPS) };
}

/** The marker tree of the first element of a nested block list. */
function nested(tree: TfResource['unknown'], name: string): TfResource['unknown'] {
  if (tree === true) return true;
  if (!isObject(tree)) return false;
  const v = tree[name];
  if (v === true) return true;
  return Array.isArray(v) ? (v[0] ?? false) : false;
}
