// Sizes that come from outside never reach a call as spread arguments: past about 100,000 of
// them V8 throws RangeError ("Maximum call stack size exceeded"), which would be an internal
// error. Found at organization scale (233,511 fails of one rule in the Markdown report); the
// family: every report, every listing an endpoint pages, every list a snapshot or template holds.
import { describe, expect, it } from 'vitest';
import { maxOf, pushAll } from '../src/arrays.js';
import { listAll } from '../src/collectors/paging.js';
import type { Finding } from '../src/engine/types.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunks, render, writeReports } from '../src/reporters/index.js';
import { reportInput, RULES } from './reporters/fixtures.js';

const N = 250_000;

describe('collections of a quarter of a million items', () => {
  it('pushAll and maxOf take them (spread arguments would throw)', () => {
    const big = Array.from({ length: N }, (_, i) => i);
    expect(() => [].push(...(big as never[]))).toThrow(RangeError);
    expect(pushAll([-1], big)).toHaveLength(N + 1);
    expect(maxOf(big)).toBe(N - 1);
    expect(maxOf([], 0)).toBe(0);
  });

  it('a page of that many items from an endpoint', async () => {
    const items = await listAll(async (token) => (token === undefined ? { items: Array.from({ length: N }, (_, i) => i), next: 't' } : { items: [1], next: undefined }));
    expect(items).toHaveLength(N + 1);
  });

  it('every report format renders that many fails of one rule, and as many suppressed', () => {
    const rule = RULES[0] as (typeof RULES)[number];
    const findings: Finding[] = Array.from({ length: N }, (_, i) => ({
      ruleId: rule.id,
      status: 'fail',
      severity: rule.severity,
      resource: { arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${String(i).padStart(8, '0')}`, kind: 'connection', account: '111122223333', region: 'us-east-1' },
      message: `Connection ${i} is shared.`,
      evidence: [],
      ...(i % 2 === 0 ? { suppression: { source: 'config' as const, reason: 'accepted for the test', expires: '2099-01-01' } } : {}),
    }));
    const input = reportInput({ findings, rules: [rule], suppressions: { applied: { config: N / 2, tag: 0 }, expired: [], unmatched: [], invalidTags: findings.map((f) => ({ arn: f.resource.arn, problem: 'bad tag' })), ignoredTags: [] } });
    for (const format of ['markdown', 'junit', 'sarif', 'html'] as const) {
      const out = render(format, { ...input, warn: () => {} });
      expect(out.length, format).toBeGreaterThan(1000);
    }
  }, 120_000);

  it('OCSF and ASFF are written a finding (a batch) at a time, as the whole render gives them', async () => {
    const rule = RULES[0] as (typeof RULES)[number];
    const n = 30_000;
    const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
      ruleId: rule.id,
      status: i % 3 === 0 ? 'pass' : 'fail',
      severity: rule.severity,
      resource: { arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${String(i).padStart(8, '0')}`, kind: 'connection', account: '111122223333', region: 'us-east-1' },
      message: `Connection ${i}.`,
      evidence: [],
    }));
    const input = { ...reportInput({ findings, rules: [rule] }), warn: () => {} };
    const pieces = [...chunks('ocsf', input)];
    // One piece per finding and the closing bracket: no piece holds the whole report.
    expect(pieces).toHaveLength(n + 1);
    expect(pieces.join('')).toBe(render('ocsf', input));
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-large-'));
    try {
      await writeReports(['ocsf', 'asff'], input, dir);
      expect((JSON.parse(readFileSync(join(dir, 'linkaudit.ocsf.json'), 'utf8')) as unknown[]).length).toBe(n);
      const batches = readdirSync(dir).filter((f) => f.startsWith('linkaudit.asff'));
      expect(batches).toHaveLength(n / 100);
      const total = batches.reduce((k, f) => k + (JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown[]).length, 0);
      expect(total).toBe(n);
      expect(readFileSync(join(dir, 'linkaudit.asff-2.json'), 'utf8')).toBe(render('asff', { ...input, findings: findings.slice(100, 200) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
