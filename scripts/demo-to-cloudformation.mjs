#!/usr/bin/env node
// Writes the demo estate (fixtures/demo/snapshot.json) as CloudFormation templates, one per
// account and region plus one per account for IAM, for the differential test: scanning them with
// `--iac` must give the demo's findings for every rule infrastructure as code can judge.
//
//   node scripts/demo-to-cloudformation.mjs OUT_DIR [SNAPSHOT]
//
// Writes OUT_DIR/<account>-<region>.template.json and OUT_DIR/mapping.json: each demo resource ARN
// → { file, logicalId } of the template resource it became. What a template cannot declare is
// left out and listed in mapping.json's `omitted` with the reason (requester-managed and deleted
// endpoints: no template creates them).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, snapshotFile = 'fixtures/demo/snapshot.json'] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: demo-to-cloudformation.mjs OUT_DIR [SNAPSHOT]');
  process.exit(2);
}
const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8'));
const templates = new Map();
const mapping = {};
const omitted = [];
const used = new Set();

function template(account, region) {
  const key = `${account}-${region}`;
  if (!templates.has(key)) templates.set(key, { AWSTemplateFormatVersion: '2010-09-09', Description: `linkaudit demo estate, ${account} ${region}`, Resources: {} });
  return { key, t: templates.get(key) };
}

/** A logical id from a resource's id or name: alphanumeric, unique across the output. */
function logicalId(prefix, name) {
  const base = `${prefix}${name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 200);
  let id = base;
  for (let i = 2; used.has(id); i += 1) id = `${base}${i}`;
  used.add(id);
  return id;
}

function add(r, region, prefix, name, resource) {
  const { key, t } = template(r.account, region);
  const id = logicalId(prefix, name);
  t.Resources[id] = resource;
  mapping[r.arn] = { file: `${key}.template.json`, logicalId: id };
  return { key, id };
}

const tags = (r) => Object.entries(r.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

for (const s of snapshot.endpointServices) {
  const nlbIds = [];
  s.availabilityZones.forEach((az, i) => {
    const { t } = template(s.account, s.region);
    const subnet = logicalId('Subnet', `${s.id}${i}`);
    t.Resources[subnet] = { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-0demo', CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: az } };
    nlbIds.push(subnet);
  });
  const { t } = template(s.account, s.region);
  const nlb = logicalId('Nlb', s.id);
  t.Resources[nlb] = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'network', Subnets: nlbIds.map((Ref) => ({ Ref })) } };
  const { id } = add(s, s.region, 'Service', s.id, {
    Type: 'AWS::EC2::VPCEndpointService',
    Properties: {
      AcceptanceRequired: s.acceptanceRequired,
      NetworkLoadBalancerArns: [{ Ref: nlb }],
      ...(s.privateDns ? { PrivateDnsName: s.privateDns.name } : {}),
      ...(Object.keys(s.tags ?? {}).length > 0 ? { Tags: tags(s) } : {}),
    },
  });
  if (s.allowedPrincipals.length > 0) {
    t.Resources[logicalId('Permissions', s.id)] = {
      Type: 'AWS::EC2::VPCEndpointServicePermissions',
      Properties: { ServiceId: { Ref: id }, AllowedPrincipals: s.allowedPrincipals.map((p) => p.principal) },
    };
  }
  for (const n of s.connectionNotifications) {
    // A notification resource is enabled when created; a disabled one has no template form.
    if (n.state.toLowerCase() !== 'enabled') continue;
    t.Resources[logicalId('Notification', n.id)] = {
      Type: 'AWS::EC2::VPCEndpointConnectionNotification',
      Properties: { ServiceId: { Ref: id }, ConnectionNotificationArn: n.topicArn, ConnectionEvents: n.events },
    };
  }
}

for (const e of snapshot.vpcEndpoints) {
  if (e.requesterManaged || e.state.toLowerCase() !== 'available') {
    omitted.push({ arn: e.arn, reason: e.requesterManaged ? 'requester-managed: created by a service, not by a template' : `state ${e.state}: no template declares it` });
    continue;
  }
  add(e, e.region, 'Endpoint', e.id, {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      VpcEndpointType: e.endpointType,
      ServiceName: e.serviceName,
      VpcId: e.vpcId,
      ...(e.subnetIds ? { SubnetIds: e.subnetIds } : {}),
      ...(e.securityGroupIds ? { SecurityGroupIds: e.securityGroupIds } : {}),
      PrivateDnsEnabled: e.privateDnsEnabled,
      ...(e.policy ? { PolicyDocument: e.policy } : {}),
    },
  });
}

for (const h of snapshot.hosts) {
  add(h, h.region, 'Host', h.name, {
    Type: 'AWS::CodeConnections::Host',
    Properties: {
      Name: h.name,
      ProviderType: h.providerType,
      ProviderEndpoint: h.providerEndpoint,
      ...(h.vpcConfiguration
        ? { VpcConfiguration: { VpcId: h.vpcConfiguration.vpcId, SubnetIds: h.vpcConfiguration.subnetIds, SecurityGroupIds: h.vpcConfiguration.securityGroupIds, ...(h.vpcConfiguration.tlsCertificate ? { TlsCertificate: h.vpcConfiguration.tlsCertificate } : {}) } }
        : {}),
    },
  });
}

for (const c of snapshot.connections) {
  const type = c.arn.includes(':codestar-connections:') ? 'AWS::CodeStarConnections::Connection' : 'AWS::CodeConnections::Connection';
  add(c, c.region, 'Connection', c.name, {
    Type: type,
    Properties: { ConnectionName: c.name, ...(c.hostArn ? { HostArn: c.hostArn } : { ProviderType: c.providerType }) },
  });
}

// IAM: one template per account (region "global" stands for IAM's own template).
const policyIds = new Map();
for (const p of snapshot.iamPolicies.filter((p) => !p.awsManaged)) {
  const { id } = add(p, 'global', 'Policy', p.name, {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { ManagedPolicyName: p.name, ...(p.path ? { Path: p.path } : {}), PolicyDocument: p.document },
  });
  policyIds.set(p.arn, id);
}
const attach = (arns) => arns.map((a) => (policyIds.has(a) ? { Ref: policyIds.get(a) } : a));
const boundary = (b) => (b === undefined ? {} : { PermissionsBoundary: policyIds.has(b) ? { Ref: policyIds.get(b) } : b });
const inline = (ps) => (ps.length > 0 ? { Policies: ps.map((p) => ({ PolicyName: p.name, PolicyDocument: p.document })) } : {});
const groupIds = new Map();
for (const g of snapshot.iamGroups) {
  const { id } = add(g, 'global', 'Group', g.name, {
    Type: 'AWS::IAM::Group',
    Properties: { GroupName: g.name, ...(g.path ? { Path: g.path } : {}), ...inline(g.inlinePolicies), ManagedPolicyArns: attach(g.attachedPolicies) },
  });
  groupIds.set(`${g.account}|${g.name}`, id);
}
for (const u of snapshot.iamUsers) {
  add(u, 'global', 'User', u.name, {
    Type: 'AWS::IAM::User',
    Properties: {
      UserName: u.name,
      ...(u.path ? { Path: u.path } : {}),
      Groups: u.groups.map((g) => (groupIds.has(`${u.account}|${g}`) ? { Ref: groupIds.get(`${u.account}|${g}`) } : g)),
      ...inline(u.inlinePolicies),
      ManagedPolicyArns: attach(u.attachedPolicies),
      ...boundary(u.permissionsBoundary),
    },
  });
}
for (const r of snapshot.iamRoles) {
  add(r, 'global', 'Role', r.name, {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: r.name,
      ...(r.path ? { Path: r.path } : {}),
      AssumeRolePolicyDocument: r.assumeRolePolicy,
      ...inline(r.inlinePolicies),
      ManagedPolicyArns: attach(r.attachedPolicies),
      ...boundary(r.permissionsBoundary),
    },
  });
}

mkdirSync(outDir, { recursive: true });
for (const [key, t] of [...templates].sort(([a], [b]) => (a < b ? -1 : 1))) writeFileSync(join(outDir, `${key}.template.json`), `${JSON.stringify(t, null, 2)}\n`);
writeFileSync(join(outDir, 'mapping.json'), `${JSON.stringify({ resources: mapping, omitted }, null, 2)}\n`);
console.log(`wrote ${templates.size} templates, ${Object.keys(mapping).length} resources (${omitted.length} omitted) to ${outDir}`);
