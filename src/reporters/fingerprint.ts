import { createHash } from 'node:crypto';

/**
 * The identity of a finding across runs: rule and resource only. GitHub matches alerts between
 * uploads by this value, so anything that changes between scans (message wording, severity after
 * an escalation, evidence, time) must stay out, or every scan would close and reopen its alerts.
 */
export function fingerprint(ruleId: string, arn: string): string {
  return createHash('sha256').update(`${ruleId}\n${arn}`, 'utf8').digest('hex');
}
