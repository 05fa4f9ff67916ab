// Where a resource is written: the `resource "TYPE" "NAME" {` block in a module's .tf files, its
// closing brace, and the lines of its top-level arguments and blocks. This is not an HCL parser:
// one linear pass that tracks strings (with `${…}` interpolations), heredocs, comments and
// brackets well enough to find blocks in files that `terraform plan` accepted. Hostile files
// (binary, unbalanced, huge) give fewer or no blocks, never an error: a missing location falls
// back to the plan file.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Span {
  line: number;
  column: number;
  endLine: number;
  /** Exclusive: the column after the span's last character. */
  endColumn: number;
}

export interface TfBlock extends Span {
  /** Relative to the directory scanned. */
  file: string;
  /** Top-level argument or nested block name → its span (first occurrence). */
  args: Map<string, Span>;
}

/** Bounds: a module directory's .tf files, one file's size, and what one plan's scan reads in all. */
export const MAX_TF_FILES = 2000;
export const MAX_TF_BYTES = 16 * 1024 * 1024;
export const MAX_TF_TOTAL_BYTES = 128 * 1024 * 1024;

/** Bytes a plan's scan may still read (shared by its module directories). */
export interface ReadBudget {
  bytes: number;
}
const MAX_STACK = 256;

/** Every `resource` block of the .tf files directly in `dir`, by `TYPE.NAME` (first declaration wins). */
export function scanModuleDir(dir: string, budget: ReadBudget = { bytes: MAX_TF_TOTAL_BYTES }): Map<string, TfBlock> {
  const out = new Map<string, TfBlock>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.tf')).sort();
  } catch {
    return out;
  }
  for (const name of names.slice(0, MAX_TF_FILES)) {
    const path = join(dir, name);
    let text: string;
    try {
      const st = statSync(path);
      if (!st.isFile() || st.size > MAX_TF_BYTES || st.size > budget.bytes) continue;
      budget.bytes -= st.size;
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const [key, block] of scanTf(text)) if (!out.has(key)) out.set(key, { ...block, file: name });
  }
  return out;
}

type Tok = { t: 'ident' | 'string' | 'open' | 'close' | 'eq' | 'nl' | 'other'; v: string; line: number; col: number; endLine: number; endCol: number };

/** The resource blocks of one file's text (`file` left empty). */
export function scanTf(text: string): Map<string, TfBlock> {
  const blocks = new Map<string, TfBlock>();
  const parser = new BlockParser(blocks);
  lex(text, (tok) => parser.push(tok));
  return blocks;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 45;
}

/**
 * Tokens of the top level only (strings are one token; interpolations inside them are skipped
 * with their own bracket counts). Every loop advances `i`, so the pass is linear.
 */
function lex(text: string, emit: (tok: Tok) => void): void {
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      emit({ t: 'nl', v: '', line, col: col(i), endLine: line, endCol: col(i) });
      newline(i);
      i++;
    } else if (c === 32 || c === 9 || c === 13) {
      i++;
    } else if (c === 35 || (c === 47 && text.charCodeAt(i + 1) === 47)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) newline(k);
      i = stop;
    } else if (c === 60 && text.charCodeAt(i + 1) === 60 && heredocAt(text, i)) {
      const startLine = line;
      const startCol = col(i);
      const { marker, bodyStart } = heredocAt(text, i) as { marker: string; bodyStart: number };
      // The body runs to a line holding only the marker (indented for `<<-`).
      let k = bodyStart;
      let endAt = n;
      newline(bodyStart - 1);
      while (k < n) {
        const nl = text.indexOf('\n', k);
        const lineEnd = nl < 0 ? n : nl;
        if (text.slice(k, lineEnd).trim() === marker) {
          endAt = lineEnd;
          break;
        }
        if (nl < 0) {
          k = n;
          break;
        }
        newline(nl);
        k = nl + 1;
      }
      i = endAt;
      emit({ t: 'other', v: '', line: startLine, col: startCol, endLine: line, endCol: col(i) });
    } else if (c === 34) {
      const startLine = line;
      const startCol = col(i);
      const r = skipString(text, i + 1, newline);
      i = r.end;
      emit({ t: 'string', v: r.simple ?? '', line: startLine, col: startCol, endLine: line, endCol: col(i) });
    } else if (c === 123 || c === 91 || c === 40) {
      emit({ t: 'open', v: text[i] as string, line, col: col(i), endLine: line, endCol: col(i) + 1 });
      i++;
    } else if (c === 125 || c === 93 || c === 41) {
      emit({ t: 'close', v: text[i] as string, line, col: col(i), endLine: line, endCol: col(i) + 1 });
      i++;
    } else if (c === 61) {
      const next = text.charCodeAt(i + 1);
      const prev = text.charCodeAt(i - 1);
      const operator = next === 61 || next === 62 || prev === 33 || prev === 60 || prev === 62 || prev === 61;
      emit({ t: operator ? 'other' : 'eq', v: '=', line, col: col(i), endLine: line, endCol: col(i) + 1 });
      i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      emit({ t: 'ident', v: text.slice(start, i), line, col: col(start), endLine: line, endCol: col(i) });
    } else {
      emit({ t: 'other', v: '', line, col: col(i), endLine: line, endCol: col(i) + 1 });
      i++;
    }
  }
}

/** `<<EOF` / `<<-EOF` then the end of the line: the marker and where the body starts. */
function heredocAt(text: string, i: number): { marker: string; bodyStart: number } | undefined {
  let k = i + 2;
  if (text[k] === '-') k++;
  const start = k;
  while (k < text.length && isIdentPart(text.charCodeAt(k))) k++;
  if (k === start || k - start > 256) return undefined;
  const marker = text.slice(start, k);
  while (k < text.length && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r')) k++;
  if (text[k] !== '\n') return undefined;
  return { marker, bodyStart: k + 1 };
}

/**
 * From just after an opening quote to just after its closing one. `${…}` and `%{…}` hold
 * expressions (with strings of their own): tracked on an explicit stack. A quoted string cannot
 * span lines in HCL, so a newline outside an interpolation ends an unterminated one (recovery).
 * `simple` is the content when it has no escapes or interpolations (resource types and names).
 */
function skipString(text: string, from: number, newline: (at: number) => void): { end: number; simple?: string } {
  const n = text.length;
  // Each entry: the bracket depth inside one interpolation; a string frame is -1.
  const stack: number[] = [-1];
  let plain = true;
  let i = from;
  while (i < n && stack.length > 0) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1] as number;
    if (top === -1) {
      if (c === 34) {
        stack.pop();
        i++;
        if (stack.length === 0) break;
      } else if (c === 92) {
        plain = false;
        i += 2;
      } else if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === 123) {
        plain = false;
        if (text.charCodeAt(i - 1) === c && text.charCodeAt(i - 2) !== c) {
          i += 2; // `$${` / `%%{`: a literal, not an interpolation
        } else {
          if (stack.length >= MAX_STACK) return { end: n };
          stack.push(0);
          i += 2;
        }
      } else if (c === 10) {
        if (stack.length === 1) return { end: i };
        newline(i);
        i++;
      } else {
        i++;
      }
    } else {
      if (c === 34) {
        if (stack.length >= MAX_STACK) return { end: n };
        stack.push(-1);
      } else if (c === 123) {
        stack[stack.length - 1] = top + 1;
      } else if (c === 125) {
        if (top === 0) stack.pop();
        else stack[stack.length - 1] = top - 1;
      } else if (c === 10) {
        newline(i);
      }
      i++;
    }
  }
  const end = Math.min(i, n);
  return plain && end - from <= 257 ? { end, simple: text.slice(from, end - 1) } : { end };
}

/** Streams tokens into `resource` blocks with their top-level arguments. */
class BlockParser {
  private depth = 0;
  /** Tokens seen at depth 0 since the last newline or block end, for `resource "T" "N" {`. */
  private head: Tok[] = [];
  private block: { key: string; start: Tok; args: Map<string, Span> } | undefined;
  private lineStart = false;
  /** The argument or nested block being read at depth 1. */
  private arg: { name: string; start: Tok; kind: 'arg' | 'block' | 'pending' } | undefined;
  private last: Tok | undefined;

  constructor(private readonly blocks: Map<string, TfBlock>) {}

  push(tok: Tok): void {
    if (this.block === undefined) this.outside(tok);
    else this.inside(tok);
    if (tok.t !== 'nl') this.last = tok;
  }

  private outside(tok: Tok): void {
    if (tok.t === 'open') {
      const [kw, type, name] = this.head;
      if (this.depth === 0 && this.head.length === 3 && kw?.v === 'resource' && type?.t === 'string' && name?.t === 'string' && tok.v === '{' && type.v && name.v) {
        this.block = { key: `${type.v}.${name.v}`, start: kw, args: new Map() };
        this.lineStart = true;
        this.arg = undefined;
      }
      this.depth++;
      this.head = [];
      return;
    }
    if (tok.t === 'close') {
      this.depth = Math.max(0, this.depth - 1);
      this.head = [];
      return;
    }
    if (tok.t === 'nl') {
      if (this.depth === 0 && this.head.length !== 3) this.head = [];
      return;
    }
    if (this.depth === 0) {
      if (this.head.length >= 3) this.head = [];
      if (this.head.length > 0 || (tok.t === 'ident' && tok.v === 'resource')) this.head.push(tok);
    }
  }

  private inside(tok: Tok): void {
    const block = this.block as NonNullable<BlockParser['block']>;
    if (tok.t === 'open') {
      if (this.depth === 1 && this.arg?.kind === 'pending' && tok.v === '{') this.arg.kind = 'block';
      this.depth++;
      this.lineStart = false;
      return;
    }
    if (tok.t === 'close') {
      this.depth--;
      if (this.depth === 1 && this.arg?.kind === 'block') this.endArg(tok);
      if (this.depth <= 0) {
        this.depth = 0;
        if (this.arg?.kind === 'arg' && this.last) this.endArg(this.last);
        this.blocks.set(block.key, { file: '', line: block.start.line, column: block.start.col, endLine: tok.endLine, endColumn: tok.endCol, args: block.args });
        this.block = undefined;
        this.arg = undefined;
        this.head = [];
      }
      return;
    }
    if (tok.t === 'nl') {
      if (this.depth === 1) {
        if (this.arg?.kind === 'arg' && this.last) this.endArg(this.last);
        if (this.arg?.kind === 'pending') this.arg = undefined;
        this.lineStart = true;
      }
      return;
    }
    if (this.depth !== 1) return;
    if (this.lineStart && tok.t === 'ident') {
      this.arg = { name: tok.v, start: tok, kind: 'pending' };
    } else if (this.arg?.kind === 'pending' && tok.t === 'eq') {
      this.arg.kind = 'arg';
    } else if (this.arg?.kind === 'pending' && tok.t !== 'string') {
      this.arg = undefined;
    }
    this.lineStart = false;
  }

  private endArg(end: Tok): void {
    const arg = this.arg;
    this.arg = undefined;
    if (!arg || !this.block || this.block.args.has(arg.name)) return;
    this.block.args.set(arg.name, { line: arg.start.line, column: arg.start.col, endLine: end.endLine, endColumn: end.endCol });
  }
}
