import fc from 'fast-check';
import { expectTablesIntact } from './markdown-checks.js';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { DEFAULT_MARKDOWN_MAX_BYTES, cell, codeSpan, fence, renderMarkdown } from '../../src/reporters/markdown.js';
import { COVERAGE, FINDINGS, ROLE_ARN, emptyReportInput, reportInput } from './fixtures.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The lines of the section under a `## title` heading, up to the next one. */
function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end);
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(reportInput());

  it('opens with the tool, the gate verdict and the scope', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('# linkaudit 0.1.0 report');
    expect(md).toContain('**Gate: FAIL** (exit code 1, fail on high): 2 finding(s) at or above high.');
    expect(md).toContain('Scope: accounts 111122223333, 444455556666 and regions eu-west-1, us-east-1 in partition aws; snapshot taken 2025-03-01T11:00:00Z');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('summarizes by severity with a total row', () => {
    const s = section(md, 'Summary');
    expect(s).toContain('| critical | 1 | 0 | 0 |');
    expect(s).toContain('| high | 1 | 1 | 1 |');
    expect(s).toContain('| low | 0 | 0 | 0 |');
    expect(s).toContain('| info | 0 | 0 | 0 |');
    expect(s).toContain('| **total** | **3** | **2** | **2** |');
  });

  it('groups fails by rule, with remediation once per rule', () => {
    const s = section(md, 'Findings');
    // The escalated fail makes the group critical; a rule with no fail gets no heading.
    // A rule outside the package links to its first reference (built-ins: their docs page).
    expect(s).toContain('### CRITICAL [connection-shared-externally](https://docs.aws.amazon.com/dtconsole/latest/userguide/connections.html) — Connection is usable by principals outside the organization');
    expect(s).toContain('### MEDIUM [role-passrole-wildcard](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html) — Role can pass any role to any service');
    expect(s).not.toContain('vpce-no-policy');
    expect(s.match(/\*\*Remediation:\*\* Remove the external principals/g)).toHaveLength(1);
    expect(s).toContain(`| \`${ROLE_ARN}\` | 111122223333 | global |`);
    // Pass and unknown results are not findings.
    expect(s).not.toContain('connection/cccc3333');
    expect(s).not.toContain('role/ci');
  });

  it('escapes pipes, newlines and markup in table cells', () => {
    const row = md.split('\n').find((l) => l.includes(ROLE_ARN))!;
    expect(row).toContain('iam:PassRole on \\* \\| any service<br>via inline policy \\<ci\\> |');
    // Unescaped, the row would have more cells than the header.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(5);
    expect(section(md, 'Coverage gaps')).toContain('| Access denied \\| for role ci |');
    expect(cell('a|b\r\nc')).toBe('a\\|b<br>c');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(fence('x\n```\ny', 'sh')).toBe('````sh\nx\n```\ny\n````');
  });

  it('lists unknown results and coverage gaps', () => {
    const u = section(md, 'Not evaluated (unknown)');
    for (const f of FINDINGS.filter((x) => x.status === 'unknown')) expect(u).toContain(`| ${f.ruleId} | \`${f.resource.arn}\` |`);
    const g = section(md, 'Coverage gaps');
    expect(g).toContain('| 444455556666 | eu-west-1 | codeconnections | ListConnections | AccessDeniedException | User is not authorized');
    expect(g).toContain('| 444455556666 | global | iam | GetRolePolicy | AccessDenied |');
  });

  it('says None. for empty sections', () => {
    const empty = renderMarkdown(emptyReportInput());
    expect(empty).toContain('**Gate: PASS** (exit code 0, fail on high)');
    for (const title of ['Findings', 'Not evaluated (unknown)', 'Coverage gaps']) expect(section(empty, title)).toContain('\nNone.\n');
  });

  it('fits untruncated output under the step-summary limit by default', () => {
    expect(DEFAULT_MARKDOWN_MAX_BYTES).toBe(1024 * 1024 - 1024);
    expect(md).not.toContain('Truncated');
  });

  it('shortens lists within maxBytes, each saying how many rows it left out, and keeps whole lines', () => {
    const many: Finding[] = Array.from({ length: 200 }, (_, i) => ({
      ...FINDINGS[4]!,
      // Multi-byte text: the limit is in UTF-8 bytes, not characters.
      message: `Rôle déploiement ${i} — accès élargi`,
      resource: { ...FINDINGS[4]!.resource, arn: `${ROLE_ARN}-${String(i).padStart(3, '0')}` },
    }));
    const input = reportInput({ findings: many });
    const full = renderMarkdown(input);
    const fullLines = new Set(full.split('\n'));
    for (const maxBytes of [4000, 4001, 4002, 4003, 10_000]) {
      const out = renderMarkdown(input, { maxBytes });
      expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
      const note = /\n> Truncated: (\d+) of 200 rows left out here \(the most severe are shown\); the JSON report has all of them\.\n/.exec(out);
      expect(note, out.slice(-300)).not.toBeNull();
      const shown = out.split('\n').filter((l) => l.includes(`${ROLE_ARN}-`)).length;
      expect(shown).toBeGreaterThan(0);
      expect(shown + Number(note![1])).toBe(200);
      for (const l of out.split('\n')) if (!l.startsWith('> Truncated')) expect(fullLines.has(l), l).toBe(true);
      for (const title of ['Summary', 'Findings', 'Not evaluated (unknown)', 'Coverage gaps']) expect(out).toContain(`\n## ${title}\n`);
    }
    expect(bytes(renderMarkdown(input, { maxBytes: 30 }))).toBeLessThanOrEqual(30);
    expect(renderMarkdown(input, { maxBytes: bytes(full) })).toBe(full);
  });

  it('a huge estate of one rule keeps every section and its counts within 1 MiB, most severe rows first', () => {
    const fails: Finding[] = Array.from({ length: 12_000 }, (_, i) => ({
      ...FINDINGS[0]!,
      severity: i % 1000 === 7 ? 'critical' : 'high',
      message: `Connection ${i} allows an account outside the trusted set to use it; reviewed: never, owner: unknown, tags: none.`,
      resource: { ...FINDINGS[0]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${String(i).padStart(6, '0')}` },
    }));
    const unknowns: Finding[] = Array.from({ length: 3000 }, (_, i) => ({
      ...FINDINGS[3]!,
      resource: { ...FINDINGS[3]!.resource, arn: `arn:aws:codeconnections:eu-west-1:444455556666:connection/u${i}` },
    }));
    const suppressed: Finding[] = Array.from({ length: 2000 }, (_, i) => ({
      ...FINDINGS[1]!,
      resource: { ...FINDINGS[1]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/s${i}` },
      suppression: { source: 'config', reason: 'accepted for the migration to the new host', expires: '2026-03-31' },
    }));
    const coverage = Array.from({ length: 2000 }, (_, i) => ({ ...COVERAGE[0]!, account: String(100000000000 + i) }));
    const out = renderMarkdown(reportInput({ findings: [...fails, ...unknowns, ...suppressed], coverage }));
    expect(bytes(out)).toBeLessThanOrEqual(1024 * 1024);
    for (const title of ['Summary', 'Findings', 'Not evaluated (unknown)', 'Suppressed (accepted risks)', 'Coverage gaps']) {
      expect(section(out, title)).toMatch(/\|/);
    }
    expect(section(out, 'Summary')).toContain('| **total** | **12000** | **0** | **3000** | **2000** |');
    for (const [title, total] of [['Findings', 12_000], ['Not evaluated (unknown)', 3000], ['Suppressed (accepted risks)', 2000], ['Coverage gaps', 2000]] as const) {
      const body = section(out, title);
      const rows = body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Severity') && !l.startsWith('| Rule') && !l.startsWith('| Account') && !l.startsWith('|---'));
      const note = new RegExp(`> Truncated: (\\d+) of ${total} rows left out here`).exec(body);
      expect(note, title).not.toBeNull();
      expect(rows.length + Number(note![1]), title).toBe(total);
      expect(rows.length, title).toBeGreaterThan(0);
    }
    // The twelve critical fails are all shown, though they are spread through the ARN order.
    expect(section(out, 'Findings').split('\n').filter((l) => l.startsWith('| critical |'))).toHaveLength(12);
  });
});

// Names, tags, messages and ARNs come from the estate (or an endpoint posing as AWS).
const hostile = fc
  .array(fc.oneof(fc.constantFrom('|', '`', '``', '<script>', '](javascript:alert(1))', '[x]', '\n', '\r\n', '\r', '\u001b[31m', '\u001b]0;x\u0007', '\u0000', '\u009b', '\u202e', '\\', '*', '_', '#', '&amp;', '<!--'), fc.string({ maxLength: 4 })), { maxLength: 10 })
  .map((parts) => parts.join(''));

/** Pipes that split a GFM table row: those not escaped by a backslash. */
// Controls other than the newline that ends each line (C0, DEL, C1, bidi overrides and isolates).
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('renderMarkdown with hostile names, tags and messages', () => {
  it('lets no raw control character through and keeps every table row to its header\'s cells', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (name, message, arnTail, reason) => {
        const findings: Finding[] = [
          { ...FINDINGS[0]!, message, resource: { ...FINDINGS[0]!.resource, name, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${arnTail}` } },
          { ...FINDINGS[3]!, message },
          { ...FINDINGS[1]!, resource: { ...FINDINGS[1]!.resource, arn: `${FINDINGS[1]!.resource.arn}${arnTail}` }, suppression: { source: 'tag', reason, expires: '2026-03-31' } },
        ];
        const coverage = [{ ...COVERAGE[0]!, message, operation: name }];
        const out = renderMarkdown(reportInput({ findings, coverage, suppressions: { applied: { config: 0, tag: 1 }, expired: [], unmatched: [], invalidTags: [{ arn: arnTail, problem: message }], ignoredTags: [{ arn: name, rules: reason }] } }));
        expect(out).not.toMatch(RAW_CONTROL);
        expectTablesIntact(out);
        // No HTML tag and no link survives unescaped outside code spans (inside, they are text).
        const prose = out.replace(/(`+)[^`][\s\S]*?(?<!`)\1(?!`)/g, '');
        expect(prose).not.toMatch(/(?<!\\)<script>/);
        expect(prose).not.toMatch(/(?<!\\)\]\(javascript:/);
      }),
      { numRuns: 300 },
    );
  });
});
