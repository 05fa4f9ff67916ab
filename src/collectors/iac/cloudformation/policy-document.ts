// Policy documents written in a template (an object, or a JSON string as CloudFormation also
// takes them) → the model's PolicyDocument. One the model cannot hold, or holding a value the
// template does not decide, is a reason instead: the caller marks its field unreadable.

import type { PolicyDocument } from '../../../model/types.js';
import { policyGrammarProblem } from '../../policy-grammar.js';
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
  // Checked by the snapshot schema itself, as the live IAM collector checks what IAM returns: a
  // document it rejects (Effect `allow`, Action with NotAction, a number as Action) would
  // invalidate the whole snapshot, not only this field.
  const problem = policyGrammarProblem(doc);
  return problem === undefined ? { ok: true, document: doc as PolicyDocument } : { ok: false, reason: `the document does not fit the policy grammar: ${problem}` };
}

/** A placeholder for a required document that could not be read; its field is always unreadable too. */
export const PLACEHOLDER_DOCUMENT: PolicyDocument = { Statement: [] };
