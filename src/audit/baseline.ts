import type { Finding, FindingResource } from '../engine/types.js';
import type { Severity } from '../engine/severity.js';
import { fingerprint } from '../reporters/fingerprint.js';
import type { ReportDoc } from '../reporters/merge.js';
import { annotate } from './annotate.js';

/** A finding of the baseline that no longer fails: fixed, or its resource gone. */
export interface FixedFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  resource: FindingResource;
  message: string;
  /** Now: pass, or absent (the resource is gone or the rule no longer ran). */
  now: 'pass' | 'absent';
}

export interface BaselineSummary {
  file: string;
  generatedAt: string;
  new: number;
  unchanged: number;
  fixed: FixedFinding[];
}

/**
 * Marks each fail and unknown as new or unchanged against an earlier JSON report, by fingerprint
 * (rule id + resource ARN) and status: a resource that failed then and fails now is unchanged; one
 * that was unknown then and fails now is new. Suppression does not change what a finding is.
 */
export function compareWithBaseline(findings: readonly Finding[], baseline: ReportDoc, file: string): { findings: Finding[]; summary: BaselineSummary } {
  const before = new Map(baseline.findings.map((f) => [f.fingerprint, f]));
  let fresh = 0;
  let unchanged = 0;
  const now = new Map<string, Finding>();
  const out = findings.map((f) => {
    const key = fingerprint(f.ruleId, f.resource.arn);
    now.set(key, f);
    if (f.status === 'pass') return f;
    const seen = before.get(key)?.status === f.status;
    if (seen) unchanged++;
    else fresh++;
    return annotate(f, { baseline: seen ? 'unchanged' : 'new' });
  });
  const fixed: FixedFinding[] = [];
  for (const old of baseline.findings) {
    if (old.status !== 'fail') continue;
    const current = now.get(old.fingerprint);
    if (current && current.status !== 'pass') continue;
    fixed.push({ fingerprint: old.fingerprint, ruleId: old.ruleId, severity: old.severity, resource: old.resource, message: old.message, now: current ? 'pass' : 'absent' });
  }
  return { findings: out, summary: { file, generatedAt: baseline.generatedAt, new: fresh, unchanged, fixed } };
}
