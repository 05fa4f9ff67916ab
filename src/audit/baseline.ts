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
  const comparison = new BaselineComparison(baseline, file);
  const out = comparison.mark(findings);
  return { findings: out, summary: comparison.summary() };
}

/**
 * The comparison made a part of the findings at a time (a streamed scan: a group of accounts at a
 * time). What it keeps of the findings is the status of those the baseline has.
 */
export class BaselineComparison {
  private readonly before: Map<string, ReportDoc['findings'][number]>;
  private fresh = 0;
  private unchanged = 0;
  private readonly now = new Map<string, Finding['status']>();

  constructor(
    private readonly baseline: ReportDoc,
    private readonly file: string,
  ) {
    this.before = new Map(baseline.findings.map((f) => [f.fingerprint, f]));
  }

  mark(findings: readonly Finding[]): Finding[] {
    return findings.map((f) => {
      const key = fingerprint(f.ruleId, f.resource.arn);
      const old = this.before.get(key);
      if (old) this.now.set(key, f.status);
      if (f.status === 'pass') return f;
      const seen = old?.status === f.status;
      if (seen) this.unchanged++;
      else this.fresh++;
      return annotate(f, { baseline: seen ? 'unchanged' : 'new' });
    });
  }

  summary(): BaselineSummary {
    const fixed: FixedFinding[] = [];
    for (const old of this.baseline.findings) {
      if (old.status !== 'fail') continue;
      const current = this.now.get(old.fingerprint);
      if (current !== undefined && current !== 'pass') continue;
      fixed.push({ fingerprint: old.fingerprint, ruleId: old.ruleId, severity: old.severity, resource: old.resource, message: old.message, now: current !== undefined ? 'pass' : 'absent' });
    }
    return { file: this.file, generatedAt: this.baseline.generatedAt, new: this.fresh, unchanged: this.unchanged, fixed };
  }
}
