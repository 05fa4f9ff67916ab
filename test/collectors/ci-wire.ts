// Shared by the CodePipeline and CodeBuild collector tests: JSON 1.1 interceptors (x-amz-target
// TARGETPREFIX.Operation, as botocore's metadata names them), and a probe rule to see what the
// engine makes of what was collected.
import nock from 'nock';
import { evaluateRules } from '../../src/engine/evaluate.js';
import type { Rule } from '../../src/engine/types.js';
import type { ResourceKind, Snapshot } from '../../src/model/types.js';

export const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

/** An interceptor for one JSON 1.1 operation of `endpoint` whose request body satisfies `body`. */
export function jsonOp(endpoint: string, targetPrefix: string, operation: string, body: (b: Record<string, unknown>) => boolean = () => true): nock.Interceptor {
  return nock(endpoint)
    .matchHeader('x-amz-target', `${targetPrefix}.${operation}`)
    .matchHeader('content-type', 'application/x-amz-json-1.1')
    .post('/', (b: Record<string, unknown>) => body(b));
}

export function counts(calls: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** A rule of `kind` that passes whatever it is given: what is not pass in its findings came from what could not be read. */
export function probe(kind: ResourceKind, fields: string[]): Rule {
  return {
    meta: { id: 'probe', title: 'A probe of what was read', severity: 'low', resource: kind, description: 'd', rationale: 'r', remediation: { text: 't' }, references: [], tags: [] },
    source: 'test',
    fields: new Set(fields),
    evaluate: () => ({ status: 'pass', detail: { message: 'read', evidence: [] } }),
  };
}

/** `status arn` of each finding of the probe. */
export function probed(snapshot: Snapshot, kind: ResourceKind, fields: string[]): string[] {
  return evaluateRules([probe(kind, fields)], snapshot, { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 }).findings.map((f) => `${f.status} ${f.resource.arn}`);
}

export const BAD_GATEWAY = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';
