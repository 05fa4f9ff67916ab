import type { CatalogAction } from './catalog.js';

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
}

/** Keys whose value is the asking principal's (or its account's): their verdict is per principal. */
export const PRINCIPAL_KEYS: ReadonlySet<string> = new Set(['aws:principalaccount', 'aws:resourceaccount', 'aws:principalarn', 'aws:username', 'aws:principaltype', 'aws:principalisawsservice']);

/** A request value: a list (single-valued keys have one), or undefined when the key is absent. */
export type KnownValue = string[] | undefined;

/**
 * Values of the keys that are fixed for the question, keyed by lower-case name; a key not in the
 * map is not fixed. For `aws:ResourceTag/…` of a named resource, an untagged key is absent.
 */
export function knownValue(keyLower: string, facts: RequestFacts): { known: true; value: KnownValue } | { known: false } {
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
    default:
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
 * `${aws:PrincipalTag/team}`, `${*}` …, with `${key, 'default'}`). Returns undefined when a
 * variable has no value for this request, unless `unresolved` is given to stand in for it.
 */
export function resolveVariables(text: string, facts: RequestFacts, unresolved?: string): string | undefined {
  if (!text.includes('${')) return text;
  let failed = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_, inner: string) => {
    const [rawKey, ...rest] = inner.split(',');
    const key = (rawKey ?? '').trim();
    if (key === '*' || key === '?' || key === '$') return key;
    const fallback = rest.length > 0 ? /^\s*'(.*)'\s*$/.exec(rest.join(','))?.[1] : undefined;
    const v = variableValue(key.toLowerCase(), facts);
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    if (unresolved !== undefined) return unresolved;
    failed = true;
    return '';
  });
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
