// Fault injection: the demo estate served by the fake AWS, a seeded fraction of its answers
// replaced by 500s, 503s, throttles, reset connections, truncated bodies, HTML 502 pages and
// answers held past --timeout. Whatever the faults, the scan ends, never with an internal error,
// and a fault can only turn a verdict into unknown: never a fail into a pass or a pass into a fail.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../src/collectors/collect.js';
import { loadConfig } from '../src/config.js';
import { evaluateRules } from '../src/engine/evaluate.js';
import { loadRuleSet } from '../src/engine/rule-set.js';
import { validateSnapshot } from '../src/model/load.js';
import type { Snapshot } from '../src/model/types.js';
import { PLANTED_SECRET } from './fake-aws/ci.js';
import { withCi } from './fake-aws/ci-estate.js';
import { DEMO_ACCOUNT, DEMO_REGIONS, demoAccount } from './fake-aws/estate.js';
import { cliAgainst, useHomeRegion } from './fake-aws/cli.js';
import { CHAOS_FAULTS, startFakeAws } from './fake-aws/server.js';
import { settled } from './helpers/settled.js';

const SEEDS = 50;
const SEEDS_AT_ONCE = 5;
const TIMEOUT_MS = 250;
const estate = withCi(demoAccount());
const config = loadConfig('fixtures/demo/.linkaudit.yaml');
const ruleSet = loadRuleSet();
const credentials = async () => ({ accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' });

const CI = [
  ['pipelines', 'pipeline'],
  ['buildProjects', 'buildProject'],
  ['sourceCredentials', 'sourceCredential'],
] as const;

/**
 * No rule reads pipelines and builds yet, so they are held to the estate directly: each one read is
 * the estate's own or says what it could not read, each one missing has its listing's gap, and no
 * secret the fake planted is kept, whatever failed.
 */
function checkCi(snapshot: Snapshot, seed: number): void {
  for (const [collection, kind] of CI) {
    const want = new Map<string, unknown>(estate[collection].map((r) => [r.arn, r]));
    for (const r of snapshot[collection]) {
      expect(want.has(r.arn), `seed ${seed}: ${r.arn} is not the estate's`).toBe(true);
      if (r.unreadable === undefined) expect(r, `seed ${seed}: ${r.arn}`).toEqual(want.get(r.arn));
    }
    for (const w of estate[collection]) {
      if (snapshot[collection].some((r) => r.arn === w.arn)) continue;
      const gap = snapshot.coverage.some((g) => g.field === undefined && g.region === w.region && g.resourceKinds.includes(kind));
      expect(gap, `seed ${seed}: ${w.arn} is missing without a gap`).toBe(true);
    }
  }
  expect(JSON.stringify(snapshot)).not.toContain(PLANTED_SECRET);
}

function verdicts(snapshot: Snapshot): Map<string, string> {
  return new Map(evaluateRules(ruleSet.rules, snapshot, config, ruleSet.runtime.bind).findings.map((f) => [`${f.ruleId} ${f.resource.arn}`, f.status]));
}

useHomeRegion();
let expected: Map<string, string>;
beforeAll(() => {
  expected = verdicts({ ...estate, generatedAt: new Date().toISOString() });
});

describe('chaos: seeded faults on every service', () => {
  it(`over ${SEEDS} seeds a fault only ever turns a verdict into unknown`, async () => {
    const seen = new Map<string, number>();
    // A seed's time is mostly answers held past the timeout: seeds run a few at a time, each with
    // its own fake, so the file waits on several at once.
    const runSeed = async (seed: number): Promise<void> => {
      const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, chaos: { seed, rate: 0.2, holdMs: TIMEOUT_MS * 3 } });
      try {
        const snapshot = await collect({ regions: DEMO_REGIONS, concurrency: 8, maxAttempts: 2, timeoutMs: TIMEOUT_MS, endpointUrl: fake.url, credentials, credentialSource: 'test', log: () => {}, pageThreads: 0, maxDurationSeconds: 20 });
        validateSnapshot(JSON.parse(JSON.stringify(snapshot)), `seed ${seed}`);
        checkCi(snapshot, seed);
        const got = verdicts(snapshot);
        for (const [key, status] of expected) {
          const now = got.get(key);
          if (status === 'fail') expect(now, `seed ${seed}: ${key}`).not.toBe('pass');
          if (status === 'pass') expect(now, `seed ${seed}: ${key}`).not.toBe('fail');
        }
        for (const [key, status] of got) if (!expected.has(key)) expect(status, `seed ${seed}: ${key} is new`).toBe('unknown');
        for (const [fault, n] of fake.chaosFaults) seen.set(fault, (seen.get(fault) ?? 0) + n);
      } finally {
        await fake.close();
      }
    };
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    for (let i = 0; i < seeds.length; i += SEEDS_AT_ONCE) {
      await settled(seeds.slice(i, i + SEEDS_AT_ONCE).map(runSeed));
    }
    // Every kind of fault was injected somewhere.
    expect([...seen.keys()].sort()).toEqual([...CHAOS_FAULTS].sort());
  }, 120_000);

  it('the built CLI ends within a bound, never with an internal error, and exits as its gate says', async () => {
    // Side by side: each run mostly waits on held answers and its own --max-duration.
    const runSeed = async (seed: number): Promise<void> => {
      const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, chaos: { seed, rate: 0.3, holdMs: 2000 } });
      const dir = mkdtempSync(join(tmpdir(), 'linkaudit-chaos-'));
      try {
        const run = await cliAgainst(fake.url, ['scan', '--regions', DEMO_REGIONS.join(','), '--timeout', '0.3', '--max-attempts', '2', '--max-duration', '10', '--config', 'fixtures/demo/.linkaudit.yaml', '--format', 'json', '--output-dir', dir, '--quiet']);
        expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
        expect(run.stderr).not.toMatch(/MaxListenersExceededWarning/);
        const report = JSON.parse(readFileSync(join(dir, 'linkaudit.json'), 'utf8')) as { gate: { exitCode: number } };
        expect(run.status).toBe(report.gate.exitCode);
        // The demo has high fails: a fault can make the gate 2 (unknowns), never 0.
        expect([1, 2]).toContain(run.status);
      } finally {
        await fake.close();
      }
    };
    await settled([3, 17, 29].map(runSeed));
  }, 60_000);
});
