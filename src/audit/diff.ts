import type { Severity } from '../engine/severity.js';
import type { FindingResource } from '../engine/types.js';
import type { CoverageGap } from '../model/types.js';
import { reportStatus, type ReportStatus } from '../reporters/json.js';
import { escapeControlCharsKeepLayout } from '../io/untrusted-text.js';
import { cell, codeCell, codeSpan } from '../reporters/markdown.js';
import { requireComparable, type ReportDoc } from '../reporters/merge.js';

/** A finding as a diff shows it. */
export interface DiffFinding {
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  status: ReportStatus;
  resource: FindingResource;
  message: string;
}

export interface ReportDiff {
  /** `passes: false`: the report lists no passes (--results), so a result absent from it may be a pass. */
  old: { file: string; generatedAt: string; passes: boolean };
  new: { file: string; generatedAt: string; passes: boolean };
  /** Fails now that passed or did not exist before. */
  added: DiffFinding[];
  /** Fails (or accepted fails) before that pass or are gone now ("pass or absent" when the new report lists no passes). */
  fixed: Array<DiffFinding & { now: 'pass' | 'absent' | 'pass or absent' }>;
  /** Everything else whose status or severity moved, e.g. unknown → fail, fail → suppressed. */
  changed: Array<{ before: DiffFinding | undefined; after: DiffFinding | undefined }>;
  coverage: { added: CoverageGap[]; removed: CoverageGap[] };
}

type Stored = ReportDoc['findings'][number];

function lite(f: Stored): DiffFinding {
  return { fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, status: reportStatus(f), resource: f.resource, message: f.message };
}

const failed = (f: Stored | undefined): boolean => f !== undefined && f.status === 'fail';

/**
 * What changed between two JSON reports of the same estate, finding by finding (identity is the
 * fingerprint: rule id + resource ARN, so ordering and timestamps do not matter).
 */
export function diffReports(oldDoc: ReportDoc, oldFile: string, newDoc: ReportDoc, newFile: string): ReportDiff {
  // A report without its fails, unknowns or suppressed results cannot be compared; one without
  // its passes can, a missing result being "pass or absent" on that side.
  const oldPasses = requireComparable(oldDoc, oldFile, 'diff').passes;
  const newPasses = requireComparable(newDoc, newFile, 'diff').passes;
  const gone = (present: boolean): 'absent' | 'pass or absent' => (present ? 'absent' : 'pass or absent');
  const before = new Map(oldDoc.findings.map((f) => [f.fingerprint, f]));
  const after = new Map(newDoc.findings.map((f) => [f.fingerprint, f]));
  const added: DiffFinding[] = [];
  const fixed: ReportDiff['fixed'] = [];
  const changed: ReportDiff['changed'] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])]) {
    const b = before.get(key);
    const a = after.get(key);
    const open = (f: Stored | undefined): boolean => failed(f) && !f?.suppression;
    if (open(a) && (b === undefined || b.status === 'pass')) added.push(lite(a as Stored));
    else if (failed(b) && (a === undefined || a.status === 'pass')) fixed.push({ ...lite(b as Stored), now: a ? 'pass' : gone(newPasses) });
    else if (a && b && (reportStatus(a) !== reportStatus(b) || a.severity !== b.severity)) changed.push({ before: lite(b), after: lite(a) });
    else if (!b && a && a.status === 'unknown') changed.push({ before: undefined, after: lite(a) });
    else if (b && !a && b.status === 'unknown') changed.push({ before: lite(b), after: undefined });
  }
  const order = (x: DiffFinding, y: DiffFinding): number => (x.ruleId !== y.ruleId ? (x.ruleId < y.ruleId ? -1 : 1) : x.resource.arn < y.resource.arn ? -1 : x.resource.arn > y.resource.arn ? 1 : 0);
  added.sort(order);
  fixed.sort(order);
  changed.sort((x, y) => order((x.after ?? x.before) as DiffFinding, (y.after ?? y.before) as DiffFinding));
  const gapKey = (g: CoverageGap): string => [g.account, g.region, g.service, g.operation, g.errorCode, g.field ?? ''].join('|');
  const oldGaps = new Map(oldDoc.coverage.map((g) => [gapKey(g), g]));
  const newGaps = new Map(newDoc.coverage.map((g) => [gapKey(g), g]));
  const sortGaps = (gs: CoverageGap[]): CoverageGap[] => gs.sort((x, y) => (gapKey(x) < gapKey(y) ? -1 : 1));
  return {
    old: { file: oldFile, generatedAt: oldDoc.generatedAt, passes: oldPasses },
    new: { file: newFile, generatedAt: newDoc.generatedAt, passes: newPasses },
    added,
    fixed,
    changed,
    coverage: {
      added: sortGaps([...newGaps].filter(([k]) => !oldGaps.has(k)).map(([, g]) => g)),
      removed: sortGaps([...oldGaps].filter(([k]) => !newGaps.has(k)).map(([, g]) => g)),
    },
  };
}

export function diffMarkdown(d: ReportDiff): string {
  const lines = [
    '# linkaudit: what changed',
    '',
    `From ${codeSpan(d.old.file)} (${d.old.generatedAt}) to ${codeSpan(d.new.file)} (${d.new.generatedAt}): ` +
      `**${d.added.length} new**, ${d.fixed.length} fixed, ${d.changed.length} changed; coverage gaps ${d.coverage.added.length} new, ${d.coverage.removed.length} closed.`,
    '',
    ...[d.old, d.new]
      .filter((side) => !side.passes)
      .map((side) => `> ${codeSpan(side.file)} lists no passes (written with --results): a result missing from it is shown as "pass or absent".\n`),
  ];
  const table = (title: string, rows: string[][], head: string[]): void => {
    lines.push(`## ${title}`, '');
    if (rows.length === 0) {
      lines.push('None.', '');
      return;
    }
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
  };
  table('New', d.added.map((f) => [cell(f.severity), cell(f.ruleId), codeCell(f.resource.arn), cell(f.message)]), ['Severity', 'Rule', 'Resource', 'Message']);
  table('Fixed', d.fixed.map((f) => [cell(f.severity), cell(f.ruleId), codeCell(f.resource.arn), f.now === 'pass' ? 'passes' : f.now === 'absent' ? 'gone' : 'passes or gone']), ['Severity', 'Rule', 'Resource', 'Now']);
  const state = (f: DiffFinding | undefined, passes: boolean): string => (f ? `${f.status} (${f.severity})` : passes ? 'absent' : 'pass or absent');
  table('Changed', d.changed.map((c) => [cell((c.after ?? c.before)?.ruleId ?? ''), codeCell((c.after ?? c.before)?.resource.arn ?? ''), state(c.before, d.old.passes), state(c.after, d.new.passes)]), ['Rule', 'Resource', 'Before', 'After']);
  const gapRow = (g: CoverageGap): string[] => [g.account, g.region, `${g.service}:${g.operation}`, g.errorCode, g.field ?? g.resourceKinds.join(', ')].map(cell);
  table('Coverage gaps opened', d.coverage.added.map(gapRow), ['Account', 'Region', 'Operation', 'Error', 'What']);
  table('Coverage gaps closed', d.coverage.removed.map(gapRow), ['Account', 'Region', 'Operation', 'Error', 'What']);
  // Reports are files anyone may hand over: no control character from them reaches the output.
  return `${escapeControlCharsKeepLayout(lines.join('\n')).trimEnd()}\n`;
}
