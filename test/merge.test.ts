import { describe, expect, it } from 'vitest';
import { mergeSnapshots } from '../src/model/merge.js';
import { validateSnapshot } from '../src/model/load.js';
import { emptySnapshot, endpointService } from './helpers/snapshot.js';

describe('merge', () => {
  const a = emptySnapshot({ generatedAt: '2026-01-15T00:00:00Z', endpointServices: [endpointService('vpce-svc-0a')], organizations: [{ id: 'o-a1b2c3d4e5', accounts: ['111122223333'] }] });
  const b = emptySnapshot({
    generatedAt: '2026-01-15T00:05:00Z',
    scope: { partition: 'aws', accounts: ['444455556666'], regions: ['eu-west-1'] },
    endpointServices: [endpointService('vpce-svc-0a'), endpointService('vpce-svc-0b')],
    organizations: [{ id: 'o-a1b2c3d4e5', accounts: ['444455556666'] }],
  });

  it('unions scope and organizations, keeps identical resources once, takes the newest time', () => {
    const m = validateSnapshot(mergeSnapshots([{ file: 'a.json', snapshot: a }, { file: 'b.json', snapshot: b }]), 'merged');
    expect(m.scope).toEqual({ partition: 'aws', accounts: ['111122223333', '444455556666'], regions: ['eu-west-1', 'us-east-1'] });
    expect(m.organizations).toEqual([{ id: 'o-a1b2c3d4e5', accounts: ['111122223333', '444455556666'] }]);
    expect(m.endpointServices.map((s) => s.id)).toEqual(['vpce-svc-0a', 'vpce-svc-0b']);
    expect(m.generatedAt).toBe('2026-01-15T00:05:00Z');
  });

  it('refuses two different versions of one resource, naming both files', () => {
    const c = emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a', { acceptanceRequired: false })] });
    expect(() => mergeSnapshots([{ file: 'a.json', snapshot: a }, { file: 'c.json', snapshot: c }])).toThrow(
      'c.json: arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-0a differs from the same resource in a.json; merge takes shards of one collection',
    );
  });

  it('keeps an AWS managed policy each shard lists under its own first account once: the first account\'s copy, in any order', () => {
    const policy = (account: string) => ({ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', account, region: 'global', tags: {}, name: 'ReadOnlyAccess', defaultVersionId: 'v129', awsManaged: true, document: { Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow' as const, Action: 'ec2:Describe*', Resource: '*' }] } });
    const x = emptySnapshot({ iamPolicies: [policy('444455556666')] });
    const y = emptySnapshot({ iamPolicies: [policy('111122223333')] });
    for (const inputs of [[x, y], [y, x]]) {
      const m = validateSnapshot(mergeSnapshots(inputs.map((snapshot, i) => ({ file: `${i}.json`, snapshot }))), 'merged');
      expect(m.iamPolicies.map((p) => p.account)).toEqual(['111122223333']);
    }
  });

  it('refuses snapshots of different partitions', () => {
    const cn = emptySnapshot({ scope: { partition: 'aws-cn', accounts: ['111122223333'], regions: ['cn-north-1'] } });
    expect(() => mergeSnapshots([{ file: 'a.json', snapshot: a }, { file: 'cn.json', snapshot: cn }])).toThrow(/cn\.json: partition aws-cn differs from a\.json's aws/);
  });
});

describe('merge of JSON reports', () => {
  it('gives the report one scan of all shards gives', async () => {
    const { evaluateRules } = await import('../src/engine/evaluate.js');
    const { loadRuleSet } = await import('../src/engine/rule-set.js');
    const { decideGate } = await import('../src/engine/gate.js');
    const { renderJson } = await import('../src/reporters/json.js');
    const { mergeReports } = await import('../src/reporters/merge.js');
    const { loadSnapshotFile } = await import('../src/model/load.js');
    const { rules, runtime } = loadRuleSet();
    const demo = loadSnapshotFile('fixtures/demo/snapshot.json');
    const settings = { trustedAccounts: ['111122223333', '444455556666'], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
    // Each shard reads its own accounts; an AWS managed policy is read in every account using it.
    const report = (accounts: string[]) => {
      const only = <T extends { account: string }>(xs: T[]) => xs.filter((x) => accounts.includes(x.account));
      const snap = validateSnapshot(
        { ...demo, source: { ...demo.source, tool: 'linkaudit 0.0.0' }, scope: { ...demo.scope, accounts }, connections: only(demo.connections), hosts: only(demo.hosts), vpcEndpoints: only(demo.vpcEndpoints), endpointServices: only(demo.endpointServices), iamUsers: only(demo.iamUsers), iamGroups: only(demo.iamGroups), iamRoles: only(demo.iamRoles), iamPolicies: demo.iamPolicies.filter((p) => accounts.includes(p.account) || p.arn.startsWith('arn:aws:iam::aws:policy/')), pipelines: only(demo.pipelines), buildProjects: only(demo.buildProjects), sourceCredentials: only(demo.sourceCredentials), coverage: only(demo.coverage) },
        'shard',
      );
      const out = evaluateRules(rules, snap, settings, runtime.bind);
      return JSON.parse(
        renderJson({
          tool: { name: 'linkaudit', version: '0.0.0', informationUri: 'https://example.com' },
          generatedAt: '2026-11-01T07:00:00Z',
          snapshot: { schemaVersion: 1, generatedAt: snap.generatedAt, source: snap.source, scope: snap.scope },
          rules: out.rules.map((r) => r.meta),
          findings: out.findings,
          coverage: snap.coverage,
          gate: decideGate(out.findings, out.rules, 'high', false),
          sarifCategory: 'x',
        }),
      );
    };
    const merged = mergeReports([
      { file: 'a.json', report: report(['111122223333']) },
      { file: 'b.json', report: report(['444455556666']) },
    ]);
    const whole = report(['111122223333', '444455556666']);
    const mergedDoc = JSON.parse(renderJson(merged));
    expect(mergedDoc.summary).toEqual(whole.summary);
    expect(mergedDoc.findings).toEqual(whole.findings);
    expect(mergedDoc.gate).toEqual(whole.gate);
    expect(mergedDoc.coverage).toEqual(whole.coverage);
    // The tool that took the shards' snapshots is the whole's; reports of different tools name none.
    expect(mergedDoc.snapshot.source.tool).toBe(whole.snapshot.source.tool);
    expect(whole.snapshot.source.tool).toEqual(expect.any(String));
    const other = report(['444455556666']);
    other.snapshot.source.tool = 'linkaudit 0.0.1';
    expect(JSON.parse(renderJson(mergeReports([{ file: 'a.json', report: report(['111122223333']) }, { file: 'c.json', report: other }]))).snapshot.source.tool).toBeUndefined();
  });
});
