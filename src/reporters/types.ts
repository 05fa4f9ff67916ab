import type { GateResult } from '../engine/gate.js';
import type { RuleMeta } from '../engine/types.js';
import type { Findings } from '../engine/finding-list.js';
import type { CoverageGap, Snapshot } from '../model/types.js';
import type { IacInputSummary } from '../collectors/iac/types.js';
import type { BaselineSummary } from '../audit/baseline.js';
import type { SuppressionReport } from '../audit/suppress.js';
import type { BlastRadiusSummary } from '../graph/summary.js';
import type { ReportStatus, Summary } from './json.js';

/** Everything a reporter may use. Reporters know findings, not AWS or rule internals. */
export interface ReportInput {
  tool: { name: string; version: string; informationUri: string };
  /** Wall-clock time of this report: the only value that differs between two identical scans. */
  generatedAt: string;
  snapshot: {
    /** The snapshot file, as the user named it, when the scan read one. */
    file?: string;
    schemaVersion: number;
    generatedAt: string;
    source: Snapshot['source'];
    scope: Snapshot['scope'];
    /** scan --iac: the inputs read (file, format, resources, unmapped). */
    inputs?: IacInputSummary[];
    /** scan --iac: files a directory search skipped (not a template). */
    skipped?: number;
  };
  /** The rules that were run, sorted by id. */
  rules: RuleMeta[];
  /**
   * Sorted by rule id, then resource ARN. All statuses. An array, or a list read in passes (an
   * organization's findings are kept on disk: engine/finding-spool.ts); reporters read it through
   * findingList.
   */
  findings: Findings;
  coverage: CoverageGap[];
  gate: GateResult;
  /** SARIF automationDetails.id category (without the trailing slash). */
  sarifCategory: string;
  /** What the suppressions did, when the config has any (or a resource tag asks for one). */
  suppressions?: SuppressionReport;
  /** The comparison with --baseline, when given. */
  baseline?: BaselineSummary;
  /** Markdown: connections with a fail of severity high or above, and what a push reaches through them. */
  blastRadius?: BlastRadiusSummary;
  /**
   * scan --iac: the absolute directory SARIF artifact URIs are relative to (`--sarif-root`,
   * default the working directory), and the working directory origin files are relative to.
   */
  sarifRoot?: string;
  cwd?: string;
  /**
   * `--results`: the statuses the per-finding formats list (JSON, JUnit, OCSF, ASFF); absent: all.
   * Counts, the gate and the compliance summary still cover every finding.
   */
  results?: readonly ReportStatus[];
  /**
   * Counts of findings `findings` does not hold: a merge of reports that left some statuses out
   * (`--results`) knows them only from those reports' summaries. Added to every count.
   */
  leftOut?: Summary;
  /** `--framework`: the Markdown report grouped, and the JSON report summarised, by this framework's controls. */
  framework?: string;
  /** Called with a line for the user (stderr) when a reporter had to leave something out. */
  warn?: (line: string) => void;
}

export type ReportFormat = 'sarif' | 'json' | 'markdown' | 'junit' | 'ocsf' | 'asff' | 'html';
