// JSON templates → the positioned tree. A small hand-written parser: the yaml package reads JSON
// too but takes over a second on a 5,000-resource template; this one takes tens of milliseconds
// (docs/iac.md has the figures). It is strict RFC 8259 JSON, as CloudFormation
// takes it, and refuses duplicate keys (which value would CloudFormation use?).

import { UserError } from '../../../errors.js';
import { MAX_NESTING_DEPTH } from '../../../io/input-limits.js';
import { LineIndex, type TMap, type TNode, type TScalar, type TSeq } from './positions.js';
import { located } from '../../../errors.js';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseJsonTree(text: string, file: string, what = 'template'): TNode {
  return new JsonParser(text, file, what).parseDocument();
}

class JsonParser {
  private i = 0;
  private lines: LineIndex | undefined;

  constructor(
    private readonly s: string,
    private readonly file: string,
    private readonly what: string,
  ) {}

  parseDocument(): TNode {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(msg: string, at = this.i): never {
    this.lines ??= new LineIndex(this.s);
    const p = this.lines.pos(at);
    throw new UserError(located(this.file, `${this.what} is not valid JSON: ${msg}`, p.line, p.col));
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private value(depth: number): TNode {
    if (depth >= MAX_NESTING_DEPTH) this.fail(`nests arrays and objects more than ${MAX_NESTING_DEPTH} deep`);
    const c = this.s.charCodeAt(this.i);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    const start = this.i;
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = start;
      const m = NUMBER.exec(this.s);
      if (!m) this.fail('malformed number');
      this.i = start + m[0].length;
      return { kind: 'scalar', value: Number(m[0]), start, end: this.i };
    }
    for (const [word, value] of LITERALS) {
      if (this.s.startsWith(word, start)) {
        this.i = start + word.length;
        return { kind: 'scalar', value, start, end: this.i };
      }
    }
    if (Number.isNaN(c)) this.fail('unexpected end of input');
    this.fail(`unexpected character ${JSON.stringify(this.s[start])}`);
  }

  private string(): TScalar {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (Number.isNaN(c)) this.fail('unterminated string', start);
      if (c < 0x20) this.fail('control character in a string (write it as an escape)', i);
      i++;
    }
    this.i = i + 1;
    let value: string;
    if (!escaped) value = s.slice(start + 1, i);
    else {
      try {
        value = JSON.parse(s.slice(start, i + 1)) as string;
      } catch {
        this.fail('malformed escape in a string', start);
      }
    }
    return { kind: 'scalar', value, start, end: this.i };
  }

  private object(depth: number): TMap {
    const start = this.i++;
    const node: TMap = { kind: 'map', keys: [], values: [], start, end: start };
    const seen = new Set<string>();
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      node.end = ++this.i;
      return node;
    }
    for (;;) {
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      const k = key.value as string;
      if (seen.has(k)) this.fail(`duplicate key ${JSON.stringify(k)}`, key.start);
      seen.add(k);
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':' after a key");
      this.i++;
      this.ws();
      node.keys.push(key);
      node.values.push(this.value(depth + 1));
      if (this.closes(0x7d, "expected ',' or '}'")) {
        node.end = this.i;
        return node;
      }
    }
  }

  private array(depth: number): TSeq {
    const start = this.i++;
    const node: TSeq = { kind: 'seq', items: [], start, end: start };
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      node.end = ++this.i;
      return node;
    }
    for (;;) {
      node.items.push(this.value(depth + 1));
      if (this.closes(0x5d, "expected ',' or ']'")) {
        node.end = this.i;
        return node;
      }
    }
  }

  /** After an item: a comma (more follow: false) or the closing bracket (consumed: true). */
  private closes(close: number, expected: string): boolean {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === 0x2c) {
      this.i++;
      this.ws();
      return false;
    }
    if (c !== close) this.fail(expected);
    this.i++;
    return true;
  }
}

const LITERALS: Array<[string, boolean | null]> = [
  ['true', true],
  ['false', false],
  ['null', null],
];
