import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/reporters/fingerprint.js';
import { FILE_NAMES, REPORT_FORMATS, render, writeReports } from '../../src/reporters/index.js';
import { renderJson } from '../../src/reporters/json.js';
import { validator } from '../../src/schema/validate.js';
import { COVERAGE, FINDINGS, GENERATED_AT, ROLE_ARN, RULES, emptyReportInput, reportInput } from './fixtures.js';

interface Doc {
  reportVersion: number;
  summary: {
    total: Record<string, number>;
    bySeverity: Record<string, Record<string, number>>;
    byRule: Record<string, Record<string, number>>;
  };
  rules: Array<Record<string, unknown>>;
  findings: Array<Record<string, unknown> & { resource: Record<string, unknown>; evidence: Array<{ path: string; value: unknown }> }>;
  coverage: unknown[];
  snapshot: Record<string, unknown>;
  gate: Record<string, unknown>;
}

const renderDoc = (...args: Parameters<typeof renderJson>): Doc => JSON.parse(renderJson(...args)) as Doc;

describe('renderJson', () => {
  const text = renderJson(reportInput());
  const doc = renderDoc(reportInput());

  it('matches schemas/report.schema.json', () => {
    const validate = validator('report');
    for (const input of [reportInput(), emptyReportInput()]) {
      const d: unknown = JSON.parse(renderJson(input));
      expect(validate(d), JSON.stringify(validate.errors, null, 2)).toBe(true);
    }
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "reportVersion": 3,');
  });

  it('rejects what the contract does not allow (the schema can fail)', () => {
    const validate = validator('report');
    const extra = { ...doc, surprise: true };
    expect(validate(extra)).toBe(false);
    const badStatus = { ...doc, findings: [{ ...doc.findings[0], status: 'maybe' }] };
    expect(validate(badStatus)).toBe(false);
  });

  it('counts by status, severity and rule', () => {
    expect(doc.summary.total).toEqual({ fail: 3, pass: 2, unknown: 2, suppressed: 0 });
    expect(doc.summary.bySeverity).toEqual({
      // The escalated fail counts at its own severity, not the rule's.
      critical: { fail: 1, pass: 0, unknown: 0, suppressed: 0 },
      high: { fail: 1, pass: 1, unknown: 1, suppressed: 0 },
      medium: { fail: 1, pass: 1, unknown: 1, suppressed: 0 },
      low: { fail: 0, pass: 0, unknown: 0, suppressed: 0 },
      info: { fail: 0, pass: 0, unknown: 0, suppressed: 0 },
    });
    expect(doc.summary.byRule).toEqual({
      'connection-shared-externally': { fail: 2, pass: 1, unknown: 1, suppressed: 0 },
      'role-passrole-wildcard': { fail: 1, pass: 1, unknown: 1, suppressed: 0 },
      'vpce-no-policy': { fail: 0, pass: 0, unknown: 0, suppressed: 0 },
    });
    const empty = renderDoc(emptyReportInput());
    expect(Object.keys(empty.summary.byRule)).toEqual(RULES.map((r) => r.id));
    expect(Object.keys(empty.summary.bySeverity)).toEqual(['critical', 'high', 'medium', 'low', 'info']);
  });

  it('keeps every finding, in order, with its fingerprint', () => {
    expect(doc.findings.map((f) => [f.ruleId, f.status, f.resource.arn])).toEqual(FINDINGS.map((f) => [f.ruleId, f.status, f.resource.arn]));
    const role = doc.findings.find((f) => f.resource.arn === ROLE_ARN)!;
    expect(role).toEqual({
      fingerprint: fingerprint('role-passrole-wildcard', ROLE_ARN),
      ruleId: 'role-passrole-wildcard',
      status: 'fail',
      severity: 'medium',
      resource: { arn: ROLE_ARN, kind: 'iamRole', account: '111122223333', region: 'global', name: 'deploy' },
      message: FINDINGS[4]!.message,
      evidence: [{ path: 'iamRole.inlinePolicies', value: ['ci'] }],
    });
    // An undefined evidence value is written as null rather than silently dropping the key.
    expect(doc.findings[1]!.evidence).toEqual([{ path: 'connection.ownerAccountId', value: null }]);
  });

  it('carries rules, coverage, snapshot and gate', () => {
    expect(doc.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(doc.rules[0]).toMatchObject({ escalations: [{ severity: 'critical', description: RULES[0]!.escalations![0]!.description }] });
    expect(doc.rules[1]).not.toHaveProperty('escalations');
    expect(doc.coverage).toEqual(COVERAGE);
    expect(doc.snapshot).toMatchObject({ file: 'fixtures/demo/snapshot.json', scope: { accounts: ['111122223333', '444455556666'] } });
    expect(doc.gate).toMatchObject({ exitCode: 1, failOn: 'high', reason: '2 finding(s) at or above high' });
  });

  it('leaves out fields the contract does not define', () => {
    const input = reportInput();
    // A rule loader may leave extra fields (such as an escalation's CEL `when`) on the metadata.
    const leaky = { ...RULES[0]!, escalations: [{ ...RULES[0]!.escalations![0]!, when: 'true' }], source: 'rules.d/x.yaml' };
    const d: unknown = JSON.parse(renderJson({ ...input, rules: [leaky, ...RULES.slice(1)], snapshot: { ...input.snapshot, file: undefined } }));
    expect(validator('report')(d)).toBe(true);
    expect(JSON.stringify(d)).not.toContain('"when"');
    expect((d as Doc).snapshot).not.toHaveProperty('file');
  });

  it('differs between identical scans only in generatedAt', () => {
    const later = '2026-01-02T03:04:05.678Z';
    expect(renderJson(reportInput({ generatedAt: later })).split(later).join(GENERATED_AT)).toBe(text);
  });
});

describe('writeReports', () => {
  it('writes each format under its fixed name and returns the paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-reports-'));
    try {
      const out = join(dir, 'nested', 'out');
      const input = reportInput();
      const written = await writeReports(REPORT_FORMATS, input, out);
      expect(written).toEqual([join(out, 'linkaudit.sarif'), join(out, 'linkaudit.json'), join(out, 'linkaudit.md'), join(out, 'linkaudit.junit.xml'), join(out, 'linkaudit.ocsf.json'), join(out, 'linkaudit.asff.json'), join(out, 'linkaudit.html')]);
      for (const format of REPORT_FORMATS) expect(readFileSync(join(out, FILE_NAMES[format]), 'utf8')).toBe(render(format, input));
      // No temporary files are left beside the reports.
      expect(readdirSync(out).sort()).toEqual(['linkaudit.asff.json', 'linkaudit.html', 'linkaudit.json', 'linkaudit.junit.xml', 'linkaudit.md', 'linkaudit.ocsf.json', 'linkaudit.sarif']);
      expect(await writeReports(['json', 'json'], input, out)).toEqual([join(out, 'linkaudit.json')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
