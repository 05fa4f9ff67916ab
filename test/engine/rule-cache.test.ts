// The build's form of the built-in rules (dist/rules.d.json): the same rules as compiling the YAML,
// used only while a rule file's text is what the build compiled, and never required.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_CACHE, BUILTIN_RULES_DIR, loadRuleSet } from '../../src/engine/rule-set.js';
import { createCelRuntime } from '../../src/engine/cel.js';
import { compileYamlRule, precompileRule } from '../../src/engine/yaml-rule.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadSnapshotFile } from '../../src/model/load.js';
import { UserError } from '../../src/errors.js';

const settings = { trustedAccounts: ['444455556666'], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };

function findingsOf(precompiled: boolean): unknown[] {
  const rs = loadRuleSet([], { precompiled });
  const out = evaluateRules(rs.rules, loadSnapshotFile('fixtures/demo/snapshot.json'), settings, rs.runtime.bind);
  return out.findings.map((f) => ({ rule: f.ruleId, arn: f.resource.arn, status: f.status, severity: f.severity, message: f.message, evidence: f.evidence }));
}

describe('built-in rule cache', () => {
  it('exists after the build and holds every built-in YAML rule', () => {
    expect(existsSync(BUILTIN_RULES_CACHE)).toBe(true);
    const cache = JSON.parse(readFileSync(BUILTIN_RULES_CACHE, 'utf8')) as { rules: Record<string, unknown> };
    const files = readdirSync(BUILTIN_RULES_DIR).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
    expect(Object.keys(cache.rules).sort()).toEqual(files.sort());
  });

  it('gives the same rules, results, messages and evidence as compiling the YAML', () => {
    const a = loadRuleSet([], { precompiled: true });
    const b = loadRuleSet([], { precompiled: false });
    expect(a.rules.map((r) => [r.meta, r.source, [...r.fields].sort(), r.matchFields ? [...r.matchFields].sort() : null])).toEqual(
      b.rules.map((r) => [r.meta, r.source, [...r.fields].sort(), r.matchFields ? [...r.matchFields].sort() : null]),
    );
    const cached = findingsOf(true);
    expect(cached.length).toBeGreaterThan(50);
    expect(cached).toEqual(findingsOf(false));
  });

  it('an entry whose text differs from the file is not used: the file is compiled as it now reads', () => {
    const file = join(BUILTIN_RULES_DIR, 'endpoint-service-single-az.yaml');
    const text = readFileSync(file, 'utf8');
    const runtime = createCelRuntime();
    const pre = precompileRule('rules.d/endpoint-service-single-az.yaml', text, runtime);
    // The edited file has a type error: compiling it must say so, not run the cached form.
    const edited = text.replace(/^fail: .*$/m, 'fail: resource.availabilityZones + 1');
    expect(edited).not.toBe(text);
    expect(() => compileYamlRule('rules.d/endpoint-service-single-az.yaml', edited, runtime, pre)).toThrow(UserError);
    // And an edit that compiles is judged by its new expression, not the cached one.
    const flipped = text.replace(/^fail: size\(resource\.availabilityZones\) < 2$/m, 'fail: size(resource.availabilityZones) >= 2');
    expect(flipped).not.toBe(text);
    const snapshot = loadSnapshotFile('fixtures/demo/snapshot.json');
    const statuses = (t: string): string[] =>
      evaluateRules([compileYamlRule('rules.d/endpoint-service-single-az.yaml', t, runtime, pre)], snapshot, settings, runtime.bind).findings.map((f) => f.status);
    const before = statuses(text);
    const after = statuses(flipped);
    expect(before).toContain('fail');
    expect(after).toEqual(before.map((s) => (s === 'fail' ? 'pass' : s === 'pass' ? 'fail' : s)));
  });

  it('a rules directory that is not the built-ins never uses the cache, even with the same file names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-rule-cache-'));
    const name = 'endpoint-service-single-az.yaml';
    copyFileSync(join(BUILTIN_RULES_DIR, name), join(dir, name));
    // Loaded as a user pack beside the built-ins, the same id is a duplicate: read, not skipped.
    expect(() => loadRuleSet([dir])).toThrow(/duplicate rule id "endpoint-service-single-az"/);
  });
});
