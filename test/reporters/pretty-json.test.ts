// The pieces reports are streamed in must add up to one JSON.stringify(doc, null, 2) of the whole,
// whatever the document holds: nested values, empty arrays and objects, members JSON leaves out,
// and strings that look like layout (newlines, quotes, the text of a member).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aroundMember, prettyArray, prettyAt } from '../../src/reporters/pretty-json.js';

// Keys and strings drawn to collide with the layout: quotes, newlines, indentation, a member's text.
const tricky = fc.oneof(fc.string(), fc.constantFrom('', '\n', '"results": [', '  ', '\\n', '},\n  "x": ', '\u0000', '\u2028'));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tricky, tie('array'), tie('object'), fc.constant(undefined)),
  array: fc.array(tie('any'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('any'), { maxKeys: 4 }),
})).any;

/** A document with a member `key` somewhere among others, and the array that member streams. */
const document = fc.record({
  before: fc.dictionary(tricky, value, { maxKeys: 4 }),
  after: fc.dictionary(tricky, value, { maxKeys: 4 }),
  key: tricky,
  elements: fc.array(value.filter((v) => v !== undefined), { maxLength: 5 }),
});

function doc(d: { before: Record<string, unknown>; after: Record<string, unknown>; key: string; elements: unknown[] }): Record<string, unknown> {
  const before = Object.fromEntries(Object.entries(d.before).filter(([k]) => k !== d.key));
  const after = Object.fromEntries(Object.entries(d.after).filter(([k]) => k !== d.key && !Object.hasOwn(before, k)));
  return { ...before, [d.key]: d.elements, ...after };
}

describe('pretty JSON in pieces', () => {
  it('a member streamed element by element is JSON.stringify(doc, null, 2), at any depth', () => {
    fc.assert(
      fc.property(document, fc.integer({ min: 0, max: 4 }), (d, depth) => {
        const whole = doc(d);
        const { before, after } = aroundMember(whole, d.key, depth);
        const streamed = [before, ...prettyArray(d.elements.map((e) => prettyAt(e, depth + 2)), depth + 1), after].join('');
        expect(streamed).toBe(prettyAt(whole, depth));
      }),
      { numRuns: 500 },
    );
  });

  it('writes empty arrays and lone members as JSON.stringify does', () => {
    expect([...prettyArray([], 0)].join('')).toBe('[]');
    const { before, after } = aroundMember({ only: [] }, 'only', 0);
    expect(`${before}[]${after}`).toBe(JSON.stringify({ only: [] }, null, 2));
  });

  it('refuses a member the object does not have (or JSON would leave out)', () => {
    expect(() => aroundMember({ a: 1 }, 'b', 0)).toThrow(/no member b/);
    expect(() => aroundMember({ a: undefined }, 'a', 0)).toThrow(/no member a/);
  });
});
