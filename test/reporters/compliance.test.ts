import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import type { RuleMeta } from '../../src/engine/types.js';
import { compareControls, complianceSummary, controlRequirements, controlTags } from '../../src/reporters/compliance.js';
import { renderJson, summarize } from '../../src/reporters/json.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { ruleDocsUri, ruleHelpUri } from '../../src/reporters/rule-docs.js';
import { validator } from '../../src/schema/validate.js';
import { expectTablesIntact } from './markdown-checks.js';
import { FINDINGS, RULES, reportInput } from './fixtures.js';

/**
 * The Foundational Security Best Practices controls a built-in rule may name: those that exist and
 * check what the rule checks (Security Hub user guide, "Security Hub CSPM controls for CodeBuild":
 * [CodeBuild.1] "CodeBuild Bitbucket source repository URLs should not contain sensitive
 * credentials"). A new entry needs the same: a control that exists, quoted in docs/compliance.md.
 */
const FSBP_CONTROLS_THAT_EXIST = new Set(['CodeBuild.1']);

const builtins = loadRuleSet().rules.map((r) => r.meta);
const compliance = readFileSync(new URL('../../docs/compliance.md', import.meta.url), 'utf8');

describe('compliance mapping of the built-in rules', () => {
  it.each(builtins.map((m) => [m.id, m] as const))('%s names its NIST SP 800-53 controls and its FSBP controls (or none), justified in docs/compliance.md', (id, meta) => {
    expect(meta.controls, `${id}: controls`).toBeDefined();
    const nist = meta.controls?.['nist-800-53'] ?? [];
    expect(nist.length, `${id}: at least one NIST SP 800-53 control`).toBeGreaterThan(0);
    for (const c of nist) expect(c).toMatch(/^[A-Z]{2}-[0-9]{1,2}(\([0-9]{1,2}\))?$/);
    expect(meta.controls, `${id}: aws-fsbp (an empty list when none exists)`).toHaveProperty('aws-fsbp');
    for (const c of meta.controls?.['aws-fsbp'] ?? []) expect(FSBP_CONTROLS_THAT_EXIST.has(c), `${id}: ${c} is not a known FSBP control`).toBe(true);
    // The justification table has a row for the rule naming exactly these controls.
    const row = compliance.split('\n').find((l) => l.startsWith(`| [${id}]`));
    expect(row, `docs/compliance.md: a row for ${id}`).toBeDefined();
    for (const c of [...nist, ...(meta.controls?.['aws-fsbp'] ?? [])]) expect(row).toContain(c);
  });

  it('the rule schema refuses a malformed control', () => {
    const validate = validator('rule');
    const meta = builtins.find((m) => m.id === 'connection-unused') as RuleMeta;
    const doc = { ...meta, fail: 'false', message: '""' };
    expect(validate(doc)).toBe(true);
    expect(validate({ ...doc, controls: { 'nist-800-53': ['least privilege'] } })).toBe(false);
    expect(validate({ ...doc, controls: { 'aws-fsbp': ['CodeBuild1'] } })).toBe(false);
    expect(validate({ ...doc, controls: { 'NIST 800-53': ['AC-6'] } })).toBe(false);
    // A user's rule may name another framework.
    expect(validate({ ...doc, controls: { 'pci-dss-4': ['8.3.2'] } })).toBe(true);
  });
});

describe('controls in reports', () => {
  const rules: RuleMeta[] = RULES.map((r, i) => (i === 0 ? { ...r, controls: { 'nist-800-53': ['SC-7', 'AC-6(1)', 'AC-6', 'AC-17'], 'aws-fsbp': [] } } : i === 1 ? { ...r, controls: { 'nist-800-53': ['AC-6'] } } : r));
  const input = reportInput({ rules, framework: 'nist-800-53' });

  it('orders controls by family, number, enhancement', () => {
    expect(['SC-7', 'AC-17', 'AC-6(1)', 'AC-6', 'AC-2', 'CM-3'].sort(compareControls)).toEqual(['AC-2', 'AC-6', 'AC-6(1)', 'AC-17', 'CM-3', 'SC-7']);
    expect(['CodeBuild.10', 'CodeBuild.2', 'CodeBuild.1'].sort(compareControls)).toEqual(['CodeBuild.1', 'CodeBuild.2', 'CodeBuild.10']);
  });

  it('SARIF rule tags and properties, ASFF requirements', () => {
    expect(controlTags(rules[0] as RuleMeta)).toEqual(['NIST-800-53:AC-6', 'NIST-800-53:AC-6(1)', 'NIST-800-53:AC-17', 'NIST-800-53:SC-7']);
    expect(controlRequirements(rules[0] as RuleMeta)).toEqual(['NIST.800-53.r5 AC-6', 'NIST.800-53.r5 AC-6(1)', 'NIST.800-53.r5 AC-17', 'NIST.800-53.r5 SC-7']);
    expect(controlRequirements({ controls: { 'aws-fsbp': ['CodeBuild.1'] } })).toEqual(['aws-foundational-security-best-practices/v/1.0.0/CodeBuild.1']);
    const sarif = JSON.parse(renderSarif(input)) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri?: string; properties: { tags: string[]; controls?: unknown } }> } } }> };
    const [first, second] = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(first?.properties.tags).toEqual(['security', 'codeconnections', 'cross-account', 'NIST-800-53:AC-6', 'NIST-800-53:AC-6(1)', 'NIST-800-53:AC-17', 'NIST-800-53:SC-7']);
    expect(first?.properties.controls).toEqual({ 'aws-fsbp': [], 'nist-800-53': ['SC-7', 'AC-6(1)', 'AC-6', 'AC-17'] });
    // GitHub keeps 10 tags: the rule's own come first.
    expect(second?.properties.tags).toHaveLength(10);
    expect(first?.helpUri).toBe(RULES[0]?.references[0]);
  });

  it('the JSON report summarises by control, counting every result of each control\'s rules', () => {
    const doc = JSON.parse(renderJson({ ...input, results: ['fail'] })) as { compliance: ReturnType<typeof complianceSummary> };
    expect(validator('report')(doc)).toBe(true);
    const ac6 = doc.compliance.controls.find((c) => c.control === 'AC-6');
    // connection-shared-externally: 2 fail, 1 pass, 1 unknown; role-passrole-wildcard: 1 of each.
    expect(ac6).toEqual({ control: 'AC-6', title: 'Least Privilege', status: 'fail', rules: ['connection-shared-externally', 'role-passrole-wildcard'], counts: { fail: 3, pass: 2, unknown: 2, suppressed: 0 } });
    expect(doc.compliance.controls.map((c) => c.control)).toEqual(['AC-6', 'AC-6(1)', 'AC-17', 'SC-7']);
    expect(doc.compliance.unmapped).toEqual(['vpce-no-policy']);
    expect(doc.compliance.title).toBe('NIST SP 800-53 Rev. 5');
  });

  it('a control with only passes passes; with no result says so', () => {
    const summary = summarize({ rules, findings: FINDINGS.filter((f) => f.status === 'pass') });
    const s = complianceSummary(rules, summary, 'nist-800-53');
    expect(s.controls.find((c) => c.control === 'AC-6')?.status).toBe('pass');
    const none = complianceSummary(rules, summarize({ rules, findings: [] }), 'nist-800-53');
    expect(none.controls.every((c) => c.status === 'no result')).toBe(true);
  });

  it('--framework groups the Markdown findings by control, a rule under each of its controls', () => {
    const md = renderMarkdown(input);
    expectTablesIntact(md);
    expect(md).toContain('## Controls: NIST SP 800-53 Rev. 5');
    expect(md).toContain('| AC-6 Least Privilege | **FAIL** | 3 | 2 | 2 | 0 | connection-shared-externally, role-passrole-wildcard |');
    expect(md).toContain('## Findings by NIST SP 800-53 Rev. 5 control');
    const headings = md.split('\n').filter((l) => l.startsWith('### ') || l.startsWith('#### '));
    expect(headings.filter((h) => h.startsWith('### '))).toEqual([
      '### AC-6 Least Privilege: 3 fail(s) in 2 rule(s)',
      '### AC-6(1) Least Privilege \\| Authorize Access to Security Functions: 2 fail(s) in 1 rule(s)',
      '### AC-17: 2 fail(s) in 1 rule(s)',
      '### SC-7 Boundary Protection: 2 fail(s) in 1 rule(s)',
    ]);
    expect(headings.filter((h) => h.includes('[connection-shared-externally]'))).toHaveLength(4);
    // Without --framework: by rule, as before.
    expect(renderMarkdown({ ...input, framework: undefined } as typeof input)).not.toContain('## Controls');
  });
});

describe('rule docs links', () => {
  it('built-in rules link to their page on the project site; other rules to their first reference', () => {
    for (const meta of builtins) expect(ruleHelpUri(meta)).toBe(`https://github.com/linkaudit/linkaudit/blob/main/docs/rules/${meta.id}.md`);
    expect(ruleDocsUri('connection-shared-externally')).toBeUndefined();
    expect(ruleHelpUri(RULES[0] as RuleMeta)).toBe(RULES[0]?.references[0]);
    expect(ruleHelpUri({ id: 'x-rule', references: [] })).toBeUndefined();
    // Never a path out of the docs directory.
    expect(ruleDocsUri('../README')).toBeUndefined();
  });

  it('a user rule\'s reference is percent-encoded into the Markdown link, never markup', () => {
    const hostile = (reference: string): string => {
      const rules: RuleMeta[] = RULES.map((r, i) => (i === 0 ? { ...r, references: [reference] } : r));
      const md = renderMarkdown(reportInput({ rules }));
      expectTablesIntact(md);
      return md.split('\n').find((l) => l.includes('connection-shared-externally') && l.startsWith('### ')) ?? '';
    };
    expect(hostile('https://example.com/a) <script>alert(1)</script> [x](y "t")')).toBe(
      '### CRITICAL [connection-shared-externally](https://example.com/a%29%20%3Cscript%3Ealert%281%29%3C/script%3E%20%5Bx%5D%28y%20%22t%22%29) — Connection is usable by principals outside the organization',
    );
    // Half a surrogate pair cannot be encoded: the id stays plain text.
    expect(hostile('https://example.com/\ud800')).toBe('### CRITICAL connection-shared-externally — Connection is usable by principals outside the organization');
  });
});
