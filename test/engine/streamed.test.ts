// Evaluation account by account (src/engine/streamed.ts) against one evaluation of the whole
// snapshot: the same findings, byte for byte as JSON, in the same order, on estates that look
// across accounts in every way the engine follows (a pipeline naming another account's connection
// and role, a build naming another account's connection, a connection out of scope named by two
// accounts, gaps of accounts that were never entered), and on random cross-account rewiring.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOrgEstate, orgAccount } from '../../bench/org-estate.js';
import { addPipelineEstate, syntheticSnapshot } from '../../bench/synthetic.mjs';
import { loadConfig } from '../../src/config.js';
import { linkedAccounts, type Collections } from '../../src/engine/account-links.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadRuleSet, type RuleSet } from '../../src/engine/rule-set.js';
import { evaluateStreamed, isSharedResource, type AccountSource } from '../../src/engine/streamed.js';
import type { RuleSettings } from '../../src/engine/types.js';
import { loadSnapshotFile, validateSnapshot } from '../../src/model/load.js';
import type { ResourceKind, Snapshot } from '../../src/model/types.js';

const COLLECTIONS = ['connections', 'hosts', 'vpcEndpoints', 'endpointServices', 'iamUsers', 'iamGroups', 'iamRoles', 'iamPolicies', 'pipelines', 'buildProjects', 'sourceCredentials'] as const;

let ruleSet: RuleSet;
let settings: RuleSettings;

beforeAll(() => {
  ruleSet = loadRuleSet();
  const config = loadConfig('fixtures/demo/.linkaudit.yaml');
  settings = { trustedAccounts: config.trustedAccounts, trustedOrganizations: config.trustedOrganizations, pendingAcceptanceMaxDays: config.pendingAcceptanceMaxDays };
});

/** The snapshot split by account, each part a JSON copy (as a spool would give it back). */
function byAccount(s: Snapshot): AccountSource {
  const parts = new Map<string, string>();
  const links = new Map<string, Set<string>>();
  const accounts = [...new Set(COLLECTIONS.flatMap((c) => (s[c] as Array<{ account: string }>).map((r) => r.account)))].sort();
  for (const a of accounts) {
    const part = Object.fromEntries(COLLECTIONS.map((c) => [c, (s[c] as Array<{ account: string; arn: string }>).filter((r) => r.account === a && !isSharedResource(r))])) as unknown as Collections;
    parts.set(a, JSON.stringify(part));
    links.set(a, linkedAccounts(part, a));
  }
  const head = { ...s, ...Object.fromEntries(COLLECTIONS.map((c) => [c, (s[c] as Array<{ arn: string }>).filter(isSharedResource)])) } as Snapshot;
  return { head, accounts, links, read: (a) => JSON.parse(parts.get(a) as string) as Collections };
}

function same(s: Snapshot): { groups: number; findings: number } {
  const whole = evaluateRules(ruleSet.rules, s, settings, ruleSet.runtime.bind);
  let groups = 0;
  const streamed = evaluateStreamed(ruleSet.rules, byAccount(s), settings, ruleSet.runtime.bind, () => void groups++);
  expect(streamed.evaluations).toBe(whole.evaluations);
  expect(streamed.rules.map((r) => r.meta.id)).toEqual(whole.rules.map((r) => r.meta.id));
  const a = whole.findings.map((f) => JSON.stringify(f));
  const b = streamed.findings.map((f) => JSON.stringify(f));
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect(b[i]).toBe(a[i]);
  return { groups, findings: a.length };
}

/** A small organization with every kind of cross-account reference the engine follows, and gaps. */
function crossAccountEstate(): Snapshot {
  const { snapshot } = buildOrgEstate(8, { regions: ['eu-west-1', 'us-east-1'] });
  const s = structuredClone(snapshot);
  // The estate is what each account lists (an AWS managed policy in every account attaching it); a snapshot holds each once.
  s.iamPolicies = s.iamPolicies.filter((p, i) => s.iamPolicies.findIndex((q) => q.arn === p.arn) === i);
  const [a0, a1, a2, a3, , , a6] = s.scope.accounts as string[];
  const outside = '999988887777';
  const conn0 = s.connections.find((c) => c.account === a0)?.arn as string;
  // Account 1's pipeline uses account 0's connection and account 2's role.
  const p1 = s.pipelines.find((p) => p.account === a1);
  if (!p1) throw new Error('estate changed');
  (p1.stages[0]?.actions[0]?.configuration as Record<string, string>).ConnectionArn = conn0.replace(':codestar-connections:', ':codeconnections:');
  p1.roleArn = `arn:aws:iam::${a2}:role/pipeline`;
  // Account 3's build names account 0's connection too; accounts 5 and 6 name one outside the scope.
  const b3 = s.buildProjects.find((b) => b.account === a3);
  if (!b3) throw new Error('estate changed');
  b3.secondarySources = [{ type: 'GITHUB', location: 'https://github.com/example/lib.git', locationHadCredentials: false, sourceIdentifier: 'lib', auth: { type: 'CODECONNECTIONS', resource: conn0 } }];
  for (const p of s.pipelines.filter((x) => x.account === orgAccount(5) || x.account === a6)) {
    (p.stages[0]?.actions[0]?.configuration as Record<string, string>).ConnectionArn = `arn:aws:codestar-connections:us-east-1:${outside}:connection/00000000-0000-4000-8000-000000000000`;
  }
  // Gaps: account 4 was never entered; account 7's pipelines and IAM could not be read in one region.
  const a4 = orgAccount(4);
  const a7 = orgAccount(7);
  for (const c of COLLECTIONS) (s as unknown as Record<string, Array<{ account: string }>>)[c] = (s[c] as Array<{ account: string }>).filter((r) => r.account !== a4);
  s.coverage.push(
    ...['eu-west-1', 'us-east-1'].map((region) => ({ account: a4, region, service: 'sts', operation: 'AssumeRole', errorCode: 'AccessDenied', message: 'denied', resourceKinds: ['connection', 'host', 'vpcEndpoint', 'endpointService', 'pipeline', 'buildProject', 'sourceCredential'] as ResourceKind[] })),
    { account: a4, region: 'global', service: 'sts', operation: 'AssumeRole', errorCode: 'AccessDenied', message: 'denied', resourceKinds: ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'] as ResourceKind[] },
    { account: a7, region: 'us-east-1', service: 'codepipeline', operation: 'ListPipelines', errorCode: 'ThrottlingException', message: 'slow down', resourceKinds: ['pipeline'] as ResourceKind[] },
    { account: a7, region: 'global', service: 'iam', operation: 'GetAccountAuthorizationDetails', errorCode: 'AccessDenied', message: 'no', resourceKinds: ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'] as ResourceKind[] },
  );
  s.pipelines = s.pipelines.filter((p) => !(p.account === a7 && p.region === 'us-east-1'));
  s.iamRoles = s.iamRoles.filter((r) => r.account !== a7);
  // A tag suppression and an unreadable field, for the reports downstream.
  const e = s.vpcEndpoints.find((x) => x.account === a2);
  if (e) e.unreadable = [{ field: 'policy', operation: 'DescribeVpcEndpoints', errorCode: 'InvalidResponse', message: 'bad' }];
  return validateSnapshot(JSON.parse(JSON.stringify(s)), 'cross-account estate');
}

describe('evaluation account by account equals one evaluation of the whole snapshot', () => {
  it('the demo estate (two accounts, an organization, gaps)', () => {
    same(loadSnapshotFile('fixtures/demo/snapshot.json'));
  });

  it('an organization with cross-account connections, roles, an out-of-scope connection and accounts known only by their gaps', () => {
    const s = crossAccountEstate();
    const r = same(s);
    // 0-1-2-3 together (connection and role), 5-6 together (one connection outside), 4 and 7 alone.
    expect(r.groups).toBe(4);
    expect(r.findings).toBeGreaterThan(500);
  });

  it('the synthetic 50-account estate with pipelines and builds', () => {
    const s = validateSnapshot(addPipelineEstate(syntheticSnapshot({ accounts: 50, resources: 6000, seed: 3 }), { pipelines: 300, buildProjects: 300, connections: 60, seed: 3 }), 'synthetic');
    same(s);
  });

  it('random cross-account rewiring of connections and roles (fast-check)', () => {
    const base = crossAccountEstate();
    const accounts = base.scope.accounts;
    fc.assert(
      fc.property(
        fc.array(fc.record({ pipeline: fc.nat(), account: fc.nat(), what: fc.constantFrom('connection', 'role', 'build-connection', 'action-role') }), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const s = structuredClone(base);
          for (const e of edits) {
            const target = accounts[e.account % accounts.length] as string;
            const conn = s.connections.find((c) => c.account === target)?.arn ?? `arn:aws:codestar-connections:us-east-1:${target}:connection/11111111-1111-4111-8111-111111111111`;
            if (e.what === 'build-connection') {
              const b = s.buildProjects[e.pipeline % s.buildProjects.length];
              if (b) b.secondarySources = [{ type: 'GITHUB', location: 'https://github.com/x/y.git', locationHadCredentials: false, sourceIdentifier: 's', auth: { type: 'CODECONNECTIONS', resource: conn } }];
              continue;
            }
            const p = s.pipelines[e.pipeline % s.pipelines.length];
            if (!p) continue;
            if (e.what === 'connection') (p.stages[0]?.actions[0]?.configuration as Record<string, string>).ConnectionArn = conn;
            else if (e.what === 'role') p.roleArn = `arn:aws:iam::${target}:role/service-25`;
            else {
              const action = p.stages[1]?.actions[0];
              if (action) action.roleArn = `arn:aws:iam::${target}:role/build`;
            }
          }
          same(validateSnapshot(JSON.parse(JSON.stringify(s)), 'rewired'));
        },
      ),
      { numRuns: 25 },
    );
  });
});
