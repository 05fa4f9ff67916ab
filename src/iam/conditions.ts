import { catalog, CONNECTION_PREFIXES, keyFamily } from './catalog.js';
import { valueForm } from './forms.js';
import { isNegated, type ConditionEntry } from './policy.js';
import { knownValue, resolveVariables, type KnownValue, type RequestFacts } from './request.js';
import { escapeGlob, globMatch, globsCoverForm, globsMeetForm } from './wildcard.js';

/**
 * What one condition does to the requests of a question:
 * - always: holds for every such request (e.g. `ForAllValues:` on a key the action never carries);
 * - never: holds for none (e.g. `StringEquals` on a key the action never carries); `time`: only
 *   because of the snapshot's time (a grant that expired before it);
 * - target: restricts which connection, repository, branch, provider action, target service or
 *   tagged resource. `allow`: what an Allow with only this condition reaches (`scoped` only when
 *   the condition excludes something and what it keeps is narrow); `deny`: what a Deny with only
 *   this condition leaves allowed (the requests the condition does not hold for);
 * - context: limits how the request is made (source IP, MFA …) but not what it reaches;
 * - unknown: cannot be judged (a key the catalogue does not know, a value that cannot be resolved).
 */
export type EntryVerdict =
  | { kind: 'always'; note?: string }
  | { kind: 'never'; note?: string; time?: boolean }
  | { kind: 'target'; allow: 'scoped' | 'unconditional'; deny: 'scoped' | 'unconditional'; note: string }
  | { kind: 'context' }
  | { kind: 'unknown'; reason: string };

const ALWAYS: EntryVerdict = { kind: 'always' };
const NEVER: EntryVerdict = { kind: 'never' };
const CONTEXT: EntryVerdict = { kind: 'context' };

type KeyClass = 'known' | 'scoping' | 'absent' | 'context' | 'unknown';

/** `variables`: whether `${…}` is a policy variable (Version 2012-10-17) or literal text. */
export function judgeEntry(entry: ConditionEntry, facts: RequestFacts, variables: boolean): EntryVerdict {
  const k = entry.keyLower;
  const known = knownValue(k, facts);
  if (known.known) return evaluateKnown(entry, known.value, facts, variables);
  if (k.startsWith('aws:principaltag/') && facts.principal.kind === 'role') {
    return { kind: 'unknown', reason: `${entry.operatorText} ${entry.key}: a role session's principal tags can be set when the role is assumed (session tags override the role's), so the condition is not decided` };
  }
  switch (classifyKey(k, facts)) {
    case 'absent':
      return holdsWhenAbsent(entry) ? ALWAYS : NEVER;
    case 'context':
      return CONTEXT;
    case 'unknown':
      return { kind: 'unknown', reason: `condition key ${entry.key} is not in the IAM catalogue for ${facts.action.name}` };
    case 'scoping':
      return judgeScoping(entry, facts, variables);
    case 'known':
      // Handled above; kept for the exhaustiveness check.
      return { kind: 'unknown', reason: `condition key ${entry.key}` };
  }
}

/** Where a key stands for the question's action, when its value is not fixed. */
function classifyKey(k: string, facts: RequestFacts): KeyClass {
  const action = facts.action;
  const family = keyFamily(k);
  const colon = k.indexOf(':');
  const service = colon < 0 ? '' : k.slice(0, colon);
  const cat = catalog();
  if (action.keys.has(k) || action.keys.has(family)) return 'scoping';
  if (service === 'aws') {
    // Tag keys are per action (RequestTag, TagKeys) or per resource type (ResourceTag).
    if (family === 'aws:requesttag/${tagkey}' || k === 'aws:tagkeys' || family === 'aws:resourcetag/${tagkey}') return 'absent';
    if (cat.globalKeys.has(k) || cat.globalKeyPrefixes.some((p) => k.startsWith(p))) return 'context';
    return 'unknown';
  }
  // A few keys of other services describe the caller's credentials and travel with any request.
  if (cat.globalKeys.has(k)) return 'context';
  // The action's own service (both connection prefixes are one service): a key the catalogue does
  // not know may be newer than it. Another service's key is never in the request.
  const own = service === action.prefix || (action.connection && (CONNECTION_PREFIXES as readonly string[]).includes(service));
  const ours = own ? cat.serviceKeys.get(service) : undefined;
  if (ours) return ours.has(k) || ours.has(family) ? 'absent' : 'unknown';
  return 'absent';
}

/**
 * IAM: a condition on a key missing from the request is false, except that `…IfExists`,
 * `ForAllValues:` and negated operators hold, and `Null: true` holds.
 */
function holdsWhenAbsent(entry: ConditionEntry): boolean {
  if (entry.base === 'Null') return entry.values.some((v) => v.toLowerCase() === 'true');
  if (entry.ifExists || entry.set === 'ForAllValues') return true;
  if (entry.set === 'ForAnyValue') return false;
  return isNegated(entry.base);
}

const STRING_OPS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);

/** Which present values a condition accepts: every one, none, some (a narrow set), or all but some. */
type Accepted = 'all' | 'none' | 'some' | 'allBut';
const COMPLEMENT: Record<Accepted, Accepted> = { all: 'none', none: 'all', some: 'allBut', allBut: 'some' };

/**
 * A condition on a key the action's requests may carry, whose value varies: it scopes only if it
 * excludes something. The accepted set is (key absent accepted?, which present values): a value
 * that matches every value of the key's form (`*`, `*\/*` for owner/repository) accepts them all; a
 * negated operator whose values match no value of the form excludes nothing.
 */
function judgeScoping(entry: ConditionEntry, facts: RequestFacts, variables: boolean): EntryVerdict {
  const absent = holdsWhenAbsent(entry);
  const form = valueForm(entry.keyLower);
  let accepted: Accepted;
  let why: string;
  if (entry.base === 'Null') {
    const v = entry.values.map((x) => x.toLowerCase());
    if (v.some((x) => x !== 'true' && x !== 'false')) return { kind: 'unknown', reason: `Null ${entry.key} takes true or false, not ${JSON.stringify(entry.values)}` };
    accepted = v.includes('false') ? 'all' : 'none';
    why = accepted === 'all' ? `only requires that ${entry.key} be present, whatever its value` : `only requires that ${entry.key} be absent`;
  } else {
    const positive = entry.base.replace('Not', '');
    if (!STRING_OPS.has(positive)) return { kind: 'unknown', reason: `${entry.operatorText} does not apply to ${entry.key}, a ${form.describe}` };
    const pattern = /Like$|^Arn/.test(positive);
    const ignoreCase = positive === 'StringEqualsIgnoreCase';
    // An unresolved variable is one value nobody knows: it cannot match every value, but may match some.
    const globs = (unresolved: string): string[] =>
      entry.values.map((v) => {
        if (pattern) return resolveVariables(v, facts, { glob: true, variables, unresolved }) as string;
        const text = resolveVariables(v, facts, { glob: false, variables });
        return text === undefined ? unresolved : escapeGlob(text);
      });
    // Values without variables resolve alike for every principal: one key for all.
    const constant = !variables || !entry.values.some((v) => v.includes('${'));
    const exact = constant ? [] : globs('\u0000');
    const loose = constant ? [] : globs('*');
    const breadth = breadthOf(entry, exact, loose, () => {
      const patterns = globs('\u0000');
      const anyValue = globs('*');
      const cover = form.shapes.map((shape) => globsCoverForm(patterns, shape, ignoreCase));
      return { covers: cover.some((c) => c === undefined) ? undefined : cover.every(Boolean), meets: form.shapes.some((shape) => globsMeetForm(anyValue, shape, ignoreCase)) };
    });
    if (breadth.covers === undefined) return { kind: 'unknown', reason: `${entry.operatorText} ${entry.key}: its patterns are too complex to judge` };
    const { covers, meets } = breadth;
    if (!isNegated(entry.base)) {
      accepted = covers ? 'all' : 'some';
      why = covers ? `matches every ${form.describe}` : 'limits the values';
    } else {
      accepted = covers ? 'none' : meets ? 'allBut' : 'all';
      why = covers ? `excludes every ${form.describe}` : meets ? 'excludes some values only' : `excludes no ${form.describe}`;
    }
  }
  const tag = entry.keyLower.startsWith('aws:resourcetag/');
  if (absent && accepted === 'all') return { kind: 'always', note: why };
  if (!absent && accepted === 'none') return { kind: 'never', note: why };
  if (tag && absent) why = `${why}; holds for every resource without the tag`;
  return { kind: 'target', allow: reachOf(tag, absent, accepted), deny: reachOf(tag, !absent, COMPLEMENT[accepted]), note: why };
}

type Breadth = { covers: boolean | undefined; meets: boolean };
// Per condition and resolved values: a statement with variables is judged for every principal, but
// its values resolve to few distinct texts.
const breadths = new WeakMap<ConditionEntry, Map<string, Breadth>>();

function breadthOf(entry: ConditionEntry, exact: readonly string[], loose: readonly string[], compute: () => Breadth): Breadth {
  let byValues = breadths.get(entry);
  if (!byValues) {
    byValues = new Map();
    breadths.set(entry, byValues);
  }
  const key = `${exact.join('\u0001')}\u0002${loose.join('\u0001')}`;
  let b = byValues.get(key);
  if (!b) {
    b = compute();
    // Bounded: a condition with a variable per principal cannot grow the map without end.
    if (byValues.size < 1000) byValues.set(key, b);
  }
  return b;
}

/**
 * How far requests accepted as (absent?, present values) reach. On a resource tag, every untagged
 * resource is as broad as everything (anyone who can untag makes it so), and so is "all but some
 * values"; being tagged, or tagged with some values, is narrow. On other keys, requests that carry
 * no such key (no repository named) are narrow; every value, or all but some, is not.
 */
function reachOf(tag: boolean, absent: boolean, accepted: Accepted): 'scoped' | 'unconditional' {
  if (accepted === 'allBut') return 'unconditional';
  if (tag) return absent ? 'unconditional' : 'scoped';
  return accepted === 'all' ? 'unconditional' : 'scoped';
}

const DATE_OPS = new Set(['DateEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals']);
const NUMERIC_OPS = new Set(['NumericEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals']);
// W3C's profile of ISO 8601 (what IAM accepts), or epoch seconds.
const W3C_DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

function parseDate(v: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v) && !/^\d{4}$/.test(v)) return Number(v) * 1000;
  if (!W3C_DATE.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function parseNumber(v: string): number | undefined {
  const n = v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function evaluateKnown(entry: ConditionEntry, value: KnownValue, facts: RequestFacts, variables: boolean): EntryVerdict {
  if (value === undefined) return holdsWhenAbsent(entry) ? ALWAYS : NEVER;
  if (entry.base === 'Null') return entry.values.some((v) => v.toLowerCase() === 'false') ? ALWAYS : NEVER;
  const positive = entry.base.replace('Not', '');
  const timeKey = entry.keyLower === 'aws:currenttime' || entry.keyLower === 'aws:epochtime';
  let one: (requestValue: string) => boolean | undefined;
  if (DATE_OPS.has(positive) || NUMERIC_OPS.has(positive)) {
    // Policy variables do not apply to Date and Numeric operators: the values are literal.
    const parse = DATE_OPS.has(positive) ? parseDate : parseNumber;
    const policy = entry.values.map(parse);
    const bad = entry.values.find((_, i) => policy[i] === undefined);
    if (bad !== undefined) return { kind: 'unknown', reason: `${entry.operatorText} ${entry.key}: ${JSON.stringify(bad)} is not a ${DATE_OPS.has(positive) ? 'date (ISO 8601 or epoch seconds)' : 'number'}` };
    const compare = COMPARE[positive.replace(/^(Date|Numeric)/, '')] as (a: number, b: number) => boolean;
    one = (requestValue) => {
      const r = parse(requestValue);
      return r === undefined ? undefined : policy.some((p) => compare(r, p as number));
    };
  } else {
    const pattern = /Like$|^Arn/.test(positive);
    const policyValues: string[] = [];
    for (const v of entry.values) {
      const resolved = resolveVariables(v, facts, { glob: pattern, variables });
      // An unresolved variable matches nothing; with a negated operator that would make it hold,
      // which depends on what the session carries: say so rather than guess.
      if (resolved === undefined) return { kind: 'unknown', reason: `${entry.operatorText} ${entry.key} uses a policy variable with no value for ${facts.principal.arn}: ${v}` };
      policyValues.push(resolved);
    }
    one = (requestValue) => matchText(positive, requestValue, policyValues);
  }
  const results = value.map((r) => {
    const any = one(r);
    return any === undefined ? undefined : isNegated(entry.base) ? !any : any;
  });
  if (results.some((r) => r === undefined)) return { kind: 'unknown', reason: `${entry.operatorText} cannot be judged on ${entry.key}` };
  const bools = results as boolean[];
  const holds = entry.set === 'ForAnyValue' ? bools.some(Boolean) : bools.every(Boolean);
  if (!timeKey) return holds ? ALWAYS : NEVER;
  const at = `the snapshot's time ${new Date(facts.time as number).toISOString()}`;
  return holds ? { kind: 'always', note: `holds at ${at}` } : { kind: 'never', time: true, note: `does not hold at ${at}` };
}

const COMPARE: Record<string, (request: number, policy: number) => boolean> = {
  Equals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
};

/** One request value against a condition's values (globs for Like/Arn); undefined for operators that do not apply to text. */
function matchText(positive: string, requestValue: string, policyValues: string[]): boolean | undefined {
  switch (positive) {
    case 'StringEquals':
      return policyValues.some((p) => p === requestValue);
    case 'StringEqualsIgnoreCase':
    case 'Bool':
      return policyValues.some((p) => p.toLowerCase() === requestValue.toLowerCase());
    case 'StringLike':
    case 'ArnEquals':
    case 'ArnLike':
      return policyValues.some((p) => globMatch(p, requestValue));
    default:
      return undefined;
  }
}
