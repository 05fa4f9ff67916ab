// `JSON.stringify(doc, null, 2)` written in pieces: a report's long array (findings, SARIF results)
// is streamed element by element while the text stays byte-identical to one stringify of the whole
// document. The text around the array is assembled member by member rather than found by searching
// for a placeholder, so no value in the document (a resource name, a template's text) can be taken
// for the array's place.

const INDENT = '  ';

/** `JSON.stringify(value, null, 2)` as it reads nested `depth` levels deep in a larger document. */
export function prettyAt(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  // JSON escapes newlines inside strings, so every newline in the text is the layout's.
  return depth === 0 ? text : text.replaceAll('\n', `\n${INDENT.repeat(depth)}`);
}

/**
 * The pretty text of `object` (nested `depth` deep) before and after the value of its member `key`:
 * `before` ends with `"key": `. Members JSON.stringify leaves out (undefined, functions) are left
 * out here too; `key` must be present.
 */
export function aroundMember(object: Readonly<Record<string, unknown>>, key: string, depth: number): { before: string; after: string } {
  const members = Object.entries(object).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  const at = members.findIndex(([k]) => k === key);
  if (at < 0) throw new Error(`aroundMember: no member ${key}`);
  const pad = INDENT.repeat(depth + 1);
  const member = ([k, v]: [string, unknown]): string => `${pad}${JSON.stringify(k)}: ${prettyAt(v, depth + 1)}`;
  const head = members.slice(0, at).map(member);
  const tail = members.slice(at + 1).map(member);
  return {
    before: `{\n${head.map((m) => `${m},\n`).join('')}${pad}${JSON.stringify(key)}: `,
    after: `${tail.map((m) => `,\n${m}`).join('')}\n${INDENT.repeat(depth)}}`,
  };
}

/**
 * The pretty text of an array (nested `depth` deep) whose elements are already pretty texts at
 * `depth + 1` (see `prettyAt`), one piece per element: what `JSON.stringify` would write for it.
 */
export function* prettyArray(elements: Iterable<string>, depth: number): Generator<string> {
  const pad = INDENT.repeat(depth + 1);
  let first = true;
  for (const element of elements) {
    yield `${first ? '[\n' : ',\n'}${pad}${element}`;
    first = false;
  }
  yield first ? '[]' : `\n${INDENT.repeat(depth)}]`;
}
