// Combining the stacks' worlds into one unit: the cross product up to 64, pairing by index beyond.
import { describe, expect, it } from 'vitest';
import { combineWorlds, MAX_WORLDS } from '../../../src/collectors/iac/cdk/combine.js';
import type { IacUnit } from '../../../src/collectors/iac/types.js';
import { emptySnapshot } from '../../../src/model/empty.js';
import type { IamPolicy, Snapshot } from '../../../src/model/types.js';

const NOW = new Date('2026-12-01T00:00:00Z');

function policy(arn: string): IamPolicy {
  return { arn, account: '111122223333', region: 'global', tags: {}, name: arn.split('/').at(-1) as string, defaultVersionId: 'v1', document: { Statement: [] } };
}

function snapshot(account: string, region: string, arns: string[]): Snapshot {
  return emptySnapshot({ generatedAt: NOW.toISOString(), source: { kind: 'iac', tool: 'linkaudit' }, scope: { partition: 'aws', accounts: [account], regions: [region] }, iamPolicies: arns.map(policy) });
}

function unit(name: string, labels: string[], arns: (label: string) => string[] = (l) => [`arn:aws:iam::111122223333:policy/iac:${name}#${l || 'P'}`]): IacUnit {
  return { name, format: 'cdk', worlds: labels.map((label) => ({ label, snapshot: snapshot('111122223333', 'eu-west-1', arns(label)) })) };
}

describe('combineWorlds', () => {
  it('one world per stack: one world with every stack\'s resources, sorted by ARN, scope united', () => {
    const a: IacUnit = { name: 'A', format: 'cdk', worlds: [{ label: '', snapshot: snapshot('111122223333', 'us-east-1', ['arn:aws:iam::111122223333:policy/iac:B#P']) }] };
    const b: IacUnit = { name: 'B', format: 'cdk', worlds: [{ label: '', snapshot: snapshot('444455556666', 'eu-west-1', ['arn:aws:iam::111122223333:policy/iac:A#P']) }] };
    const u = combineWorlds('cdk.out (2 stacks)', [a, b], { now: NOW });
    expect(u.name).toBe('cdk.out (2 stacks)');
    expect(u.format).toBe('cdk');
    expect(u.worlds).toHaveLength(1);
    const s = u.worlds[0]?.snapshot as Snapshot;
    expect(u.worlds[0]?.label).toBe('');
    expect(s.iamPolicies.map((p) => p.arn)).toEqual(['arn:aws:iam::111122223333:policy/iac:A#P', 'arn:aws:iam::111122223333:policy/iac:B#P']);
    expect(s.scope).toEqual({ partition: 'aws', accounts: ['111122223333', '444455556666'], regions: ['eu-west-1', 'us-east-1'] });
    expect(s.source).toEqual({ kind: 'iac', tool: 'linkaudit', description: 'cdk.out (2 stacks)' });
    expect(s.generatedAt).toBe(NOW.toISOString());
  });

  it('the same ARN in two stacks (a bundled AWS managed policy) is kept once', () => {
    const managed = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const u = combineWorlds('x', [unit('A', [''], () => [managed]), unit('B', [''], () => [managed, 'arn:aws:iam::111122223333:policy/iac:B#P'])], { now: NOW });
    expect(u.worlds[0]?.snapshot.iamPolicies.map((p) => p.arn)).toEqual(['arn:aws:iam::111122223333:policy/iac:B#P', managed]);
  });

  it('worlds of several stacks: the cross product, labels naming each stack, in order', () => {
    const u = combineWorlds('cdk.out (3 stacks)', [unit('A', ['X=true', 'X=false']), unit('B', ['']), unit('C', ['Y=1', 'Y=2', 'Y=3'])], { now: NOW });
    expect(u.name).toBe('cdk.out (3 stacks)');
    expect(u.worlds.map((w) => w.label)).toEqual([
      'A: X=true; C: Y=1',
      'A: X=true; C: Y=2',
      'A: X=true; C: Y=3',
      'A: X=false; C: Y=1',
      'A: X=false; C: Y=2',
      'A: X=false; C: Y=3',
    ]);
    expect(u.worlds[4]?.snapshot.iamPolicies.map((p) => p.arn)).toEqual([
      'arn:aws:iam::111122223333:policy/iac:A#X=false',
      'arn:aws:iam::111122223333:policy/iac:B#P',
      'arn:aws:iam::111122223333:policy/iac:C#Y=2',
    ]);
  });

  it('a single stack keeps its own labels', () => {
    const u = combineWorlds('cdk.out (1 stack)', [unit('A', ['X=true', 'X=false'])], { now: NOW });
    expect(u.worlds.map((w) => w.label)).toEqual(['X=true', 'X=false']);
  });

  it(`exactly ${MAX_WORLDS} combinations are still the product`, () => {
    const eight = Array.from({ length: 8 }, (_, i) => `N=${i}`);
    const u = combineWorlds('x', [unit('A', eight), unit('B', eight)], { now: NOW });
    expect(u.worlds).toHaveLength(64);
    expect(u.name).toBe('x');
  });

  it(`beyond ${MAX_WORLDS}: worlds paired by index (i mod n), every world of every stack evaluated, and the name says so`, () => {
    const two = ['X=true', 'X=false'];
    const stacks = Array.from({ length: 7 }, (_, i) => unit(`S${i}`, two));
    stacks.push(unit('T', ['Y=1', 'Y=2', 'Y=3']));
    const u = combineWorlds('cdk.out (8 stacks)', stacks, { now: NOW });
    expect(u.worlds).toHaveLength(3);
    expect(u.name).toBe("cdk.out (8 stacks), 3 worlds: stacks' worlds paired by index (their product, 384, exceeds 64)");
    expect(u.worlds.map((w) => w.label.split('; ').at(-1))).toEqual(['T: Y=1', 'T: Y=2', 'T: Y=3']);
    expect(u.worlds.map((w) => w.label.split('; ')[0])).toEqual(['S0: X=true', 'S0: X=false', 'S0: X=true']);
    for (const s of stacks) {
      for (const w of s.worlds) expect(u.worlds.some((c) => c.snapshot.iamPolicies.some((p) => p.arn.endsWith(`iac:${s.name}#${w.label}`))), `${s.name} ${w.label}`).toBe(true);
    }
  });
});
