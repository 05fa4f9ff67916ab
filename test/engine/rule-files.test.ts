// Bad rule files: each gives one UserError naming file:line:col and what is wrong.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadRuleSet, selectRules } from '../../src/engine/rule-set.js';
import { ruleYaml } from '../helpers/rules.js';


function pack(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-rules-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function loadError(files: Record<string, string>): string {
  const dir = pack(files);
  try {
    loadRuleSet([dir]);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message.replace(dir + '/', '').replace(/^.*?linkaudit-rules-[^/]+\//, '');
  }
  throw new Error('expected the pack to be rejected');
}

const good = ruleYaml;

describe('rule files', () => {
  it('loads a valid user rule beside the built-ins', () => {
    const dir = pack({ 'my-single-az.yaml': good('my-single-az') });
    const { rules } = loadRuleSet([dir]);
    expect(rules.map((r) => r.meta.id)).toContain('my-single-az');
    expect(rules.find((r) => r.meta.id === 'my-single-az')?.fields).toEqual(new Set(['availabilityZones']));
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(loadError({ 'bad-yaml.yaml': good('bad-yaml') + 'tags: [a, b\n' })).toMatch(/^bad-yaml\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('reports an unknown field at its key', () => {
    expect(loadError({ 'extra-field.yaml': good('extra-field') + 'colour: red\n' })).toBe('extra-field.yaml:13:1: /colour: unknown field "colour"');
  });

  it('reports a bad severity with the allowed values', () => {
    expect(loadError({ 'bad-sev.yaml': good('bad-sev', (s) => s.replace('severity: low', 'severity: urgent')) })).toBe(
      'bad-sev.yaml:3:11: /severity: expected one of "critical", "high", "medium", "low", "info", got "urgent"',
    );
  });

  it('requires the id to equal the file name', () => {
    expect(loadError({ 'file-name.yaml': good('other-name') })).toBe('file-name.yaml:1:5: rule id "other-name" must equal the file name "file-name"');
  });

  it('an alias before its anchor is a UserError naming the file, not an internal error (found by test/fuzz-rules.test.ts)', () => {
    expect(loadError({ 'early-alias.yaml': `<<: *x\n${good('early-alias')}` })).toBe('early-alias.yaml:1:5: YAML alias *x is used before its anchor &x is set');
  });

  it('an expression nested deeper than the compilers can take (a long && chain) is refused at load (found by test/fuzz-rules.test.ts)', () => {
    const chain = `${'true && '.repeat(3000)}true`;
    expect(loadError({ 'long-chain.yaml': good('long-chain', (s) => s.replace('fail: size(resource.availabilityZones) < 2', `fail: ${chain}`)) })).toMatch(
      /^long-chain\.yaml:11:7: \/fail: expression nests 3001 levels deep, more than 250/,
    );
  });

  it('reports a CEL syntax error at its place in the file', () => {
    const msg = loadError({ 'cel-syntax.yaml': good('cel-syntax', (s) => s.replace('fail: size(resource.availabilityZones) < 2', 'fail: size(resource.availabilityZones) < < 2')) });
    expect(msg).toBe('cel-syntax.yaml:11:42: /fail: CEL syntax error: Unexpected token: LT');
  });

  it('reports a CEL error inside a block scalar at the right line', () => {
    const msg = loadError({
      'cel-block.yaml': good('cel-block', (s) => s.replace('fail: size(resource.availabilityZones) < 2', 'fail: |\n  size(resource.availabilityZones) < 2 &&\n    resource.nope')),
    });
    expect(msg).toBe('cel-block.yaml:13:14: /fail: CEL type error: No such key: nope');
  });

  it('reports a misspelt model field as a CEL type error', () => {
    const msg = loadError({ 'cel-field.yaml': good('cel-field', (s) => s.replace('size(resource.availabilityZones)', 'size(resource.availabilityZone)')) });
    expect(msg).toBe('cel-field.yaml:11:21: /fail: CEL type error: No such key: availabilityZone');
  });

  it('refuses a fail expression that is not bool', () => {
    expect(loadError({ 'not-bool.yaml': good('not-bool', (s) => s.replace('fail: size(resource.availabilityZones) < 2', 'fail: resource.id')) })).toBe(
      'not-bool.yaml:11:7: /fail: expected a CEL bool expression, this one gives string',
    );
  });

  it('refuses evidence paths that are not model fields', () => {
    expect(loadError({ 'bad-evidence.yaml': good('bad-evidence') + 'evidence: [zones]\n' })).toBe(
      'bad-evidence.yaml:13:12: /evidence/0: "zones" is not a field of endpointService',
    );
  });

  it('refuses a user rule that reuses a built-in id', () => {
    expect(loadError({ 'host-not-available.yaml': good('host-not-available') })).toMatch(
      /^host-not-available\.yaml: duplicate rule id "host-not-available" \(already defined in .*rules\.d\/host-not-available\.yaml\)$/,
    );
  });

  it('refuses duplicate ids across two packs', () => {
    const a = pack({ 'twice.yaml': good('twice') });
    const b = pack({ 'twice.yaml': good('twice') });
    expect(() => loadRuleSet([a, b])).toThrow(/duplicate rule id "twice"/);
  });

  it('refuses a missing or empty rules directory', () => {
    expect(() => loadRuleSet(['/nonexistent/rules'])).toThrow(/rules directory not found/);
    const empty = mkdtempSync(join(tmpdir(), 'linkaudit-empty-'));
    mkdirSync(join(empty, 'sub'));
    expect(() => loadRuleSet([empty])).toThrow(/no rule files/);
  });
});

describe('rule selection', () => {
  const { rules } = loadRuleSet();
  it('keeps --only and drops --skip', () => {
    expect(selectRules(rules, ['host-not-available'], []).map((r) => r.meta.id)).toEqual(['host-not-available']);
    expect(selectRules(rules, [], ['host-not-available']).map((r) => r.meta.id)).not.toContain('host-not-available');
  });
  it('refuses unknown ids, suggesting close ones', () => {
    expect(() => selectRules(rules, ['host-not-availble'], [])).toThrow('--only: unknown rule "host-not-availble"; did you mean host-not-available?');
    expect(() => selectRules(rules, [], ['nope'])).toThrow(/--skip: unknown rule "nope"/);
  });
});

describe('TypeScript rules', () => {
  const meta = {
    id: 'ts-example-rule',
    title: 'An example TypeScript rule for tests',
    severity: 'low' as const,
    resource: 'host' as const,
    description: 'Fails every host; exists to test the TypeScript rule path.',
    rationale: 'TypeScript rules share the metadata schema with YAML rules.',
    remediation: { text: 'Nothing to do: this rule only exists in a test.' },
    references: ['https://docs.aws.amazon.com/dtconsole/latest/userguide/welcome-connections.html'],
    tags: ['test'],
  };
  const rule = { meta, source: 'src/rules/ts-example-rule.ts', fields: new Set(['name']), evaluate: () => ({ status: 'fail' as const, detail: { message: 'x', evidence: [] } }) };

  it('load beside the YAML rules when their metadata is valid', () => {
    expect(loadRuleSet([], { typescript: [rule] }).rules.map((r) => r.meta.id)).toContain('ts-example-rule');
  });

  it('are refused with the place of invalid metadata', () => {
    expect(() => loadRuleSet([], { typescript: [{ ...rule, meta: { ...meta, severity: 'urgent' as 'low' } }] })).toThrow(
      'src/rules/ts-example-rule.ts: invalid rule metadata at /severity: expected one of "critical", "high", "medium", "low", "info", got "urgent"',
    );
  });

  it('may not reuse a YAML rule id', () => {
    expect(() => loadRuleSet([], { typescript: [{ ...rule, meta: { ...meta, id: 'host-not-available' } }] })).toThrow(/duplicate rule id "host-not-available"/);
  });
});
