import { maxSeverity, reachesThreshold, type FailOn } from './severity.js';
import type { Rule, RuleMeta } from './types.js';
import { findingList, type Findings } from './finding-list.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export interface GateResult {
  exitCode: 0 | 1 | 2;
  failOn: FailOn;
  allowPartial: boolean;
  /** Failing findings at or above the threshold. */
  failing: number;
  /** Unknown results that could have failed the gate had they been read. */
  blockingUnknowns: number;
  reason: string;
  /** Fails and unknowns left out because a suppression accepts them. */
  suppressed?: number;
  /** --fail-on-new: only results new against the baseline counted. */
  newOnly?: boolean;
}

/** The most severe a rule can be: its own severity or an escalation's. */
export function ruleMaxSeverity(meta: RuleMeta): RuleMeta['severity'] {
  return maxSeverity([meta.severity, ...(meta.escalations ?? []).map((e) => e.severity)]);
}

/**
 * Exit 1 when a fail reaches the threshold. Otherwise exit 2 when, without --allow-partial, an
 * unknown result belongs to a rule that could have reached it: the gate fails closed on what it
 * could not see, but not on a low-severity rule that could never have stopped the deploy.
 */
export function decideGate(
  findings: Findings,
  rules: ReadonlyArray<Pick<Rule, 'meta'>>,
  failOn: FailOn,
  allowPartial: boolean,
  options: { newOnly?: boolean; source?: 'iac' } = {},
): GateResult {
  const maxByRule = new Map(rules.map((r) => [r.meta.id, ruleMaxSeverity(r.meta)]));
  let failing = 0;
  let blockingUnknowns = 0;
  let suppressed = 0;
  // Read from the list's facts: an organization's findings are not read back for the gate.
  const list = findingList(findings);
  for (let i = 0; i < list.length; i++) {
    const status = list.status(i);
    if (status === 'pass') continue;
    // Accepted risks and, with --fail-on-new, what the baseline already had do not gate.
    if (list.suppressed(i)) {
      suppressed++;
      continue;
    }
    if (options.newOnly && list.baseline(i) !== 'new') continue;
    if (status === 'fail' && reachesThreshold(list.severity(i), failOn)) failing++;
    if (status === 'unknown' && reachesThreshold(maxByRule.get(list.ruleId(i)) ?? list.severity(i), failOn)) blockingUnknowns++;
  }
  const base = { failOn, allowPartial, failing, blockingUnknowns, ...(suppressed > 0 ? { suppressed } : {}), ...(options.newOnly ? { newOnly: true } : {}) };
  const what = options.newOnly ? 'new finding(s)' : 'finding(s)';
  if (failing > 0) {
    return { ...base, exitCode: EXIT_FINDINGS, reason: `${failing} ${what} at or above ${failOn}` };
  }
  if (blockingUnknowns > 0 && !allowPartial) {
    return {
      ...base,
      exitCode: EXIT_ERROR,
      // IaC: the unknowns are values the templates do not decide, not access: say what settles them.
      reason:
        options.source === 'iac'
          ? `${blockingUnknowns} ${options.newOnly ? 'new ' : ''}result(s) unknown because the templates do not decide values the rules read (parameters without a value, imports, conditions, Transforms), for rules that could reach ${failOn}; give the values (--iac-param, --iac-params) or pass --allow-partial`
          : `${blockingUnknowns} ${options.newOnly ? 'new ' : ''}result(s) unknown because of coverage gaps, for rules that could reach ${failOn}; fix access or pass --allow-partial`,
    };
  }
  const note = blockingUnknowns > 0 ? ` (${blockingUnknowns} unknown result(s) allowed by --allow-partial)` : '';
  const accepted = suppressed > 0 ? ` (${suppressed} suppressed)` : '';
  return { ...base, exitCode: EXIT_OK, reason: failOn === 'none' ? `gate disabled (--fail-on none)${note}` : `no ${options.newOnly ? 'new ' : ''}finding at or above ${failOn}${note}${accepted}` };
}
