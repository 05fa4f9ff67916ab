import type { PolicyDocument, PolicyPrincipal, PolicyStatement, StringOrList } from '../model/types.js';

/** A statement with every string-or-list field made a list: what CEL rules iterate over. */
export interface StatementView {
  sid: string;
  effect: 'Allow' | 'Deny';
  /** Principals named (AWS, Service, Federated, CanonicalUser values; `*` for everyone). */
  principals: string[];
  notPrincipal: boolean;
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  hasCondition: boolean;
  conditionKeys: string[];
}

const EMPTY: string[] = [];

function list(v: StringOrList | undefined): string[] {
  if (v === undefined) return EMPTY;
  return typeof v === 'string' ? [v] : v;
}

function principalList(p: PolicyPrincipal | undefined): string[] {
  if (p === undefined) return EMPTY;
  if (p === '*') return ['*'];
  return [...list(p.AWS), ...list(p.Service), ...list(p.Federated), ...list(p.CanonicalUser)];
}

const cache = new WeakMap<PolicyDocument, StatementView[]>();

export function statementsOf(doc: PolicyDocument): StatementView[] {
  let views = cache.get(doc);
  if (views) return views;
  const statements: PolicyStatement[] = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  views = statements.map((s) => {
    const conditionKeys = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
    return {
      sid: s.Sid ?? '',
      effect: s.Effect,
      principals: s.NotPrincipal !== undefined ? principalList(s.NotPrincipal) : principalList(s.Principal),
      notPrincipal: s.NotPrincipal !== undefined,
      actions: s.NotAction !== undefined ? list(s.NotAction) : list(s.Action),
      notAction: s.NotAction !== undefined,
      resources: s.NotResource !== undefined ? list(s.NotResource) : list(s.Resource),
      notResource: s.NotResource !== undefined,
      hasCondition: conditionKeys.length > 0,
      conditionKeys,
    };
  });
  cache.set(doc, views);
  return views;
}
