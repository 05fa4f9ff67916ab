// A resource read in one account whose ARN names another (an endpoint making one up) is left out
// with a gap of the account it was read from, whatever its kind; nothing else is touched, and an
// AWS managed policy (`arn:aws:iam::aws:policy/…`, no account) is never taken for one.
import { describe, expect, it } from 'vitest';
import { holdCollected } from '../../src/collectors/hold.js';
import { isSharedResource } from '../../src/model/arn.js';
import { loadSnapshotFile } from '../../src/model/load.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type Snapshot } from '../../src/model/types.js';

const demo = loadSnapshotFile('fixtures/demo/snapshot.json');
const OTHER = '999988887777';

describe('hold: ARNs that name another account', () => {
  it('the demo estate as read is held whole: no resource is taken for another account\'s', () => {
    const held = holdCollected(structuredClone(demo));
    for (const kind of RESOURCE_KINDS) expect(held[KIND_COLLECTION[kind]].length, kind).toBe(demo[KIND_COLLECTION[kind]].length);
    expect(held.coverage).toEqual(demo.coverage);
  });

  it('every resource of every kind, its ARN naming another account: left out, one gap, the rest kept', () => {
    let tried = 0;
    for (const kind of RESOURCE_KINDS) {
      const collection = KIND_COLLECTION[kind];
      (demo[collection] as Array<{ arn: string; account: string }>).forEach((r, i) => {
        if (isSharedResource(r)) return;
        const forged = r.arn.replace(`:${r.account}:`, `:${OTHER}:`);
        expect(forged, r.arn).not.toBe(r.arn);
        const s = structuredClone(demo) as Snapshot;
        (s[collection][i] as { arn: string }).arn = forged;
        const held = holdCollected(s);
        expect(held[collection].map((x) => x.arn), r.arn).not.toContain(forged);
        expect(held[collection].length, r.arn).toBe(demo[collection].length - 1);
        const gaps = held.coverage.filter((g) => g.errorCode === 'InvalidResponse' && g.message.includes(`names account "${OTHER}"`));
        expect(gaps.length, r.arn).toBeGreaterThan(0);
        expect(gaps.every((g) => g.account === r.account && g.resourceKinds.includes(kind)), r.arn).toBe(true);
        tried++;
      });
    }
    expect(tried).toBeGreaterThan(50);
  });
});
