// `linkaudit graph` output: Mermaid, Graphviz, Markdown (Mermaid + tables) and JSON. Every label
// holds names from the estate (attacker-controlled): each syntax gets its own escaping, so no name
// can end a label, add a node or edge, start a comment, or carry HTML.
import { escapeControlCharsKeepLayout } from '../io/untrusted-text.js';
import { cell, codeCell, fence } from '../reporters/markdown.js';
import type { BlastGraph, GraphCapability, GraphConnection, GraphConsumer, GraphRole } from './build.js';
import { diagramOf, short, type Diagram, type DiagramNode } from './diagram.js';

export type GraphFormat = 'markdown' | 'json' | 'dot' | 'mermaid';

export function renderGraph(graph: BlastGraph, format: GraphFormat): string {
  switch (format) {
    case 'json':
      // JSON.stringify escapes C0 controls; C1 controls and bidi overrides get JSON escapes too.
      return `${JSON.stringify(graph, null, 2)}\n`.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    case 'mermaid':
      return `${mermaid(diagramOf(graph))}\n`;
    case 'dot':
      return dot(diagramOf(graph));
    case 'markdown':
      // Names reach a page or a terminal: no control character or bidi override passes.
      return escapeControlCharsKeepLayout(markdown(graph));
  }
}

// --- Mermaid ------------------------------------------------------------------------------------

// Kept as they are; everything else becomes an entity code (`#60;`), which Mermaid shows as the
// character and never reads as syntax: quotes, brackets, `|`, `<`, `>`, backticks, `#`, `;`, `%`.
const MERMAID_PLAIN = /^[A-Za-z0-9 ,.:/@_+=()-]$/;

/** One label line as Mermaid text inside `"…"`. */
export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')) {
    out += MERMAID_PLAIN.test(ch) ? ch : `#${ch.codePointAt(0) as number};`;
  }
  return out;
}

const MERMAID_SHAPES: Record<DiagramNode['kind'], [string, string]> = {
  connection: ['{{', '}}'],
  repository: ['([', '])'],
  pipeline: ['[', ']'],
  buildProject: ['[/', '/]'],
  sourceCredential: ['[(', ')]'],
  role: ['[[', ']]'],
  principal: ['>', ']'],
  more: ['(', ')'],
};

export function mermaid(d: Diagram): string {
  const lines = ['flowchart LR'];
  for (const n of d.nodes) {
    const [open, close] = MERMAID_SHAPES[n.kind];
    lines.push(`  ${n.id}${open}"${n.lines.map(mermaidText).join('<br/>')}"${close}`);
  }
  for (const e of d.edges) lines.push(`  ${e.from} ${e.dotted ? '-.->' : '-->'}|"${mermaidText(e.label)}"| ${e.to}`);
  lines.push('  classDef admin fill:#f8d7da,stroke:#b30000,color:#000');
  lines.push('  classDef unknown fill:#fff3cd,stroke:#8a6d00,color:#000');
  for (const mark of ['admin', 'unknown'] as const) {
    const ids = d.nodes.filter((n) => n.mark === mark).map((n) => n.id);
    if (ids.length > 0) lines.push(`  class ${ids.join(',')} ${mark}`);
  }
  return lines.join('\n');
}

// --- Graphviz -----------------------------------------------------------------------------------

/** Text inside a DOT double-quoted string: `"` and `\` escaped (so `\N`, `\G` … stay literal), no control character. */
export function dotText(text: string): string {
  return text
    .replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/[\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const DOT_SHAPES: Record<DiagramNode['kind'], string> = {
  connection: 'hexagon',
  repository: 'cylinder',
  pipeline: 'box',
  buildProject: 'parallelogram',
  sourceCredential: 'note',
  role: 'box3d',
  principal: 'cds',
  more: 'ellipse',
};

export function dot(d: Diagram): string {
  const lines = ['digraph linkaudit {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  for (const n of d.nodes) {
    const style = n.mark === 'admin' ? ', style=filled, fillcolor="#f8d7da", color="#b30000"' : n.mark === 'unknown' ? ', style=filled, fillcolor="#fff3cd", color="#8a6d00"' : '';
    lines.push(`  ${n.id} [shape=${DOT_SHAPES[n.kind]}, label="${n.lines.map(dotText).join('\\n')}"${style}];`);
  }
  for (const e of d.edges) lines.push(`  ${e.from} -> ${e.to} [label="${dotText(e.label)}"${e.dotted ? ', style=dashed' : ''}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

// --- Markdown -----------------------------------------------------------------------------------

/** GitHub renders Mermaid up to 50,000 characters and 500 edges; the diagram stays under both. */
const MERMAID_MAX_CHARS = 45_000;
const MERMAID_MAX_EDGES = 450;
/** Rows per table: the JSON has them all. */
const MAX_ROWS = 1000;

function verdictText(c: GraphCapability | undefined, yes = 'yes'): string {
  if (!c) return 'unknown';
  if (c.verdict === 'yes') return `**${yes}**${c.statement ? ` (${cell(c.statement)})` : ''}`;
  if (c.verdict === 'unknown') return `unknown${c.reasons && c.reasons.length > 0 ? `: ${cell(short(c.reasons.join('; ')))}` : ''}`;
  return 'no';
}

function roleCells(role: GraphRole | undefined, ref: string): string[] {
  if (!role || role.state !== 'found' || !role.capabilities) {
    const why = `unknown: ${cell(short(role?.reason ?? 'not in the snapshot'))}`;
    return [codeCell(ref), why, why, why, why];
  }
  const c = role.capabilities;
  const admin = c.adminEquivalent;
  const route = admin.routes[0];
  const adminCell = admin.verdict === 'yes'
    ? `**yes**: ${route?.route === 'pass-role' ? `passes any role to ${cell(route.service ?? '?')}` : route?.route === 'self-escalation' ? 'rewrites its own policies' : 'every action'}${admin.statement ? ` (${cell(admin.statement)})` : ''}`
    : verdictText(admin);
  const useCell = c.useEveryConnection.verdict !== 'no' ? `every connection: ${verdictText(c.useEveryConnection)}` : c.connections.length > 0 ? `${c.connections.length}: ${c.connections.slice(0, 3).map((x) => codeCell(x.connection)).join(', ')}${c.connections.length > 3 ? ', …' : ''}` : 'none';
  const a = c.assumeRoleOtherAccounts;
  const assumeCell = a.verdict === 'no' ? 'no' : a.verdict === 'unknown' ? verdictText(a) : `**yes**: ${a.targets.slice(0, 3).map((t) => codeCell(t)).join(', ')}${a.targets.length > 3 ? ', …' : ''}`;
  return [codeCell(role.arn ?? ref), adminCell, verdictText(c.passRoleEveryRole), useCell, assumeCell];
}

/** The repositories a consumer is reached from: those it names, or those of the pipelines that run it. */
function reposOf(c: GraphConnection, consumer: GraphConsumer): string[] {
  const direct = c.repositories.filter((r) => r.consumers.includes(consumer.arn)).map((r) => (r.host ? `${r.host}/${r.repository}` : r.repository));
  if (direct.length > 0) return direct;
  const via = consumer.references.filter((r) => r.via === 'pipelineBuild').map((r) => r.pipeline);
  const out = new Set<string>();
  for (const p of via) for (const r of c.repositories) if (p !== undefined && r.consumers.includes(p)) out.add(r.host ? `${r.host}/${r.repository}` : r.repository);
  return [...out];
}

function markdown(graph: BlastGraph): string {
  const out: string[] = ['# linkaudit graph: repository blast radius', ''];
  const sel = graph.selection.connection !== undefined ? ` for connection ${codeCell(graph.selection.connection)}` : graph.selection.repository !== undefined ? ` for repository ${codeCell(graph.selection.repository)}` : '';
  const admin = graph.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').length;
  const unknown = graph.roles.filter((r) => r.state !== 'found' || r.capabilities?.adminEquivalent.verdict === 'unknown').length;
  out.push(`${graph.connections.length} connection(s)${sel}; ${graph.roles.length} role(s) reached, ${admin} admin-equivalent, ${unknown} unknown. Snapshot taken ${cell(graph.snapshot.generatedAt)} (source ${cell(graph.snapshot.source.kind)}).`, '');

  // As many connections as fit GitHub's Mermaid limits; the tables cover every one.
  let drawn = graph.connections.length;
  let d = diagramOf(graph);
  let text = mermaid(d);
  while (drawn > 0 && (text.length > MERMAID_MAX_CHARS || d.edges.length > MERMAID_MAX_EDGES)) {
    drawn = Math.max(0, Math.min(drawn - 1, Math.floor((drawn * MERMAID_MAX_CHARS) / Math.max(text.length, 1))));
    d = diagramOf(graph, graph.connections.slice(0, drawn));
    text = mermaid(d);
  }
  if (drawn > 0) out.push(fence(text, 'mermaid'), '');
  if (drawn < graph.connections.length) {
    out.push(`> The diagram shows ${drawn} of ${graph.connections.length} connections (GitHub renders Mermaid diagrams of up to 50,000 characters and 500 edges): give \`--connection ARN\` or \`--repository OWNER/NAME\`, or \`--format dot\`, for the rest.`, '');
  }

  const roles = new Map(graph.roles.map((r) => [r.ref, r]));
  out.push('## Paths', '', '| Connection | Repository | Pipeline or build | Runs as | Admin-equivalent | iam:PassRole on every role | UseConnection | sts:AssumeRole into other accounts |', '|---|---|---|---|---|---|---|---|');
  const rows: string[] = [];
  for (const c of graph.connections) {
    const conn = `${codeCell(c.arn)}${c.inSnapshot ? ` (${cell(c.providerType ?? '?')}, ${cell(c.status ?? '?')})` : ' (not in the snapshot)'}`;
    if (c.consumers.length === 0) rows.push(`| ${conn} | — | none | — | — | — | — | — |`);
    for (const consumer of c.consumers) {
      const repos = reposOf(c, consumer);
      const repoCell = repos.length > 0 ? repos.map((r) => codeCell(r)).join(', ') : '—';
      const what = `${consumer.kind === 'pipeline' ? 'pipeline' : consumer.kind === 'buildProject' ? 'build' : 'source credential'} ${codeCell(consumer.name)}${consumer.unresolvedBuilds ? `; runs unknown projects: ${cell(short(consumer.unresolvedBuilds.join('; ')))}` : ''}`;
      if (consumer.roles.length === 0) rows.push(`| ${conn} | ${repoCell} | ${what} | — | — | — | — | — |`);
      for (const r of consumer.roles) {
        const [roleCell, ...rest] = roleCells(roles.get(r.role), r.role);
        rows.push(`| ${conn} | ${repoCell} | ${what} | ${roleCell} (${cell(r.where)}) | ${rest.join(' | ')} |`);
      }
    }
  }
  out.push(...rows.slice(0, MAX_ROWS));
  if (rows.length > MAX_ROWS) out.push('', `> ${rows.length - MAX_ROWS} of ${rows.length} rows left out; \`--format json\` has them all.`);
  out.push('');

  out.push('## Who may use each connection', '', '| Connection | Principal | Access | Through |', '|---|---|---|---|');
  const access: string[] = [];
  for (const c of graph.connections) {
    const a = c.access;
    if (!a.evaluated) {
      access.push(`| ${codeCell(c.arn)} | unknown | unknown: ${cell(a.reason ?? '')} | — |`);
      continue;
    }
    if (!a.complete) access.push(`| ${codeCell(c.arn)} | unknown | IAM not read in full: ${cell(short(a.gaps.join('; ')))} | — |`);
    if (a.principals.length === 0 && a.complete) access.push(`| ${codeCell(c.arn)} | none of ${a.principalsEvaluated} | — | — |`);
    for (const p of a.principals) {
      const grants = p.grants.map((g) => `${cell(g.action.split(':')[1] ?? g.action)}: ${g.access === 'unconditional' ? '**unconditional**' : g.access}`).join(', ');
      const through = [...new Set(p.grants.map((g) => g.through).filter((t): t is string => t !== undefined))].map(cell).join('; ') || '—';
      access.push(`| ${codeCell(c.arn)} | ${codeCell(p.principal)} | ${grants} | ${through} |`);
    }
  }
  out.push(...access.slice(0, MAX_ROWS));
  if (access.length > MAX_ROWS) out.push('', `> ${access.length - MAX_ROWS} of ${access.length} rows left out; \`--format json\` has them all.`);
  out.push('', `${graph.note}`, '');
  return out.join('\n');
}
