// The template as a tree that remembers where each node was written (character offsets into the
// text), whichever syntax it came in: parse-yaml.ts and parse-json.ts both build it, so the
// reader, the intrinsics and the error messages handle one shape.

import { located } from '../../../errors.js';
import type { SourceLocation } from '../../../model/types.js';

interface Span {
  /** Offset of the node's first character. */
  start: number;
  /** Offset after the node's last character. */
  end: number;
}

export interface TScalar extends Span {
  kind: 'scalar';
  value: string | number | boolean | null;
}

export interface TMap extends Span {
  kind: 'map';
  /** Key nodes, in written order (their values are strings). */
  keys: TScalar[];
  values: TNode[];
}

export interface TSeq extends Span {
  kind: 'seq';
  items: TNode[];
}

export type TNode = TScalar | TMap | TSeq;

/** Line and column (1-based) of offsets, by binary search over line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  pos(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.starts[lo] as number) + 1 };
  }
}

/** A parsed template file: its tree and how to name places in it. */
export class TemplateText {
  readonly lines: LineIndex;

  constructor(
    /** Display path (relative to the working directory). */
    readonly file: string,
    readonly text: string,
    readonly root: TNode,
  ) {
    this.lines = new LineIndex(text);
  }

  /** `file:line:col: message` at the node's (or offset's) start. */
  at(node: Span | number, message: string): string {
    const p = this.lines.pos(typeof node === 'number' ? node : node.start);
    return located(this.file, message, p.line, p.col);
  }

  /** From `from`'s start through `to`'s last character (trailing blanks and newlines not counted). */
  location(from: Span, to: TNode | Span = from): SourceLocation {
    const s = this.lines.pos(from.start);
    let end = 'kind' in to ? contentEnd(to, this.text) : to.end;
    while (end > from.start && isBlank(this.text.charCodeAt(end - 1))) end--;
    const e = this.lines.pos(end);
    return { file: this.file, line: s.line, column: s.col, endLine: e.line, endColumn: e.col };
  }
}

/**
 * Where a node's content ends: a scalar's or flow collection's last character; a block
 * collection's last value's (the yaml package counts trailing comment lines into a block's
 * range in some layouts; a location ends with the last line that holds a value).
 */
export function contentEnd(node: TNode, text: string): number {
  let n: TNode = node;
  for (;;) {
    if (n.kind === 'scalar') return n.end;
    const c = text.charCodeAt(n.start);
    if (c === 0x5b || c === 0x7b) return n.end; // flow: `[…]`, `{…}`
    const last: TNode | undefined = n.kind === 'map' ? n.values[n.values.length - 1] : n.items[n.items.length - 1];
    if (last === undefined) return n.end;
    n = last;
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function get(map: TMap, key: string): TNode | undefined {
  const i = keyIndex(map, key);
  return i < 0 ? undefined : map.values[i];
}

export function keyIndex(map: TMap, key: string): number {
  for (let i = 0; i < map.keys.length; i++) if ((map.keys[i] as TScalar).value === key) return i;
  return -1;
}

/** The node as plain JSON values (no positions). */
export function plain(node: TNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plain);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < node.keys.length; i++) setKey(out, String((node.keys[i] as TScalar).value), plain(node.values[i] as TNode));
  return out;
}

/** `obj[key] = value`, also for a key named `__proto__` (which plain assignment would swallow). */
export function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
