import type { AdminPath, CapabilityAnswer } from '../iam/capabilities.js';
import type { Path } from '../iam/evaluate.js';
import { pathText } from './iam-connection-rule.js';

/** A statement as messages name it: `inline policy ci statement 2 (Sid X)`. */
export function statementRef(p: Path): string {
  return p.statement < 0 ? p.source.label : `${p.source.label} statement ${p.statement}${p.sid ? ` (Sid ${p.sid})` : ''}`;
}

/** How an admin-equivalent route is reached, with the statement that grants it. */
export function adminRouteText(p: AdminPath): string {
  const through = p.allows[0] ? ` through ${pathText(p.allows[0])}` : '';
  switch (p.route.kind) {
    case 'every-action':
      return `every action on every resource${through}`;
    case 'pass-role':
      return `it may pass any role of its account to ${p.route.runner.service} and call ${p.actions.slice(1).join(', ')} (${p.route.runner.runs})${through}`;
    case 'self-escalation':
      return `it may rewrite its own permissions (${p.actions.join(' or ')} on itself)${through}`;
  }
}

/** Why a question came out as it did when nothing grants it: removed by a Deny or the boundary, or never granted. */
export function notGrantedText(a: CapabilityAnswer, what: string): string {
  if (a.allows.length > 0 && a.limits.length > 0) {
    const by = [...new Set(a.limits.map((l) => (l.source.boundary ? `not within ${l.source.label}` : `removed by the Deny in ${statementRef(l)}`)))];
    return `granted by ${[...new Set(a.allows.map(statementRef))].join(', ')}, ${by.join(', ')}`;
  }
  return `no policy of the role grants ${what}`;
}

/** Evidence value of one deciding statement. */
export function statementEvidence(p: Path): Record<string, unknown> {
  return {
    policy: p.source.policy,
    ...(p.source.via ? { via: p.source.via } : {}),
    ...(p.source.boundary ? { boundary: true } : {}),
    ...(p.statement >= 0 ? { statement: p.statement } : {}),
    ...(p.sid ? { sid: p.sid } : {}),
    effect: p.effect,
    ...(p.actionMatch ? { action: p.actionMatch } : {}),
    ...(p.resourceMatch ? { resource: p.resourceMatch } : {}),
    conditions: p.conditions,
  };
}
