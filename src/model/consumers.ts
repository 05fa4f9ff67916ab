// Who consumes what: the pipelines, build projects and source credentials that name each
// connection, and where a pipeline's source artifacts go. Pure functions over a snapshot, built
// once per snapshot (a WeakMap) so that rules and the graph asking about 20,000 pipelines stay
// linear. Knows the model only; no AWS wire shapes.

import { connectionKey } from './arn.js';
import type { BuildProject, BuildSource, Pipeline, PipelineAction, PipelineActionType, PipelineStage, Snapshot } from './types.js';
import { pushAll } from '../arrays.js';

export type ConsumerKind = 'pipeline' | 'buildProject' | 'sourceCredential';

/** Where a consumer names the connection. */
export type ReferenceVia = 'pipelineAction' | 'buildSource' | 'buildSecondarySource' | 'sourceCredential';

export interface ConnectionReference {
  /** `connectionKey` of the ARN (one key for both prefixes); undefined when the text is no connection ARN (`#{…}` variables, unresolved template values). */
  key: string | undefined;
  /** The ARN as the consumer writes it. */
  connectionArn: string;
  consumerKind: ConsumerKind;
  consumerArn: string;
  consumerName: string;
  /** The consumer's account and region. */
  account: string;
  region: string;
  via: ReferenceVia;
  /** Pipeline actions: the stage and action naming the connection, and the action's type. */
  stage?: string;
  action?: string;
  actionType?: PipelineActionType;
  /** Secondary build sources. */
  sourceIdentifier?: string;
  /** The repository named: `FullRepositoryId` (`owner/name`), or a build source location's path without user-info, query or `.git`. */
  repository?: string;
  /** The host of a build source location (`github.com`); pipelines name none. */
  repositoryHost?: string;
  /** `BranchName` of a pipeline action; a build project's `sourceVersion` (primary source). */
  branch?: string;
  /** As configured; absent when the configuration has none (CodePipeline's default is CODE_ZIP). */
  outputArtifactFormat?: string;
  detectChanges?: string;
}

/** How a CodeBuild action's `ProjectName` resolves to a project of the snapshot. */
export type ProjectResolution =
  /** The project was found (same account; the action's region or the pipeline's). */
  | { state: 'found'; project: BuildProject; account: string; region: string; name: string }
  /** No such project where the snapshot read build projects fully. */
  | { state: 'absent'; account: string; region: string; name: string }
  /** No such project, and the build projects of that account and region were not (fully) read. */
  | { state: 'not-read'; account: string; region: string; name: string; reason: string }
  /** A name that cannot be resolved without guessing: an ARN, a `#{…}` variable, none at all. */
  | { state: 'unresolved'; reason: string };

export interface ArtifactConsumer {
  stage: string;
  action: string;
  actionType: PipelineActionType;
  /** Owner AWS, provider CodeBuild. */
  codeBuild: boolean;
  /** CodeBuild actions: the project they run. */
  project?: ProjectResolution;
}

/** One output artifact of a source action and the actions after it that take it as input. */
export interface SourceFlow {
  stage: string;
  action: string;
  actionType: PipelineActionType;
  artifact: string;
  /** The format that applies: `OutputArtifactFormat`, or CODE_ZIP when absent (CodePipeline's default). */
  outputArtifactFormat: string;
  /** Whether the configuration sets OutputArtifactFormat (false: CODE_ZIP by default). */
  formatExplicit: boolean;
  /** The connection the source action names, if any. */
  connectionArn?: string;
  /** FullRepositoryId (or CodeCommit's RepositoryName) of the source action, if any. */
  repository?: string;
  consumers: ArtifactConsumer[];
}

export interface ConsumerIndex {
  /** Every connection reference, in snapshot order (pipelines, build projects, source credentials). */
  references: readonly ConnectionReference[];
  /** References by `connectionKey`. */
  byConnection: ReadonlyMap<string, readonly ConnectionReference[]>;
  /** References by consumer ARN. */
  byConsumer: ReadonlyMap<string, readonly ConnectionReference[]>;
  /** References whose ARN is no connection ARN. */
  unresolved: readonly ConnectionReference[];
  /** The source flows of a pipeline (computed on first ask, then kept). */
  flows(pipeline: Pipeline): readonly SourceFlow[];
  /** The same from a pipeline's parts (what a rule expression hands over), kept per stages list. */
  stageFlows(stages: readonly PipelineStage[], account: string, region: string): readonly SourceFlow[];
  /** How a CodeBuild action of a pipeline in this account and region resolves its project. */
  resolveProject(account: string, pipelineRegion: string, action: PipelineAction): ProjectResolution;
}

const CACHE = new WeakMap<Snapshot, ConsumerIndex>();

/** The consumer index of a snapshot, built on first use and kept while the snapshot lives. */
export function consumerIndex(snapshot: Snapshot): ConsumerIndex {
  let index = CACHE.get(snapshot);
  if (!index) {
    index = buildConsumerIndex(snapshot);
    CACHE.set(snapshot, index);
  }
  return index;
}

/** References to a connection (either prefix), or [] when nothing in the snapshot names it. */
export function connectionConsumers(snapshot: Snapshot, connectionArn: string): readonly ConnectionReference[] {
  const key = connectionKey(connectionArn);
  return key === undefined ? [] : consumerIndex(snapshot).byConnection.get(key) ?? [];
}

/** The source flows of one pipeline. */
export function pipelineFlows(snapshot: Snapshot, pipeline: Pipeline): readonly SourceFlow[] {
  return consumerIndex(snapshot).flows(pipeline);
}

export const CODE_ZIP = 'CODE_ZIP';
export const CODEBUILD_CLONE_REF = 'CODEBUILD_CLONE_REF';

export function isCodeBuildAction(action: PipelineAction): boolean {
  return action.actionType.owner === 'AWS' && action.actionType.provider === 'CodeBuild';
}

export function isConnectionSourceAction(action: PipelineAction): boolean {
  return action.actionType.owner === 'AWS' && action.actionType.provider === 'CodeStarSourceConnection';
}

function buildConsumerIndex(snapshot: Snapshot): ConsumerIndex {
  const references: ConnectionReference[] = [];
  for (const p of snapshot.pipelines) pushAll(references, pipelineReferences(p));
  for (const b of snapshot.buildProjects) pushAll(references, buildReferences(b));
  for (const c of snapshot.sourceCredentials) {
    if (c.authType !== 'CODECONNECTIONS' || c.resource === undefined || c.resource === '') continue;
    references.push({
      key: connectionKey(c.resource),
      connectionArn: c.resource,
      consumerKind: 'sourceCredential',
      consumerArn: c.arn,
      consumerName: c.serverType,
      account: c.account,
      region: c.region,
      via: 'sourceCredential',
    });
  }
  const byConnection = new Map<string, ConnectionReference[]>();
  const byConsumer = new Map<string, ConnectionReference[]>();
  const unresolved: ConnectionReference[] = [];
  for (const r of references) {
    if (r.key === undefined) unresolved.push(r);
    else push(byConnection, r.key, r);
    push(byConsumer, r.consumerArn, r);
  }

  // Projects by account|region|name: IaC projects carry `iac:` ARNs, so the name is the identity.
  const projects = new Map<string, BuildProject>();
  for (const b of snapshot.buildProjects) projects.set(`${b.account}|${b.region}|${b.name}`, b);
  const missingProjects = new Map<string, string>();
  for (const gap of snapshot.coverage) {
    if (gap.field === undefined && gap.resourceKinds.includes('buildProject')) {
      const key = `${gap.account}|${gap.region}`;
      if (!missingProjects.has(key)) missingProjects.set(key, `${gap.operation}: ${gap.errorCode}`);
    }
  }
  const accounts = new Set(snapshot.scope.accounts);
  const regions = new Set(snapshot.scope.regions);

  const resolveProject = (account: string, pipelineRegion: string, action: PipelineAction): ProjectResolution => {
    const name = action.configuration.ProjectName;
    if (name === undefined || name === '') return { state: 'unresolved', reason: 'the action names no ProjectName' };
    if (name.includes('#{')) return { state: 'unresolved', reason: `ProjectName ${name} is a variable resolved at run time` };
    if (name.startsWith('arn:')) return { state: 'unresolved', reason: `ProjectName ${name} is an ARN, not a project name` };
    const region = action.region !== undefined && action.region !== '' ? action.region : pipelineRegion;
    const found = projects.get(`${account}|${region}|${name}`);
    if (found) return { state: 'found', project: found, account, region, name };
    const gap = missingProjects.get(`${account}|${region}`);
    if (gap !== undefined) return { state: 'not-read', account, region, name, reason: `build projects of ${account} in ${region} were not read (${gap})` };
    if (!accounts.has(account) || !regions.has(region)) {
      return { state: 'not-read', account, region, name, reason: `build projects of ${account} in ${region} are outside the snapshot's scope` };
    }
    return { state: 'absent', account, region, name };
  };

  // Keyed by the stages list: the pipeline's own, whichever way it is asked for.
  const flowCache = new WeakMap<readonly PipelineStage[], { account: string; region: string; flows: readonly SourceFlow[] }>();
  const stageFlows = (stages: readonly PipelineStage[], account: string, region: string): readonly SourceFlow[] => {
    const hit = flowCache.get(stages);
    if (hit && hit.account === account && hit.region === region) return hit.flows;
    const f = sourceFlows(stages, (action) => resolveProject(account, region, action));
    flowCache.set(stages, { account, region, flows: f });
    return f;
  };
  const flows = (pipeline: Pipeline): readonly SourceFlow[] => stageFlows(pipeline.stages, pipeline.account, pipeline.region);

  return { references, byConnection, byConsumer, unresolved, flows, stageFlows, resolveProject };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// Per resource object: the index and the rules that read a resource's references (through the
// engine's unreadable-field guard, a different object) ask for the same list; snapshots are not
// changed once loaded.
const REFERENCES = new WeakMap<object, readonly ConnectionReference[]>();

function memo<T extends object>(r: T, compute: (r: T) => ConnectionReference[]): readonly ConnectionReference[] {
  let refs = REFERENCES.get(r);
  if (refs === undefined) {
    refs = compute(r);
    REFERENCES.set(r, refs);
  }
  return refs;
}

/** The connection references of one pipeline (what the index holds for it). */
export function pipelineReferences(p: Pipeline): readonly ConnectionReference[] {
  return memo(p, computePipelineReferences);
}

/** The connection references of one build project (CODECONNECTIONS sources). */
export function buildReferences(b: BuildProject): readonly ConnectionReference[] {
  return memo(b, computeBuildReferences);
}

function computePipelineReferences(p: Pipeline): ConnectionReference[] {
  const out: ConnectionReference[] = [];
  for (const stage of p.stages) {
    for (const action of stage.actions) {
      // CodeStarSourceConnection actions name it there; so may any other action type that takes one.
      const arn = action.configuration.ConnectionArn;
      if (arn === undefined || arn === '') continue;
      const c = action.configuration;
      out.push({
        key: connectionKey(arn),
        connectionArn: arn,
        consumerKind: 'pipeline',
        consumerArn: p.arn,
        consumerName: p.name,
        account: p.account,
        region: p.region,
        via: 'pipelineAction',
        stage: stage.name,
        action: action.name,
        actionType: action.actionType,
        ...defined('repository', c.FullRepositoryId),
        ...defined('branch', c.BranchName),
        ...defined('outputArtifactFormat', c.OutputArtifactFormat),
        ...defined('detectChanges', c.DetectChanges),
      });
    }
  }
  return out;
}

function computeBuildReferences(b: BuildProject): ConnectionReference[] {
  const out: ConnectionReference[] = [];
  const add = (source: BuildSource, via: ReferenceVia): void => {
    if (source.auth?.type !== 'CODECONNECTIONS') return;
    const arn = source.auth.resource;
    if (arn === undefined || arn === '') return;
    const repo = source.location === undefined ? undefined : repositoryOfLocation(source.location);
    out.push({
      key: connectionKey(arn),
      connectionArn: arn,
      consumerKind: 'buildProject',
      consumerArn: b.arn,
      consumerName: b.name,
      account: b.account,
      region: b.region,
      via,
      ...defined('sourceIdentifier', source.sourceIdentifier),
      ...defined('repository', repo?.path),
      ...defined('repositoryHost', repo?.host),
      ...(via === 'buildSource' ? defined('branch', b.sourceVersion) : {}),
    });
  };
  add(b.source, 'buildSource');
  for (const s of b.secondarySources) add(s, 'buildSecondarySource');
  return out;
}

function defined<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

const MAX_REPOSITORY_CHARS = 512;

/**
 * The host and repository path a clone URL names, with nothing of its user-info, query or
 * fragment: `https://x-token-auth:TOKEN@bitbucket.org/acme/app.git?x=1` → `bitbucket.org`,
 * `acme/app`; scp-like `git@github.com:acme/app.git` → `github.com`, `acme/app`. A snapshot file
 * may hold a location no source redacted, so the credentials are dropped here, not trusted gone.
 * Undefined when the text is no URL with a path.
 */
export function repositoryOfLocation(location: string): { host: string; path: string } | undefined {
  if (location.length > 64 * 1024) return undefined;
  let rest = location.trim();
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]+/.exec(rest);
  let scpLike = false;
  if (scheme) rest = rest.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/\\?#]/);
  let authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  let path = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (!scheme) {
    // scp-like: [user@]host:path (the colon ends the host).
    const colon = authority.indexOf(':');
    if (colon > 0 && !/^[0-9]+$/.test(authority.slice(colon + 1))) {
      path = `${authority.slice(colon + 1)}${path}`;
      authority = authority.slice(0, colon);
      scpLike = true;
    }
  }
  const host = authority.replace(/:[0-9]*$/, '').toLowerCase();
  const cleanPath = path
    .replace(/[?#][\s\S]*$/, '')
    .replace(/\\/g, '/')
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '');
  if (host === '' || cleanPath === '' || (!scheme && !scpLike)) return undefined;
  if (/[\s@]/.test(host) || host.length + cleanPath.length > MAX_REPOSITORY_CHARS) return undefined;
  return { host, path: cleanPath };
}

interface Positioned {
  stageIndex: number;
  runOrder: number;
  stage: string;
  action: PipelineAction;
}

/**
 * For each output artifact of each source action, the actions that run after it (a later stage,
 * or a later runOrder of the same stage) and take the artifact as input. Artifact names are unique
 * within a pipeline, so an input of that name is this artifact.
 */
function sourceFlows(stages: readonly PipelineStage[], resolveProject: (action: PipelineAction) => ProjectResolution): SourceFlow[] {
  const positioned: Positioned[] = [];
  stages.forEach((stage, stageIndex) => {
    for (const action of stage.actions) positioned.push({ stageIndex, runOrder: action.runOrder ?? 1, stage: stage.name, action });
  });
  const inputs = new Map<string, Positioned[]>();
  for (const p of positioned) for (const artifact of p.action.inputArtifacts) push(inputs, artifact, p);
  const after = (a: Positioned, b: Positioned): boolean => b.stageIndex > a.stageIndex || (b.stageIndex === a.stageIndex && b.runOrder > a.runOrder);

  const out: SourceFlow[] = [];
  for (const producer of positioned) {
    if (producer.action.actionType.category !== 'Source') continue;
    const format = producer.action.configuration.OutputArtifactFormat;
    const connectionArn = producer.action.configuration.ConnectionArn;
    const repository = producer.action.configuration.FullRepositoryId ?? producer.action.configuration.RepositoryName;
    for (const artifact of producer.action.outputArtifacts) {
      const consumers: ArtifactConsumer[] = [];
      for (const c of inputs.get(artifact) ?? []) {
        if (!after(producer, c)) continue;
        const codeBuild = isCodeBuildAction(c.action);
        consumers.push({
          stage: c.stage,
          action: c.action.name,
          actionType: c.action.actionType,
          codeBuild,
          ...(codeBuild ? { project: resolveProject(c.action) } : {}),
        });
      }
      out.push({
        stage: producer.stage,
        action: producer.action.name,
        actionType: producer.action.actionType,
        artifact,
        outputArtifactFormat: format === undefined || format === '' ? CODE_ZIP : format,
        formatExplicit: format !== undefined && format !== '',
        ...(connectionArn === undefined || connectionArn === '' ? {} : { connectionArn }),
        ...(repository === undefined || repository === '' ? {} : { repository }),
        consumers,
      });
    }
  }
  return out;
}
