// Policy documents as Terraform holds them: JSON strings (`jsonencode(…)`, a rendered
// `aws_iam_policy_document`, a heredoc). A document the snapshot schema would reject makes its
// field unreadable, naming the problem, rather than the whole snapshot invalid.

import { emptySnapshot } from '../../../model/empty.js';
import type { PolicyDocument } from '../../../model/types.js';
import { bestProblem, validator } from '../../../schema/validate.js';
import { jsonTooDeepAt, MAX_NESTING_DEPTH } from '../../../io/input-limits.js';
import { memoByText } from '../../memo.js';

/**
 * The document, or why it cannot be used (the problem and its JSON pointer). Plans repeat a few
 * documents many times (one per for_each instance): each text is judged once, the result shared.
 */
export const parsePolicyText = memoByText(parse, 10_000);

function parse(text: string): PolicyDocument | string {
  if (text.trim() === '') return 'the policy document is empty';
  // Deep values are what the schema check and the IAM evaluator (both recursive) cannot take.
  if (jsonTooDeepAt(text) !== undefined) return `the policy document nests more than ${MAX_NESTING_DEPTH} deep`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'the policy document is not valid JSON';
  }
  const probe = emptySnapshot({
    generatedAt: '1970-01-01T00:00:00Z',
    source: { kind: 'iac' },
    scope: { partition: 'aws', accounts: [], regions: [] },
    // Deliberately unchecked: `document` is what is being tested.
    iamPolicies: [{ arn: 'arn:aws:iam::aws:policy/probe', account: '000000000000', region: 'global', tags: {}, name: 'probe', defaultVersionId: 'v1', document: doc as PolicyDocument }],
  });
  const validate = validator('snapshot');
  if (validate(probe)) {
    const pair = pairProblem(doc);
    return pair ?? (doc as PolicyDocument);
  }
  const pair = pairProblem(doc);
  if (pair !== undefined) return pair;
  const problem = bestProblem(validate.errors);
  const pointer = problem.pointer.replace(/^\/iamPolicies\/0\/document/, '') || '/';
  return `the policy document does not fit the policy grammar at ${pointer}: ${problem.message}`;
}

const EXCLUSIVE = [['Action', 'NotAction'], ['Resource', 'NotResource'], ['Principal', 'NotPrincipal']] as const;

function pairProblem(doc: unknown): string | undefined {
  const raw = doc !== null && typeof doc === 'object' ? (doc as { Statement?: unknown }).Statement : undefined;
  const statements = Array.isArray(raw) ? raw : [raw];
  for (const [i, s] of statements.entries()) {
    if (s === null || typeof s !== 'object') continue;
    const at = Array.isArray(raw) ? `/Statement/${i}` : '/Statement';
    for (const [a, b] of EXCLUSIVE) if (a in s && b in s) return `the policy document has both ${a} and ${b} at ${at} (IAM allows one of them)`;
    if (!('Action' in s) && !('NotAction' in s)) return `the policy document has neither Action nor NotAction at ${at}`;
  }
  return undefined;
}
