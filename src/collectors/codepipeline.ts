// CodePipeline: the pipelines of one account and region, with their stages, actions and V2
// triggers (ListPipelines, then GetPipeline for each).
//
// Never stored: a secret of an action's configuration (redactConfiguration). GetPipeline masks the
// values of the configuration properties an action type declares secret (`****`); a GitHub
// version 1 action's OAuthToken, and a CodeBuild action's PLAINTEXT EnvironmentVariables, are
// removed here whatever the answer says.
//
// A pipeline GetPipeline cannot read (denied by a resource-level policy, throttled past every
// retry, an answer that is not CodePipeline's) is kept with what ListPipelines said of it, its
// `stages`, `triggers` and `roleArn` unreadable (docs/snapshot.md): it exists, and rules that read
// what it does give unknown for it. One field gap per error code says so. A pipeline deleted
// between the two calls (PipelineNotFoundException) is no longer there and is left out.

import {
  GetPipelineCommand,
  ListPipelinesCommand,
  type CodePipelineClient,
  type ActionDeclaration,
  type GitPullRequestFilter as SdkPullRequestFilter,
  type GitPushFilter as SdkPushFilter,
  type PipelineDeclaration,
  type PipelineSummary,
  type PipelineTriggerDeclaration,
} from '@aws-sdk/client-codepipeline';
import { pipelineArn } from '../model/arn.js';
import type { CoverageGap, GitFilterList, GitPullRequestFilter, GitPushFilter, Pipeline, PipelineAction, PipelineStage, PipelineTrigger, UnreadableField } from '../model/types.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { listAll } from './paging.js';
import { mapPool } from './pool.js';
import { redactConfiguration } from './redact.js';
import type { Collected, Target } from './types.js';
import { compare, list, str, strings } from './untyped.js';

export const CODEPIPELINE_OPERATIONS: readonly string[] = ['ListPipelines', 'GetPipeline'];

const SERVICE = 'codepipeline';
/** The SDK's model: ListPipelines maxResults is 1..1000. */
const PAGE_SIZE = 1000;
/** GetPipeline calls in flight at once for one region (throttling is the Pacer's; see requests.ts). */
const GET_CONCURRENCY = 16;
/** The fields GetPipeline alone gives: unreadable together when it fails. */
const DECLARATION_FIELDS = ['stages', 'triggers', 'roleArn'] as const;

export async function collectPipelines(client: CodePipelineClient, target: Target): Promise<Collected> {
  let listed: PipelineSummary[];
  try {
    listed = await listAll(async (nextToken) => {
      const page = await client.send(new ListPipelinesCommand({ maxResults: PAGE_SIZE, nextToken }));
      return { items: Array.isArray(page.pipelines) ? page.pipelines : [], next: page.nextToken };
    });
  } catch (err) {
    if (isCredentialError(err)) throw err;
    return { pipelines: [], coverage: [gapFrom(err, { target, service: SERVICE, operation: 'ListPipelines', resourceKinds: ['pipeline'] })] };
  }
  // The name is the identity; a page boundary can repeat one.
  const byName = new Map<string, PipelineSummary & { name: string }>();
  for (const p of listed) if (typeof p?.name === 'string' && p.name !== '' && !byName.has(p.name)) byName.set(p.name, { ...p, name: p.name });
  const summaries = [...byName.values()].sort((a, b) => compare(a.name, b.name));

  const read = await mapPool(summaries, GET_CONCURRENCY, async (summary): Promise<Read> => {
    try {
      const out = await client.send(new GetPipelineCommand({ name: summary.name }));
      const declaration = out.pipeline;
      if (declaration === null || typeof declaration !== 'object') {
        throw Object.assign(new Error(`GetPipeline of ${summary.name} answered without a pipeline`), { name: 'InvalidResponse' });
      }
      return { pipeline: fromDeclaration(summary, declaration, target) };
    } catch (err) {
      if (isCredentialError(err)) throw err;
      if ((err as { name?: string }).name === 'PipelineNotFoundException') return {};
      const gap = gapFrom(err, { target, service: SERVICE, operation: 'GetPipeline', resourceKinds: ['pipeline'], field: 'stages' });
      return { pipeline: unread(summary, target, gap), gap };
    }
  });
  // One gap per error code, the first pipeline by name giving the message (no dependence on timing).
  const byCode = new Map<string, CoverageGap>();
  for (const r of read) if (r.gap && !byCode.has(r.gap.errorCode)) byCode.set(r.gap.errorCode, r.gap);
  const pipelines = read.flatMap((r) => (r.pipeline ? [r.pipeline] : []));
  return { pipelines, coverage: [...byCode.values()] };
}

interface Read {
  pipeline?: Pipeline;
  gap?: CoverageGap;
}

function head(summary: PipelineSummary & { name: string }, target: Target): Omit<Pipeline, 'roleArn' | 'stages' | 'triggers' | 'pipelineType'> {
  return {
    arn: pipelineArn(target.partition, target.region, target.account, summary.name),
    account: target.account,
    region: target.region,
    // GetPipeline gives no tags, and ListTagsForResource (a call per pipeline) is not made.
    tags: {},
    name: summary.name,
  };
}

/** What ListPipelines said of a pipeline GetPipeline could not read. */
function unread(summary: PipelineSummary & { name: string }, target: Target, gap: CoverageGap): Pipeline {
  const unreadable: UnreadableField[] = DECLARATION_FIELDS.map((field) => ({ field, operation: 'GetPipeline', errorCode: gap.errorCode, message: gap.message }));
  return {
    ...head(summary, target),
    pipelineType: summary.pipelineType === 'V2' ? 'V2' : 'V1',
    roleArn: '',
    ...(str(summary.executionMode) !== undefined ? { executionMode: str(summary.executionMode) as string } : {}),
    stages: [],
    triggers: [],
    unreadable,
  };
}

function fromDeclaration(summary: PipelineSummary & { name: string }, d: PipelineDeclaration, target: Target): Pipeline {
  const executionMode = str(d.executionMode) ?? str(summary.executionMode);
  // Pipelines created before V2 existed answer without a type: they are V1.
  const type = str(d.pipelineType) ?? str(summary.pipelineType);
  return {
    ...head(summary, target),
    pipelineType: type === 'V2' ? 'V2' : 'V1',
    roleArn: str(d.roleArn) ?? '',
    ...(executionMode !== undefined ? { executionMode } : {}),
    stages: list(d.stages).map(
      (s): PipelineStage => ({ name: str(s?.name) ?? '', actions: list(s?.actions).map(action) }),
    ),
    triggers: list(d.triggers).map(trigger),
    ...(type !== undefined && type !== 'V1' && type !== 'V2' ? { unreadable: [{ field: 'pipelineType', operation: 'GetPipeline', errorCode: 'InvalidResponse', message: `pipelineType ${JSON.stringify(type.slice(0, 40))} is not V1 or V2` }] } : {}),
  };
}

function action(a: ActionDeclaration): PipelineAction {
  const t = a?.actionTypeId;
  const actionType = { category: str(t?.category) ?? '', owner: str(t?.owner) ?? '', provider: str(t?.provider) ?? '', version: str(t?.version) ?? '' };
  const runOrder = typeof a?.runOrder === 'number' && Number.isInteger(a.runOrder) && a.runOrder >= 1 ? a.runOrder : undefined;
  return {
    name: str(a?.name) ?? '',
    actionType,
    ...(runOrder !== undefined ? { runOrder } : {}),
    configuration: redactConfiguration(a?.configuration),
    inputArtifacts: list(a?.inputArtifacts).flatMap((x) => (str(x?.name) !== undefined ? [x.name as string] : [])),
    outputArtifacts: list(a?.outputArtifacts).flatMap((x) => (str(x?.name) !== undefined ? [x.name as string] : [])),
    ...(str(a?.roleArn) !== undefined ? { roleArn: a.roleArn as string } : {}),
    ...(str(a?.region) !== undefined ? { region: a.region as string } : {}),
    ...(str(a?.namespace) !== undefined ? { namespace: a.namespace as string } : {}),
  };
}

function trigger(t: PipelineTriggerDeclaration): PipelineTrigger {
  const git = t?.gitConfiguration;
  return {
    providerType: str(t?.providerType) ?? '',
    sourceActionName: str(git?.sourceActionName) ?? '',
    push: list(git?.push).map(pushFilter),
    pullRequest: list(git?.pullRequest).map(pullRequestFilter),
  };
}

function pushFilter(f: SdkPushFilter): GitPushFilter {
  return { ...filterList('branches', f?.branches), ...filterList('tags', f?.tags), ...filterList('filePaths', f?.filePaths) };
}

function pullRequestFilter(f: SdkPullRequestFilter): GitPullRequestFilter {
  return { events: strings(f?.events), ...filterList('branches', f?.branches), ...filterList('filePaths', f?.filePaths) };
}

function filterList<K extends string>(key: K, criteria: { includes?: unknown; excludes?: unknown } | undefined): Partial<Record<K, GitFilterList>> {
  if (criteria === null || typeof criteria !== 'object') return {};
  return { [key]: { includes: strings(criteria.includes), excludes: strings(criteria.excludes) } } as Partial<Record<K, GitFilterList>>;
}
