// AWS::CodeStarConnections::Connection, AWS::CodeConnections::Connection and
// AWS::CodeConnections::Host → the model's connections and hosts (src/collectors/codeconnections.ts).

import { iacArn } from '../../../model/arn.js';
import type { Connection, Host, VpcConfiguration } from '../../../model/types.js';
import { unresolvedField } from '../types.js';
import type { MapContext } from './context.js';
import { CONNECTION_SERVICE, HOST_SERVICE, originIdOf } from './identity.js';
import type { CfnResource } from './template-types.js';
import type { FieldReader } from './values.js';

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+$/;
const VPC_ID = /^(vpc-[A-Za-z0-9]{1,64}|iac:.+)$/;

export function mapCodeConnections(ctx: MapContext): { connections: Connection[]; hosts: Host[] } {
  const hosts = ctx.of(...Object.keys(HOST_SERVICE)).map((r) => host(ctx, r));
  const connections = ctx.of(...Object.keys(CONNECTION_SERVICE)).map((r) => connection(ctx, r, hosts));
  return { connections, hosts };
}

/**
 * AWS documents that a connection or host created by CloudFormation, the CLI or the SDK starts
 * PENDING until someone completes it in the console (CloudFormation reference of
 * AWS::CodeConnections::Host: "A host created through the CLI or the SDK is in PENDING status by
 * default"; Developer Tools User Guide, "Update a pending connection"): runtime state the template
 * does not decide, so the status rules give no result.
 */
function pending(rd: FieldReader, what: string): string {
  rd.mark(unresolvedField('status', 'Status', `the status of ${what} is runtime state: AWS creates it PENDING until it is completed in the console`, 'RuntimeState'));
  return 'PENDING';
}

function connection(ctx: MapContext, r: CfnResource, hosts: Host[]): Connection {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const tags = rd.tags();
  const name = rd.string('name', 'ConnectionName', '');
  let providerType = rd.optionalString('providerType', 'ProviderType');
  let hostArn = rd.optionalString('hostArn', 'HostArn');
  if (hostArn !== undefined && !ARN.test(hostArn)) {
    rd.invalid('hostArn', 'HostArn', 'is not an ARN');
    hostArn = undefined;
  }
  if (providerType === undefined && !rd.has('providerType')) {
    // A connection on a host takes the host's provider type (CreateConnection: ProviderType or HostArn).
    const onHost = hostArn !== undefined ? hosts.find((h) => h.arn === hostArn) : undefined;
    if (onHost && onHost.providerType !== '') providerType = onHost.providerType;
    else rd.mark(unresolvedField('providerType', 'HostArn', `${r.logicalId}: the provider type is the host's, and the host is not declared in this template`));
  }
  const model: Connection = {
    arn: iacArn('connection', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId), CONNECTION_SERVICE[r.type]),
    account: stack.account,
    region: stack.region,
    tags,
    name,
    providerType: providerType ?? '',
    status: pending(rd, `connection ${name || r.logicalId}`),
  };
  // The connection is owned by the account that creates it.
  if (stack.accountKnown) model.ownerAccountId = stack.account;
  if (hostArn !== undefined) model.hostArn = hostArn;
  return ctx.add(model, rd);
}

function host(ctx: MapContext, r: CfnResource): Host {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const tags = rd.tags();
  const name = rd.string('name', 'Name', '');
  const model: Host = {
    arn: iacArn('host', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId), HOST_SERVICE[r.type]),
    account: stack.account,
    region: stack.region,
    tags,
    name,
    providerType: rd.string('providerType', 'ProviderType', ''),
    providerEndpoint: rd.string('providerEndpoint', 'ProviderEndpoint', ''),
    status: pending(rd, `host ${name || r.logicalId}`),
  };
  const vpc = rd.raw('vpcConfiguration', 'VpcConfiguration');
  if (vpc !== undefined) {
    const conf = vpcConfiguration(vpc);
    if (conf) model.vpcConfiguration = conf;
    else rd.invalid('vpcConfiguration', 'VpcConfiguration', 'is not {VpcId, SubnetIds, SecurityGroupIds[, TlsCertificate]}');
  }
  return ctx.add(model, rd);
}

function vpcConfiguration(v: unknown): VpcConfiguration | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const strings = (x: unknown): string[] | undefined => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? (x as string[]) : undefined);
  const subnetIds = strings(o.SubnetIds);
  const securityGroupIds = strings(o.SecurityGroupIds);
  if (typeof o.VpcId !== 'string' || !VPC_ID.test(o.VpcId) || !subnetIds || !securityGroupIds) return undefined;
  if (o.TlsCertificate !== undefined && typeof o.TlsCertificate !== 'string') return undefined;
  return { vpcId: o.VpcId, subnetIds, securityGroupIds, ...(typeof o.TlsCertificate === 'string' ? { tlsCertificate: o.TlsCertificate } : {}) };
}
