/**
 * Compiles the common subset of CEL that rules use into JavaScript closures.
 *
 * cel-js interprets an expression by dispatching every operator and method on the runtime types
 * of untyped values; that costs about a microsecond per rule and resource, several times the
 * engine's budget. Rules are type-checked by cel-js when they load, so at run time the closures
 * only have to reproduce CEL's semantics for the values a snapshot holds (strings, bools, JSON
 * numbers, CEL ints as BigInt, lists, maps, null). Anything outside the subset (timestamps,
 * durations, bytes, cel.bind, optional values, unknown functions) makes
 * `compileCel` return undefined and the caller keeps cel-js for that expression. A differential
 * test holds every compiled rule expression to cel-js's results.
 *
 * Errors follow CEL: `&&`, `||` and the `exists`/`all` macros absorb an error when the other
 * operands decide the result; otherwise the error propagates (the engine reports unknown).
 */

import { intLiteral, isNode, lowerLiteral, lowerTarget, MACROS, sizeTarget, Unsupported, type AstNode } from './cel-ast.js';
import {
  CelRuntimeError,
  arithmetic,
  bool,
  compare,
  compareNumbers,
  contains,
  equals,
  equalsFolded,
  index,
  isMap,
  lowerAscii,
  noOverload,
  select,
  size,
  sizeNumber,
  stringOf,
  toCelString,
  upperAscii,
} from './cel-values.js';
import { re2Matches } from './re2.js';

export type Compiled = (vars: Record<string, unknown>) => unknown;
type Helper = (...args: never[]) => unknown;

interface Slot {
  value: unknown;
}

type Scope = ReadonlyMap<string, Slot>;

/** Returns a closure equivalent to the expression, or undefined when it leaves the subset. */
export function compileCel(ast: unknown, helpers: Readonly<Record<string, Helper>>, variables: ReadonlySet<string>): Compiled | undefined {
  try {
    return compileNode(ast, new Map(), { helpers, variables });
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

interface Ctx {
  helpers: Readonly<Record<string, Helper>>;
  variables: ReadonlySet<string>;
}

function compileNode(node: unknown, scope: Scope, ctx: Ctx): Compiled {
  if (!isNode(node)) throw new Unsupported();
  const a = node.args;
  const bin = (): [Compiled, Compiled] => {
    const [l, r] = a as [unknown, unknown];
    return [compileNode(l, scope, ctx), compileNode(r, scope, ctx)];
  };
  switch (node.op) {
    case 'value': {
      if (a !== null && !['string', 'boolean', 'number', 'bigint'].includes(typeof a)) throw new Unsupported();
      return () => a;
    }
    case 'id':
      return compileIdent(String(a), scope, ctx);
    case 'list': {
      const nodes = a as unknown[];
      // A list of literals (`state in ["deleted", "failed"]`) is built once, not per evaluation;
      // compiled code never mutates a list.
      if (nodes.every((x) => isNode(x) && x.op === 'value')) {
        const constant = Object.freeze(nodes.map((x) => (x as AstNode).args));
        return () => constant;
      }
      const items = nodes.map((x) => compileNode(x, scope, ctx));
      return (v) => items.map((f) => f(v));
    }
    case 'map': {
      const entries = (a as Array<[unknown, unknown]>).map(([k, val]) => [compileNode(k, scope, ctx), compileNode(val, scope, ctx)] as const);
      return (v) => {
        const out: Record<string, unknown> = {};
        for (const [k, val] of entries) {
          const key = k(v);
          if (typeof key !== 'string') throw new CelRuntimeError('map keys other than strings are not supported');
          out[key] = val(v);
        }
        return out;
      };
    }
    case '.': {
      const [objNode, field] = a as [unknown, string];
      const obj = compileNode(objNode, scope, ctx);
      // Model objects are plain JSON: a property that is not inherited from Object.prototype can
      // be read directly, undefined meaning absent. Inherited names take the careful path.
      if (field in Object.prototype) return (v) => select(obj(v), field);
      return (v) => {
        const o = obj(v);
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw noOverload('.', o);
        const x = (o as Record<string, unknown>)[field];
        if (x === undefined) throw new CelRuntimeError(`No such key: ${field}`);
        return x;
      };
    }
    case '[]': {
      const [o, i] = bin();
      return (v) => index(o(v), i(v));
    }
    case '!_': {
      const x = compileNode(a, scope, ctx);
      return (v) => !bool(x(v), '!');
    }
    case '-_': {
      const x = compileNode(a, scope, ctx);
      return (v) => {
        const n = x(v);
        if (typeof n === 'bigint' || typeof n === 'number') return -n;
        throw noOverload('-', n);
      };
    }
    case '&&': {
      const [l, r] = bin();
      return (v) => logical(l, r, v, false);
    }
    case '||': {
      const [l, r] = bin();
      return (v) => logical(l, r, v, true);
    }
    case '?:': {
      const [c, t, f] = (a as unknown[]).map((x) => compileNode(x, scope, ctx)) as [Compiled, Compiled, Compiled];
      return (v) => (bool(c(v), '?:') ? t(v) : f(v));
    }
    case '==':
    case '!=': {
      const negate = node.op === '!=';
      const folded = foldedEquality(a as [unknown, unknown], scope, ctx);
      if (folded) return negate ? (v) => !folded(v) : folded;
      const [l, r] = bin();
      return negate ? (v) => !equals(l(v), r(v)) : (v) => equals(l(v), r(v));
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const op = node.op;
      const sized = sizeComparison(op, a as [unknown, unknown], scope, ctx);
      if (sized) return sized;
      const [l, r] = bin();
      return (v) => compare(op, l(v), r(v));
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%': {
      const [l, r] = bin();
      const op = node.op;
      return (v) => arithmetic(op, l(v), r(v));
    }
    case 'in': {
      const folded = foldedMembership(a as [unknown, unknown], scope, ctx);
      if (folded) return folded;
      const [l, r] = bin();
      return (v) => contains(r(v), l(v));
    }
    case 'call':
      return compileCall(a as [string, unknown[]], scope, ctx);
    case 'rcall':
      return compileMethod(a as [string, unknown, unknown[]], scope, ctx);
    default:
      throw new Unsupported();
  }
}

// Peepholes for the idioms rules are made of. They compute the same values as the general path
// without allocating: `x.lowerAscii() == "lit"` compares case-folded characters in place, and
// `size(x) < 2` compares lengths as numbers instead of making BigInts. Garbage collection was a
// third of a scan's time before them.

function foldedEquality([l, r]: [unknown, unknown], scope: Scope, ctx: Ctx): Compiled | undefined {
  for (const [side, other] of [[l, r], [r, l]] as const) {
    const target = lowerTarget(side);
    const lit = lowerLiteral(other);
    if (target !== undefined && lit !== undefined) {
      const t = compileNode(target, scope, ctx);
      return (v) => equalsFolded(stringOf(t(v), 'lowerAscii'), lit);
    }
  }
  return undefined;
}

function foldedMembership([l, r]: [unknown, unknown], scope: Scope, ctx: Ctx): Compiled | undefined {
  const target = lowerTarget(l);
  if (target === undefined || !isNode(r) || r.op !== 'list') return undefined;
  const lits = (r.args as unknown[]).map(lowerLiteral);
  if (lits.some((x) => x === undefined)) return undefined;
  const t = compileNode(target, scope, ctx);
  const list = lits as string[];
  return (v) => {
    const s = stringOf(t(v), 'lowerAscii');
    for (const lit of list) if (equalsFolded(s, lit)) return true;
    return false;
  };
}

function sizeComparison(op: string, [l, r]: [unknown, unknown], scope: Scope, ctx: Ctx): Compiled | undefined {
  const lt = sizeTarget(l);
  const rn = intLiteral(r);
  if (lt !== undefined && rn !== undefined) {
    const t = compileNode(lt, scope, ctx);
    return (v) => compareNumbers(op, sizeNumber(t(v)), rn);
  }
  const rt = sizeTarget(r);
  const ln = intLiteral(l);
  if (rt !== undefined && ln !== undefined) {
    const t = compileNode(rt, scope, ctx);
    return (v) => compareNumbers(op, ln, sizeNumber(t(v)));
  }
  return undefined;
}

function compileIdent(name: string, scope: Scope, ctx: Ctx): Compiled {
  const slot = scope.get(name);
  if (slot) return () => slot.value;
  // `now` is a timestamp: operations on it are outside the subset.
  if (!ctx.variables.has(name) || name === 'now') throw new Unsupported();
  // A constant property name gives V8 a monomorphic load; most expressions read `resource`.
  if (name === 'resource') {
    return (v) => {
      const x = v.resource;
      if (x === undefined) throw new CelRuntimeError('Unknown variable: resource');
      return x;
    };
  }
  return (v) => {
    const x = v[name];
    if (x === undefined) throw new CelRuntimeError(`Unknown variable: ${name}`);
    return x;
  };
}

function compileCall([name, argNodes]: [string, unknown[]], scope: Scope, ctx: Ctx): Compiled {
  if (name === 'has') {
    const target = argNodes[0];
    if (argNodes.length !== 1 || !isNode(target) || target.op !== '.') throw new Unsupported();
    const [objNode, field] = target.args as [unknown, string];
    const obj = compileNode(objNode, scope, ctx);
    return (v) => {
      const o = obj(v);
      if (!isMap(o)) throw noOverload('has', o);
      return Object.prototype.hasOwnProperty.call(o, field) && (o as Record<string, unknown>)[field] !== undefined;
    };
  }
  const args = argNodes.map((x) => compileNode(x, scope, ctx));
  const one = (fn: (x: unknown) => unknown): Compiled => {
    if (args.length !== 1) throw new Unsupported();
    const [x] = args as [Compiled];
    return (v) => fn(x(v));
  };
  switch (name) {
    case 'size':
      return one(size);
    case 'string':
      return one(toCelString);
    case 'dyn':
      return one((x) => x);
    default: {
      const helper = ctx.helpers[name];
      if (!helper) throw new Unsupported();
      const fn = helper as (...xs: unknown[]) => unknown;
      switch (args.length) {
        case 1: {
          const [x] = args as [Compiled];
          return (v) => fn(x(v));
        }
        case 2: {
          const [x, y] = args as [Compiled, Compiled];
          return (v) => fn(x(v), y(v));
        }
        default:
          return (v) => fn(...args.map((f) => f(v)));
      }
    }
  }
}

function compileMethod([name, targetNode, argNodes]: [string, unknown, unknown[]], scope: Scope, ctx: Ctx): Compiled {
  const target = compileNode(targetNode, scope, ctx);
  if (MACROS.has(name)) return compileMacro(name, target, argNodes, scope, ctx);
  const args = argNodes.map((x) => compileNode(x, scope, ctx));
  const str = (fn: (s: string, arg: string) => unknown): Compiled => {
    if (args.length !== 1) throw new Unsupported();
    const [x] = args as [Compiled];
    return (v) => {
      const s = target(v);
      const arg = x(v);
      if (typeof s !== 'string' || typeof arg !== 'string') throw noOverload(name, s);
      return fn(s, arg);
    };
  };
  switch (name) {
    case 'lowerAscii':
    case 'upperAscii': {
      if (args.length !== 0) throw new Unsupported();
      const convert = name === 'lowerAscii' ? lowerAscii : upperAscii;
      return (v) => {
        const s = target(v);
        if (typeof s !== 'string') throw noOverload(name, s);
        return convert(s);
      };
    }
    case 'startsWith':
      return str((s, p) => s.startsWith(p));
    case 'endsWith':
      return str((s, p) => s.endsWith(p));
    case 'contains':
      return str((s, p) => s.includes(p));
    case 'matches':
      return str(re2Matches);
    case 'size':
      if (args.length !== 0) throw new Unsupported();
      return (v) => size(target(v));
    case 'join': {
      if (args.length > 1) throw new Unsupported();
      const sep = args[0];
      return (v) => {
        const list = target(v);
        const s = sep ? sep(v) : '';
        if (!Array.isArray(list) || typeof s !== 'string') throw noOverload('join', list);
        for (const x of list) if (typeof x !== 'string') throw noOverload('join', x);
        return list.join(s);
      };
    }
    default:
      throw new Unsupported();
  }
}

function compileMacro(name: string, target: Compiled, argNodes: unknown[], scope: Scope, ctx: Ctx): Compiled {
  const varNode = argNodes[0];
  if (!isNode(varNode) || varNode.op !== 'id' || typeof varNode.args !== 'string') throw new Unsupported();
  if (argNodes.length !== 2 && !(name === 'map' && argNodes.length === 3)) throw new Unsupported();
  const slot: Slot = { value: undefined };
  const inner = new Map(scope).set(varNode.args, slot);
  const body = argNodes.slice(1).map((x) => compileNode(x, inner, ctx));
  const [pred, transform] = body as [Compiled, Compiled | undefined];
  const items = (v: Record<string, unknown>): unknown[] => {
    const t = target(v);
    if (Array.isArray(t)) return t;
    if (isMap(t)) return Object.keys(t);
    throw noOverload(name, t);
  };
  switch (name) {
    case 'exists':
    case 'all': {
      // exists: true wins over errors; all: false wins over errors.
      const decisive = name === 'exists';
      return (v) => {
        let error: unknown;
        for (const x of items(v)) {
          slot.value = x;
          try {
            if (bool(pred(v), name) === decisive) return decisive;
          } catch (err) {
            error ??= err;
          }
        }
        if (error !== undefined) throw error;
        return !decisive;
      };
    }
    case 'exists_one':
      return (v) => {
        let n = 0;
        for (const x of items(v)) {
          slot.value = x;
          if (bool(pred(v), name)) n++;
        }
        return n === 1;
      };
    case 'filter':
      return (v) => {
        const out: unknown[] = [];
        for (const x of items(v)) {
          slot.value = x;
          if (bool(pred(v), name)) out.push(x);
        }
        return out;
      };
    default:
      // map(x, f) or map(x, p, f)
      return (v) => {
        const out: unknown[] = [];
        for (const x of items(v)) {
          slot.value = x;
          if (transform) {
            if (bool(pred(v), name)) out.push(transform(v));
          } else out.push(pred(v));
        }
        return out;
      };
  }
}

function logical(l: Compiled, r: Compiled, v: Record<string, unknown>, decisive: boolean): boolean {
  let left: boolean | undefined;
  let leftError: unknown;
  try {
    left = bool(l(v), decisive ? '||' : '&&');
    if (left === decisive) return decisive;
  } catch (err) {
    leftError = err;
  }
  let right: boolean;
  try {
    right = bool(r(v), decisive ? '||' : '&&');
  } catch (err) {
    throw leftError ?? err;
  }
  if (right === decisive) return decisive;
  if (leftError !== undefined) throw leftError;
  return !decisive;
}

