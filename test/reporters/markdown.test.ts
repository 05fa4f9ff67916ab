import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { DEFAULT_MARKDOWN_MAX_BYTES, cell, codeSpan, fence, renderMarkdown } from '../../src/reporters/markdown.js';
import { FINDINGS, ROLE_ARN, emptyReportInput, reportInput } from './fixtures.js';

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
    expect(s).toContain('### CRITICAL connection-shared-externally — Connection is usable by principals outside the organization');
    expect(s).toContain('### MEDIUM role-passrole-wildcard — Role can pass any role to any service');
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

  it('cuts at a line boundary within maxBytes and says how much is shown', () => {
    const many: Finding[] = Array.from({ length: 200 }, (_, i) => ({
      ...FINDINGS[4]!,
      // Multi-byte text: the limit is in UTF-8 bytes, not characters.
      message: `Rôle déploiement ${i} — accès élargi`,
      resource: { ...FINDINGS[4]!.resource, arn: `${ROLE_ARN}-${String(i).padStart(3, '0')}` },
    }));
    const input = reportInput({ findings: many });
    const full = renderMarkdown(input);
    for (const maxBytes of [4000, 4001, 4002, 4003, 10_000]) {
      const out = renderMarkdown(input, { maxBytes });
      expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
      const note = /\n> Truncated: (\d+) of 200 findings shown; the JSON report has all of them\.\n$/.exec(out);
      expect(note, out.slice(-300)).not.toBeNull();
      const shown = Number(note![1]);
      expect(shown).toBeGreaterThan(0);
      expect(out.split('\n').filter((l) => l.includes(`${ROLE_ARN}-`))).toHaveLength(shown);
      // Everything before the note is whole lines of the full document.
      const body = out.slice(0, out.lastIndexOf('\n> Truncated'));
      expect(full.startsWith(body.replace(/\n$/, ''))).toBe(true);
      expect(full.charAt(body.replace(/\n$/, '').length)).toBe('\n');
    }
    expect(bytes(renderMarkdown(input, { maxBytes: 30 }))).toBeLessThanOrEqual(30);
    expect(renderMarkdown(input, { maxBytes: bytes(full) })).toBe(full);
  });
});
