import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { evaluateRules } from '../src/engine/evaluate.js';
import { loadRuleSet, type RuleSet } from '../src/engine/rule-set.js';
import { ruleKinds, type Finding, type RuleSettings, type Status } from '../src/engine/types.js';
import { loadSnapshotFile, validateSnapshot } from '../src/model/load.js';
import type { Snapshot } from '../src/model/types.js';

// The demo estate (fixtures/demo) is the project's showcase: every built-in rule must both fail and
// pass somewhere in it, and it must show coverage gaps as unknowns. A new rule without a demo
// resource that exercises it fails here.

const DEMO = fileURLToPath(new URL('../fixtures/demo/', import.meta.url));
const SNAPSHOT = `${DEMO}snapshot.json`;
const CONFIG = `${DEMO}.linkaudit.yaml`;

let ruleSet: RuleSet;
let snapshot: Snapshot;
let settings: RuleSettings;
let findings: Finding[];

const evaluate = (snap: Snapshot): Finding[] => evaluateRules(ruleSet.rules, snap, settings, ruleSet.runtime.bind).findings;
const of = (ruleId: string, status?: Status): Finding[] =>
  findings.filter((f) => f.ruleId === ruleId && (status === undefined || f.status === status));

beforeAll(() => {
  ruleSet = loadRuleSet();
  snapshot = loadSnapshotFile(SNAPSHOT);
  const config = loadConfig(CONFIG);
  settings = {
    trustedAccounts: config.trustedAccounts,
    trustedOrganizations: config.trustedOrganizations,
    pendingAcceptanceMaxDays: config.pendingAcceptanceMaxDays,
  };
  findings = evaluate(snapshot);
});

describe('demo estate', () => {
  it('uses the documented configuration', () => {
    expect(settings).toEqual({
      trustedAccounts: ['111122223333', '444455556666'],
      trustedOrganizations: ['o-exampleorg1'],
      pendingAcceptanceMaxDays: 7,
    });
  });

  it('is a two-account, two-region snapshot with a realistic number of resources', () => {
    expect(snapshot.scope.accounts).toEqual(['111122223333', '444455556666']);
    expect(snapshot.scope.regions).toEqual(['us-east-1', 'eu-west-1']);
    const total =
      snapshot.connections.length +
      snapshot.hosts.length +
      snapshot.vpcEndpoints.length +
      snapshot.endpointServices.length +
      snapshot.iamUsers.length +
      snapshot.iamGroups.length +
      snapshot.iamRoles.length +
      snapshot.iamPolicies.length;
    expect(total).toBeGreaterThanOrEqual(60);
    expect(total).toBeLessThanOrEqual(120);
  });

  it('has at least one built-in rule', () => {
    expect(ruleSet.rules.length).toBeGreaterThan(0);
  });

  it('gives every built-in rule at least one fail and one pass', () => {
    const missing: string[] = [];
    for (const rule of ruleSet.rules) {
      const id = rule.meta.id;
      if (of(id, 'fail').length === 0) missing.push(`${id}: no fail`);
      if (of(id, 'pass').length === 0) missing.push(`${id}: no pass`);
    }
    expect(missing).toEqual([]);
  });

  it('exercises each IAM rule with a fail, a pass and an unknown, each naming its evidence', () => {
    for (const id of ['iam-useconnection-overbroad', 'iam-passconnection-overbroad', 'iam-connection-admin-overbroad']) {
      for (const status of ['fail', 'pass', 'unknown'] as const) expect(of(id, status).length, `${id} ${status}`).toBeGreaterThan(0);
      for (const f of of(id, 'fail')) {
        expect(f.message, id).toMatch(/statement \d+/);
        expect(f.message, id).toContain('SCPs');
        expect(f.evidence.length, id).toBeGreaterThan(0);
      }
      for (const f of of(id, 'unknown')) expect(f.message, id).toContain('not in the IAM catalogue');
    }
    const status = (id: string, arn: string): Status | undefined => of(id).find((f) => f.resource.arn === arn)?.status;
    // PowerUserAccess reaches connections through NotAction.
    expect(status('iam-useconnection-overbroad', 'arn:aws:iam::444455556666:role/service-role/sandbox-builder')).toBe('fail');
    // ForAllValues on ProviderAction scopes UseConnection but not PassConnection, whose requests lack the key.
    expect(status('iam-useconnection-overbroad', 'arn:aws:iam::111122223333:role/code-review-bot')).toBe('pass');
    expect(status('iam-passconnection-overbroad', 'arn:aws:iam::111122223333:role/code-review-bot')).toBe('fail');
    // AdministratorAccess under a Deny outside release-tagged connections: use is scoped, administration is not.
    expect(status('iam-useconnection-overbroad', 'arn:aws:iam::111122223333:role/release-automation')).toBe('pass');
    expect(status('iam-connection-admin-overbroad', 'arn:aws:iam::111122223333:role/release-automation')).toBe('fail');
  });

  it('evaluates without rule errors', () => {
    expect(findings.filter((f) => f.message.startsWith('Rule error'))).toEqual([]);
  });

  it('escalates an endpoint service open to everyone without acceptance to critical', () => {
    const critical = of('endpoint-service-acceptance-disabled', 'fail').filter((f) => f.severity === 'critical');
    expect(critical.length).toBeGreaterThanOrEqual(1);
    // Acceptance off with named principals stays at the rule's own severity.
    expect(of('endpoint-service-acceptance-disabled', 'fail').some((f) => f.severity === 'medium')).toBe(true);
  });

  it('rates a CodeConnections API endpoint without private DNS high', () => {
    const fails = of('interface-endpoint-private-dns-disabled', 'fail');
    expect(fails.some((f) => f.severity === 'high')).toBe(true);
    expect(fails.some((f) => f.severity === 'medium')).toBe(true);
  });

  it('reports the unreadable endpoint-service listing as one scope unknown per endpoint-service rule', () => {
    const scope = 'arn:aws:ec2:eu-west-1:444455556666:vpc-endpoint-service/*';
    const unknowns = findings.filter((f) => f.status === 'unknown');
    expect(unknowns.length).toBeGreaterThan(0);
    const endpointServiceRules = ruleSet.rules.filter((r) => ruleKinds(r.meta).includes('endpointService')).map((r) => r.meta.id);
    expect(endpointServiceRules.length).toBeGreaterThan(0);
    for (const id of endpointServiceRules) {
      const hits = of(id, 'unknown').filter((f) => f.resource.arn === scope);
      expect(hits, id).toHaveLength(1);
      expect(hits[0]?.message).toContain('DescribeVpcEndpointServiceConfigurations');
      expect(hits[0]?.message).toContain('UnauthorizedOperation');
    }
    // No endpoint service of that account and region is listed: the gap is the whole listing.
    expect(snapshot.endpointServices.filter((s) => s.account === '444455556666' && s.region === 'eu-west-1')).toEqual([]);
  });

  it('reports unreadable connection notifications as field-level unknowns', () => {
    const fieldUnknowns = of('endpoint-service-no-notifications', 'unknown').filter((f) => !f.resource.arn.endsWith('/*'));
    expect(fieldUnknowns.length).toBeGreaterThan(0);
    for (const f of fieldUnknowns) {
      expect(f.resource.account).toBe('111122223333');
      expect(f.resource.region).toBe('us-east-1');
      expect(f.message).toContain('connectionNotifications');
      expect(f.message).toContain('AccessDenied');
    }
    // Every endpoint service of 111122223333/us-east-1 is affected, and nothing else is.
    const affected = snapshot.endpointServices
      .filter((s) => s.account === '111122223333' && s.region === 'us-east-1')
      .map((s) => s.arn)
      .sort();
    expect(fieldUnknowns.map((f) => f.resource.arn).sort()).toEqual(affected);
    // The field gap does not hide the rules that do not read that field.
    for (const arn of affected) {
      expect(findings.filter((f) => f.resource.arn === arn && f.ruleId === 'endpoint-service-single-az')[0]?.status).not.toBe('unknown');
    }
  });

  it('is deterministic: the same findings twice, and regardless of the order resources are listed in', () => {
    const once = JSON.stringify(findings);
    expect(JSON.stringify(evaluate(loadSnapshotFile(SNAPSHOT)))).toBe(once);

    // Every top-level array of the snapshot reversed (collections, coverage, organizations, scope),
    // then read as a file would be. Arrays inside a resource are data, reported as evidence, and
    // keep their order.
    const reversed = structuredClone(snapshot) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(reversed)) {
      if (Array.isArray(value)) reversed[key] = [...value].reverse();
    }
    const scope = reversed.scope as Snapshot['scope'];
    scope.accounts.reverse();
    scope.regions.reverse();
    for (const org of reversed.organizations as NonNullable<Snapshot['organizations']>) org.accounts.reverse();
    expect(JSON.stringify(evaluate(validateSnapshot(reversed, 'reversed.json')))).toBe(once);
  });
});
