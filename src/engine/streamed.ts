// Evaluation account by account: what one evaluation of the whole snapshot gives, with only one
// group of accounts' resources in memory at a time. An organization's snapshot is millions of
// resources; what one account's rules need is that account's resources, the accounts it names
// (account-links.ts), and the organization-wide head every group shares: scope, organizations.
// Each group is evaluated as a snapshot of its own (its resources, its accounts' coverage gaps,
// the whole scope), its findings rendered there and kept as plain values, the resources dropped.
// The findings, sorted by rule and ARN as evaluateRules orders them, are then exactly the whole
// evaluation's (test/engine/streamed.test.ts holds the two together).
import { normalizeSnapshot } from '../model/load.js';
export { isSharedResource } from '../model/arn.js';
import { COLLECTIONS, type Snapshot } from '../model/types.js';
import { accountGroups, type Collections } from './account-links.js';
import { evaluateRules, type EvaluationOutput } from './evaluate.js';
import type { EvalContext, Finding, Rule, RuleSettings } from './types.js';
import { byRuleThenArn } from './finding-spool.js';

export interface AccountSource {
  /**
   * The whole snapshot without its accounts' resources: schemaVersion, generatedAt, source, scope,
   * organizations, every account's coverage, and the resources every account shares (the AWS
   * managed policies their principals attach, one copy each: sharedResources).
   */
  head: Snapshot;
  /** The accounts whose resources `read` gives. */
  accounts: readonly string[];
  /** For each account, the other accounts its resources name (linkedAccounts). */
  links: ReadonlyMap<string, ReadonlySet<string>>;
  /** One account's resources (what it gives is not kept here). */
  read(account: string): Collections;
}

export interface GroupSeen {
  /** The group's snapshot, as its rules saw it. */
  snapshot: Snapshot;
  accounts: ReadonlySet<string>;
  /** Its findings, rendered. */
  findings: readonly Finding[];
}

/** A finding as plain data: rendered while its group's snapshot is at hand, holding no resource. */
function rendered(f: Finding): Finding {
  const json = (f as { toJSON?: () => Finding }).toJSON;
  if (typeof json === 'function') return json.call(f);
  return { ruleId: f.ruleId, status: f.status, severity: f.severity, resource: f.resource, message: f.message, evidence: f.evidence };
}

/**
 * The rules over every account of `source`, group by group, kept in memory and sorted. `seen` is
 * told of each group (for what reports need besides findings: the blast radius, tag suppressions)
 * while it is in memory.
 */
export function evaluateStreamed(
  rules: readonly Rule[],
  source: AccountSource,
  settings: RuleSettings,
  bind?: (ctx: EvalContext) => void,
  seen?: (group: GroupSeen) => void,
): EvaluationOutput {
  const findings: Finding[] = [];
  const out = evaluateGroups(rules, source, settings, bind, (group) => {
    seen?.(group);
    for (const f of group.findings) findings.push(f);
  });
  findings.sort(byRuleThenArn);
  return { findings, ...out };
}

/**
 * The rules over every account of `source`, group by group, each group's findings handed to
 * `each` and not kept: what a scan spools (finding-spool.ts) so that no more than one group's
 * findings are in memory.
 */
export function evaluateGroups(
  rules: readonly Rule[],
  source: AccountSource,
  settings: RuleSettings,
  bind: ((ctx: EvalContext) => void) | undefined,
  each: (group: GroupSeen) => void,
): Omit<EvaluationOutput, 'findings'> {
  const head = source.head;
  const collected = new Set(source.accounts);
  // Every account the findings may be about: those read, those only gaps speak for.
  const everyAccount = [...new Set([...head.scope.accounts, ...source.accounts, ...head.coverage.map((g) => g.account)])];
  const groups = accountGroups(everyAccount, source.links);
  const gapsOf = new Map<string, Snapshot['coverage']>();
  for (const g of head.coverage) {
    const list = gapsOf.get(g.account);
    if (list) list.push(g);
    else gapsOf.set(g.account, [g]);
  }
  let evaluations = 0;
  let ran: Rule[] = [];
  for (const group of groups) {
    const merged: Record<string, unknown[]> = Object.fromEntries(COLLECTIONS.map((c) => [c, [...head[c]]]));
    for (const account of group) {
      if (!collected.has(account)) continue;
      const part = source.read(account);
      for (const c of COLLECTIONS) for (const r of part[c]) (merged[c] as unknown[]).push(r);
    }
    const snapshot = normalizeSnapshot({ ...head, ...(merged as unknown as Collections), coverage: group.flatMap((a) => gapsOf.get(a) ?? []) });
    const out = evaluateRules(rules, snapshot, settings, bind);
    ran = out.rules;
    // A rule on a shared resource (an AWS managed policy) is counted in every group; only its own group keeps the finding.
    evaluations += out.evaluations;
    // A shared resource is judged in the group of the account it is filed under, as in the whole snapshot.
    const accounts = new Set(group);
    const kept = out.findings.filter((f) => accounts.has(f.resource.account)).map(rendered);
    each({ snapshot, accounts, findings: kept });
  }
  if (groups.length === 0) ran = evaluateRules(rules, normalizeSnapshot(head), settings, bind).rules;
  return { rules: ran, evaluations };
}
