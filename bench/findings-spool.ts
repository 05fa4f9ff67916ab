// The findings spool against the findings in memory, side by side: the organization estate of
// bench/org-estate.ts (default 300 accounts x 17 regions) evaluated once, its findings grouped by
// account as a streamed scan hands them over, then the JSON, SARIF and Markdown reports written
// from the array and from the spool, alternately, twice. Prints each phase's time, the ratio
// spool / array per report, and the heap the findings hold either way.
//   npx tsx --expose-gc bench/findings-spool.ts [accounts]
import { buildOrgEstate } from './org-estate.js';
import { loadRuleSet } from '../dist/engine/rule-set.js';
import { evaluateRules } from '../dist/engine/evaluate.js';
import { normalizeSnapshot } from '../dist/model/load.js';
import { FindingSpool } from '../dist/engine/finding-spool.js';
import { decideGate } from '../dist/engine/gate.js';
import { chunks } from '../dist/reporters/index.js';
import type { Finding } from '../src/engine/types.js';
import type { FindingList } from '../src/engine/finding-list.js';
import type { ReportInput } from '../src/reporters/types.js';

const accounts = Number(process.argv[2] ?? 300);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = (): number => {
  gc?.();
  const m = process.memoryUsage();
  // The spool's index is typed arrays, outside the V8 heap.
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};
const seconds = (t0: number): number => (performance.now() - t0) / 1000;

const snapshot = normalizeSnapshot(buildOrgEstate(accounts).snapshot);
const ruleSet = loadRuleSet([]);
let t0 = performance.now();
const evaluated = evaluateRules(ruleSet.rules, snapshot, { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 30 }, ruleSet.runtime.bind).findings;
const base = heapMb();
const plain: Finding[] = evaluated.map((f) => ({ ruleId: f.ruleId, status: f.status, severity: f.severity, resource: f.resource, message: f.message, evidence: f.evidence }));
const arrayMb = heapMb() - base;
console.log(`findings spool benchmark — node ${process.version}; ${accounts} accounts x 17 regions: ${plain.length.toLocaleString('en-US')} findings, evaluated and rendered in ${seconds(t0).toFixed(1)} s`);
const byAccount = new Map<string, Finding[]>();
for (const f of plain) {
  const list = byAccount.get(f.resource.account);
  if (list) list.push(f);
  else byAccount.set(f.resource.account, [f]);
}
const input = (findings: ReportInput['findings']): ReportInput => ({
  tool: { name: 'linkaudit', version: 'bench', informationUri: 'https://example.com' },
  generatedAt: '2026-12-01T00:00:00.000Z',
  snapshot: { schemaVersion: snapshot.schemaVersion, generatedAt: snapshot.generatedAt, source: snapshot.source, scope: snapshot.scope },
  rules: ruleSet.rules.map((r) => r.meta),
  findings,
  coverage: [],
  gate: decideGate(findings, ruleSet.rules, 'none', false),
  sarifCategory: 'linkaudit/bench',
});
const FORMATS = ['json', 'sarif', 'markdown'] as const;
const write = (format: (typeof FORMATS)[number], findings: ReportInput['findings']): number => {
  const start = performance.now();
  let chars = 0;
  for (const c of chunks(format, input(findings))) chars += c.length;
  if (chars === 0) throw new Error(`${format}: empty report`);
  return seconds(start);
};
const totals = { array: new Map<string, number>(), spool: new Map<string, number>() };
const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
let spoolMb = 0;
for (let round = 1; round <= 2; round++) {
  for (const format of FORMATS) add(totals.array, format, write(format, plain));
  const spool = new FindingSpool();
  try {
    t0 = performance.now();
    for (const part of byAccount.values()) spool.add(part);
    add(totals.spool, 'add (write the runs)', seconds(t0));
    t0 = performance.now();
    const list: FindingList = spool.finish();
    add(totals.spool, 'finish (merge)', seconds(t0));
    // Its index: a byte offset (8 bytes), a rule (2) and the facts (1) per finding.
    spoolMb = (list.length * 11 + 8) / 2 ** 20;
    for (const format of FORMATS) add(totals.spool, format, write(format, list));
  } finally {
    spool.close();
  }
}
console.log(`memory the findings hold (heap and array buffers): ${arrayMb.toFixed(0)} MB as an array, ${spoolMb.toFixed(1)} MB as the spool's index (11 bytes per finding)${gc ? '' : ' (run with --expose-gc for exact figures)'}`);
console.log(`${'phase (sum of 2 rounds)'.padEnd(24)} ${'array s'.padStart(8)} ${'spool s'.padStart(8)} ${'ratio'.padStart(6)}`);
for (const [phase, s] of totals.spool) {
  const a = totals.array.get(phase);
  console.log(`${phase.padEnd(24)} ${(a !== undefined ? a.toFixed(2) : '').padStart(8)} ${s.toFixed(2).padStart(8)} ${(a !== undefined ? (s / a).toFixed(2) : '').padStart(6)}`);
}
const sum = (m: Map<string, number>): number => [...m.values()].reduce((x, y) => x + y, 0);
console.log(`all three reports, with the spool's writing and merging: ${(sum(totals.spool) / sum(totals.array)).toFixed(2)} x the array's time`);
