// The report formats for their consumers, through the built binary: Security Hub (OCSF, ASFF
// batches), --results with merge, diff and --baseline, --framework, rule docs links.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, expectUserError, linkaudit } from './helpers/cli.js';
import { emptySnapshot, endpointService } from './helpers/snapshot.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_CONFIG = resolve('fixtures/demo/.linkaudit.yaml');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'linkaudit-formats-'));
const json = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const schema = (name: string): object => json(resolve('test/reporters/schemas', name)) as object;
const validAsff = ajv.compile(schema('asff-batch.schema.json'));
const validOcsf = ajv.compile(schema('ocsf-detection-finding-1.6.schema.json'));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
});

describe('scan --format ocsf,asff --output-dir', () => {
  it('writes Security Hub findings of the demo: every result once, valid, one ASFF file per 100', () => {
    const out = tmp();
    // A later batch of an earlier, larger run must not stay behind to be imported again.
    writeFileSync(join(out, 'linkaudit.asff-7.json'), '[]');
    writeFileSync(join(out, 'linkaudit.asff-notes.json'), 'mine');
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'ocsf,asff,json', '--output-dir', out]);
    expect(r.status, r.stderr).toBe(1);
    const report = json(join(out, 'linkaudit.json')) as { findings: Array<{ fingerprint: string }> };
    const batches = readdirSync(out).filter((f) => /^linkaudit\.asff(-[0-9]+)?\.json$/.test(f)).sort();
    expect(batches).toEqual(['linkaudit.asff-2.json', 'linkaudit.asff-3.json', 'linkaudit.asff.json']);
    expect(readFileSync(join(out, 'linkaudit.asff-notes.json'), 'utf8')).toBe('mine');
    const all = batches.flatMap((b) => {
      const batch = json(join(out, b)) as Array<{ Id: string }>;
      expect(validAsff(batch), `${b}: ${JSON.stringify(validAsff.errors?.slice(0, 3))}`).toBe(true);
      expect(batch.length).toBeLessThanOrEqual(100);
      return batch;
    });
    expect(all.map((f) => f.Id.split('/').at(-1)).sort()).toEqual(report.findings.map((f) => f.fingerprint).sort());
    const ocsf = json(join(out, 'linkaudit.ocsf.json')) as unknown[];
    expect(validOcsf(ocsf), JSON.stringify(validOcsf.errors?.slice(0, 3))).toBe(true);
    expect(ocsf).toHaveLength(report.findings.length);
    for (const b of batches) expect(r.stderr).toContain(`wrote ${join(out, b)}`);
  });

  it('a small scan is one batch, and its file is what batch-import-findings --findings file:// takes', () => {
    const out = tmp();
    const snap = join(out, 'snap.json');
    writeFileSync(snap, JSON.stringify(emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a')] })));
    writeFileSync(join(out, 'linkaudit.asff-2.json'), '[]');
    const r = linkaudit(['scan', '--snapshot', snap, '--format', 'asff', '--output-dir', out, '--fail-on', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('linkaudit.asff'))).toEqual(['linkaudit.asff.json']);
    const batch = json(join(out, 'linkaudit.asff.json'));
    expect(Array.isArray(batch) && batch.length > 0 && batch.length <= 100).toBe(true);
    expect(validAsff(batch)).toBe(true);
  });

  it('ocsf goes to stdout; asff needs --output-dir; neither takes templates', () => {
    const r = linkaudit(['scan', '--snapshot', DEMO, '--format', 'ocsf', '--fail-on', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(validOcsf(JSON.parse(r.stdout))).toBe(true);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--format', 'asff']), /--format asff: written as one file per batch of 100 findings .*; give --output-dir DIR/);
    expectUserError(linkaudit(['scan', '--iac', 'fixtures/demo-iac/cloudformation', '--format', 'ocsf']), /Security Hub holds findings on deployed resources/);
  });
});

describe('--results', () => {
  it('leaves the other statuses out of the JSON report, and says so', () => {
    const r = linkaudit(['scan', '--snapshot', DEMO, '--format', 'json', '--results', 'fail', '--results', 'unknown', '-q']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { results: string[]; findings: Array<{ status: string }>; summary: { total: { pass: number } } };
    expect(doc.results).toEqual(['fail', 'unknown']);
    expect(new Set(doc.findings.map((f) => f.status))).toEqual(new Set(['fail', 'unknown']));
    expect(doc.summary.total.pass).toBeGreaterThan(0);
  });

  it('is refused where it would change nothing, or with a value it does not know', () => {
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--format', 'sarif', '--results', 'fail']), /--results applies to the json, junit, ocsf and asff reports/);
    const bad = linkaudit(['scan', '--snapshot', DEMO, '--format', 'json', '--results', 'maybe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/maybe/);
  });

  it('warns that Security Hub is not told about resolved findings without passes', () => {
    const out = tmp();
    const r = linkaudit(['scan', '--snapshot', DEMO, '--format', 'asff', '--results', 'fail,unknown,suppressed', '--output-dir', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--results without pass: the asff findings include no pass, so Security Hub is not told when an earlier finding is resolved');
    const batch = json(join(out, 'linkaudit.asff.json')) as Array<{ Compliance: { Status: string } }>;
    expect(batch.some((f) => f.Compliance.Status === 'PASSED')).toBe(false);
  });

  it('merge, diff and --baseline read a report without passes and refuse one without unknowns', () => {
    const out = tmp();
    const lean = join(out, 'lean.json');
    const failsOnly = join(out, 'fails.json');
    writeFileSync(lean, linkaudit(['scan', '--snapshot', DEMO, '--format', 'json', '--results', 'fail,unknown,suppressed', '-q']).stdout);
    writeFileSync(failsOnly, linkaudit(['scan', '--snapshot', DEMO, '--format', 'json', '--results', 'fail', '-q']).stdout);
    const merged = linkaudit(['merge', lean, '--format', 'json']);
    expect(merged.status, merged.stderr).toBe(1);
    expect((JSON.parse(merged.stdout) as { results: string[] }).results).toEqual(['fail', 'unknown', 'suppressed']);
    expectUserError(linkaudit(['merge', lean, '--format', 'json', '--results', 'pass']), /the reports list no pass results/);
    const diff = linkaudit(['diff', lean, lean]);
    expect(diff.status, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('lists no passes (written with --results)');
    expectUserError(linkaudit(['diff', failsOnly, lean]), /fails\.json: written with --results fail, so its unknown and suppressed results are not in it; diff cannot tell/);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--baseline', failsOnly, '--format', 'json']), /--baseline cannot tell a result left out from one that is gone/);
    const base = linkaudit(['scan', '--snapshot', DEMO, '--baseline', lean, '--format', 'json', '-q']);
    expect(base.status, base.stderr).toBe(1);
  });
});

describe('--framework and the docs links', () => {
  it('groups the Markdown report by NIST SP 800-53 control and summarises the JSON report', () => {
    const out = tmp();
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'markdown,json', '--framework', 'nist-800-53', '--output-dir', out]);
    expect(r.status, r.stderr).toBe(1);
    const md = readFileSync(join(out, 'linkaudit.md'), 'utf8');
    expect(md).toContain('## Controls: NIST SP 800-53 Rev. 5');
    expect(md).toMatch(/\n### AC-6 Least Privilege: [0-9]+ fail\(s\) in [0-9]+ rule\(s\)\n/);
    expect(md).toContain('#### HIGH [iam-useconnection-overbroad](https://github.com/linkaudit/linkaudit/blob/main/docs/rules/iam-useconnection-overbroad.md)');
    const doc = json(join(out, 'linkaudit.json')) as { compliance: { framework: string; controls: Array<{ control: string }> } };
    expect(doc.compliance.framework).toBe('nist-800-53');
    expect(doc.compliance.controls.map((c) => c.control)).toContain('SC-7');
    const fsbp = linkaudit(['scan', '--snapshot', DEMO, '--format', 'markdown', '--framework', 'aws-fsbp', '-q']);
    expect(fsbp.stdout).toContain('### CodeBuild.1: ');
  });

  it('refuses a framework no rule names, or one that changes none of the formats', () => {
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--format', 'markdown', '--framework', 'nist-800-171']), /--framework nist-800-171: no rule that runs names a control of it \(the rules name aws-fsbp, nist-800-53\)/);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--format', 'sarif', '--framework', 'nist-800-53']), /--framework groups the markdown report/);
  });

  it('SARIF points each built-in rule at its docs page; rules list and show name the controls', () => {
    const sarif = JSON.parse(linkaudit(['scan', '--snapshot', DEMO, '--format', 'sarif', '-q']).stdout) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string; properties: { tags: string[] } }> } } }> };
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    for (const rule of rules) {
      expect(rule.helpUri).toBe(`https://github.com/linkaudit/linkaudit/blob/main/docs/rules/${rule.id}.md`);
      expect(existsSync(resolve('docs/rules', `${rule.id}.md`))).toBe(true);
    }
    expect(rules.find((r) => r.id === 'codebuild-source-url-credentials')?.properties.tags).toContain('AWS-FSBP:CodeBuild.1');
    const list = linkaudit(['rules', 'list']);
    expect(list.stdout).toMatch(/NIST 800-53/);
    expect(list.stdout).toMatch(/codebuild-source-url-credentials .* IA-5,IA-5\(7\),SA-3 /);
    expect(linkaudit(['rules', 'show', 'codebuild-source-url-credentials']).stdout).toContain('| Controls | AWS Foundational Security Best Practices: CodeBuild.1; NIST SP 800-53 Rev. 5: IA-5, IA-5(7), SA-3 |');
  });
});
