import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../src/audit/baseline.js';
import { diffMarkdown, diffReports } from '../../src/audit/diff.js';
import type { Finding } from '../../src/engine/types.js';
import { render } from '../../src/reporters/index.js';
import { renderJson, type ReportStatus } from '../../src/reporters/json.js';
import { loadReportFile, mergeReports } from '../../src/reporters/merge.js';
import type { ReportInput } from '../../src/reporters/types.js';
import { validator } from '../../src/schema/validate.js';
import { ACCOUNT, FINDINGS, OTHER_ACCOUNT, reportInput } from './fixtures.js';
import { allFindings } from '../../src/engine/finding-list.js';

const dir = mkdtempSync(join(tmpdir(), 'linkaudit-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A JSON report of `input` written with --results, read back as merge, diff and --baseline read it. */
function report(input: ReportInput, results?: ReportStatus[]): { file: string; doc: ReturnType<typeof loadReportFile> } {
  const file = join(dir, `r${n++}.json`);
  writeFileSync(file, renderJson({ ...input, ...(results ? { results } : {}) }));
  return { file, doc: loadReportFile(file) };
}

interface Doc {
  results: string[];
  summary: { total: Record<string, number> };
  findings: Array<{ status: string }>;
}

describe('--results in the JSON report', () => {
  it('lists only the statuses kept, says which, and still counts everything', () => {
    const doc = JSON.parse(renderJson(reportInput({ results: ['fail', 'unknown'] }))) as Doc;
    expect(validator('report')(doc)).toBe(true);
    expect(doc.results).toEqual(['fail', 'unknown']);
    expect(doc.findings.map((f) => f.status)).toEqual(['fail', 'fail', 'unknown', 'fail', 'unknown']);
    expect(doc.summary.total).toEqual({ fail: 3, pass: 2, unknown: 2, suppressed: 0 });
    const all = JSON.parse(renderJson(reportInput())) as Doc;
    expect(all.results).toEqual(['fail', 'pass', 'unknown', 'suppressed']);
    expect(all.findings).toHaveLength(FINDINGS.length);
  });

  it('filters JUnit test cases too; SARIF and Markdown are unchanged (they list no passes)', () => {
    const junit = render('junit', reportInput({ results: ['fail'] }));
    expect(junit.match(/<testcase /g)).toHaveLength(3);
    expect(render('sarif', reportInput({ results: ['pass'] }))).toBe(render('sarif', reportInput()));
    expect(render('markdown', reportInput({ results: ['pass'] }))).toBe(render('markdown', reportInput()));
  });
});

describe('merge, diff and --baseline with a report that left results out', () => {
  const noPasses: ReportStatus[] = ['fail', 'unknown', 'suppressed'];

  it('refuse a report without its fails, unknowns or suppressed results, naming the file and the fix', () => {
    const r = report(reportInput(), ['fail', 'unknown']);
    const full = report(reportInput());
    const message = /written with --results fail,unknown, so its suppressed results are not in it; diff cannot tell a result left out from one that is gone/;
    expect(() => diffReports(r.doc, r.file, full.doc, full.file)).toThrow(message);
    expect(() => diffReports(full.doc, full.file, r.doc, r.file)).toThrow(/diff cannot tell/);
    expect(() => mergeReports([{ file: r.file, report: r.doc }])).toThrow(/merge cannot tell/);
  });

  it('diff: a fail missing from a report without passes is "pass or absent", not "gone"', () => {
    const before = report(reportInput());
    const fixedInput = reportInput({ findings: FINDINGS.filter((f) => f.resource.name !== 'github-main') });
    const afterFull = report(fixedInput);
    const afterNoPasses = report(fixedInput, noPasses);
    expect(diffReports(before.doc, before.file, afterFull.doc, afterFull.file).fixed.map((f) => f.now)).toEqual(['absent']);
    const d = diffReports(before.doc, before.file, afterNoPasses.doc, afterNoPasses.file);
    expect(d.fixed.map((f) => f.now)).toEqual(['pass or absent']);
    expect(d.new.passes).toBe(false);
    const md = diffMarkdown(d);
    expect(md).toContain('lists no passes (written with --results)');
    expect(md).toContain('| passes or gone |');
    // A pass that turns into an unknown is not "new from nowhere" when the old report had no passes.
    const unknownNow = reportInput({ findings: FINDINGS.map((f) => (f.status === 'pass' && f.resource.name === 'other' ? { ...f, status: 'unknown' as const } : f)) });
    const d2 = diffReports(report(reportInput(), noPasses).doc, 'old.json', report(unknownNow).doc, 'new.json');
    expect(diffMarkdown(d2)).toContain('| pass or absent | unknown (medium) |');
  });

  it('--baseline: a baseline without passes marks findings as a full one does', () => {
    const full = report(reportInput());
    const lean = report(reportInput(), noPasses);
    const now = allFindings(reportInput().findings);
    const a = compareWithBaseline(now, full.doc, full.file);
    const b = compareWithBaseline(now, lean.doc, lean.file);
    expect(b.findings.map((f) => f.baseline)).toEqual(a.findings.map((f) => f.baseline));
    expect(b.summary.fixed).toEqual(a.summary.fixed);
  });

  it('merge: shards without passes merge to a report without passes whose counts still include them', () => {
    const shardA = reportInput({
      findings: FINDINGS.filter((f) => f.resource.account === ACCOUNT),
      snapshot: { ...reportInput().snapshot, scope: { partition: 'aws', accounts: [ACCOUNT], regions: ['us-east-1'] } },
    });
    const shardB = reportInput({
      findings: FINDINGS.filter((f) => f.resource.account === OTHER_ACCOUNT),
      snapshot: { ...reportInput().snapshot, scope: { partition: 'aws', accounts: [OTHER_ACCOUNT], regions: ['eu-west-1'] } },
    });
    const a = report(shardA, noPasses);
    const b = report(shardB, noPasses);
    const merged = mergeReports([
      { file: a.file, report: a.doc },
      { file: b.file, report: b.doc },
    ]);
    expect(merged.results).toEqual(noPasses);
    expect(allFindings(merged.findings).some((f: Finding) => f.status === 'pass')).toBe(false);
    const doc = JSON.parse(renderJson(merged)) as Doc;
    expect(validator('report')(doc)).toBe(true);
    expect(doc.results).toEqual(noPasses);
    expect(doc.summary.total).toEqual({ fail: 3, pass: 2, unknown: 2, suppressed: 0 });
    // Reports of one configuration only.
    const full = report(shardB);
    expect(() => mergeReports([{ file: a.file, report: a.doc }, { file: full.file, report: full.doc }])).toThrow(/merge reports written with the same --results/);
    // Overlapping shards: their left-out passes cannot be counted once.
    const overlap = report(reportInput(), noPasses);
    expect(() => mergeReports([{ file: a.file, report: a.doc }, { file: overlap.file, report: overlap.doc }])).toThrow(/both cover account 111122223333 and list no passes/);
  });
});
