export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailOn = Exclude<Severity, 'info'> | 'none';
export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'none'];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** True when a finding of severity `s` reaches the gate threshold. */
export function reachesThreshold(s: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && RANK[s] >= RANK[failOn];
}

/** GitHub code scanning maps this numeric property to its own severity labels. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: '0.0',
};

export function sarifLevel(s: Severity): 'error' | 'warning' | 'note' {
  if (s === 'critical' || s === 'high') return 'error';
  if (s === 'medium') return 'warning';
  return 'note';
}

export function maxSeverity(list: Iterable<Severity>): Severity {
  let best: Severity = 'info';
  for (const s of list) if (RANK[s] > RANK[best]) best = s;
  return best;
}
