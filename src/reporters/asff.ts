import type { Finding, RuleMeta } from '../engine/types.js';
import { controlRequirements, controlsOf } from './compliance.js';
import { fingerprint } from './fingerprint.js';
import { keptFindings, reportStatus } from './json.js';
import { ASFF_RESOURCE_TYPES, ASFF_SEVERITY, bounded, evidenceFields, findingRegion, firstObserved, isGlobal, refuseIac, rulesById } from './ocsf-asff-common.js';
import { ruleHelpUri } from './rule-docs.js';
import type { ReportInput } from './types.js';

/** BatchImportFindings takes at most 100 findings per call. */
export const ASFF_BATCH_SIZE = 100;

/** The ASFF version Security Hub reads (the only one there is). */
const SCHEMA_VERSION = '2018-10-08';

const TYPE_BEST_PRACTICES = 'Software and Configuration Checks/AWS Security Best Practices';
const TYPE_NIST = 'Software and Configuration Checks/Industry and Regulatory Standards/NIST 800-53 Controls (USA)';

/** Security Hub's limits (AwsSecurityFinding): longer values are refused, so they are cut. */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 1024;
const MAX_RECOMMENDATION = 512;
const MAX_REQUIREMENTS = 32;

const COMPLIANCE: Record<Finding['status'], string> = { fail: 'FAILED', pass: 'PASSED', unknown: 'WARNING' };

export type AsffFinding = Record<string, unknown>;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/**
 * The findings as ASFF (docs/security-hub.md): one per (rule, resource), its Id the fingerprint,
 * so a later import updates the same Security Hub finding (a pass resolves it). Only the findings
 * `--results` keeps, in report order.
 */
export function asffFindings(input: ReportInput): AsffFinding[] {
  refuseIac('asff', input);
  const rules = rulesById(input);
  return Array.from(keptFindings(input).read(), (f) => asffFinding(f, rules.get(f.ruleId), input));
}

/** Batches of at most ASFF_BATCH_SIZE, each what `aws securityhub batch-import-findings --findings file://…` takes. */
export function asffBatches(input: ReportInput): AsffFinding[][] {
  return lazyAsffBatches(input).map((batch) => batch());
}

/**
 * The batches as functions that make them: an organization's report is thousands of batch files,
 * written one after another, and only the one being written need exist as ASFF objects.
 */
export function lazyAsffBatches(input: ReportInput): Array<() => AsffFinding[]> {
  refuseIac('asff', input);
  const rules = rulesById(input);
  const kept = keptFindings(input);
  const batches: Array<() => AsffFinding[]> = [];
  for (let i = 0; i < kept.length; i += ASFF_BATCH_SIZE) {
    const start = i;
    batches.push(() => Array.from(kept.read(range(start, Math.min(start + ASFF_BATCH_SIZE, kept.length))), (f) => asffFinding(f, rules.get(f.ruleId), input)));
  }
  return batches.length > 0 ? batches : [() => []];
}

/** One batch as its file: a JSON array, one finding per line. */
export function renderAsffBatch(batch: readonly AsffFinding[]): string {
  return batch.length === 0 ? '[]\n' : `[\n${batch.map((f) => `  ${JSON.stringify(f)}`).join(',\n')}\n]\n`;
}

export function asffFinding(f: Finding, rule: RuleMeta | undefined, input: ReportInput): AsffFinding {
  const { arn, account, kind, name } = f.resource;
  const partition = input.snapshot.scope.partition;
  const region = findingRegion(f, input);
  const fp = fingerprint(f.ruleId, arn);
  const status = reportStatus(f);
  // A pass is "no issue found": Security Hub's own passed control findings are INFORMATIONAL; the
  // rule's severity stays in Original.
  const severity = { Label: f.status === 'pass' ? 'INFORMATIONAL' : ASFF_SEVERITY[f.severity], Original: f.severity };
  const types = [TYPE_BEST_PRACTICES, ...(rule && controlsOf(rule, 'nist-800-53').length > 0 ? [TYPE_NIST] : [])];
  const first = firstObserved(f, input);
  const helpUri = rule ? ruleHelpUri(rule) : undefined;
  const requirements = rule ? controlRequirements(rule).slice(0, MAX_REQUIREMENTS) : [];
  const details = { ...(name !== undefined ? { name: bounded(name, 1024) } : {}), ...evidenceFields(f) };
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: `linkaudit/${f.ruleId}/${fp}`,
    // A custom integration's product: the default product of the account importing the finding.
    ProductArn: `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`,
    ProductName: input.tool.name,
    CompanyName: input.tool.name,
    GeneratorId: f.ruleId,
    AwsAccountId: account,
    Region: region,
    Types: types,
    ...(first !== undefined ? { FirstObservedAt: first } : {}),
    LastObservedAt: input.snapshot.generatedAt,
    // Security Hub keeps a finding's CreatedAt; an unchanged finding was created when first seen.
    CreatedAt: first ?? input.generatedAt,
    UpdatedAt: input.generatedAt,
    Severity: severity,
    // Providers set severity and types here on updates; the top-level copies are the customer's.
    FindingProviderFields: { Severity: severity, Types: types },
    Title: bounded(rule?.title ?? f.ruleId, MAX_TITLE),
    Description: bounded(f.message.trim() || (rule?.title ?? f.ruleId), MAX_DESCRIPTION),
    ...(rule
      ? { Remediation: { Recommendation: { Text: bounded(rule.remediation.text.trim(), MAX_RECOMMENDATION), ...(helpUri !== undefined ? { Url: helpUri } : {}) } } }
      : {}),
    ...(helpUri !== undefined ? { SourceUrl: helpUri } : {}),
    ProductFields: {
      'linkaudit/ruleId': f.ruleId,
      'linkaudit/status': status,
      'linkaudit/fingerprint': fp,
      'linkaudit/resourceKind': kind,
      ...(f.baseline !== undefined ? { 'linkaudit/baseline': f.baseline } : {}),
      ...(f.suppression ? { 'linkaudit/suppression/source': f.suppression.source, 'linkaudit/suppression/reason': bounded(f.suppression.reason, 1024) } : {}),
    },
    Resources: [
      {
        Type: ASFF_RESOURCE_TYPES[kind],
        Id: arn,
        Partition: partition,
        ...(isGlobal(f.resource.region) ? {} : { Region: f.resource.region }),
        ...(Object.keys(details).length > 0 ? { Details: { Other: details } } : {}),
      },
    ],
    Compliance: { Status: COMPLIANCE[f.status], ...(requirements.length > 0 ? { RelatedRequirements: requirements } : {}) },
    // An accepted risk is suppressed; a pass resolves what an earlier import reported.
    Workflow: { Status: f.suppression ? 'SUPPRESSED' : f.status === 'pass' ? 'RESOLVED' : 'NEW' },
    RecordState: 'ACTIVE',
  };
}
