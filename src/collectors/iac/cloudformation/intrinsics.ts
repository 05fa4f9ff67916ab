// Intrinsic functions: checked once per template (names, arity, shapes; what each refers to), then
// resolved per world into CfnValue. What the template does not decide resolves to Unresolved, and
// any function whose input holds an Unresolved is Unresolved with the first reason: never a guess.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html

import { UserError } from '../../../errors.js';
import { Unresolved, type CfnValue } from './template-types.js';
import { get, setKey, type TemplateText, type TMap, type TNode, type TScalar } from './positions.js';
import { subParts } from './sub.js';
import type { Template } from './template.js';

/** The functions a template may call in Properties (and, marked, in Conditions). */
const FUNCTIONS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::ImportValue',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::Transform',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Fn::ToJsonString',
  'Fn::Length',
]);

export interface References {
  /** Logical ids named by Ref, GetAtt and Sub (parameters and pseudo-parameters included). */
  resources: Set<string>;
  /** `{Condition: X}` uses (in Conditions and inside And/Or/Not). */
  conditions: Array<{ name: string; at: TNode }>;
  /** Conditions named by `Fn::If`. */
  ifConditions: Array<{ name: string; at: TNode }>;
  /** `Fn::Transform` macro names. */
  macros: string[];
  /** Whether an `Fn::Equals` is met (a condition decided by values, not only by other conditions). */
  readsValues: boolean;
}

/** The function a node calls, when it is a call: a mapping of one key naming a function. */
export function callOf(node: TNode, inCondition: boolean): string | undefined {
  if (node.kind !== 'map' || node.keys.length !== 1) return undefined;
  const k = (node.keys[0] as TScalar).value as string;
  if (k === 'Ref' || k.startsWith('Fn::')) return k;
  if (k === 'Condition' && inCondition) return k;
  return undefined;
}

function isString(n: TNode | undefined): n is TScalar & { value: string } {
  return n !== undefined && n.kind === 'scalar' && typeof n.value === 'string';
}

function isCallOrString(n: TNode | undefined, inCondition: boolean): boolean {
  return n !== undefined && (isString(n) || callOf(n, inCondition) !== undefined);
}

/** Checks every call under `node`; records what they refer to. Throws UserError at a bad call. */
export function checkIntrinsics(text: TemplateText, node: TNode, refs: References, inCondition: boolean): void {
  const visit = (n: TNode, cond: boolean): void => {
    const fn = callOf(n, cond);
    if (fn === undefined) {
      if (n.kind === 'map') for (const v of n.values) visit(v, cond);
      else if (n.kind === 'seq') for (const v of n.items) visit(v, cond);
      return;
    }
    const map = n as TMap;
    const key = map.keys[0] as TScalar;
    const arg = map.values[0] as TNode;
    // Declared with its type so that a call narrows like a throw.
    const bad: (shape: string) => never = (shape) => {
      throw new UserError(text.at(key, `${fn} expects ${shape}`));
    };
    const items = arg.kind === 'seq' ? arg.items : undefined;
    switch (fn) {
      case 'Ref':
        if (!isString(arg)) bad('the name of a parameter or resource');
        refs.resources.add(arg.value);
        return;
      case 'Condition':
        if (!isString(arg)) bad('the name of a condition');
        refs.conditions.push({ name: arg.value, at: arg });
        return;
      case 'Fn::GetAtt': {
        if (isString(arg)) {
          const dot = arg.value.indexOf('.');
          if (dot <= 0) bad('[LogicalId, Attribute] or "LogicalId.Attribute"');
          refs.resources.add(arg.value.slice(0, dot));
          return;
        }
        if (!items || items.length !== 2 || !isString(items[0]) || !isCallOrString(items[1], cond)) bad('[LogicalId, Attribute]');
        refs.resources.add((items[0] as TScalar).value as string);
        visit(items[1] as TNode, cond);
        return;
      }
      case 'Fn::Sub': {
        let template: TNode | undefined = arg;
        let vars: TNode | undefined;
        if (items) {
          if (items.length !== 2 || items[1]?.kind !== 'map') bad('a string, or [string, {Name: value, …}]');
          template = items[0];
          vars = items[1];
        }
        if (!isString(template)) bad('a string, or [string, {Name: value, …}]');
        const local = new Set(vars?.kind === 'map' ? vars.keys.map((k) => String(k.value)) : []);
        for (const p of subParts(template.value)) {
          if ('name' in p) {
            const base = p.name.split('.')[0] ?? p.name;
            if (!local.has(p.name)) refs.resources.add(base);
          }
        }
        if (vars) visit(vars, cond);
        return;
      }
      case 'Fn::Join':
        if (!items || items.length !== 2 || !isString(items[0]) || !(items[1]?.kind === 'seq' || callOf(items[1] as TNode, cond))) bad('[delimiter, [values…]]');
        break;
      case 'Fn::Select':
        if (!items || items.length !== 2) bad('[index, [values…]]');
        break;
      case 'Fn::Split':
        if (!items || items.length !== 2 || !isString(items[0])) bad('[delimiter, string]');
        break;
      case 'Fn::FindInMap':
        if (!items || items.length < 3 || items.length > 4) bad('[MapName, TopLevelKey, SecondLevelKey] (and optionally {DefaultValue: …})');
        if (items.length === 4 && !(items[3]?.kind === 'map' && get(items[3], 'DefaultValue') !== undefined)) bad('{DefaultValue: …} as its fourth element');
        break;
      case 'Fn::If':
        if (!items || items.length !== 3 || !isString(items[0])) bad('[ConditionName, value if true, value if false]');
        refs.ifConditions.push({ name: (items[0] as TScalar).value as string, at: items[0] as TNode });
        visit(items[1] as TNode, cond);
        visit(items[2] as TNode, cond);
        return;
      case 'Fn::Cidr':
        if (!items || items.length !== 3) bad('[ipBlock, count, cidrBits]');
        break;
      case 'Fn::Equals':
        if (!items || items.length !== 2) bad('[value, value]');
        refs.readsValues = true;
        break;
      case 'Fn::And':
      case 'Fn::Or':
        if (!items || items.length < 2 || items.length > 10) bad('a list of 2 to 10 conditions');
        for (const c of items) visitCondition(c);
        return;
      case 'Fn::Not':
        if (!items || items.length !== 1) bad('a list of one condition');
        visitCondition(items[0] as TNode);
        return;
      case 'Fn::Transform': {
        const name = arg.kind === 'map' ? get(arg, 'Name') : undefined;
        if (!isString(name)) bad('{Name: MacroName, Parameters: {…}}');
        refs.macros.push(name.value);
        return;
      }
      case 'Fn::ImportValue':
      case 'Fn::Base64':
      case 'Fn::GetAZs':
      case 'Fn::ToJsonString':
      case 'Fn::Length':
        break;
      default:
        throw new UserError(text.at(key, `unknown intrinsic function ${clip(fn)}`));
    }
    if (!FUNCTIONS.has(fn)) throw new UserError(text.at(key, `unknown intrinsic function ${clip(fn)}`));
    visit(arg, cond);
  };
  // Where a condition is expected: a condition function or `{Condition: name}`, nothing else.
  const visitCondition = (n: TNode): void => {
    const fn = callOf(n, true);
    if (fn === undefined || !CONDITION_FUNCTIONS.has(fn)) throw new UserError(text.at(n, 'expected a condition: Fn::Equals, Fn::And, Fn::Or, Fn::Not or {Condition: Name}'));
    visit(n, true);
  };
  if (inCondition) visitCondition(node);
  else visit(node, inCondition);
}

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition']);

/** `AWS::NoValue`: the key (or list element) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
export type Resolved = CfnValue | typeof NO_VALUE;

/** What resolution in one world knows. */
export interface Scope {
  tpl: Template;
  /** A parameter's value (Unresolved when not known); undefined when `name` is no parameter. */
  parameter(name: string): CfnValue | undefined;
  /** A pseudo-parameter (`AWS::Region`); undefined when `name` is none. */
  pseudo(name: string): Resolved | undefined;
  /** A resource's Ref; undefined when `logicalId` is no resource of the template. */
  ref(logicalId: string): CfnValue | undefined;
  getAtt(logicalId: string, attribute: string): CfnValue;
  condition(name: string): boolean | Unresolved;
  /** Called when a `Fn::Transform` is met: the stack is unexpanded. */
  macro(name: string): void;
}

/** The first Unresolved in a value, if any (deep). */
export function firstUnresolved(v: CfnValue): Unresolved | undefined {
  if (v instanceof Unresolved) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = firstUnresolved(x);
      if (u) return u;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) {
      const u = firstUnresolved(x);
      if (u) return u;
    }
  }
  return undefined;
}

export function resolve(node: TNode, scope: Scope): Resolved {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') {
    const out: CfnValue[] = [];
    for (const item of node.items) {
      const v = resolve(item, scope);
      if (v !== NO_VALUE) out.push(v);
    }
    return out;
  }
  const fn = callOf(node, false);
  if (fn !== undefined) return call(fn, node.values[0] as TNode, scope);
  const out: Record<string, CfnValue> = {};
  for (let i = 0; i < node.keys.length; i++) {
    const v = resolve(node.values[i] as TNode, scope);
    if (v !== NO_VALUE) setKey(out, String((node.keys[i] as TScalar).value), v);
  }
  return out;
}

/** Resolved, with AWS::NoValue where a value is required read as unresolved. */
function value(node: TNode, scope: Scope, fn: string): CfnValue {
  const v = resolve(node, scope);
  return v === NO_VALUE ? new Unresolved(fn, `AWS::NoValue is not a value ${fn} can use`) : v;
}

function scalarText(v: CfnValue): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function call(fn: string, arg: TNode, scope: Scope): Resolved {
  const items = arg.kind === 'seq' ? arg.items : [];
  switch (fn) {
    case 'Ref': {
      const name = (arg as TScalar).value as string;
      // AWS::NoValue removes the key or list element it stands in, also through Fn::If.
      if (name === 'AWS::NoValue') return NO_VALUE;
      return refOf(name, scope);
    }
    case 'Fn::GetAtt': {
      let id: string;
      let attr: CfnValue;
      if (arg.kind === 'scalar') {
        const s = arg.value as string;
        id = s.slice(0, s.indexOf('.'));
        attr = s.slice(s.indexOf('.') + 1);
      } else {
        id = (items[0] as TScalar).value as string;
        attr = value(items[1] as TNode, scope, fn);
      }
      if (attr instanceof Unresolved) return attr;
      if (typeof attr !== 'string') return new Unresolved(fn, `the attribute name of Fn::GetAtt ${id} is not a string`);
      return getAttOf(id, attr, scope);
    }
    case 'Fn::Sub': {
      const template = (arg.kind === 'seq' ? items[0] : arg) as TScalar;
      const varsNode = arg.kind === 'seq' ? (items[1] as TMap) : undefined;
      const vars = new Map<string, TNode>();
      if (varsNode) varsNode.keys.forEach((k, i) => vars.set(String(k.value), varsNode.values[i] as TNode));
      let out = '';
      for (const p of subParts(template.value as string)) {
        if ('text' in p) {
          out += p.text;
          continue;
        }
        const local = vars.get(p.name);
        let v: CfnValue;
        if (local !== undefined) v = value(local, scope, fn);
        else {
          const dot = p.name.indexOf('.');
          v = dot > 0 ? getAttOf(p.name.slice(0, dot), p.name.slice(dot + 1), scope) : refOf(p.name, scope);
        }
        if (v instanceof Unresolved) return v;
        const s = scalarText(v);
        if (s === undefined) return new Unresolved(fn, `\${${p.name}} in Fn::Sub is not a string`);
        out += s;
      }
      return out;
    }
    case 'Fn::Join': {
      const delim = (items[0] as TScalar).value as string;
      const list = value(items[1] as TNode, scope, fn);
      const u = firstUnresolved(list);
      if (u) return u;
      if (!Array.isArray(list)) return new Unresolved(fn, 'Fn::Join: the second argument is not a list');
      const parts: string[] = [];
      for (const x of list) {
        const s = scalarText(x);
        if (s === undefined) return new Unresolved(fn, 'Fn::Join: a list element is not a string');
        parts.push(s);
      }
      return parts.join(delim);
    }
    case 'Fn::Select': {
      const index = value(items[0] as TNode, scope, fn);
      const list = value(items[1] as TNode, scope, fn);
      if (index instanceof Unresolved) return index;
      const u = firstUnresolved(list);
      if (u) return u;
      const i = typeof index === 'number' ? index : typeof index === 'string' && /^[0-9]{1,9}$/.test(index) ? Number(index) : NaN;
      if (!Array.isArray(list) || !Number.isInteger(i) || i < 0 || i >= list.length) return new Unresolved(fn, `Fn::Select: index ${String(scalarText(index))} is not in the list`);
      return list[i] as CfnValue;
    }
    case 'Fn::Split': {
      const delim = (items[0] as TScalar).value as string;
      const s = value(items[1] as TNode, scope, fn);
      if (s instanceof Unresolved) return s;
      if (typeof s !== 'string') return new Unresolved(fn, 'Fn::Split: the second argument is not a string');
      return delim === '' ? [s] : s.split(delim);
    }
    case 'Fn::FindInMap': {
      const keys = items.slice(0, 3).map((k) => value(k, scope, fn));
      const u = keys.find((k) => k instanceof Unresolved);
      const fallback = items[3] ? (get(items[3] as TMap, 'DefaultValue') as TNode) : undefined;
      if (u) return u;
      const [m, top, second] = keys.map(scalarText);
      const mapNode = scope.tpl.mappings && m !== undefined ? get(scope.tpl.mappings, m) : undefined;
      const topNode = mapNode?.kind === 'map' && top !== undefined ? get(mapNode, top) : undefined;
      const leaf = topNode?.kind === 'map' && second !== undefined ? get(topNode, second) : undefined;
      if (leaf !== undefined) return resolve(leaf, scope);
      if (fallback !== undefined) return resolve(fallback, scope);
      return new Unresolved(fn, `Mappings has no ${[m, top, second].map((k) => k ?? '?').join('.')}`);
    }
    case 'Fn::ImportValue': {
      const name = value(arg, scope, fn);
      const shown = typeof name === 'string' ? clip(name) : name instanceof Unresolved ? `(an export whose name is not known: ${name.reason})` : '?';
      return new Unresolved(fn, `the value of the export ${shown} is known only in the deployed account`);
    }
    case 'Fn::Base64': {
      const s = value(arg, scope, fn);
      if (s instanceof Unresolved) return s;
      if (typeof s !== 'string') return new Unresolved(fn, 'Fn::Base64: the argument is not a string');
      return Buffer.from(s, 'utf8').toString('base64');
    }
    case 'Fn::GetAZs':
      return new Unresolved(fn, "the region's Availability Zones are known only in the deployed account");
    case 'Fn::Cidr':
      return cidr(items.map((n) => value(n, scope, fn)));
    case 'Fn::If': {
      const name = (items[0] as TScalar).value as string;
      const c = scope.condition(name);
      if (typeof c === 'boolean') return resolve(items[c ? 1 : 2] as TNode, scope);
      // Undecided (beyond the worlds' cap): both branches alike are that value, otherwise unknown.
      const a = resolve(items[1] as TNode, scope);
      const b = resolve(items[2] as TNode, scope);
      if (sameValue(a, b)) return a;
      return new Unresolved('Fn::If', `condition ${name} is not decided (${c.reason}) and its branches differ`);
    }
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
    case 'Condition': {
      const c = evalCondition({ kind: 'map', keys: [{ kind: 'scalar', value: fn, start: 0, end: 0 }], values: [arg], start: 0, end: 0 }, scope);
      return c;
    }
    case 'Fn::Transform': {
      const name = String((get(arg as TMap, 'Name') as TScalar).value);
      scope.macro(name);
      return new Unresolved('Fn::Transform', `the macro ${name} is not expanded by linkaudit`);
    }
    case 'Fn::ToJsonString': {
      const v = value(arg, scope, fn);
      const u = firstUnresolved(v);
      return u ?? JSON.stringify(v);
    }
    case 'Fn::Length': {
      const v = value(arg, scope, fn);
      const u = firstUnresolved(v);
      if (u) return u;
      return Array.isArray(v) ? v.length : new Unresolved(fn, 'Fn::Length: the argument is not a list');
    }
    default:
      return new Unresolved(fn, `${fn} is not resolved by linkaudit`);
  }
}

/** Template text in a message, bounded (the CLI escapes control characters; length is ours to bound). */
export function clip(s: string, max = 200): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}

function refOf(name: string, scope: Scope): CfnValue {
  const p = scope.parameter(name);
  if (p !== undefined) return p;
  const ps = scope.pseudo(name);
  if (ps !== undefined) return ps === NO_VALUE ? new Unresolved('Ref', 'AWS::NoValue is not a value here') : ps;
  const r = scope.ref(name);
  if (r !== undefined) return r;
  return new Unresolved('Ref', `${clip(name)} is not a parameter or resource of this template`);
}

function getAttOf(id: string, attr: string, scope: Scope): CfnValue {
  return scope.getAtt(id, attr);
}

/** `Ref` through the scope, keeping AWS::NoValue as itself (it removes the key). */
export function resolveTop(node: TNode, scope: Scope): Resolved {
  if (callOf(node, false) === 'Ref' && ((node as TMap).values[0] as TScalar).value === 'AWS::NoValue') return NO_VALUE;
  return resolve(node, scope);
}

export function sameValue(a: Resolved, b: Resolved): boolean {
  if (a === b) return true;
  if (a instanceof Unresolved || b instanceof Unresolved || a === NO_VALUE || b === NO_VALUE) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A condition expression: true, false, or Unresolved (Kleene logic: false And unknown is false). */
export function evalCondition(node: TNode, scope: Scope): boolean | Unresolved {
  const fn = callOf(node, true);
  const arg = node.kind === 'map' ? (node.values[0] as TNode) : node;
  const items = arg?.kind === 'seq' ? arg.items : [];
  switch (fn) {
    case 'Condition':
      return scope.condition((arg as TScalar).value as string);
    case 'Fn::Equals': {
      const a = value(items[0] as TNode, scope, fn);
      const b = value(items[1] as TNode, scope, fn);
      const u = firstUnresolved(a) ?? firstUnresolved(b);
      if (u) return u;
      // CloudFormation compares the values as strings: `!Equals [!Ref Count, 1]` holds for "1".
      const sa = scalarText(a);
      const sb = scalarText(b);
      return sa !== undefined && sb !== undefined ? sa === sb : JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const decisive = fn === 'Fn::Or';
      let unknown: Unresolved | undefined;
      for (const c of items) {
        const v = evalCondition(c, scope);
        if (v === decisive) return decisive;
        if (v instanceof Unresolved) unknown ??= v;
      }
      return unknown ?? !decisive;
    }
    case 'Fn::Not': {
      const v = evalCondition(items[0] as TNode, scope);
      return typeof v === 'boolean' ? !v : v;
    }
    default: {
      // A literal true/false (CloudFormation takes "true"/"false" too) or another function's value.
      const v = fn === undefined ? resolve(node, scope) : value(node, scope, 'Condition');
      if (v instanceof Unresolved) return v;
      if (v === true || v === 'true') return true;
      if (v === false || v === 'false') return false;
      return new Unresolved('Condition', 'a condition that is not true or false');
    }
  }
}

/** `Fn::Cidr [ipBlock, count, cidrBits]` for IPv4; IPv6 is left unresolved. */
function cidr(args: CfnValue[]): CfnValue {
  const u = args.map(firstUnresolved).find((x) => x !== undefined);
  if (u) return u;
  const [block, countV, bitsV] = args.map(scalarText);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block ?? '');
  const count = Number(countV);
  const bits = Number(bitsV);
  if (!m || !Number.isInteger(count) || !Number.isInteger(bits) || count < 1 || count > 256) return new Unresolved('Fn::Cidr', `Fn::Cidr of ${block ?? '?'} is not computed (IPv4 blocks only)`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  const newPrefix = 32 - bits;
  if (octets.some((o) => o > 255) || prefix > 32 || newPrefix < prefix || newPrefix > 32 || count > 2 ** (newPrefix - prefix)) return new Unresolved('Fn::Cidr', `Fn::Cidr cannot split ${block ?? '?'} into ${count} blocks of ${bits} bits`);
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - newPrefix);
  const net = base - (base % 2 ** (32 - prefix));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = net + i * size;
    out.push(`${Math.floor(a / 16777216) % 256}.${Math.floor(a / 65536) % 256}.${Math.floor(a / 256) % 256}.${a % 256}/${newPrefix}`);
  }
  return out;
}
