// CEL helpers for the pipeline and build rules: connection lookups, the consumers of a connection
// and the artifact flows of a pipeline, all answered by the model's indexes (src/model/consumers.ts,
// src/model/connection-lookup.ts), which are built once per snapshot. What the snapshot cannot
// tell is thrown as UnknownValue, which CEL absorbs where the other operands decide.

import { connectionKey, parseArn } from '../model/arn.js';
import { buildspecGitCommands, type BuildspecGit } from '../model/buildspec-git.js';
import { connectionsUnread, consumersUnread, lookupConnection } from '../model/connection-lookup.js';
import { consumerIndex, type ConnectionReference, type ProjectResolution, type SourceFlow } from '../model/consumers.js';
import type { BuildProject, PipelineStage, Snapshot } from '../model/types.js';
import type { HelperDoc } from './cel.js';
import { UnknownValue } from './unknown.js';

export const PIPELINE_HELPER_DOCS: HelperDoc[] = [
  {
    signature: 'connectionState(string): string',
    description:
      'What the snapshot holds for the connection an ARN names, under either prefix: "DEPLOYED" (read from the estate), "DECLARED" (declared in the scanned templates), "ABSENT" (none with that id, and the connections of the ARN\'s account and region were read in full), "UNDECLARED" (a scan of templates that do not declare it: it would be in the deployed estate, which such a scan does not read). Unknown when the connections of that account and region were not read or are outside the snapshot\'s scope, or the text is no connection ARN (a `#{…}` variable).',
  },
  {
    signature: 'connectionStatus(string): string',
    description: 'The status of the connection an ARN names (either prefix), as read: AVAILABLE, PENDING or ERROR. Unknown when the snapshot holds no such connection, when its status was not read, and for a connection declared in a template (its status is runtime state).',
  },
  { signature: 'connectionsRead(string, string): bool', description: 'Whether the connections of an account and region were read in full: in the snapshot\'s scope, no coverage gap, not a scan of templates.' },
  {
    signature: 'connectionConsumers(string): list<map>',
    description:
      'The pipelines, build projects and source credentials that name a connection (either prefix), each a map of kind (pipeline, buildProject, sourceCredential), arn, name, via (pipelineAction, buildSource, buildSecondarySource, sourceCredential), stage, action, repository, branch, connectionArn ("" where none). Unknown when none was found and the consumers of the connection\'s account and region were not all read (a listing gap, a pipeline\'s stages or a project\'s sources unreadable, outside the scope).',
  },
  {
    signature: 'pipelineActions(dyn): list<map>',
    description: 'The actions of a pipeline\'s stages in order, each a map of stage, name, category, owner, provider, version, runOrder, configuration (map), inputArtifacts, outputArtifacts, region ("" when absent).',
  },
  {
    signature: 'sourceFlows(dyn, string, string): list<map>',
    description:
      'For a pipeline\'s stages, account and region: each output artifact of each Source action, as a map of stage, action, owner, provider, artifact, outputArtifactFormat (CODE_ZIP when the configuration sets none), formatExplicit, connectionArn, repository, and consumers: the actions after it (a later stage, or a later runOrder of the same stage) that take the artifact as input, each a map of stage, action, owner, provider, codeBuild and project, the build project a CodeBuild action runs: a map of state (found, absent, not-read, unresolved; none for other actions), name, arn, reason.',
  },
  {
    signature: 'buildGitCommands(dyn): list<string>',
    description:
      'Given a flow consumer\'s `project`: the git commands (`git describe`, `git log`, …) its inline buildspec runs that need repository metadata, read as a shell reads them (not in comments, strings or as arguments; `$(git …)` counts). [] for a project that does not exist. Unknown when the project\'s buildspec is a file in the source (or the default buildspec.yml), when the project could not be resolved (an ARN or a `#{…}` variable as ProjectName) or read, or its source could not be read.',
  },
];

type Helper = (...args: never[]) => unknown;

// The maps handed to CEL, built once per flow list (itself built once per pipeline).
const flowMaps = new WeakMap<readonly SourceFlow[], unknown[]>();
const resolutions = new WeakMap<object, ProjectResolution>();
const actionMaps = new WeakMap<object, unknown[]>();

export function pipelineHelpers(snapshot: () => Snapshot) {
  return {
    connectionState: (arn: string): string => {
      const l = lookupConnection(snapshot(), arn);
      if (l.state === 'unknown') throw new UnknownValue(l.reason);
      return l.state.toUpperCase();
    },
    connectionStatus: (arn: string): string => {
      const l = lookupConnection(snapshot(), arn);
      if (l.state === 'unknown') throw new UnknownValue(l.reason);
      if (l.state === 'absent') throw new UnknownValue(`no connection ${arn} exists in ${l.account} / ${l.region}`);
      if (l.state === 'undeclared') throw new UnknownValue(`connection ${arn} is not declared in the scanned templates`);
      const c = l.connection;
      if (l.state === 'declared') throw new UnknownValue(`the status of connection ${c.name} is runtime state: a template creates it PENDING`);
      const u = c.unreadable?.find((x) => x.field === 'status' || x.field === '*');
      if (u) throw new UnknownValue(`the status of connection ${c.name} could not be read (${u.operation}: ${u.errorCode})`);
      return c.status;
    },
    connectionsRead: (account: string, region: string): boolean => connectionsUnread(snapshot(), account, region) === undefined,
    connectionConsumers: (arn: string): unknown[] => {
      // A rule's verdict and message ask about the same ARN: answered once per snapshot and ARN.
      const snap = snapshot();
      let answers = consumerAnswers.get(snap);
      if (answers === undefined) consumerAnswers.set(snap, (answers = new Map()));
      let answer = answers.get(arn);
      if (answer === undefined) {
        answer = consumersOf(snap, arn);
        answers.set(arn, answer);
      }
      if (answer instanceof UnknownValue) throw answer;
      return answer;
    },
    pipelineActions: (stages: unknown): unknown[] => {
      // Asked by a rule's match, verdict and message for one pipeline: built once per stages list.
      const hit = actionMaps.get(stages as object);
      if (hit) return hit;
      const out: unknown[] = [];
      for (const stage of stages as PipelineStage[]) {
        for (const a of stage.actions) {
          out.push({
            stage: stage.name,
            name: a.name,
            category: a.actionType.category,
            owner: a.actionType.owner,
            provider: a.actionType.provider,
            version: a.actionType.version,
            runOrder: a.runOrder ?? 1,
            configuration: a.configuration,
            inputArtifacts: a.inputArtifacts,
            outputArtifacts: a.outputArtifacts,
            region: a.region ?? '',
          });
        }
      }
      actionMaps.set(stages as object, out);
      return out;
    },
    sourceFlows: (stages: unknown, account: string, region: string): unknown[] => {
      const flows = consumerIndex(snapshot()).stageFlows(stages as PipelineStage[], account, region);
      let maps = flowMaps.get(flows);
      if (!maps) {
        maps = flows.map((f) => ({
          stage: f.stage,
          action: f.action,
          owner: f.actionType.owner,
          provider: f.actionType.provider,
          artifact: f.artifact,
          outputArtifactFormat: f.outputArtifactFormat,
          formatExplicit: f.formatExplicit,
          connectionArn: f.connectionArn ?? '',
          repository: f.repository ?? '',
          consumers: f.consumers.map((c) => ({
            stage: c.stage,
            action: c.action,
            owner: c.actionType.owner,
            provider: c.actionType.provider,
            codeBuild: c.codeBuild,
            project: projectMap(c.project),
          })),
        }));
        flowMaps.set(flows, maps);
      }
      return maps;
    },
    buildGitCommands: (project: unknown): string[] => {
      const r = typeof project === 'object' && project !== null ? resolutions.get(project) : undefined;
      if (r === undefined) throw new Error('buildGitCommands() takes the project of a sourceFlows() consumer');
      // A rule's match, verdict and message ask the same project's commands several times, and many
      // pipelines feed one project: its buildspec is parsed once per resolution.
      let git = gitOfResolution.get(r);
      if (git === undefined) {
        const g = gitCommandsOf(r);
        git = typeof g === 'string' ? new UnknownValue(g) : g;
        gitOfResolution.set(r, git);
      }
      if (git instanceof UnknownValue) throw git;
      return git;
    },
  } satisfies Record<string, Helper>;
}

const EMPTY: readonly ConnectionReference[] = Object.freeze([]);

// Kept whole, the UnknownValue too: it carries no stack, and rethrowing one instance is the same answer.
const consumerAnswers = new WeakMap<Snapshot, Map<string, unknown[] | UnknownValue>>();

function consumersOf(snap: Snapshot, arn: string): unknown[] | UnknownValue {
  const key = connectionKey(arn);
  if (key === undefined) return new UnknownValue(`${JSON.stringify(arn)} is not a connection ARN`);
  const refs = consumerIndex(snap).byConnection.get(key) ?? EMPTY;
  if (refs.length === 0) {
    const parsed = parseArn(arn) as NonNullable<ReturnType<typeof parseArn>>;
    const why = consumersUnread(snap, parsed.account, parsed.region);
    if (why !== undefined) return new UnknownValue(`no consumer of ${arn} was found, but ${why}`);
  }
  return refs.map((r) => ({
    kind: r.consumerKind,
    arn: r.consumerArn,
    name: r.consumerName,
    via: r.via,
    stage: r.stage ?? '',
    action: r.action ?? '',
    repository: r.repository ?? '',
    branch: r.branch ?? '',
    connectionArn: r.connectionArn,
  }));
}

/** The git commands of a resolved project's buildspec, or why they cannot be known. */
const gitOfResolution = new WeakMap<ProjectResolution, string[] | UnknownValue>();

function gitCommandsOf(r: ProjectResolution): string[] | string {
  if (r.state === 'unresolved' || r.state === 'not-read') return r.reason;
  if (r.state === 'absent') return [];
  const p = r.project;
  const u = p.unreadable?.find((x) => x.field === 'source' || x.field === '*');
  if (u) return `the source of build project ${p.name} could not be read (${u.operation}: ${u.errorCode})`;
  if (p.source.buildspec === undefined) {
    const where = p.source.buildspecFile !== undefined ? `${p.source.buildspecFile} in its source` : 'buildspec.yml in its source (the default)';
    return `build project ${p.name} reads its buildspec from ${where}, which linkaudit does not read`;
  }
  const git = buildspecGitCommandsOf(p);
  return git.read ? git.commands : `build project ${p.name}: ${git.reason}`;
}

// Per project (not per resolution): pipelines in other accounts' views resolve to the same object.
const gitOfProject = new WeakMap<BuildProject, BuildspecGit>();

function buildspecGitCommandsOf(p: BuildProject): BuildspecGit {
  let git = gitOfProject.get(p);
  if (git === undefined) {
    git = buildspecGitCommands(p.source.buildspec as string);
    gitOfProject.set(p, git);
  }
  return git;
}


function projectMap(r: ProjectResolution | undefined): Record<string, unknown> {
  const m: Record<string, unknown> =
    r === undefined
      ? { state: 'none', name: '', arn: '', reason: '' }
      : r.state === 'unresolved'
        ? { state: r.state, name: '', arn: '', reason: r.reason }
        : { state: r.state, name: r.name, arn: r.state === 'found' ? r.project.arn : '', reason: r.state === 'not-read' ? r.reason : '' };
  if (r !== undefined) resolutions.set(m, r);
  return m;
}
