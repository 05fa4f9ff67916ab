// AWS::CodeBuild::Project and AWS::CodeBuild::SourceCredential → the model's buildProjects and
// sourceCredentials, as BatchGetProjects and ListSourceCredentials would show the deployed stack.
// Never stored: a source credential's Token (unless it is the connection or secret ARN that
// CODECONNECTIONS and SECRETS_MANAGER put there), an environment variable's Value, credentials in
// a source Location, values under a buildspec's env.variables (../ci-values.ts, ../../redact.ts).
// Property names: the CloudFormation resource reference of each type (docs/iac.md).

import { iacArn } from '../../../model/arn.js';
import type { BuildProject, BuildSource, BuildSourceAuth, BuildWebhook, SourceCredential, WebhookFilter } from '../../../model/types.js';
import { authResource, buildSource, DEFAULT_VARIABLE_TYPE, hasDynamicReference } from '../ci-values.js';
import { unresolvedField } from '../types.js';
import type { MapContext } from './context.js';
import { projectNameOf, type CiRefs } from './ci-refs.js';
import { originIdOf } from './identity.js';
import { PartReader } from './parts.js';
import { Unresolved, type CfnResource, type CfnValue } from './template-types.js';
import type { FieldReader } from './values.js';

const DEPLOY_TIME = new Unresolved('DynamicReference', 'a dynamic reference ({{resolve:…}}) is resolved only at deployment');

export function mapCodeBuild(ctx: MapContext, refs: CiRefs): { buildProjects: BuildProject[]; sourceCredentials: SourceCredential[] } {
  return {
    buildProjects: ctx.of('AWS::CodeBuild::Project').map((r) => project(ctx, refs, r)),
    sourceCredentials: ctx.of('AWS::CodeBuild::SourceCredential').map((r) => credential(ctx, r)),
  };
}

function project(ctx: MapContext, refs: CiRefs, r: CfnResource): BuildProject {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const tags = rd.tags();
  rd.at('name', 'Name');
  const name = projectNameOf(ctx, r);
  if (typeof r.properties.Name === 'string' && name !== r.properties.Name) rd.invalid('name', 'Name', 'is not a CodeBuild project name ([A-Za-z0-9][A-Za-z0-9_-], 2 to 255 characters)');
  const model: BuildProject = {
    arn: iacArn('buildProject', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
    account: stack.account,
    region: stack.region,
    tags,
    name,
    serviceRole: serviceRole(rd, refs),
    source: primarySource(rd),
    secondarySources: secondarySources(rd),
    environmentVariables: environmentVariables(rd),
  };
  const version = rd.optionalString('sourceVersion', 'SourceVersion');
  if (version !== undefined) model.sourceVersion = version;
  const webhook = webhookOf(rd);
  if (webhook) model.webhook = webhook;
  return ctx.add(model, rd);
}

/** CodeBuild's service role: an ARN, or a role name CodeBuild expands to one (AWS samples write `!Ref Role`). */
function serviceRole(rd: FieldReader, refs: CiRefs): string {
  const value = rd.optionalString('serviceRole', 'ServiceRole');
  if (value === undefined) {
    if (!rd.has('serviceRole')) rd.invalid('serviceRole', 'ServiceRole', 'is not set (CodeBuild requires a service role)');
    return '';
  }
  const arn = refs.role(value, true);
  if (arn === undefined) rd.invalid('serviceRole', 'ServiceRole', 'is not a role ARN or name');
  return arn ?? '';
}

function primarySource(rd: FieldReader): BuildSource {
  const p = new PartReader(rd, 'source');
  const value = rd.resource.properties.Source;
  rd.at('source', 'Source');
  if (value === undefined) {
    p.invalid('Source', 'is not set (CodeBuild requires a source)');
    return { type: 'NO_SOURCE' };
  }
  return sourceOf(p, value, 'Source') ?? { type: 'NO_SOURCE' };
}

function secondarySources(rd: FieldReader): BuildSource[] {
  const p = new PartReader(rd, 'secondarySources');
  rd.at('secondarySources', 'SecondarySources');
  const list = p.list(rd.resource.properties.SecondarySources, 'SecondarySources') ?? [];
  const out: BuildSource[] = [];
  list.forEach((v, i) => {
    const s = sourceOf(p, v, `SecondarySources[${i}]`);
    if (s) out.push(s);
  });
  return out;
}

/** One Source (ProjectSource): Type, Location, BuildSpec, Auth, GitCloneDepth, ReportBuildStatus, SourceIdentifier. */
function sourceOf(p: PartReader, value: CfnValue, path: string): BuildSource | undefined {
  const o = p.obj(value, path);
  if (!o) return undefined;
  const type = p.required(o.Type, `${path}.Type`);
  if (type === undefined) return undefined;
  const input: Parameters<typeof buildSource>[0] = { type };
  const location = p.str(o.Location, `${path}.Location`);
  if (location !== undefined) input.location = location;
  const spec = p.str(o.BuildSpec, `${path}.BuildSpec`);
  if (spec !== undefined) input.buildspec = spec;
  const depth = p.int(o.GitCloneDepth, `${path}.GitCloneDepth`, 0);
  if (depth !== undefined) input.gitCloneDepth = depth;
  const report = p.bool(o.ReportBuildStatus, `${path}.ReportBuildStatus`);
  if (report !== undefined) input.reportBuildStatus = report;
  const id = p.str(o.SourceIdentifier, `${path}.SourceIdentifier`);
  if (id !== undefined) input.sourceIdentifier = id;
  const auth = authOf(p, o.Auth, `${path}.Auth`);
  if (auth) input.auth = auth;
  const { source, issues } = buildSource(input, true);
  for (const issue of issues) {
    if (issue.unresolved) p.unresolved(path, new Unresolved('DynamicReference', issue.message));
    else p.invalid(path, issue.message);
  }
  return source;
}

/** SourceAuth: Type, and Resource only when it is the connection or secret ARN (never an OAUTH value). */
function authOf(p: PartReader, value: CfnValue | undefined, path: string): BuildSourceAuth | undefined {
  const o = p.obj(value, path);
  if (!o) return undefined;
  const type = p.required(o.Type, `${path}.Type`);
  if (type === undefined) return undefined;
  const auth: BuildSourceAuth = { type };
  // OAUTH's resource is not an ARN and may be a token: never looked at, unresolved or not.
  if (o.Resource === undefined || (type !== 'CODECONNECTIONS' && type !== 'SECRETS_MANAGER')) return auth;
  const resource = p.str(o.Resource, `${path}.Resource`);
  if (resource === undefined) return auth;
  if (hasDynamicReference(resource)) {
    p.unresolved(`${path}.Resource`, DEPLOY_TIME);
    return auth;
  }
  const kept = authResource(type, resource);
  if (kept && 'resource' in kept) auth.resource = kept.resource;
  else if (kept) p.invalid(`${path}.Resource`, kept.problem);
  return auth;
}

/** Environment.EnvironmentVariables: each Name and Type (default PLAINTEXT); a Value is never read. */
function environmentVariables(rd: FieldReader): Array<{ name: string; type: string }> {
  const p = new PartReader(rd, 'environmentVariables');
  const env = rd.resource.properties.Environment;
  if (env === undefined) return [];
  rd.at('environmentVariables', 'Environment');
  if (env instanceof Unresolved) {
    p.unresolved('Environment', env);
    return [];
  }
  const o = p.obj(env, 'Environment');
  const list = o ? p.list(o.EnvironmentVariables, 'Environment.EnvironmentVariables') : undefined;
  const out: Array<{ name: string; type: string }> = [];
  (list ?? []).forEach((v, i) => {
    const path = `Environment.EnvironmentVariables[${i}]`;
    const e = p.obj(v, path);
    if (!e) return;
    const name = p.required(e.Name, `${path}.Name`);
    const type = e.Type === undefined ? DEFAULT_VARIABLE_TYPE : p.str(e.Type, `${path}.Type`);
    if (name !== undefined && type !== undefined) out.push({ name, type });
  });
  return out;
}

/**
 * Triggers (ProjectTriggers) → the webhook: CloudFormation creates one when `Webhook` is true,
 * with its FilterGroups and BuildType. FilterGroups with `Webhook` left out is undecided: the
 * reference documents no default, so the field is unknown.
 */
function webhookOf(rd: FieldReader): BuildWebhook | undefined {
  const p = new PartReader(rd, 'webhook');
  const value = rd.resource.properties.Triggers;
  if (value === undefined) return undefined;
  rd.at('webhook', 'Triggers');
  const o = p.obj(value, 'Triggers');
  if (!o) return undefined;
  const on = o.Webhook === undefined ? undefined : p.bool(o.Webhook, 'Triggers.Webhook');
  if (o.Webhook === undefined) {
    if (o.FilterGroups !== undefined) rd.mark(unresolvedField('webhook', 'Triggers', `${rd.resource.logicalId}.Triggers has FilterGroups but no Webhook, and AWS documents no default: set Webhook explicitly`, 'NoDefault'));
    return undefined;
  }
  if (on !== true) return undefined;
  const groups: WebhookFilter[][] = [];
  (p.list(o.FilterGroups, 'Triggers.FilterGroups') ?? []).forEach((g, i) => {
    const group: WebhookFilter[] = [];
    (p.list(g, `Triggers.FilterGroups[${i}]`) ?? []).forEach((f, j) => {
      const path = `Triggers.FilterGroups[${i}][${j}]`;
      const fo = p.obj(f, path);
      if (!fo) return;
      const type = p.required(fo.Type, `${path}.Type`);
      const pattern = p.required(fo.Pattern, `${path}.Pattern`);
      if (type === undefined || pattern === undefined) return;
      const filter: WebhookFilter = { type, pattern };
      const exclude = p.bool(fo.ExcludeMatchedPattern, `${path}.ExcludeMatchedPattern`);
      if (exclude !== undefined) filter.excludeMatchedPattern = exclude;
      group.push(filter);
    });
    groups.push(group);
  });
  const webhook: BuildWebhook = { filterGroups: groups };
  const buildType = p.str(o.BuildType, 'Triggers.BuildType');
  if (buildType !== undefined) webhook.buildType = buildType;
  return webhook;
}

/**
 * AWS::CodeBuild::SourceCredential: ServerType, AuthType. Its Token is a personal access token,
 * an app password or an OAuth token, and is never read, except for the authTypes whose Token is
 * an ARN ("For the authType CODECONNECTIONS, this is the connectionArn. For the authType
 * SECRETS_MANAGER, this is the secretArn", CloudFormation reference), which is the model's
 * `resource`. A Token that should be an ARN and is not one is not kept either.
 */
function credential(ctx: MapContext, r: CfnResource): SourceCredential {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const model: SourceCredential = {
    arn: iacArn('sourceCredential', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
    account: stack.account,
    region: stack.region,
    tags: {},
    serverType: rd.string('serverType', 'ServerType', ''),
    authType: rd.string('authType', 'AuthType', ''),
  };
  if (!('ServerType' in r.properties)) rd.invalid('serverType', 'ServerType', 'is not set');
  if (!('AuthType' in r.properties)) rd.invalid('authType', 'AuthType', 'is not set');
  const token = r.properties.Token;
  if ((model.authType === 'CODECONNECTIONS' || model.authType === 'SECRETS_MANAGER') && token !== undefined) {
    rd.at('resource', 'Token');
    const p = new PartReader(rd, 'resource');
    let value = p.str(token, 'Token');
    if (value !== undefined && hasDynamicReference(value)) {
      p.unresolved('Token', DEPLOY_TIME);
      value = undefined;
    }
    const kept = value === undefined ? undefined : authResource(model.authType, value);
    if (kept && 'resource' in kept) model.resource = kept.resource;
    else if (kept) p.invalid('Token', kept.problem);
  } else if (rd.has('authType') && token !== undefined) {
    // With AuthType undecided the Token may be a connection ARN (the resource) or a secret: not looked at.
    rd.mark(unresolvedField('resource', 'AuthType', `${r.logicalId}.Token is read only when AuthType is CODECONNECTIONS or SECRETS_MANAGER, and AuthType is not resolved`));
  }
  return ctx.add(model, rd);
}
