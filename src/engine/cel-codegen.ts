/**
 * The fast path of a compiled rule expression: JavaScript source generated from the CEL AST and
 * turned into one function, so that every field read is a plain property load with its own
 * inline cache and nothing is dispatched at run time.
 *
 * It has no error handling: `a && b` is JavaScript's `&&` (after a bool check), and macros stop at
 * the first deciding element. Whenever it completes, its result is CEL's (short-circuiting only
 * skips operands that cannot change a result that is reached without error). When it throws,
 * the caller re-evaluates with the careful closures of cel-compile.ts, which absorb errors as CEL
 * does. Errors are rare (unread fields, rule bugs), so the careful path is rarely taken.
 */
import { intLiteral, isNode, lowerLiteral, lowerTarget, MACROS, sizeTarget, Unsupported } from './cel-ast.js';
import * as values from './cel-values.js';
import type { Compiled } from './cel-compile.js';
import { re2Matches } from './re2.js';

type Helper = (...args: never[]) => unknown;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Cannot occur in generated code otherwise: every rule string is embedded through JSON.stringify,
// which escapes control characters.
const PARAMS_PLACEHOLDER = '\u0000PARAMS\u0000';

/** Run-time support the generated code calls; kept small so V8 inlines it. */
const rt = {
  ...values,
  obj(o: unknown): Record<string, unknown> {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw values.noOverload('.', o);
    return o as Record<string, unknown>;
  },
  present(x: unknown, field: string): unknown {
    if (x === undefined) throw new values.CelRuntimeError(`No such key: ${field}`);
    return x;
  },
  has(o: unknown, field: string): boolean {
    if (!values.isMap(o)) throw values.noOverload('has', o);
    return Object.prototype.hasOwnProperty.call(o, field) && o[field] !== undefined;
  },
  items(t: unknown, op: string): unknown[] {
    if (Array.isArray(t)) return t;
    if (values.isMap(t)) return Object.keys(t);
    throw values.noOverload(op, t);
  },
  join(list: unknown, sep: unknown): string {
    if (!Array.isArray(list) || typeof sep !== 'string') throw values.noOverload('join', list);
    for (const x of list) if (typeof x !== 'string') throw values.noOverload('join', x);
    return list.join(sep);
  },
  startsWith(s: unknown, arg: unknown): boolean {
    if (typeof s !== 'string' || typeof arg !== 'string') throw values.noOverload('startsWith', s);
    return s.startsWith(arg);
  },
  endsWith(s: unknown, arg: unknown): boolean {
    if (typeof s !== 'string' || typeof arg !== 'string') throw values.noOverload('endsWith', s);
    return s.endsWith(arg);
  },
  matches(s: unknown, pattern: unknown): boolean {
    if (typeof s !== 'string' || typeof pattern !== 'string') throw values.noOverload('matches', s);
    return re2Matches(s, pattern);
  },
  strContains(s: unknown, arg: unknown): boolean {
    if (typeof s !== 'string' || typeof arg !== 'string') throw values.noOverload('contains', s);
    return s.includes(arg);
  },
  /** `"lit" in x`: only a string can equal a string literal, so === decides. */
  containsString(container: unknown, lit: string): boolean {
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) if (container[i] === lit) return true;
      return false;
    }
    return values.contains(container, lit);
  },
  inFolded(s: string, list: readonly string[]): boolean {
    for (let i = 0; i < list.length; i++) if (values.equalsFolded(s, list[i] as string)) return true;
    return false;
  },
};

export function generateFast(ast: unknown, helpers: Readonly<Record<string, Helper>>, variables: ReadonlySet<string>): Compiled | undefined {
  let macroCount = 0;
  const macros: string[] = [];
  const consts: unknown[] = [];

  const constant = (value: unknown): string => {
    consts.push(value);
    return `k[${consts.length - 1}]`;
  };

  // Code known to produce a bool needs no rt.bool() check where CEL requires one.
  const booleans = new Set<string>();
  const bool = (code: string): string => {
    booleans.add(code);
    return code;
  };
  const asBool = (code: string, op: string): string => (booleans.has(code) ? code : `rt.bool(${code}, ${JSON.stringify(op)})`);
  // Variables read once per evaluation, at the top: `resource` (checked to be a map there).
  const hoisted = new Map<string, string>();

  const literal = (x: unknown): string => {
    if (x === null || typeof x === 'boolean') return String(x);
    if (typeof x === 'string') return JSON.stringify(x);
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'number' && Number.isFinite(x)) return String(x);
    throw new Unsupported();
  };

  const emit = (node: unknown, scope: ReadonlyMap<string, string>): string => {
    if (!isNode(node)) throw new Unsupported();
    const a = node.args;
    const two = (): [string, string] => {
      const [l, r] = a as [unknown, unknown];
      return [emit(l, scope), emit(r, scope)];
    };
    switch (node.op) {
      case 'value':
        return literal(a);
      case 'id': {
        const name = String(a);
        const bound = scope.get(name);
        if (bound) return bound;
        if (!variables.has(name) || name === 'now' || !IDENT.test(name)) throw new Unsupported();
        const local = `$${name}`;
        hoisted.set(local, `rt.present(v.${name}, ${JSON.stringify(name)})`);
        return local;
      }
      case 'list': {
        const nodes = a as unknown[];
        // Not frozen: frozen arrays leave V8's fast iteration paths. Generated code never mutates.
        if (nodes.every((x) => isNode(x) && x.op === 'value')) return constant(nodes.map((x) => (x as { args: unknown }).args));
        return `[${nodes.map((x) => emit(x, scope)).join(', ')}]`;
      }
      case 'map':
        throw new Unsupported();
      case '.': {
        const [o, field] = a as [unknown, string];
        const obj = emit(o, scope);
        if (field in Object.prototype) return `rt.select(${obj}, ${JSON.stringify(field)})`;
        const checked = obj === '$resource' ? obj : `rt.obj(${obj})`;
        return `rt.present(${checked}[${JSON.stringify(field)}], ${JSON.stringify(field)})`;
      }
      case '[]': {
        const [o, i] = two();
        return `rt.index(${o}, ${i})`;
      }
      case '!_':
        return bool(`!${asBool(emit(a, scope), '!')}`);
      case '&&':
      case '||': {
        const [l, r] = two();
        return bool(`(${asBool(l, node.op)} ${node.op} ${asBool(r, node.op)})`);
      }
      case '?:': {
        const [c, t, f] = (a as unknown[]).map((x) => emit(x, scope)) as [string, string, string];
        const code = `(${asBool(c, '?:')} ? ${t} : ${f})`;
        return booleans.has(t) && booleans.has(f) ? bool(code) : code;
      }
      case '==':
      case '!=': {
        const neg = node.op === '!=' ? '!' : '';
        const [l, r] = a as [unknown, unknown];
        for (const [side, other] of [[l, r], [r, l]] as const) {
          const target = lowerTarget(side);
          const lit = lowerLiteral(other);
          if (target !== undefined && lit !== undefined) return bool(`${neg}rt.equalsFolded(rt.stringOf(${emit(target, scope)}, "lowerAscii"), ${JSON.stringify(lit)})`);
          const sized = sizeTarget(side);
          const n = intLiteral(other);
          if (sized !== undefined && n !== undefined) return bool(`${neg}(rt.sizeNumber(${emit(sized, scope)}) === ${n})`);
        }
        // Only a string equals a string literal, and then exactly when ===.
        for (const [side, other] of [[l, r], [r, l]] as const) {
          if (isNode(other) && other.op === 'value' && typeof other.args === 'string') return bool(`(${emit(side, scope)} ${neg ? '!==' : '==='} ${JSON.stringify(other.args)})`);
        }
        const [x, y] = two();
        return bool(`${neg}rt.equals(${x}, ${y})`);
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [l, r] = a as [unknown, unknown];
        const op = JSON.stringify(node.op);
        const lt = sizeTarget(l);
        const rn = intLiteral(r);
        if (lt !== undefined && rn !== undefined) return bool(`(rt.sizeNumber(${emit(lt, scope)}) ${node.op} ${rn})`);
        const rt2 = sizeTarget(r);
        const ln = intLiteral(l);
        if (rt2 !== undefined && ln !== undefined) return bool(`(${ln} ${node.op} rt.sizeNumber(${emit(rt2, scope)}))`);
        const [x, y] = two();
        return bool(`rt.compare(${op}, ${x}, ${y})`);
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const [x, y] = two();
        return `rt.arithmetic(${JSON.stringify(node.op)}, ${x}, ${y})`;
      }
      case '-_':
        throw new Unsupported();
      case 'in': {
        const [l, r] = a as [unknown, unknown];
        const target = lowerTarget(l);
        if (target !== undefined && isNode(r) && r.op === 'list') {
          const lits = (r.args as unknown[]).map(lowerLiteral);
          if (lits.every((x) => x !== undefined)) return bool(`rt.inFolded(rt.stringOf(${emit(target, scope)}, "lowerAscii"), ${constant(lits)})`);
        }
        if (isNode(l) && l.op === 'value' && typeof l.args === 'string') return bool(`rt.containsString(${emit(r, scope)}, ${JSON.stringify(l.args)})`);
        const [x, y] = two();
        return bool(`rt.contains(${y}, ${x})`);
      }
      case 'call':
        return emitCall(a as [string, unknown[]], scope);
      case 'rcall':
        return emitMethod(a as [string, unknown, unknown[]], scope);
      default:
        throw new Unsupported();
    }
  };

  const emitCall = ([name, args]: [string, unknown[]], scope: ReadonlyMap<string, string>): string => {
    if (name === 'has') {
      const target = args[0];
      if (args.length !== 1 || !isNode(target) || target.op !== '.') throw new Unsupported();
      const [o, field] = target.args as [unknown, string];
      return bool(`rt.has(${emit(o, scope)}, ${JSON.stringify(field)})`);
    }
    const xs = args.map((x) => emit(x, scope));
    if (name === 'size' && xs.length === 1) return `rt.size(${xs[0]})`;
    if (name === 'string' && xs.length === 1) return `rt.toCelString(${xs[0]})`;
    if (name === 'dyn' && xs.length === 1) return `(${xs[0]})`;
    if (!helpers[name] || !IDENT.test(name)) throw new Unsupported();
    return `h.${name}(${xs.join(', ')})`;
  };

  const emitMethod = ([name, targetNode, argNodes]: [string, unknown, unknown[]], scope: ReadonlyMap<string, string>): string => {
    const target = emit(targetNode, scope);
    if (MACROS.has(name)) {
      const varNode = argNodes[0];
      if (!isNode(varNode) || varNode.op !== 'id' || typeof varNode.args !== 'string') throw new Unsupported();
      if (argNodes.length !== 2 && !(name === 'map' && argNodes.length === 3)) throw new Unsupported();
      const id = macroCount++;
      const param = `m${id}`;
      const inner = new Map(scope).set(varNode.args, param);
      const [pred, transform] = argNodes.slice(1).map((x) => emit(x, inner)) as [string, string | undefined];
      const items = `rt.items(${target}, ${JSON.stringify(name)})`;
      const p = asBool(pred, name);
      // Each macro is a function of its own, defined once beside the expression and given every
      // name it may read, so evaluating it allocates no closure. Indexed loops: no iterator.
      const loop = (body: string): string => `for (let i = 0; i < xs.length; i++) { const ${param} = xs[i]; ${body} }`;
      let body: string;
      switch (name) {
        case 'exists':
          body = `${loop(`if (${p}) return true;`)} return false;`;
          break;
        case 'all':
          body = `${loop(`if (!${p}) return false;`)} return true;`;
          break;
        case 'exists_one':
          body = `let n = 0; ${loop(`if (${p}) n++;`)} return n === 1;`;
          break;
        case 'filter':
          body = `const out = []; ${loop(`if (${p}) out.push(${param});`)} return out;`;
          break;
        default:
          body = transform ? `const out = []; ${loop(`if (${p}) out.push(${transform});`)} return out;` : `const out = []; ${loop(`out.push(${pred});`)} return out;`;
      }
      const outer = [...scope.values()].map((x) => `, ${x}`).join('');
      macros.push(`function mac${id}(xs, ${PARAMS_PLACEHOLDER}${outer}) { ${body} }`);
      const call = `mac${id}(${items}, ${PARAMS_PLACEHOLDER}${outer})`;
      return name === 'filter' || name === 'map' ? call : bool(call);
    }
    const args = argNodes.map((x) => emit(x, scope));
    switch (name) {
      case 'lowerAscii':
      case 'upperAscii':
        if (args.length !== 0) throw new Unsupported();
        return `rt.${name}(rt.stringOf(${target}, ${JSON.stringify(name)}))`;
      case 'startsWith':
      case 'endsWith':
      case 'contains':
      case 'matches':
        if (args.length !== 1) throw new Unsupported();
        return bool(`rt.${name === 'contains' ? 'strContains' : name}(${target}, ${args[0]})`);
      case 'size':
        if (args.length !== 0) throw new Unsupported();
        return `rt.size(${target})`;
      case 'join':
        if (args.length > 1) throw new Unsupported();
        return `rt.join(${target}, ${args[0] ?? '""'})`;
      default:
        throw new Unsupported();
    }
  };

  let source: string;
  try {
    source = emit(ast, new Map());
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  // The source is built only from the AST: identifiers are checked against IDENT and every
  // string from the rule is embedded with JSON.stringify, so a rule cannot inject code.
  const locals = [...hoisted].map(([local, init]) => `const ${local} = ${local === '$resource' ? `rt.obj(${init})` : init};`).join(' ');
  // Macro functions receive the hoisted variables (known only now) as leading parameters.
  const params = ['v', ...hoisted.keys()].join(', ');
  const code = `"use strict"; ${macros.join('\n')}\nreturn (v) => { ${locals} return ${source}; };`.split(PARAMS_PLACEHOLDER).join(params);
  const factory = new Function('rt', 'h', 'k', code) as (r: typeof rt, h: unknown, k: unknown[]) => Compiled;
  return factory(rt, helpers, consts);
}
