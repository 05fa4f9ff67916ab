import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { UserError, located } from '../errors.js';
import { MAX_NESTING_DEPTH } from './input-limits.js';
import { bestProblem, validator, type SchemaName } from '../schema/validate.js';

/** A parsed YAML file that can say where any value came from (for file:line:col errors). */
export class YamlSource {
  readonly data: unknown;
  private readonly lines: LineCounter = new (yamlLib().LineCounter)();
  private readonly doc: Document;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = yamlLib().parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const err = this.doc.errors[0];
    if (err) {
      const pos = this.lines.linePos(err.pos[0]);
      // The parser records its own stack overflow as an error at the place it reached.
      const why = /call stack/i.test(err.message) ? `YAML nests too deeply (more than ${MAX_NESTING_DEPTH} levels are refused)` : `YAML syntax error: ${firstLine(err.message)}`;
      throw new UserError(located(file, why, pos.line, pos.col));
    }
    this.data = this.toData();
    const deep = tooDeep(this.data);
    if (deep !== undefined) {
      const pos = this.position(deep);
      throw new UserError(located(file, `${deep}: nests more than ${MAX_NESTING_DEPTH} levels deep`, pos?.line, pos?.col));
    }
  }

  /**
   * The document as plain values. Aliases are bounded (a "billion laughs" document expands a few
   * lines into gigabytes): too many is the user's error, at the first alias.
   */
  private toData(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      if (err instanceof ReferenceError && /excessive alias/i.test(err.message)) {
        const pos = this.firstAlias();
        throw new UserError(located(this.file, `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} uses of an anchor's content); write the values out, or use fewer aliases`, pos?.line, pos?.col));
      }
      if (err instanceof ReferenceError && /unresolved alias/i.test(err.message)) {
        const name = /: ([^\s]+)$/.exec(err.message)?.[1];
        const pos = this.firstAlias(name);
        throw new UserError(located(this.file, `YAML alias *${name ?? '?'} is used before its anchor &${name ?? '?'} is set`, pos?.line, pos?.col));
      }
      if (err instanceof RangeError) {
        throw new UserError(located(this.file, `YAML nests too deeply (more than ${MAX_NESTING_DEPTH} levels are refused)`));
      }
      throw err;
    }
  }

  private firstAlias(name?: string): { line: number; col: number } | undefined {
    let at: number | undefined;
    const { visit } = yamlLib();
    visit(this.doc, {
      Alias(_key, node) {
        if (name !== undefined && node.source !== name) return undefined;
        at = node.range?.[0];
        return visit.BREAK;
      },
    });
    return at !== undefined ? this.lines.linePos(at) : undefined;
  }

  /** The document, checked against a schema; a violation is a UserError at its file:line:col. */
  validated<T>(schema: SchemaName, data: unknown = this.data): T {
    const validate = validator(schema);
    if (!validate(data)) {
      const problem = bestProblem(validate.errors);
      const pos = this.position(problem.pointer, problem.atKey);
      throw new UserError(located(this.file, `${problem.pointer || '/'}: ${problem.message}`, pos?.line, pos?.col));
    }
    return data as T;
  }

  /** Position of the value at a JSON pointer (or of the key, for a key that should not be there). */
  position(pointer: string, atKey = false): { line: number; col: number } | undefined {
    const path = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const { isMap, isPair, isScalar, isSeq } = yamlLib();
    let node: unknown = this.doc.contents;
    let last: Node | undefined = node as Node;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
        if (!pair) break;
        last = pair.key as Node;
        node = pair.value;
        if (node && !(atKey && seg === path[path.length - 1])) last = node as Node;
      } else if (isSeq(node)) {
        node = node.items[Number(seg)];
        if (node) last = node as Node;
      } else break;
    }
    const range = last?.range;
    return range ? this.lines.linePos(range[0]) : undefined;
  }

  /**
   * Where character `offset` of the string value at `pointer` sits in the file. Exact for plain,
   * quoted and literal-block scalars, which is how CEL is written in rules.
   */
  positionInString(pointer: string, offset: number): { line: number; col: number } | undefined {
    const start = this.position(pointer);
    if (!start) return undefined;
    const { isScalar } = yamlLib();
    const node = this.doc.getIn(pointer.split('/').slice(1), true) as Node | undefined;
    const value = isScalar(node) ? String(node.value) : '';
    const before = value.slice(0, offset);
    const lineIdx = before.split('\n').length - 1;
    const colInLine = before.length - before.lastIndexOf('\n') - 1;
    if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
      const firstContent = this.text.slice(node.range?.[0] ?? 0).split('\n')[1] ?? '';
      const indent = firstContent.length - firstContent.trimStart().length;
      return { line: start.line + 1 + lineIdx, col: indent + colInLine + 1 };
    }
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0;
    return lineIdx === 0 ? { line: start.line, col: start.col + quoted + colInLine } : { line: start.line + lineIdx, col: colInLine + 1 };
  }
}

/** How far the yaml package may expand aliases (its `maxAliasCount`). */
const MAX_ALIAS_COUNT = 100;

/** The JSON pointer of the first value nested deeper than the limit, found without recursion. */
function tooDeep(data: unknown): string | undefined {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: data, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop() as { value: unknown; pointer: string; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_NESTING_DEPTH) return pointer || '/';
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of entries) stack.push({ value: v, pointer: `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth: depth + 1 });
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
