// aws_codebuild_project (+ aws_codebuild_webhook, joined by project_name) and
// aws_codebuild_source_credential → the model's buildProjects and sourceCredentials, as
// BatchGetProjects and ListSourceCredentials would show the applied plan. Never read: a
// credential's `token` (sensitive in the provider's schema; only its configuration references are
// followed, to the connection a CODECONNECTIONS credential names), an environment variable's
// `value`, a webhook's `secret`; credentials in a source location and values under a buildspec's
// env.variables are removed before storing (../ci-values.ts). Schemas: the provider's pages for
// aws_codebuild_project, aws_codebuild_webhook, aws_codebuild_source_credential.

import type { BuildProject, BuildSource, BuildSourceAuth, BuildWebhook, SourceCredential, WebhookFilter } from '../../../model/types.js';
import { authResource, buildSource, DEFAULT_VARIABLE_TYPE, type SourceInput } from '../ci-values.js';
import { unresolvedField } from '../types.js';
import { CONNECTION_SERVICE, projectName, type TfCiRefs } from './ci-refs.js';
import { Parts } from './codepipeline.js';
import { argLocations, arnOf, configOf, Fields, indexBy, joinOf, originOf, type MapContext } from './context.js';
import { expressionOf } from './configuration.js';
import { child, leaf, rootView, type View } from './nested.js';
import { attr, type Json, type TfResource } from './plan.js';

export const CODEBUILD_TYPES = ['aws_codebuild_project', 'aws_codebuild_webhook', 'aws_codebuild_source_credential'] as const;

const PROJECT_PROPS = { name: 'name', serviceRole: 'service_role', source: 'source', secondarySources: 'secondary_sources', sourceVersion: 'source_version', environmentVariables: 'environment', tags: 'tags' };

export function mapCodeBuild(ctx: MapContext, refs: TfCiRefs): { buildProjects: BuildProject[]; sourceCredentials: SourceCredential[] } {
  const projects = ctx.byType.get('aws_codebuild_project') ?? [];
  const drafts = new Map(projects.map((r) => [r, project(ctx, refs, r)]));
  joinWebhooks(ctx, drafts);
  return {
    buildProjects: [...drafts.values()].map((d) => ({ ...d.model, ...d.f.done(), origin: d.origin() })),
    sourceCredentials: (ctx.byType.get('aws_codebuild_source_credential') ?? []).map((r) => credential(ctx, r)),
  };
}

interface Draft {
  model: BuildProject;
  f: Fields;
  origin(): NonNullable<BuildProject['origin']>;
  extra: Record<string, NonNullable<NonNullable<BuildProject['origin']>['location']>>;
}

function project(ctx: MapContext, refs: TfCiRefs, r: TfResource): Draft {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const root = rootView(r, configOf(ctx, r)?.expressions);
  const { name, why } = projectName(ctx, r);
  if (why === 'unknown') f.unknown('name', 'name');
  else if (why === 'sensitive') f.sensitive('name', 'name');
  else if (why === 'invalid') f.mark(unresolvedField('name', 'name', `${r.address}.name is not a CodeBuild project name ([A-Za-z0-9][A-Za-z0-9_-], 2 to 255 characters)`, 'InvalidValue'));
  const model: BuildProject = {
    arn: arnOf(ctx, r, 'buildProject'),
    account: env.account,
    region: env.region,
    tags: f.tags(),
    name,
    serviceRole: serviceRoleOf(refs, r, f, root),
    source: primarySource(refs, r, new Parts(f, 'source'), root),
    secondarySources: (blocksOf(new Parts(f, 'secondarySources'), root, 'secondary_sources') ?? []).flatMap((s, i) => sourceOf(refs, r, new Parts(f, 'secondarySources'), s, `secondary_sources[${i}]`) ?? []),
    environmentVariables: environmentVariables(new Parts(f, 'environmentVariables'), root),
  };
  const version = f.string('source_version', 'sourceVersion');
  if (version !== undefined && version !== '') model.sourceVersion = version;
  const extra: Draft['extra'] = {};
  return {
    model,
    f,
    extra,
    origin() {
      const o = originOf(ctx, r, PROJECT_PROPS);
      const props = { ...extra, ...(o.properties ?? {}) };
      const keys = Object.keys(props).sort();
      return { ...o, ...(keys.length > 0 ? { properties: Object.fromEntries(keys.map((k) => [k, props[k] as (typeof props)[string]])) } : {}) };
    },
  };
}

function blocksOf(p: Parts, root: View, name: string): View[] | undefined {
  return p.blocks(child(root, name), name);
}

/** service_role: an ARN (or a role name, which CodeBuild takes too); a new role's ARN through the references. */
function serviceRoleOf(refs: TfCiRefs, r: TfResource, f: Fields, root: View): string {
  const a = attr(r, 'service_role');
  if (a.kind === 'known' && typeof a.value === 'string') {
    if (a.value.startsWith('arn:')) return refs.roleArn(r, a.value);
    // A role name: CodeBuild stores the ARN of that name in the project's account.
    const env = f.ctx.envOf(r);
    return refs.roleArn(r, `arn:${env.partition}:iam::${env.account}:role/${a.value}`);
  }
  if (a.kind === 'sensitive') f.sensitive('serviceRole', 'service_role');
  else if (a.kind === 'unknown') {
    const j = refs.follow(r, 'service_role', ['aws_iam_role'], child(root, 'service_role').expr, undefined, refs.roleOf);
    if ('value' in j) return j.value;
    f.mark(unresolvedField('serviceRole', 'after_unknown', j.unresolved));
  } else f.mark(unresolvedField('serviceRole', 'service_role', `${r.address}.service_role is not set (CodeBuild requires a service role)`, 'InvalidValue'));
  return '';
}

function primarySource(refs: TfCiRefs, r: TfResource, p: Parts, root: View): BuildSource {
  const list = blocksOf(p, root, 'source');
  const first = list?.[0];
  if (list !== undefined && !first) p.invalid('source', 'is not set (CodeBuild requires a source)');
  return (first ? sourceOf(refs, r, p, first, 'source[0]') : undefined) ?? { type: 'NO_SOURCE' };
}

/** A source block: type, location, buildspec, git_clone_depth, report_build_status, source_identifier, auth. */
function sourceOf(refs: TfCiRefs, r: TfResource, p: Parts, v: View, path: string): BuildSource | undefined {
  const type = p.str(child(v, 'type'), `${path}.type`, true);
  if (type === undefined) return undefined;
  const input: SourceInput = { type };
  const location = p.str(child(v, 'location'), `${path}.location`);
  if (location !== undefined && location !== '') input.location = location;
  const spec = p.str(child(v, 'buildspec'), `${path}.buildspec`);
  if (spec !== undefined && spec !== '') input.buildspec = spec;
  const depth = leaf(child(v, 'git_clone_depth'));
  if (depth.kind === 'known' && typeof depth.value === 'number' && Number.isInteger(depth.value) && depth.value >= 0) input.gitCloneDepth = depth.value;
  else if (depth.kind === 'unknown') p.unknown(`${path}.git_clone_depth`);
  const report = leaf(child(v, 'report_build_status'));
  if (report.kind === 'known' && typeof report.value === 'boolean') input.reportBuildStatus = report.value;
  else if (report.kind === 'unknown') p.unknown(`${path}.report_build_status`);
  const id = p.str(child(v, 'source_identifier'), `${path}.source_identifier`);
  if (id !== undefined && id !== '') input.sourceIdentifier = id;
  const auth = authOf(refs, r, p, child(v, 'auth'), `${path}.auth`);
  if (auth) input.auth = auth;
  const { source, issues } = buildSource(input);
  for (const issue of issues) p.invalid(path, issue.message);
  return source;
}

/**
 * An `auth` block (older providers, and the CodeConnections auth of newer ones): its type, and
 * its resource only when it is the connection or secret ARN. An OAUTH resource is a token in
 * the providers that had one: never read.
 */
function authOf(refs: TfCiRefs, r: TfResource, p: Parts, v: View, path: string): BuildSourceAuth | undefined {
  const block = (p.blocks(v, path) ?? [])[0];
  if (!block) return undefined;
  const type = p.str(child(block, 'type'), `${path}[0].type`, true);
  if (type === undefined) return undefined;
  const auth: BuildSourceAuth = { type };
  if (type !== 'CODECONNECTIONS' && type !== 'SECRETS_MANAGER') return auth;
  const rv = child(block, 'resource');
  const l = leaf(rv);
  if (l.kind === 'known' && typeof l.value === 'string') {
    const kept = authResource(type, refs.known(l.value));
    if (kept && 'resource' in kept) auth.resource = kept.resource;
    else if (kept) p.invalid(`${path}[0].resource`, kept.problem);
  } else if (l.kind === 'unknown' && type === 'CODECONNECTIONS') {
    const j = refs.follow(r, `${path}[0].resource`, Object.keys(CONNECTION_SERVICE), rv.expr, expressionOf(configOf(p.f.ctx, r), 'source'), refs.connectionOf);
    if ('value' in j) auth.resource = j.value;
    else p.unknown(`${path}[0].resource`, j.unresolved);
  } else if (l.kind === 'unknown') p.unknown(`${path}[0].resource`);
  else if (l.kind === 'sensitive') p.sensitive(`${path}[0].resource`);
  return auth;
}

/** environment[0].environment_variable: name and type (default PLAINTEXT); a value is never read. */
function environmentVariables(p: Parts, root: View): Array<{ name: string; type: string }> {
  const env = (p.blocks(child(root, 'environment'), 'environment') ?? [])[0];
  if (!env) return [];
  const vars = p.blocks(child(env, 'environment_variable'), 'environment[0].environment_variable') ?? [];
  return vars.flatMap((v, i) => {
    const name = p.str(child(v, 'name'), `environment[0].environment_variable[${i}].name`, true);
    const type = leaf(child(v, 'type')).kind === 'absent' ? DEFAULT_VARIABLE_TYPE : p.str(child(v, 'type'), `environment[0].environment_variable[${i}].type`);
    return name !== undefined && type !== undefined ? [{ name, type }] : [];
  });
}

/**
 * aws_codebuild_webhook → its project's `webhook` (filter_group blocks of filter blocks,
 * build_type), joined by project_name: the known name, else the configuration's references. A
 * webhook that cannot be placed makes `webhook` unreadable on every project it may belong to.
 */
function joinWebhooks(ctx: MapContext, drafts: Map<TfResource, Draft>): void {
  const projects = [...drafts.keys()];
  const byName = indexBy(projects, 'name');
  for (const w of ctx.byType.get('aws_codebuild_webhook') ?? []) {
    const join = joinOf(ctx, w, 'project_name', ['aws_codebuild_project'], byName);
    const targets = join.kind === 'targets' ? join.targets : join.kind === 'unresolved' ? (join.candidates.length > 0 ? join.candidates : projects) : [];
    for (const t of targets) {
      const d = drafts.get(t);
      if (!d) continue;
      const loc = argLocations(ctx, w, { webhook: 'filter_group' }).webhook ?? originOf(ctx, w, {}).location;
      if (!d.extra.webhook) d.extra.webhook = loc;
      if (join.kind === 'unresolved') {
        d.f.mark(unresolvedField('webhook', 'after_unknown', join.reason));
        continue;
      }
      const hook = webhookOf(new Parts(new Fields(ctx, w), 'webhook'), w, d);
      if (hook) d.model.webhook = hook;
    }
  }
}

function webhookOf(wp: Parts, w: TfResource, d: Draft): BuildWebhook | undefined {
  const root = rootView(w, undefined);
  const groups: WebhookFilter[][] = (wp.blocks(child(root, 'filter_group'), 'filter_group') ?? []).map((g, i) =>
    (wp.blocks(child(g, 'filter'), `filter_group[${i}].filter`) ?? []).flatMap((fv, j) => {
      const at = `filter_group[${i}].filter[${j}]`;
      const type = wp.str(child(fv, 'type'), `${at}.type`, true);
      const pattern = wp.str(child(fv, 'pattern'), `${at}.pattern`, true);
      if (type === undefined || pattern === undefined) return [];
      const filter: WebhookFilter = { type, pattern };
      const ex = leaf(child(fv, 'exclude_matched_pattern'));
      if (ex.kind === 'known' && typeof ex.value === 'boolean') filter.excludeMatchedPattern = ex.value;
      return [filter];
    }),
  );
  const hook: BuildWebhook = { filterGroups: groups };
  const buildType = wp.str(child(root, 'build_type'), 'build_type');
  if (buildType !== undefined && buildType !== '') hook.buildType = buildType;
  // What could not be read of the webhook is unreadable on the project it belongs to.
  for (const u of wp.f.unreadable) if (u.field === 'webhook') d.f.mark(u);
  return hook;
}

/**
 * aws_codebuild_source_credential: server_type, auth_type. `token` is never read: for
 * CODECONNECTIONS it holds the connection's ARN (the provider: "for CODECONNECTIONS … the
 * connection ARN"), which is found through the configuration's references without reading the
 * value; a token written as a literal ARN outside the plan stays unknown (it is sensitive).
 */
function credential(ctx: MapContext, r: TfResource): SourceCredential {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const model: SourceCredential = {
    arn: arnOf(ctx, r, 'sourceCredential'),
    account: env.account,
    region: env.region,
    tags: {},
    serverType: f.string('server_type', 'serverType') ?? '',
    authType: f.string('auth_type', 'authType') ?? '',
  };
  if (attr(r, 'server_type').kind === 'absent') f.mark(unresolvedField('serverType', 'server_type', `${r.address}.server_type is not set`, 'InvalidValue'));
  if (attr(r, 'auth_type').kind === 'absent') f.mark(unresolvedField('authType', 'auth_type', `${r.address}.auth_type is not set`, 'InvalidValue'));
  const authKnown = !f.unreadable.some((u) => u.field === 'authType');
  if (authKnown && (model.authType === 'CODECONNECTIONS' || model.authType === 'SECRETS_MANAGER')) {
    const tokenExpr: Json | undefined = expressionOf(configOf(ctx, r), 'token');
    const types = model.authType === 'CODECONNECTIONS' ? Object.keys(CONNECTION_SERVICE) : ['aws_secretsmanager_secret'];
    const join = joinOf(ctx, r, 'token', types, () => [], tokenExpr, { kind: 'unknown' });
    const target = join.kind === 'targets' && join.targets.length === 1 ? join.targets[0] : undefined;
    if (target && model.authType === 'CODECONNECTIONS') model.resource = arnOf(ctx, target, 'connection', CONNECTION_SERVICE[target.type]);
    else if (target) {
      const arn = attr(target, 'arn');
      if (arn.kind === 'known' && typeof arn.value === 'string') model.resource = arn.value;
      else f.mark(unresolvedField('resource', 'after_unknown', `${target.address}.arn is known only after apply`));
    } else f.mark(unresolvedField('resource', 'token', `${r.address}.token is sensitive and names no ${model.authType === 'CODECONNECTIONS' ? 'connection' : 'secret'} of the plan: the resource it holds is not read`, 'Sensitive'));
  } else if (!authKnown && attr(r, 'token').kind !== 'absent') {
    f.mark(unresolvedField('resource', 'auth_type', `${r.address}.token is read only when auth_type is CODECONNECTIONS or SECRETS_MANAGER, and auth_type is not known`));
  }
  const props: Record<string, string> = { serverType: 'server_type', authType: 'auth_type' };
  if (model.resource !== undefined || f.unreadable.some((u) => u.field === 'resource')) props.resource = 'token';
  return { ...model, ...f.done(), origin: originOf(ctx, r, props) };
}
