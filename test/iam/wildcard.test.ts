// The wildcard matcher against plain reference implementations, on random patterns and texts
// over a small alphabet (so that matches are frequent and every branch is taken).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeGlob, globMatch, globsCoverForm, globsMeetForm, textInShape, wildcardMatch, wildcardMeetsShape, type CharRun } from '../../src/iam/wildcard.js';

/** Reference: the textbook recursive definition. */
function reference(p: string, t: string): boolean {
  if (p === '') return t === '';
  if (p[0] === '*') return reference(p.slice(1), t) || (t !== '' && reference(p, t.slice(1)));
  if (t === '') return false;
  return (p[0] === '?' || p[0] === t[0]) && reference(p.slice(1), t.slice(1));
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', ':', '/'), maxLength: 10 });
const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'A', ':', '/', '*', '?'), maxLength: 8 });

/** Every string over the alphabet up to a length: the brute-force witness space. */
function* strings(alphabet: string[], max: number): Generator<string> {
  yield '';
  let level = [''];
  for (let n = 1; n <= max; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of alphabet) next.push(s + c);
    yield* next;
    level = next;
  }
}

describe('wildcardMatch', () => {
  it('agrees with the reference definition (case-sensitive)', () => {
    fc.assert(fc.property(pattern, text, (p, t) => wildcardMatch(p, t) === reference(p, t)), { numRuns: 5000 });
  });

  it('agrees with the reference on lower-cased input when ignoring case', () => {
    fc.assert(fc.property(pattern, text, (p, t) => wildcardMatch(p, t, true) === reference(p.toLowerCase(), t.toLowerCase())), { numRuns: 3000 });
  });

  it('handles the IAM shapes', () => {
    expect(wildcardMatch('codestar-connections:Use*', 'codestar-connections:UseConnection')).toBe(true);
    expect(wildcardMatch('codestar-connections:use*', 'codestar-connections:UseConnection')).toBe(false);
    expect(wildcardMatch('codestar-connections:use*', 'codestar-connections:UseConnection', true)).toBe(true);
    expect(wildcardMatch('code*:?etConnectionToken', 'codeconnections:GetConnectionToken', true)).toBe(true);
    expect(wildcardMatch('arn:aws:codestar-connections:*:*:connection/*', 'arn:aws:codeconnections:us-east-1:1:connection/x')).toBe(false);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('?', '')).toBe(false);
  });

  it('stays fast on patterns that make naive backtracking explode', () => {
    // Correctness only (no timing assertion): this input takes exponential time in a naive matcher.
    expect(wildcardMatch('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(200))).toBe(false);
  });
});

describe('wildcardMeetsShape', () => {
  const run: CharRun = { run: (c) => c === 'a' || c === 'b' };
  const small = fc.string({ unit: fc.constantFrom('a', 'b', ':', '*', '?'), maxLength: 4 });
  const shape = fc.array(fc.oneof(fc.constantFrom('a', 'b', ':'), fc.constant(run)), { maxLength: 3 });
  /** Strings of the shape with each run at most `n` long. */
  const expand = (parts: ReadonlyArray<string | CharRun>, n: number): string[] => {
    let out = [''];
    for (const part of parts) {
      const pieces = typeof part === 'string' ? [part] : [...strings(['a', 'b'], n)];
      out = out.flatMap((s) => pieces.map((p) => s + p));
    }
    return out;
  };

  it('finds a string of the shape exactly when brute force does', () => {
    fc.assert(
      fc.property(small, shape, (p, parts) => {
        // The shortest match gives a run no more characters than the pattern has that are not
        // stars, so runs up to that length suffice.
        const witness = expand(parts, p.replace(/\*/g, '').length).some((s) => reference(p, s));
        return wildcardMeetsShape(p, parts) === witness;
      }),
      { numRuns: 2000 },
    );
  });

  it('does not let a star cross a field a run cannot hold', () => {
    const connections = [...'arn:aws:codestar-connections:', run, ...':111122223333:connection/', run];
    expect(wildcardMeetsShape('arn:aws:codestar-connections:*:999988887777:connection/*', connections)).toBe(false);
    expect(wildcardMeetsShape('arn:aws:codestar-connections:*:111122223333:connection/ab*', connections)).toBe(true);
    expect(wildcardMeetsShape('arn:aws:codestar-connections:*:*:host/*', connections)).toBe(false);
  });
});

describe('globsCoverForm and globsMeetForm', () => {
  const any = { one: () => true };
  const anyRun = { run: () => true };
  const forms = [
    { name: 'owner/repository', form: [any, anyRun, '/', any, anyRun] as const, ok: (s: string) => /^.+\/.+$/.test(s) },
    { name: 'non-empty', form: [any, anyRun] as const, ok: (s: string) => s.length > 0 },
    { name: 'any text', form: [anyRun] as const, ok: () => true },
  ];
  const glob = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*', '?', '\\*'), maxLength: 5 });
  /** The textbook matcher over internal globs (`\` escapes the next character). */
  const ref = (p: string, t: string): boolean => {
    if (p === '') return t === '';
    if (p[0] === '\\' && p.length > 1) return t !== '' && t[0] === p[1] && ref(p.slice(2), t.slice(1));
    if (p[0] === '*') return ref(p.slice(1), t) || (t !== '' && ref(p, t.slice(1)));
    return t !== '' && (p[0] === '?' || p[0] === t[0]) && ref(p.slice(1), t.slice(1));
  };
  // c and * stand for characters the globs do not name (* only literally, through \*).
  const sample = [...strings(['a', 'b', 'c', '/', '*'], 6)];

  it('agree with brute force over every string of the form up to 6 characters', () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 3 }), fc.constantFrom(...forms), (globs, f) => {
        const members = sample.filter(f.ok);
        const covered = members.every((s) => globs.some((g) => ref(g, s)));
        const met = members.some((s) => globs.some((g) => ref(g, s)));
        // A glob of at most 5 characters that misses (or meets) a string of the form also misses
        // (meets) one of at most 6, its runs shortened to what the glob's literals need.
        return globsCoverForm(globs, f.form) === covered && globsMeetForm(globs, f.form) === met;
      }),
      { numRuns: 1500 },
    );
  });

  it('decides the issue\'s examples', () => {
    const repo = forms[0]?.form ?? [];
    expect(globsCoverForm(['*/*'], repo)).toBe(true);
    expect(globsCoverForm(['example-org/*', '*'], repo)).toBe(true);
    expect(globsCoverForm(['example-org/*'], repo)).toBe(false);
    expect(globsCoverForm([escapeGlob('*')], repo)).toBe(false);
    expect(globMatch(escapeGlob('a*b'), 'a*b')).toBe(true);
    expect(globMatch(escapeGlob('a*b'), 'axb')).toBe(false);
  });
});

describe('textInShape', () => {
  // A literal pattern meets a shape exactly when the text is one of its strings.
  const RUNS = [{ run: (c: string) => /[a-z0-9-]/.test(c) }, { run: (c: string) => c !== ':' }, { run: () => true }];
  const shape = fc.array(fc.oneof(fc.constantFrom(...'a:/-1'), fc.constantFrom(...RUNS)), { maxLength: 8 });
  const text = fc.array(fc.constantFrom(...'a:/-1Z'), { maxLength: 10 }).map((cs) => cs.join(''));
  it('agrees with wildcardMeetsShape on texts with no wildcard', () => {
    fc.assert(fc.property(text, shape, (t, s) => textInShape(t, s) === wildcardMeetsShape(t, s)), { numRuns: 2000 });
  });
});
