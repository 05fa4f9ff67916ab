// What the two Security Hub formats (asff.ts, ocsf.ts) share: where a finding is reported, how
// statuses and severities translate, and the bounds on the text they carry.
import type { Severity } from '../engine/severity.js';
import type { Finding, RuleMeta } from '../engine/types.js';
import type { ResourceKind } from '../model/types.js';
import { UserError } from '../errors.js';
import type { ReportInput } from './types.js';

/**
 * ASFF `Resources[].Type` of each kind: Security Hub's resource type where one exists, `Other`
 * where none does (connections, hosts, interface endpoints, pipelines, source credentials).
 */
export const ASFF_RESOURCE_TYPES: Readonly<Record<ResourceKind, string>> = {
  connection: 'Other',
  host: 'Other',
  vpcEndpoint: 'Other',
  endpointService: 'AwsEc2VpcEndpointService',
  iamUser: 'AwsIamUser',
  iamGroup: 'AwsIamGroup',
  iamRole: 'AwsIamRole',
  iamPolicy: 'AwsIamPolicy',
  pipeline: 'Other',
  buildProject: 'AwsCodeBuildProject',
  sourceCredential: 'Other',
};

/**
 * IAM resources are global (region "global" in the model), but a Security Hub finding lives in a
 * region: the partition's IAM home region, where AWS Config records global resources by default.
 */
const GLOBAL_HOME: Readonly<Record<string, string>> = { aws: 'us-east-1', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

export function isGlobal(region: string): boolean {
  return region === 'global' || region === '';
}

/** The region a finding is reported in (ASFF Region and ProductArn, OCSF cloud.region). */
export function findingRegion(f: Finding, input: Pick<ReportInput, 'snapshot'>): string {
  if (!isGlobal(f.resource.region)) return f.resource.region;
  const { partition, regions } = input.snapshot.scope;
  return GLOBAL_HOME[partition] ?? [...regions].sort()[0] ?? 'us-east-1';
}

/**
 * Security Hub holds findings on deployed resources in real accounts; a template's resources have
 * placeholder accounts and regions (`000000000000`, `aa-unknown-0`) that no import would accept.
 */
export function refuseIac(format: 'ocsf' | 'asff', input: Pick<ReportInput, 'snapshot'>): void {
  if (input.snapshot.source.kind === 'iac') {
    throw new UserError(`--format ${format}: Security Hub holds findings on deployed resources; scan --iac judges templates (use sarif, json or markdown for them)`);
  }
}

export const ASFF_SEVERITY: Readonly<Record<Severity, string>> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFORMATIONAL' };

/** Cut to at most `max` UTF-16 units (Security Hub's limits count characters), never inside a surrogate pair. */
export function bounded(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

/**
 * Baseline: an unchanged finding was already seen when the baseline report was written, the
 * earliest time this run knows of; a new one first now. Without a baseline, nothing is known.
 */
export function firstObserved(f: Finding, input: Pick<ReportInput, 'baseline' | 'snapshot'>): string | undefined {
  if (!input.baseline || f.baseline === undefined) return undefined;
  return f.baseline === 'unchanged' ? input.baseline.generatedAt : input.snapshot.generatedAt;
}

/** A rule's metadata by id; a finding's rule is always among the rules of its report. */
export function rulesById(input: Pick<ReportInput, 'rules'>): Map<string, RuleMeta> {
  return new Map(input.rules.map((r) => [r.id, r]));
}

/** Evidence as short strings (ASFF `Details.Other` is a map of strings; OCSF takes the same). */
export function evidenceFields(f: Finding, max = 20): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of f.evidence.slice(0, max)) {
    const value = e.value === undefined ? 'null' : typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
    out[bounded(e.path, 128)] = bounded(value ?? 'null', 1024);
  }
  return out;
}
