// YAML templates → the positioned tree, with CloudFormation's short-form tags (`!Ref X`,
// `!GetAtt A.B`, `!Sub …`) rewritten to the long form (`{Ref: X}`, `{"Fn::GetAtt": [A, B]}`) they
// stand for, so everything after parsing sees one form. Limits as src/io/yaml-source.ts sets them:
// nesting depth, and aliases bounded by how much they expand (a "billion laughs" document).

import type { Document, Node } from 'yaml';
import { yamlLib } from '../../../io/yaml-lib.js';
import { UserError } from '../../../errors.js';
import { MAX_NESTING_DEPTH } from '../../../io/input-limits.js';
import { LineIndex, type TMap, type TNode, type TScalar } from './positions.js';
import { clip } from './intrinsics.js';
import { located } from '../../../errors.js';

/** Short-form tag → the long-form key it stands for. */
export const SHORT_TAGS: ReadonlyMap<string, string> = new Map([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ...['Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Equals', 'And', 'Or', 'Not', 'Transform', 'ToJsonString', 'Length'].map(
    (n) => [`!${n}`, `Fn::${n}`] as [string, string],
  ),
]);

/**
 * How many nodes aliases may add beyond the document's own: a template has no reason to expand
 * anchors into more than this, and a few lines of nested aliases would otherwise expand to
 * gigabytes.
 */
const MAX_ALIAS_NODES = 10_000;

export function parseYamlTree(text: string, file: string): TNode {
  const lines = new LineIndex(text);
  const at = (offset: number, msg: string): UserError => {
    const p = lines.pos(offset);
    return new UserError(located(file, msg, p.line, p.col));
  };
  const { isAlias, isMap, isScalar, isSeq, parseDocument } = yamlLib();
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  } catch (err) {
    if (err instanceof RangeError) throw new UserError(located(file, `YAML nests too deeply (more than ${MAX_NESTING_DEPTH} levels are refused)`));
    throw err;
  }
  const err = doc.errors[0];
  if (err) {
    const why = /call stack/i.test(err.message) ? `YAML nests too deeply (more than ${MAX_NESTING_DEPTH} levels are refused)` : `YAML syntax error: ${err.message.split('\n')[0] ?? err.message}`;
    throw at(err.pos[0], why);
  }
  if (doc.contents === null) throw at(0, 'template is empty');
  let aliasNodes = 0;

  // `aliasAt`: where the alias being expanded is written (its copies' positions are the anchor's).
  const walk = (node: unknown, depth: number, aliasAt: number | undefined): TNode => {
    if (depth >= MAX_NESTING_DEPTH) throw at(rangeOf(node)[0], `nests more than ${MAX_NESTING_DEPTH} levels deep`);
    if (aliasAt !== undefined && ++aliasNodes > MAX_ALIAS_NODES) throw at(aliasAt, `YAML aliases expand too much (more than ${MAX_ALIAS_NODES} nodes); write the values out, or use fewer aliases`);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw at(rangeOf(node)[0], `YAML alias *${node.source} is used before its anchor &${node.source} is set`);
      return walk(target, depth, aliasAt ?? rangeOf(node)[0]);
    }
    const [start, end] = rangeOf(node);
    const tag = (node as Node).tag;
    let out: TNode;
    if (isScalar(node)) {
      const v = node.value;
      const value = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : typeof v === 'bigint' ? Number(v) : String(v);
      out = { kind: 'scalar', value, start, end };
    } else if (isMap(node)) {
      const map: TMap = { kind: 'map', keys: [], values: [], start, end };
      for (const pair of node.items) {
        const k = pair.key;
        if (!isScalar(k)) throw at(k && typeof k === 'object' && 'range' in k ? rangeOf(k)[0] : start, 'a mapping key must be a plain value (a string)');
        const [ks, ke] = rangeOf(k);
        map.keys.push({ kind: 'scalar', value: String(k.value), start: ks, end: ke });
        map.values.push(pair.value === null || pair.value === undefined ? { kind: 'scalar', value: null, start: ke, end: ke } : walk(pair.value, depth + 1, aliasAt));
      }
      out = map;
    } else if (isSeq(node)) {
      out = { kind: 'seq', items: node.items.map((it) => (it === null || it === undefined ? { kind: 'scalar', value: null, start, end: start } : walk(it, depth + 1, aliasAt))), start, end };
    } else {
      throw at(start, 'unexpected YAML node');
    }
    if (tag === undefined || tag.startsWith('tag:yaml.org,2002:')) return out;
    return shortForm(tag, out, start, end);
  };

  const shortForm = (tag: string, node: TNode, start: number, end: number): TNode => {
    // The yaml package's range starts at the value; the tag is written before it. Searched in a
    // bounded window before the value, so a tag written otherwise costs no rescan.
    const windowStart = Math.max(0, start - tag.length - 256);
    const inWindow = text.slice(windowStart, start).lastIndexOf(tag);
    const from = inWindow >= 0 ? windowStart + inWindow : start;
    const long = SHORT_TAGS.get(tag);
    if (long === undefined) throw at(from, `unknown tag ${clip(tag)} (CloudFormation's short forms are ${[...SHORT_TAGS.keys()].join(' ')})`);
    let value: TNode = node;
    if (long === 'Fn::GetAtt' && node.kind === 'scalar' && typeof node.value === 'string') {
      // `!GetAtt Res.Attr`: the resource is up to the first dot, the attribute the rest (`Outputs.X`).
      const dot = node.value.indexOf('.');
      if (dot <= 0 || dot === node.value.length - 1) throw at(from, `!GetAtt ${node.value}: expected LogicalId.Attribute`);
      const resource: TScalar = { kind: 'scalar', value: node.value.slice(0, dot), start: node.start, end: node.start + dot };
      const attribute: TScalar = { kind: 'scalar', value: node.value.slice(dot + 1), start: node.start + dot + 1, end: node.end };
      value = { kind: 'seq', items: [resource, attribute], start: node.start, end: node.end };
    }
    const key: TScalar = { kind: 'scalar', value: long, start: from, end: from + tag.length };
    return { kind: 'map', keys: [key], values: [value], start: from, end };
  };

  return walk(doc.contents, 0, undefined);
}

function rangeOf(node: unknown): [number, number] {
  const r = (node as Node | undefined)?.range;
  return r ? [r[0], r[1]] : [0, 0];
}
