import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { expectTablesIntact } from './markdown-checks.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { decideGate } from '../../src/engine/gate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import type { Finding } from '../../src/engine/types.js';
import { iacArn } from '../../src/model/arn.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { EndpointService, IacOrigin } from '../../src/model/types.js';
import { fingerprint } from '../../src/reporters/fingerprint.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderJunit } from '../../src/reporters/junit.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { loadReportFile, mergeReports } from '../../src/reporters/merge.js';
import { renderSarif, sarifUri } from '../../src/reporters/sarif.js';
import type { ReportInput } from '../../src/reporters/types.js';
import { validator } from '../../src/schema/validate.js';
import { multitoolErrors } from '../helpers/sarif-multitool.js';
import { emptySnapshot, endpointService } from '../helpers/snapshot.js';

const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const addFormats = addFormatsModule as unknown as (ajv: InstanceType<typeof AjvDraft04>) => unknown;
const sarifSchema = JSON.parse(readFileSync(resolve(process.cwd(), '../shared/schemas/sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new AjvDraft04({ strict: false, allErrors: true });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

const ACCOUNT = '111122223333';
const CWD = '/repo';

// Three resources as the adapters place them: a YAML template's logical-id key (`  OpenService:`
// at line 12, column 3, through line 20), a CDK resource in the synthesized template, a Terraform
// resource block in a local module. Each sets acceptanceRequired on a line of its own.
const ORIGINS: Record<string, IacOrigin> = {
  cfn: {
    format: 'cloudformation',
    id: 'templates/net.yaml#OpenService',
    location: { file: 'templates/net.yaml', line: 12, column: 3, endLine: 20, endColumn: 34 },
    logicalId: 'OpenService',
    properties: {
      acceptanceRequired: { file: 'templates/net.yaml', line: 15, column: 7, endLine: 15, endColumn: 33 },
      allowedPrincipals: { file: 'templates/net.yaml', line: 24, column: 7, endLine: 25, endColumn: 12 },
    },
  },
  cdk: {
    format: 'cdk',
    id: 'NetStack#OpenService1A2B3C4D',
    location: { file: 'cdk.out/NetStack.template.json', line: 4, column: 5, endLine: 14, endColumn: 6 },
    logicalId: 'OpenService1A2B3C4D',
    stack: 'NetStack',
    constructPath: 'NetStack/OpenService/Resource',
    properties: { acceptanceRequired: { file: 'cdk.out/NetStack.template.json', line: 7, column: 9, endLine: 7, endColumn: 36 } },
  },
  tf: {
    format: 'terraform',
    id: 'plan.json#module.ci.aws_vpc_endpoint_service.open["api"]',
    location: { file: 'modules/ci/main.tf', line: 3, column: 1, endLine: 9, endColumn: 2 },
    address: 'module.ci.aws_vpc_endpoint_service.open["api"]',
    properties: { acceptanceRequired: { file: 'modules/ci/main.tf', line: 4, column: 3, endLine: 4, endColumn: 31 } },
  },
  outside: {
    format: 'cloudformation',
    id: '../shared/other.yaml#Svc',
    location: { file: '../shared/other.yaml', line: 5, column: 3, endLine: 8, endColumn: 20 },
    logicalId: 'Svc',
  },
};

function service(key: string): EndpointService {
  const origin = ORIGINS[key] as IacOrigin;
  return endpointService(`iac:${origin.id}`, {
    arn: iacArn('endpointService', 'aws', 'us-east-1', ACCOUNT, origin.id),
    acceptanceRequired: false,
    allowedPrincipals: [{ principal: '*', principalType: 'All' }],
    origin,
  });
}

const ruleSet = loadRuleSet();
const rules = ruleSet.rules.filter((r) => ['endpoint-service-acceptance-disabled', 'endpoint-service-single-az'].includes(r.meta.id));
const snapshot = validateSnapshot(emptySnapshot({ source: { kind: 'iac' }, endpointServices: Object.keys(ORIGINS).map(service) }), 'iac');
const findings: Finding[] = evaluateRules(rules, snapshot, { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 }, ruleSet.runtime.bind).findings;

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    tool: { name: 'linkaudit', version: '0.1.0', informationUri: 'https://github.com/linkaudit/linkaudit' },
    generatedAt: '2026-01-15T00:00:00.000Z',
    snapshot: {
      schemaVersion: 1,
      generatedAt: '2026-01-15T00:00:00.000Z',
      source: { kind: 'iac', tool: 'linkaudit', description: 'templates/net.yaml' },
      scope: snapshot.scope,
      inputs: [
        { file: 'templates/net.yaml', format: 'cloudformation', resources: 2, unmapped: 1 },
        { file: 'cdk.out', format: 'cdk', resources: 1, unmapped: 0 },
      ],
      skipped: 3,
    },
    rules: rules.map((r) => r.meta),
    findings,
    coverage: [],
    gate: decideGate(findings, rules, 'high', false, { source: 'iac' }),
    sarifCategory: 'linkaudit/iac',
    cwd: CWD,
    sarifRoot: CWD,
    ...overrides,
  };
}

const byLogical = (log: Sarif.Log, name: string): Sarif.Result => {
  const r = log.runs[0]?.results?.find((x) => x.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName === name);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
};

describe('SARIF for findings on resources declared in infrastructure as code', () => {
  const text = renderSarif(input());
  const log = JSON.parse(text) as Sarif.Log;
  const fails = (log.runs[0]?.results ?? []).filter((r) => r.ruleId === 'endpoint-service-acceptance-disabled');

  it('is valid SARIF 2.1.0 (OASIS schema)', () => {
    expect(validateSarif(log), JSON.stringify(validateSarif.errors, null, 2)).toBe(true);
    expect(fails).toHaveLength(4);
  });

  it('places a CloudFormation finding on the logical-id key, its last line, and the properties the rule names', () => {
    const r = byLogical(log, 'OpenService');
    expect(r.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'templates/net.yaml' },
      region: { startLine: 12, startColumn: 3, endLine: 20, endColumn: 34 },
    });
    expect(r.relatedLocations).toEqual([
      { id: 0, physicalLocation: { artifactLocation: { uri: 'templates/net.yaml' }, region: { startLine: 15, startColumn: 7, endLine: 15, endColumn: 33 } }, message: { text: 'Where the template sets acceptanceRequired.' } },
      { id: 1, physicalLocation: { artifactLocation: { uri: 'templates/net.yaml' }, region: { startLine: 24, startColumn: 7, endLine: 25, endColumn: 12 } }, message: { text: 'Where the template sets allowedPrincipals.' } },
    ]);
    expect(r.locations?.[0]?.logicalLocations).toEqual([
      { name: 'OpenService', fullyQualifiedName: 'OpenService', kind: 'resource' },
      { fullyQualifiedName: `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-endpoint-service/iac:templates/net.yaml#OpenService`, kind: 'resource' },
    ]);
    expect(r.message.text).toMatch(/ Declared: OpenService at templates\/net\.yaml:12\.$/);
  });

  it('a CDK finding: the synthesized template in cdk.out, the construct path in the message and logical locations', () => {
    const r = byLogical(log, 'NetStack/OpenService/Resource');
    expect(r.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'cdk.out/NetStack.template.json' },
      region: { startLine: 4, startColumn: 5, endLine: 14, endColumn: 6 },
    });
    expect(r.relatedLocations?.map((l) => l.physicalLocation?.region?.startLine)).toEqual([7]);
    expect(r.locations?.[0]?.logicalLocations?.[0]).toEqual({ name: 'OpenService1A2B3C4D', fullyQualifiedName: 'NetStack/OpenService/Resource', kind: 'resource' });
    expect(r.message.text).toMatch(/ Declared: OpenService1A2B3C4D \(construct NetStack\/OpenService\/Resource, stack NetStack\) at cdk\.out\/NetStack\.template\.json:4\.$/);
  });

  it('a Terraform finding: the resource block in the module\'s .tf file, the full address in the message and logical locations', () => {
    const address = 'module.ci.aws_vpc_endpoint_service.open["api"]';
    const r = byLogical(log, address);
    expect(r.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'modules/ci/main.tf' }, region: { startLine: 3, startColumn: 1, endLine: 9, endColumn: 2 } });
    expect(r.relatedLocations?.map((l) => [l.physicalLocation?.artifactLocation?.uri, l.physicalLocation?.region?.startLine])).toEqual([['modules/ci/main.tf', 4]]);
    expect(r.message.text).toContain(`Declared: ${address} at modules/ci/main.tf:3.`);
  });

  it('a file outside --sarif-root keeps the pseudo path, the file in a property', () => {
    const r = byLogical(log, 'Svc');
    const loc = r.locations?.[0]?.physicalLocation;
    expect(loc?.artifactLocation?.uri).toMatch(/^aws\/aws\/111122223333\/us-east-1\/ec2\/vpc-endpoint-service\//);
    expect(loc?.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
    expect((r.properties?.iac as Record<string, unknown>)).toMatchObject({ file: '../shared/other.yaml', line: 5 });
    expect(r.relatedLocations).toBeUndefined();
  });

  it('fingerprints stay rule + ARN, and the ARN comes from the origin id (not a line)', () => {
    for (const r of fails) {
      const arn = r.locations?.[0]?.logicalLocations?.[1]?.fullyQualifiedName ?? '';
      expect(arn).toMatch(/\/iac:/);
      expect(r.partialFingerprints?.primaryLocationLineHash).toBe(fingerprint(r.ruleId ?? '', arn));
    }
  });

  it('URIs are relative to --sarif-root, percent-encoded, never climbing out of it', () => {
    expect(sarifUri('templates/net.yaml', { cwd: CWD, sarifRoot: '/repo/templates' })).toBe('net.yaml');
    expect(sarifUri('a b/c:d#e.yaml', { cwd: CWD, sarifRoot: CWD })).toBe('a%20b/c%3Ad%23e.yaml');
    expect(sarifUri('../x.yaml', { cwd: CWD, sarifRoot: CWD })).toBeUndefined();
    expect(sarifUri('/etc/x.yaml', { cwd: CWD, sarifRoot: CWD })).toBeUndefined();
  });

  it('lines and columns an adapter got wrong (0, -1) never reach the report', () => {
    const f = findings[0] as Finding;
    const origin: IacOrigin = { ...(ORIGINS.cfn as IacOrigin), location: { file: 'a.yaml', line: 0, column: -1, endLine: 0, endColumn: 0 }, properties: {} };
    const bad: Finding = { ruleId: f.ruleId, status: 'fail', severity: f.severity, message: f.message, evidence: [], resource: { ...f.resource, origin } };
    const r = (JSON.parse(renderSarif(input({ findings: [bad] }))) as Sarif.Log).runs[0]?.results?.[0];
    expect(r?.locations?.[0]?.physicalLocation?.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
  });

  describe('Microsoft SARIF multitool with GitHub ingestion rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-sarif-iac-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('accepts the IaC report', () => {
      const file = join(dir, 'iac.sarif');
      writeFileSync(file, text);
      expect(multitoolErrors(file)).toEqual([]);
    });
  });
});

describe('JSON, Markdown and JUnit name the file:line and the logical id / construct path / address', () => {
  it('JSON: location and ids per finding, inputs and skipped in the snapshot section; valid against report.schema.json', () => {
    const doc = JSON.parse(renderJson(input())) as { snapshot: Record<string, unknown>; findings: Array<Record<string, unknown>> };
    const validate = validator('report');
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(doc.snapshot).toMatchObject({ inputs: [{ file: 'templates/net.yaml', format: 'cloudformation', resources: 2, unmapped: 1 }, { file: 'cdk.out', format: 'cdk', resources: 1, unmapped: 0 }], skipped: 3 });
    const cdk = doc.findings.find((f) => f.constructPath === 'NetStack/OpenService/Resource');
    expect(cdk).toMatchObject({
      location: { file: 'cdk.out/NetStack.template.json', line: 4, column: 5, endLine: 14, endColumn: 6 },
      format: 'cdk',
      originId: 'NetStack#OpenService1A2B3C4D',
      logicalId: 'OpenService1A2B3C4D',
      stack: 'NetStack',
    });
    const tf = doc.findings.find((f) => f.address === 'module.ci.aws_vpc_endpoint_service.open["api"]');
    expect(tf).toMatchObject({ location: { file: 'modules/ci/main.tf', line: 3 }, format: 'terraform' });
    expect(tf).not.toHaveProperty('logicalId');
  });

  it('Markdown: `file:line` and the logical id (construct path / address), escaped; the inputs listed', () => {
    const md = renderMarkdown(input());
    expect(md).toContain('| `templates/net.yaml:12` `OpenService` |');
    expect(md).toContain('`cdk.out/NetStack.template.json:4` `OpenService1A2B3C4D (construct NetStack/OpenService/Resource, stack NetStack)`');
    expect(md).toContain('`modules/ci/main.tf:3` `module.ci.aws_vpc_endpoint_service.open["api"]`');
    expect(md).toContain('Inputs: `templates/net.yaml` (cloudformation, 2 resource(s), 1 of unmapped types), `cdk.out` (cdk, 1 resource(s)); 3 file(s) skipped (not a template).');
    const hostile: IacOrigin = { ...(ORIGINS.cfn as IacOrigin), logicalId: 'A|B`C', location: { file: 'x|y.yaml', line: 2, column: 1, endLine: 3, endColumn: 1 } };
    const f = findings[0] as Finding;
    const md2 = renderMarkdown(input({ findings: [{ ruleId: f.ruleId, status: 'fail', severity: f.severity, message: f.message, evidence: [], resource: { ...f.resource, origin: hostile } }] }));
    expect(md2).toContain('``A\\|B`C``');
    expect(md2).toContain('`x\\|y.yaml:2`');
  });

  it('JUnit: the testcase carries file and line', () => {
    const xml = renderJunit(input());
    expect(xml).toContain('name="OpenService (arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/iac:templates/net.yaml#OpenService)" file="templates/net.yaml" line="12"');
    expect(xml).toContain('file="modules/ci/main.tf" line="3"');
    expect(xml).toContain('Declared: module.ci.aws_vpc_endpoint_service.open["api"] at modules/ci/main.tf:3');
  });
});

describe('a JSON report read back (merge, baseline) keeps the declarations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-iac-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('merging IaC reports places SARIF results on the template lines again and keeps the inputs', () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, renderJson(input()));
    const doc = loadReportFile(file);
    const cdk = doc.findings.find((f) => f.resource.origin?.constructPath === 'NetStack/OpenService/Resource');
    expect(cdk?.resource.origin).toEqual({ format: 'cdk', id: 'NetStack#OpenService1A2B3C4D', location: { file: 'cdk.out/NetStack.template.json', line: 4, column: 5, endLine: 14, endColumn: 6 }, logicalId: 'OpenService1A2B3C4D', stack: 'NetStack', constructPath: 'NetStack/OpenService/Resource' });
    expect(cdk).not.toHaveProperty('location');
    const merged = mergeReports([{ file, report: doc }]);
    expect(merged.snapshot).toMatchObject({ inputs: input().snapshot.inputs, skipped: 3 });
    const log = JSON.parse(renderSarif({ ...merged, cwd: CWD, sarifRoot: CWD })) as Sarif.Log;
    expect(byLogical(log, 'NetStack/OpenService/Resource').locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'cdk.out/NetStack.template.json' },
      region: { startLine: 4, startColumn: 5, endLine: 14, endColumn: 6 },
    });
    // The merged JSON is still a valid report.
    const validate = validator('report');
    expect(validate(JSON.parse(renderJson(merged))), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('hostile paths and ids (user-controlled) in IaC reports', () => {
  const hostile = fc
    .array(fc.oneof(fc.constantFrom('|', '`', '<script>', '](javascript:x)', '\n', '\r', '\t', '\u001b[2J', '\u0000', '\u0085', '\u202e', '\\', '..', '/', ':', '%', '#'), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 8 })
    .map((parts) => parts.join(''));
  const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const RAW_CONTROL_OR_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const hostileInput = (file: string, id: string): ReportInput => {
    const f = findings.find((x) => x.status === 'fail') as Finding;
    const origin: IacOrigin = { format: 'cdk', id: `${id}#${id}`, location: { file, line: 3, column: 1, endLine: 4, endColumn: 2 }, logicalId: id, constructPath: `${id}/x`, stack: id, properties: { acceptanceRequired: { file, line: 3, column: 5, endLine: 3, endColumn: 9 } } };
    const finding: Finding = { ruleId: f.ruleId, status: 'fail', severity: f.severity, message: f.message, evidence: [{ path: 'endpointService.acceptanceRequired', value: false }], resource: { ...f.resource, origin } };
    return input({ findings: [finding, { ...finding, status: 'unknown' }] });
  };

  it('SARIF: no raw control character in messages, URIs relative and inside the root', () => {
    fc.assert(
      fc.property(hostile, hostile, (file, id) => {
        const log = JSON.parse(renderSarif(hostileInput(file, id))) as Sarif.Log;
        const run = log.runs[0] as Sarif.Run;
        for (const t of [...(run.results ?? []).map((r) => r.message.text ?? ''), ...(run.invocations?.[0]?.toolExecutionNotifications ?? []).map((n) => n.message.text ?? '')]) expect(t).not.toMatch(RAW_CONTROL_OR_LAYOUT);
        for (const r of run.results ?? []) {
          for (const loc of [...(r.locations ?? []), ...(r.relatedLocations ?? [])]) {
            const uri = loc.physicalLocation?.artifactLocation?.uri ?? '';
            expect(uri).not.toMatch(/^[a-z][a-z0-9+.-]*:/i);
            expect(new URL(uri, 'https://example.com/repo/').pathname.startsWith('/repo/')).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('Markdown keeps its tables; JUnit is well-formed with no raw control character', () => {
    fc.assert(
      fc.property(hostile, hostile, (file, id) => {
        const md = renderMarkdown(hostileInput(file, id));
        expect(md).not.toMatch(RAW_CONTROL);
        expectTablesIntact(md);
        const xml = renderJunit(hostileInput(file, id));
        expect(XMLValidator.validate(xml)).toBe(true);
        expect(xml).not.toMatch(RAW_CONTROL);
      }),
      { numRuns: 200 },
    );
  });
});
