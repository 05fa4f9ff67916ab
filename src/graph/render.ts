// `linkaudit graph` output: Mermaid, Graphviz, Markdown (Mermaid + tables) and JSON. Every label
// holds names from the estate (attacker-controlled): each syntax gets its own escaping, so no name
// can end a label, add a node or edge, start a comment, or carry HTML.
import { escapeControlCharsKeepLayout } from '../io/untrusted-text.js';
import { cell, codeCell, fence } from '../reporters/markdown.js';
import type { BlastGraph, GraphCapability, GraphConnection, GraphConsumer, GraphRole } from './build.js';
import { accountWideOf, diagramOf, short, type Diagram, type DiagramEdge, type DiagramNode } from './diagram.js';
import { pushAll } from '../arrays.js';

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

/** One node declaration or edge, as the diagram writes it. */
function mermaidLine(item: DiagramNode | DiagramEdge): string {
  if ('from' in item) return `  ${item.from} ${item.dotted ? '-.->' : '-->'}|"${mermaidText(item.label)}"| ${item.to}`;
  const [open, close] = MERMAID_SHAPES[item.kind];
  return `  ${item.id}${open}"${item.lines.map(mermaidText).join('<br/>')}"${close}`;
}

export function mermaid(d: Diagram): string {
  const lines = ['flowchart LR'];
  for (const n of d.nodes) lines.push(mermaidLine(n));
  for (const e of d.edges) lines.push(mermaidLine(e));
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

function diagramOrder(graph: BlastGraph): GraphConnection[] {
  const admin = new Set(graph.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').map((r) => r.ref));
  const score = (c: GraphConnection): number => c.consumers.filter((x) => x.roles.some((r) => admin.has(r.role))).length;
  return graph.connections
    .map((c, i) => ({ c, i, admin: score(c), consumers: c.consumers.length }))
    .sort((a, b) => b.admin - a.admin || b.consumers - a.consumers || a.i - b.i)
    .map((x) => x.c);
}

function markdown(graph: BlastGraph): string {
  const out: string[] = ['# linkaudit graph: repository blast radius', ''];
  const sel = graph.selection.connection !== undefined ? ` for connection ${codeCell(graph.selection.connection)}` : graph.selection.repository !== undefined ? ` for repository ${codeCell(graph.selection.repository)}` : '';
  const admin = graph.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').length;
  const unknown = graph.roles.filter((r) => r.state !== 'found' || r.capabilities?.adminEquivalent.verdict === 'unknown').length;
  out.push(`${graph.connections.length} connection(s)${sel}; ${graph.roles.length} role(s) reached, ${admin} admin-equivalent, ${unknown} unknown. Snapshot taken ${cell(graph.snapshot.generatedAt)} (source ${cell(graph.snapshot.source.kind)}).`, '');

  // As many connections as fit GitHub's Mermaid limits, those that reach admin-equivalent roles
  // first, then those with the most consumers; the tables cover every one.
  const d = diagramOf(graph, diagramOrder(graph), { maxEdges: MERMAID_MAX_EDGES, maxSize: MERMAID_MAX_CHARS - 1000, size: (item) => mermaidLine(item).length + 1 + ('mark' in item && item.mark ? item.id.length + 1 : 0) });
  const drawn = d.drawn;
  if (drawn > 0) out.push(fence(mermaid(d), 'mermaid'), '');
  if (drawn < graph.connections.length) {
    out.push(`> The diagram shows ${drawn} of ${graph.connections.length} connections (GitHub renders Mermaid diagrams of up to 50,000 characters and 500 edges): give \`--connection ARN\` or \`--repository OWNER/NAME\`, or \`--format dot\`, for the rest.`, '');
  }

  const roles = new Map(graph.roles.map((r) => [r.ref, r]));
  out.push('## Paths', '', '| Connection | Repository | Pipeline or build | Runs as | Admin-equivalent | iam:PassRole on every role | UseConnection | sts:AssumeRole into other accounts |', '|---|---|---|---|---|---|---|---|');
  // Admin-equivalent roles first, then unknown ones; rows are rendered up to the cap only.
  const rows: Array<{ rank: number; render: () => string }> = [];
  const unused: string[] = [];
  for (const c of graph.connections) {
    if (c.consumers.length === 0) {
      unused.push(c.arn);
      continue;
    }
    const conn = (): string => `${codeCell(c.arn)}${c.inSnapshot ? ` (${cell(c.providerType ?? '?')}, ${cell(c.status ?? '?')})` : ' (not in the snapshot)'}`;
    for (const consumer of c.consumers) {
      const head = (): string => {
        const repos = reposOf(c, consumer);
        const repoCell = repos.length > 0 ? repos.map((r) => codeCell(r)).join(', ') : '—';
        const what = `${consumer.kind === 'pipeline' ? 'pipeline' : consumer.kind === 'buildProject' ? 'build' : 'source credential'} ${codeCell(consumer.name)}${consumer.unresolvedBuilds ? `; runs unknown projects: ${cell(short(consumer.unresolvedBuilds.join('; ')))}` : ''}`;
        return `| ${conn()} | ${repoCell} | ${what}`;
      };
      if (consumer.roles.length === 0) rows.push({ rank: 2, render: () => `${head()} | — | — | — | — | — |` });
      for (const r of consumer.roles) {
        const role = roles.get(r.role);
        const verdict = role?.capabilities?.adminEquivalent.verdict;
        rows.push({
          rank: verdict === 'yes' ? 0 : verdict === 'no' ? 2 : 1,
          render: () => {
            const [roleCell, ...rest] = roleCells(role, r.role);
            return `${head()} | ${roleCell} (${cell(r.where)}) | ${rest.join(' | ')} |`;
          },
        });
      }
    }
  }
  // A stable sort: within a rank, the graph's (ARN) order.
  const ranked = rows.map((r, i) => ({ ...r, i })).sort((a, b) => a.rank - b.rank || a.i - b.i);
  out.push(...ranked.slice(0, MAX_ROWS).map((r) => r.render()));
  if (rows.length > MAX_ROWS) out.push('', `> ${rows.length - MAX_ROWS} of ${rows.length} rows left out (admin-equivalent and unknown roles come first); \`--format json\` has them all.`);
  if (unused.length > 0) {
    const shown = unused.slice(0, 20).map((a) => codeCell(a)).join(', ');
    out.push('', `${unused.length} connection(s) that no pipeline, build project or source credential in the snapshot uses: ${shown}${unused.length > 20 ? `, and ${unused.length - 20} more` : ''}.`);
  }
  out.push('');

  out.push('## Who may use each connection', '', '| Connection | Principal | Access | Through |', '|---|---|---|---|');
  // Rows past the cap are counted, not rendered: the whole estate has tens of thousands.
  const access: string[] = [];
  let accessRows = 0;
  const row = (render: () => string): void => {
    if (accessRows++ < MAX_ROWS) access.push(render());
  };
  for (const c of graph.connections) {
    const a = c.access;
    if (!a.evaluated) {
      row(() => `| ${codeCell(c.arn)} | unknown | unknown: ${cell(a.reason ?? '')} | — |`);
      continue;
    }
    if (!a.complete) row(() => `| ${codeCell(c.arn)} | unknown | IAM not read in full: ${cell(short(a.gaps.join('; ')))} | — |`);
    const wide = accountWideOf(graph, c);
    if (wide && wide.principals.length > 0) row(() => `| ${codeCell(c.arn)} | the ${wide.principals.length} of account ${cell(wide.account)} below | same for every ${cell(wide.prefix)} connection of the account | — |`);
    if (a.principals.length === 0 && a.complete && !(wide && wide.principals.length > 0)) row(() => `| ${codeCell(c.arn)} | none of ${a.principalsEvaluated} | — | — |`);
    for (const p of a.principals) {
      row(() => {
        const grants = p.grants.map((g) => `${cell(g.action.split(':')[1] ?? g.action)}: ${g.access === 'unconditional' ? '**unconditional**' : g.access}`).join(', ');
        const through = [...new Set(p.grants.map((g) => g.through).filter((t): t is string => t !== undefined))].map(cell).join('; ') || '—';
        return `| ${codeCell(c.arn)} | ${codeCell(p.principal)} | ${grants} | ${through} |`;
      });
    }
  }
  pushAll(out, access);
  if (accessRows > MAX_ROWS) out.push('', `> ${accessRows - MAX_ROWS} of ${accessRows} rows left out; \`--format json\` has them all.`);
  out.push('');
  if (graph.accountAccess.some((a) => a.principals.length > 0)) {
    out.push('## Who may use every connection of an account', '', 'Their access does not depend on which connection (Resource `*` or every connection, no tag condition): listed once per account and prefix.', '', '| Account | Prefix | Principal | Access | Through |', '|---|---|---|---|---|');
    const wide: string[] = [];
    for (const a of graph.accountAccess) {
      for (const p of a.principals) {
        const grants = p.grants.map((g) => `${cell(g.action.split(':')[1] ?? g.action)}: ${g.access === 'unconditional' ? '**unconditional**' : g.access}`).join(', ');
        const through = [...new Set(p.grants.map((g) => g.through).filter((t): t is string => t !== undefined))].map(cell).join('; ') || '—';
        wide.push(`| ${cell(a.account)} | ${cell(a.prefix)} | ${codeCell(p.principal)} | ${grants} | ${through} |`);
      }
    }
    out.push(...wide.slice(0, MAX_ROWS));
    if (wide.length > MAX_ROWS) out.push('', `> ${wide.length - MAX_ROWS} of ${wide.length} rows left out; \`--format json\` has them all.`);
    out.push('');
  }
  out.push(`${graph.note}`, '');
  return out.join('\n');
}
