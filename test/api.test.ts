// The programmatic API runs the same pipeline as the CLI.
import { describe, expect, it } from 'vitest';
import * as linkaudit from '../src/index.js';

describe('programmatic API', () => {
  it('scans the demo estate end to end', () => {
    const snapshot = linkaudit.loadSnapshotFile('fixtures/demo/snapshot.json');
    const config = linkaudit.loadConfig('fixtures/demo/.linkaudit.yaml');
    const { rules, runtime } = linkaudit.loadRuleSet();
    const out = linkaudit.evaluateRules(rules, snapshot, config, runtime.bind);
    const gate = linkaudit.decideGate(out.findings, out.rules, 'high', false);
    expect(gate.exitCode).toBe(1);
    const json = JSON.parse(
      linkaudit.render('json', {
        tool: { name: 'linkaudit', version: '0.0.0', informationUri: 'https://example.com' },
        generatedAt: '2026-11-01T07:00:00Z',
        snapshot: { schemaVersion: snapshot.schemaVersion, generatedAt: snapshot.generatedAt, source: snapshot.source, scope: snapshot.scope },
        rules: out.rules.map((r) => r.meta),
        findings: out.findings,
        coverage: snapshot.coverage,
        gate,
        sarifCategory: 'linkaudit/api',
      }),
    ) as { summary: { total: Record<string, number> } };
    expect(json.summary.total.fail).toBe(out.findings.filter((f) => f.status === 'fail').length);
  });

  it('answers who can use a connection', () => {
    const snapshot = linkaudit.loadSnapshotFile('fixtures/demo/snapshot.json');
    const report = linkaudit.whoCanUse(snapshot, 'arn:aws:codeconnections:us-east-1:111122223333:connection/42b01084-4a4c-4f93-b69d-3ffd0d79ea23');
    const developer = report.principals.find((p) => p.principal === 'arn:aws:iam::111122223333:role/PlatformDeveloper');
    expect(developer?.grants.map((g) => g.reach)).toEqual(['unconditional', 'unconditional', 'unconditional']);
    expect(developer?.grants[0]?.through[0]?.source.policy).toBe('connections-admin');
  });
});
