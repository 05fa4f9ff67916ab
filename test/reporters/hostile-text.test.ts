// Text from the estate (names, tags, policy values, error messages) in every human-facing output
// other than the Markdown summary (test/reporters/markdown.test.ts): JUnit, SARIF message texts,
// `linkaudit access` tables and `linkaudit diff` Markdown. No raw control character gets through.
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { expectTablesIntact } from './markdown-checks.js';
import { describe, expect, it } from 'vitest';
import { diffMarkdown, type ReportDiff } from '../../src/audit/diff.js';
import { accessTable } from '../../src/commands/access.js';
import type { Finding } from '../../src/engine/types.js';
import type { AccessReport } from '../../src/iam/access.js';
import { renderJunit } from '../../src/reporters/junit.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { COVERAGE, FINDINGS, reportInput } from './fixtures.js';

const hostile = fc
  .array(fc.oneof(fc.constantFrom('|', '`', '<script>', '](javascript:x)', '\n', '\r', '\t', '\u001b[2J', '\u001b]8;;http://x\u0007', '\u0000', '\u0085', '\u009b31m', '\u202e', '\u2067', '\\'), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''));

// C0 but the layout characters each format may keep, DEL, C1, bidi overrides and isolates.
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const RAW_CONTROL_OR_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const hostileFindings = (name: string, message: string): Finding[] => [
  { ...FINDINGS[0]!, message, resource: { ...FINDINGS[0]!.resource, name, arn: `${FINDINGS[0]!.resource.arn}${name}` } },
  { ...FINDINGS[3]!, message },
  { ...FINDINGS[1]!, suppression: { source: 'config', reason: message, expires: '2026-03-31' } },
];

describe('hostile text in reports and tables', () => {
  it('JUnit: well-formed XML with no raw control character', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, message) => {
        const xml = [...renderJunit(reportInput({ findings: hostileFindings(name, message) }))].join('');
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(xml).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 200 },
    );
  });

  it('SARIF: message texts hold no control character', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, message) => {
        const log = JSON.parse(renderSarif(reportInput({ findings: hostileFindings(name, message), coverage: [{ ...COVERAGE[0]!, message }] }))) as {
          runs: Array<{ results: Array<{ message: { text: string } }>; invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }> }>;
        };
        const texts = [...log.runs[0]!.results.map((r) => r.message.text), ...(log.runs[0]!.invocations[0]?.toolExecutionNotifications ?? []).map((n) => n.message.text)];
        expect(texts.length).toBeGreaterThan(0);
        for (const t of texts) expect(t).not.toMatch(RAW_CONTROL_OR_LAYOUT);
      }),
      { numRuns: 200 },
    );
  });

  it('linkaudit access: one table line per grant, no control character', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (principal, sid, condition) => {
        const report: AccessReport = {
          connection: `arn:aws:codeconnections:us-east-1:111122223333:connection/${sid}`,
          inSnapshot: true,
          tagsKnown: true,
          principalsEvaluated: 2,
          gaps: [condition],
          principals: [
            {
              principal: `arn:aws:iam::111122223333:role/${principal}`,
              kind: 'iamRole',
              grants: [
                {
                  action: 'codeconnections:UseConnection',
                  reach: 'scoped',
                  through: [{ source: { label: `inline policy ${sid}`, policy: sid, boundary: false }, statement: 0, sid, effect: 'Allow', actionMatch: '*', resourceMatch: '*', conditions: [condition], reach: 'scoped' }],
                  limits: [],
                  reasons: [],
                },
              ],
            },
          ],
        };
        const out = accessTable(report);
        expect(out).not.toMatch(RAW_CONTROL);
        expect(out).not.toMatch(/[\t\r]/);
        // Head (2 lines and a blank), column header, one grant, blank, the gaps, the scope note.
        expect(out.split('\n')).toHaveLength(9);
      }),
      { numRuns: 200 },
    );
  });

  it('linkaudit diff: no control character, and every table row keeps its header\'s cells', () => {
    fc.assert(
      fc.property(hostile, hostile, (arnTail, message) => {
        const f = { fingerprint: 'f1', ruleId: 'r1', severity: 'high' as const, status: 'fail' as const, resource: { ...FINDINGS[0]!.resource, arn: `${FINDINGS[0]!.resource.arn}${arnTail}` }, message };
        const d = {
          old: { file: `old${arnTail}.json`, generatedAt: '2026-01-01T00:00:00Z' },
          new: { file: 'new.json', generatedAt: '2026-01-02T00:00:00Z' },
          added: [f],
          fixed: [{ ...f, now: 'gone' as const }],
          changed: [{ before: f, after: { ...f, status: 'unknown' as const } }],
          coverage: { added: [{ ...COVERAGE[0]!, message, errorCode: arnTail }], removed: [] },
        } as unknown as ReportDiff;
        const out = diffMarkdown(d);
        expect(out).not.toMatch(RAW_CONTROL);
        expectTablesIntact(out);
      }),
      { numRuns: 200 },
    );
  });
});
