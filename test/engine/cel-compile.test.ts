// Differential tests: the compiled forms of CEL (careful closures, generated fast path) must give
// cel-js's result, or an error where cel-js gives one, on every built-in rule expression over
// real resources and on random expressions over random data.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateFast } from '../../src/engine/cel-codegen.js';
import { compileCel } from '../../src/engine/cel-compile.js';
import { casesFileFor } from '../../src/engine/cases.js';
import { makeContext } from '../../src/engine/evaluate.js';
import { BUILTIN_RULES_DIR, loadRuleSet } from '../../src/engine/rule-set.js';
import { loadSnapshotFile } from '../../src/model/load.js';
import { KIND_COLLECTION, type AnyResource, type ResourceKind } from '../../src/model/types.js';
import { syntheticSnapshot } from '../../bench/synthetic.mjs';
import { validateSnapshot } from '../../src/model/load.js';

const VARIABLES = new Set(['resource', 'config', 'now']);
const { runtime, rules } = loadRuleSet();

type Outcome = { ok: true; value: unknown } | { ok: false };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

const normal = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? 'null');
const same = (a: Outcome, b: Outcome): boolean => a.ok === b.ok && (!a.ok || JSON.stringify(normal((a as { value: unknown }).value)) === JSON.stringify(normal((b as { value: unknown }).value)));

interface Expr {
  rule: string;
  kind: ResourceKind;
  text: string;
}

const expressions: Expr[] = readdirSync(BUILTIN_RULES_DIR)
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))
  .flatMap((f) => {
    const d = parse(readFileSync(`${BUILTIN_RULES_DIR}/${f}`, 'utf8')) as Record<string, unknown> & { escalations?: Array<{ when: string }> };
    return [d.match, d.fail, d.message, d.passMessage, ...(d.escalations ?? []).map((e) => e.when)]
      .filter((x): x is string => typeof x === 'string')
      .map((text) => ({ rule: String(d.id), kind: d.resource as ResourceKind, text }));
  });

function caseResources(kind: ResourceKind): AnyResource[] {
  const out: AnyResource[] = [];
  for (const rule of rules.filter((r) => r.meta.resource === kind)) {
    const doc = parse(readFileSync(casesFileFor(rule), 'utf8')) as { base?: Record<string, unknown>; cases: Array<{ resource?: Record<string, unknown> }> };
    for (const c of doc.cases) {
      const r: Record<string, unknown> = { ...doc.base, ...c.resource };
      for (const [k, v] of Object.entries(r)) if (v === null) delete r[k];
      out.push(r as unknown as AnyResource);
    }
  }
  return out;
}

const demo = loadSnapshotFile('fixtures/demo/snapshot.json');
const synthetic = validateSnapshot(syntheticSnapshot({ accounts: 4, regions: 2, resources: 3000, seed: 20261122 }), 'synthetic');
const settings = { trustedAccounts: ['111122223333', '444455556666'], trustedOrganizations: ['o-exampleorg1'], pendingAcceptanceMaxDays: 7 };

describe('compiled CEL agrees with cel-js on every built-in rule expression', () => {
  it('compiles every built-in expression (no fallback to the interpreter)', () => {
    for (const e of expressions) {
      const ast = runtime.evalEnv.parse(e.text).ast;
      expect(compileCel(ast, runtime.helpers, VARIABLES), `${e.rule}: ${e.text}`).toBeDefined();
      expect(generateFast(ast, runtime.helpers, VARIABLES), `${e.rule}: ${e.text}`).toBeDefined();
    }
  });

  for (const [name, snapshot] of [['demo estate', demo], ['synthetic estate', synthetic]] as const) {
    it(`over the ${name} and every rule case`, () => {
      const ctx = makeContext(snapshot, settings);
      runtime.bind(ctx);
      const config = { trustedAccounts: settings.trustedAccounts, trustedOrganizations: settings.trustedOrganizations, pendingAcceptanceMaxDays: 7n };
      let compared = 0;
      for (const e of expressions) {
        const parsed = runtime.evalEnv.parse(e.text);
        const careful = compileCel(parsed.ast, runtime.helpers, VARIABLES)!;
        const fast = generateFast(parsed.ast, runtime.helpers, VARIABLES)!;
        const resources = [...(snapshot[KIND_COLLECTION[e.kind]] as AnyResource[]), ...caseResources(e.kind)];
        for (const resource of resources) {
          const vars = { resource, config, now: ctx.now };
          const reference = outcome(() => parsed(vars));
          const got = outcome(() => careful(vars));
          expect(same(got, reference), `${e.rule} on ${resource.arn}: ${e.text}\ncel-js ${JSON.stringify(normal(reference))}, careful ${JSON.stringify(normal(got))}`).toBe(true);
          const quick = outcome(() => fast(vars));
          // The fast path may throw where CEL absorbs an error (the careful path then answers),
          // but whenever it answers, it answers as CEL does.
          if (quick.ok) expect(same(quick, reference), `${e.rule} on ${resource.arn}: ${e.text}`).toBe(true);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(1000);
    });
  }
});

describe('compiled CEL agrees with cel-js on random expressions', () => {
  const FIELDS = ['name', 'state', 'flag', 'tags', 'items', 'count', 'nested'];
  const value = fc.oneof(
    fc.constantFrom('Available', 'available', 'PENDING', '*', '', 'https://x', 'héllo'),
    fc.boolean(),
    fc.constantFrom(0, 1, 2.5, -3),
    fc.array(fc.constantFrom('a', '*', 'B', 'available'), { maxLength: 3 }),
    fc.constant(null),
    fc.dictionary(fc.constantFrom('k', 'state', 'flag'), fc.constantFrom('x', 'Available', true as unknown as string), { maxKeys: 2 }),
  );
  const resource = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 });

  const expr: fc.Memo<string> = fc.memo((depth) => {
    const field = fc.constantFrom(...FIELDS).map((f) => `resource.${f}`);
    const lit = fc.constantFrom('"available"', '"*"', '"https://"', '1', '2', '0', 'true', 'false', 'null', '2.5', '["a", "*"]', '["available", "pending"]');
    const leaf = fc.oneof(field, lit, fc.constant('x'));
    if (depth <= 1) return leaf;
    const sub = expr(depth - 1);
    return fc.oneof(
      leaf,
      fc.tuple(sub, fc.constantFrom('&&', '||', '==', '!=', '<', '>=', '+', 'in'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`),
      sub.map((a) => `!(${a})`),
      sub.map((a) => `size(${a})`),
      sub.map((a) => `(${a}).lowerAscii()`),
      fc.tuple(sub, sub).map(([a, b]) => `(${a}).startsWith(${b})`),
      fc.tuple(sub, sub, sub).map(([c, a, b]) => `((${c}) ? (${a}) : (${b}))`),
      fc.constantFrom(...FIELDS).map((f) => `has(resource.${f})`),
      fc.tuple(fc.constantFrom('exists', 'all', 'filter', 'map', 'exists_one'), sub).map(([m, body]) => `resource.items.${m}(x, ${body})`),
      fc.tuple(sub, fc.constantFrom('"available"', '"*"')).map(([a, lit]) => `(${a}).lowerAscii() == ${lit}`),
      sub.map((a) => `(${a}).lowerAscii() in ["available", "pending"]`),
      sub.map((a) => `size(${a}) < 2`),
    );
  });

  it('careful closures and fast path match the interpreter', () => {
    fc.assert(
      fc.property(expr(4), resource, (text, res) => {
        let parsed: ReturnType<typeof runtime.evalEnv.parse>;
        try {
          parsed = runtime.evalEnv.parse(text);
        } catch {
          return; // not valid CEL: nothing to compare
        }
        // Rules are type-checked when loaded; an ill-typed expression (a string operand of ||)
        // never reaches evaluation, and cel-js rejects some of those at run time regardless of
        // the other operand. Compare only what could be a rule.
        if (!runtime.evalEnv.check(text).valid) return;
        const vars = { resource: res, config: {}, now: new Date(0) };
        const reference = outcome(() => parsed(vars));
        const careful = compileCel(parsed.ast, runtime.helpers, VARIABLES);
        if (careful) expect(same(outcome(() => careful(vars)), reference), `${text} on ${JSON.stringify(res)}`).toBe(true);
        const fast = generateFast(parsed.ast, runtime.helpers, VARIABLES);
        const quick = fast && outcome(() => fast(vars));
        if (quick?.ok) expect(same(quick, reference), `fast: ${text} on ${JSON.stringify(res)}`).toBe(true);
      }),
      { numRuns: 3000, seed: 20261122 },
    );
  });
});
