// `scan --iac` end to end through the built CLI on templates as users write them: findings on the
// template's lines (SARIF that GitHub takes), secrets in no output, undecided conditions and
// unexpanded transforms unknown (the gate fails closed), and bad input as one placed message.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUserError, linkaudit } from '../helpers/cli.js';
import { multitoolErrors } from '../helpers/sarif-multitool.js';

const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;
const addFormats = addFormatsModule as unknown as (ajv: InstanceType<typeof AjvDraft04>) => unknown;
const ajv = new AjvDraft04({ strict: false, allErrors: true });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(readFileSync(resolve('../shared/schemas/sarif-schema-2.1.0.json'), 'utf8')) as object);

const E2E = 'test/fixtures/iac/e2e';
const DEMO = 'fixtures/demo-iac';
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'linkaudit-iac-e2e-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface JsonFinding {
  ruleId: string;
  status: string;
  message: string;
  resource: { arn: string };
  location?: { file: string; line: number; column: number; endLine: number };
  logicalId?: string;
}

function jsonScan(args: string[]): { status: number | null; findings: JsonFinding[]; stderr: string } {
  const r = linkaudit(['scan', ...args, '--format', 'json']);
  return { status: r.status, stderr: r.stderr, findings: r.stdout ? (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings : [] };
}

const find = (fs: JsonFinding[], rule: string, logicalId: string): JsonFinding | undefined => fs.find((f) => f.ruleId === rule && f.logicalId === logicalId);

describe('scan --iac: SARIF on the template lines', () => {
  const out = tmp();
  const r = linkaudit(['scan', '--iac', `${DEMO}/cloudformation`, '--config', `${DEMO}/.linkaudit.yaml`, '--account', '111122223333', '--region', 'us-east-1', '--format', 'sarif', '--output-dir', out, '--fail-on', 'none']);
  const sarifFile = join(out, 'linkaudit.sarif');

  it('passes the OASIS schema and GitHub’s ingestion rules', () => {
    expect(r.status, r.stderr).toBe(0);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as Sarif.Log;
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    expect(multitoolErrors(sarifFile)).toEqual([]);
  });

  it('puts each result on its resource’s logical-id key and the property the rule names in relatedLocations', () => {
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as Sarif.Log;
    const results = sarif.runs[0]?.results ?? [];
    const result = results.find((x) => x.ruleId === 'endpoint-service-acceptance-disabled' && x.kind !== 'pass' && x.level === 'error');
    expect(result?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'fixtures/demo-iac/cloudformation/platform-network.yaml' },
      // `  ArtifactService:` through `        - !Ref ArtifactNlb`
      region: { startLine: 88, startColumn: 3, endLine: 93, endColumn: 27 },
    });
    // `      AcceptanceRequired: 'false'`
    expect(result?.relatedLocations?.[0]?.physicalLocation?.region).toEqual({ startLine: 91, startColumn: 7, endLine: 91, endColumn: 34 });
    const json = results.find((x) => x.ruleId === 'iam-useconnection-overbroad' && x.level === 'error' && x.message.text?.includes('#DeployBot'));
    // `    "DeployBot": {` in the JSON template
    expect(json?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('fixtures/demo-iac/cloudformation/ci-iam.json');
    expect(json?.locations?.[0]?.physicalLocation?.region?.startLine).toBe(31);
    expect(json?.locations?.[0]?.physicalLocation?.region?.startColumn).toBe(5);
    for (const x of results) expect(x.locations?.[0]?.physicalLocation?.region?.startLine).toBeGreaterThan(0);
  });

  it('gives the same fingerprints when a line is added above (identity is the logical id, not the line)', () => {
    const moved = tmp();
    const src = readFileSync(`${DEMO}/cloudformation/platform-network.yaml`, 'utf8');
    const dir = join(moved, 'fixtures/demo-iac/cloudformation');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'platform-network.yaml'), `# a new comment line\n${src}`);
    const a = linkaudit(['scan', '--iac', `${DEMO}/cloudformation/platform-network.yaml`, '--account', '111122223333', '--region', 'us-east-1', '--format', 'sarif', '--fail-on', 'none', '--quiet']);
    const b = linkaudit(['scan', '--iac', 'fixtures/demo-iac/cloudformation/platform-network.yaml', '--account', '111122223333', '--region', 'us-east-1', '--format', 'sarif', '--fail-on', 'none', '--quiet'], moved);
    const prints = (s: string): string[] => ((JSON.parse(s) as Sarif.Log).runs[0]?.results ?? []).map((x) => `${x.ruleId} ${JSON.stringify(x.partialFingerprints)}`).sort();
    expect(prints(b.stdout)).toEqual(prints(a.stdout));
    const lines = (s: string): number[] => ((JSON.parse(s) as Sarif.Log).runs[0]?.results ?? []).map((x) => x.locations?.[0]?.physicalLocation?.region?.startLine ?? 0);
    expect(lines(b.stdout)).toEqual(lines(a.stdout).map((l) => l + 1));
  });
});

describe('scan --iac: secrets', () => {
  it('never shows a NoEcho value, a token property or a Terraform sensitive value in any report or message', () => {
    const out = tmp();
    const given = 'https://ghp_GivenNoEchoTokenCCCCCCCCCCCCCCCCCCC.example.com';
    const r = linkaudit(['scan', '--iac', `${E2E}/secrets.yaml`, '--iac', `${DEMO}/terraform/plan.json`, '--iac-param', `HostEndpoint=${given}`, '--account', '111122223333', '--region', 'eu-west-1', '--format', 'sarif,json,markdown,junit', '--output-dir', out, '--fail-on', 'none', '--allow-partial']);
    expect(r.status, r.stderr).toBe(0);
    const texts = [r.stdout, r.stderr, ...readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'))];
    expect(texts.length).toBe(6);
    for (const t of texts) {
      expect(t).not.toMatch(/ghp_[A-Za-z0-9]{6}/);
      expect(t).not.toContain('GivenNoEcho');
    }
    // The values are absent, not the resources: the host is judged, unknown on its NoEcho endpoint.
    const json = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { findings: JsonFinding[] };
    const host = find(json.findings, 'host-endpoint-not-https', 'Host');
    expect(host?.status).toBe('unknown');
    expect(host?.message).toMatch(/NoEcho/);
  });
});

describe('scan --iac: what the template does not decide', () => {
  it('an !If on an undecided condition: different results in the two worlds are unknown naming both, equal results stand', () => {
    const r = jsonScan(['--iac', `${E2E}/conditions.yaml`, '--account', '111122223333', '--region', 'eu-west-1', '--fail-on', 'none', '--allow-partial']);
    expect(r.status, r.stderr).toBe(0);
    const dns = find(r.findings, 'interface-endpoint-private-dns-disabled', 'Endpoint');
    expect(dns?.status).toBe('unknown');
    expect(dns?.message).toMatch(/IsProd=true/);
    expect(dns?.message).toMatch(/IsProd=false/);
    expect(find(r.findings, 'interface-endpoint-policy-allows-all', 'Endpoint')?.status).toBe('fail');
  });

  it('with the parameter given, the condition is decided: one world, no unknown', () => {
    const r = jsonScan(['--iac', `${E2E}/conditions.yaml`, '--iac-param', 'Env=prod', '--account', '111122223333', '--region', 'eu-west-1', '--fail-on', 'none']);
    expect(find(r.findings, 'interface-endpoint-private-dns-disabled', 'Endpoint')?.status).toBe('pass');
    const dev = jsonScan(['--iac', `${E2E}/conditions.yaml`, '--iac-param', 'Env=dev', '--account', '111122223333', '--region', 'eu-west-1', '--fail-on', 'none']);
    expect(find(dev.findings, 'interface-endpoint-private-dns-disabled', 'Endpoint')?.status).toBe('fail');
  });

  it('a Transform it cannot expand makes the template’s results unknown and the gate fails closed', () => {
    const r = jsonScan(['--iac', `${E2E}/transform.yaml`, '--account', '111122223333', '--region', 'eu-west-1', '--fail-on', 'low']);
    expect(r.status).toBe(2);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.filter((f) => f.status !== 'unknown')).toEqual([]);
    expect(r.stderr).toMatch(/Transform/);
    expect(jsonScan(['--iac', `${E2E}/transform.yaml`, '--account', '111122223333', '--region', 'eu-west-1', '--fail-on', 'low', '--allow-partial']).status).toBe(0);
  });

  it('trusted organizations: a template holds no membership, so an account outside trustedAccounts is unknown', () => {
    const dir = tmp();
    const cfg = join(dir, 'cfg.yaml');
    writeFileSync(cfg, 'trustedAccounts: ["444455556666"]\ntrustedOrganizations: [o-exampleorg1]\n');
    const r = jsonScan(['--iac', `${DEMO}/cloudformation/platform-network.yaml`, '--config', cfg, '--account', '111122223333', '--region', 'us-east-1', '--fail-on', 'none', '--allow-partial']);
    const f = find(r.findings, 'endpoint-service-untrusted-principal', 'ArtifactService');
    expect(f?.status).toBe('unknown');
    expect(f?.message).toMatch(/999988887777/);
  });

  it('an unknown account makes the account comparison unknown and says how to give it', () => {
    const r = jsonScan(['--iac', `${DEMO}/cloudformation/platform-network.yaml`, '--config', `${DEMO}/.linkaudit.yaml`, '--fail-on', 'none', '--allow-partial']);
    const f = find(r.findings, 'endpoint-service-untrusted-principal', 'BuildCacheService');
    expect(f?.status).toBe('unknown');
    expect(f?.message).toMatch(/--account/);
    // Account-relative judgements stay decided.
    expect(find(r.findings, 'endpoint-service-allows-any-principal', 'ArtifactService')?.status).toBe('fail');
  });
});

describe('scan --iac: bad input is one placed message, exit 2', () => {
  const write = (name: string, text: string): string => {
    const f = join(tmp(), name);
    writeFileSync(f, text);
    return f;
  };
  it.each([
    ['malformed YAML', 't.yaml', 'Resources:\n  A:\n    Type: AWS::EC2::VPC\n   Properties: [\n', /t\.yaml:\d+:\d+: /],
    ['no Resources', 't.yaml', 'Parameters: {}\n', /t\.yaml(:\d+:\d+)?: .*Resources/],
    ['a resource without Type', 't.yaml', 'Resources:\n  A:\n    Properties: {}\n', /t\.yaml:2:3: .*Type/],
    ['an unknown intrinsic', 't.yaml', 'Resources:\n  A:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcId: !Frobnicate x\n', /t\.yaml:5:\d+: .*Frobnicate/],
    ['a circular Ref', 't.yaml', 'Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !GetAtt B.TopicName\n  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !GetAtt A.TopicName\n', /t\.yaml:\d+:\d+: .*(circular|cycle)/i],
    ['an unsupported plan version', 'plan.json', '{"format_version": "2.0", "resource_changes": []}', /plan\.json.*2\.0/],
    ['an alias bomb', 't.yaml', `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nResources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: { X: *d }\n`, /t\.yaml:\d+:\d+: .*alias/i],
  ])('%s', (_what, name, text, pattern) => {
    expectUserError(linkaudit(['scan', '--iac', write(name, text as string)]), pattern as RegExp);
  });

  it('a template larger than CloudFormation takes (1 MB), unless --max-template-mb says otherwise', () => {
    const big = write('big.yaml', `Resources:\n${Array.from({ length: 12000 }, (_, i) => `  Topic${i}:\n    Type: AWS::SNS::Topic\n    Properties: { DisplayName: ${'x'.repeat(60)} }\n`).join('')}`);
    expectUserError(linkaudit(['scan', '--iac', big]), /big\.yaml: .*--max-template-mb/);
    const r = linkaudit(['scan', '--iac', big, '--max-template-mb', '4', '--format', 'json', '--fail-on', 'none', '--allow-partial', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('--iac with --snapshot is a usage error', () => {
    expectUserError(linkaudit(['scan', '--iac', `${E2E}/conditions.yaml`, '--snapshot', 'fixtures/demo/snapshot.json']), /--iac.*--snapshot|--snapshot.*--iac/);
  });
});
