// The collection spool (src/collectors/spool.ts): accounts kept on disk between collecting and
// judging them, and the snapshot file assembled from it. The file must be what JSON.stringify of
// the snapshot (its accounts in order) gives, byte for byte, whatever the resources hold; an AWS
// managed policy is kept once, the first account's copy, whatever order accounts finish in; and
// a spool that cannot be written is the user's error, named, not an internal one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccountSpool, COLLECTIONS } from '../src/collectors/spool.js';
import type { Collections } from '../src/engine/account-links.js';
import { UserError } from '../src/errors.js';
import { emptySnapshot } from '../src/model/empty.js';
import type { Snapshot } from '../src/model/types.js';

const empty = (): Collections => Object.fromEntries(COLLECTIONS.map((c) => [c, []])) as unknown as Collections;
const head = (accounts: string[]): Snapshot =>
  emptySnapshot({ generatedAt: '2026-12-01T00:00:00.000Z', source: { kind: 'live', tool: 'linkaudit test' }, scope: { partition: 'aws', accounts, regions: ['us-east-1'] }, coverage: [{ account: accounts[0] as string, region: 'us-east-1', service: 'ec2', operation: 'DescribeVpcEndpoints', errorCode: 'AccessDenied', message: 'no "quotes" \n or @@linkaudit-spool-x:connections@@', resourceKinds: ['vpcEndpoint'] }] });

function part(account: string, names: string[]): Collections {
  const p = empty();
  p.connections = names.map((name, i) => ({ arn: `arn:aws:codestar-connections:us-east-1:${account}:connection/${i}`, account, region: 'us-east-1', tags: { name }, name, providerType: 'GitHub', status: 'AVAILABLE' }));
  p.iamPolicies = [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', account, region: 'global', tags: {}, name: 'ReadOnlyAccess', defaultVersionId: 'v1', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Sid: account }] } } as Collections['iamPolicies'][number]];
  return p;
}

describe('the collection spool', () => {
  it('assembles the snapshot JSON.stringify would write, accounts in order, whatever names hold (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 4 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 5 }), (names, order) => {
        const accounts = names.map((_, i) => String(100000000000 + i));
        const spool = new AccountSpool();
        try {
          // Accounts finish in any order.
          const put = [...accounts.keys()].sort((a, b) => (order[a] ?? 0) - (order[b] ?? 0) || a - b);
          for (const i of put) spool.put(accounts[i] as string, part(accounts[i] as string, names[i] as string[]));
          const h = head(accounts);
          const text = [...spool.snapshotText(h)].join('');
          const expected = { ...h, connections: accounts.flatMap((a, i) => part(a, names[i] as string[]).connections), iamPolicies: [part(accounts[0] as string, []).iamPolicies[0]] };
          expect(text).toBe(`${JSON.stringify(expected, null, 2)}\n`);
          for (const [i, a] of accounts.entries()) expect(spool.read(a).connections).toEqual(part(a, names[i] as string[]).connections);
          expect(spool.read(accounts[0] as string).iamPolicies).toEqual([]);
        } finally {
          spool.close();
        }
        expect(existsSync(spool.dir)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  // A regular file as TMPDIR: no directory can be made under it, not even by root (which could
  // make a missing one, as Node 22's compile cache does in TMPDIR at start-up).
  const notADirectory = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-spool-test-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory\n');
    return file;
  };

  it('a spool that cannot be made or written is a UserError naming the place', () => {
    const file = notADirectory();
    expect(() => new AccountSpool(file)).toThrow(UserError);
    expect(() => new AccountSpool(file)).toThrow(/a-file: cannot make the collection's spool directory.*TMPDIR/);
    const spool = new AccountSpool();
    rmSync(spool.dir, { recursive: true });
    expect(() => spool.put('111122223333', part('111122223333', ['a']))).toThrow(/cannot write account 111122223333 to the collection's spool/);
    spool.close();
  });

  it('linkaudit collect with an unwritable TMPDIR exits 2 with that message, before any call to AWS', () => {
    const file = notADirectory();
    const r = spawnSync(process.execPath, ['dist/cli.js', 'collect', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', TMPDIR: file, AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/a-file: cannot make the collection's spool directory/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 30_000);
});
