// The meta-test: every rule, built-in YAML or TypeScript, is found in one place with valid metadata,
// cases for fail, pass and unknown that all hold, and an up-to-date docs page. Rules and cases are
// discovered, never listed by hand.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { casesFileFor, runRuleCases } from '../src/engine/cases.js';
import { loadRuleSet } from '../src/engine/rule-set.js';
import { ruleKinds } from '../src/engine/types.js';
import { ruleMarkdown } from '../src/docs/rule-markdown.js';
import { ruleIndexMarkdown } from '../src/docs/rule-index.js';
import { validator } from '../src/schema/validate.js';
import { YamlSource } from '../src/io/yaml-source.js';

const ruleSet = loadRuleSet();

describe('built-in rules', () => {
  it('exist', () => {
    expect(ruleSet.rules.length).toBeGreaterThanOrEqual(13);
  });

  it('include every rule id that users and configs depend on', () => {
    const ids = ruleSet.rules.map((r) => r.meta.id);
    for (const id of [
      'endpoint-service-allows-any-principal',
      'endpoint-service-untrusted-principal',
      'endpoint-service-acceptance-disabled',
      'endpoint-service-private-dns-unverified',
      'endpoint-service-no-notifications',
      'endpoint-service-stale-pending-connection',
      'endpoint-service-single-az',
      'interface-endpoint-private-dns-disabled',
      'interface-endpoint-policy-allows-all',
      'host-predates-vpc-webhooks',
      'host-not-available',
      'host-endpoint-not-https',
      'connection-not-available',
      'connection-unused',
      'pipeline-connection-missing',
      'pipeline-connection-not-available',
      'pipeline-github-oauth-source',
      'pipeline-clone-ref-without-codebuild',
      'pipeline-code-zip-git-usage',
      'pipeline-pr-trigger-any-branch',
      'codebuild-token-source-credential',
      'codebuild-source-url-credentials',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('have the docs index up to date', () => {
    const index = readFileSync('docs/rules/README.md', 'utf8');
    expect(index, 'run npm run docs').toBe(ruleIndexMarkdown(ruleSet.rules.map((r) => r.meta)));
  });
});

describe.each(ruleSet.rules.map((r) => [r.meta.id, r] as const))('rule %s', (id, rule) => {
  it('has an id equal to its file name', () => {
    expect(basename(rule.source).replace(/\.(yaml|ts)$/, '')).toBe(id);
  });

  it('has valid metadata', () => {
    const validate = validator('rule');
    for (const kind of ruleKinds(rule.meta)) {
      const ok = validate({ ...rule.meta, resource: kind, fail: 'false', message: '""' });
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('has a docs page generated from its metadata', () => {
    const page = `docs/rules/${id}.md`;
    expect(existsSync(page), `${page} missing: run npm run docs`).toBe(true);
    expect(readFileSync(page, 'utf8'), `${page} is stale: run npm run docs`).toBe(ruleMarkdown(rule.meta, rule.source));
  });

  const casesFile = casesFileFor(rule);
  it('has a cases file with fail, pass and unknown cases', () => {
    expect(existsSync(casesFile), `${casesFile} missing`).toBe(true);
    const doc = new YamlSource(casesFile, readFileSync(casesFile, 'utf8')).data as { cases: Array<{ expect: string }> };
    const kinds = new Set(doc.cases.map((c) => c.expect));
    for (const k of ['fail', 'pass', 'unknown']) expect(kinds, `${casesFile} needs a ${k} case`).toContain(k);
  });

  if (existsSync(casesFile)) {
    const outcomes = runRuleCases(rule, ruleSet.runtime);
    it.each(outcomes.map((o) => [o.name, o] as const))('case: %s', (_name, outcome) => {
      expect(outcome.detail ?? 'ok').toBe('ok');
      expect(outcome.ok).toBe(true);
    });
  }
});
