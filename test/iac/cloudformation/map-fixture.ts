// Hand-built CfnStack values (what the template reader gives the mappers) and the path from a
// mapped stack to rule results, for the map*.test.ts files.

import { evaluateRules } from '../../../src/engine/evaluate.js';
import { loadRuleSet, type RuleSet } from '../../../src/engine/rule-set.js';
import type { Finding, RuleSettings, Status } from '../../../src/engine/types.js';
import { IAC_UNKNOWN_ACCOUNT, IAC_UNKNOWN_REGION } from '../../../src/model/arn.js';
import { emptySnapshot } from '../../../src/model/empty.js';
import type { Snapshot, SourceLocation } from '../../../src/model/types.js';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import type { CfnResource, CfnStack, CfnValue, MappedStack } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { bestProblem, validator } from '../../../src/schema/validate.js';

export const FILE = 'templates/net.yaml';

/**
 * A resource as the reader gives it: the logical id at `line`, column 3; each top-level property
 * on its own line below, column 7, in written order.
 */
export function res(logicalId: string, type: string, properties: Record<string, CfnValue> = {}, line = 10, cdkPath?: string, file = FILE): CfnResource {
  const keys = Object.keys(properties);
  const loc = (l: number, c: number, len: number): SourceLocation => ({ file, line: l, column: c, endLine: l, endColumn: c + len });
  const propertyLocations: Record<string, SourceLocation> = {};
  keys.forEach((k, i) => (propertyLocations[k] = loc(line + 3 + i, 7, k.length + 1)));
  return {
    logicalId,
    type,
    properties,
    location: { file, line, column: 3, endLine: line + 2 + keys.length, endColumn: 20 },
    propertyLocations,
    ...(cdkPath !== undefined ? { cdkPath } : {}),
  };
}

/** Resources placed one after another (each line number after the previous resource's end). */
export type Spec = [string, string, Record<string, CfnValue>?];

export function resources(...specs: Spec[]): CfnResource[] {
  let line = 4;
  return specs.map(([id, type, props]) => {
    const r = res(id, type, props ?? {}, line);
    line = r.location.endLine + 1;
    return r;
  });
}

export function stack(list: CfnResource[], over: Partial<CfnStack> = {}): CfnStack {
  return {
    format: 'cloudformation',
    file: FILE,
    idBase: FILE,
    partition: 'aws',
    account: '111122223333',
    accountKnown: true,
    region: 'us-east-1',
    regionKnown: true,
    resources: list,
    ...over,
  };
}

export function unknownEnv(list: CfnResource[]): CfnStack {
  return stack(list, { account: IAC_UNKNOWN_ACCOUNT, accountKnown: false, region: IAC_UNKNOWN_REGION, regionKnown: false });
}

export function snapshotOf(s: CfnStack, mapped: MappedStack = mapStack(s)): Snapshot {
  const { unmapped: _, ...collections } = mapped;
  return emptySnapshot({
    generatedAt: '2026-12-01T00:00:00Z',
    source: { kind: 'iac', description: s.file },
    scope: { partition: s.partition, accounts: [s.account], regions: [s.region] },
    ...collections,
  });
}

/** Schema problems of a snapshot, as `pointer: message` (empty when valid). */
export function schemaProblems(snapshot: Snapshot): string[] {
  const validate = validator('snapshot');
  if (validate(snapshot)) return [];
  const p = bestProblem(validate.errors);
  return [`${p.pointer}: ${p.message}`];
}

let ruleSet: RuleSet | undefined;
export const SETTINGS: RuleSettings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };

export function findings(s: CfnStack, settings: RuleSettings = SETTINGS): Finding[] {
  ruleSet ??= loadRuleSet();
  const snapshot = snapshotOf(s);
  const problems = schemaProblems(snapshot);
  if (problems.length > 0) throw new Error(`mapped snapshot is not schema-valid: ${problems.join('; ')}`);
  return evaluateRules(ruleSet.rules, snapshot, settings, ruleSet.runtime.bind).findings;
}

/** The status of rule `ruleId` on the template resource `logicalId` ('none': no finding, as for a rule that does not apply). */
export function statusOf(all: Finding[], ruleId: string, logicalId: string): Status | 'none' {
  const hits = all.filter((f) => f.ruleId === ruleId && f.resource.arn.endsWith(`#${logicalId}`));
  if (hits.length > 1) throw new Error(`${hits.length} findings of ${ruleId} on ${logicalId}`);
  return hits[0]?.status ?? 'none';
}
