// Issue 11 item 24, end to end: an identity policy that breaks IAM's grammar, collected over the
// wire, gives its principal unknown on every IAM rule, and the finding names the invalid element.
// Shapes the snapshot schema cannot hold (wrong-case Effect, Action with NotAction, non-string
// values) become a MalformedPolicyDocument field gap at collection; shapes it can hold (Principal
// in an identity policy, a misspelled operator) are judged invalid by the evaluator.
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { collectIam } from '../../src/collectors/iam.js';
import type { Target } from '../../src/collectors/types.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import { IAM_ENDPOINT, XML_TYPE, authorizationDetails, encodePolicy } from '../collectors/iam-wire.js';
import { asSnapshot, testClients, useNock } from '../collectors/nock-lifecycle.js';

const ACCOUNT = '111122223333';
const TARGET: Target = { partition: 'aws', account: ACCOUNT, region: 'global' };
const USE = 'codestar-connections:UseConnection';

// Each would be an unconditional UseConnection grant on every connection if read leniently.
const INVALID: Array<[name: string, statement: Record<string, unknown>, named: RegExp]> = [
  ['Effect in the wrong case', { Effect: 'allow', Action: USE, Resource: '*' }, /Effect/],
  ['Action together with NotAction', { Effect: 'Allow', Action: USE, NotAction: 's3:*', Resource: '*' }, /NotAction|Action/],
  ['Resource together with NotResource', { Effect: 'Allow', Action: USE, Resource: '*', NotResource: 'arn:aws:s3:::x' }, /NotResource|Resource/],
  ['a number as an Action', { Effect: 'Allow', Action: 5, Resource: '*' }, /Action/],
  ['an object as a Resource', { Effect: 'Allow', Action: USE, Resource: { any: '*' } }, /Resource/],
  ['Principal in an identity policy', { Effect: 'Allow', Principal: '*', Action: USE, Resource: '*' }, /Principal/],
  ['NotPrincipal in an identity policy', { Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: USE, Resource: '*' }, /NotPrincipal/],
  ['a misspelled condition operator', { Effect: 'Allow', Action: USE, Resource: '*', Condition: { StringEqual: { 'aws:ResourceTag/team': 'x' } } }, /StringEqual/],
];

useNock();

describe('invalid identity policies collected live (item 24)', () => {
  it('give every IAM rule unknown for their principal, naming the invalid element, never a verdict', async () => {
    const users = INVALID.map(([, statement], i) => ({
      UserName: `u${i}`,
      UserId: `AIDA${String(i).padStart(17, '0')}`,
      Arn: `arn:aws:iam::${ACCOUNT}:user/u${i}`,
      UserPolicyList: [{ PolicyName: 'p', PolicyDocument: encodePolicy({ Version: '2012-10-17', Statement: [statement] }) }],
    }));
    nock(IAM_ENDPOINT).post('/').reply(200, authorizationDetails({ UserDetailList: users, IsTruncated: false }), XML_TYPE);
    const { clients } = testClients();
    const snapshot = asSnapshot(await collectIam(clients.iam, TARGET));
    const rules = loadRuleSet().rules.filter((r) => r.meta.id.startsWith('iam-'));
    const findings = evaluateRules(rules, snapshot, { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 }).findings;
    INVALID.forEach(([name, , named], i) => {
      const own = findings.filter((f) => f.resource.arn === `arn:aws:iam::${ACCOUNT}:user/u${i}`);
      expect(own.map((f) => f.ruleId), name).toEqual(['iam-connection-admin-overbroad', 'iam-passconnection-overbroad', 'iam-useconnection-overbroad']);
      for (const f of own) {
        expect(f.status, `${name}: ${f.ruleId}`).toBe('unknown');
        expect(f.message, `${name}: ${f.ruleId}`).toMatch(named);
      }
    });
  });
});
