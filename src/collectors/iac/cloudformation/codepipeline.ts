// AWS::CodePipeline::Pipeline → the model's pipelines, as GetPipeline would show the deployed
// stack: Name, PipelineType, RoleArn, ExecutionMode, Stages (ActionTypeId, Configuration,
// Input/OutputArtifacts, RoleArn, Region, Namespace, RunOrder) and V2 Triggers (GitConfiguration
// Push/PullRequest filters). A connection, role or project of the template is named as the model
// names it (ci-refs.ts), so the rules join them. Secret configuration values are never read:
// `OAuthToken: !Ref GitHubToken` (NoEcho) is REDACTED, not unknown (../ci-values.ts).

import { iacArn } from '../../../model/arn.js';
import type { GitFilterList, GitPullRequestFilter, GitPushFilter, Pipeline, PipelineAction, PipelineStage, PipelineTrigger } from '../../../model/types.js';
import { configurationValue, DEFAULT_EXECUTION_MODE, hasDynamicReference, DEFAULT_RUN_ORDER, defaultPipelineType, isSecretConfigurationKey, PIPELINE_NAME, REDACTED } from '../ci-values.js';
import type { CiRefs } from './ci-refs.js';
import type { MapContext } from './context.js';
import { generatedNameOf, originIdOf } from './identity.js';
import { PartReader, type CfnObject } from './parts.js';
import { Unresolved, type CfnResource, type CfnValue } from './template-types.js';
import { findUnresolved, stringOf, type FieldReader } from './values.js';

export function mapCodePipeline(ctx: MapContext, refs: CiRefs): Pipeline[] {
  return ctx.of('AWS::CodePipeline::Pipeline').map((r) => pipeline(ctx, refs, r));
}

function pipeline(ctx: MapContext, refs: CiRefs, r: CfnResource): Pipeline {
  const { stack } = ctx;
  const rd = ctx.reader(r);
  const tags = rd.tags();
  // An unresolved name is not unreadable (as for IAM principals): the stand-in names it.
  rd.at('name', 'Name');
  const written = r.properties.Name;
  let name = generatedNameOf(stack, r.logicalId);
  if (typeof written === 'string') {
    if (PIPELINE_NAME.test(written)) name = written;
    else rd.invalid('name', 'Name', 'is not a pipeline name ([A-Za-z0-9.@_-], 1 to 100 characters)');
  }
  const triggers = triggersOf(rd);
  const declaredType = rd.optionalString('pipelineType', 'PipelineType');
  let pipelineType: Pipeline['pipelineType'];
  if (declaredType === 'V1' || declaredType === 'V2') pipelineType = declaredType;
  else {
    if (declaredType !== undefined) rd.invalid('pipelineType', 'PipelineType', 'is not V1 or V2');
    const variables = r.properties.Variables;
    pipelineType = defaultPipelineType(triggers.length > 0 || (Array.isArray(variables) && variables.length > 0));
  }
  const model: Pipeline = {
    arn: iacArn('pipeline', stack.partition, stack.region, stack.account, originIdOf(stack, r.logicalId)),
    account: stack.account,
    region: stack.region,
    tags,
    name,
    pipelineType,
    roleArn: pipelineRole(rd, refs),
    executionMode: rd.optionalString('executionMode', 'ExecutionMode') ?? DEFAULT_EXECUTION_MODE,
    stages: stagesOf(rd, refs),
    triggers,
  };
  return ctx.add(model, rd);
}

function pipelineRole(rd: FieldReader, refs: CiRefs): string {
  const value = rd.optionalString('roleArn', 'RoleArn');
  if (value === undefined) {
    if (!rd.has('roleArn')) rd.invalid('roleArn', 'RoleArn', 'is not set (CodePipeline requires a service role)');
    return '';
  }
  const arn = refs.role(value, false);
  if (arn === undefined) rd.invalid('roleArn', 'RoleArn', 'is not a role ARN');
  return arn ?? '';
}

function stagesOf(rd: FieldReader, refs: CiRefs): PipelineStage[] {
  const p = new PartReader(rd, 'stages');
  const value = rd.resource.properties.Stages;
  rd.at('stages', 'Stages');
  if (value === undefined) {
    p.invalid('Stages', 'is not set (a pipeline has at least two stages)');
    return [];
  }
  const out: PipelineStage[] = [];
  (p.list(value, 'Stages') ?? []).forEach((s, i) => {
    const path = `Stages[${i}]`;
    const o = p.obj(s, path);
    if (!o) return;
    const name = p.required(o.Name, `${path}.Name`) ?? '';
    const actions: PipelineAction[] = [];
    (p.list(o.Actions, `${path}.Actions`) ?? []).forEach((a, j) => {
      const action = actionOf(p, refs, a, `${path}.Actions[${j}]`);
      if (action) actions.push(action);
    });
    out.push({ name, actions });
  });
  return out;
}

function actionOf(p: PartReader, refs: CiRefs, value: CfnValue, path: string): PipelineAction | undefined {
  const o = p.obj(value, path);
  if (!o) return undefined;
  const type = p.obj(o.ActionTypeId, `${path}.ActionTypeId`);
  if (o.ActionTypeId === undefined) p.invalid(`${path}.ActionTypeId`, 'is not set');
  const part = (key: string): string => (type ? p.required(type[key], `${path}.ActionTypeId.${key}`) : undefined) ?? '';
  const actionType = { category: part('Category'), owner: part('Owner'), provider: part('Provider'), version: part('Version') };
  const action: PipelineAction = {
    name: p.required(o.Name, `${path}.Name`) ?? '',
    actionType,
    runOrder: p.int(o.RunOrder, `${path}.RunOrder`, 1) ?? DEFAULT_RUN_ORDER,
    configuration: configurationOf(p, refs, o.Configuration, `${path}.Configuration`, actionType.provider),
    inputArtifacts: artifacts(p, o.InputArtifacts, `${path}.InputArtifacts`),
    outputArtifacts: artifacts(p, o.OutputArtifacts, `${path}.OutputArtifacts`),
  };
  const role = p.str(o.RoleArn, `${path}.RoleArn`);
  if (role !== undefined) {
    const arn = refs.role(role, false);
    if (arn === undefined) p.invalid(`${path}.RoleArn`, 'is not a role ARN');
    else action.roleArn = arn;
  }
  const region = p.str(o.Region, `${path}.Region`);
  if (region !== undefined) action.region = region;
  const namespace = p.str(o.Namespace, `${path}.Namespace`);
  if (namespace !== undefined) action.namespace = namespace;
  return action;
}

/**
 * Configuration: key → string, as CodePipeline keeps it (`DetectChanges: false` is "false").
 * A secret key's value is REDACTED without being looked at, resolved or not; any other value the
 * template does not decide makes `stages` unreadable, with a placeholder naming the intrinsic.
 * A CodeBuild action's ProjectName that names a project of the template is that project's name.
 */
function configurationOf(p: PartReader, refs: CiRefs, value: CfnValue | undefined, path: string, provider: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  if (value instanceof Unresolved) {
    p.unresolved(path, value);
    return out;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    p.invalid(path, 'is not a mapping');
    return out;
  }
  for (const [key, v] of Object.entries(value as CfnObject)) {
    // Keys are defined, never assigned: a `__proto__` key stays a key.
    const set = (s: string): void => void Object.defineProperty(out, key, { value: s, enumerable: true, writable: true, configurable: true });
    if (isSecretConfigurationKey(key)) {
      set(REDACTED);
      continue;
    }
    const u = findUnresolved(v);
    if (u) {
      p.unresolved(`${path}.${key}`, u);
      set(`(unresolved ${u.operation})`);
      continue;
    }
    const s = stringOf(v);
    if (s === undefined) {
      p.invalid(`${path}.${key}`, 'is not a string');
      continue;
    }
    if (hasDynamicReference(s)) {
      p.unresolved(`${path}.${key}`, new Unresolved('DynamicReference', 'a dynamic reference ({{resolve:…}}) is resolved only at deployment'));
      set('(unresolved DynamicReference)');
      continue;
    }
    const kept = configurationValue(key, s);
    if ('invalid' in kept) {
      p.invalid(`${path}.${key}`, kept.invalid);
      set(REDACTED);
      continue;
    }
    set(key === 'ProjectName' && provider === 'CodeBuild' ? refs.project(kept.value) : kept.value);
  }
  return out;
}

/** Input/OutputArtifacts: `[{Name}]` → names. */
function artifacts(p: PartReader, value: CfnValue | undefined, path: string): string[] {
  const out: string[] = [];
  (p.list(value, path) ?? []).forEach((a, i) => {
    const o = p.obj(a, `${path}[${i}]`);
    const name = o ? p.required(o.Name, `${path}[${i}].Name`) : undefined;
    if (name !== undefined) out.push(name);
  });
  return out;
}

/** Triggers: `[{ProviderType, GitConfiguration: {SourceActionName, Push, PullRequest}}]`. */
function triggersOf(rd: FieldReader): PipelineTrigger[] {
  const p = new PartReader(rd, 'triggers');
  const value = rd.resource.properties.Triggers;
  if (value === undefined) return [];
  rd.at('triggers', 'Triggers');
  const out: PipelineTrigger[] = [];
  (p.list(value, 'Triggers') ?? []).forEach((t, i) => {
    const path = `Triggers[${i}]`;
    const o = p.obj(t, path);
    if (!o) return;
    const git = p.obj(o.GitConfiguration, `${path}.GitConfiguration`);
    const trigger: PipelineTrigger = {
      providerType: p.required(o.ProviderType, `${path}.ProviderType`) ?? '',
      sourceActionName: (git ? p.required(git.SourceActionName, `${path}.GitConfiguration.SourceActionName`) : undefined) ?? '',
      push: [],
      pullRequest: [],
    };
    if (git) {
      (p.list(git.Push, `${path}.GitConfiguration.Push`) ?? []).forEach((f, j) => {
        const at = `${path}.GitConfiguration.Push[${j}]`;
        const fo = p.obj(f, at);
        if (!fo) return;
        const filter: GitPushFilter = {};
        const branches = filterList(p, fo.Branches, `${at}.Branches`);
        if (branches) filter.branches = branches;
        const tags = filterList(p, fo.Tags, `${at}.Tags`);
        if (tags) filter.tags = tags;
        const paths = filterList(p, fo.FilePaths, `${at}.FilePaths`);
        if (paths) filter.filePaths = paths;
        trigger.push.push(filter);
      });
      (p.list(git.PullRequest, `${path}.GitConfiguration.PullRequest`) ?? []).forEach((f, j) => {
        const at = `${path}.GitConfiguration.PullRequest[${j}]`;
        const fo = p.obj(f, at);
        if (!fo) return;
        const filter: GitPullRequestFilter = { events: p.strings(fo.Events, `${at}.Events`) ?? [] };
        const branches = filterList(p, fo.Branches, `${at}.Branches`);
        if (branches) filter.branches = branches;
        const paths = filterList(p, fo.FilePaths, `${at}.FilePaths`);
        if (paths) filter.filePaths = paths;
        trigger.pullRequest.push(filter);
      });
    } else if (o.GitConfiguration === undefined) p.invalid(`${path}.GitConfiguration`, 'is not set');
    out.push(trigger);
  });
  return out;
}

/** GitBranchFilterCriteria and its kin: `{Includes, Excludes}`, an absent side `[]`. */
function filterList(p: PartReader, value: CfnValue | undefined, path: string): GitFilterList | undefined {
  const o = p.obj(value, path);
  if (!o) return undefined;
  return { includes: p.strings(o.Includes, `${path}.Includes`) ?? [], excludes: p.strings(o.Excludes, `${path}.Excludes`) ?? [] };
}
