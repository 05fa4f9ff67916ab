// Fuzzing rule files: mutations of every built-in rule file (types, lengths, unicode, control
// characters, YAML anchors and merge keys, deep nesting, CEL that is huge, deep, ill-typed or
// holds hostile regexes) either load or give a UserError naming the file — never an internal
// error, never a hang — and a rule that loads evaluates without throwing.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { UserError } from '../src/errors.js';
import { evaluateRules } from '../src/engine/evaluate.js';
import { loadRuleSet } from '../src/engine/rule-set.js';
import { loadSnapshotFile } from '../src/model/load.js';

const ID = 'fuzzed-rule';
const RULE_FILES = readdirSync('rules.d').filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
const BASES = RULE_FILES.map((f) => ({ ...(parse(readFileSync(join('rules.d', f), 'utf8')) as Record<string, unknown>), id: ID }));
const KEYS = ['id', 'title', 'severity', 'resource', 'description', 'rationale', 'remediation', 'references', 'tags', 'match', 'fail', 'message', 'passMessage', 'evidence', 'escalations'];
const DEMO = loadSnapshotFile('fixtures/demo/snapshot.json');
const SETTINGS = { trustedAccounts: ['111122223333'], trustedOrganizations: ['o-exampleorg1'], pendingAcceptanceMaxDays: 7 };

const root = mkdtempSync(join(tmpdir(), 'linkaudit-fuzz-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u001b[31m', '\u202e', '\ud800', 'é'.repeat(500), 'x'.repeat(20_000), '${x}', '{{x}}', '*', '&a', '!!binary', '? x', '- -', '|', '>-'),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(hostileString, tie('value'), { maxKeys: 4 })),
})).value;

const atom = fc.constantFrom(
  'resource.id', 'resource.tags', 'resource.tags["owner"]', 'resource.state', 'resource.allowedPrincipals', 'resource.nope',
  'config.trustedAccounts', 'config.pendingAcceptanceMaxDays', 'now', '1', '1.5', '-9223372036854775808', '"s"', 'true', 'null', '[1, "a"]', '{"a": 1}', 'b"\\xff"',
  'size(resource.tags)', 'daysSince("x")', 'accountOf(resource.arn)', 'principalTrusted("*", resource.account)', 'timestamp("2020-01-01T00:00:00Z")', 'duration("1h")',
  'resource.id.matches("^(a+)+$")', 'resource.id.matches("a(?=b)")', 'resource.id.matches("(a)\\\\1")', 'resource.id.matches("[")', 'resource.id.matches(resource.id)',
  'resource.tags.exists(k, k.startsWith("a"))', 'resource.allowedPrincipals.all(p, p.principal == "*")', 'cel.bind(x, 1, x + 1)', 'has(resource.privateDns)',
);
const cel = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('expr'), fc.constantFrom(' && ', ' || ', ' == ', ' != ', ' + ', ' - ', ' * ', ' / ', ' % ', ' < ', ' in ', ' ? '), tie('expr')).map(([a, op, b]) => `${a}${op}${b}${op === ' ? ' ? ' : false' : ''}`),
    tie('expr').map((e) => `!(${e})`),
    tie('expr').map((e) => `size(${e})`),
    tie('expr').map((e) => `(${e}).lowerAscii()`),
    tie('expr').map((e) => `[${e}].exists(v, v == ${e})`),
  ),
})).expr;
const hugeCel = fc.oneof(
  fc.integer({ min: 100, max: 5000 }).map((n) => `${'('.repeat(n)}true${')'.repeat(n)}`),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => `${'true && '.repeat(n)}true`),
  fc.integer({ min: 100, max: 5000 }).map((n) => `${'!'.repeat(n)}true`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `resource${'.tags'.repeat(n)} == 1`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `[${'['.repeat(n)}1${']'.repeat(n)}]`),
  fc.integer({ min: 1000, max: 50_000 }).map((n) => `"${'a'.repeat(n)}".matches("^(a+)+$")`),
);

type Mutation = (doc: Record<string, unknown>) => string;
const setKey = (key: string, value: unknown): Mutation => (doc) => stringify({ ...doc, [key]: value });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS), jsonish).map(([k, v]) => setKey(k, v)),
  fc.tuple(fc.constantFrom('match', 'fail', 'message', 'passMessage'), fc.oneof(cel, hugeCel)).map(([k, v]) => setKey(k, v)),
  fc.tuple(fc.nat(20), cel).map(([i, v]) => (doc: Record<string, unknown>) => stringify({ ...doc, escalations: [{ severity: 'critical', description: 'fuzzed', when: v }].slice(0, 1 + (i % 2)) })),
  fc.constantFrom(...KEYS).map((k) => (doc: Record<string, unknown>) => {
    const { [k]: _drop, ...rest } = doc;
    return stringify(rest);
  }),
  fc.tuple(hostileString, jsonish).map(([k, v]) => setKey(k, v)),
  // Text-level: a fragment inserted anywhere, or the file cut short.
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(hostileString, fc.constantFrom('\n', ': ', '\n  - ', '"', "'", '&x ', '*x', '<<: *x\n', '\t', '#'))).map(([at, s]) => (doc: Record<string, unknown>) => {
    const text = stringify(doc);
    const i = Math.floor(at * text.length);
    return text.slice(0, i) + s + text.slice(i);
  }),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => (doc: Record<string, unknown>) => {
    const text = stringify(doc);
    return text.slice(0, Math.floor(at * text.length));
  }),
  // Anchors, aliases and merge keys used as YAML allows (alias bombs are item 18's own test).
  fc.constantFrom(...KEYS).map((k) => (doc: Record<string, unknown>) => `anchors: &shared ${JSON.stringify(doc[k] ?? 'x')}\n${stringify({ ...doc, [k]: '@@ALIAS@@' }).replace(/'?@@ALIAS@@'?/, '*shared')}`),
  fc.constant((doc: Record<string, unknown>) => `base: &base\n  severity: low\n${stringify(doc).replace(/^severity: .*$/m, '<<: *base')}`),
  fc.integer({ min: 50, max: 3000 }).map((n) => (doc: Record<string, unknown>) => `${stringify(doc)}deep: ${'['.repeat(n)}${']'.repeat(n)}\n`),
  fc.integer({ min: 50, max: 2000 }).map((n) => (doc: Record<string, unknown>) => `${stringify(doc)}${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`),
);

let runs = 0;
function check(base: Record<string, unknown>, mutate: Mutation): void {
  const dir = join(root, String(runs++));
  rmSync(dir, { recursive: true, force: true });
  const text = mutate(base);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${ID}.yaml`), text);
  let set: ReturnType<typeof loadRuleSet>;
  try {
    set = loadRuleSet([dir]);
  } catch (err) {
    expect(err, `${(err as Error).stack}\n--- file ---\n${text.slice(0, 2000)}`).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`${ID}.yaml`);
    return;
  }
  const rule = set.rules.filter((r) => r.meta.id === ID);
  expect(rule).toHaveLength(1);
  const findings = evaluateRules(rule, DEMO, SETTINGS, set.runtime.bind).findings;
  for (const f of findings) {
    expect(['fail', 'pass', 'unknown']).toContain(f.status);
    expect(typeof f.message).toBe('string');
  }
}

describe('fuzzed rule files', () => {
  it('every built-in rule file loads unchanged under another id', () => {
    for (const base of BASES) check(base, (doc) => stringify(doc));
  });

  it('load or give a UserError naming the file, never an internal error or a hang', () => {
    fc.assert(fc.property(fc.constantFrom(...BASES), mutation, check), { numRuns: 200 });
  }, 30_000);
});
