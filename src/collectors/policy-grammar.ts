// Whether a parsed policy document fits the model's policy grammar (schemas/snapshot.schema.json),
// and if not, where and why. Shared by the live IAM collector and the IaC adapters (which must not
// load the IAM SDK client).

import { emptySnapshot } from '../model/empty.js';
import type { PolicyDocument } from '../model/types.js';
import { bestProblem, validator } from '../schema/validate.js';

/**
 * The snapshot schema is stricter than "any JSON": a document it rejects would make the whole
 * snapshot invalid, so it is checked here, by the schema itself, and treated like one that does
 * not parse. The schema validates whole snapshots only, hence the one-policy probe around it.
 */
export function policyGrammarProblem(document: unknown): string | undefined {
  const probe = emptySnapshot({
    generatedAt: '1970-01-01T00:00:00Z',
    source: { kind: 'live' },
    scope: { partition: 'aws', accounts: [], regions: [] },
    iamPolicies: [
      // Deliberately unchecked: `document` is what is being tested.
      { arn: 'arn:aws:iam::aws:policy/probe', account: '000000000000', region: 'global', tags: {}, name: 'probe', defaultVersionId: 'v1', document: document as PolicyDocument },
    ],
  });
  const validate = validator('snapshot');
  if (validate(probe)) return undefined;
  // The schema states "exactly one of" as a oneOf, whose error ("must NOT be valid") names no element.
  const pair = exclusivePairProblem(document);
  if (pair !== undefined) return pair;
  const problem = bestProblem(validate.errors);
  const pointer = problem.pointer.replace(/^\/iamPolicies\/0\/document/, '') || '/';
  return `${pointer}: ${problem.message}`;
}

const EXCLUSIVE_PAIRS = [['Action', 'NotAction'], ['Resource', 'NotResource'], ['Principal', 'NotPrincipal']] as const;

function exclusivePairProblem(document: unknown): string | undefined {
  const raw = document !== null && typeof document === 'object' ? (document as { Statement?: unknown }).Statement : undefined;
  const statements = Array.isArray(raw) ? raw : [raw];
  for (const [i, s] of statements.entries()) {
    if (s === null || typeof s !== 'object') continue;
    const at = Array.isArray(raw) ? `/Statement/${i}` : '/Statement';
    for (const [a, b] of EXCLUSIVE_PAIRS) if (a in s && b in s) return `${at}: has both ${a} and ${b} (IAM allows one of them)`;
    if (!('Action' in s) && !('NotAction' in s)) return `${at}: has neither Action nor NotAction`;
  }
  return undefined;
}
