/**
 * CEL's semantics for the values a snapshot holds (strings, bools, JSON numbers as doubles, CEL
 * ints as BigInt, lists, maps, null), shared by the compiled forms of rule expressions. They
 * mirror cel-js, the reference: a differential test holds the two together.
 */
/** An error raised by compiled CEL at run time (no such key, no such overload, …). */
export class CelRuntimeError extends Error {
  override readonly name = 'CelRuntimeError';
}

const INT_MIN = -(2n ** 63n);
const INT_MAX = 2n ** 63n - 1n;

export function isMap(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

export function select(o: unknown, field: string): unknown {
  if (!isMap(o)) throw noOverload('.', o);
  const x = Object.prototype.hasOwnProperty.call(o, field) ? o[field] : undefined;
  if (x === undefined) throw new CelRuntimeError(`No such key: ${field}`);
  return x;
}

export function index(o: unknown, i: unknown): unknown {
  if (Array.isArray(o)) {
    const n = typeof i === 'bigint' ? Number(i) : typeof i === 'number' && Number.isInteger(i) ? i : NaN;
    if (!(n >= 0 && n < o.length)) throw new CelRuntimeError(`index out of bounds: ${String(i)}`);
    return o[n] as unknown;
  }
  if (isMap(o) && typeof i === 'string') return select(o, i);
  throw noOverload('[]', o);
}

export function isNumber(x: unknown): x is number | bigint {
  return typeof x === 'number' || typeof x === 'bigint';
}

export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equals(a[k], b[k]));
  }
  return false;
}

export function compare(op: string, a: unknown, b: unknown): boolean {
  const comparable = (isNumber(a) && isNumber(b)) || (typeof a === 'string' && typeof b === 'string') || (typeof a === 'boolean' && typeof b === 'boolean');
  if (!comparable) throw noOverload(op, a);
  // JS compares number with bigint exactly, strings by UTF-16 code units as cel-js does.
  return compareNumbers(op, a as number, b as number);
}

export function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return checkInt(a + b);
      case '-':
        return checkInt(a - b);
      case '*':
        return checkInt(a * b);
      default:
        if (b === 0n) throw new CelRuntimeError(op === '/' ? 'division by zero' : 'modulus by zero');
        return op === '/' ? a / b : a % b;
    }
  }
  if (typeof a === 'number' && typeof b === 'number' && op !== '%') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      default:
        return a / b;
    }
  }
  throw noOverload(op, a);
}

export function checkInt(n: bigint): bigint {
  if (n < INT_MIN || n > INT_MAX) throw new CelRuntimeError('integer overflow');
  return n;
}

export function contains(container: unknown, x: unknown): boolean {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) if (equals(x, container[i])) return true;
    return false;
  }
  if (isMap(container)) return typeof x === 'string' && Object.prototype.hasOwnProperty.call(container, x);
  throw noOverload('in', container);
}

export function size(x: unknown): bigint {
  return BigInt(sizeNumber(x));
}

export function sizeNumber(x: unknown): number {
  if (typeof x === 'string') {
    let n = 0;
    for (const _ of x) n++;
    return n;
  }
  if (Array.isArray(x)) return x.length;
  if (isMap(x)) return Object.keys(x).length;
  throw noOverload('size', x);
}

export function toCelString(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'bigint' || typeof x === 'boolean' || typeof x === 'number') return String(x);
  throw noOverload('string', x);
}

// cel-js maps lowerAscii/upperAscii to the full Unicode case mapping; match it, not the spec's
// ASCII-only wording, so compiled and interpreted rules never disagree.
export function lowerAscii(s: string): string {
  return s.toLowerCase();
}

export function upperAscii(s: string): string {
  return s.toUpperCase();
}

export function typeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'list';
  if (typeof x === 'bigint') return 'int';
  if (typeof x === 'number') return 'double';
  if (typeof x === 'boolean') return 'bool';
  if (typeof x === 'object') return 'map';
  return typeof x;
}

export function noOverload(op: string, x: unknown): CelRuntimeError {
  return new CelRuntimeError(`no such overload: ${op} on ${typeOf(x)}`);
}

export function bool(x: unknown, op: string): boolean {
  if (typeof x !== 'boolean') throw noOverload(op, x);
  return x;
}

export function stringOf(x: unknown, op: string): string {
  if (typeof x !== 'string') throw noOverload(op, x);
  return x;
}

/** `s.toLowerCase() === lit` for a lower-case literal, without building the lower-cased copy. */
export function equalsFolded(s: string, lit: string): boolean {
  if (s.length !== lit.length) return s.toLowerCase() === lit;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c > 127) return s.toLowerCase() === lit;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lit.charCodeAt(i)) return false;
  }
  return true;
}

export function compareNumbers(op: string, x: number, y: number): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}
