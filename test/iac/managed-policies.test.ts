// The AWS managed policies templates attach by ARN: the build's per-line form gives exactly the
// bundle's documents, an unknown ARN stays unknown, and partitions keep their ARN.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { awsManagedPolicy, isAwsManagedPolicyArn, managedPolicyKey, managedPolicySource } from '../../src/collectors/iac/managed-policies.js';

interface Bundled {
  name: string;
  arn: string;
  defaultVersionId: string;
  document: unknown;
}
const bundle = JSON.parse(gunzipSync(readFileSync('data/aws-managed-policies.json.gz')).toString('utf8')) as { source: string; policies: Bundled[] };

describe('bundled AWS managed policies', () => {
  it('the build’s index and lines hold every policy of the bundle, byte for byte as JSON', () => {
    const index = JSON.parse(readFileSync('dist/managed-policies.index.json', 'utf8')) as { entries: Record<string, [number, number]> };
    const lines = readFileSync('dist/managed-policies.jsonl');
    expect(Object.keys(index.entries)).toHaveLength(bundle.policies.length);
    for (const p of bundle.policies) {
      const at = index.entries[managedPolicyKey(p.arn)];
      expect(at, p.arn).toBeDefined();
      expect(JSON.parse(lines.subarray(at![0], at![0] + at![1]).toString('utf8'))).toEqual(p);
    }
  });

  it('a lookup gives the policy as the model’s iamPolicy, in the attaching account, for every bundled ARN', () => {
    for (const p of bundle.policies) {
      const got = awsManagedPolicy(p.arn, '111122223333');
      expect(got?.document, p.arn).toEqual(p.document);
      expect(got).toMatchObject({ arn: p.arn, account: '111122223333', region: 'global', name: p.name, defaultVersionId: p.defaultVersionId, awsManaged: true });
    }
    expect(managedPolicySource()).toContain(bundle.source);
  });

  it('paths, partitions and names that are not in the bundle', () => {
    expect(awsManagedPolicy('arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess', '1')?.path).toBe('/service-role/');
    expect(awsManagedPolicy('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess', '1')?.arn).toBe('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess');
    expect(awsManagedPolicy('arn:aws:iam::aws:policy/NoSuchPolicyEver', '1')).toBeUndefined();
    // Inherited object keys are not policies.
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(awsManagedPolicy(`arn:aws:iam::aws:policy/${name}`, '1')).toBeUndefined();
    expect(isAwsManagedPolicyArn('arn:aws:iam::111122223333:policy/Mine')).toBe(false);
    expect(awsManagedPolicy('arn:aws:iam::111122223333:policy/Mine', '1')).toBeUndefined();
  });
});
