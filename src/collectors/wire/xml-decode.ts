// A projecting XML decoder for AWS query-protocol answers (EC2, IAM): it reads the members a
// collector asks for, straight from the text, and steps over everything else without building it.
//
// Why: a large estate's DescribeVpcEndpoints pages are 0.8 MB of XML each. The SDK parses a page
// into a generic tree (character by character) and then walks that tree against the operation's
// schema; on the collection benchmark that was most of the collector's CPU time and half of its
// garbage. This decoder gives the same values for the members it projects (a differential test
// holds it to the SDK's own deserializer, test/collectors/xml-decode.test.ts) at a fraction of
// the cost.
//
// What it follows from the SDK's reading of XML (@aws-sdk/xml-builder, XmlShapeDeserializer):
// text is taken as is, except that whitespace-only text containing a line break is empty; the five
// XML entities and numeric character references are decoded, unknown named entities dropped;
// CDATA is literal text; comments and processing instructions are skipped; an absent or empty
// list is []; booleans are "true" in any case; timestamps are RFC 3339 (given here as
// Date.toISOString() gives the instant the SDK would give as a Date). Where the SDK would fail
// (mismatched or unclosed tags, an element inside a scalar) this fails too, and so does a
// repeated member, which the SDK refuses for a scalar and reads first-wins for a list: a
// malformed answer is a coverage gap, never a partly read one. Elements it does not read are
// only checked to be well-formed.

import { memoByText } from '../memo.js';

/** A scalar member: how its text becomes a value (a timestamp becomes its ISO 8601 string in UTC). */
export type Scalar = 'string' | 'boolean' | 'integer' | 'timestamp';

/** A wrapped list: `<wire><item>…</item>…</wire>`; elements other than `item` are ignored, as the SDK does. */
export interface ListShape<I extends Shape = Shape> {
  readonly list: I;
  readonly item: string;
}

/** A structure: output member name → [wire element name, shape]. */
export interface StructShape<M extends Members = Members> {
  readonly struct: M;
}

export type Members = { readonly [member: string]: readonly [wire: string, shape: Shape] };
export type Shape = Scalar | ListShape | StructShape;

/** The value a shape decodes to; every structure member is optional, as in the SDK's types. */
export type Decoded<S> = S extends 'string'
  ? string
  : S extends 'boolean'
    ? boolean
    : S extends 'integer'
      ? number
      : S extends 'timestamp'
        ? string
        : S extends ListShape<infer I>
          ? Decoded<I>[]
          : S extends StructShape<infer M>
            ? { -readonly [K in keyof M]?: Decoded<M[K][1]> }
            : never;

export function list<I extends Shape>(shape: I, item = 'item'): ListShape<I> {
  return { list: shape, item };
}

export function struct<const M extends Members>(members: M): StructShape<M> {
  return { struct: members };
}

/** The answer is not well-formed, or not what the shape describes. */
export class XmlDecodeError extends Error {
  override readonly name = 'InvalidResponse';

  /** What is wrong, without the prefix: a page thread sends this back (page-threads.ts). */
  constructor(readonly problem: string) {
    super(`XML parse error: ${problem}`);
  }
}

/** A structure's members by the length of their wire name: found without slicing the tag's name. */
type MemberIndex = Map<number, Array<readonly [wire: string, member: string, shape: Shape]>>;
const indexes = new WeakMap<StructShape, MemberIndex>();

function memberIndex(shape: StructShape): MemberIndex {
  let index = indexes.get(shape);
  if (!index) {
    index = new Map();
    for (const [member, [wire, s]] of Object.entries(shape.struct)) {
      const list = index.get(wire.length) ?? [];
      list.push([wire, member, s]);
      index.set(wire.length, list);
    }
    indexes.set(shape, index);
  }
  return index;
}

const NONE: ReadonlyArray<readonly [string, string, Shape]> = [];
const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?
const AMP = '&';

/**
 * Decodes the document's root element as `shape`; `root` is the element name it must have, and
 * `result`, if given, the one child to descend into first (awsQuery's `<OperationResult>`).
 */
export function decodeXml<S extends StructShape>(text: string, root: string, shape: S, result?: string): Decoded<S> {
  const r = new Reader(text);
  r.prolog();
  const name = r.startTag();
  if (name !== root) throw new XmlDecodeError(`expected <${root}> as the root element, found <${name}>`);
  let out: Decoded<S>;
  if (r.selfClosed) out = {} as Decoded<S>;
  else if (result === undefined) out = r.struct(shape, root) as Decoded<S>;
  else out = (r.struct(struct({ result: [result, shape] }), root).result ?? {}) as Decoded<S>;
  r.epilog();
  return out;
}

class Reader {
  private i = 0;
  private nameStart = 0;
  private nameEnd = 0;
  /** Whether the last start tag read was `<name/>`. */
  selfClosed = false;

  constructor(private readonly x: string) {}

  /** Skips the XML declaration, comments, a DOCTYPE and whitespace before the root element. */
  prolog(): void {
    const x = this.x;
    for (;;) {
      this.i = skipSpace(x, this.i);
      if (x.startsWith('<?', this.i)) this.i = this.past('?>', this.i + 2);
      else if (x.startsWith('<!--', this.i)) this.i = this.past('-->', this.i + 4);
      else if (x.startsWith('<!DOCTYPE', this.i) || x.startsWith('<!doctype', this.i)) this.i = this.past('>', this.i + 9);
      else if (x.charCodeAt(this.i) === LT) return;
      else throw new XmlDecodeError(this.i >= x.length ? 'no root element' : `unexpected content before the root element at offset ${this.i}`);
    }
  }

  /** Only whitespace, comments and processing instructions may follow the root element. */
  epilog(): void {
    const x = this.x;
    for (;;) {
      this.i = skipSpace(x, this.i);
      if (this.i >= x.length) return;
      if (x.startsWith('<!--', this.i)) this.i = this.past('-->', this.i + 4);
      else if (x.startsWith('<?', this.i)) this.i = this.past('?>', this.i + 2);
      else throw new XmlDecodeError(`content after the root element at offset ${this.i}`);
    }
  }

  /** At `<`: reads a start tag and returns its name; sets selfClosed. */
  startTag(): string {
    this.openTag();
    return this.tagName();
  }

  /** The name of the start tag last read. */
  private tagName(): string {
    return this.x.slice(this.nameStart, this.nameEnd);
  }

  /**
   * At `<`: reads a start tag, leaving its name's place in nameStart/nameEnd (sliced only when
   * needed: most names are matched in place) and whether it was `<name/>` in selfClosed.
   */
  private openTag(): void {
    const x = this.x;
    const start = this.i + 1;
    let j = start;
    for (;;) {
      const c = x.charCodeAt(j);
      if (c === GT || c === SLASH || c === 32 || c === 9 || c === 10 || c === 13) break;
      if (Number.isNaN(c)) throw new XmlDecodeError('unexpected end of input in a start tag');
      j++;
    }
    if (j === start) throw new XmlDecodeError(`empty element name at offset ${this.i}`);
    this.nameStart = start;
    this.nameEnd = j;
    // Attributes (the root's xmlns) are stepped over; a quoted value may hold '>'.
    for (;;) {
      const c = x.charCodeAt(j);
      if (c === GT) {
        this.selfClosed = false;
        this.i = j + 1;
        return;
      }
      if (c === SLASH) {
        if (x.charCodeAt(j + 1) !== GT) throw new XmlDecodeError(`expected > after / in <${this.tagName()}>`);
        this.selfClosed = true;
        this.i = j + 2;
        return;
      }
      if (c === 34 || c === 39) {
        const close = x.indexOf(c === 34 ? '"' : "'", j + 1);
        if (close < 0) throw new XmlDecodeError(`unclosed attribute value in <${this.tagName()}>`);
        j = close + 1;
        continue;
      }
      if (Number.isNaN(c)) throw new XmlDecodeError(`unexpected end of input in <${this.tagName()}>`);
      j++;
    }
  }

  /** Whether the start tag last read is named `name`. */
  private named(name: string): boolean {
    return this.nameEnd - this.nameStart === name.length && this.x.startsWith(name, this.nameStart);
  }

  /** At `</`: reads the end tag and checks that it closes `name`. */
  endTag(name: string): void {
    const x = this.x;
    const close = x.indexOf('>', this.i + 2);
    if (close < 0) throw new XmlDecodeError(`missing closing tag </${name}>`);
    // Compared in place: most end tags are exactly `</name>`, with no allocation to check them.
    const length = close - (this.i + 2);
    if (!(length === name.length && x.startsWith(name, this.i + 2))) {
      const found = x.slice(this.i + 2, close).trim();
      if (found !== name) throw new XmlDecodeError(`mismatched tags <${name}> and </${found}>`);
    }
    this.i = close + 1;
  }

  /**
   * Moves to the next child of `<name>`: reads its start tag and returns true, or reads `</name>`
   * and returns false. Comments, CDATA and processing instructions in between are stepped over.
   */
  private nextChild(name: string): boolean {
    const x = this.x;
    for (;;) {
      const lt = x.indexOf('<', this.i);
      if (lt < 0) throw new XmlDecodeError(`missing closing tag </${name}>`);
      this.i = lt;
      const next = x.charCodeAt(lt + 1);
      if (next === SLASH) {
        this.endTag(name);
        return false;
      }
      if (next === BANG || next === QUESTION) {
        this.markup();
        continue;
      }
      this.openTag();
      return true;
    }
  }

  /** The content of `<name>` (start tag read, not self-closing) as a structure. */
  struct(shape: StructShape, name: string): Record<string, unknown> {
    const x = this.x;
    const members = memberIndex(shape);
    const out: Record<string, unknown> = {};
    while (this.nextChild(name)) {
      let member: readonly [string, string, Shape] | undefined;
      for (const candidate of members.get(this.nameEnd - this.nameStart) ?? NONE) {
        if (x.startsWith(candidate[0], this.nameStart)) {
          member = candidate;
          break;
        }
      }
      if (member === undefined) {
        if (!this.selfClosed) this.skip();
        continue;
      }
      const [wire, key, s] = member;
      if (key in out) {
        // A list member repeated would be read first-wins by the SDK; a scalar would fail there.
        throw new XmlDecodeError(`<${wire}> appears twice in <${name}>`);
      }
      out[key] = this.value(s, wire);
    }
    return out;
  }

  /** The value of `<name>` (start tag read) as `shape`. */
  private value(shape: Shape, name: string): unknown {
    if (typeof shape === 'string') return scalar(shape, this.selfClosed ? '' : this.text(name), name);
    if ('list' in shape) return this.selfClosed ? [] : this.list(shape, name);
    return this.selfClosed ? {} : this.struct(shape, name);
  }

  private list(shape: ListShape, name: string): unknown[] {
    const out: unknown[] = [];
    while (this.nextChild(name)) {
      if (this.named(shape.item)) out.push(this.value(shape.list, shape.item));
      else if (!this.selfClosed) this.skip();
    }
    return out;
  }

  /** The text content of `<name>` (start tag read, not self-closing), up to and including its end tag. */
  private text(name: string): string {
    const x = this.x;
    const lt = x.indexOf('<', this.i);
    if (lt < 0) throw new XmlDecodeError(`missing closing tag </${name}>`);
    // The common case: plain text, then the end tag.
    if (x.charCodeAt(lt + 1) === SLASH) {
      const raw = x.slice(this.i, lt);
      this.i = lt;
      this.endTag(name);
      return blank(raw.includes(AMP) ? decodeEntities(raw) : raw);
    }
    // Text mixed with CDATA sections and comments.
    let text = '';
    let from = this.i;
    for (;;) {
      const at = x.indexOf('<', from);
      if (at < 0) throw new XmlDecodeError(`missing closing tag </${name}>`);
      const raw = x.slice(from, at);
      text += raw.includes(AMP) ? decodeEntities(raw) : raw;
      this.i = at;
      if (x.startsWith('</', at)) {
        this.endTag(name);
        return blank(text);
      }
      if (x.startsWith('<![CDATA[', at)) {
        const end = x.indexOf(']]>', at + 9);
        if (end < 0) throw new XmlDecodeError('unclosed CDATA section');
        text += x.slice(at + 9, end);
        from = end + 3;
      } else if (x.startsWith('<!--', at)) {
        from = this.past('-->', at + 4);
      } else if (x.startsWith('<?', at)) {
        from = this.past('?>', at + 2);
      } else {
        throw new XmlDecodeError(`<${name}> holds an element where text was expected`);
      }
    }
  }

  /** Steps over the content of the element whose start tag was just read (not self-closing), and its end tag. */
  private skip(): void {
    const x = this.x;
    // Where the names of the open elements are: [start, end, start, end, …], compared in place.
    const open: number[] = [this.nameStart, this.nameEnd];
    for (;;) {
      const lt = x.indexOf('<', this.i);
      if (lt < 0) throw new XmlDecodeError(`missing closing tag </${x.slice(open[open.length - 2], open[open.length - 1])}>`);
      this.i = lt;
      const next = x.charCodeAt(lt + 1);
      if (next === SLASH) {
        const end = open.pop() as number;
        const start = open.pop() as number;
        this.endTagAt(start, end);
        if (open.length === 0) return;
      } else if (next === BANG || next === QUESTION) {
        this.markup();
      } else {
        this.openTag();
        if (!this.selfClosed) open.push(this.nameStart, this.nameEnd);
      }
    }
  }

  /** At `</`: reads the end tag and checks that it closes the element named by x[start, end). */
  private endTagAt(start: number, end: number): void {
    const x = this.x;
    const close = x.indexOf('>', this.i + 2);
    const length = end - start;
    if (close - (this.i + 2) === length) {
      let k = 0;
      while (k < length && x.charCodeAt(this.i + 2 + k) === x.charCodeAt(start + k)) k++;
      if (k === length) {
        this.i = close + 1;
        return;
      }
    }
    this.endTag(x.slice(start, end));
  }

  /** At `<!` or `<?` inside an element: a comment, a CDATA section (text, ignored here) or a processing instruction. */
  private markup(): void {
    const x = this.x;
    if (x.startsWith('<!--', this.i)) this.i = this.past('-->', this.i + 4);
    else if (x.startsWith('<![CDATA[', this.i)) this.i = this.past(']]>', this.i + 9);
    else if (x.startsWith('<?', this.i)) this.i = this.past('?>', this.i + 2);
    else throw new XmlDecodeError(`unexpected markup at offset ${this.i}`);
  }

  private past(marker: string, from: number): number {
    const at = this.x.indexOf(marker, from);
    if (at < 0) throw new XmlDecodeError(`expected "${marker}" not found`);
    return at + marker.length;
  }
}

function skipSpace(x: string, i: number): number {
  for (;;) {
    const c = x.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
    i++;
  }
}

/** Whitespace-only text with a line break is formatting, not a value (as the SDK reads it). */
function blank(text: string): string {
  const c = text.charCodeAt(0);
  // Fast answer for the usual value: it starts with printable ASCII, so it is not all whitespace.
  if (text.length === 0 || (c > 32 && c < 127)) return text;
  return text.trim() === '' && text.includes('\n') ? '' : text;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAMED = /^[a-zA-Z][a-zA-Z0-9]{0,30}$/;
const DECIMAL = /^#\d{1,7}$/;
const HEX = /^#x[0-9a-fA-F]{1,6}$/;

/**
 * Estates repeat a few escaped texts (endpoint policies, which EC2 sends with every quote as
 * &quot;) thousands of times: each is decoded once and then looked up.
 */
export const decodeEntities = memoByText(decodeReferences, 4096);

/** Entity and character references replaced; what is not a well-formed reference stays as it is (as in the SDK). */
function decodeReferences(text: string): string {
  let out = '';
  let from = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', from)) {
    const semi = text.indexOf(';', amp + 1);
    if (semi < 0) break;
    const ref = text.slice(amp + 1, semi);
    let value: string | undefined;
    if (Object.hasOwn(ENTITIES, ref)) value = ENTITIES[ref];
    else if (HEX.test(ref)) value = codePoint(parseInt(ref.slice(2), 16), ref);
    else if (DECIMAL.test(ref)) value = codePoint(parseInt(ref.slice(1), 10), ref);
    else if (NAMED.test(ref)) value = '';
    if (value === undefined) {
      // Not a reference: the '&' stays, and the search goes on after it.
      out += text.slice(from, amp + 1);
      from = amp + 1;
      continue;
    }
    out += text.slice(from, amp) + value;
    from = semi + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

// fromCodePoint, not fromCharCode: a reference above U+FFFF is one character, not a truncated one.
function codePoint(code: number, ref: string): string {
  if (code > 0x10ffff) throw new XmlDecodeError(`character reference &${ref}; is out of range`);
  return String.fromCodePoint(code);
}

// RFC 3339 as the SDK accepts it (date, 'T', time, optional fraction, 'Z' or an offset; any case).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[tT](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(([-+]\d{2}:\d{2})|[zZ])$/;

function scalar(shape: Scalar, text: string, name: string): unknown {
  switch (shape) {
    case 'string':
      return text;
    case 'boolean':
      return text.toLowerCase() === 'true';
    case 'integer':
      return Number(text);
    case 'timestamp': {
      const m = RFC3339.exec(text);
      const ms = m ? Date.parse(text.toUpperCase()) : NaN;
      if (Number.isNaN(ms)) throw new XmlDecodeError(`<${name}> is not an RFC 3339 timestamp: ${JSON.stringify(text.slice(0, 40))}`);
      // The instant, written as the snapshot keeps it (ISO 8601 in UTC), not a Date: a page read
      // on a page thread comes back as JSON, which has no dates.
      return new Date(ms).toISOString();
    }
  }
}
