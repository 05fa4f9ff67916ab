// The repository blast radius (`linkaudit graph`): for each connection, the repositories that
// pipelines and builds name with it, the consumers, the roles they run as and what those roles may
// do (src/iam/capabilities.ts), and who may UseConnection on it (src/iam/access.ts). Plain data,
// sorted, so every renderer (graph/render-*.ts) and the JSON (schemas/graph.schema.json) agree.
import { UserError } from '../errors.js';
import { accountWideAccess, accountWideApplies, whoCanUse, type AccessEntry } from '../iam/access.js';
import { capabilitiesOf, namedConnections, type CapabilityAnswer, type RoleCapabilities, type Verdict } from '../iam/capabilities.js';
import type { Path } from '../iam/evaluate.js';
import { lookupRole } from '../iam/roles.js';
import { connectionKey, parseArn } from '../model/arn.js';
import { consumerIndex, isCodeBuildAction, type ConnectionReference } from '../model/consumers.js';
import type { BuildProject, Connection, Host, IamRole, Pipeline, Snapshot } from '../model/types.js';

export const GRAPH_VERSION = 1;

export interface GraphReference {
  /** How the consumer reaches the connection: it names it (pipeline action, build source, source credential), or a pipeline that names it runs it. */
  via: 'pipelineAction' | 'buildSource' | 'buildSecondarySource' | 'sourceCredential' | 'pipelineBuild';
  /** The connection ARN as the consumer writes it (either prefix). */
  connectionArn?: string;
  /** pipelineBuild: the pipeline that runs this project. */
  pipeline?: string;
  stage?: string;
  action?: string;
  sourceIdentifier?: string;
  repository?: string;
  repositoryHost?: string;
  branch?: string;
  outputArtifactFormat?: string;
}

export interface GraphConsumer {
  kind: 'pipeline' | 'buildProject' | 'sourceCredential';
  arn: string;
  name: string;
  account: string;
  region: string;
  references: GraphReference[];
  /** Pipelines: the build projects its CodeBuild actions run (ARNs), and those that cannot be resolved (why). */
  runs?: string[];
  unresolvedBuilds?: string[];
  /** The roles it runs as (refs into `roles`), with where each is named. */
  roles: Array<{ role: string; where: string }>;
}

export interface GraphRepository {
  repository: string;
  host?: string;
  /** ARNs of the consumers that name it. */
  consumers: string[];
}

export interface GraphGrant {
  action: string;
  access: 'unconditional' | 'scoped' | 'unknown';
  through?: string;
}

export interface GraphPrincipal {
  principal: string;
  kind: 'iamUser' | 'iamRole';
  grants: GraphGrant[];
}

/** Principals whose access is the same for every connection of an account and prefix, listed once. */
export interface GraphAccountAccess {
  account: string;
  prefix: string;
  complete: boolean;
  gaps: string[];
  principalsEvaluated: number;
  principals: GraphPrincipal[];
}

export interface GraphAccess {
  /** False when the question could not be asked (account outside the snapshot). */
  evaluated: boolean;
  /**
   * When set, the principals of `accountAccess` with this account and prefix may use this
   * connection too (their access does not depend on which connection): `principals` lists only
   * the others.
   */
  accountWide?: { account: string; prefix: string };
  reason?: string;
  /** False when IAM of the account was not read in full (then principals may be missing). */
  complete: boolean;
  gaps: string[];
  principalsEvaluated: number;
  principals: GraphPrincipal[];
}

export interface GraphConnection {
  /** As the snapshot lists it, or (not in the snapshot) as the first consumer names it. */
  arn: string;
  /** Other spellings consumers use (the other prefix). */
  aliases: string[];
  inSnapshot: boolean;
  account: string;
  region: string;
  name?: string;
  providerType?: string;
  status?: string;
  /** The provider's host: github.com, gitlab.com, bitbucket.org, or a self-managed host's endpoint. */
  host?: string;
  hostArn?: string;
  repositories: GraphRepository[];
  consumers: GraphConsumer[];
  access: GraphAccess;
}

export interface GraphCapability {
  verdict: Verdict;
  /** The deciding statement, as findings name it. */
  statement?: string;
  reasons?: string[];
}

export interface GraphRole {
  /** As consumers name it (an ARN, or a CodeBuild role name). */
  ref: string;
  arn?: string;
  /** The role's name, when found. */
  name?: string;
  state: 'found' | 'not-read' | 'absent' | 'unresolved';
  reason?: string;
  capabilities?: {
    adminEquivalent: GraphCapability & { routes: Array<{ route: 'every-action' | 'pass-role' | 'self-escalation'; service?: string; actions: string[] }> };
    passRoleEveryRole: GraphCapability;
    useEveryConnection: GraphCapability;
    /** Connections of the snapshot (its account) it may use, when not every one: ARN and access. */
    connections: Array<{ connection: string; access: 'unconditional' | 'scoped' | 'unknown' }>;
    assumeRoleOtherAccounts: GraphCapability & { targets: string[] };
  };
}

export interface BlastGraph {
  graphVersion: typeof GRAPH_VERSION;
  snapshot: { generatedAt: string; source: Snapshot['source']; scope: Snapshot['scope'] };
  selection: { connection?: string; repository?: string };
  connections: GraphConnection[];
  /** Who may use every connection of an account (per prefix), referred to by connections' `access.accountWide`. */
  accountAccess: GraphAccountAccess[];
  roles: GraphRole[];
  note: string;
}

export interface GraphSelection {
  connection?: string;
  repository?: string;
}

const NOTE = 'Organization SCPs, RCPs, session policies and the trust policies of roles in other accounts are not evaluated.';

const CONNECTION_ARN = /^arn:[^:]+:(codestar-connections|codeconnections):[^:]*:[^:]*:connection\/.+$/;
const REPOSITORY = /^[^\s/]+(\/[^\s/]+)+$/;

const byArn = (a: { arn: string }, b: { arn: string }): number => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);

/** Refuses a selection that can match nothing whatever the snapshot: both selectors, a malformed ARN or repository. */
export function checkSelection(selection: GraphSelection): void {
  if (selection.connection !== undefined && selection.repository !== undefined) throw new UserError('--connection and --repository exclude each other: give one');
  if (selection.connection !== undefined) connectionKeyOf(selection.connection);
  if (selection.repository !== undefined) repositoryOf(selection.repository);
}

/** The blast radius graph of a snapshot, for every connection or the one (or repository) asked. */
export function buildGraph(snapshot: Snapshot, selection: GraphSelection = {}): BlastGraph {
  checkSelection(selection);
  const wantKey = selection.connection !== undefined ? connectionKeyOf(selection.connection) : undefined;
  const wantRepo = selection.repository !== undefined ? repositoryOf(selection.repository) : undefined;

  const index = consumerIndex(snapshot);
  const inSnapshot = new Map<string, Connection>();
  for (const c of snapshot.connections) {
    const key = connectionKey(c.arn);
    if (key !== undefined && !inSnapshot.has(key)) inSnapshot.set(key, c);
  }
  const keys = new Set<string>([...inSnapshot.keys(), ...index.byConnection.keys()]);
  const roles = new Map<string, GraphRole>();
  const connections: GraphConnection[] = [];
  const lookups: Lookups = {
    pipelines: new Map(snapshot.pipelines.map((p) => [p.arn, p])),
    projects: new Map(snapshot.buildProjects.map((b) => [b.arn, b])),
    hosts: new Map(snapshot.hosts.map((h) => [h.arn, h])),
  };
  for (const key of keys) {
    if (wantKey !== undefined && key !== wantKey) continue;
    const refs = index.byConnection.get(key) ?? [];
    if (wantRepo !== undefined && !refs.some((r) => r.repository !== undefined && r.repository.toLowerCase() === wantRepo)) continue;
    connections.push(connectionEntry(snapshot, key, inSnapshot.get(key), refs, wantRepo, roles, lookups));
  }
  if (wantKey !== undefined && connections.length === 0) {
    throw new UserError(`--connection: ${selection.connection} matches no connection of the snapshot, and no pipeline, build project or source credential names it (either prefix)`);
  }
  if (wantRepo !== undefined && connections.length === 0) {
    throw new UserError(`--repository: no pipeline or build project in the snapshot names ${selection.repository} with a connection`);
  }
  connections.sort(byArn);
  const accountAccess = new Map<string, GraphAccountAccess>();
  for (const c of connections) {
    const wide = c.access.accountWide;
    if (!wide || accountAccess.has(`${wide.account}|${wide.prefix}`)) continue;
    const a = accountWideAccess(snapshot, wide.account, wide.prefix as 'codestar-connections' | 'codeconnections');
    accountAccess.set(`${wide.account}|${wide.prefix}`, { account: a.account, prefix: a.prefix, complete: a.gaps.length === 0, gaps: a.gaps, principalsEvaluated: a.principalsEvaluated, principals: a.principals.map(principalEntry) });
  }
  return {
    graphVersion: GRAPH_VERSION,
    snapshot: { generatedAt: snapshot.generatedAt, source: snapshot.source, scope: snapshot.scope },
    selection: { ...(selection.connection !== undefined ? { connection: selection.connection } : {}), ...(selection.repository !== undefined ? { repository: selection.repository } : {}) },
    connections,
    accountAccess: [...accountAccess.values()].sort((a, b) => (`${a.account}|${a.prefix}` < `${b.account}|${b.prefix}` ? -1 : 1)),
    roles: [...roles.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0)),
    note: NOTE,
  };
}

function connectionKeyOf(arn: string): string {
  const key = CONNECTION_ARN.test(arn) ? connectionKey(arn) : undefined;
  if (key === undefined) throw new UserError(`--connection: "${arn}" is not a connection ARN (arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID, or the codeconnections prefix)`);
  return key;
}

function repositoryOf(repository: string): string {
  if (!REPOSITORY.test(repository) || repository.length > 512) throw new UserError(`--repository: "${repository.slice(0, 80)}" is not OWNER/NAME (a GitLab group path: GROUP/SUBGROUP/NAME)`);
  // GitHub, GitLab and Bitbucket compare repository names without regard to case.
  return repository.toLowerCase();
}

const PROVIDER_HOSTS: Record<string, string> = { GitHub: 'github.com', GitLab: 'gitlab.com', Bitbucket: 'bitbucket.org', AzureDevOps: 'dev.azure.com' };

interface Lookups {
  pipelines: Map<string, Pipeline>;
  projects: Map<string, BuildProject>;
  hosts: Map<string, Host>;
}

function connectionEntry(snapshot: Snapshot, key: string, connection: Connection | undefined, refs: readonly ConnectionReference[], wantRepo: string | undefined, roles: Map<string, GraphRole>, lookups: Lookups): GraphConnection {
  let arn = connection?.arn;
  if (arn === undefined) for (const r of refs) if (arn === undefined || r.connectionArn < arn) arn = r.connectionArn;
  arn ??= key;
  const aliases = [...new Set(refs.map((r) => r.connectionArn).filter((a) => a !== arn))].sort();
  const parsed = parseArn(arn);
  const host = connection?.hostArn !== undefined ? lookups.hosts.get(connection.hostArn) : undefined;
  const providerHost = host ? host.providerEndpoint : connection ? PROVIDER_HOSTS[connection.providerType] : undefined;

  if (refs.length === 0) {
    // Most connections of a large estate: nothing names them.
    return {
      arn, aliases: [], inSnapshot: connection !== undefined,
      account: connection?.account ?? parsed?.account ?? '', region: connection?.region ?? parsed?.region ?? '',
      ...(connection ? { name: connection.name, providerType: connection.providerType, status: connection.status } : {}),
      ...(providerHost !== undefined ? { host: providerHost } : {}),
      ...(connection?.hostArn !== undefined ? { hostArn: connection.hostArn } : {}),
      repositories: [], consumers: [], access: accessOf(snapshot, arn),
    };
  }
  // The consumers a repository reaches: those naming it; with --repository, only those.
  const kept = wantRepo === undefined ? refs : refs.filter((r) => r.repository !== undefined && r.repository.toLowerCase() === wantRepo);
  const consumers = new Map<string, GraphConsumer>();
  const { pipelines, projects } = lookups;
  for (const r of kept) {
    let c = consumers.get(r.consumerArn);
    if (!c) {
      c = { kind: r.consumerKind, arn: r.consumerArn, name: r.consumerName, account: r.account, region: r.region, references: [], roles: [] };
      consumers.set(r.consumerArn, c);
    }
    c.references.push(reference(r));
  }
  // A pipeline's pushes reach the builds it runs, whether or not they name the connection.
  for (const c of [...consumers.values()]) {
    if (c.kind !== 'pipeline') continue;
    const pipeline = pipelines.get(c.arn);
    if (!pipeline) continue;
    const runs = new Set<string>();
    const unresolved: string[] = [];
    for (const stage of pipeline.stages) {
      for (const action of stage.actions) {
        if (!isCodeBuildAction(action)) continue;
        const res = consumerIndex(snapshot).resolveProject(pipeline.account, pipeline.region, action);
        if (res.state !== 'found') {
          unresolved.push(`${stage.name}/${action.name}: ${res.state === 'unresolved' ? res.reason : res.state === 'absent' ? `project ${res.name} is not in the snapshot` : res.reason}`);
          continue;
        }
        runs.add(res.project.arn);
        let b = consumers.get(res.project.arn);
        if (!b) {
          b = { kind: 'buildProject', arn: res.project.arn, name: res.project.name, account: res.project.account, region: res.project.region, references: [], roles: [] };
          consumers.set(res.project.arn, b);
        }
        b.references.push({ via: 'pipelineBuild', pipeline: pipeline.arn, stage: stage.name, action: action.name });
      }
    }
    c.runs = [...runs].sort();
    if (unresolved.length > 0) c.unresolvedBuilds = unresolved.sort();
  }
  for (const c of consumers.values()) {
    c.roles = consumerRoles(c, pipelines.get(c.arn), projects.get(c.arn));
    for (const r of c.roles) if (!roles.has(r.role)) roles.set(r.role, roleEntry(snapshot, r.role, c.account));
    sortReferences(c.references);
  }

  const repositories = new Map<string, GraphRepository>();
  for (const r of kept) {
    if (r.repository === undefined) continue;
    const k = `${r.repositoryHost ?? ''}|${r.repository}`;
    let repo = repositories.get(k);
    if (!repo) {
      repo = { repository: r.repository, ...(r.repositoryHost !== undefined ? { host: r.repositoryHost } : {}), consumers: [] };
      repositories.set(k, repo);
    }
    if (!repo.consumers.includes(r.consumerArn)) repo.consumers.push(r.consumerArn);
  }
  for (const repo of repositories.values()) repo.consumers.sort();

  return {
    arn,
    aliases,
    inSnapshot: connection !== undefined,
    account: connection?.account ?? parsed?.account ?? '',
    region: connection?.region ?? parsed?.region ?? '',
    ...(connection ? { name: connection.name, providerType: connection.providerType, status: connection.status } : {}),
    ...(providerHost !== undefined ? { host: providerHost } : {}),
    ...(connection?.hostArn !== undefined ? { hostArn: connection.hostArn } : {}),
    repositories: [...repositories.values()].sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : (a.host ?? '') < (b.host ?? '') ? -1 : 1)),
    consumers: [...consumers.values()].sort(byArn),
    access: accessOf(snapshot, arn),
  };
}

function reference(r: ConnectionReference): GraphReference {
  return {
    via: r.via,
    connectionArn: r.connectionArn,
    ...(r.stage !== undefined ? { stage: r.stage } : {}),
    ...(r.action !== undefined ? { action: r.action } : {}),
    ...(r.sourceIdentifier !== undefined ? { sourceIdentifier: r.sourceIdentifier } : {}),
    ...(r.repository !== undefined ? { repository: r.repository } : {}),
    ...(r.repositoryHost !== undefined ? { repositoryHost: r.repositoryHost } : {}),
    ...(r.branch !== undefined ? { branch: r.branch } : {}),
    ...(r.outputArtifactFormat !== undefined ? { outputArtifactFormat: r.outputArtifactFormat } : {}),
  };
}

function referenceKey(r: GraphReference): string {
  return `${r.via}\u0000${r.pipeline ?? ''}\u0000${r.stage ?? ''}\u0000${r.action ?? ''}\u0000${r.sourceIdentifier ?? ''}\u0000${r.repository ?? ''}`;
}

function sortReferences(list: GraphReference[]): void {
  if (list.length < 2) return;
  const keyed = list.map((r) => ({ r, k: referenceKey(r) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  keyed.forEach((x, i) => (list[i] = x.r));
}

function consumerRoles(c: GraphConsumer, pipeline: Pipeline | undefined, project: BuildProject | undefined): Array<{ role: string; where: string }> {
  const out: Array<{ role: string; where: string }> = [];
  const add = (role: string | undefined, where: string): void => {
    if (role === undefined || role === '') return;
    if (!out.some((r) => r.role === role && r.where === where)) out.push({ role, where });
  };
  if (pipeline) {
    if (pipeline.unreadable?.some((u) => u.field === 'roleArn')) add('(not readable)', 'pipeline role');
    else add(pipeline.roleArn, 'pipeline role');
    for (const stage of pipeline.stages) for (const action of stage.actions) add(action.roleArn, `role of action ${stage.name}/${action.name}`);
  }
  if (project) {
    if (project.unreadable?.some((u) => u.field === 'serviceRole')) add('(not readable)', 'service role');
    else add(project.serviceRole, 'service role');
  }
  return out;
}

function statementText(p: Path | undefined): string | undefined {
  if (!p) return undefined;
  return p.statement < 0 ? p.source.label : `${p.source.label} statement ${p.statement}${p.sid ? ` (Sid ${p.sid})` : ''}`;
}

function capability(a: CapabilityAnswer): GraphCapability {
  const statement = a.verdict === 'no' ? undefined : statementText(a.allows[0]);
  return { verdict: a.verdict, ...(statement !== undefined ? { statement } : {}), ...(a.verdict === 'unknown' && a.reasons.length > 0 ? { reasons: [...a.reasons] } : {}) };
}

function roleEntry(snapshot: Snapshot, ref: string, account: string): GraphRole {
  if (ref === '(not readable)') return { ref, state: 'not-read', reason: 'the consumer\'s role field could not be read' };
  const found = lookupRole(snapshot, ref, account);
  if (found.state !== 'found') return { ref, state: found.state, reason: found.reason };
  const caps = capabilitiesOf(found.role, snapshot);
  return { ref, arn: found.role.arn, name: found.role.name, state: 'found', capabilities: capabilitiesEntry(snapshot, found.role, caps) };
}

function capabilitiesEntry(snapshot: Snapshot, role: IamRole, caps: RoleCapabilities): NonNullable<GraphRole['capabilities']> {
  const admin = caps.admin;
  const top = admin.paths[0];
  return {
    adminEquivalent: {
      verdict: admin.verdict,
      ...(admin.verdict === 'yes' && statementText(top?.allows[0]) !== undefined ? { statement: statementText(top?.allows[0]) as string } : {}),
      ...(admin.verdict === 'unknown' && admin.reasons.length > 0 ? { reasons: [...admin.reasons] } : {}),
      routes:
        admin.verdict === 'no'
          ? []
          : admin.paths.map((p) => ({ route: p.route.kind, ...(p.route.kind === 'pass-role' ? { service: p.route.runner.service } : {}), actions: [...p.actions] })),
    },
    passRoleEveryRole: capability(caps.passRole),
    useEveryConnection: capability(caps.useConnection),
    connections: caps.useConnection.verdict === 'yes' ? [] : usableConnections(snapshot, role, caps),
    assumeRoleOtherAccounts: { ...capability(caps.assumeRole), targets: [...caps.assumeRole.targets] },
  };
}

/** The snapshot's connections its grants name, when it may not use every one. */
function usableConnections(snapshot: Snapshot, role: IamRole, caps: RoleCapabilities): NonNullable<GraphRole['capabilities']>['connections'] {
  // Nothing about UseConnection at all: no connection either.
  if (caps.useConnection.reach === 'none' && caps.unread.length === 0) return [];
  return namedConnections(role, snapshot);
}

function accessOf(snapshot: Snapshot, arn: string): GraphAccess {
  const parsed = parseArn(arn);
  const account = parsed?.account ?? '';
  const none = (reason: string): GraphAccess => ({ evaluated: false, reason, complete: false, gaps: [], principalsEvaluated: 0, principals: [] });
  if (!snapshot.scope.accounts.includes(account)) return none(`account ${account || '(none)'} is not in the snapshot`);
  let report;
  try {
    report = whoCanUse(snapshot, arn, { skipAccountWide: true });
  } catch (err) {
    // whoCanUse refuses what is not a connection ARN of a 12-digit account.
    if (err instanceof Error && /not a connection ARN/.test(err.message)) return none('the ARN names no account IAM can be asked about');
    throw err;
  }
  const wide = accountWideApplies(arn);
  return {
    evaluated: true,
    ...(wide ? { accountWide: wide } : {}),
    complete: report.gaps.length === 0,
    gaps: report.gaps,
    principalsEvaluated: report.principalsEvaluated,
    principals: report.principals.map(principalEntry),
  };
}

function principalEntry(p: AccessEntry): GraphPrincipal {
  return {
    principal: p.principal,
    kind: p.kind,
    grants: p.grants.map((g) => ({ action: g.action, access: g.reach, ...(statementText(g.through[0]) !== undefined ? { through: statementText(g.through[0]) as string } : {}) })),
  };
}
