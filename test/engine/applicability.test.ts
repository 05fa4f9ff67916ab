// Applicability comes before readability: a rule that does not apply gives no result, whatever
// could not be read; a match that needs an unreadable field to decide is unknown, never "n/a".
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { casesFileFor, hasCases, runRuleCases, type CaseOutcome } from '../../src/engine/cases.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import { ruleKinds, type Finding, type Rule, type RuleSettings } from '../../src/engine/types.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { ResourceKind } from '../../src/model/types.js';
import { emptySnapshot, endpointService } from '../helpers/snapshot.js';

const ruleSet = loadRuleSet();
const rule = (id: string): Rule => {
  const r = ruleSet.rules.find((x) => x.meta.id === id);
  if (!r) throw new Error(id);
  return r;
};
const noTrust: RuleSettings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
const trust: RuleSettings = { ...noTrust, trustedAccounts: ['444455556666'] };
const run = (rules: Rule[], snapshot: object, settings: RuleSettings): Finding[] =>
  evaluateRules(rules, validateSnapshot(snapshot, 'test'), settings, ruleSet.runtime.bind).findings;

const unreadablePrincipals = endpointService('vpce-svc-0a', {
  allowedPrincipals: [],
  unreadable: [{ field: 'allowedPrincipals', operation: 'DescribeVpcEndpointServicePermissions', errorCode: 'AccessDenied' }],
});

describe('a rule whose match depends on the settings', () => {
  it('endpoint-service-untrusted-principal with no trust list gives no result when permissions are unreadable', () => {
    expect(run([rule('endpoint-service-untrusted-principal')], emptySnapshot({ endpointServices: [unreadablePrincipals] }), noTrust)).toEqual([]);
  });

  it('endpoint-service-untrusted-principal with a trust list is unknown when permissions are unreadable', () => {
    const [f] = run([rule('endpoint-service-untrusted-principal')], emptySnapshot({ endpointServices: [unreadablePrincipals] }), trust);
    expect(f?.status).toBe('unknown');
  });

  const listingGap = emptySnapshot({
    coverage: [{ account: '111122223333', region: 'us-east-1', resourceKinds: ['endpointService'], service: 'ec2', operation: 'DescribeVpcEndpointServiceConfigurations', errorCode: 'AccessDenied', message: 'denied' }],
  });

  it('gives no listing unknown when it does not apply under the settings', () => {
    expect(run([rule('endpoint-service-untrusted-principal')], listingGap, noTrust)).toEqual([]);
  });

  it('still gives a listing unknown when it applies under the settings', () => {
    expect(run([rule('endpoint-service-untrusted-principal')], listingGap, trust).map((f) => f.status)).toEqual(['unknown']);
  });
});

// Each built-in rule with a match, through its own cases file with fields marked unreadable.
const withMatch = ruleSet.rules.filter((r) => r.applies && hasCases(r));

interface CasesDoc {
  base?: Record<string, unknown>;
  cases: Array<{ name: string; expect: string; resource?: Record<string, unknown>; kind?: ResourceKind }>;
}

/** The rule's cases that `pick` chooses, with those fields unreadable, expecting `expect` (or as written). */
function runWithUnreadable(r: Rule, pick: (c: CasesDoc['cases'][number]) => string[] | undefined, expect?: 'unknown'): CaseOutcome[] {
  const doc = parse(readFileSync(casesFileFor(r), 'utf8')) as CasesDoc;
  const cases = doc.cases.flatMap((c) => {
    const fields = pick(c);
    if (!fields) return [];
    const resource = { ...doc.base, ...c.resource } as Record<string, unknown>;
    const prior = (Array.isArray(resource.unreadable) ? resource.unreadable : []) as unknown[];
    const unreadable = [...prior, ...fields.map((field) => ({ field, operation: 'DescribeThings', errorCode: 'AccessDenied' }))];
    const { message: _m, severity: _s, ...rest } = c as typeof c & { message?: string; severity?: string };
    return [{ ...(expect ? { ...rest, expect } : c), resource: { ...c.resource, unreadable } }];
  });
  if (cases.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-applies-'));
  const file = join(dir, basename(casesFileFor(r)));
  writeFileSync(file, stringify({ ...doc, cases }));
  return runRuleCases(r, ruleSet.runtime, file);
}

const fieldsOf = (r: Rule): string[] => [...ruleSet.runtime.fieldsOf(ruleKinds(r.meta)[0] as ResourceKind)].filter((f) => f !== 'unreadable');

describe('every built-in rule with a match', () => {
  it('has rules to check (the family is not empty)', () => {
    expect(withMatch.map((r) => r.meta.id)).toEqual(expect.arrayContaining(['endpoint-service-untrusted-principal', 'endpoint-service-private-dns-unverified', 'host-predates-vpc-webhooks']));
  });

  for (const r of withMatch) {
    const others = fieldsOf(r).filter((f) => !r.matchFields?.has(f));
    it(`${r.meta.id}: a resource it does not apply to gives no result whatever fields the match does not read are unreadable`, () => {
      fc.assert(
        fc.property(fc.subarray(others), (fields) => {
          const outcomes = runWithUnreadable(r, (c) => (c.expect === 'not-applicable' ? fields : undefined));
          for (const o of outcomes) expect(o, JSON.stringify(o)).toMatchObject({ ok: true });
        }),
        { numRuns: 15 },
      );
    });

    const matchFields = fieldsOf(r).filter((f) => r.matchFields?.has(f));
    if (matchFields.length === 0) continue;
    it(`${r.meta.id}: an unreadable field its match needs makes an applicable resource unknown, never "does not apply" (its match is a conjunction)`, () => {
      fc.assert(
        fc.property(fc.subarray(matchFields, { minLength: 1 }), (fields) => {
          const doc = parse(readFileSync(casesFileFor(r), 'utf8')) as CasesDoc;
          const applicable = doc.cases.filter((c) => c.expect !== 'not-applicable').map((c) => c.name);
          const outcomes = runWithUnreadable(r, (c) => (c.expect !== 'not-applicable' ? fields : undefined), 'unknown');
          expect(outcomes.map((o) => o.name)).toEqual(applicable);
          for (const o of outcomes) expect(o, JSON.stringify(o)).toMatchObject({ ok: true });
        }),
        { numRuns: 10 },
      );
    });
  }
});
