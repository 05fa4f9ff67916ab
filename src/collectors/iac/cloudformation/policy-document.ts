// Policy documents written in a template (an object, or a JSON string as CloudFormation also
// takes them) → the model's PolicyDocument. One the model cannot hold, or holding a value the
// template does not decide, is a reason instead: the caller marks its field unreadable.

import { emptySnapshot } from '../../../model/empty.js';
import type { PolicyDocument } from '../../../model/types.js';
import { bestProblem, validator } from '../../../schema/validate.js';
import { Unresolved, type CfnValue } from './template-types.js';
import { findUnresolved } from './values.js';

export type DocumentRead = { ok: true; document: PolicyDocument } | { ok: false; unresolved?: Unresolved; reason: string };

export function policyDocumentOf(value: CfnValue): DocumentRead {
  const u = findUnresolved(value);
  if (u) return { ok: false, unresolved: u, reason: u.reason };
  let doc: unknown = value;
  if (typeof value === 'string') {
    try {
      doc = JSON.parse(value);
    } catch (err) {
      return { ok: false, reason: `the document is not valid JSON: ${(err as Error).message}` };
    }
  }
  const problem = schemaProblem(doc);
  return problem === undefined ? { ok: true, document: doc as PolicyDocument } : { ok: false, reason: `the document does not fit the policy grammar: ${problem}` };
}

/**
 * Checked by the snapshot schema itself (as the live IAM collector does, src/collectors/iam.ts):
 * a document it rejects (Effect `allow`, Action and NotAction together, a number as Action) would
 * invalidate the whole snapshot, not only this field.
 */
function schemaProblem(document: unknown): string | undefined {
  const probe = emptySnapshot({
    generatedAt: '1970-01-01T00:00:00Z',
    source: { kind: 'iac' },
    scope: { partition: 'aws', accounts: [], regions: [] },
    iamPolicies: [
      // Deliberately unchecked: `document` is what is being tested.
      { arn: 'arn:aws:iam::aws:policy/probe', account: '000000000000', region: 'global', tags: {}, name: 'probe', defaultVersionId: 'v1', document: document as PolicyDocument },
    ],
  });
  const validate = validator('snapshot');
  if (validate(probe)) return undefined;
  const pair = exclusivePairProblem(document);
  if (pair !== undefined) return pair;
  const problem = bestProblem(validate.errors);
  return `${problem.pointer.replace(/^\/iamPolicies\/0\/document/, '') || '/'}: ${problem.message}`;
}

const EXCLUSIVE_PAIRS = [['Action', 'NotAction'], ['Resource', 'NotResource'], ['Principal', 'NotPrincipal']] as const;

// Same reasoning as src/collectors/iam.ts exclusivePairProblem (not imported: that module loads
// the IAM SDK client, which a template scan never needs). The schema states "exactly one of" as
// a oneOf, whose error ("must NOT be valid") names no element.
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

/** A placeholder for a required document that could not be read; its field is always unreadable too. */
export const PLACEHOLDER_DOCUMENT: PolicyDocument = { Statement: [] };
