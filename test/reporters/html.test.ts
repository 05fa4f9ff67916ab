// The HTML report without a browser: self-contained (a CSP that allows nothing but its own style
// and script, by hash), deterministic, and no text from the estate able to leave the place it is
// written: element text, attribute values, the embedded JSON.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { escapeHtml, safeHref, scriptJson } from '../../src/reporters/html/escape.js';
import { MAX_LISTED_PASSES, MAX_LISTED_RESULTS, htmlChunks, renderHtml } from '../../src/reporters/html/index.js';
import { COVERAGE, FINDINGS, reportInput } from './fixtures.js';

const hostile = fc
  .array(fc.oneof(fc.constantFrom('<script>alert(1)</script>', '</script><script>', '<img src=x onerror=alert(1)>', '"', "'", '&', '<!--', ']]>', '\u2028', '\u2029', '\u0000', '\u001b[2J', 'javascript:alert(1)', '${x}', '\\'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 8 })
  .map((p) => p.join(''));

function dataOf(html: string): { findings: Array<Record<string, unknown>> } {
  const m = /<script type="application\/json" id="linkaudit-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data element');
  return JSON.parse(m[1] as string) as { findings: Array<Record<string, unknown>> };
}

describe('the HTML report', () => {
  it('allows by CSP only its own style and script, and requests nothing', () => {
    const html = renderHtml(reportInput());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const sha = (t: string): string => createHash('sha256').update(t, 'utf8').digest('base64');
    expect(csp).toContain(`style-src 'sha256-${sha(style)}'`);
    expect(csp).toContain(`script-src 'sha256-${sha(script)}'`);
    // No src= at all; the only hrefs are https links to rule docs.
    expect(html).not.toMatch(/\ssrc=/);
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^https:\/\//);
    expect(html).not.toMatch(/<link|@import|url\(/);
  });

  it('is the same bytes for the same input', () => {
    expect(renderHtml(reportInput())).toBe(renderHtml(reportInput()));
  });

  it('keeps every hostile name, message and gap text inert, and the data exact', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, message) => {
        const findings: Finding[] = FINDINGS.map((f) => ({ ...f, message, resource: { ...f.resource, name } }));
        const coverage = COVERAGE.map((c) => ({ ...c, message, errorCode: name }));
        const html = renderHtml(reportInput({ findings, coverage }));
        // Exactly the page's own elements: one style, two scripts, no event handler attribute.
        expect(html.match(/<script/g)?.length).toBe(2);
        expect(html.match(/<style/g)?.length).toBe(1);
        expect(html).not.toMatch(/<[a-z]+[^>]*\son[a-z]+=/i);
        expect(html).not.toMatch(/[\u2028\u2029\u0000]/);
        const data = dataOf(html);
        expect(data.findings.every((f) => f.message === message && f.name === name)).toBe(true);
      }),
    );
  });

  it('draws the blast radius with every name escaped', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, repo) => {
        const html = renderHtml(reportInput({ blastRadius: { total: 1, command: 'linkaudit graph --snapshot s.json', entries: [{ connection: `arn:aws:codeconnections:us-east-1:111122223333:connection/${name}`, name, repositories: [repo], consumers: 2, adminRoles: [`arn:aws:iam::111122223333:role/${name}`], unknownRoles: 1, findings: 1 }] } }));
        expect(html).toContain('<svg class="blast"');
        expect(html.match(/<script/g)?.length).toBe(2);
        expect(html).not.toMatch(/<[a-z]+[^>]*\son[a-z]+=/i);
      }),
    );
  });

  it('lists fails, unknowns and suppressed results always, passes up to the cap', () => {
    const pass = FINDINGS.find((f) => f.status === 'pass') as Finding;
    const many: Finding[] = [...FINDINGS, ...Array.from({ length: MAX_LISTED_PASSES + 1 }, (_, i) => ({ ...pass, resource: { ...pass.resource, arn: `${pass.resource.arn}-${i}` } }))];
    const html = renderHtml(reportInput({ findings: many }));
    const listed = dataOf(html).findings;
    expect(listed.some((f) => f.status === 'pass')).toBe(false);
    expect(listed.length).toBe(FINDINGS.filter((f) => f.status !== 'pass' || f.suppression).length);
    expect(html).toContain('passes are counted above but not listed');
  });
});

describe('the HTML report at organization scale', () => {
  const fail = FINDINGS.find((f) => f.status === 'fail' && !f.suppression) as Finding;
  const fails = (n: number, name: (i: number) => string, severity: (i: number) => Finding['severity']): Finding[] =>
    Array.from({ length: n }, (_, i) => ({ ...fail, severity: severity(i), message: name(i), resource: { ...fail.resource, arn: `${fail.resource.arn}-${String(i).padStart(7, '0')}` } }));

  it('embeds the data exactly as one scriptJson of it, across batches and with hostile text', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 2500 }), (names, n) => {
        const html = renderHtml(reportInput({ findings: fails(n, (i) => names[i % names.length] as string, () => 'high') }));
        const text = /<script type="application\/json" id="linkaudit-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
        expect(text).toBe(scriptJson(JSON.parse(text)));
        expect((JSON.parse(text) as { findings: unknown[] }).findings).toHaveLength(n);
        expect([...htmlChunks(reportInput({ findings: fails(n, (i) => names[i % names.length] as string, () => 'high') }))].length).toBeGreaterThan(Math.floor((n - 1) / 1000) + 2);
      }),
      { numRuns: 12 },
    );
  });

  it(`past ${MAX_LISTED_RESULTS} fails lists the most severe, in report order, and says how many are left out`, () => {
    const n = MAX_LISTED_RESULTS + 50;
    // The 60 critical ones come last in report order: a cut by position would lose them.
    const many = fails(n, (i) => `m${i}`, (i) => (i >= n - 60 ? 'critical' : i % 2 === 0 ? 'medium' : 'low'));
    const listed = dataOf(renderHtml(reportInput({ findings: many }))).findings;
    expect(listed).toHaveLength(MAX_LISTED_RESULTS);
    expect(listed.filter((f) => f.severity === 'critical')).toHaveLength(60);
    expect(listed.filter((f) => f.severity === 'medium')).toHaveLength((n - 60) / 2);
    const arns = listed.map((f) => f.arn as string);
    expect(arns).toEqual([...arns].sort());
    expect(renderHtml(reportInput({ findings: many }))).toContain(`${n - MAX_LISTED_RESULTS} fails, unknowns and suppressed results of the lowest severities are counted above but not listed`);
  });
});

describe('escaping helpers', () => {
  it('escapeHtml leaves no markup character and no control character', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(escapeHtml(s)).not.toMatch(/[<>"'\u0000-\u0008]|&(?!amp;|lt;|gt;|quot;|#39;)/);
    }));
  });
  it('scriptJson round-trips and never contains <, > or &', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const t = scriptJson(v);
      expect(t).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(t)).toEqual(JSON.parse(JSON.stringify(v)));
    }));
  });
  it('safeHref takes https addresses only', () => {
    expect(safeHref('https://github.com/linkaudit/linkaudit/blob/main/docs/rules/x.md')).toBeDefined();
    for (const bad of ['javascript:alert(1)', 'http://x/', 'https://x/"onmouseover=', 'data:text/html,x', ' https://x/']) expect(safeHref(bad)).toBeUndefined();
  });
});
