// The graph as nodes and edges, shared by the Mermaid and Graphviz renderers. Labels are plain
// text lines here (attacker-controlled names included); each renderer escapes them for its syntax.
import type { BlastGraph, GraphAccountAccess, GraphConnection, GraphConsumer, GraphPrincipal, GraphRole } from './build.js';

export type NodeKind = 'connection' | 'repository' | 'pipeline' | 'buildProject' | 'sourceCredential' | 'role' | 'principal' | 'more';
export type Mark = 'admin' | 'unknown' | undefined;

export interface DiagramNode {
  id: string;
  kind: NodeKind;
  lines: string[];
  mark?: Mark;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label: string;
  /** Dotted: a grant or a use, not a flow of code. */
  dotted: boolean;
}

export interface Diagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  /** How many of the connections asked for are drawn (all, unless a budget stopped it). */
  drawn: number;
}

/** A limit on the diagram's size: connections are added in order while the next one fits. */
export interface DiagramBudget {
  maxEdges: number;
  maxSize: number;
  /** The size of one node or edge as the renderer writes it. */
  size: (item: DiagramNode | DiagramEdge) => number;
}

/** Principals drawn per connection; the rest are counted in one node (the tables list them all). */
export const MAX_PRINCIPALS_DRAWN = 8;
/** Longest name drawn; the tables and the JSON keep the whole text. */
const MAX_NAME = 120;

export function short(text: string): string {
  return text.length <= MAX_NAME ? text : `${text.slice(0, MAX_NAME - 1)}…`;
}

function lastPart(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn;
}

function consumerWord(kind: GraphConsumer['kind']): string {
  return kind === 'pipeline' ? 'pipeline' : kind === 'buildProject' ? 'build project' : 'source credential';
}

/** The lines a role's node shows: its name, then each capability that is yes or unknown. */
export function roleLines(role: GraphRole): { lines: string[]; mark: Mark } {
  const name = `role ${short(role.name ?? lastPart(role.arn ?? role.ref))}`;
  if (role.state !== 'found' || !role.capabilities) return { lines: [name, `unknown: ${short(role.reason ?? 'not in the snapshot')}`], mark: 'unknown' };
  const c = role.capabilities;
  const lines = [name];
  let mark: Mark;
  if (c.adminEquivalent.verdict === 'yes') {
    const route = c.adminEquivalent.routes[0];
    lines.push(`ADMIN-EQUIVALENT (${route?.route === 'pass-role' ? `passes any role to ${route.service ?? '?'}` : route?.route === 'self-escalation' ? 'rewrites its own policies' : 'every action'})`);
    mark = 'admin';
  } else if (c.adminEquivalent.verdict === 'unknown') {
    lines.push('admin-equivalent: unknown');
    mark = 'unknown';
  } else lines.push('not admin-equivalent');
  if (c.passRoleEveryRole.verdict !== 'no') lines.push(`iam:PassRole on every role: ${c.passRoleEveryRole.verdict}`);
  if (c.useEveryConnection.verdict !== 'no') lines.push(`UseConnection on every connection: ${c.useEveryConnection.verdict}`);
  else if (c.connections.length > 0) lines.push(`UseConnection on ${c.connections.length} connection(s)`);
  const a = c.assumeRoleOtherAccounts;
  if (a.verdict !== 'no') lines.push(`sts:AssumeRole into other accounts: ${a.verdict === 'unknown' ? 'unknown' : a.targets.includes('*') ? 'any' : `${a.targets.length} target(s)`}`);
  if (mark === undefined && [c.passRoleEveryRole, c.useEveryConnection, a].some((x) => x.verdict === 'unknown')) mark = 'unknown';
  return { lines, mark };
}

function connectionLines(c: GraphConnection): string[] {
  const lines = [`connection ${short(c.name ?? lastPart(c.arn))}`];
  if (c.inSnapshot) lines.push(`${c.providerType ?? '?'}${c.host ? ` ${short(c.host)}` : ''}, ${c.status ?? '?'}`);
  else lines.push('not in the snapshot');
  lines.push(short(c.arn));
  return lines;
}

const accountAccessIndex = new WeakMap<BlastGraph, Map<string, GraphAccountAccess>>();

/** The account-wide entry that applies to a connection, if any. */
export function accountWideOf(graph: BlastGraph, c: GraphConnection): GraphAccountAccess | undefined {
  const wide = c.access.accountWide;
  if (!wide) return undefined;
  let index = accountAccessIndex.get(graph);
  if (!index) {
    index = new Map(graph.accountAccess.map((a) => [`${a.account}|${a.prefix}`, a]));
    accountAccessIndex.set(graph, index);
  }
  return index.get(`${wide.account}|${wide.prefix}`);
}

/** Everyone who may use a connection: its own list and the account-wide one that applies to it, by ARN. */
export function whoMayUse(graph: BlastGraph, c: GraphConnection): GraphPrincipal[] {
  const shared = accountWideOf(graph, c)?.principals ?? [];
  if (shared.length === 0) return c.access.principals;
  const byArn = new Map<string, GraphPrincipal>();
  for (const p of [...shared, ...c.access.principals]) {
    const seen = byArn.get(p.principal);
    byArn.set(p.principal, seen ? { ...seen, grants: [...seen.grants, ...p.grants].sort((a, b) => (a.action < b.action ? -1 : 1)) } : p);
  }
  return [...byArn.values()].sort((a, b) => (a.principal < b.principal ? -1 : 1));
}

/** Nodes and edges of the whole graph; ids follow the graph's (sorted) order, so output is deterministic. */
export function diagramOf(graph: BlastGraph, connections: readonly GraphConnection[] = graph.connections, budget?: DiagramBudget): Diagram {
  const nodes = new Map<string, DiagramNode>();
  let size = 0;
  let drawn = 0;
  const edges: DiagramEdge[] = [];
  const edgeKeys = new Set<string>();
  let next = 0;
  const node = (key: string, kind: NodeKind, lines: () => string[], mark?: Mark): string => {
    let n = nodes.get(key);
    if (!n) {
      n = { id: `n${++next}`, kind, lines: lines(), ...(mark ? { mark } : {}) };
      nodes.set(key, n);
    } else if (n.kind === 'principal' && kind === 'role') {
      // A role drawn first as one who may use a connection, then met as a consumer's role: one node, with its capabilities.
      n.kind = kind;
      n.lines = lines();
      if (mark) n.mark = mark;
    }
    return n.id;
  };
  const edge = (from: string, to: string, label: string, dotted: boolean): void => {
    const k = `${from}|${to}|${label}|${dotted}`;
    if (edgeKeys.has(k)) return;
    edgeKeys.add(k);
    edges.push({ from, to, label, dotted });
  };
  const roles = new Map(graph.roles.map((r) => [r.ref, r]));
  for (const c of connections) {
    // Maps keep insertion order: what this connection adds is what comes after these counts.
    const before = { nodes: nodes.size, edges: edges.length, next };
    add(c);
    if (budget) {
      const keys = [...nodes.keys()].slice(before.nodes);
      const added = [...keys.map((k) => nodes.get(k) as DiagramNode), ...edges.slice(before.edges)];
      const more = added.reduce((n, item) => n + budget.size(item), 0);
      if (size + more > budget.maxSize || edges.length > budget.maxEdges) {
        // Roll this connection back: the diagram ends with the last one that fit.
        for (const k of keys) nodes.delete(k);
        for (const e of edges.splice(before.edges)) edgeKeys.delete(`${e.from}|${e.to}|${e.label}|${e.dotted}`);
        next = before.next;
        break;
      }
      size += more;
    }
    drawn++;
  }
  return { nodes: [...nodes.values()], edges, drawn };

  function add(c: GraphConnection): void {
    const cid = node(`connection|${c.arn}`, 'connection', () => connectionLines(c), c.inSnapshot ? undefined : 'unknown');
    const consumerIds = new Map<string, string>();
    for (const consumer of c.consumers) {
      consumerIds.set(
        consumer.arn,
        node(`consumer|${consumer.arn}`, consumer.kind, () => [`${consumerWord(consumer.kind)} ${short(consumer.name)}`, `${consumer.account} ${consumer.region}`]),
      );
    }
    for (const repo of c.repositories) {
      const rid = node(`repository|${repo.host ?? ''}|${repo.repository}`, 'repository', () => ['repository', short(repo.host ? `${repo.host}/${repo.repository}` : repo.repository)]);
      edge(cid, rid, 'OAuth grant', true);
      for (const arn of repo.consumers) {
        const consumer = c.consumers.find((x) => x.arn === arn);
        const to = consumerIds.get(arn);
        if (!consumer || !to) continue;
        const ref = consumer.references.find((r) => r.repository === repo.repository);
        const label = consumer.kind === 'pipeline' ? `push: ${short(`${ref?.stage ?? '?'}/${ref?.action ?? '?'}`)}` : ref?.via === 'buildSecondarySource' ? `push: secondary source ${short(ref.sourceIdentifier ?? '?')}` : 'push: source';
        edge(rid, to, label, false);
      }
    }
    for (const consumer of c.consumers) {
      const from = consumerIds.get(consumer.arn) as string;
      // A consumer that names the connection without a repository (a source credential, a source with no location) uses it directly.
      if (consumer.references.some((r) => r.via !== 'pipelineBuild' && r.repository === undefined)) edge(cid, from, 'used by', true);
      for (const run of consumer.runs ?? []) {
        const to = consumerIds.get(run);
        const ref = c.consumers.find((x) => x.arn === run)?.references.find((r) => r.via === 'pipelineBuild' && r.pipeline === consumer.arn);
        if (to) edge(from, to, `runs: ${short(`${ref?.stage ?? '?'}/${ref?.action ?? '?'}`)}`, false);
      }
      for (const unresolved of consumer.unresolvedBuilds ?? []) {
        const uid = node(`unresolved|${consumer.arn}|${unresolved}`, 'buildProject', () => ['build project unknown', short(unresolved)], 'unknown');
        edge(from, uid, 'runs', false);
      }
      for (const r of consumer.roles) {
        const role = roles.get(r.role);
        if (!role) continue;
        const { lines, mark } = roleLines(role);
        const rid = node(`iam|${role.arn ?? role.ref}`, 'role', () => lines, mark);
        edge(from, rid, `runs as (${short(r.where)})`, false);
      }
    }
    const principals = whoMayUse(graph, c);
    if (!c.access.evaluated) {
      const uid = node(`access|${c.arn}`, 'more', () => ['who may use it: unknown', short(c.access.reason ?? '')], 'unknown');
      edge(uid, cid, 'UseConnection', true);
    }
    for (const p of principals.slice(0, MAX_PRINCIPALS_DRAWN)) {
      const best = p.grants.find((g) => /:UseConnection$/.test(g.action)) ?? p.grants[0];
      const pid = node(`iam|${p.principal}`, 'principal', () => [`${p.kind === 'iamUser' ? 'user' : 'role'} ${short(lastPart(p.principal))}`]);
      edge(pid, cid, `${best?.action.split(':')[1] ?? 'access'}: ${best?.access ?? '?'}`, true);
    }
    if (principals.length > MAX_PRINCIPALS_DRAWN) {
      const mid = node(`more|${c.arn}`, 'more', () => [`${principals.length - MAX_PRINCIPALS_DRAWN} more principal(s) with access`]);
      edge(mid, cid, 'UseConnection', true);
    }
  }
}
