import type { CatalogAction } from './catalog.js';
import { escapeGlob, globOf } from './wildcard.js';

/**
 * What is known about the requests a question is about: who asks (so that principal keys and
 * policy variables resolve), which action, and the resource's account and, for one named
 * connection, its tags. Everything else in a request (source IP, repository, branch …) varies.
 */
export interface RequestFacts {
  action: CatalogAction;
  principal: {
    arn: string;
    account: string;
    kind: 'user' | 'role';
    name: string;
    tags: Readonly<Record<string, string>>;
  };
  resource: {
    account: string;
    /** Tags of one named resource, when known; absent when the question is "every connection". */
    tags?: Readonly<Record<string, string>>;
  };
  /**
   * The time requests are judged at, in ms since the epoch: the snapshot's generatedAt. A grant
   * that only holds before or after it is judged as it stood then. Absent: time is not known.
   */
  time?: number;
  /**
   * Request keys whose value the question fixes, by lower-case name: `iam:passedtoservice` when
   * asking whether a role may be passed to one service, `codeconnections:fullrepositoryid` when
   * asking about one repository. Judgements are shared per context object, so a question reuses
   * one object for every principal it asks about.
   */
  context?: Readonly<Record<string, readonly string[]>>;
}

/** Keys whose value is the asking principal's (or its account's): their verdict is per principal. */
export const PRINCIPAL_KEYS: ReadonlySet<string> = new Set(['aws:principalaccount', 'aws:resourceaccount', 'aws:principalarn', 'aws:username', 'aws:principaltype', 'aws:principalisawsservice']);

/** Keys whose value differs per principal beyond PRINCIPAL_KEYS: its tags. */
export function isPrincipalKey(keyLower: string): boolean {
  return PRINCIPAL_KEYS.has(keyLower) || keyLower.startsWith('aws:principaltag/');
}

/** A request value: a list (single-valued keys have one), or undefined when the key is absent. */
export type KnownValue = string[] | undefined;

/**
 * Values of the keys that are fixed for the question, keyed by lower-case name; a key not in the
 * map is not fixed. For `aws:ResourceTag/…` of a named resource, an untagged key is absent.
 */
export function knownValue(keyLower: string, facts: RequestFacts): { known: true; value: KnownValue } | { known: false } {
  const fixed = facts.context?.[keyLower];
  if (fixed !== undefined) return { known: true, value: [...fixed] };
  const p = facts.principal;
  switch (keyLower) {
    case 'aws:principalaccount':
      return { known: true, value: [p.account] };
    case 'aws:resourceaccount':
      return { known: true, value: [facts.resource.account] };
    case 'aws:principalarn':
      return { known: true, value: [p.arn] };
    case 'aws:username':
      // Role sessions carry no user name.
      return { known: true, value: p.kind === 'user' ? [p.name] : undefined };
    case 'aws:principaltype':
      return { known: true, value: [p.kind === 'user' ? 'User' : 'AssumedRole'] };
    case 'aws:principalisawsservice':
      return { known: true, value: ['false'] };
    case 'aws:currenttime':
      return facts.time === undefined ? { known: false } : { known: true, value: [new Date(facts.time).toISOString()] };
    case 'aws:epochtime':
      return facts.time === undefined ? { known: false } : { known: true, value: [String(Math.floor(facts.time / 1000))] };
    default:
      // An IAM user's requests carry its own tags; a role session's may differ (session tags).
      if (keyLower.startsWith('aws:principaltag/') && p.kind === 'user') {
        const want = keyLower.slice('aws:principaltag/'.length);
        for (const [k, v] of Object.entries(p.tags)) if (k.toLowerCase() === want) return { known: true, value: [v] };
        return { known: true, value: undefined };
      }
      if (keyLower.startsWith('aws:resourcetag/') && facts.resource.tags) {
        const want = keyLower.slice('aws:resourcetag/'.length);
        // Tag keys in conditions are case-insensitive.
        for (const [k, v] of Object.entries(facts.resource.tags)) if (k.toLowerCase() === want) return { known: true, value: [v] };
        return { known: true, value: undefined };
      }
      return { known: false };
  }
}

/**
 * Substitutes policy variables (`${aws:PrincipalAccount}`, `${aws:username}`,
 * `${aws:PrincipalTag/team}` …, with `${key, 'default'}`), and IAM's escapes `${*}`, `${?}`,
 * `${$}` for a literal `*`, `?`, `$`. `glob`: the result is an internal glob (see wildcard.ts) in
 * which substituted text is literal; otherwise plain text. Returns undefined when a variable has no
 * value for this request, unless `unresolved` (raw glob text) is given to stand in for it.
 * `variables` false (a policy without Version 2012-10-17): `${…}` is literal text.
 */
export function resolveVariables(text: string, facts: RequestFacts, opts: { glob: boolean; variables: boolean; unresolved?: string }): string | undefined {
  const literal = (t: string): string => (opts.glob ? escapeGlob(t) : t);
  if (!opts.variables || !text.includes('${')) return opts.glob ? globOf(text) : text;
  let failed = false;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
    out += opts.glob ? globOf(text.slice(last, m.index)) : text.slice(last, m.index);
    last = m.index + m[0].length;
    const inner = m[1] ?? '';
    const [rawKey, ...rest] = inner.split(',');
    const key = (rawKey ?? '').trim();
    if (key === '*' || key === '?' || key === '$') {
      out += literal(key);
      continue;
    }
    const fallback = rest.length > 0 ? /^\s*'(.*)'\s*$/.exec(rest.join(','))?.[1] : undefined;
    const v = variableValue(key.toLowerCase(), facts);
    if (v !== undefined) out += literal(v);
    else if (fallback !== undefined) out += literal(fallback);
    else if (opts.unresolved !== undefined) out += opts.unresolved;
    else failed = true;
  }
  out += opts.glob ? globOf(text.slice(last)) : text.slice(last);
  return failed ? undefined : out;
}

function variableValue(keyLower: string, facts: RequestFacts): string | undefined {
  if (keyLower.startsWith('aws:principaltag/')) {
    // A role session's tags can be set (and override the role's) when it is assumed.
    if (facts.principal.kind === 'role') return undefined;
    const want = keyLower.slice('aws:principaltag/'.length);
    for (const [k, v] of Object.entries(facts.principal.tags)) if (k.toLowerCase() === want) return v;
    return undefined;
  }
  const known = knownValue(keyLower, facts);
  return known.known && known.value?.length === 1 ? known.value[0] : undefined;
}
