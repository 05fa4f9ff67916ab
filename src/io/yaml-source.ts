import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UserError, located } from '../errors.js';
import { bestProblem, validator, type SchemaName } from '../schema/validate.js';

/** A parsed YAML file that can say where any value came from (for file:line:col errors). */
export class YamlSource {
  readonly data: unknown;
  private readonly lines = new LineCounter();
  private readonly doc: Document;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const err = this.doc.errors[0];
    if (err) {
      const pos = this.lines.linePos(err.pos[0]);
      throw new UserError(located(file, `YAML syntax error: ${firstLine(err.message)}`, pos.line, pos.col));
    }
    this.data = this.doc.toJS({ maxAliasCount: 100 });
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

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
