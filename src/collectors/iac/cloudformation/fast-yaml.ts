// A fast path for the YAML most templates are written in: block mappings and sequences, plain
// and quoted one-line scalars, one-line flow collections, `|` and simple `>` block scalars,
// short-form tags, comments. The yaml package reads a 5,000-resource template in well over a
// second; this reads it in a tenth of that. Anything outside that subset (anchors, multi-line
// scalars, YAML-only escapes, directives, tabs, CR line ends, an error of any kind) returns
// undefined and the caller reads
// the text with the yaml package, which then also reports the errors: this path never decides
// what a malformed document means. test/iac/cloudformation/reader-yaml.test.ts holds it to the
// yaml package's tree on every fixture and on generated templates.

import type { TMap, TNode, TScalar, TSeq } from './positions.js';
import { SHORT_TAGS } from './parse-yaml.js';

const MAX_DEPTH = 90;

class Bail extends Error {}

export function fastYamlTree(text: string): TNode | undefined {
  if (text.includes('\r') || text.includes('\t')) return undefined;
  try {
    return new FastYaml(text).document();
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

function bail(): never {
  throw new Bail();
}

/** Core-schema scalar typing, as the yaml package resolves plain scalars. */
export function plainValue(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Only what starts like a number, a null or a boolean needs a test.
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) {
    if (s === 'true' || s === 'True' || s === 'TRUE') return true;
    if (s === 'false' || s === 'False' || s === 'FALSE') return false;
    return s;
  }
  if (!((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e)) return s;
  if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  return s;
}

interface Line {
  /** Offset of the line's first character. */
  start: number;
  /** Offset of its first non-space character (== end for a blank or comment-only line). */
  content: number;
  /** Offset of the line end (the newline or the text end). */
  end: number;
  blank: boolean;
}

class FastYaml {
  private readonly lines: Line[] = [];
  private li = 0;

  constructor(private readonly s: string) {
    let start = 0;
    while (start <= s.length) {
      let end = s.indexOf('\n', start);
      if (end < 0) end = s.length;
      let content = start;
      while (content < end && s.charCodeAt(content) === 0x20) content++;
      const blank = content === end || s.charCodeAt(content) === 0x23;
      this.lines.push({ start, content, end, blank });
      if (end === s.length) break;
      start = end + 1;
    }
  }

  document(): TNode {
    this.skipBlank();
    const first = this.lines[this.li];
    if (!first) bail();
    const c = this.s.charCodeAt(first.content);
    // Directives, document markers: the yaml package's business.
    if (c === 0x25 || this.s.startsWith('---', first.content) || this.s.startsWith('...', first.content)) bail();
    if (first.content !== first.start) bail();
    const node = this.block(first.content - first.start, first.content, 0);
    if (this.peek() < this.lines.length) bail();
    return node;
  }

  /** The index of the next non-blank line after the current one (the cursor does not move). */
  private peek(): number {
    let i = this.li + 1;
    while (i < this.lines.length && (this.lines[i] as Line).blank) i++;
    return i;
  }

  private skipBlank(): void {
    while (this.li < this.lines.length && (this.lines[this.li] as Line).blank) this.li++;
  }

  private col(offset: number): number {
    return offset - (this.lines[this.li] as Line).start;
  }

  /** A block node whose first character is at `at` (column `indent`) on the current line. */
  private block(indent: number, at: number, depth: number): TNode {
    if (depth > MAX_DEPTH) bail();
    if (this.isSeqEntry(at)) return this.sequence(indent, at, depth);
    return this.mapping(indent, at, depth);
  }

  private isSeqEntry(at: number): boolean {
    if (this.s.charCodeAt(at) !== 0x2d) return false;
    const n = this.s.charCodeAt(at + 1);
    return n === 0x20 || n === 0x0a || Number.isNaN(n);
  }

  private sequence(indent: number, at: number, depth: number): TSeq {
    const items: TNode[] = [];
    const start = at;
    let end = at;
    let pos = at;
    for (;;) {
      const line = this.lines[this.li] as Line;
      // `- ` then the item: on the same line, or on the next lines (indented more).
      let p = pos + 1;
      while (p < line.end && this.s.charCodeAt(p) === 0x20) p++;
      let item: TNode;
      if (p >= line.end || this.s.charCodeAt(p) === 0x23) {
        // `-` alone: the item is the block on the next lines, indented more.
        const ni = this.peek();
        const next = this.lines[ni];
        if (!next || next.content - next.start <= indent) bail();
        this.li = ni;
        item = this.block(next.content - next.start, next.content, depth + 1);
      } else item = this.inlineOrBlock(indent, p, depth + 1, true);
      items.push(item);
      end = item.end;
      // The cursor stays on the last line consumed; the next entry is looked at, not taken.
      const ni = this.peek();
      const next = this.lines[ni];
      if (!next) break;
      const ncol = next.content - next.start;
      if (ncol < indent) break;
      if (ncol > indent) bail();
      if (!this.isSeqEntry(next.content)) break; // `Key:\n- a\nOther: …`: the mapping goes on
      this.li = ni;
      pos = next.content;
    }
    // A block collection ends with its last value here; the yaml package may count trailing
    // comment lines in, which positions.ts's contentEnd leaves out for both paths.
    return { kind: 'seq', items, start, end };
  }

  private mapping(indent: number, at: number, depth: number): TMap {
    const map: TMap = { kind: 'map', keys: [], values: [], start: at, end: at };
    const seen = new Set<string>();
    let pos = at;
    for (;;) {
      const line = this.lines[this.li] as Line;
      const key = this.key(pos, line.end);
      const k = String(key.value);
      if (seen.has(k)) bail();
      seen.add(k);
      // After `key:` — a space and the value, or the line end (the value is on the next lines).
      let p = key.end + 1;
      while (p < line.end && this.s.charCodeAt(p) === 0x20) p++;
      let value: TNode;
      if (p >= line.end || this.s.charCodeAt(p) === 0x23) {
        value = this.nextBlock(indent, key.end + 1, depth + 1, true);
      } else value = this.inlineOrBlock(indent, p, depth + 1, false);
      map.keys.push(key);
      map.values.push(value);
      map.end = value.end;
      const ni = this.peek();
      const next = this.lines[ni];
      if (!next) break;
      const ncol = next.content - next.start;
      if (ncol < indent) break;
      if (ncol > indent) bail();
      if (this.isSeqEntry(next.content)) break; // a sequence at the parent key's indent ends this mapping's value
      this.li = ni;
      pos = next.content;
    }
    return map;
  }

  /**
   * The value of `key:` with nothing after it on the line: a block on the next lines, indented
   * more (or a sequence at the key's own indent); none is null (the yaml package places it
   * right after the colon).
   */
  private nextBlock(indent: number, nullAt: number, depth: number, allowSeqAtIndent: boolean): TNode {
    this.li++;
    this.skipBlank();
    const next = this.lines[this.li];
    const ncol = next ? next.content - next.start : -1;
    if (next && (ncol > indent || (allowSeqAtIndent && ncol === indent && this.isSeqEntry(next.content)))) {
      return this.block(ncol, next.content, depth);
    }
    // The yaml package gives such a null a range only in some layouts: left to it.
    bail();
    return { kind: 'scalar', value: null, start: nullAt, end: nullAt };
  }

  /** A plain or quoted key at `p`, followed by `:` and a space or the line end. */
  private key(p: number, lineEnd: number): TScalar {
    const s = this.s;
    const c = s.charCodeAt(p);
    let end: number;
    let value: string | number | boolean | null;
    if (c === 0x22 || c === 0x27) {
      const q = this.quoted(p, lineEnd);
      end = q.end;
      value = q.value as string;
    } else {
      if (isIndicator(c)) bail();
      // The first colon followed by a space or the line end (`Fn::Sub:` is one key).
      let colon = s.indexOf(':', p);
      while (colon >= 0 && colon < lineEnd && !(colon + 1 >= lineEnd || s.charCodeAt(colon + 1) === 0x20)) colon = s.indexOf(':', colon + 1);
      if (colon < 0 || colon >= lineEnd) bail();
      end = colon;
      const raw = s.slice(p, end);
      if (/[#[\]{},"']|\s$/.test(raw)) bail();
      value = plainValue(raw);
    }
    const after = s.charCodeAt(end + 1);
    if (s.charCodeAt(end) !== 0x3a || !(after === 0x20 || end + 1 >= lineEnd)) bail();
    return { kind: 'scalar', value: String(value), start: p, end };
  }

  /**
   * A value starting at `p` on the current line: a tag (then the value inline or on the next
   * lines), a compact mapping (`- Key: v` in a sequence), a nested sequence (`- - x`), a flow
   * collection, or a scalar. Leaves the cursor on the value's last line.
   */
  private inlineOrBlock(indent: number, p: number, depth: number, inSeq: boolean): TNode {
    if (depth > MAX_DEPTH) bail();
    const s = this.s;
    const line = this.lines[this.li] as Line;
    const c = s.charCodeAt(p);
    if (c === 0x21) {
      let e = p;
      while (e < line.end && s.charCodeAt(e) !== 0x20) e++;
      const tag = s.slice(p, e);
      const long = SHORT_TAGS.get(tag);
      if (long === undefined) bail();
      let q = e;
      while (q < line.end && s.charCodeAt(q) === 0x20) q++;
      let value: TNode;
      if (q >= line.end || s.charCodeAt(q) === 0x23) value = this.nextBlock(indent, e, depth + 1, false);
      else {
        const v = s.charCodeAt(q);
        if (v === 0x21 || this.isSeqEntry(q)) bail();
        value = this.scalarOrFlow(q, indent, depth + 1, true);
      }
      return this.tagged(long, tag, p, value);
    }
    if (inSeq) {
      if (this.isSeqEntry(p)) return this.sequence(this.col(p), p, depth);
      if (this.looksLikeKey(p, line.end)) return this.mapping(this.col(p), p, depth);
    } else if (this.isSeqEntry(p)) bail();
    if (!inSeq && this.looksLikeKey(p, line.end)) bail();
    return this.scalarOrFlow(p, indent, depth, false);
  }

  private tagged(long: string, tag: string, at: number, value: TNode): TNode {
    let v = value;
    if (long === 'Fn::GetAtt' && v.kind === 'scalar') {
      if (typeof v.value !== 'string') bail();
      const dot = v.value.indexOf('.');
      if (dot <= 0 || dot === v.value.length - 1) bail();
      v = {
        kind: 'seq',
        items: [
          { kind: 'scalar', value: v.value.slice(0, dot), start: v.start, end: v.start + dot },
          { kind: 'scalar', value: v.value.slice(dot + 1), start: v.start + dot + 1, end: v.end },
        ],
        start: v.start,
        end: v.end,
      };
    }
    return { kind: 'map', keys: [{ kind: 'scalar', value: long, start: at, end: at + tag.length }], values: [v], start: at, end: v.end };
  }

  /** Whether the text at `p` is `key: …` (a plain or quoted key, a colon, a space or line end). */
  private looksLikeKey(p: number, lineEnd: number): boolean {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === 0x5b || c === 0x7b) return false;
    if (c === 0x22 || c === 0x27) {
      const close = s.indexOf(String.fromCharCode(c), p + 1);
      return close > 0 && close < lineEnd && s.charCodeAt(close + 1) === 0x3a;
    }
    for (let i = p; i < lineEnd; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 0x3a && (i + 1 >= lineEnd || s.charCodeAt(i + 1) === 0x20)) return true;
      if (ch === 0x23 && s.charCodeAt(i - 1) === 0x20) return false;
    }
    return false;
  }

  /** A one-line scalar or flow collection at `p`; the rest of the line must be blank or a comment, and no continuation may follow. */
  private scalarOrFlow(p: number, indent: number, depth: number, tagged: boolean): TNode {
    const s = this.s;
    const line = this.lines[this.li] as Line;
    const c = s.charCodeAt(p);
    let node: TNode;
    let after: number;
    if (c === 0x7c || c === 0x3e) return this.blockScalar(p, indent, c === 0x3e);
    if (c === 0x5b || c === 0x7b) {
      const r = this.flow(p, line.end, depth);
      node = r;
      after = r.end;
    } else if (c === 0x22 || c === 0x27) {
      node = this.quoted(p, line.end);
      after = node.end;
    } else {
      if (isIndicator(c) && !(c === 0x2d || c === 0x3f || c === 0x3a)) bail();
      let e = p;
      for (; e < line.end; e++) {
        const ch = s.charCodeAt(e);
        if (ch === 0x23 && s.charCodeAt(e - 1) === 0x20) break;
        if (ch === 0x3a && (e + 1 >= line.end || s.charCodeAt(e + 1) === 0x20)) bail();
      }
      while (e > p && s.charCodeAt(e - 1) === 0x20) e--;
      const raw = s.slice(p, e);
      node = { kind: 'scalar', value: tagged ? raw : plainValue(raw), start: p, end: e };
      after = e;
    }
    while (after < line.end && s.charCodeAt(after) === 0x20) after++;
    if (after < line.end && !(s.charCodeAt(after) === 0x23 && s.charCodeAt(after - 1) === 0x20)) bail();
    // A following line indented more would continue a plain or quoted scalar: not this path's.
    const next = this.lines[this.peek()];
    // Indented more than the value's container: a continuation line (or a mistake).
    if (next && indentOf(next) > indent) bail();
    return node;
  }

  /**
   * A block scalar (`|`, `|-`, `|+`, `>`, `>-`, `>+` alone after its key), as UserData, scripts
   * and long descriptions are written: its lines from the first one's indentation, newlines kept
   * (literal) or folded into spaces (folded: a line break between two text lines is a space, each
   * empty line a newline), chomped as marked. An explicit indentation indicator, a comment after
   * the indicator, a first line that is empty, lines of spaces only, and a folded scalar with
   * more-indented lines are left to the yaml package. The cursor ends on its last line.
   */
  private blockScalar(p: number, indent: number, folded: boolean): TScalar {
    const s = this.s;
    const line = this.lines[this.li] as Line;
    const mark = s.charCodeAt(p + 1);
    const chomp = mark === 0x2d ? 'strip' : mark === 0x2b ? 'keep' : 'clip';
    const q = chomp === 'clip' ? p + 1 : p + 2;
    if (q !== line.end) bail();
    const first = this.lines[this.li + 1];
    if (!first || first.content === first.end) bail();
    const blockIndent = first.content - first.start;
    if (blockIndent <= indent) bail();
    const parts: string[] = [];
    let last = this.li;
    let trailing = 0;
    let j = this.li + 1;
    for (; j < this.lines.length; j++) {
      const l = this.lines[j] as Line;
      if (l.content === l.end) {
        if (l.end > l.start) bail();
        if (l.end === s.length) break; // the text's end, not a line
        parts.push('');
        trailing++;
        continue;
      }
      if (l.content - l.start < blockIndent) break;
      if (folded && l.content - l.start > blockIndent) bail();
      parts.push(s.slice(l.start + blockIndent, l.end));
      last = j;
      trailing = 0;
    }
    const body = parts.slice(0, parts.length - trailing);
    let value = folded ? foldLines(body) : body.join('\n');
    if (chomp === 'clip') value += '\n';
    else if (chomp === 'keep') value += '\n'.repeat(trailing + 1);
    const endLine = this.lines[chomp === 'keep' ? last + trailing : last] as Line;
    this.li = chomp === 'keep' ? last + trailing : last;
    return { kind: 'scalar', value, start: p, end: endLine.end < s.length ? endLine.end + 1 : endLine.end };
  }

  private quoted(p: number, lineEnd: number): TScalar {
    const s = this.s;
    const q = s.charCodeAt(p);
    let value = '';
    let i = p + 1;
    let escaped = false;
    for (;;) {
      if (i >= lineEnd) bail();
      const ch = s.charCodeAt(i);
      if (q === 0x22 && ch === 0x5c) {
        // The escapes YAML and JSON share mean the same in both; YAML's others are the yaml package's.
        const e = s.charCodeAt(i + 1);
        if (e === 0x75 ? !/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6)) : !(e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) bail();
        escaped = true;
        i += 2;
        continue;
      }
      if (ch === q) {
        if (q === 0x27 && s.charCodeAt(i + 1) === 0x27) {
          value += "'";
          i += 2;
          continue;
        }
        break;
      }
      value += s[i];
      i++;
    }
    if (escaped) {
      try {
        value = JSON.parse(s.slice(p, i + 1)) as string;
      } catch {
        bail(); // a raw control character, which JSON refuses and YAML may take
      }
    }
    return { kind: 'scalar', value, start: p, end: i + 1 };
  }

  /** A flow collection that opens and closes on this line. */
  private flow(p: number, lineEnd: number, depth: number): TMap | TSeq {
    if (depth > MAX_DEPTH) bail();
    const s = this.s;
    const open = s.charCodeAt(p);
    const close = open === 0x5b ? 0x5d : 0x7d;
    let i = p + 1;
    const ws = (): void => {
      while (i < lineEnd && s.charCodeAt(i) === 0x20) i++;
    };
    const items: TNode[] = [];
    const keys: TScalar[] = [];
    const seen = new Set<string>();
    ws();
    if (s.charCodeAt(i) === close) return open === 0x5b ? { kind: 'seq', items, start: p, end: i + 1 } : { kind: 'map', keys, values: items, start: p, end: i + 1 };
    for (;;) {
      if (open === 0x7b) {
        const key = this.flowScalar(i, lineEnd, true);
        if (key.kind !== 'scalar' || s.charCodeAt(key.end) !== 0x3a || s.charCodeAt(key.end + 1) !== 0x20) bail();
        const k = String(key.value);
        if (seen.has(k)) bail();
        seen.add(k);
        keys.push({ kind: 'scalar', value: k, start: key.start, end: key.end });
        i = key.end + 1;
        ws();
      }
      const v = this.flowValue(i, lineEnd, depth + 1);
      items.push(v);
      i = v.end;
      ws();
      const ch = s.charCodeAt(i);
      if (ch === 0x2c) {
        i++;
        ws();
        if (s.charCodeAt(i) === close) bail(); // a trailing comma: the yaml package's call
        continue;
      }
      if (ch === close) return open === 0x5b ? { kind: 'seq', items, start: p, end: i + 1 } : { kind: 'map', keys, values: items, start: p, end: i + 1 };
      bail();
    }
  }

  private flowValue(i: number, lineEnd: number, depth: number): TNode {
    const s = this.s;
    const c = s.charCodeAt(i);
    if (c === 0x21) {
      let e = i;
      while (e < lineEnd && s.charCodeAt(e) !== 0x20 && s.charCodeAt(e) !== 0x2c && s.charCodeAt(e) !== 0x5d && s.charCodeAt(e) !== 0x7d) e++;
      const tag = s.slice(i, e);
      const long = SHORT_TAGS.get(tag);
      if (long === undefined || s.charCodeAt(e) !== 0x20) bail();
      let q = e;
      while (q < lineEnd && s.charCodeAt(q) === 0x20) q++;
      const inner = s.charCodeAt(q);
      if (inner === 0x21) bail();
      const value = inner === 0x5b || inner === 0x7b ? this.flow(q, lineEnd, depth + 1) : this.flowScalar(q, lineEnd, false, true);
      return this.tagged(long, tag, i, value);
    }
    if (c === 0x5b || c === 0x7b) return this.flow(i, lineEnd, depth + 1);
    const v = this.flowScalar(i, lineEnd, false);
    // `[a: b]` is a mapping in a sequence: the yaml package's call.
    if (s.charCodeAt(v.end) === 0x3a) bail();
    return v;
  }

  /** A scalar inside a flow collection: quoted, or plain up to `,`, `]`, `}`, `: ` or ` #`. */
  private flowScalar(i: number, lineEnd: number, isKey: boolean, tagged = false): TScalar {
    const s = this.s;
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x27) return this.quoted(i, lineEnd);
    if (isIndicator(c) && !(c === 0x2d && s.charCodeAt(i + 1) !== 0x20)) bail();
    let e = i;
    for (; e < lineEnd; e++) {
      const ch = s.charCodeAt(e);
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d || ch === 0x5b || ch === 0x7b) break;
      if (ch === 0x3a) {
        if (isKey) break;
        // `a: b`, `a:,` `a:]`: a pair inside a flow collection, the yaml package's call.
        const n = s.charCodeAt(e + 1);
        if (e + 1 >= lineEnd || n === 0x20 || n === 0x2c || n === 0x5d || n === 0x7d || n === 0x5b || n === 0x7b) bail();
      }
      if (ch === 0x23 && s.charCodeAt(e - 1) === 0x20) bail();
    }
    if (e >= lineEnd) bail();
    let end = e;
    while (end > i && s.charCodeAt(end - 1) === 0x20) end--;
    if (end === i) bail();
    const raw = s.slice(i, end);
    return { kind: 'scalar', value: tagged ? raw : plainValue(raw), start: i, end };
  }
}

/** Folded-scalar lines: text lines joined by a space, each run of n empty lines between two text lines n newlines. */
function foldLines(lines: string[]): string {
  let out = '';
  let empties = 0;
  let started = false;
  for (const l of lines) {
    if (l === '') {
      empties++;
      continue;
    }
    if (started) out += empties > 0 ? '\n'.repeat(empties) : ' ';
    else if (empties > 0) out += '\n'.repeat(empties);
    out += l;
    started = true;
    empties = 0;
  }
  return out;
}

function indentOf(line: Line): number {
  return line.content - line.start;
}

/** Characters a plain scalar may not start with (YAML 1.2 c-indicator). */
function isIndicator(c: number): boolean {
  return c === 0x2d || c === 0x3f || c === 0x3a || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x23 || c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e || c === 0x27 || c === 0x22 || c === 0x25 || c === 0x40 || c === 0x60;
}
