// The demo's IaC twin (fixtures/demo-iac: CloudFormation YAML and JSON, a CDK cloud assembly, a
// Terraform plan) through the built CLI as the README runs it: every rule a template can decide
// fails and passes there at least once, the runtime-state rules give no result, and its SARIF is
// one GitHub takes. A new rule judged from templates without a demo-iac resource fails here.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { iacJudged, ruleKinds } from '../src/engine/types.js';
import { MAPPED_TYPES } from '../src/collectors/iac/cloudformation/map.js';
import { kindsOf } from '../src/collectors/iac/cloudformation/stack.js';
import { loadRuleSet } from '../src/engine/rule-set.js';
import { linkaudit } from './helpers/cli.js';
import { multitoolErrors } from './helpers/sarif-multitool.js';

const out = mkdtempSync(join(tmpdir(), 'linkaudit-demo-iac-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The README's command, with the report files added.
const run = linkaudit(['scan', '--iac', 'fixtures/demo-iac', '--config', 'fixtures/demo-iac/.linkaudit.yaml', '--account', '111122223333', '--region', 'us-east-1', '--fail-on', 'none', '--format', 'json,sarif', '--output-dir', out]);

interface Finding {
  ruleId: string;
  status: string;
  format?: string;
}

describe('demo-iac', () => {
  it('runs as the README shows it and reads every source', () => {
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { findings: Finding[]; snapshot: { inputs: Array<{ format: string }> } };
    expect(new Set(report.snapshot.inputs.map((i) => i.format))).toEqual(new Set(['cloudformation', 'cdk', 'terraform']));
    expect(new Set(report.findings.map((f) => f.format))).toEqual(new Set(['cloudformation', 'cdk', 'terraform']));
  });

  it('every rule a template can decide fails and passes; runtime-state rules give no result', () => {
    const report = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { findings: Finding[] };
    const rules = loadRuleSet().rules;
    const judged = rules.filter((r) => iacJudged(r.meta));
    expect(judged.length).toBeGreaterThanOrEqual(11);
    // Rules on kinds no template mapper produces yet (pipelines and builds: issue 13) have nothing
    // to judge here; they join as soon as a mapper lists their resource types.
    const mapped = new Set([...MAPPED_TYPES].flatMap(kindsOf));
    for (const r of rules) {
      const statuses = new Set(report.findings.filter((f) => f.ruleId === r.meta.id).map((f) => f.status));
      if (!ruleKinds(r.meta).some((k) => mapped.has(k))) expect([...statuses], r.meta.id).toEqual([]);
      else if (iacJudged(r.meta)) expect([...statuses].sort(), r.meta.id).toEqual(expect.arrayContaining(['fail', 'pass']));
      else expect([...statuses], r.meta.id).toEqual([]);
    }
    // And it shows what a template leaves open.
    expect(report.findings.some((f) => f.status === 'unknown')).toBe(true);
  });

  it('writes SARIF that GitHub code scanning takes', () => {
    expect(multitoolErrors(join(out, 'linkaudit.sarif'))).toEqual([]);
  });
});
