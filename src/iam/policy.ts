import type { ConditionValue, PolicyDocument, PolicyStatement } from '../model/types.js';
import { catalog, type CatalogAction } from './catalog.js';
import { isPrincipalKey } from './request.js';
import { wildcardMatch } from './wildcard.js';
import { pushAll } from '../arrays.js';

/** One condition of a statement: `Operator: { key: values }` split into its parts. */
export interface ConditionEntry {
  /** As written, for messages: `ForAllValues:StringEquals`. */
  operatorText: string;
  /** Base operator without set prefix or IfExists: `StringEquals`, `Null`, `ArnLike` … */
  base: string;
  set: 'ForAllValues' | 'ForAnyValue' | undefined;
  ifExists: boolean;
  /** Key as written, and lower-cased (keys are case-insensitive). */
  key: string;
  keyLower: string;
  values: string[];
}

export interface CompiledStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Action or NotAction patterns. */
  actions: string[];
  notAction: boolean;
  /** Resource or NotResource patterns (absent Resource in an identity policy matches nothing). */
  resources: string[];
  notResource: boolean;
  conditions: ConditionEntry[];
  /** Indexes into catalog().actions of the catalogue actions this statement applies to. */
  catalogActions: ReadonlySet<number>;
  /**
   * Regions its Resource/NotResource patterns name, literally (`eu-west-1`) or as a partial
   * wildcard (`us-*`, which names the regions it matches); `*` and variables are left out.
   */
  namedRegions: readonly string[];
  /**
   * Whether its answer depends on who asks: policy variables, or conditions on keys whose value
   * is the principal's (aws:PrincipalArn, aws:username …). Other statements are judged once per
   * question and the answer is shared by every principal the policy is attached to.
   */
  perPrincipal: boolean;
  /** Whether `${…}` in it is a policy variable: only in documents of Version 2012-10-17. */
  variables: boolean;
  /** Whether a condition depends on the time (aws:CurrentTime, aws:EpochTime). */
  timeDependent: boolean;
}

export interface CompiledPolicy {
  statements: CompiledStatement[];
  /** Statements by catalogue action index: a question reads only the statements about its action. */
  byAction: ReadonlyArray<readonly CompiledStatement[]>;
}

/** A policy that cannot be judged: the principal's results are unknown with this reason. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

const BASE_OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
]);
const BASE_BY_LOWER = new Map([...BASE_OPERATORS].map((o) => [o.toLowerCase(), o]));

const NONE: CompiledStatement[] = [];
const NO_ACTIONS: ReadonlySet<number> = new Set();
let allActions: ReadonlySet<number> | undefined;
/** A NotAction that names no catalogue action lets every one through. */
function everyAction(): ReadonlySet<number> {
  allActions ??= new Set(catalog().actions.map((_, i) => i));
  return allActions;
}

// Compiled once per document object: a managed policy attached to 10,000 roles is compiled once.
const compiled = new WeakMap<PolicyDocument, CompiledPolicy | PolicyError>();
// And once per text: inline policies that say the same (generated roles, CDK grants) share their
// compiled statements, and so the judgements made of them (evaluate.ts). Bounded.
const byText = new Map<string, CompiledPolicy | PolicyError>();
const MAX_TEXTS = 50_000;

/** Compiles a policy document, or throws PolicyError saying what is wrong and where. */
export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  let out = compiled.get(doc);
  if (!out) {
    const text = JSON.stringify(doc);
    out = text === undefined ? undefined : byText.get(text);
    if (!out) {
      try {
        out = compileNow(doc);
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        out = err;
      }
      if (text !== undefined && byText.size < MAX_TEXTS) byText.set(text, out);
    }
    compiled.set(doc, out);
  }
  if (out instanceof PolicyError) throw out;
  return out;
}

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
// Identity policies: Principal and NotPrincipal belong to resource-based policies only.
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function compileNow(doc: PolicyDocument): CompiledPolicy {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError('the policy document is not an object');
  for (const element of Object.keys(doc)) if (!DOCUMENT_ELEMENTS.has(element)) throw new PolicyError(`the policy document has an element IAM does not define: ${JSON.stringify(element)}`);
  const version: unknown = doc.Version;
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') throw new PolicyError(`Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(version)}`);
  const raw = (doc as { Statement?: unknown }).Statement;
  if (raw === undefined) throw new PolicyError('the policy document has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  const statements = list.map((s, i) => compileStatement(s as PolicyStatement, i, version === '2012-10-17'));
  // Sparse: most policies say nothing about most catalogue actions, and share one empty list.
  const byAction: CompiledStatement[][] = new Array<CompiledStatement[]>(catalog().actions.length).fill(NONE);
  for (const st of statements) {
    for (const i of st.catalogActions) byAction[i] = byAction[i] === NONE ? [st] : [...(byAction[i] as CompiledStatement[]), st];
  }
  return { statements, byAction };
}

function strings(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string') throw new PolicyError(`${where} must be a string or a list of strings, not ${JSON.stringify(v)}`);
    return v;
  });
}

function compileStatement(s: PolicyStatement, index: number, variables: boolean): CompiledStatement {
  const at = `Statement ${index}${s && typeof s === 'object' && typeof s.Sid === 'string' && s.Sid ? ` (Sid ${s.Sid})` : ''}`;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new PolicyError(`${at} is not an object`);
  for (const element of Object.keys(s)) {
    if (element === 'Principal' || element === 'NotPrincipal') throw new PolicyError(`${at}: ${element} is not allowed in an identity policy (only resource-based policies name principals)`);
    if (!STATEMENT_ELEMENTS.has(element)) throw new PolicyError(`${at}: ${JSON.stringify(element)} is not an IAM policy element`);
  }
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new PolicyError(`${at}: Sid must be a string, not ${JSON.stringify(s.Sid)}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`${at}: Effect must be Allow or Deny, not ${JSON.stringify(s.Effect)}`);
  if ((s.Action === undefined) === (s.NotAction === undefined)) throw new PolicyError(`${at} must have exactly one of Action and NotAction`);
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new PolicyError(`${at} has both Resource and NotResource`);
  if (s.Resource === undefined && s.NotResource === undefined) throw new PolicyError(`${at} has neither Resource nor NotResource`);
  const notAction = s.Action === undefined;
  const actions = strings(notAction ? s.NotAction : s.Action, `${at} ${notAction ? 'NotAction' : 'Action'}`);
  for (const a of actions) {
    if (a !== '*' && !/^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/.test(a)) throw new PolicyError(`${at}: ${JSON.stringify(a)} is not an action (service:Action)`);
  }
  const notResource = s.NotResource !== undefined;
  const resources = strings(notResource ? s.NotResource : s.Resource, `${at} ${notResource ? 'NotResource' : 'Resource'}`);
  const conditions = compileConditions(s.Condition, at);
  // Most patterns name a service the catalogue does not carry: only those that can reach one of
  // its services are matched against its actions, and a pattern naming one service only against
  // that service's actions.
  let catalogActions: ReadonlySet<number>;
  const ours = actions.map((p) => p.toLowerCase()).map((p) => ({ p, candidates: candidatesOf(p) })).filter((x) => x.candidates.length > 0);
  if (ours.length === 0) catalogActions = notAction ? everyAction() : NO_ACTIONS;
  else if (!notAction) {
    const matched = new Set<number>();
    for (const { p, candidates } of ours) for (const a of candidates) if (wildcardMatch(p, a.lower)) matched.add(a.index);
    catalogActions = matched;
  } else {
    const excluded = new Set<number>();
    for (const { p, candidates } of ours) for (const a of candidates) if (wildcardMatch(p, a.lower)) excluded.add(a.index);
    catalogActions = new Set([...everyAction()].filter((i) => !excluded.has(i)));
  }
  const regions = resources.map((r) => r.split(':')[3] ?? '');
  const namedRegions = [...new Set(regions.filter((r) => r !== '' && r !== '*' && !r.includes('$') && /^[a-z0-9*?-]+$/.test(r)))];
  const perPrincipal =
    (variables && (resources.some((r) => r.includes('${')) || conditions.some((c) => c.values.some((v) => v.includes('${'))))) || conditions.some((c) => isPrincipalKey(c.keyLower));
  const timeDependent = conditions.some((c) => c.keyLower === 'aws:currenttime' || c.keyLower === 'aws:epochtime');
  return {
    index,
    ...(typeof s.Sid === 'string' && s.Sid ? { sid: s.Sid } : {}),
    effect: s.Effect,
    actions,
    notAction,
    resources,
    notResource,
    conditions,
    catalogActions,
    namedRegions,
    perPrincipal,
    variables,
    timeDependent,
  };
}

/** The catalogue actions a (lower-case) action pattern may match: those of the services its service part names. */
function candidatesOf(pattern: string): readonly CatalogAction[] {
  const cat = catalog();
  if (pattern === '*') return cat.actions;
  const colon = pattern.indexOf(':');
  if (colon < 0) return [];
  // Actions have one colon, so a pattern's first colon is theirs: what precedes it must match the prefix.
  const service = pattern.slice(0, colon);
  if (!service.includes('*') && !service.includes('?')) return cat.byService.get(service) ?? [];
  const out: CatalogAction[] = [];
  for (const [prefix, list] of cat.byService) if (wildcardMatch(service, prefix)) pushAll(out, list);
  return out;
}

function compileConditions(block: PolicyStatement['Condition'], at: string): ConditionEntry[] {
  if (block === undefined) return [];
  if (block === null || typeof block !== 'object' || Array.isArray(block)) throw new PolicyError(`${at}: Condition must be an object`);
  const out: ConditionEntry[] = [];
  for (const [operatorText, keys] of Object.entries(block)) {
    const op = parseOperator(operatorText);
    if (!op) throw new PolicyError(`${at}: unknown condition operator ${JSON.stringify(operatorText)}`);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) throw new PolicyError(`${at}: ${operatorText} must map condition keys to values`);
    for (const [key, value] of Object.entries(keys)) {
      const values = (Array.isArray(value) ? value : [value]) as ConditionValue[];
      if (values.length === 0) throw new PolicyError(`${at}: ${operatorText} ${key} has no values`);
      const texts = values.map((v) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'boolean' || typeof v === 'number') return String(v);
        throw new PolicyError(`${at}: ${operatorText} ${key} has a value that is not a string, number or boolean: ${JSON.stringify(v)}`);
      });
      out.push({ operatorText, ...op, key, keyLower: key.toLowerCase(), values: texts });
    }
  }
  return out;
}

function parseOperator(text: string): Pick<ConditionEntry, 'base' | 'set' | 'ifExists'> | undefined {
  let rest = text;
  let set: ConditionEntry['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'forallvalues') set = 'ForAllValues';
    else if (prefix === 'foranyvalue') set = 'ForAnyValue';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (/IfExists$/i.test(rest) && rest.toLowerCase() !== 'null') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BASE_BY_LOWER.get(rest.toLowerCase());
  if (!base || (base === 'Null' && (ifExists || set))) return undefined;
  return { base, set, ifExists };
}

/** Operators that hold when the value does NOT match (and so hold when the key is absent). */
export function isNegated(base: string): boolean {
  return /Not/.test(base) && base !== 'Null';
}
