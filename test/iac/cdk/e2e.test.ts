// A CDK cloud assembly end to end through the built CLI and the real CloudFormation reader: each
// stack judged in its manifest environment, nested stacks and stage assemblies read from their own
// templates with findings on those files' lines and the construct path beside them, env-agnostic
// stacks placed by --account/--region, stable fingerprints when the assembly moves, and a broken
// or hostile manifest as one placed message.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, linkaudit } from '../../helpers/cli.js';
import { multitoolErrors } from '../../helpers/sarif-multitool.js';

const ASSEMBLY = 'test/fixtures/iac/cdk/cdk.out';
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-e2e-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Finding {
  fingerprint: string;
  ruleId: string;
  status: string;
  resource: { arn: string; account: string; region: string };
  location?: { file: string; line: number };
  format?: string;
  logicalId?: string;
  stack?: string;
  constructPath?: string;
}

function scan(args: string[], cwd?: string): { status: number | null; stderr: string; findings: Finding[] } {
  const r = linkaudit(['scan', ...args, '--format', 'json'], cwd);
  return { status: r.status, stderr: r.stderr, findings: r.stdout ? (JSON.parse(r.stdout) as { findings: Finding[] }).findings : [] };
}

const one = (fs: Finding[], rule: string, logicalId: string): Finding => {
  const hits = fs.filter((f) => f.ruleId === rule && f.logicalId === logicalId);
  expect(hits, `${rule} ${logicalId}`).toHaveLength(1);
  return hits[0]!;
};

/** A copy of the fixture assembly that a test may change. */
function copyAssembly(): string {
  const d = join(tmp(), 'cdk.out');
  cpSync(ASSEMBLY, d, { recursive: true });
  return d;
}

describe('scan --iac on a CDK cloud assembly', () => {
  const base = scan(['--iac', ASSEMBLY, '--fail-on', 'none']);

  it('reads every stack, the stage assembly and the nested stack, as format cdk', () => {
    expect(base.status, base.stderr).toBe(0);
    expect(base.stderr).toMatch(/over 1 IaC input\(s\) \(test\/fixtures\/iac\/cdk\/cdk\.out \(4 stacks\)\)/);
    expect(new Set(base.findings.map((f) => f.format))).toEqual(new Set(['cdk']));
    expect(new Set(base.findings.map((f) => f.stack))).toEqual(new Set(['AgnosticStack', 'NetworkStack', 'ci-pipeline', 'Prod-ApiStack', 'NetworkStack/EndpointsNestedStackEndpointsNestedStackResource3B1A5F2C']));
  });

  it('judges each stack in the environment its manifest names (account in the ARN, region from aws://…)', () => {
    const open = one(base.findings, 'endpoint-service-allows-any-principal', 'OpenService5C1B0F4A');
    expect(open.status).toBe('fail');
    expect(open.resource).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
    const prod = one(base.findings, 'endpoint-service-allows-any-principal', 'ApiService2F0C7B1D');
    expect(prod.status).toBe('pass');
    expect(prod.resource).toMatchObject({ account: '444455556666', region: 'eu-west-1' });
    const role = one(base.findings, 'iam-useconnection-overbroad', 'BuildRole41B77417');
    expect(role.status).toBe('fail');
    expect(role.resource.arn).toBe('arn:aws:iam::111122223333:role/iac:PipelineStack#BuildRole41B77417');
  });

  it('an env-agnostic stack has no account until --account/--region give one; stacks with an environment keep theirs', () => {
    const agnostic = one(base.findings, 'endpoint-service-acceptance-disabled', 'PartnerService0A7C2E55');
    expect(agnostic.resource).toMatchObject({ account: '000000000000', region: 'aa-unknown-0' });
    const placed = scan(['--iac', ASSEMBLY, '--fail-on', 'none', '--account', '999988887777', '--region', 'us-west-2']);
    expect(placed.status, placed.stderr).toBe(0);
    expect(one(placed.findings, 'endpoint-service-acceptance-disabled', 'PartnerService0A7C2E55').resource).toMatchObject({ account: '999988887777', region: 'us-west-2' });
    expect(one(placed.findings, 'endpoint-service-acceptance-disabled', 'OpenService5C1B0F4A').resource).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
  });

  it('puts a nested stack’s finding on the nested template’s line, a stage’s on the stage’s template, with the construct path', () => {
    const nested = one(base.findings, 'interface-endpoint-policy-allows-all', 'ApiEndpoint7E0C6A21');
    expect(nested.status).toBe('fail');
    expect(nested.location).toMatchObject({ file: `${ASSEMBLY}/NetworkStackEndpoints6A3F1C2D.nested.template.json`, line: 15 });
    expect(nested.constructPath).toBe('NetworkStack/Endpoints/ApiEndpoint/Resource');
    expect(nested.stack).toBe('NetworkStack/EndpointsNestedStackEndpointsNestedStackResource3B1A5F2C');
    // The nested stack's resources are the parent's account and region.
    expect(nested.resource).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
    const stage = one(base.findings, 'interface-endpoint-private-dns-disabled', 'S3Endpoint0B5E9C2A');
    expect(stage.status).toBe('fail');
    expect(stage.location).toMatchObject({ file: `${ASSEMBLY}/assembly-Prod/ProdApiStack5A1B2C3D.template.json`, line: 47 });
    expect(stage.constructPath).toBe('Prod/ApiStack/S3Endpoint/Resource');
    for (const f of base.findings) expect(f.location?.line, `${f.ruleId} ${f.logicalId}`).toBeGreaterThan(0);
  });

  it('joins a notification to its service by !Ref within the stage stack; a service without one fails', () => {
    expect(one(base.findings, 'endpoint-service-no-notifications', 'ApiService2F0C7B1D').status).toBe('pass');
    expect(one(base.findings, 'endpoint-service-no-notifications', 'OpenService5C1B0F4A').status).toBe('fail');
  });

  it('runtime-state rules give no result: a connection the template creates starts PENDING by design', () => {
    const rules = new Set(base.findings.filter((f) => f.logicalId === 'GitHub').map((f) => f.ruleId));
    expect(rules).toEqual(new Set());
  });

  it('the gate: fails at the default threshold, and an undecided value fails closed', () => {
    const gated = linkaudit(['scan', '--iac', ASSEMBLY, '--format', 'json']);
    expect(gated.status).toBe(1);
    // endpoint-service-single-az is low: its unknowns block a gate that could reach low.
    const onlyUnknown = linkaudit(['scan', '--iac', ASSEMBLY, '--only', 'endpoint-service-single-az', '--fail-on', 'low', '--format', 'json']);
    expect(onlyUnknown.status).toBe(2);
    expect(onlyUnknown.stderr).toMatch(/3 result\(s\) unknown because the templates do not decide/);
    expect(linkaudit(['scan', '--iac', ASSEMBLY, '--only', 'endpoint-service-single-az', '--format', 'json']).status).toBe(0);
    const allowed = linkaudit(['scan', '--iac', ASSEMBLY, '--only', 'endpoint-service-single-az', '--fail-on', 'low', '--allow-partial', '--format', 'json']);
    expect(allowed.status, allowed.stderr).toBe(0);
  });

  it('SARIF: construct path as the logical location, and GitHub’s ingestion rules pass', () => {
    const out = tmp();
    const r = linkaudit(['scan', '--iac', ASSEMBLY, '--fail-on', 'none', '--format', 'sarif', '--output-dir', out]);
    expect(r.status, r.stderr).toBe(0);
    const file = join(out, 'linkaudit.sarif');
    const sarif = JSON.parse(readFileSync(file, 'utf8')) as Sarif.Log;
    const result = sarif.runs[0]?.results?.find((x) => x.ruleId === 'interface-endpoint-policy-allows-all' && x.message.text?.includes('ApiEndpoint7E0C6A21'));
    expect(result?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe(`${ASSEMBLY}/NetworkStackEndpoints6A3F1C2D.nested.template.json`);
    expect(result?.locations?.[0]?.logicalLocations?.[0]).toEqual({ name: 'ApiEndpoint7E0C6A21', fullyQualifiedName: 'NetworkStack/Endpoints/ApiEndpoint/Resource', kind: 'resource' });
    expect(multitoolErrors(file)).toEqual([]);
  });

  it('is deterministic, and its fingerprints survive moving the assembly (identity is stack + logical id)', () => {
    const again = scan(['--iac', ASSEMBLY, '--fail-on', 'none']);
    expect(again.findings).toEqual(base.findings);
    const moved = copyAssembly();
    const elsewhere = scan(['--iac', moved, '--fail-on', 'none']);
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    expect(elsewhere.findings.map((f) => f.fingerprint)).toEqual(base.findings.map((f) => f.fingerprint));
  });

  it('a template file outside the assembly is refused by name and place', () => {
    const d = copyAssembly();
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { properties: { templateFile: string } }> };
    m.artifacts['NetworkStack']!.properties.templateFile = '../../../etc/passwd';
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2));
    expectUserError(linkaudit(['scan', '--iac', d, '--format', 'json']), /manifest\.json:\d+:\d+: .*templateFile .*outside the assembly directory/);
  });

  it('a missing stack template and a manifest that is not JSON: one line naming the file and place, exit 2', () => {
    const missing = copyAssembly();
    rmSync(join(missing, 'NetworkStack.template.json'));
    expectUserError(linkaudit(['scan', '--iac', missing, '--format', 'json']), /manifest\.json:\d+:\d+: .*NetworkStack\.template\.json" not found/);
    const broken = copyAssembly();
    writeFileSync(join(broken, 'manifest.json'), '{"version": "41.0.0", "artifacts": {\n');
    expectUserError(linkaudit(['scan', '--iac', broken, '--format', 'json']), /manifest\.json:\d+:\d+: CDK cloud assembly manifest is not valid JSON/);
  });

  it('a secret in a stack template’s parameter default reaches no output', () => {
    const d = copyAssembly();
    const file = join(d, 'PipelineStack.template.json');
    const t = JSON.parse(readFileSync(file, 'utf8')) as { Parameters: Record<string, Record<string, unknown>> };
    t.Parameters['GitHubOwner'] = { Type: 'String', NoEcho: true, Default: 'ghp_SECRETSECRETSECRETSECRET0123456789' };
    writeFileSync(file, JSON.stringify(t, null, 1));
    const out = tmp();
    const r = linkaudit(['scan', '--iac', d, '--fail-on', 'none', '--format', 'json,sarif,markdown,junit', '--output-dir', out]);
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['linkaudit.json', 'linkaudit.sarif', 'linkaudit.md', 'linkaudit.junit.xml']) expect(readFileSync(join(out, name), 'utf8'), name).not.toContain('ghp_SECRET');
    expect(r.stdout + r.stderr).not.toContain('ghp_SECRET');
  });
});
