/**
 * IAM wildcards: `*` matches any run of characters (including none), `?` exactly one. Actions
 * match case-insensitively, resource ARNs case-sensitively. No regular expressions: patterns come
 * from policies anyone can write, and the two-pointer walk below is linear in practice with no
 * catastrophic backtracking.
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let i = 0; // in p
  let j = 0; // in t
  let star = -1; // last '*' seen in p
  let mark = 0; // where in t that '*' started matching
  while (j < t.length) {
    const c = p.charCodeAt(i);
    if (i < p.length && (c === 63 /* ? */ || c === t.charCodeAt(j))) {
      i++;
      j++;
    } else if (i < p.length && c === 42 /* * */) {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p.charCodeAt(i) === 42) i++;
  return i === p.length;
}


/** A run (possibly empty) of characters for which `test` holds, e.g. a region name or an id. */
export interface CharRun {
  run: (char: string) => boolean;
}

/** Text with variable parts: literal characters and character runs. */
export type Shape = ReadonlyArray<string | CharRun>;

/**
 * Whether a wildcard pattern matches some string of the shape: e.g. whether
 * `arn:aws:codestar-connections:*:999988887777:connection/*` matches any connection of account
 * 111122223333 (it does not: a region never contains a colon, so the first `*` cannot reach the
 * account). Case-sensitive.
 */
export function wildcardMeetsShape(pattern: string, shape: Shape): boolean {
  // Memo of (i, j): 0 not yet known, 1 false, 2 true. Typed, because this runs for every
  // statement that names some connections, for every principal.
  const width = shape.length + 1;
  const memo = new Uint8Array((pattern.length + 1) * width);
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    const seen = memo[key];
    if (seen) return seen === 2;
    let out = false;
    const part = shape[j];
    if (i === pattern.length && j === shape.length) out = true;
    else if (i < pattern.length && pattern[i] === '*') {
      // The star stops here, or takes the next literal, or takes over a run (both are unbounded).
      out = go(i + 1, j) || (part !== undefined && go(i, j + 1));
    } else if (part !== undefined && typeof part !== 'string') {
      // The run stops here, or gives the pattern's next character.
      out = go(i, j + 1) || (i < pattern.length && (pattern[i] === '?' || part.run(pattern[i] as string)) && go(i + 1, j));
    } else if (part !== undefined && i < pattern.length) {
      out = (pattern[i] === '?' || pattern[i] === part) && go(i + 1, j + 1);
    }
    memo[key] = out ? 2 : 1;
    return out;
  };
  return go(0, 0);
}

/**
 * Whether a text with no wildcard is one of the strings of a shape: `wildcardMeetsShape` for a
 * literal pattern, without its table (most Resource entries are plain ARNs). Runs are tried
 * longest first, backing off; shapes have a few runs, so this stays small.
 */
export function textInShape(text: string, shape: Shape): boolean {
  const go = (i: number, j: number): boolean => {
    while (j < shape.length) {
      const part = shape[j] as string | CharRun;
      if (typeof part === 'string') {
        if (text[i] !== part) return false;
        i++;
        j++;
        continue;
      }
      let end = i;
      while (end < text.length && part.run(text[end] as string)) end++;
      for (let k = end; k >= i; k--) if (go(k, j + 1)) return true;
      return false;
    }
    return i === text.length;
  };
  return go(0, 0);
}

/**
 * Internal globs: IAM wildcard patterns in which `\` makes the next character literal. Policy text
 * has no escapes, so it is read through `globOf` (which escapes its backslashes); substituted
 * variable values and IAM's `${*}`, `${?}`, `${$}` become literal characters through `escapeGlob`.
 */
export function globOf(policyText: string): string {
  return policyText.includes('\\') ? policyText.replace(/\\/g, '\\\\') : policyText;
}

export function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?]/g, (c) => `\\${c}`);
}

const STAR = -1;
const ONE = -2;

/** A glob as tokens: character codes, or STAR / ONE. Consecutive stars are one. */
function tokensOf(glob: string, ignoreCase: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    let c = glob[i] as string;
    if (c === '\\' && i + 1 < glob.length) c = glob[++i] as string;
    else if (c === '*') {
      if (out[out.length - 1] !== STAR) out.push(STAR);
      continue;
    } else if (c === '?') {
      out.push(ONE);
      continue;
    }
    out.push((ignoreCase ? c.toLowerCase() : c).charCodeAt(0));
  }
  return out;
}

/** wildcardMatch for internal globs (escapes honoured). */
export function globMatch(glob: string, text: string, ignoreCase = false): boolean {
  if (!glob.includes('\\')) return wildcardMatch(glob, text, ignoreCase);
  const p = tokensOf(glob, ignoreCase);
  const t = ignoreCase ? text.toLowerCase() : text;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < t.length) {
    const c = p[i];
    if (c !== undefined && (c === ONE || c === t.charCodeAt(j))) {
      i++;
      j++;
    } else if (c === STAR) {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (p[i] === STAR) i++;
  return i === p.length;
}

/** Exactly one character for which `one` holds. */
export interface CharOne {
  one: (char: string) => boolean;
}

/** A run or single character class, with its members when the class is small enough to list. */
type CharClass = (CharRun | CharOne) & { members?: string };

/** A value form: text with literal characters, single characters of a class and runs of a class. */
export type FormShape = ReadonlyArray<string | CharClass>;

const classTest = (c: CharClass): ((char: string) => boolean) => ('one' in c ? c.one : c.run);

// Candidates for "a character the patterns do not name": any of them stands for all such.
const FRESH = [...'a0Z-_./:', ...Array.from({ length: 64 }, (_, i) => String.fromCharCode(0xe000 + i))];
const MAX_STATE_SETS = 4096;

/**
 * Whether the globs (ORed) match every string of the form: the form's strings are walked through
 * the globs' automaton, tracking every set of glob positions a prefix can reach. A class is
 * represented by the characters the globs name that belong to it, plus one it has that they do
 * not name (which behaves like every other such character). Undefined when the walk exceeds its
 * bound (pathological patterns): the caller says the condition cannot be judged.
 */
export function globsCoverForm(globs: readonly string[], form: FormShape, ignoreCase = false): boolean | undefined {
  const pats = globs.map((g) => tokensOf(g, ignoreCase));
  const named = new Set<number>();
  for (const p of pats) for (const t of p) if (t >= 0) named.add(t);
  const offsets: number[] = [];
  let total = 0;
  for (const p of pats) {
    offsets.push(total);
    total += p.length + 1;
  }
  const closure = (states: number[]): number[] => {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen.has(s)) continue;
      seen.add(s);
      const k = offsets.findLastIndex((o) => o <= s);
      const pos = s - (offsets[k] as number);
      if ((pats[k] as number[])[pos] === STAR) stack.push(s + 1);
    }
    return [...seen].sort((a, b) => a - b);
  };
  const step = (set: readonly number[], code: number): number[] => {
    const next: number[] = [];
    for (const s of set) {
      const k = offsets.findLastIndex((o) => o <= s);
      const tok = (pats[k] as number[])[s - (offsets[k] as number)];
      if (tok === undefined) continue;
      if (tok === STAR) next.push(s);
      else if (tok === ONE || tok === code) next.push(s + 1);
    }
    return closure(next);
  };
  const reps = (c: CharClass): number[] => {
    const test = classTest(c);
    const out = new Set<number>();
    for (const ch of c.members ?? '') out.add((ignoreCase ? ch.toLowerCase() : ch).charCodeAt(0));
    if (c.members === undefined) {
      for (const code of named) if (test(String.fromCharCode(code))) out.add(code);
      const fresh = FRESH.find((ch) => test(ch) && !named.has(ch.charCodeAt(0)));
      if (fresh !== undefined) out.add(fresh.charCodeAt(0));
    }
    return [...out];
  };
  let sets = new Map<string, number[]>();
  const start = closure(offsets);
  sets.set(start.join(','), start);
  let work = 0;
  for (const part of form) {
    const next = new Map<string, number[]>();
    const add = (s: number[], queue?: number[][]): void => {
      const key = s.join(',');
      if (!next.has(key)) {
        next.set(key, s);
        queue?.push(s);
      }
    };
    if (typeof part === 'string') {
      const code = (ignoreCase ? part.toLowerCase() : part).charCodeAt(0);
      for (const s of sets.values()) add(step(s, code));
    } else {
      const codes = reps(part);
      if ('one' in part) {
        for (const s of sets.values()) for (const code of codes) add(step(s, code));
      } else {
        const queue: number[][] = [];
        for (const s of sets.values()) add(s, queue);
        while (queue.length > 0) {
          const s = queue.pop() as number[];
          for (const code of codes) add(step(s, code), queue);
          if (next.size > MAX_STATE_SETS) return undefined;
        }
      }
    }
    work += next.size;
    if (work > MAX_STATE_SETS * 4) return undefined;
    // A prefix of the form no glob can follow: its completions are not matched.
    for (const s of next.values()) if (s.length === 0) return false;
    sets = next;
  }
  const accepts = (s: readonly number[]): boolean =>
    s.some((st) => {
      const k = offsets.findLastIndex((o) => o <= st);
      return st - (offsets[k] as number) === (pats[k] as number[]).length;
    });
  return [...sets.values()].every(accepts);
}

/** Whether some glob matches some string of the form (wildcardMeetsShape over escapes and classes). */
export function globsMeetForm(globs: readonly string[], form: FormShape, ignoreCase = false): boolean {
  return globs.some((g) => {
    const p = tokensOf(g, ignoreCase);
    const width = form.length + 1;
    const memo = new Uint8Array((p.length + 1) * width);
    const go = (i: number, j: number): boolean => {
      const key = i * width + j;
      const seen = memo[key];
      if (seen) return seen === 2;
      let out = false;
      const part = form[j];
      const tok = p[i];
      const fits = (c: CharClass): boolean => tok === ONE || (tok !== undefined && tok >= 0 && classTest(c)(String.fromCharCode(tok)));
      if (i === p.length && j === form.length) out = true;
      else if (tok === STAR) out = go(i + 1, j) || (part !== undefined && go(i, j + 1));
      else if (part !== undefined && typeof part !== 'string') {
        out = 'one' in part ? fits(part) && go(i + 1, j + 1) : go(i, j + 1) || (fits(part) && go(i + 1, j));
      } else if (part !== undefined && tok !== undefined) {
        out = (tok === ONE || tok === (ignoreCase ? part.toLowerCase() : part).charCodeAt(0)) && go(i + 1, j + 1);
      }
      memo[key] = out ? 2 : 1;
      return out;
    };
    return go(0, 0);
  });
}
