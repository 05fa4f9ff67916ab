#!/usr/bin/env node
// Writes the demo estate (fixtures/demo/snapshot.json) as CloudFormation templates, one per
// account and region plus one per account for IAM (or, for an account with pipelines or build
// projects, its IAM in the template of its first region with them, so they join), for the
// differential test: scanning them with `--iac` must give the demo's findings for every rule
// infrastructure as code can judge. Pipelines, build projects and source credentials of any
// shape the model holds are written as AWS::CodePipeline::Pipeline, AWS::CodeBuild::Project and
// AWS::CodeBuild::SourceCredential.
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

// The template's own connections by account|region|id (either ARN prefix names one connection).
const connectionId = (arn) => {
  const m = /^arn:[^:]+:(?:codeconnections|codestar-connections):([^:]*):([0-9]{12}):connection\/(.+)$/.exec(arn ?? '');
  return m ? `${m[2]}|${m[1]}|${m[3]}` : undefined;
};
const connectionIds = new Map();
const connectionPrefix = new Map();
for (const c of snapshot.connections) {
  const target = mapping[c.arn];
  const key = connectionId(c.arn);
  if (target && key) {
    connectionIds.set(key, target.logicalId);
    connectionPrefix.set(key, /^arn:[^:]+:([^:]+):/.exec(c.arn)[1]);
  }
}
// IAM: one template per account (region "global" stands for IAM's own template), unless the
// account has pipelines or build projects: their roles must be in the template that declares
// them for the rules to join them, so the account's IAM goes into its first region with CI
// (mapped there), and a copy into each other region with CI (for the joins only, not mapped).
const ciRegions = new Map();
for (const r of [...(snapshot.pipelines ?? []), ...(snapshot.buildProjects ?? [])]) {
  if (!ciRegions.has(r.account)) ciRegions.set(r.account, new Set());
  ciRegions.get(r.account).add(r.region);
}
const iamAccounts = [...new Set([...snapshot.iamPolicies.filter((p) => !p.awsManaged), ...snapshot.iamGroups, ...snapshot.iamUsers, ...snapshot.iamRoles].map((r) => r.account))].sort();
/** Template key → role ARN → its logical id there. */
const roleIds = new Map();
for (const account of iamAccounts) {
  const placements = ciRegions.has(account) ? [...ciRegions.get(account)].sort() : ['global'];
  placements.forEach((region, i) => emitIam(account, region, i === 0));
}

function emitIam(account, region, mapped) {
  const { key } = template(account, region);
  const put = (r, prefix, name, resource) => {
    if (mapped) return add(r, region, prefix, name, resource).id;
    const id = logicalId(prefix, name);
    template(account, region).t.Resources[id] = resource;
    return id;
  };
  const mine = (list) => list.filter((r) => r.account === account);
  const policyIds = new Map();
  for (const p of mine(snapshot.iamPolicies.filter((p) => !p.awsManaged))) {
    policyIds.set(p.arn, put(p, 'Policy', p.name, { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: p.name, ...(p.path ? { Path: p.path } : {}), PolicyDocument: withConnectionRefs(account, region, p.document) } }));
  }
  const attach = (arns) => arns.map((a) => (policyIds.has(a) ? { Ref: policyIds.get(a) } : a));
  const boundary = (b) => (b === undefined ? {} : { PermissionsBoundary: policyIds.has(b) ? { Ref: policyIds.get(b) } : b });
  const inline = (ps) => (ps.length > 0 ? { Policies: ps.map((p) => ({ PolicyName: p.name, PolicyDocument: withConnectionRefs(account, region, p.document) })) } : {});
  const groupIds = new Map();
  for (const g of mine(snapshot.iamGroups)) {
    groupIds.set(g.name, put(g, 'Group', g.name, { Type: 'AWS::IAM::Group', Properties: { GroupName: g.name, ...(g.path ? { Path: g.path } : {}), ...inline(g.inlinePolicies), ManagedPolicyArns: attach(g.attachedPolicies) } }));
  }
  for (const u of mine(snapshot.iamUsers)) {
    put(u, 'User', u.name, {
      Type: 'AWS::IAM::User',
      Properties: {
        UserName: u.name,
        ...(u.path ? { Path: u.path } : {}),
        Groups: u.groups.map((g) => (groupIds.has(g) ? { Ref: groupIds.get(g) } : g)),
        ...inline(u.inlinePolicies),
        ManagedPolicyArns: attach(u.attachedPolicies),
        ...boundary(u.permissionsBoundary),
      },
    });
  }
  const roles = new Map();
  for (const r of mine(snapshot.iamRoles)) {
    roles.set(r.arn, put(r, 'Role', r.name, {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: r.name,
        ...(r.path ? { Path: r.path } : {}),
        AssumeRolePolicyDocument: r.assumeRolePolicy,
        ...inline(r.inlinePolicies),
        ManagedPolicyArns: attach(r.attachedPolicies),
        ...boundary(r.permissionsBoundary),
      },
    }));
  }
  roleIds.set(key, roles);
}

// Pipelines, build projects and source credentials: references to the template's own
// connections and roles are written as `Ref` / `Fn::GetAtt` (the model gives template resources
// identities of their own); anything else stays as the live estate names it. Secrets the model
// never holds (REDACTED) are a NoEcho parameter without value, which the mappers never read.
const SECRET_PARAMETER = 'DemoSecretValue';
function secret(t) {
  t.Parameters ??= {};
  t.Parameters[SECRET_PARAMETER] = { Type: 'String', NoEcho: true, Description: 'A secret the demo estate does not hold (REDACTED there); never read' };
  return { Ref: SECRET_PARAMETER };
}
/**
 * A connection ARN as the template writes it: the template's connection (its `Ref`, rewritten to
 * the prefix the estate wrote: a policy or action naming the `codeconnections` ARN of a
 * `codestar-connections` connection keeps naming it so), else the ARN.
 */
function connectionRef(account, region, arn) {
  const key = connectionId(arn);
  const [a, r] = key ? key.split('|') : [];
  if (!(key && a === account && r === region && connectionIds.has(key))) return arn;
  const ref = { Ref: connectionIds.get(key) };
  const written = /^arn:([^:]+):([^:]+):/.exec(arn);
  const own = connectionPrefix.get(key);
  if (!written || written[2] === own) return ref;
  return { 'Fn::Join': ['', [`arn:${written[1]}:${written[2]}:`, { 'Fn::Select': [1, { 'Fn::Split': [`:${own}:`, ref] }] }]] };
}
/** A policy document with the template's connections' ARNs written as references to them. */
function withConnectionRefs(account, region, doc) {
  const rewrite = (v) => (typeof v === 'string' ? connectionRef(account, region, v) : v);
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const out = statements.map((st) => {
    if (st.Resource === undefined) return st;
    return { ...st, Resource: Array.isArray(st.Resource) ? st.Resource.map(rewrite) : rewrite(st.Resource) };
  });
  return { ...doc, Statement: Array.isArray(doc.Statement) ? out : out[0] };
}
function roleRef(key, arn) {
  const id = roleIds.get(key)?.get(arn);
  return id ? { 'Fn::GetAtt': [id, 'Arn'] } : arn;
}
const filter = (f) => (f ? { ...(f.includes.length > 0 ? { Includes: f.includes } : {}), ...(f.excludes.length > 0 ? { Excludes: f.excludes } : {}) } : undefined);
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function sourceOf(account, region, s) {
  // A location that had credentials gets some back (a dynamic reference in the user-info), so the
  // template's twin had them too.
  const location = s.location !== undefined && s.locationHadCredentials ? s.location.replace('REDACTED@', 'x-token-auth:{{resolve:secretsmanager:demo-source-token}}@') : s.location;
  return defined({
    Type: s.type,
    Location: location,
    BuildSpec: s.buildspec ?? s.buildspecFile,
    GitCloneDepth: s.gitCloneDepth,
    ReportBuildStatus: s.reportBuildStatus,
    SourceIdentifier: s.sourceIdentifier,
    Auth: s.auth ? defined({ Type: s.auth.type, Resource: s.auth.resource === undefined ? undefined : s.auth.type === 'CODECONNECTIONS' ? connectionRef(account, region, s.auth.resource) : s.auth.resource }) : undefined,
  });
}

for (const b of snapshot.buildProjects ?? []) {
  const { key } = template(b.account, b.region);
  add(b, b.region, 'Project', b.name, {
    Type: 'AWS::CodeBuild::Project',
    Properties: defined({
      Name: b.name,
      ServiceRole: roleRef(key, b.serviceRole),
      Source: sourceOf(b.account, b.region, b.source),
      SecondarySources: b.secondarySources.length > 0 ? b.secondarySources.map((s) => sourceOf(b.account, b.region, s)) : undefined,
      SourceVersion: b.sourceVersion,
      Triggers: b.webhook
        ? defined({ Webhook: true, BuildType: b.webhook.buildType, FilterGroups: b.webhook.filterGroups.map((g) => g.map((f) => defined({ Type: f.type, Pattern: f.pattern, ExcludeMatchedPattern: f.excludeMatchedPattern }))) })
        : undefined,
      Artifacts: { Type: b.source.type === 'CODEPIPELINE' ? 'CODEPIPELINE' : 'NO_ARTIFACTS' },
      Environment: {
        Type: 'LINUX_CONTAINER',
        ComputeType: 'BUILD_GENERAL1_SMALL',
        Image: 'aws/codebuild/standard:7.0',
        ...(b.environmentVariables.length > 0 ? { EnvironmentVariables: b.environmentVariables.map((v) => ({ Name: v.name, Type: v.type, Value: 'demo-value' })) } : {}),
      },
      Tags: Object.keys(b.tags ?? {}).length > 0 ? tags(b) : undefined,
    }),
  });
}

for (const p of snapshot.pipelines ?? []) {
  const { key, t } = template(p.account, p.region);
  const configuration = (c) =>
    Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v === 'REDACTED' ? secret(t) : k === 'ConnectionArn' ? connectionRef(p.account, p.region, v) : v]));
  add(p, p.region, 'Pipeline', p.name, {
    Type: 'AWS::CodePipeline::Pipeline',
    Properties: defined({
      Name: p.name,
      PipelineType: p.pipelineType,
      ExecutionMode: p.executionMode,
      RoleArn: roleRef(key, p.roleArn),
      ArtifactStore: { Type: 'S3', Location: 'demo-artifacts' },
      Stages: p.stages.map((s) => ({
        Name: s.name,
        Actions: s.actions.map((a) =>
          defined({
            Name: a.name,
            ActionTypeId: { Category: a.actionType.category, Owner: a.actionType.owner, Provider: a.actionType.provider, Version: a.actionType.version },
            RunOrder: a.runOrder,
            Configuration: Object.keys(a.configuration).length > 0 ? configuration(a.configuration) : undefined,
            InputArtifacts: a.inputArtifacts.length > 0 ? a.inputArtifacts.map((Name) => ({ Name })) : undefined,
            OutputArtifacts: a.outputArtifacts.length > 0 ? a.outputArtifacts.map((Name) => ({ Name })) : undefined,
            RoleArn: a.roleArn === undefined ? undefined : roleRef(key, a.roleArn),
            Region: a.region,
            Namespace: a.namespace,
          }),
        ),
      })),
      Triggers:
        p.triggers.length > 0
          ? p.triggers.map((tr) => ({
              ProviderType: tr.providerType,
              GitConfiguration: defined({
                SourceActionName: tr.sourceActionName,
                Push: tr.push.length > 0 ? tr.push.map((f) => defined({ Branches: filter(f.branches), Tags: filter(f.tags), FilePaths: filter(f.filePaths) })) : undefined,
                PullRequest: tr.pullRequest.length > 0 ? tr.pullRequest.map((f) => defined({ Events: f.events.length > 0 ? f.events : undefined, Branches: filter(f.branches), FilePaths: filter(f.filePaths) })) : undefined,
              }),
            }))
          : undefined,
      Tags: Object.keys(p.tags ?? {}).length > 0 ? tags(p) : undefined,
    }),
  });
}

for (const c of snapshot.sourceCredentials ?? []) {
  const { t } = template(c.account, c.region);
  add(c, c.region, 'Credential', `${c.serverType}${c.authType}`, {
    Type: 'AWS::CodeBuild::SourceCredential',
    Properties: {
      ServerType: c.serverType,
      AuthType: c.authType,
      // CODECONNECTIONS and SECRETS_MANAGER take the ARN as the Token; any other is a secret.
      Token: c.resource === undefined ? secret(t) : c.authType === 'CODECONNECTIONS' ? connectionRef(c.account, c.region, c.resource) : c.resource,
    },
  });
}

mkdirSync(outDir, { recursive: true });
for (const [key, t] of [...templates].sort(([a], [b]) => (a < b ? -1 : 1))) writeFileSync(join(outDir, `${key}.template.json`), `${JSON.stringify(t, null, 2)}\n`);
writeFileSync(join(outDir, 'mapping.json'), `${JSON.stringify({ resources: mapping, omitted }, null, 2)}\n`);
console.log(`wrote ${templates.size} templates, ${Object.keys(mapping).length} resources (${omitted.length} omitted) to ${outDir}`);
