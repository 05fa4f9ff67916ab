// Structural checks of `linkaudit graph` output, strict enough that a name breaking out of its
// label (a quote, a bracket, `-->`, `%%`, a newline, HTML) fails them.
import { expect } from 'vitest';

const SHAPES: Array<[string, string]> = [
  ['{{', '}}'],
  ['([', '])'],
  ['[/', '/]'],
  ['[(', ')]'],
  ['[[', ']]'],
  ['[', ']'],
  ['>', ']'],
  ['(', ')'],
];

/** Label text as the renderer may write it: plain characters, entity codes, and its own line breaks. */
function expectSafeMermaidLabel(label: string, line: string): void {
  const text = label.replace(/<br\/>/g, '');
  expect(text, line).toMatch(/^[A-Za-z0-9 ,.:/@_+=()#;-]*$/);
  // Every `#` starts an entity code, so no `#` or `;` of a name is read as one.
  expect(text.replace(/#\d+;/g, ''), line).not.toMatch(/[#;]/);
}

/**
 * A small structural parse of the Mermaid flowchart: every line is a node declaration, an edge, a
 * classDef or a class assignment; every node is declared once; every edge joins declared nodes.
 */
export function checkMermaid(text: string): { nodes: Set<string>; edges: Array<[string, string]> } {
  const lines = text.split('\n');
  expect(lines[0]).toBe('flowchart LR');
  const nodes = new Set<string>();
  const edges: Array<[string, string]> = [];
  const classed: string[] = [];
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (line === '') continue;
    const edge = /^(n\d+) (-->|-\.->)\|"([^"]*)"\| (n\d+)$/.exec(line);
    if (edge) {
      expectSafeMermaidLabel(edge[3] as string, line);
      edges.push([edge[1] as string, edge[4] as string]);
      continue;
    }
    if (/^classDef (admin|unknown) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#000$/.test(line)) continue;
    const cls = /^class (n\d+(?:,n\d+)*) (admin|unknown)$/.exec(line);
    if (cls) {
      classed.push(...(cls[1] as string).split(','));
      continue;
    }
    const id = /^(n\d+)/.exec(line)?.[1];
    expect(id, `not a node, edge or class line: ${line}`).toBeDefined();
    const rest = line.slice((id as string).length);
    const shape = SHAPES.find(([open, close]) => rest.startsWith(`${open}"`) && rest.endsWith(`"${close}`) && rest.length >= open.length + close.length + 2);
    expect(shape, `unknown node shape: ${line}`).toBeDefined();
    const [open, close] = shape as [string, string];
    const label = rest.slice(open.length + 1, rest.length - close.length - 1);
    expect(label, line).not.toContain('"');
    expectSafeMermaidLabel(label, line);
    expect(nodes.has(id as string), `declared twice: ${id}`).toBe(false);
    nodes.add(id as string);
  }
  for (const [from, to] of edges) {
    expect(nodes.has(from), `edge from undeclared ${from}`).toBe(true);
    expect(nodes.has(to), `edge to undeclared ${to}`).toBe(true);
  }
  for (const id of classed) expect(nodes.has(id), `class on undeclared ${id}`).toBe(true);
  expect(text).not.toContain('%%');
  return { nodes, edges };
}

/** Graphviz: each line a known statement, every label a well-formed quoted string. */
export function checkDot(text: string): { nodes: Set<string>; edges: number } {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('digraph linkaudit {');
  expect(lines.at(-1)).toBe('}');
  const QUOTED = '"((?:[^"\\\\\\n]|\\\\.)*)"';
  const node = new RegExp(`^  (n\\d+) \\[shape=\\w+, label=${QUOTED}(?:, style=filled, fillcolor="#[0-9a-f]{6}", color="#[0-9a-f]{6}")?\\];$`);
  const edge = new RegExp(`^  (n\\d+) -> (n\\d+) \\[label=${QUOTED}(?:, style=dashed)?\\];$`);
  const nodes = new Set<string>();
  let edges = 0;
  const ends: string[] = [];
  for (const line of lines.slice(1, -1)) {
    if (/^  (rankdir=LR|node \[fontname="Helvetica", fontsize=10\]|edge \[fontname="Helvetica", fontsize=9\]);$/.test(line)) continue;
    const n = node.exec(line);
    if (n) {
      expect(nodes.has(n[1] as string)).toBe(false);
      nodes.add(n[1] as string);
      continue;
    }
    const e = edge.exec(line);
    expect(e, `not a node or edge statement: ${line}`).not.toBeNull();
    ends.push((e as RegExpExecArray)[1] as string, (e as RegExpExecArray)[2] as string);
    edges++;
  }
  for (const id of ends) expect(nodes.has(id), `edge end ${id} undeclared`).toBe(true);
  return { nodes, edges };
}

/** Markdown outside code spans and fences: every `<` is escaped or one of the renderer's own line breaks. */
export function expectNoRawHtml(markdown: string): void {
  const outside = markdown
    .replace(/^(`{3,})mermaid\n[\s\S]*?\n\1$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
  expect(outside.replace(/<br>/g, '')).not.toMatch(/(^|[^\\])</);
}
