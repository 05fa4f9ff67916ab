import type { Severity } from '../engine/severity.js';
import type { Finding, RuleMeta } from '../engine/types.js';
import { controlRequirements, controlStandards } from './compliance.js';
import { fingerprint } from './fingerprint.js';
import { keptFindings, reportStatus } from './json.js';
import { ASFF_RESOURCE_TYPES, evidenceFields, findingRegion, firstObserved, isGlobal, refuseIac, rulesById } from './ocsf-asff-common.js';
import { ruleHelpUri } from './rule-docs.js';
import type { ReportInput } from './types.js';

/** The OCSF version Security Hub reads. */
export const OCSF_VERSION = '1.6.0';
const CLASS_UID = 2004;
const CATEGORY_UID = 2;

const SEVERITY: Record<Severity, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};

/** Finding activity: Security Hub takes every finding whose activity is not Close for an active one. */
const ACTIVITY = { create: [1, 'Create'], update: [2, 'Update'], close: [3, 'Close'] } as const;
/** Finding status (the finding class's own enum). */
const STATUS = { new: [1, 'New'], suppressed: [3, 'Suppressed'], resolved: [4, 'Resolved'] } as const;
/** compliance.status_id: the check's result. */
const COMPLIANCE: Record<Finding['status'], [number, string]> = { pass: [1, 'Pass'], unknown: [2, 'Warning'], fail: [3, 'Fail'] };

export type OcsfFinding = Record<string, unknown>;

/** OCSF 1.6 Detection Findings (docs/security-hub.md), one per (rule, resource) `--results` keeps. */
export function ocsfFindings(input: ReportInput): OcsfFinding[] {
  refuseIac('ocsf', input);
  const rules = rulesById(input);
  return Array.from(keptFindings(input).read(), (f) => ocsfFinding(f, rules.get(f.ruleId), input));
}

/** A JSON array, one finding per line (`jq -c '.[]'` gives JSON Lines). */
export function renderOcsf(input: ReportInput): string {
  return [...ocsfChunks(input)].join('');
}

/**
 * The same text, a finding at a time: an organization's findings as OCSF are more than the
 * longest string V8 makes (2^29 - 24 characters), and more than is worth holding as objects.
 */
export function* ocsfChunks(input: ReportInput): Generator<string> {
  refuseIac('ocsf', input);
  const rules = rulesById(input);
  let first = true;
  for (const f of keptFindings(input).read()) {
    yield `${first ? '[\n' : ',\n'}  ${JSON.stringify(ocsfFinding(f, rules.get(f.ruleId), input))}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

const ms = (iso: string): number => Date.parse(iso);

export function ocsfFinding(f: Finding, rule: RuleMeta | undefined, input: ReportInput): OcsfFinding {
  const { arn, account, kind, name } = f.resource;
  const fp = fingerprint(f.ruleId, arn);
  const region = findingRegion(f, input);
  // A pass closes what an earlier run reported; an unchanged result (against --baseline) updates it.
  const [activityId, activityName] = f.status === 'pass' ? ACTIVITY.close : f.baseline === 'unchanged' ? ACTIVITY.update : ACTIVITY.create;
  const [statusId, statusName] = f.suppression ? STATUS.suppressed : f.status === 'pass' ? STATUS.resolved : STATUS.new;
  const [severityId, severityName] = f.status === 'pass' ? SEVERITY.info : SEVERITY[f.severity];
  const [complianceId, complianceName] = COMPLIANCE[f.status];
  const first = firstObserved(f, input);
  const helpUri = rule ? ruleHelpUri(rule) : undefined;
  const requirements = rule ? controlRequirements(rule) : [];
  const standards = rule ? controlStandards(rule) : [];
  const created = first ?? input.generatedAt;
  return {
    activity_id: activityId,
    activity_name: activityName,
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: CLASS_UID * 100 + activityId,
    type_name: `Detection Finding: ${activityName}`,
    severity_id: severityId,
    severity: severityName,
    status_id: statusId,
    status: statusName,
    time: ms(input.generatedAt),
    time_dt: input.generatedAt,
    message: f.message,
    is_alert: f.status === 'fail' && !f.suppression,
    metadata: {
      version: OCSF_VERSION,
      product: { name: input.tool.name, vendor_name: input.tool.name, version: input.tool.version, url_string: input.tool.informationUri },
      profiles: ['cloud', 'datetime'],
    },
    finding_info: {
      uid: `linkaudit/${f.ruleId}/${fp}`,
      title: rule?.title ?? f.ruleId,
      ...(rule ? { desc: rule.description } : {}),
      types: ['Software and Configuration Checks'],
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: 'Rule' },
      created_time: ms(created),
      created_time_dt: created,
      modified_time: ms(input.generatedAt),
      modified_time_dt: input.generatedAt,
      ...(first !== undefined ? { first_seen_time: ms(first), first_seen_time_dt: first } : {}),
      last_seen_time: ms(input.snapshot.generatedAt),
      last_seen_time_dt: input.snapshot.generatedAt,
      ...(helpUri !== undefined ? { src_url: helpUri } : {}),
    },
    ...(rule ? { remediation: { desc: rule.remediation.text.trim(), references: [...new Set([...(helpUri !== undefined ? [helpUri] : []), ...rule.references])] } } : {}),
    resources: [
      {
        uid: arn,
        ...(name !== undefined ? { name } : {}),
        type: ASFF_RESOURCE_TYPES[kind],
        labels: [`linkaudit:${kind}`],
        cloud_partition: input.snapshot.scope.partition,
        ...(isGlobal(f.resource.region) ? {} : { region: f.resource.region }),
        ...(f.evidence.length > 0 ? { data: { evidence: evidenceFields(f) } } : {}),
      },
    ],
    cloud: { provider: 'AWS', account: { uid: account, type_id: 10, type: 'AWS Account' }, region, cloud_partition: input.snapshot.scope.partition },
    // Detection Finding has no compliance attribute (Compliance Finding has); the controls and the
    // check's result ride in `unmapped`, in the shape of OCSF's compliance object.
    unmapped: {
      compliance: { status_id: complianceId, status: complianceName, ...(requirements.length > 0 ? { requirements } : {}), ...(standards.length > 0 ? { standards } : {}) },
      linkaudit: {
        rule_id: f.ruleId,
        status: reportStatus(f),
        fingerprint: fp,
        resource_kind: kind,
        ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
        ...(f.suppression ? { suppression: { source: f.suppression.source, reason: f.suppression.reason, ...(f.suppression.expires !== undefined ? { expires: f.suppression.expires } : {}) } } : {}),
      },
    },
  };
}
