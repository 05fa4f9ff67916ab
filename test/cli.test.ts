// The built binary, end to end: what a user or a pipeline sees. `npm test` builds dist/ first.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { multitoolErrors } from './helpers/sarif-multitool.js';
import { ruleYaml } from './helpers/rules.js';
import { emptySnapshot, endpointService } from './helpers/snapshot.js';
import { validator } from '../src/schema/validate.js';
import { CLI, expectUserError, linkaudit, type Run } from './helpers/cli.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_CONFIG = resolve('fixtures/demo/.linkaudit.yaml');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'linkaudit-cli-'));
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
});

describe('linkaudit --version and --help', () => {
  it('prints the package version, the number of built-in rules and the snapshot schema version it reads', () => {
    const r = linkaudit(['--version']);
    expect(r.status).toBe(0);
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
    const rules = (JSON.parse(linkaudit(['rules', 'list', '--format', 'json']).stdout) as unknown[]).length;
    expect(r.stdout).toBe(`${version} (${rules} built-in rules, reads snapshot schemaVersion 1)\n`);
    // The same line through yargs (after a command).
    expect(linkaudit(['scan', '--version']).stdout).toBe(r.stdout);
  });

  it('documents commands, examples and exit codes', () => {
    const top = linkaudit(['--help']);
    expect(top.status).toBe(0);
    for (const cmd of ['scan', 'rules', 'snapshot']) expect(top.stdout).toContain(`linkaudit ${cmd}`);
    const scan = linkaudit(['scan', '--help']);
    expect(scan.stdout).toMatch(/Examples:/);
    expect(scan.stdout).toMatch(/Exit codes:\s+0\s+nothing at or above/);
    expect(scan.stdout).toMatch(/2\s+usage, config or input error/);
  });
});

describe('scan of the bundled demo estate', () => {
  let out: string;
  let run: Run;
  beforeAll(() => {
    out = tmp();
    run = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'sarif', '--format', 'json', '--format', 'markdown', '--output-dir', out]);
  });

  it('writes the three reports and exits 1 on its high findings', () => {
    expect(run.status, run.stderr).toBe(1);
    for (const f of ['linkaudit.sarif', 'linkaudit.json', 'linkaudit.md']) expect(existsSync(join(out, f))).toBe(true);
    expect(run.stderr).toMatch(/exit 1: \d+ finding\(s\) at or above high/);
  });

  it('JSON report meets its own schema, every built-in rule included', () => {
    const validate = validator('report');
    const report = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { rules: Array<{ id: string }> };
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(report.rules.map((r) => r.id)).toContain('iam-useconnection-overbroad');
  });

  it('SARIF passes the OASIS schema and has a result for every built-in rule', () => {
    const sarif = JSON.parse(readFileSync(join(out, 'linkaudit.sarif'), 'utf8'));
    const ajv = new (AjvDraft04 as unknown as typeof Ajv)({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(resolve('../shared/schemas/sarif-schema-2.1.0.json'), 'utf8')));
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const ruleIds = JSON.parse(linkaudit(['rules', 'list', '--format', 'json']).stdout).map((r: { id: string }) => r.id);
    const withResults = new Set(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId));
    for (const id of ruleIds) expect(withResults, `no SARIF result for ${id}`).toContain(id);
  });

  it('SARIF passes GitHub ingestion rules in the Microsoft SARIF multitool with no error', () => {
    expect(multitoolErrors(join(out, 'linkaudit.sarif'))).toEqual([]);
  });

  it('gives byte-identical reports for the same scan, apart from the timestamps', () => {
    const again = tmp();
    linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'sarif', '--format', 'json', '--format', 'markdown', '--output-dir', again]);
    const strip = (s: string): string => s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME');
    for (const f of ['linkaudit.sarif', 'linkaudit.json', 'linkaudit.md']) {
      expect(strip(readFileSync(join(again, f), 'utf8'))).toBe(strip(readFileSync(join(out, f), 'utf8')));
    }
  });

  it('writes one format to stdout without --output-dir', () => {
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'json', '--quiet', '--fail-on', 'none']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).reportVersion).toBe(3);
  });
});

describe('gate exit codes', () => {
  const dir = tmp();
  const clean = writeJson(dir, 'clean.json', emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a', { connectionNotifications: [{ id: 'vpce-nfn-0a', topicArn: 'arn:aws:sns:us-east-1:111122223333:t', events: ['Connect'], state: 'Enabled' }] })] }));
  const medium = writeJson(dir, 'medium.json', emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a', { acceptanceRequired: false, connectionNotifications: [{ id: 'vpce-nfn-0a', topicArn: 'arn:aws:sns:us-east-1:111122223333:t', events: ['Connect'], state: 'Enabled' }] })] }));
  const gap = writeJson(
    dir,
    'gap.json',
    emptySnapshot({
      coverage: [{ account: '111122223333', region: 'us-east-1', service: 'ec2', operation: 'DescribeVpcEndpointServiceConfigurations', errorCode: 'AccessDenied', message: 'denied', resourceKinds: ['endpointService'] }],
    }),
  );
  it.each([
    ['a clean estate', [clean], 0],
    ['a medium finding under the default threshold (high)', [medium], 0],
    ['a medium finding at --fail-on medium', [medium, '--fail-on', 'medium'], 1],
    ['a medium finding at --fail-on none', [medium, '--fail-on', 'none'], 0],
    ['a coverage gap', [gap], 2],
    ['a coverage gap with --allow-partial', [gap, '--allow-partial'], 0],
    ['a coverage gap when only low rules run at the default threshold', [gap, '--only', 'endpoint-service-single-az'], 0],
    ['a skipped rule', [medium, '--fail-on', 'medium', '--skip', 'endpoint-service-acceptance-disabled'], 0],
  ] as const)('%s', (_name, args, code) => {
    const [file, ...rest] = args;
    const r = linkaudit(['scan', '--snapshot', file, '--quiet', '--format', 'json', ...rest], dir);
    expect(r.status, r.stderr).toBe(code);
  });

  it('reads .linkaudit.yaml from the working directory', () => {
    const cwd = tmp();
    writeFileSync(join(cwd, '.linkaudit.yaml'), 'failOn: medium\n');
    expect(linkaudit(['scan', '--snapshot', medium, '--quiet'], cwd).status).toBe(1);
    expect(linkaudit(['scan', '--snapshot', medium, '--quiet', '--fail-on', 'high'], cwd).status).toBe(0);
  });
});

describe('bad input: one clear message, exit 2, no stack trace', () => {
  const dir = tmp();
  const good = writeJson(dir, 'good.json', emptySnapshot());
  const rulePack = (name: string, text: string): string => {
    const d = join(dir, `pack-${name}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `${name}.yaml`), text);
    return d;
  };

  it.each([
    ['a missing snapshot', () => ['scan', '--snapshot', join(dir, 'nope.json')], /nope\.json: snapshot not found$/],
    ['a snapshot that is not JSON', () => ['scan', '--snapshot', writeJson(dir, 'bad.json', '{"schemaVersion": 1,,}')], /bad\.json:1:\d+: snapshot is not valid JSON/],
    ['a schema violation', () => ['scan', '--snapshot', writeJson(dir, 'v.json', { ...emptySnapshot(), hosts: [{ arn: 'x' }] })], /v\.json: \/hosts\/0(\/arn)?: /],
    ['an unknown schemaVersion', () => ['scan', '--snapshot', writeJson(dir, 'v2.json', { ...emptySnapshot(), schemaVersion: 2 })], /v2\.json: \/schemaVersion: unknown snapshot schemaVersion 2/],
    ['a rule YAML syntax error', () => ['scan', '--snapshot', good, '--rules-dir', rulePack('yaml-err', ruleYaml('yaml-err') + 'tags: [a\n')], /yaml-err\.yaml:\d+:\d+: YAML syntax error/],
    ['an unknown rule field', () => ['scan', '--snapshot', good, '--rules-dir', rulePack('field-err', ruleYaml('field-err') + 'colour: red\n')], /field-err\.yaml:13:1: \/colour: unknown field "colour"/],
    ['a CEL compile error', () => ['scan', '--snapshot', good, '--rules-dir', rulePack('cel-err', ruleYaml('cel-err').replace('< 2', '< < 2'))], /cel-err\.yaml:11:\d+: \/fail: CEL syntax error/],
    ['a duplicate rule id', () => ['scan', '--snapshot', good, '--rules-dir', rulePack('host-not-available', ruleYaml('host-not-available'))], /duplicate rule id "host-not-available"/],
    ['--only naming an unknown rule', () => ['scan', '--snapshot', good, '--only', 'no-such-rule'], /--only: unknown rule "no-such-rule"/],
    ['a bad --fail-on severity', () => ['scan', '--snapshot', good, '--fail-on', 'urgent'], /Invalid values: Argument: fail-on, Given: "urgent"/],
    ['a bad rule severity', () => ['scan', '--snapshot', good, '--rules-dir', rulePack('sev-err', ruleYaml('sev-err').replace('severity: low', 'severity: urgent'))], /sev-err\.yaml:3:11: \/severity: expected one of/],
    ['an unwritable output directory', () => ['scan', '--snapshot', good, '--format', 'json', '--output-dir', join(good, 'reports')], /cannot create output directory: a path component is a file/],
    ['an unknown flag', () => ['scan', '--snapshot', good, '--colour'], /Unknown argument: colour/],
    ['several formats to stdout', () => ['scan', '--snapshot', good, '--format', 'json', '--format', 'sarif'], /--output-dir/],
    ['a bad config file', () => ['scan', '--snapshot', good, '--config', writeJson(dir, 'bad.yaml', 'trustedAccounts: [123]\n')], /bad\.yaml:1:\d+: \/trustedAccounts\/0: /],
    ['a missing config file', () => ['scan', '--snapshot', good, '--config', join(dir, 'none.yaml')], /none\.yaml: config file not found/],
  ] as const)('%s', (_name, args, pattern) => {
    expectUserError(linkaudit([...args()]), pattern);
  });
});

describe('rules and snapshot commands', () => {
  it('rules list --format json lists every rule with its metadata', () => {
    const r = linkaudit(['rules', 'list', '--format', 'json']);
    expect(r.status).toBe(0);
    const rules = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rules.length).toBeGreaterThanOrEqual(13);
    for (const rule of rules) {
      for (const key of ['id', 'title', 'severity', 'resource', 'description', 'rationale', 'remediation', 'references', 'tags']) expect(rule).toHaveProperty(key);
    }
    expect(rules.find((x) => x.id === 'endpoint-service-acceptance-disabled')).toMatchObject({ severity: 'medium', maxSeverity: 'critical' });
  });

  it('rules show prints the docs page; an unknown id is a user error', () => {
    const r = linkaudit(['rules', 'show', 'host-endpoint-not-https']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync('docs/rules/host-endpoint-not-https.md', 'utf8'));
    expectUserError(linkaudit(['rules', 'show', 'nope']), /unknown rule "nope"/);
  });

  it('rules validate: 0 when cases hold, 1 when one does not, 2 when the pack is invalid', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'one-zone.yaml'), ruleYaml('one-zone'));
    const base = JSON.stringify(endpointService('vpce-svc-0a'));
    writeFileSync(join(dir, 'one-zone.test.yaml'), `base: ${base}\ncases:\n  - { name: two zones, expect: pass }\n  - { name: one zone, resource: { availabilityZones: [a] }, expect: fail }\n`);
    const ok = linkaudit(['rules', 'validate', dir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/one-zone: valid, 2\/2 cases hold/);
    writeFileSync(join(dir, 'one-zone.test.yaml'), `base: ${base}\ncases:\n  - { name: two zones, expect: fail }\n`);
    const bad = linkaudit(['rules', 'validate', dir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/case "two zones": expected fail, got pass/);
    writeFileSync(join(dir, 'one-zone.yaml'), ruleYaml('one-zone').replace('resource.availabilityZones', 'resource.zones'));
    expectUserError(linkaudit(['rules', 'validate', dir]), /one-zone\.yaml:11:\d+: \/fail: CEL type error: No such key: zones/);
  });

  it('the built-in rules validate, cases and all', () => {
    const r = linkaudit(['rules', 'validate', 'rules.d']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('snapshot validate', () => {
    const r = linkaudit(['snapshot', 'validate', DEMO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/valid snapshot \(schemaVersion 1/);
    const dir = tmp();
    expectUserError(linkaudit(['snapshot', 'validate', writeJson(dir, 's.json', { ...emptySnapshot(), scope: { partition: 'aws', accounts: ['1'], regions: [] } })]), /s\.json: \/scope\/accounts\/0: expected a value matching/);
  });
});

describe('access: who can use one connection', () => {
  const RELEASE = 'arn:aws:codestar-connections:us-east-1:111122223333:connection/0347af09-f291-4cec-9665-42872c5e63c2';

  it('lists the principals of the demo estate with access and how, as a table', () => {
    const r = linkaudit(['access', '--snapshot', DEMO, '--connection', RELEASE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Who can use ${RELEASE}`);
    expect(r.stdout).toMatch(/role\/code-review-bot\s+UseConnection\s+scoped/);
    expect(r.stdout).toMatch(/role\/code-review-bot\s+PassConnection\s+unconditional/);
    expect(r.stdout).toMatch(/role\/pipeline-provisioner\s+PassConnection\s+scoped/);
    // The connection carries pipeline=release, so the Deny outside release-tagged connections does
    // not apply to it: AdministratorAccess reaches it.
    expect(r.stdout).toMatch(/role\/release-automation\s+UseConnection\s+unconditional/);
    // Only the ARN's own prefix applies: PlatformDeveloper's codeconnections:* does not reach it.
    expect(r.stdout).not.toMatch(/role\/PlatformDeveloper\s+UseConnection/);
    // A principal of another account is never listed; one with no grant is left out.
    expect(r.stdout).not.toContain('444455556666');
    expect(r.stdout).not.toContain('sagemaker-project-build');
    expect(r.stdout).toContain('SCPs');
  });

  it('--format json gives paths, conditions and the tag verdicts', () => {
    const untagged = 'arn:aws:codeconnections:us-east-1:111122223333:connection/42b01084-4a4c-4f93-b69d-3ffd0d79ea23';
    const r = linkaudit(['access', '--snapshot', DEMO, '--connection', untagged, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tagsKnown: boolean; complete: boolean; principals: Array<{ principal: string; access: Array<{ action: string; access: string; through: Array<{ policy: string; statement?: number }> }> }> };
    expect(out.tagsKnown).toBe(true);
    expect(out.complete).toBe(true);
    const of = (name: string) => out.principals.find((p) => p.principal.endsWith(name))?.access ?? [];
    expect(of('role/PlatformDeveloper').map((a) => `${a.action} ${a.access}`)).toEqual([
      'codeconnections:UseConnection unconditional',
      'codeconnections:GetConnectionToken unconditional',
      'codeconnections:PassConnection unconditional',
    ]);
    expect(of('role/PlatformDeveloper')[0]?.through[0]).toMatchObject({ policy: 'connections-admin', statement: 0 });
    // Untagged: the Deny outside pipeline=release applies, so release-automation has no access.
    expect(of('role/release-automation')).toEqual([]);
  });

  it('bad input is a user error', () => {
    expectUserError(linkaudit(['access', '--snapshot', DEMO, '--connection', 'arn:aws:s3:::bucket']), /--connection: "arn:aws:s3:::bucket" is not a connection ARN/);
    expectUserError(linkaudit(['access', '--snapshot', DEMO, '--connection', 'arn:aws:codeconnections:us-east-1:999988887777:connection/0000']), /account 999988887777 is not in the snapshot/);
    expectUserError(linkaudit(['access', '--snapshot', DEMO]), /Missing required argument: connection/);
  });
});
