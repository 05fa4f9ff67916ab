// aws_codepipeline → the model's pipelines, as GetPipeline would show the applied plan: name,
// role_arn, pipeline_type (the provider's default V1), execution_mode (default SUPERSEDED), stage
// blocks with their action blocks (category/owner/provider/version, the configuration map,
// input/output artifacts, role_arn, run_order, region, namespace) and trigger blocks
// (git_configuration with push and pull_request filters). Configuration values are read one by
// one: a secret key's value is REDACTED unread (an OAuthToken from a sensitive variable), a new
// connection's ARN or project known only after apply is followed to the plan's resource
// (ci-refs.ts), and any other value the plan does not decide makes `stages` unreadable.
// Schema: registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/codepipeline.

import type { GitFilterList, GitPullRequestFilter, GitPushFilter, Pipeline, PipelineAction, PipelineStage, PipelineTrigger } from '../../../model/types.js';
import { configurationValue, DEFAULT_EXECUTION_MODE, DEFAULT_RUN_ORDER, isSecretConfigurationKey, PIPELINE_NAME, REDACTED } from '../ci-values.js';
import { unresolvedField } from '../types.js';
import { CONNECTION_SERVICE, type TfCiRefs } from './ci-refs.js';
import { arnOf, configOf, Fields, iacId, originOf, type MapContext } from './context.js';
import { AFTER_APPLY } from './ec2.js';
import { child, configured, container, items, leaf, rootView, type View } from './nested.js';
import { attr, isObject, type Json, type TfResource } from './plan.js';

export const PIPELINE_TYPES = ['aws_codepipeline'] as const;

const PROPS = { name: 'name', roleArn: 'role_arn', pipelineType: 'pipeline_type', executionMode: 'execution_mode', stages: 'stage', triggers: 'trigger', tags: 'tags' };

export function mapPipelines(ctx: MapContext, refs: TfCiRefs): Pipeline[] {
  return (ctx.byType.get('aws_codepipeline') ?? []).map((r) => pipeline(ctx, refs, r));
}

/** Marks a nested part of one field unreadable: `address.path is known only after apply` (or sensitive, or invalid). */
export class Parts {
  constructor(
    readonly f: Fields,
    readonly field: string,
  ) {}

  unknown(path: string, reason?: string): void {
    this.f.mark(unresolvedField(this.field, 'after_unknown', reason ?? `${this.f.r.address}.${path} is known only after apply`));
  }

  sensitive(path: string): void {
    this.f.mark(unresolvedField(this.field, 'after_sensitive', `${this.f.r.address}.${path} is sensitive: its value is not read`, 'Sensitive'));
  }

  invalid(path: string, problem: string): void {
    this.f.mark(unresolvedField(this.field, path.split(/[.[]/)[0] ?? path, `${this.f.r.address}.${path} ${problem}`, 'InvalidValue'));
  }

  /** A string leaf; `required`: absent is invalid. Unknown and sensitive mark the field. */
  str(v: View, path: string, required = false): string | undefined {
    const l = leaf(v);
    if (l.kind === 'known') {
      if (typeof l.value === 'string') return l.value;
      if (typeof l.value === 'number' || typeof l.value === 'boolean') return String(l.value);
      this.invalid(path, 'is not a string');
      return undefined;
    }
    if (l.kind === 'unknown') this.unknown(path);
    else if (l.kind === 'sensitive') this.sensitive(path);
    else if (required) this.invalid(path, 'is not set');
    return undefined;
  }

  strings(v: View, path: string): string[] | undefined {
    const l = leaf(v);
    if (l.kind === 'known') {
      if (Array.isArray(l.value) && l.value.every((x) => typeof x === 'string')) return l.value as string[];
      this.invalid(path, 'is not a list of strings');
      return undefined;
    }
    if (l.kind === 'unknown') this.unknown(path);
    else if (l.kind === 'sensitive') this.sensitive(path);
    return undefined;
  }

  /** A block list to descend into (undefined when unknown or sensitive as a whole, which marks the field). */
  blocks(v: View, path: string): View[] | undefined {
    const c = container(v);
    if (c.kind === 'unknown') this.unknown(path);
    else if (c.kind === 'sensitive') this.sensitive(path);
    else if (c.kind === 'known' && !Array.isArray(c.value)) this.invalid(path, 'is not a list of blocks');
    return c.kind === 'known' ? items(v) : c.kind === 'absent' ? [] : undefined;
  }
}

function pipeline(ctx: MapContext, refs: TfCiRefs, r: TfResource): Pipeline {
  const f = new Fields(ctx, r);
  const env = ctx.envOf(r);
  const root = rootView(r, configOf(ctx, r)?.expressions);
  const model: Pipeline = {
    arn: arnOf(ctx, r, 'pipeline'),
    account: env.account,
    region: env.region,
    tags: f.tags(),
    name: nameOf(ctx, r, f),
    pipelineType: 'V1',
    roleArn: roleArnOf(refs, r, f, root),
    executionMode: f.string('execution_mode', 'executionMode', true) ?? DEFAULT_EXECUTION_MODE,
    stages: stagesOf(refs, r, new Parts(f, 'stages'), root),
    triggers: triggersOf(new Parts(f, 'triggers'), root),
  };
  // The provider's default is V1 (pipeline_type, Optional with Default "V1").
  const type = f.string('pipeline_type', 'pipelineType', true);
  if (type === 'V2') model.pipelineType = 'V2';
  else if (type !== undefined && type !== 'V1') f.mark(unresolvedField('pipelineType', 'pipeline_type', `${r.address}.pipeline_type is not V1 or V2`, 'InvalidValue'));
  return { ...model, ...f.done(), origin: originOf(ctx, r, PROPS) };
}

function nameOf(ctx: MapContext, r: TfResource, f: Fields): string {
  const a = attr(r, 'name');
  if (a.kind === 'known' && typeof a.value === 'string' && PIPELINE_NAME.test(a.value)) return a.value;
  if (a.kind === 'unknown') f.unknown('name', 'name');
  else if (a.kind === 'sensitive') f.sensitive('name', 'name');
  else f.mark(unresolvedField('name', 'name', `${r.address}.name is not a pipeline name ([A-Za-z0-9.@_-], 1 to 100 characters)`, 'InvalidValue'));
  return iacId(ctx, r);
}

function roleArnOf(refs: TfCiRefs, r: TfResource, f: Fields, root: View): string {
  const a = attr(r, 'role_arn');
  if (a.kind === 'known' && typeof a.value === 'string') return refs.roleArn(r, a.value);
  if (a.kind === 'sensitive') f.sensitive('roleArn', 'role_arn');
  else if (a.kind === 'unknown') {
    const j = refs.follow(r, 'role_arn', ['aws_iam_role'], child(root, 'role_arn').expr, undefined, refs.roleOf);
    if ('value' in j) return j.value;
    f.mark(unresolvedField('roleArn', 'after_unknown', j.unresolved));
  } else f.mark(unresolvedField('roleArn', 'role_arn', `${r.address}.role_arn is not set`, 'InvalidValue'));
  return '';
}

function stagesOf(refs: TfCiRefs, r: TfResource, p: Parts, root: View): PipelineStage[] {
  const stageView = child(root, 'stage');
  const stages = p.blocks(stageView, 'stage') ?? [];
  if (stages.length === 0 && leaf(stageView).kind === 'absent') p.invalid('stage', 'is not set (a pipeline has at least two stages)');
  return stages.map((s, i) => ({
    name: p.str(child(s, 'name'), `stage[${i}].name`, true) ?? '',
    actions: (p.blocks(child(s, 'action'), `stage[${i}].action`) ?? []).map((a, j) => actionOf(refs, r, p, a, `stage[${i}].action[${j}]`, stageView.expr)),
  }));
}

function actionOf(refs: TfCiRefs, r: TfResource, p: Parts, a: View, path: string, stagesExpr: Json | undefined): PipelineAction {
  const s = (key: string, required = false): string | undefined => p.str(child(a, key), `${path}.${key}`, required);
  const actionType = { category: s('category', true) ?? '', owner: s('owner', true) ?? '', provider: s('provider', true) ?? '', version: s('version', true) ?? '' };
  const action: PipelineAction = {
    name: s('name', true) ?? '',
    actionType,
    runOrder: runOrderOf(p, a, path),
    configuration: configurationOf(refs, r, p, child(a, 'configuration'), `${path}.configuration`, actionType.provider, stagesExpr),
    inputArtifacts: p.strings(child(a, 'input_artifacts'), `${path}.input_artifacts`) ?? [],
    outputArtifacts: p.strings(child(a, 'output_artifacts'), `${path}.output_artifacts`) ?? [],
  };
  const role = leaf(child(a, 'role_arn'));
  if (role.kind === 'known' && typeof role.value === 'string') action.roleArn = refs.roleArn(r, role.value);
  else if (role.kind === 'unknown') {
    const j = refs.follow(r, `${path}.role_arn`, ['aws_iam_role'], child(a, 'role_arn').expr, stagesExpr, refs.roleOf);
    if ('value' in j) action.roleArn = j.value;
    else p.unknown(`${path}.role_arn`, j.unresolved);
  } else if (role.kind === 'sensitive') p.sensitive(`${path}.role_arn`);
  // region is Optional+Computed: unset, the action runs in the pipeline's region.
  const region = leaf(child(a, 'region'));
  if (region.kind === 'known' && typeof region.value === 'string' && region.value !== '') action.region = region.value;
  else if (region.kind === 'unknown' && configured(a, 'region')) p.unknown(`${path}.region`);
  const namespace = s('namespace');
  if (namespace !== undefined && namespace !== '') action.namespace = namespace;
  return action;
}

/** run_order is Optional+Computed: unset, CodePipeline gives 1. */
function runOrderOf(p: Parts, a: View, path: string): number {
  const l = leaf(child(a, 'run_order'));
  if (l.kind === 'known' && typeof l.value === 'number' && Number.isInteger(l.value) && l.value >= 1) return l.value;
  if (l.kind === 'known') p.invalid(`${path}.run_order`, 'is not an integer of at least 1');
  else if (l.kind === 'unknown' && configured(a, 'run_order')) p.unknown(`${path}.run_order`);
  return DEFAULT_RUN_ORDER;
}

const CONNECTION_TYPES = Object.keys(CONNECTION_SERVICE);

/** The configuration map, value by value (see the header). */
function configurationOf(refs: TfCiRefs, r: TfResource, p: Parts, cv: View, path: string, provider: string, stagesExpr: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const c = container(cv);
  if (c.kind === 'unknown') {
    p.unknown(path);
    return out;
  }
  if (c.kind === 'sensitive') {
    p.sensitive(path);
    return out;
  }
  if (c.kind === 'absent') return out;
  if (!isObject(c.value)) {
    p.invalid(path, 'is not a map');
    return out;
  }
  // A value known only after apply is absent from `after` and marked in after_unknown: both name keys.
  const keys = new Set([...Object.keys(c.value), ...(isObject(cv.unknown) ? Object.keys(cv.unknown) : []), ...(isObject(cv.sensitive) ? Object.keys(cv.sensitive) : [])]);
  for (const key of keys) {
    const set = (s: string): void => void Object.defineProperty(out, key, { value: s, enumerable: true, writable: true, configurable: true });
    // A secret is never looked at, known, unknown or sensitive.
    if (isSecretConfigurationKey(key)) {
      set(REDACTED);
      continue;
    }
    const at = `${path}.${key}`;
    const l = leaf(child(cv, key));
    if (l.kind === 'sensitive') {
      p.sensitive(at);
      set(REDACTED);
    } else if (l.kind === 'unknown') {
      const join =
        key === 'ConnectionArn'
          ? refs.follow(r, at, CONNECTION_TYPES, cv.expr, stagesExpr, refs.connectionOf)
          : key === 'ProjectName' && provider === 'CodeBuild'
            ? refs.follow(r, at, ['aws_codebuild_project'], cv.expr, stagesExpr, refs.projectOf)
            : undefined;
      if (join && 'value' in join) set(join.value);
      else {
        p.unknown(at, join?.unresolved);
        set(AFTER_APPLY);
      }
    } else if (l.kind === 'known') {
      if (typeof l.value !== 'string') {
        p.invalid(at, 'is not a string');
        continue;
      }
      const kept = configurationValue(key, l.value);
      if ('invalid' in kept) {
        p.invalid(at, kept.invalid);
        set(REDACTED);
      } else set(key === 'ConnectionArn' ? refs.known(kept.value) : kept.value);
    }
  }
  return out;
}

/** trigger blocks: Optional+Computed (unset on a V2 pipeline, AWS may report a default one). */
function triggersOf(p: Parts, root: View): PipelineTrigger[] {
  const tv = child(root, 'trigger');
  if (container(tv).kind === 'unknown' && !configured(root, 'trigger')) return [];
  return (p.blocks(tv, 'trigger') ?? []).map((t, i) => {
    const path = `trigger[${i}]`;
    const git = (p.blocks(child(t, 'git_configuration'), `${path}.git_configuration`) ?? [])[0];
    const trigger: PipelineTrigger = {
      providerType: p.str(child(t, 'provider_type'), `${path}.provider_type`, true) ?? '',
      sourceActionName: git ? (p.str(child(git, 'source_action_name'), `${path}.git_configuration[0].source_action_name`, true) ?? '') : '',
      push: [],
      pullRequest: [],
    };
    if (!git) return trigger;
    const g = `${path}.git_configuration[0]`;
    (p.blocks(child(git, 'push'), `${g}.push`) ?? []).forEach((f, j) => {
      const at = `${g}.push[${j}]`;
      const filter: GitPushFilter = {};
      const branches = filterList(p, child(f, 'branches'), `${at}.branches`);
      if (branches) filter.branches = branches;
      const tags = filterList(p, child(f, 'tags'), `${at}.tags`);
      if (tags) filter.tags = tags;
      const paths = filterList(p, child(f, 'file_paths'), `${at}.file_paths`);
      if (paths) filter.filePaths = paths;
      trigger.push.push(filter);
    });
    (p.blocks(child(git, 'pull_request'), `${g}.pull_request`) ?? []).forEach((f, j) => {
      const at = `${g}.pull_request[${j}]`;
      const filter: GitPullRequestFilter = { events: p.strings(child(f, 'events'), `${at}.events`) ?? [] };
      const branches = filterList(p, child(f, 'branches'), `${at}.branches`);
      if (branches) filter.branches = branches;
      const paths = filterList(p, child(f, 'file_paths'), `${at}.file_paths`);
      if (paths) filter.filePaths = paths;
      trigger.pullRequest.push(filter);
    });
    return trigger;
  });
}

/** A `branches`/`tags`/`file_paths` block (at most one): includes and excludes, an absent side []. */
function filterList(p: Parts, v: View, path: string): GitFilterList | undefined {
  const block = (p.blocks(v, path) ?? [])[0];
  if (!block) return undefined;
  return { includes: p.strings(child(block, 'includes'), `${path}[0].includes`) ?? [], excludes: p.strings(child(block, 'excludes'), `${path}[0].excludes`) ?? [] };
}
