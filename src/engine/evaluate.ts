import { scopeArn } from '../model/arn.js';
import { KIND_COLLECTION, type AnyResource, type Snapshot } from '../model/types.js';
import { buildIndex } from './snapshot-index.js';
import type { EvalContext, Finding, Rule, RuleResult, RuleSettings } from './types.js';
import { UnknownValue } from './unknown.js';

export interface EvaluationOutput {
  findings: Finding[];
  /** Rules that were run, sorted by id. */
  rules: Rule[];
  /** Number of (rule, resource) evaluations, including not-applicable ones. */
  evaluations: number;
}

export function makeContext(snapshot: Snapshot, settings: RuleSettings): EvalContext {
  return { snapshot, settings, now: new Date(snapshot.generatedAt), index: buildIndex(snapshot) };
}

/**
 * Runs every rule over every resource of its kind. One result per (rule, resource): fail, pass or
 * unknown; a rule that throws gives unknown for that resource and the scan goes on. Whole listings
 * that could not be read give one unknown per (rule, account, region), identified by a scope ARN.
 */
export function evaluateRules(rules: readonly Rule[], snapshot: Snapshot, settings: RuleSettings, bind?: (ctx: EvalContext) => void): EvaluationOutput {
  const ctx = makeContext(snapshot, settings);
  bind?.(ctx);
  const sorted = [...rules].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
  const findings: Finding[] = [];
  let evaluations = 0;
  for (const rule of sorted) {
    const kind = rule.meta.resource;
    for (const gap of snapshot.coverage) {
      if (gap.field !== undefined || !gap.resourceKinds.includes(kind)) continue;
      findings.push({
        ruleId: rule.meta.id,
        status: 'unknown',
        severity: rule.meta.severity,
        resource: { arn: scopeArn(kind, snapshot.scope.partition, gap.account, gap.region), kind, account: gap.account, region: gap.region },
        message: `Not evaluated: ${gap.operation} failed for account ${gap.account} in ${gap.region} (${gap.errorCode}: ${gap.message}).`,
        evidence: [],
      });
    }
    const resources = snapshot[KIND_COLLECTION[kind]] as AnyResource[];
    for (const resource of resources) {
      evaluations++;
      const result = evaluateOne(rule, resource, ctx);
      if (!result) continue;
      findings.push({
        ruleId: rule.meta.id,
        status: result.status,
        severity: result.severity ?? rule.meta.severity,
        resource: {
          arn: resource.arn,
          kind,
          account: resource.account,
          region: resource.region,
          ...('name' in resource && resource.name ? { name: resource.name } : 'id' in resource && resource.id ? { name: resource.id } : {}),
        },
        message: result.message,
        evidence: result.evidence,
      });
    }
  }
  return { findings, rules: sorted, evaluations };
}

export function evaluateOne(rule: Rule, resource: AnyResource, ctx: EvalContext): RuleResult | undefined {
  const unread = resource.unreadable?.filter((u) => rule.fields.has(u.field) || rule.fields.has('*'));
  if (unread && unread.length > 0) {
    const what = unread.map((u) => `${u.field} (${u.operation}: ${u.errorCode}${u.message ? ` - ${u.message}` : ''})`).join('; ');
    return { status: 'unknown', message: `Not evaluated: could not read ${what}.`, evidence: [] };
  }
  try {
    return rule.evaluate(resource, ctx);
  } catch (err) {
    if (err instanceof UnknownValue) return { status: 'unknown', message: `Not evaluated: ${err.reason}.`, evidence: [] };
    const msg = (err as Error).message.split('\n')[0] ?? String(err);
    return { status: 'unknown', message: `Rule error: ${msg}`, evidence: [] };
  }
}
