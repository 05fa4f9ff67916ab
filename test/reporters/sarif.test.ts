import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { fingerprint } from '../../src/reporters/fingerprint.js';
import { MAX_SARIF_RESULTS, pascalCase, renderSarif, sarifChunks } from '../../src/reporters/sarif.js';
import { multitoolErrors } from '../helpers/sarif-multitool.js';
import { FINDINGS, GENERATED_AT, ROLE_ARN, RULES, emptyReportInput, reportInput } from './fixtures.js';

// Both packages are CommonJS: under NodeNext the default import is module.exports, the value itself.
const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const addFormats = addFormatsModule as unknown as (ajv: InstanceType<typeof AjvDraft04>) => unknown;

const sarifSchema = JSON.parse(readFileSync(resolve(process.cwd(), '../shared/schemas/sarif-schema-2.1.0.json'), 'utf8')) as object;
const ajv = new AjvDraft04({ strict: false, allErrors: true });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

const parse = (text: string): Sarif.Log => JSON.parse(text) as Sarif.Log;
const onlyRun = (log: Sarif.Log): Sarif.Run => {
  expect(log.runs).toHaveLength(1);
  return log.runs[0]!;
};

describe('renderSarif', () => {
  const text = renderSarif(reportInput());
  const log = parse(text);
  const run = onlyRun(log);
  const rules = run.tool.driver.rules ?? [];
  const results = run.results ?? [];

  it('is valid SARIF 2.1.0', () => {
    expect(validateSarif(log), JSON.stringify(validateSarif.errors, null, 2)).toBe(true);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('describes the tool and every rule that ran, including rules with no result', () => {
    const { driver } = run.tool;
    expect(driver).toMatchObject({ name: 'linkaudit', semanticVersion: '0.1.0', version: '0.1.0', informationUri: 'https://github.com/linkaudit/linkaudit' });
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(rules.map((r) => r.name)).toEqual(['ConnectionSharedExternally', 'RolePassroleWildcard', 'VpceNoPolicy']);
    const [conn, role, vpce] = rules;
    expect(conn).toMatchObject({
      shortDescription: { text: RULES[0]!.title },
      helpUri: RULES[0]!.references[0],
      defaultConfiguration: { level: 'error' },
      properties: { precision: 'high', 'security-severity': '8.0', 'problem.severity': 'error' },
    });
    expect(role).toMatchObject({ defaultConfiguration: { level: 'warning' }, properties: { 'security-severity': '5.5', 'problem.severity': 'warning' } });
    expect(vpce).toMatchObject({ defaultConfiguration: { level: 'note' }, properties: { 'security-severity': '2.0', 'problem.severity': 'recommendation' } });
  });

  it('writes help with remediation snippets, escalations and references', () => {
    const md = rules[0]!.help?.markdown ?? '';
    expect(md).toContain('aws codeconnections delete-resource-policy');
    expect(md).toMatch(/```sh\naws codeconnections/);
    // The CloudFormation snippet holds a ``` run, so its fence must be longer.
    expect(md).toMatch(/````yaml\nType: AWS::CodeConnections::Connection[\s\S]*\n````/);
    expect(md).toContain('**critical**: the policy allows any principal');
    expect(md).toContain(`- <${RULES[0]!.references[1]!}>`);
    const plain = rules[0]!.help?.text ?? '';
    expect(plain).toContain('Remediation: Remove the external principals');
    expect(plain).toContain('- critical: the policy allows any principal');
  });

  it('meets GitHub limits on rules', () => {
    for (const r of rules) {
      const tags = r.properties?.tags ?? [];
      expect(tags.length).toBeLessThanOrEqual(10);
      expect(tags).toContain('security');
      expect(new Set(tags).size).toBe(tags.length);
      expect(typeof r.properties?.['security-severity']).toBe('string');
      expect(r.fullDescription?.text.length).toBeLessThanOrEqual(1024);
    }
    // The fixture's 1500-character description is cut, not dropped.
    expect(rules[1]!.fullDescription?.text).toMatch(/^x{1023}…$/);
  });

  it('reports only fails as results, each locatable by code scanning', () => {
    const fails = FINDINGS.filter((f) => f.status === 'fail');
    expect(results.map((r) => [r.ruleId, r.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName])).toEqual(
      fails.map((f) => [f.ruleId, f.resource.arn]),
    );
    for (const r of results) {
      expect(rules[r.ruleIndex!]?.id).toBe(r.ruleId);
      const phys = r.locations?.[0]?.physicalLocation;
      const uri = phys?.artifactLocation?.uri ?? '';
      expect(uri).not.toBe('');
      expect(uri).not.toContain(':');
      expect(uri).not.toMatch(/^[a-z][a-z0-9+.-]*:\/\//i);
      expect(phys?.artifactLocation?.uriBaseId).toBeUndefined();
      expect(phys?.region?.startLine).toBe(1);
      expect(r.partialFingerprints?.primaryLocationLineHash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.message.text?.endsWith('.')).toBe(true);
    }
  });

  it('maps one fail completely', () => {
    const role = results.find((r) => r.ruleId === 'role-passrole-wildcard')!;
    expect(role).toMatchObject({
      ruleIndex: 1,
      level: 'warning',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'aws/aws/111122223333/global/iam/role/team/deploy' },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
          },
          logicalLocations: [{ fullyQualifiedName: ROLE_ARN, kind: 'resource' }],
        },
      ],
      partialFingerprints: { primaryLocationLineHash: fingerprint('role-passrole-wildcard', ROLE_ARN) },
      properties: { severity: 'medium', account: '111122223333', region: 'global', resourceKind: 'iamRole', evidence: [{ path: 'iamRole.inlinePolicies', value: ['ci'] }] },
    });
    expect(role.message.text).toContain('Role deploy allows iam:PassRole');
    expect(role.message.text?.endsWith(`Resource: ${ROLE_ARN}.`)).toBe(true);
    // The escalated fail carries its own level; the rule keeps its default.
    const escalated = results.find((r) => r.partialFingerprints?.primaryLocationLineHash === fingerprint('connection-shared-externally', FINDINGS[0]!.resource.arn));
    expect(escalated?.level).toBe('error');
    expect(escalated?.message.text).toBe(`Connection github-main allows "*" to use it. Resource: ${FINDINGS[0]!.resource.arn}.`);
  });

  it('turns unknown results and coverage gaps into notifications, not alerts', () => {
    const notes = run.invocations?.[0]?.toolExecutionNotifications ?? [];
    expect(run.invocations?.[0]).toMatchObject({ executionSuccessful: true, endTimeUtc: GENERATED_AT });
    expect(run.invocations?.[0]?.startTimeUtc).toBeUndefined();
    const unknowns = FINDINGS.filter((f) => f.status === 'unknown');
    expect(notes).toHaveLength(unknowns.length + 2);
    for (const u of unknowns) {
      expect(results.some((r) => r.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName === u.resource.arn)).toBe(false);
      const note = notes.find((n) => n.message.text === `${u.ruleId}: ${u.message} Resource: ${u.resource.arn}.`);
      expect(note).toMatchObject({ level: 'warning', associatedRule: { id: u.ruleId, index: RULES.findIndex((r) => r.id === u.ruleId) } });
    }
    const gaps = notes.filter((n) => n.associatedRule === undefined).map((n) => n.message.text);
    expect(gaps).toEqual([
      expect.stringMatching(/^Coverage gap: codeconnections ListConnections failed for account 444455556666 in eu-west-1 \(AccessDeniedException: .*\); connection not evaluated\.$/),
      expect.stringContaining('field inlinePolicies of iamRole'),
    ]);
  });

  it('names the category and carries the gate', () => {
    expect(run.automationDetails?.id).toBe('linkaudit/aws/');
    expect(parse(renderSarif(reportInput({ sarifCategory: 'linkaudit/aws/' }))).runs[0]?.automationDetails?.id).toBe('linkaudit/aws/');
    expect(run.properties).toEqual({
      gate: { exitCode: 1, failOn: 'high', allowPartial: false, failing: 2, blockingUnknowns: 1, reason: '2 finding(s) at or above high' },
      counts: { fail: 3, pass: 2, unknown: 2, suppressed: 0 },
    });
  });

  it('writes one run with no results when nothing failed', () => {
    const empty = parse(renderSarif(emptyReportInput()));
    expect(validateSarif(empty)).toBe(true);
    const r = onlyRun(empty);
    expect(r.results).toEqual([]);
    expect(r.tool.driver.rules).toHaveLength(RULES.length);
    expect(r.invocations?.[0]?.toolExecutionNotifications).toBeUndefined();
  });

  it('is byte-identical across runs apart from generatedAt', () => {
    const later = '2026-01-02T03:04:05.678Z';
    const again = renderSarif(reportInput({ generatedAt: later }));
    expect(again).not.toBe(text);
    expect(again.split(later).join(GENERATED_AT)).toBe(text);
  });

  it('keeps the most severe fails under GitHub’s per-run limit', () => {
    const many: Finding[] = Array.from({ length: MAX_SARIF_RESULTS + 5 }, (_, i) => ({
      ...FINDINGS[1]!,
      severity: i < 5 ? 'high' : i % 2 === 0 ? 'low' : 'medium',
      resource: { ...FINDINGS[1]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${String(i).padStart(6, '0')}` },
    }));
    const capped = onlyRun(parse(renderSarif(reportInput({ findings: many, coverage: [] }))));
    expect(capped.results).toHaveLength(MAX_SARIF_RESULTS);
    expect(capped.results?.filter((r) => r.level === 'error')).toHaveLength(5);
    expect(capped.results?.filter((r) => r.level === 'note')).toHaveLength(many.filter((f) => f.severity === 'low').length - 5);
    expect(capped.invocations?.[0]?.toolExecutionNotifications?.[0]?.message.text).toMatch(/^5 failing result\(s\) of the lowest severities were left out/);
  });

  it('is written a result at a time, and the pieces are one JSON.stringify of the log', () => {
    // Many fails, some cut by the limit (so the notification of what was left out is there), and hostile text.
    const hostile: Finding[] = Array.from({ length: 3000 }, (_, i) => ({
      ...FINDINGS[1]!,
      severity: i % 3 === 0 ? 'high' : 'low',
      message: `"results": [\n  },\u0000 ${i}`,
      resource: { ...FINDINGS[1]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/"results"-${i}` },
    }));
    for (const input of [reportInput(), emptyReportInput(), reportInput({ findings: [...FINDINGS, ...hostile] })]) {
      const pieces = [...sarifChunks(input, { results: 2000, gzipBytes: 10 * 1024 * 1024 })];
      const whole = pieces.join('');
      expect(whole).toBe(`${JSON.stringify(JSON.parse(whole), null, 2)}\n`);
      expect(whole).toBe(renderSarif(input, { results: 2000, gzipBytes: 10 * 1024 * 1024 }));
      // No piece is the whole log: results are pieces of their own.
      const results = onlyRun(parse(whole)).results ?? [];
      expect(pieces.length).toBeGreaterThanOrEqual(results.length + 1);
      expect(validateSarif(parse(whole))).toBe(true);
    }
  });

  it('pascal-cases rule ids', () => {
    expect(pascalCase('vpce-no-policy')).toBe('VpceNoPolicy');
    expect(pascalCase('iam2-x')).toBe('Iam2X');
  });
});

const HOSTILE_IDS = ['../../../../etc/passwd', './x/.', '%2e%2e/%2E%2e/x', 'a\\..\\b?x=1#frag', '/../', 'caf\u00e9 \u0000\u001b[31m'];
const HOSTILE_ARN_FINDINGS: Finding[] = HOSTILE_IDS.map((id) => ({
  ...FINDINGS[0]!,
  resource: { ...FINDINGS[0]!.resource, arn: `arn:aws:codeconnections:us-east-1:111122223333:connection/${id}` },
}));

describe('SARIF artifact URIs from hostile ARNs', () => {
  it('never climb out of the pseudo path and keep the fingerprint of the ARN', () => {
    const results = parse(renderSarif(reportInput({ findings: HOSTILE_ARN_FINDINGS }))).runs[0]!.results!;
    expect(results).toHaveLength(HOSTILE_IDS.length);
    for (const [i, r] of results.entries()) {
      const uri = r.locations![0]!.physicalLocation!.artifactLocation!.uri!;
      expect(new URL(uri, 'https://example.com/repo/').pathname).toMatch(/^\/repo\/aws\/aws\/111122223333\/us-east-1\/codeconnections\/connection\//);
      expect(r.partialFingerprints?.primaryLocationLineHash).toBe(fingerprint(FINDINGS[0]!.ruleId, HOSTILE_ARN_FINDINGS[i]!.resource.arn));
    }
  });
});

describe('Microsoft SARIF multitool with GitHub ingestion rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-sarif-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['findings, unknowns and gaps', reportInput()],
    ['no findings', emptyReportInput()],
    ['ARNs holding dot segments, percent signs, backslashes, query and fragment marks', reportInput({ findings: HOSTILE_ARN_FINDINGS })],
  ])('accepts a report with %s', (name, input) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.sarif`);
    writeFileSync(file, renderSarif(input));
    expect(multitoolErrors(file)).toEqual([]);
  });

  it('reports what GitHub would reject (the check can fail)', () => {
    const log = parse(renderSarif(reportInput()));
    const loc = log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!;
    loc.uri = ROLE_ARN;
    const file = join(dir, 'arn-as-uri.sarif');
    writeFileSync(file, JSON.stringify(log));
    expect(multitoolErrors(file).map((e) => e.ruleId)).toContain('GH1005');
  });
});
