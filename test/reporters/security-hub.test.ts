import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Finding, RuleMeta } from '../../src/engine/types.js';
import { ASFF_BATCH_SIZE, asffBatches, asffFindings, renderAsffBatch } from '../../src/reporters/asff.js';
import { fingerprint } from '../../src/reporters/fingerprint.js';
import { ocsfFindings, renderOcsf } from '../../src/reporters/ocsf.js';
import { ruleDocsUri } from '../../src/reporters/rule-docs.js';
import type { ReportInput } from '../../src/reporters/types.js';
import { ACCOUNT, FINDINGS, GENERATED_AT, ROLE_ARN, RULES, emptyReportInput, reportInput } from './fixtures.js';

const schema = (name: string): object => JSON.parse(readFileSync(new URL(`./schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validAsff = ajv.compile(schema('asff-batch.schema.json'));
const validOcsf = ajv.compile(schema('ocsf-detection-finding-1.6.schema.json'));

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((x, k) => (x as Obj | undefined)?.[k], o);

/** The fixture's rules with controls, as built-ins have them. */
const RULES_WITH_CONTROLS: RuleMeta[] = RULES.map((r, i) => (i === 0 ? { ...r, controls: { 'nist-800-53': ['SC-7', 'AC-3'], 'aws-fsbp': [] } } : r));

/** `n` fails of the first rule, on distinct connections. */
function manyFails(n: number): Finding[] {
  const base = FINDINGS[0] as Finding;
  return Array.from({ length: n }, (_, i) => ({ ...base, resource: { ...base.resource, arn: `${base.resource.arn}-${String(i).padStart(4, '0')}` } }));
}

const suppressed: Finding = { ...(FINDINGS[1] as Finding), suppression: { source: 'config', reason: 'Accepted until the migration (PLAT-12).', expires: '2025-06-30' } };

function withFinding(f: Finding, extra: Partial<ReportInput> = {}): ReportInput {
  return reportInput({ rules: RULES_WITH_CONTROLS, findings: [f], ...extra });
}

describe('ASFF', () => {
  const input = reportInput({ rules: RULES_WITH_CONTROLS, findings: [...FINDINGS, suppressed] });
  const findings = asffFindings(input);

  it('gives every finding the required attributes Security Hub takes (schema written from the ASFF spec)', () => {
    for (const batch of asffBatches(input)) expect(validAsff(batch), JSON.stringify(validAsff.errors, null, 2)).toBe(true);
    expect(validAsff(asffBatches(emptyReportInput())[0])).toBe(true);
  });

  it('the schema can fail: a missing required attribute, a bad enum, a too long title', () => {
    const f = findings[0] as Obj;
    const { Types: _types, ...noTypes } = f;
    expect(validAsff([noTypes])).toBe(false);
    expect(validAsff([{ ...f, Compliance: { Status: 'OK' } }])).toBe(false);
    expect(validAsff([{ ...f, Title: 'x'.repeat(257) }])).toBe(false);
    expect(validAsff(Array.from({ length: 101 }, () => f))).toBe(false);
  });

  it('batches at most 100 findings: 0 → one empty batch, 100 → one, 101 → 100 and 1', () => {
    expect(asffBatches(emptyReportInput())).toEqual([[]]);
    expect(renderAsffBatch([])).toBe('[]\n');
    const sizes = (n: number): number[] => asffBatches(reportInput({ findings: manyFails(n) })).map((b) => b.length);
    expect(ASFF_BATCH_SIZE).toBe(100);
    expect(sizes(100)).toEqual([100]);
    expect(sizes(101)).toEqual([100, 1]);
    expect(sizes(250)).toEqual([100, 100, 50]);
    // In report order, each finding once.
    const ids = asffBatches(reportInput({ findings: manyFails(101) })).flat().map((f) => f.Id);
    expect(new Set(ids).size).toBe(101);
    expect(ids).toEqual(manyFails(101).map((f) => `linkaudit/${f.ruleId}/${fingerprint(f.ruleId, f.resource.arn)}`));
  });

  it('maps a fail: FAILED, NEW, its own (escalated) severity, ids from the fingerprint, the custom product', () => {
    const f = FINDINGS[0] as Finding;
    const a = asffFindings(withFinding(f))[0] as Obj;
    expect(a).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `linkaudit/${f.ruleId}/${fingerprint(f.ruleId, f.resource.arn)}`,
      ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'connection-shared-externally',
      AwsAccountId: ACCOUNT,
      Region: 'us-east-1',
      CreatedAt: GENERATED_AT,
      UpdatedAt: GENERATED_AT,
      LastObservedAt: '2025-03-01T11:00:00Z',
      Severity: { Label: 'CRITICAL', Original: 'critical' },
      FindingProviderFields: { Severity: { Label: 'CRITICAL', Original: 'critical' } },
      Title: RULES[0]?.title,
      Description: f.message,
      Compliance: { Status: 'FAILED', RelatedRequirements: ['NIST.800-53.r5 AC-3', 'NIST.800-53.r5 SC-7'] },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'Other', Id: f.resource.arn, Partition: 'aws', Region: 'us-east-1' }],
      ProductFields: { 'linkaudit/status': 'fail', 'linkaudit/resourceKind': 'connection' },
    });
    expect(a.Types).toContain('Software and Configuration Checks/Industry and Regulatory Standards/NIST 800-53 Controls (USA)');
    expect(a).not.toHaveProperty('FirstObservedAt');
    // A rule outside the package: its first reference is the remediation's page.
    expect(get(a, 'Remediation.Recommendation.Url')).toBe(RULES[0]?.references[0]);
  });

  it('maps pass, unknown and suppressed', () => {
    const pass = asffFindings(withFinding(FINDINGS[2] as Finding))[0] as Obj;
    expect(pass).toMatchObject({ Compliance: { Status: 'PASSED' }, Workflow: { Status: 'RESOLVED' }, Severity: { Label: 'INFORMATIONAL', Original: 'high' } });
    const unknown = asffFindings(withFinding(FINDINGS[3] as Finding))[0] as Obj;
    expect(unknown).toMatchObject({ Compliance: { Status: 'WARNING' }, Workflow: { Status: 'NEW' }, Severity: { Label: 'HIGH' } });
    const s = asffFindings(withFinding(suppressed))[0] as Obj;
    expect(s).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'SUPPRESSED' }, ProductFields: { 'linkaudit/status': 'suppressed', 'linkaudit/suppression/source': 'config' } });
  });

  it('reports a global (IAM) resource in the partition\'s home region, with its resource type', () => {
    const a = asffFindings(withFinding(FINDINGS[4] as Finding))[0] as Obj;
    expect(a.Region).toBe('us-east-1');
    expect(a.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`);
    expect(a.Resources).toEqual([{ Type: 'AwsIamRole', Id: ROLE_ARN, Partition: 'aws', Details: { Other: { name: 'deploy', 'iamRole.inlinePolicies': '["ci"]' } } }]);
    const cn = asffFindings(withFinding(FINDINGS[4] as Finding, { snapshot: { ...reportInput().snapshot, scope: { partition: 'aws-cn', accounts: [ACCOUNT], regions: ['cn-northwest-1'] } } }))[0] as Obj;
    expect(cn.Region).toBe('cn-north-1');
  });

  it('takes FirstObservedAt from the baseline: when the baseline was written (unchanged), now (new)', () => {
    const baseline = { file: 'last.json', generatedAt: '2025-02-01T00:00:00.000Z', new: 1, unchanged: 1, fixed: [] };
    const unchanged = asffFindings(withFinding({ ...(FINDINGS[0] as Finding), baseline: 'unchanged' }, { baseline }))[0] as Obj;
    expect(unchanged).toMatchObject({ FirstObservedAt: '2025-02-01T00:00:00.000Z', CreatedAt: '2025-02-01T00:00:00.000Z', UpdatedAt: GENERATED_AT, ProductFields: { 'linkaudit/baseline': 'unchanged' } });
    const fresh = asffFindings(withFinding({ ...(FINDINGS[0] as Finding), baseline: 'new' }, { baseline }))[0] as Obj;
    expect(fresh.FirstObservedAt).toBe('2025-03-01T11:00:00Z');
  });

  it('bounds the text Security Hub limits', () => {
    const rule: RuleMeta = { ...(RULES[0] as RuleMeta), title: `T${'t'.repeat(400)}`, remediation: { text: 'r'.repeat(2000) } };
    const a = asffFindings(reportInput({ rules: [rule], findings: [{ ...(FINDINGS[0] as Finding), message: `😀${'m'.repeat(5000)}` }] }))[0] as Obj;
    expect(validAsff([a]), JSON.stringify(validAsff.errors)).toBe(true);
    expect((a.Description as string).length).toBe(1024);
    expect((a.Title as string).endsWith('…')).toBe(true);
  });

  it('links a built-in rule to its docs page', () => {
    const rule: RuleMeta = { ...(RULES[0] as RuleMeta), id: 'connection-unused' };
    const a = asffFindings(reportInput({ rules: [rule], findings: [{ ...(FINDINGS[0] as Finding), ruleId: 'connection-unused' }] }))[0] as Obj;
    expect(get(a, 'Remediation.Recommendation.Url')).toBe('https://github.com/linkaudit/linkaudit/blob/main/docs/rules/connection-unused.md');
    expect(ruleDocsUri('connection-unused')).toBe(get(a, 'Remediation.Recommendation.Url'));
  });

  it('lists only what --results keeps', () => {
    const kept = asffFindings(reportInput({ results: ['fail'] }));
    expect(kept.map((f) => get(f, 'Compliance.Status'))).toEqual(['FAILED', 'FAILED', 'FAILED']);
  });

  it('is deterministic: two renders differ only in the report time', () => {
    const a = renderAsffBatch(asffBatches(input)[0] ?? []);
    expect(renderAsffBatch(asffBatches(input)[0] ?? [])).toBe(a);
    const later = renderAsffBatch(asffBatches({ ...input, generatedAt: '2025-03-02T00:00:00.000Z' })[0] ?? []);
    expect(later.replaceAll('2025-03-02T00:00:00.000Z', GENERATED_AT)).toBe(a);
  });

  it('refuses a scan of templates (placeholder accounts Security Hub would refuse)', () => {
    const iac = reportInput({ snapshot: { ...reportInput().snapshot, source: { kind: 'iac' } } });
    expect(() => asffFindings(iac)).toThrow(/deployed resources/);
    expect(() => ocsfFindings(iac)).toThrow(/deployed resources/);
  });
});

describe('OCSF', () => {
  const input = reportInput({ rules: RULES_WITH_CONTROLS, findings: [...FINDINGS, suppressed] });
  const findings = ocsfFindings(input);

  it('writes Detection Findings of OCSF 1.6 (schema written from the 1.6.0 tag)', () => {
    expect(validOcsf(findings), JSON.stringify(validOcsf.errors, null, 2)).toBe(true);
    expect(JSON.parse(renderOcsf(emptyReportInput()))).toEqual([]);
    expect(JSON.parse(renderOcsf(input))).toEqual(findings);
  });

  it('the schema can fail', () => {
    const f = findings[0] as Obj;
    const { finding_info: _fi, ...noInfo } = f;
    expect(validOcsf([noInfo])).toBe(false);
    expect(validOcsf([{ ...f, class_uid: 2003 }])).toBe(false);
    expect(validOcsf([{ ...f, compliance: {} }])).toBe(false);
  });

  it('maps class, activity, status and severity by result', () => {
    const by = (f: Finding): Obj => ocsfFindings(withFinding(f))[0] as Obj;
    expect(by(FINDINGS[0] as Finding)).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      status_id: 1,
      severity_id: 5,
      is_alert: true,
      time: Date.parse(GENERATED_AT),
      cloud: { provider: 'AWS', account: { uid: ACCOUNT, type_id: 10 }, region: 'us-east-1' },
      unmapped: { compliance: { status_id: 3, status: 'Fail', requirements: ['NIST.800-53.r5 AC-3', 'NIST.800-53.r5 SC-7'], standards: ['NIST SP 800-53 Rev. 5'] } },
    });
    // A pass closes the finding: Security Hub then takes it for resolved.
    expect(by(FINDINGS[2] as Finding)).toMatchObject({ activity_id: 3, activity_name: 'Close', type_uid: 200403, status_id: 4, severity_id: 1, is_alert: false, unmapped: { compliance: { status_id: 1 } } });
    expect(by(FINDINGS[3] as Finding)).toMatchObject({ activity_id: 1, status_id: 1, severity_id: 4, unmapped: { compliance: { status_id: 2, status: 'Warning' } } });
    expect(by(suppressed)).toMatchObject({ status_id: 3, status: 'Suppressed', is_alert: false, unmapped: { linkaudit: { status: 'suppressed' } } });
    expect(by({ ...(FINDINGS[0] as Finding), baseline: 'unchanged' })).toMatchObject({ activity_id: 2, type_uid: 200402 });
    const iam = by(FINDINGS[4] as Finding);
    expect(iam).toMatchObject({ resources: [{ uid: ROLE_ARN, type: 'AwsIamRole', name: 'deploy' }], cloud: { region: 'us-east-1' } });
    expect(get(iam, 'resources.0')).not.toHaveProperty('region');
  });

  it('uses the fingerprint for the finding id, as ASFF does', () => {
    const f = FINDINGS[0] as Finding;
    expect(get(ocsfFindings(withFinding(f))[0], 'finding_info.uid')).toBe(get(asffFindings(withFinding(f))[0], 'Id'));
  });

  it('is deterministic', () => {
    expect(renderOcsf(input)).toBe(renderOcsf(input));
  });
});
