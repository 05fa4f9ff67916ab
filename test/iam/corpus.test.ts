// The evaluator over the real world: each of the 1,643 AWS managed policies in ../shared/corpus as
// a role's only policy, classified for UseConnection, GetConnectionToken and PassConnection (the
// broader of the two prefixes). No policy may crash the evaluator or come out unknown without a
// reason; a hand-reasoned set is pinned, and so is the overall tally (the corpus is fixed).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../src/model/empty.js';
import type { IamRole, PolicyDocument } from '../../src/model/types.js';
import { broadAnswer, questionsFor } from '../../src/iam/questions.js';
import { policiesOf } from '../../src/iam/principals.js';
import { maxReach, type Reach } from '../../src/iam/evaluate.js';

interface CorpusPolicy {
  name: string;
  arn: string;
  defaultVersionId: string;
  document: PolicyDocument;
}

// A few entries have no ARN; an AWS managed policy's ARN follows from its name.
const corpus = (JSON.parse(readFileSync(resolve('../shared/corpus/aws-managed-policies.json'), 'utf8')) as Array<Omit<CorpusPolicy, 'arn'> & { arn: string | null }>).map(
  (p): CorpusPolicy => ({ ...p, arn: p.arn ?? `arn:aws:iam::aws:policy/${p.name}` }),
);
const ACCOUNT = '111122223333';
const ACTIONS = ['UseConnection', 'GetConnectionToken', 'PassConnection'] as const;
type Row = Record<(typeof ACTIONS)[number], Reach> & { reasons: string[] };

function classify(p: CorpusPolicy): Row {
  const role: IamRole = {
    arn: `arn:aws:iam::${ACCOUNT}:role/corpus`,
    account: ACCOUNT,
    region: 'global',
    tags: {},
    name: 'corpus',
    inlinePolicies: [],
    attachedPolicies: [p.arn],
    assumeRolePolicy: { Statement: [] },
  };
  const snapshot = emptySnapshot({
    generatedAt: '2026-01-15T00:00:00Z',
    source: { kind: 'file' },
    scope: { partition: 'aws', accounts: [ACCOUNT], regions: ['us-east-1'] },
    iamPolicies: [{ arn: p.arn, account: ACCOUNT, region: 'global', tags: {}, name: p.name, defaultVersionId: p.defaultVersionId, document: p.document, awsManaged: true }],
    iamRoles: [role],
  });
  const policies = policiesOf(role, snapshot);
  const row = { UseConnection: 'none', GetConnectionToken: 'none', PassConnection: 'none', reasons: [] } as Row;
  for (const q of questionsFor(ACTIONS)) {
    const a = broadAnswer(role, policies, snapshot, q.action, q.type);
    const short = q.action.short as (typeof ACTIONS)[number];
    row[short] = maxReach(row[short], a.reach);
    row.reasons.push(...a.reasons);
  }
  return row;
}

const rows = new Map(corpus.map((p) => [p.name, classify(p)] as const));
const row = (name: string): Row => {
  const r = rows.get(name);
  if (!r) throw new Error(`${name} is not in the corpus`);
  return r;
};

describe('AWS managed policy corpus', () => {
  it('is the corpus this test was reasoned against', () => {
    expect(corpus.length).toBe(1643);
  });

  it('classifies every policy, and every unknown says why', () => {
    for (const [name, r] of rows) {
      for (const a of ACTIONS) expect(['none', 'scoped', 'unknown', 'unconditional'], name).toContain(r[a]);
      if (ACTIONS.some((a) => r[a] === 'unknown')) expect(r.reasons.length, `${name} is unknown without a reason`).toBeGreaterThan(0);
    }
  });

  it('pins the tally (Use/Token/Pass)', () => {
    const tally: Record<string, number> = {};
    for (const r of rows.values()) {
      const key = ACTIONS.map((a) => r[a]).join('/');
      tally[key] = (tally[key] ?? 0) + 1;
    }
    // Printed so that a change in the corpus or the evaluator shows what moved.
    console.log('corpus tally (UseConnection/GetConnectionToken/PassConnection):', tally);
    expect(tally).toEqual({
      'none/none/none': 1622,
      'unconditional/unconditional/unconditional': 4,
      'unconditional/none/unconditional': 1,
      'unconditional/none/scoped': 2,
      'unconditional/none/none': 3,
      'none/none/scoped': 2,
      'scoped/none/unconditional': 1,
      'scoped/none/none': 7,
      'none/unconditional/none': 1,
    });
  });

  // Hand-reasoned: each expectation follows from the policy text, as the comments say.
  it.each<[string, Partial<Record<(typeof ACTIONS)[number], Reach>>, string]>([
    ['AdministratorAccess', { UseConnection: 'unconditional', GetConnectionToken: 'unconditional', PassConnection: 'unconditional' }, 'Action "*" on Resource "*"'],
    ['PowerUserAccess', { UseConnection: 'unconditional', GetConnectionToken: 'unconditional', PassConnection: 'unconditional' }, 'NotAction [iam:*, organizations:*, account:*] leaves both connection prefixes in, on "*"'],
    ['ReadOnlyAccess', { UseConnection: 'none', GetConnectionToken: 'none', PassConnection: 'none' }, 'lists GetConnection, GetHost, List* … by name: no Use, no token, no pass'],
    ['AmazonSageMakerServiceCatalogProductsCodeBuildServiceRolePolicy', { UseConnection: 'scoped', GetConnectionToken: 'none' }, 'UseConnection on connection/* but only where aws:ResourceTag/sagemaker = true (StringEqualsIgnoreCase): a tag condition scopes'],
    [
      'AmazonCodeGuruReviewerFullAccess',
      { UseConnection: 'scoped', PassConnection: 'unconditional' },
      'one statement allows UseConnection, ListConnections and PassConnection on "*" with ForAllValues:StringEquals codestar-connections:ProviderAction [ListRepositories, ListOwners]. UseConnection requests carry ProviderAction, so the condition limits them to those two provider actions: scoped. PassConnection requests never carry ProviderAction; ForAllValues over an empty set is true, so PassConnection is allowed on every connection: unconditional.',
    ],
    ['AWSCodeStarServiceRole', { PassConnection: 'scoped' }, 'StringEqualsIfExists on codestar-connections:PassedToService, a key PassConnection requests do carry, so IfExists does not vacate it'],
    ['AWSProtonFullAccess', { PassConnection: 'scoped', UseConnection: 'none' }, 'PassConnection only with StringEquals PassedToService proton.amazonaws.com, under each prefix'],
    ['AWSGitSyncServiceRolePolicy', { UseConnection: 'unconditional' }, 'UseConnection on connection/* under both prefixes with aws:ResourceAccount = ${aws:PrincipalAccount}: every connection of the role\'s own account meets it, so nothing is scoped'],
    ['WellArchitectedAgentResourceScanning', { GetConnectionToken: 'unconditional', UseConnection: 'none' }, 'codestar-connections:Get* on "*" includes GetConnectionToken'],
    ['AWSCodeBuildAdminAccess', { UseConnection: 'unconditional', PassConnection: 'unconditional' }, 'UseConnection and PassConnection on connection/* with no condition'],
  ])('%s', (name, expected, _why) => {
    const r = row(name);
    for (const [action, reach] of Object.entries(expected)) expect(`${action}: ${r[action as (typeof ACTIONS)[number]]}`).toBe(`${action}: ${reach}`);
  });
});
