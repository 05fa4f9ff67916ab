// Gate and audit workflow: suppressions (config and tags, expiry, globs), baselines, --fail-on-new,
// diff, JUnit, SARIF limits, init — units first, then the built CLI on the demo estate.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { applySuppressions, checkSuppressionExpiry, ignoredTagNotes, inForce, suppressionProblems, type SuppressionEntry } from '../src/audit/suppress.js';
import { compareWithBaseline } from '../src/audit/baseline.js';
import { diffReports } from '../src/audit/diff.js';
import { loadConfig } from '../src/config.js';
import { starterConfig } from '../src/commands/init.js';
import type { Finding } from '../src/engine/types.js';
import { decideGate } from '../src/engine/gate.js';
import { loadReportFile } from '../src/reporters/merge.js';
import { renderJson as renderJsonText } from '../src/reporters/json.js';
import { renderJunit } from '../src/reporters/junit.js';
import { renderSarif } from '../src/reporters/sarif.js';
import { emptySnapshot, endpointService } from './helpers/snapshot.js';
import { FINDINGS, RULES, reportInput } from './reporters/fixtures.js';
import { expectUserError, linkaudit, type Run } from './helpers/cli.js';
import { allFindings } from '../src/engine/finding-list.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_CONFIG_TEXT = readFileSync('fixtures/demo/.linkaudit.yaml', 'utf8');
const LEGACY_HOST = 'arn:aws:codestar-connections:us-east-1:111122223333:host/ghes-legacy-9cc20a59';

const svc = (id: string): string => `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/${id}`;

function finding(ruleId: string, arn: string, status: Finding['status'] = 'fail'): Finding {
  return { ruleId, status, severity: 'high', resource: { arn, kind: 'endpointService', account: '111122223333', region: 'us-east-1' }, message: `${ruleId} on ${arn}`, evidence: [] };
}

const entry = (over: Partial<SuppressionEntry> = {}): SuppressionEntry => ({ rule: 'r1', resource: svc('vpce-svc-1'), reason: 'accepted for the migration', expires: '2026-03-31', ...over });

describe('suppression expiry (UTC)', () => {
  it('applies before and on the date, not after', () => {
    expect(inForce('2026-03-31', new Date('2026-03-30T12:00:00Z'))).toBe(true);
    expect(inForce('2026-03-31', new Date('2026-03-31T00:00:00Z'))).toBe(true);
    expect(inForce('2026-03-31', new Date('2026-03-31T23:59:59.999Z'))).toBe(true);
    expect(inForce('2026-03-31', new Date('2026-04-01T00:00:00Z'))).toBe(false);
    // 23:30 on the 31st in UTC-5 is already the 1st in UTC: expired.
    expect(inForce('2026-03-31', new Date('2026-03-31T23:30:00-05:00'))).toBe(false);
  });
});

describe('maxSuppressionDays', () => {
  const now = new Date('2026-01-15T12:00:00Z');
  it('accepts an expiry up to maxSuppressionDays away and refuses one beyond it, naming the entry', () => {
    expect(() => checkSuppressionExpiry([entry({ expires: '2027-01-15' })], 365, now, 'c.yaml', [{ line: 4, col: 14 }])).not.toThrow();
    expect(() => checkSuppressionExpiry([entry({ expires: '2027-01-17' })], 365, now, 'c.yaml', [{ line: 4, col: 14 }])).toThrow(/^c\.yaml:4:14: \/suppressions\/0\/expires: 2027-01-17 is 367 days away, more than maxSuppressionDays \(365\)/);
    expect(() => checkSuppressionExpiry([entry({ expires: '2025-01-01' })], 1, now, 'c.yaml')).not.toThrow();
  });
});

describe('applySuppressions', () => {
  const snap = emptySnapshot();
  const ran = new Set(['r1', 'r2']);
  const at = new Date('2026-03-15T00:00:00Z');

  it('suppresses the matching fail, leaves others, and reports expired and unmatched entries', () => {
    const findings = [finding('r1', svc('vpce-svc-1')), finding('r1', svc('vpce-svc-2')), finding('r2', svc('vpce-svc-1'))];
    const expired = entry({ resource: svc('vpce-svc-2'), expires: '2026-03-14' });
    const unmatched = entry({ resource: svc('vpce-svc-9') });
    const out = applySuppressions(findings, [entry(), expired, unmatched], snap, ran, at);
    expect(out.findings.map((f) => f.suppression?.source ?? '-')).toEqual(['config', '-', '-']);
    expect(out.findings[0]?.suppression).toEqual({ source: 'config', reason: 'accepted for the migration', expires: '2026-03-31' });
    expect(out.report.applied).toEqual({ config: 1, tag: 0 });
    expect(out.report.expired).toEqual([expired]);
    expect(out.report.unmatched).toEqual([unmatched]);
  });

  it('never marks a pass, and a suppression matching only passes is unmatched', () => {
    const out = applySuppressions([finding('r1', svc('vpce-svc-1'), 'pass')], [entry()], snap, ran, at);
    expect(out.findings[0]?.suppression).toBeUndefined();
    expect(out.report.unmatched).toHaveLength(1);
  });

  it('suppresses unknown results too', () => {
    const out = applySuppressions([finding('r1', svc('vpce-svc-1'), 'unknown')], [entry()], snap, ran, at);
    expect(out.findings[0]?.suppression?.source).toBe('config');
  });

  it('anchors globs: the whole ARN must match, never a substring or a longer ARN', () => {
    const glob = (resource: string, arn: string): boolean =>
      applySuppressions([finding('r1', arn)], [entry({ resource })], snap, ran, at).findings[0]?.suppression !== undefined;
    expect(glob('arn:aws:ec2:*:111122223333:vpc-endpoint-service/*', svc('vpce-svc-1'))).toBe(true);
    expect(glob(svc('vpce-svc-1'), svc('vpce-svc-12'))).toBe(false);
    expect(glob('vpce-svc-1', svc('vpce-svc-1'))).toBe(false);
    expect(glob('arn:aws:ec2:*:111122223333:vpc-endpoint-service/vpce-svc-?', svc('vpce-svc-12'))).toBe(false);
    expect(glob('arn:aws:ec2:*:111122223333:vpc-endpoint-service/vpce-svc-?', svc('vpce-svc-1'))).toBe(true);
    expect(glob('arn:aws:ec2:*:999988887777:*', svc('vpce-svc-1'))).toBe(false);
    // ARNs are case-sensitive.
    expect(glob(svc('VPCE-SVC-1'), svc('vpce-svc-1'))).toBe(false);
  });

  const allowTags = { allowTagSuppressions: true, maxSuppressionDays: 365 };
  const reasoned = { 'linkaudit:suppress-reason': 'vendor bridge, reviewed by security' };

  it('honours the linkaudit:suppress tag with a reason and an expiry when tag suppressions are allowed, and reports one without a reason', () => {
    const tagged = emptySnapshot({
      endpointServices: [
        endpointService('vpce-svc-1', { tags: { 'linkaudit:suppress': 'r1, r2', ...reasoned, 'linkaudit:suppress-expires': '2026-04-30' } }),
        endpointService('vpce-svc-2', { tags: { 'linkaudit:suppress': 'r1', 'linkaudit:suppress-expires': '2026-04-30' } }),
      ],
    });
    const out = applySuppressions([finding('r1', svc('vpce-svc-1')), finding('r2', svc('vpce-svc-1')), finding('r1', svc('vpce-svc-2'))], [], tagged, ran, at, allowTags);
    expect(out.findings.map((f) => f.suppression?.source ?? '-')).toEqual(['tag', 'tag', '-']);
    expect(out.findings[0]?.suppression).toEqual({ source: 'tag', reason: 'vendor bridge, reviewed by security', expires: '2026-04-30' });
    expect(out.report.invalidTags).toEqual([{ arn: svc('vpce-svc-2'), problem: expect.stringContaining('linkaudit:suppress-reason') }]);
  });

  it('a suppress tag does nothing unless the config allows tag suppressions: the finding stays a fail and the tag is reported as ignored', () => {
    const tagged = emptySnapshot({ endpointServices: [endpointService('vpce-svc-1', { tags: { 'linkaudit:suppress': 'r1', ...reasoned, 'linkaudit:suppress-expires': '2026-04-30' } })] });
    const out = applySuppressions([finding('r1', svc('vpce-svc-1'))], [], tagged, ran, at);
    expect(out.findings[0]?.suppression).toBeUndefined();
    expect(out.findings[0]?.status).toBe('fail');
    expect(out.report.applied.tag).toBe(0);
    expect(out.report.ignoredTags).toEqual([{ arn: svc('vpce-svc-1'), rules: 'r1' }]);
    expect(ignoredTagNotes(out.report)).toEqual([expect.stringMatching(/vpce-svc-1: tag linkaudit:suppress=r1 ignored: tag suppressions are off \(allowTagSuppressions: true/)]);
    expect(suppressionProblems(out.report)).toEqual([]);
  });

  it.each([
    ['no expiry', undefined, /needs a linkaudit:suppress-expires tag/],
    ['an expiry past maxSuppressionDays', '9999-12-31', /9999-12-31 is more than maxSuppressionDays \(365\) away/],
    ['an expired date', '2026-03-01', /expired on 2026-03-01/],
    ['no date at all', 'soon', /"soon" is not a YYYY-MM-DD date/],
  ])('an allowed suppress tag with %s is not applied and is reported', (_name, expires, problem) => {
    const tags = { 'linkaudit:suppress': 'r1', ...reasoned, ...(expires !== undefined ? { 'linkaudit:suppress-expires': expires } : {}) };
    const out = applySuppressions([finding('r1', svc('vpce-svc-1'))], [], emptySnapshot({ endpointServices: [endpointService('vpce-svc-1', { tags })] }), ran, at, allowTags);
    expect(out.findings[0]?.suppression).toBeUndefined();
    expect(out.report.invalidTags).toEqual([{ arn: svc('vpce-svc-1'), problem: expect.stringMatching(problem) }]);
  });

  it('takes suppressed findings out of the gate', () => {
    const out = applySuppressions([finding('r1', svc('vpce-svc-1'))], [entry()], snap, ran, at);
    const rules = [{ meta: { ...RULES[0]!, id: 'r1' } }];
    expect(decideGate([finding('r1', svc('vpce-svc-1'))], rules, 'high', false).exitCode).toBe(1);
    const gate = decideGate(out.findings, rules, 'high', false);
    expect(gate.exitCode).toBe(0);
    expect(gate.suppressed).toBe(1);
  });
});

describe('baseline', () => {
  const doc = (findings: Finding[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-baseline-'));
    const file = join(dir, 'base.json');
    writeFileSync(file, renderJsonReport(findings));
    return loadReportFile(file);
  };

  it('marks new and unchanged by fingerprint and status, and lists the fixed', () => {
    const before = [finding('r1', svc('a')), finding('r1', svc('b')), finding('r1', svc('c'), 'unknown'), finding('r2', svc('gone'))];
    const now = [finding('r1', svc('a')), finding('r1', svc('b'), 'pass'), finding('r1', svc('c')), finding('r1', svc('new'))];
    const out = compareWithBaseline(now, doc(before), 'base.json');
    expect(out.findings.map((f) => f.baseline ?? '-')).toEqual(['unchanged', '-', 'new', 'new']);
    expect(out.summary.new).toBe(2);
    expect(out.summary.unchanged).toBe(1);
    expect(out.summary.fixed.map((f) => `${f.resource.arn} ${f.now}`)).toEqual([`${svc('b')} pass`, `${svc('gone')} absent`]);
  });

  it('gates only new findings with --fail-on-new', () => {
    const out = compareWithBaseline([finding('r1', svc('a'))], doc([finding('r1', svc('a'))]), 'base.json');
    const rules = [{ meta: { ...RULES[0]!, id: 'r1' } }];
    expect(decideGate(out.findings, rules, 'high', false).exitCode).toBe(1);
    expect(decideGate(out.findings, rules, 'high', false, { newOnly: true }).exitCode).toBe(0);
  });
});

/** A JSON report of these findings, through the JSON reporter, as a real baseline is written. */
function renderJsonReport(findings: Finding[]): string {
  const rules = [...new Set(findings.map((f) => f.ruleId))].map((id) => ({ ...RULES[0]!, id }));
  return renderJsonText({ ...reportInput({ findings, coverage: [] }), rules });
}


describe('JUnit', () => {
  it('is well-formed, one testsuite per rule, one testcase per result, failures and skips counted', () => {
    const input = reportInput();
    const xml = renderJunit(input);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml) as {
      testsuites: { tests: string; failures: string; skipped: string; testsuite: Array<{ name: string; tests: string; failures: string; skipped: string; testcase?: Array<{ classname: string; name: string; failure?: unknown; skipped?: unknown }> }> };
    };
    expect(doc.testsuites.testsuite).toHaveLength(input.rules.length);
    expect(Number(doc.testsuites.tests)).toBe(input.findings.length);
    expect(Number(doc.testsuites.failures)).toBe(allFindings(input.findings).filter((f) => f.status === 'fail').length);
    expect(Number(doc.testsuites.skipped)).toBe(allFindings(input.findings).filter((f) => f.status === 'unknown').length);
    for (const suite of doc.testsuites.testsuite) {
      const cases = suite.testcase ?? [];
      expect(Number(suite.tests)).toBe(cases.length);
      expect(Number(suite.failures)).toBe(cases.filter((c) => c.failure !== undefined).length);
    }
    const failing = allFindings(input.findings).find((f) => f.status === 'fail')!;
    const tc = doc.testsuites.testsuite.flatMap((s) => s.testcase ?? []).find((c) => c.name === failing.resource.arn && c.classname === failing.ruleId);
    expect(JSON.stringify(tc?.failure)).toContain('Remediation');
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const nasty = { ...FINDINGS[1]!, message: 'a <b> & "c" \u0001 \ud800 ]]>' };
    const xml = renderJunit(reportInput({ findings: [nasty], coverage: [] }));
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});

describe('SARIF limits', () => {
  const many = (n: number): Finding[] =>
    Array.from({ length: n }, (_, i) => ({
      ...FINDINGS[1]!,
      severity: i % 10 === 0 ? 'high' : 'low',
      // Random-looking text so that gzip cannot make it small.
      message: `finding ${i} ${[0, 1, 2, 3].map((k) => createHash('sha512').update(`${i}/${k}`).digest('base64')).join('')}`,
      resource: { ...FINDINGS[1]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${String(i).padStart(6, '0')}` },
    }));

  it('keeps the most severe results under the compressed size limit, and says so', () => {
    const warnings: string[] = [];
    const input = { ...reportInput({ findings: many(400), coverage: [] }), warn: (l: string) => warnings.push(l) };
    const text = renderSarif(input, { results: 25_000, gzipBytes: 40_000 });
    expect(gzipSync(text).length).toBeLessThanOrEqual(40_000);
    const run = JSON.parse(text).runs[0] as { results: Array<{ level: string }>; invocations: Array<{ toolExecutionNotifications: Array<{ message: { text: string } }> }> };
    expect(run.results.length).toBeLessThan(400);
    expect(run.results.filter((r) => r.level === 'error')).toHaveLength(40);
    expect(run.invocations[0]?.toolExecutionNotifications[0]?.message.text).toMatch(/failing result\(s\) of the lowest severities were left out/);
    expect(warnings.join('\n')).toMatch(/SARIF: \d+ failing result\(s\) of the lowest severities left out/);
  });

  it('measures a text of many 1 MiB batches without going over the limit', () => {
    // About 6 MB of SARIF that compresses poorly: measured in batches, cut, and the file written still fits.
    const input = { ...reportInput({ findings: many(6000), coverage: [] }), warn: () => {} };
    const limit = 1_500_000;
    const text = renderSarif(input, { results: 25_000, gzipBytes: limit });
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 1024 * 1024);
    const size = gzipSync(text).length;
    expect(size).toBeLessThanOrEqual(limit);
    // Cut to fit, not far below it: the estimate is a little above the true size, never a multiple.
    expect(size).toBeGreaterThan(limit * 0.8);
    const run = JSON.parse(text).runs[0] as { results: Array<{ level: string }> };
    expect(run.results.length).toBeLessThan(6000);
    expect(run.results.filter((r) => r.level === 'error')).toHaveLength(600);
  });

  it('leaves suppressed results out', () => {
    const fail = FINDINGS.find((f) => f.status === 'fail')!;
    const suppressed = { ...fail, suppression: { source: 'config' as const, reason: 'accepted for now', expires: '2030-01-01' } };
    const run = JSON.parse(renderSarif(reportInput({ findings: [suppressed], coverage: [] }))).runs[0] as { results: unknown[] };
    expect(run.results).toEqual([]);
  });
});

describe('diff', () => {
  const write = (name: string, findings: Finding[]): { file: string } => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-diff-'));
    const file = join(dir, name);
    writeFileSync(file, renderJsonReport(findings));
    return { file };
  };

  it('sorts findings into new, fixed and changed by fingerprint', () => {
    const a = write('a.json', [finding('r1', svc('fixed')), finding('r1', svc('same')), finding('r1', svc('worse'), 'unknown'), finding('r1', svc('passing'), 'pass')]);
    const b = write('b.json', [finding('r1', svc('same')), finding('r1', svc('worse')), finding('r1', svc('passing')), finding('r1', svc('brand-new'))]);
    const d = diffReports(loadReportFile(a.file), 'a.json', loadReportFile(b.file), 'b.json');
    expect(d.added.map((f) => f.resource.arn)).toEqual([svc('brand-new'), svc('passing')]);
    expect(d.fixed.map((f) => `${f.resource.arn} ${f.now}`)).toEqual([`${svc('fixed')} absent`]);
    expect(d.changed.map((c) => `${c.after?.resource.arn}: ${c.before?.status} -> ${c.after?.status}`)).toEqual([`${svc('worse')}: unknown -> fail`]);
  });
});

describe('init', () => {
  it('writes a starter config that loads, with its suppression example commented out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-init-'));
    const file = join(dir, '.linkaudit.yaml');
    writeFileSync(file, starterConfig(new Date('2026-01-01T00:00:00Z')));
    const config = loadConfig(file);
    expect(config.failOn).toBe('high');
    expect(config.suppressions).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('#    expires: "2026-04-01"');
    // Uncommenting the example gives a valid suppression.
    writeFileSync(file, readFileSync(file, 'utf8').replace('suppressions: []\n', 'suppressions:\n').replace(/^#(  - rule|    )/gm, '$1'));
    expect(loadConfig(file).suppressions).toHaveLength(1);
  });
});

// ---- the built CLI on the demo estate -------------------------------------------------------

const today = new Date();
const day = (offset: number): string => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

function configWith(dir: string, suppressions: string): string {
  const file = join(dir, 'linkaudit.yaml');
  writeFileSync(file, `${DEMO_CONFIG_TEXT}\nsuppressions:\n${suppressions}`);
  return file;
}

function demoVariant(dir: string, change: (snapshot: Record<string, unknown>) => void): string {
  const snapshot = JSON.parse(readFileSync(DEMO, 'utf8')) as Record<string, unknown>;
  change(snapshot);
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify(snapshot));
  return file;
}

describe('scan with suppressions and a baseline (CLI)', () => {
  it('reports suppressed findings in all four formats and takes them out of the gate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const config = configWith(dir, `  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned in Q1\n    expires: "${day(30)}"\n    ticket: PLAT-42\n`);
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--format', 'json,sarif,markdown,junit', '--output-dir', join(dir, 'out'), '--only', 'host-endpoint-not-https']);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'linkaudit.json'), 'utf8'));
    const f = json.findings.find((x: { resource: { arn: string } }) => x.resource.arn === LEGACY_HOST);
    expect(f.status).toBe('suppressed');
    expect(f.suppression).toEqual({ source: 'config', status: 'fail', reason: 'Legacy host, decommissioned in Q1', expires: day(30), ticket: 'PLAT-42' });
    expect(json.summary.total.suppressed).toBe(1);
    expect(json.gate.suppressed).toBe(1);
    expect(json.suppressions).toEqual({ applied: { config: 1, tag: 0 }, expired: [], unmatched: [], invalidTags: [], ignoredTags: [] });
    const sarif = JSON.parse(readFileSync(join(dir, 'out', 'linkaudit.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toEqual([]);
    expect(readFileSync(join(dir, 'out', 'linkaudit.md'), 'utf8')).toMatch(/## Suppressed \(accepted risks\)[\s\S]*Legacy host, decommissioned in Q1/);
    const xml = readFileSync(join(dir, 'out', 'linkaudit.junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<skipped message="suppressed \(config until [0-9-]+\): Legacy host/);
    // The report is a valid baseline for the next run.
    expect(() => loadReportFile(join(dir, 'out', 'linkaudit.json'))).not.toThrow();
  });

  it('an expired suppression stops applying; --strict-suppressions exits 2 on expired or unmatched ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const expired = configWith(dir, `  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned in Q1\n    expires: "${day(-1)}"\n`);
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', expired, '--only', 'host-endpoint-not-https', '--format', 'json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/suppression of host-endpoint-not-https on .* expired on/);
    expect(linkaudit(['scan', '--snapshot', DEMO, '--config', expired, '--only', 'host-endpoint-not-https', '--format', 'json', '--strict-suppressions']).status).toBe(2);
    const unmatched = configWith(dir, `  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}-typo\n    reason: Legacy host, decommissioned in Q1\n    expires: "${day(10)}"\n`);
    const u = linkaudit(['scan', '--snapshot', DEMO, '--config', unmatched, '--only', 'host-endpoint-not-https', '--format', 'json', '--fail-on', 'none', '--strict-suppressions']);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/matched nothing/);
  });

  it('a config suppression expiring beyond maxSuppressionDays (9999-12-31) is a config error naming file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const config = configWith(dir, `  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned in Q1\n    expires: "9999-12-31"\n`);
    const line = readFileSync(config, 'utf8').split('\n').findIndex((l) => l.includes('9999-12-31')) + 1;
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--only', 'host-endpoint-not-https', '--format', 'json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`linkaudit.yaml:${line}:14: /suppressions/0/expires: 9999-12-31 is `);
    expect(r.stderr).toMatch(/more than maxSuppressionDays \(365\)/);
    // A shorter limit in the config refuses a date the default would allow.
    const tight = configWith(dir, `  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned in Q1\n    expires: "${day(60)}"\nmaxSuppressionDays: 30\n`);
    expect(linkaudit(['scan', '--snapshot', DEMO, '--config', tight, '--only', 'host-endpoint-not-https', '--format', 'json']).stderr).toMatch(/more than maxSuppressionDays \(30\)/);
  });

  it('a demo resource tagged linkaudit:suppress keeps its fail unless allowTagSuppressions is set (CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const snapshot = demoVariant(dir, (s) => {
      const host = (s.hosts as Array<{ arn: string; tags: Record<string, string> }>).find((h) => h.arn === LEGACY_HOST)!;
      host.tags = { ...host.tags, 'linkaudit:suppress': 'host-endpoint-not-https', 'linkaudit:suppress-reason': 'tagged by whoever may tag it', 'linkaudit:suppress-expires': day(10) };
    });
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, DEMO_CONFIG_TEXT);
    const off = linkaudit(['scan', '--snapshot', snapshot, '--config', plain, '--only', 'host-endpoint-not-https', '--format', 'json', '--output-dir', join(dir, 'off')]);
    expect(off.status).toBe(1);
    expect(off.stderr).toMatch(/host\/ghes-legacy-9cc20a59: tag linkaudit:suppress=host-endpoint-not-https ignored/);
    const json = JSON.parse(readFileSync(join(dir, 'off', 'linkaudit.json'), 'utf8'));
    expect(json.findings.find((x: { resource: { arn: string } }) => x.resource.arn === LEGACY_HOST).status).toBe('fail');
    expect(json.suppressions.ignoredTags).toEqual([{ arn: LEGACY_HOST, rules: 'host-endpoint-not-https' }]);
    const allowing = join(dir, 'allow.yaml');
    writeFileSync(allowing, `${DEMO_CONFIG_TEXT}\nallowTagSuppressions: true\n`);
    const on = linkaudit(['scan', '--snapshot', snapshot, '--config', allowing, '--only', 'host-endpoint-not-https', '--format', 'json']);
    expect(on.status, on.stderr).toBe(0);
  });

  it('--fail-on-new: 0 on the baseline itself, 1 when a new fail appears', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const config = join(dir, 'demo.yaml');
    writeFileSync(config, DEMO_CONFIG_TEXT);
    expect(linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--format', 'json', '--output-dir', join(dir, 'base')]).status).toBe(1);
    const baseline = join(dir, 'base', 'linkaudit.json');
    const same = linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--format', 'json', '--output-dir', join(dir, 'same'), '--baseline', baseline, '--fail-on-new', '--allow-partial']);
    expect(same.status, same.stderr).toBe(0);
    expect(same.stderr).toMatch(/0 new, \d+ unchanged, 0 fixed/);
    const worse = demoVariant(dir, (s) => {
      const hosts = s.hosts as Array<{ name: string; providerEndpoint: string }>;
      const host = hosts.find((h) => h.name === 'ghes-platform');
      if (!host) throw new Error('demo host ghes-platform missing');
      host.providerEndpoint = host.providerEndpoint.replace('https://', 'http://');
    });
    const r = linkaudit(['scan', '--snapshot', worse, '--config', config, '--format', 'json', '--output-dir', join(dir, 'worse'), '--baseline', baseline, '--fail-on-new', '--allow-partial']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/exit 1: 1 new finding\(s\) at or above high/);
    const report = JSON.parse(readFileSync(join(dir, 'worse', 'linkaudit.json'), 'utf8'));
    expect(report.findings.filter((f: { baseline?: string; status: string }) => f.baseline === 'new' && f.status === 'fail')).toHaveLength(1);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--fail-on-new']), /--fail-on-new needs --baseline/);
  });

  it('diff of two demo reports, one with a fix applied; identity survives reordering and new timestamps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const config = join(dir, 'demo.yaml');
    writeFileSync(config, DEMO_CONFIG_TEXT);
    linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--format', 'json', '--output-dir', join(dir, 'before')]);
    const fixed = demoVariant(dir, (s) => {
      const hosts = s.hosts as Array<{ arn: string; providerEndpoint: string }>;
      const legacy = hosts.find((h) => h.arn === LEGACY_HOST);
      if (!legacy) throw new Error('demo legacy host missing');
      legacy.providerEndpoint = 'https://ghes-legacy.corp.example-corp.com';
    });
    linkaudit(['scan', '--snapshot', fixed, '--config', config, '--format', 'json', '--output-dir', join(dir, 'after')]);
    const md = linkaudit(['diff', join(dir, 'before', 'linkaudit.json'), join(dir, 'after', 'linkaudit.json')]);
    expect(md.status, md.stderr).toBe(0);
    expect(md.stdout).toMatch(/\*\*0 new\*\*, 1 fixed, 0 changed/);
    expect(md.stdout).toContain(LEGACY_HOST);
    const json = JSON.parse(linkaudit(['diff', join(dir, 'before', 'linkaudit.json'), join(dir, 'after', 'linkaudit.json'), '--format', 'json']).stdout);
    expect(json.fixed).toEqual([expect.objectContaining({ ruleId: 'host-endpoint-not-https', now: 'pass' })]);

    // The same estate, every list reversed, scanned again (so the report's own timestamp differs):
    // nothing new, fixed or changed.
    const shuffled = demoVariant(dir, (s) => {
      for (const [k, v] of Object.entries(s)) if (Array.isArray(v)) s[k] = [...v].reverse();
    });
    linkaudit(['scan', '--snapshot', shuffled, '--config', config, '--format', 'json', '--output-dir', join(dir, 'again')]);
    const [before, again] = ['before', 'again'].map((run) => JSON.parse(readFileSync(join(dir, run, 'linkaudit.json'), 'utf8')) as { generatedAt: string });
    expect(again?.generatedAt).not.toBe(before?.generatedAt);
    const same = JSON.parse(linkaudit(['diff', join(dir, 'before', 'linkaudit.json'), join(dir, 'again', 'linkaudit.json'), '--format', 'json']).stdout);
    expect([same.added.length, same.fixed.length, same.changed.length, same.coverage.added.length, same.coverage.removed.length]).toEqual([0, 0, 0, 0, 0]);
  });

  it('suppressions and a baseline together: the right exit code and all four reports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const plain = join(dir, 'demo.yaml');
    writeFileSync(plain, DEMO_CONFIG_TEXT);
    expect(linkaudit(['scan', '--snapshot', DEMO, '--config', plain, '--format', 'json', '--output-dir', join(dir, 'base')]).status).toBe(1);
    const worse = demoVariant(dir, (s) => {
      const hosts = s.hosts as Array<{ name: string; providerEndpoint: string }>;
      const host = hosts.find((h) => h.name === 'ghes-platform');
      if (!host) throw new Error('demo host ghes-platform missing');
      host.providerEndpoint = host.providerEndpoint.replace('https://', 'http://');
    });
    const args = (config: string, out: string): string[] => ['scan', '--snapshot', worse, '--config', config, '--format', 'sarif,json,markdown,junit', '--output-dir', join(dir, out), '--baseline', join(dir, 'base', 'linkaudit.json'), '--fail-on-new', '--allow-partial'];
    // The one new fail blocks …
    expect(linkaudit(args(plain, 'blocked')).status).toBe(1);
    // … until it is accepted, with a reason and a date.
    const ghesPlatform = 'arn:aws:codestar-connections:us-east-1:111122223333:host/ghes-platform-*';
    const accepted = configWith(dir, `  - rule: host-endpoint-not-https
    resource: "${ghesPlatform}"
    reason: TLS terminates on the load balancer in front, tracked
    expires: "${day(14)}"
`);
    const r = linkaudit(args(accepted, 'accepted'));
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'accepted', 'linkaudit.json'), 'utf8'));
    expect(json.gate).toMatchObject({ exitCode: 0, newOnly: true, suppressed: 1 });
    expect(json.baseline).toMatchObject({ new: 1, fixed: [] });
    expect(json.findings.filter((f: { status: string; baseline?: string }) => f.status === 'suppressed' && f.baseline === 'new')).toHaveLength(1);
    for (const name of ['linkaudit.sarif', 'linkaudit.md', 'linkaudit.junit.xml']) expect(readFileSync(join(dir, 'accepted', name), 'utf8').length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'accepted', 'linkaudit.md'), 'utf8')).toMatch(/Against the baseline .*: 1 new, \d+ unchanged, 0 fixed/);
  });

  it('bad suppression configs are clear errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    const bad = (body: string): Run => linkaudit(['scan', '--snapshot', DEMO, '--config', configWith(dir, body), '--format', 'json']);
    expectUserError(bad(`  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: short\n    expires: "2030-01-01"\n`), /linkaudit\.yaml:\d+:\d+: \/suppressions\/0\/reason/);
    expectUserError(bad(`  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned\n    expires: "31/12/2030"\n`), /\/suppressions\/0\/expires/);
    expectUserError(bad(`  - rule: host-endpoint-not-https\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned\n`), /\/suppressions\/0.*expires/);
    expectUserError(bad(`  - rule: host-endpoint-not-http\n    resource: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned\n    expires: "2030-01-01"\n`), /\/suppressions\/0\/rule: no rule "host-endpoint-not-http"/);
    expectUserError(bad(`  - rule: host-endpoint-not-https\n    resources: ${LEGACY_HOST}\n    reason: Legacy host, decommissioned\n    expires: "2030-01-01"\n`), /\/suppressions\/0/);
  });

  it('init writes .linkaudit.yaml and refuses to overwrite it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-audit-'));
    expect(linkaudit(['init'], dir).status).toBe(0);
    expect(loadConfig(join(dir, '.linkaudit.yaml')).failOn).toBe('high');
    expectUserError(linkaudit(['init'], dir), /\.linkaudit\.yaml exists; pass --force/);
    expect(linkaudit(['init', '--force'], dir).status).toBe(0);
  });
});
