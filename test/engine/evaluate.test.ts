import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleCases } from '../../src/engine/cases.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { decideGate } from '../../src/engine/gate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import type { Finding, Rule, RuleSettings } from '../../src/engine/types.js';
import { UnknownValue } from '../../src/engine/unknown.js';
import { referencedFields } from '../../src/engine/yaml-rule.js';
import { validateSnapshot } from '../../src/model/load.js';
import { emptySnapshot, endpointService } from '../helpers/snapshot.js';

const settings: RuleSettings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
const ruleSet = loadRuleSet();
const rule = (id: string): Rule => {
  const r = ruleSet.rules.find((x) => x.meta.id === id);
  if (!r) throw new Error(id);
  return r;
};
const run = (rules: Rule[], snapshot = emptySnapshot()): Finding[] => evaluateRules(rules, validateSnapshot(snapshot, 'test'), settings, ruleSet.runtime.bind).findings;

describe('three results', () => {
  it('an unreadable field the rule reads gives unknown, naming the operation and error', () => {
    const svc = endpointService('vpce-svc-0a', {
      availabilityZones: [],
      unreadable: [{ field: 'availabilityZones', operation: 'DescribeVpcEndpointServiceConfigurations', errorCode: 'Throttling', message: 'Rate exceeded' }],
    });
    const [f] = run([rule('endpoint-service-single-az')], emptySnapshot({ endpointServices: [svc] }));
    expect(f).toMatchObject({ status: 'unknown', message: 'Not evaluated: could not read availabilityZones (DescribeVpcEndpointServiceConfigurations: Throttling - Rate exceeded).' });
  });

  it('an unreadable field the rule does not read leaves the result decided', () => {
    const svc = endpointService('vpce-svc-0a', {
      availabilityZones: ['us-east-1a'],
      unreadable: [{ field: 'connectionNotifications', operation: 'DescribeVpcEndpointConnectionNotifications', errorCode: 'AccessDenied' }],
    });
    const [f] = run([rule('endpoint-service-single-az')], emptySnapshot({ endpointServices: [svc] }));
    expect(f?.status).toBe('fail');
  });

  it('a listing that could not be read gives one unknown per rule, account and region, under a scope ARN', () => {
    const snap = emptySnapshot({
      scope: { partition: 'aws', accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'] },
      coverage: [
        { account: '111122223333', region: 'eu-west-1', service: 'ec2', operation: 'DescribeVpcEndpointServiceConfigurations', errorCode: 'UnauthorizedOperation', message: 'denied', resourceKinds: ['endpointService'] },
      ],
    });
    const findings = run([rule('endpoint-service-single-az'), rule('host-not-available')], snap);
    expect(findings).toEqual([
      {
        ruleId: 'endpoint-service-single-az',
        status: 'unknown',
        severity: 'low',
        resource: { arn: 'arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint-service/*', kind: 'endpointService', account: '111122223333', region: 'eu-west-1' },
        message: 'Not evaluated: DescribeVpcEndpointServiceConfigurations failed for account 111122223333 in eu-west-1 (UnauthorizedOperation: denied).',
        evidence: [],
      },
    ]);
  });

  it('a rule that throws gives unknown for that resource and the scan goes on', () => {
    const flaky: Rule = {
      ...rule('endpoint-service-single-az'),
      evaluate: (r) => {
        if (r.arn.endsWith('0b')) throw new Error('boom');
        if (r.arn.endsWith('0c')) throw new UnknownValue('membership unknown');
        return { status: 'pass', detail: { message: 'ok', evidence: [] } };
      },
    };
    const snap = emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a'), endpointService('vpce-svc-0b'), endpointService('vpce-svc-0c')] });
    expect(run([flaky], snap).map((f) => [f.resource.name, f.status, f.message])).toEqual([
      ['vpce-svc-0a', 'pass', 'ok'],
      ['vpce-svc-0b', 'unknown', 'Rule error: boom'],
      ['vpce-svc-0c', 'unknown', 'Not evaluated: membership unknown.'],
    ]);
  });

  it('results come out sorted by rule then ARN, whatever the input order', () => {
    const a = endpointService('vpce-svc-0a', { availabilityZones: [] });
    const b = endpointService('vpce-svc-0b', { acceptanceRequired: false });
    const rules = [rule('endpoint-service-single-az'), rule('endpoint-service-acceptance-disabled')];
    const one = run(rules, emptySnapshot({ endpointServices: [a, b] }));
    const two = run([...rules].reverse(), emptySnapshot({ endpointServices: [b, a] }));
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(one.map((f) => `${f.ruleId} ${f.resource.name}`)).toEqual([
      'endpoint-service-acceptance-disabled vpce-svc-0a',
      'endpoint-service-acceptance-disabled vpce-svc-0b',
      'endpoint-service-single-az vpce-svc-0a',
      'endpoint-service-single-az vpce-svc-0b',
    ]);
  });

  it('evidence carries the model path and value', () => {
    const [f] = run([rule('endpoint-service-single-az')], emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a', { availabilityZones: ['us-east-1a'] })] }));
    expect(f?.evidence).toEqual([{ path: 'endpointService.availabilityZones', value: ['us-east-1a'] }]);
  });
});

describe('referenced fields', () => {
  const fields = (expr: string): string[] => [...referencedFields(ruleSet.runtime.evalEnv.parse(expr).ast)].sort();
  it('finds top-level resource fields in selections, has() and macros', () => {
    expect(fields('has(resource.privateDns) && resource.allowedPrincipals.exists(p, p.principal == resource.account)')).toEqual(['account', 'allowedPrincipals', 'privateDns']);
  });
  it('treats the whole resource, or a computed key, as every field', () => {
    expect(fields('size(resource) > 0')).toEqual(['*']);
    expect(fields('resource["id"] == "x"')).toEqual(['id']);
  });
});

describe('gate', () => {
  const rules = [rule('endpoint-service-single-az'), rule('endpoint-service-acceptance-disabled'), rule('host-endpoint-not-https')];
  const f = (ruleId: string, status: Finding['status'], severity: Finding['severity']): Finding => ({
    ruleId,
    status,
    severity,
    resource: { arn: 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-0a', kind: 'endpointService', account: '111122223333', region: 'us-east-1' },
    message: 'm',
    evidence: [],
  });
  it.each([
    ['nothing found', [f('host-endpoint-not-https', 'pass', 'high')], 'high', false, 0],
    ['a high fail at fail-on high', [f('host-endpoint-not-https', 'fail', 'high')], 'high', false, 1],
    ['a high fail at fail-on critical', [f('host-endpoint-not-https', 'fail', 'high')], 'critical', false, 0],
    ['an escalated critical fail at fail-on critical', [f('endpoint-service-acceptance-disabled', 'fail', 'critical')], 'critical', false, 1],
    ['a low fail at fail-on low', [f('endpoint-service-single-az', 'fail', 'low')], 'low', false, 1],
    ['anything at fail-on none', [f('host-endpoint-not-https', 'fail', 'high'), f('host-endpoint-not-https', 'unknown', 'high')], 'none', false, 0],
    ['an unknown for a rule that could reach the threshold', [f('host-endpoint-not-https', 'unknown', 'high')], 'high', false, 2],
    ['an unknown for a medium rule that can escalate to critical', [f('endpoint-service-acceptance-disabled', 'unknown', 'medium')], 'critical', false, 2],
    ['the same unknown with --allow-partial', [f('host-endpoint-not-https', 'unknown', 'high')], 'high', true, 0],
    ['an unknown for a low rule at fail-on high', [f('endpoint-service-single-az', 'unknown', 'low')], 'high', false, 0],
    ['a fail and an unknown together', [f('host-endpoint-not-https', 'fail', 'high'), f('host-endpoint-not-https', 'unknown', 'high')], 'high', false, 1],
  ] as const)('%s', (_name, findings, failOn, allowPartial, exitCode) => {
    expect(decideGate(findings, rules, failOn, allowPartial).exitCode).toBe(exitCode);
  });
});

describe('rule cases runner', () => {
  it('reports a case whose expectation does not hold (cases can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cases-'));
    const file = join(dir, 'endpoint-service-single-az.test.yaml');
    writeFileSync(
      file,
      `base: ${JSON.stringify(endpointService('vpce-svc-0a'))}
cases:
  - { name: wrong status, resource: { availabilityZones: [us-east-1a] }, expect: pass }
  - { name: wrong severity, resource: { availabilityZones: [] }, expect: fail, severity: high }
  - { name: wrong message, resource: { availabilityZones: [] }, expect: fail, message: two zones }
  - { name: wrong applicability, expect: not-applicable }
  - { name: right, resource: { availabilityZones: [] }, expect: fail }
`,
    );
    const outcomes = runRuleCases(rule('endpoint-service-single-az'), ruleSet.runtime, file);
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([
      ['wrong status', false],
      ['wrong severity', false],
      ['wrong message', false],
      ['wrong applicability', false],
      ['right', true],
    ]);
    expect(outcomes[0]?.detail).toMatch(/^expected pass, got fail: /);
  });

  it('refuses a case whose resource is not valid for the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cases-'));
    const file = join(dir, 'x.test.yaml');
    writeFileSync(file, `base: ${JSON.stringify(endpointService('vpce-svc-0a'))}\ncases:\n  - { name: typo, resource: { availabilityZone: [] }, expect: pass }\n`);
    expect(() => runRuleCases(rule('endpoint-service-single-az'), ruleSet.runtime, file)).toThrow(/case "typo" builds an invalid snapshot: .*unknown field "availabilityZone"/);
  });
});
