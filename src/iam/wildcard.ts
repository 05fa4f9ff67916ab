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
