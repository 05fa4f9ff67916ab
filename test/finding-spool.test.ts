// The findings spool (src/engine/finding-spool.ts): a streamed scan's findings on disk between the
// evaluation and the reports. Read back, they must be what a stable sort of the groups' findings
// (rule, then ARN) gives, whatever the findings hold; their facts (rule, status, severity,
// suppressed, baseline) must be the findings'; every report over the spooled list must be the
// report over the same findings in memory; and a spool that cannot be written is the user's
// error, named.
import { closeSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindingSpool, byRuleThenArn } from '../src/engine/finding-spool.js';
import { allFindings, findingList, subList, type FindingList } from '../src/engine/finding-list.js';
import { SEVERITIES } from '../src/engine/severity.js';
import type { Finding } from '../src/engine/types.js';
import { UserError } from '../src/errors.js';
import { REPORT_FORMATS, render } from '../src/reporters/index.js';
import { renderTerminal } from '../src/reporters/terminal.js';
import { reportInput, RULES } from './reporters/fixtures.js';

const text = fc.string({ unit: 'binary', maxLength: 30 });
const finding: fc.Arbitrary<Finding> = fc
  .record({
    ruleId: fc.oneof(fc.constantFrom(...RULES.map((r) => r.id)), text),
    arn: fc.oneof(fc.constantFrom('arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-1', 'arn:aws:iam::111122223333:role/a'), text),
    account: fc.constantFrom('111122223333', '444455556666'),
    status: fc.constantFrom('fail', 'pass', 'unknown' as const),
    severity: fc.constantFrom(...SEVERITIES),
    message: text,
    evidence: fc.array(fc.record({ path: text, value: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 2 })) }), { maxLength: 2 }),
    suppressed: fc.boolean(),
    baseline: fc.constantFrom(undefined, 'new', 'unchanged' as const),
  })
  .map((r) => ({
    ruleId: r.ruleId,
    status: r.status,
    severity: r.severity,
    resource: { arn: r.arn, account: r.account, region: 'us-east-1', kind: 'vpcEndpoint' as const, name: r.message.slice(0, 5) },
    message: r.message,
    evidence: r.evidence,
    ...(r.suppressed && r.status !== 'pass' ? { suppression: { source: 'config' as const, reason: `accepted ${r.message}`, expires: '2027-01-01' } } : {}),
    ...(r.baseline !== undefined && r.status !== 'pass' ? { baseline: r.baseline } : {}),
  }));

function spooled(runs: readonly (readonly Finding[])[]): { spool: FindingSpool; list: FindingList } {
  const spool = new FindingSpool();
  for (const run of runs) spool.add(run);
  return { spool, list: spool.finish() };
}

function facts(list: FindingList): unknown[] {
  return Array.from({ length: list.length }, (_, i) => [list.ruleId(i), list.status(i), list.severity(i), list.suppressed(i), list.baseline(i)]);
}

describe('the findings spool', () => {
  it('reads back a stable sort of the groups\' findings, with their facts, and any ascending subset (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(finding, { maxLength: 12 }), { maxLength: 6 }), fc.array(fc.boolean(), { maxLength: 80 }), (runs, pick) => {
        const expected = runs.flat().sort(byRuleThenArn);
        const { spool, list } = spooled(runs);
        try {
          expect(list.length).toBe(expected.length);
          expect(allFindings(list)).toEqual(expected);
          expect(facts(list)).toEqual(facts(findingList(expected)));
          const positions = expected.map((_, i) => i).filter((i) => pick[i % Math.max(1, pick.length)] === true);
          expect([...list.read(positions)]).toEqual(positions.map((i) => expected[i]));
          expect(allFindings(subList(list, positions))).toEqual(positions.map((i) => expected[i]));
        } finally {
          spool.close();
        }
        expect(existsSync(spool.dir)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('gives every report, and the terminal summary, the same bytes as the findings in memory (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(finding, { maxLength: 15 }), { maxLength: 4 }), fc.constantFrom(undefined, ['fail' as const, 'suppressed' as const]), (runs, results) => {
        const inMemory = runs.flat().sort(byRuleThenArn);
        const { spool, list } = spooled(runs);
        try {
          for (const format of REPORT_FORMATS) {
            const base = reportInput({ findings: inMemory, ...(results ? { results } : {}) });
            expect(render(format, { ...base, findings: list }), format).toBe(render(format, base));
          }
          const terminal = reportInput({ findings: inMemory });
          expect(renderTerminal({ ...terminal, findings: list }, { color: true })).toBe(renderTerminal(terminal, { color: true }));
        } finally {
          spool.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('reads lines longer than its buffers, and windows far apart', () => {
    const long = (n: number, c: string): Finding => ({ ruleId: 'r', status: 'fail', severity: 'high', resource: { arn: `arn:${c}`, account: '111122223333', region: 'us-east-1', kind: 'vpcEndpoint' }, message: c.repeat(n), evidence: [] });
    const runs = [[long(3 << 20, 'a'), long(10, 'c')], [long(40_000, 'b')], Array.from({ length: 3000 }, (_, i) => long(500, `d${String(i).padStart(5, '0')}`))];
    const expected = runs.flat().sort(byRuleThenArn);
    const { spool, list } = spooled(runs);
    try {
      expect(allFindings(list)).toEqual(expected);
      expect([...list.read([0, 2, 2500, 3002])]).toEqual([0, 2, 2500, 3002].map((i) => expected[i]));
    } finally {
      spool.close();
    }
  });

  it('refuses use after close, and additions after finish, as bugs; an empty spool is an empty list', () => {
    const { spool, list } = spooled([]);
    expect(list.length).toBe(0);
    expect(allFindings(list)).toEqual([]);
    expect(() => spool.add([])).toThrow(/finished spool/);
    spool.close();
    expect(() => [...list.read()]).toThrow(/after their spool was closed/);
    spool.close();
  });

  it('a spool that cannot be made or written is a UserError naming the place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-finding-spool-test-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory\n');
    expect(() => new FindingSpool(file)).toThrow(UserError);
    expect(() => new FindingSpool(file)).toThrow(/a-file: cannot make the directory the findings are kept in.*TMPDIR/);
    rmSync(dir, { recursive: true, force: true });
    // A write that fails (a full disk, a file taken away): its file named, the user's to fix.
    const spool = new FindingSpool();
    closeSync((spool as unknown as { runsFd: number }).runsFd);
    const one = { ruleId: 'r', status: 'fail' as const, severity: 'high' as const, resource: { arn: 'arn:x', account: '111122223333', region: 'us-east-1', kind: 'vpcEndpoint' as const }, message: 'm', evidence: [] };
    expect(() => spool.add([one])).toThrow(UserError);
    expect(() => spool.add([one])).toThrow(/runs\.jsonl: cannot keep the findings here between the evaluation and the reports: .*TMPDIR/);
    (spool as unknown as { runsFd: number | undefined }).runsFd = undefined;
    spool.close();
    expect(existsSync(spool.dir)).toBe(false);
  });
});
