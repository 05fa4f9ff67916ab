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

  it('refuses snapshots of different partitions', () => {
    const cn = emptySnapshot({ scope: { partition: 'aws-cn', accounts: ['111122223333'], regions: ['cn-north-1'] } });
    expect(() => mergeSnapshots([{ file: 'a.json', snapshot: a }, { file: 'cn.json', snapshot: cn }])).toThrow(/cn\.json: partition aws-cn differs from a\.json's aws/);
  });
});
