import { catalog, keyFamily, type ConnectionPrefix } from './catalog.js';
import { isNegated, type ConditionEntry } from './policy.js';
import { knownValue, resolveVariables, type KnownValue, type RequestFacts } from './request.js';
import { wildcardMatch } from './wildcard.js';

/**
 * What one condition does to the requests of a question:
 * - always: holds for every such request (e.g. `ForAllValues:` on a key the action never carries);
 * - never: holds for none (e.g. `StringEquals` on a key the action never carries);
 * - scope: limits which connection, repository, branch, provider action, target service or tagged
 *   resource (`negative`: only by excluding some, as `StringNotEquals` does);
 * - context: limits how the request is made (source IP, MFA, time …) but not what it reaches;
 * - unknown: cannot be judged (a key the catalogue does not know, a value that cannot be resolved).
 */
export type EntryVerdict =
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'scope'; negative: boolean }
  | { kind: 'context' }
  | { kind: 'unknown'; reason: string };

const ALWAYS: EntryVerdict = { kind: 'always' };
const NEVER: EntryVerdict = { kind: 'never' };
const CONTEXT: EntryVerdict = { kind: 'context' };

type KeyClass = 'known' | 'scoping' | 'absent' | 'context' | 'unknown';

export function judgeEntry(entry: ConditionEntry, facts: RequestFacts): EntryVerdict {
  const k = entry.keyLower;
  const known = knownValue(k, facts);
  if (known.known) return evaluateKnown(entry, known.value, facts);
  switch (classifyKey(k, facts)) {
    case 'absent':
      return holdsWhenAbsent(entry) ? ALWAYS : NEVER;
    case 'context':
      return CONTEXT;
    case 'unknown':
      return { kind: 'unknown', reason: `condition key ${entry.key} is not in the IAM catalogue for ${facts.action.name}` };
    case 'scoping':
      return judgeScoping(entry);
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
  const ours = cat.serviceKeys.get(service as ConnectionPrefix);
  if (ours) return ours.has(k) || ours.has(family) ? 'absent' : 'unknown';
  // Another service's key is never in a CodeConnections request.
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

function judgeScoping(entry: ConditionEntry): EntryVerdict {
  if (entry.base === 'Null') return { kind: 'scope', negative: false };
  const negative = isNegated(entry.base);
  // `StringLike key: "*"` only asks that the key be there; on a tag that still narrows to tagged
  // resources, on the service's own keys it narrows nothing.
  if (!negative && /Like$/.test(entry.base) && entry.values.every((v) => /^\*+$/.test(v))) {
    return entry.keyLower.startsWith('aws:resourcetag/') ? { kind: 'scope', negative: false } : ALWAYS;
  }
  return { kind: 'scope', negative };
}

function evaluateKnown(entry: ConditionEntry, value: KnownValue, facts: RequestFacts): EntryVerdict {
  if (value === undefined) return holdsWhenAbsent(entry) ? ALWAYS : NEVER;
  if (entry.base === 'Null') return entry.values.some((v) => v.toLowerCase() === 'false') ? ALWAYS : NEVER;
  const policyValues: string[] = [];
  for (const v of entry.values) {
    const resolved = resolveVariables(v, facts);
    // An unresolved variable matches nothing; with a negated operator that would make it hold,
    // which depends on what the session carries: say so rather than guess.
    if (resolved === undefined) return { kind: 'unknown', reason: `${entry.operatorText} ${entry.key} uses a policy variable with no value for ${facts.principal.arn}: ${v}` };
    policyValues.push(resolved);
  }
  const one = (requestValue: string): boolean | undefined => matchOne(entry.base, requestValue, policyValues);
  const results = value.map(one);
  if (results.some((r) => r === undefined)) return { kind: 'unknown', reason: `${entry.operatorText} cannot be judged on ${entry.key}` };
  const bools = results as boolean[];
  const holds = entry.set === 'ForAnyValue' ? bools.some(Boolean) : bools.every(Boolean);
  return holds ? ALWAYS : NEVER;
}

/** One request value against a condition's values; undefined for operators that do not apply to text. */
function matchOne(base: string, requestValue: string, policyValues: string[]): boolean | undefined {
  const negative = isNegated(base);
  const positive = base.replace('Not', '');
  let any: boolean;
  switch (positive) {
    case 'StringEquals':
      any = policyValues.some((p) => p === requestValue);
      break;
    case 'StringEqualsIgnoreCase':
      any = policyValues.some((p) => p.toLowerCase() === requestValue.toLowerCase());
      break;
    case 'StringLike':
      any = policyValues.some((p) => wildcardMatch(p, requestValue));
      break;
    case 'ArnEquals':
    case 'ArnLike':
      any = policyValues.some((p) => wildcardMatch(p, requestValue));
      break;
    case 'Bool':
      any = policyValues.some((p) => p.toLowerCase() === requestValue.toLowerCase());
      break;
    default:
      return undefined;
  }
  return negative ? !any : any;
}
