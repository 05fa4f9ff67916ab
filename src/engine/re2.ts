import { RE2JS } from 're2js';

/**
 * CEL's `matches()` with the semantics CEL specifies: RE2, whose matching time is linear in the
 * input. JavaScript's RegExp backtracks, so `"^(a+)+$"` against a tag value of a few dozen
 * characters would stall a scan, and anyone who can tag an audited resource could stall every
 * audit. Every regex a rule evaluates goes through here: the generated fast path, the careful
 * closures and cel-js's interpreter (see `routeInterpreterMatches` in cel.ts).
 */

const compiled = new Map<string, RE2JS>();
const CACHE_LIMIT = 1_000;

/** Thrown for a pattern RE2 does not accept; evaluation turns it into unknown. */
export class InvalidPattern extends Error {}

function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      throw new InvalidPattern(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** `text.matches(pattern)`: true when the pattern matches some substring, as in CEL. */
export function re2Matches(text: string, pattern: string): boolean {
  return compile(pattern).test(text);
}

/** Why RE2 refuses a pattern (backreferences, lookarounds, bad syntax), or undefined. */
export function re2Problem(pattern: string): string | undefined {
  try {
    compile(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
