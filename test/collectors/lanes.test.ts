// Accounts collected on several threads (collectors/lanes.ts, lane-thread.ts) against the fake
// over real HTTP: the snapshot, the requests and the progress are those of one thread; the
// requests in flight stay within --concurrency over all threads; a thread's UserError is the
// collection's UserError; --max-duration ends every thread's calls at the same moment.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrgEstate, orgAccount } from '../../bench/org-estate.js';
import { collect, type CollectOptions, type HeldAccount } from '../../src/collectors/collect.js';
import { collectOnLanes, laneShares } from '../../src/collectors/lanes.js';
import { emptySnapshot } from '../../src/model/empty.js';
import type { Progress } from '../../src/collectors/progress.js';
import { collectLive } from '../../src/commands/collect.js';
import { UserError } from '../../src/errors.js';
import type { Snapshot } from '../../src/model/types.js';
import { startFakeAws, type FakeAws, type FakeAwsOptions } from '../fake-aws/server.js';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
const ACCOUNTS = 9;
const built = buildOrgEstate(ACCOUNTS, { regions: ['eu-west-1', 'us-east-1'], endpointsPerCell: 3, rolesPerAccount: 4 });
const fakes: FakeAws[] = [];

async function fakeWith(extra: Partial<FakeAwsOptions> = {}): Promise<FakeAws> {
  const fake = await startFakeAws({ snapshot: built.snapshot, account: built.organization.managementAccount, organization: built.organization, ...extra });
  fakes.push(fake);
  return fake;
}

beforeAll(() => {
  Object.assign(process.env, ENV);
});

afterAll(async () => {
  for (const f of fakes) await f.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

interface Recorded {
  snapshot: Snapshot;
  requests: number;
  answers: number;
  totals: number;
  gaps: number;
  lines: string[];
  logs: string[];
}

async function collectOn(fake: FakeAws, threads: number, extra: Partial<CollectOptions> = {}): Promise<Recorded> {
  const r = { requests: 0, answers: 0, totals: 0, gaps: 0, lines: [] as string[], logs: [] as string[] };
  const progress: Progress = {
    total: (n) => void (r.totals += n),
    regionDone: (line) => void r.lines.push(line),
    request: () => {},
    answer: () => {},
    gaps: (n) => void (r.gaps += n),
    stop: () => {},
  };
  const snapshot = await collect({
    regions: 'all',
    concurrency: 12,
    maxAttempts: 2,
    timeoutMs: 10_000,
    endpointUrl: fake.url,
    credentialSource: 'test credentials',
    roleArn: 'arn:aws:iam::{account}:role/audit',
    org: true,
    pageThreads: 0,
    collectThreads: threads,
    progress,
    log: (line) => void r.logs.push(line),
    onRequest: () => void r.requests++,
    onAnswer: () => void r.answers++,
    ...extra,
  });
  return { snapshot, ...r };
}

const withoutTime = (s: Snapshot): Snapshot => ({ ...s, generatedAt: 'T' });

describe('--collect-threads', () => {
  it('takes a whole number from 1 to 64, and --concurrency a whole number of at least 1', async () => {
    for (const collectThreads of [0, -1, 1.5, 65, Number.NaN]) {
      await expect(collectLive({ region: ['us-east-1'], maxAttempts: 1, timeout: 1, collectThreads, quiet: true }, () => {}), String(collectThreads)).rejects.toThrow(/^--collect-threads must be a whole number from 1 to 64$/);
    }
    for (const concurrency of [0, 2.5, Number.NaN]) {
      await expect(collectLive({ region: ['us-east-1'], maxAttempts: 1, timeout: 1, concurrency, quiet: true }, () => {}), String(concurrency)).rejects.toThrow(/^--concurrency must be a whole number of at least 1$/);
    }
  });
});

describe('collection threads', () => {
  it('give one thread\'s snapshot, requests and progress, with every thread collecting', async () => {
    const fake = await fakeWith({
      denyAssume: [orgAccount(4)],
      failures: [{ operation: 'ListHosts', region: 'eu-west-1', status: 400, code: 'AccessDeniedException', message: 'not allowed here' }],
    });
    const one = await collectOn(fake, 1);
    const three = await collectOn(fake, 3);
    expect(withoutTime(three.snapshot)).toEqual(withoutTime(one.snapshot));
    // The estate as served, with its gaps: an account not entered, a listing denied in a region.
    expect(one.snapshot.scope.accounts).toHaveLength(ACCOUNTS);
    expect(one.snapshot.vpcEndpoints.length).toBeGreaterThan(0);
    expect(one.snapshot.coverage.some((g) => g.account === orgAccount(4) && g.operation === 'AssumeRole')).toBe(true);
    expect(one.snapshot.coverage.some((g) => g.operation === 'ListHosts' && g.region === 'eu-west-1')).toBe(true);
    for (const k of ['requests', 'answers', 'totals', 'gaps'] as const) expect(three[k], k).toBe(one[k]);
    expect([...three.lines].sort()).toEqual([...one.lines].sort());
    expect(three.logs.filter((l) => !l.includes('collection threads')).sort()).toEqual([...one.logs].sort());
    // Accounts go round the lanes: every thread collected some.
    expect(three.logs).toContain(`linkaudit: ${ACCOUNTS} accounts on 3 collection threads, 3, 3, 3 each (4 + 4 + 4 requests in flight)`);
    expect(one.logs.some((l) => l.includes('collection threads'))).toBe(false);
  }, 60_000);

  it('keep the requests in flight within --concurrency over every thread', async () => {
    const fake = await fakeWith({ latencyMs: 20 });
    await collectOn(fake, 3, { concurrency: 6 });
    expect(fake.peakInFlight).toBeLessThanOrEqual(6);
    expect(fake.peakInFlight).toBeGreaterThan(2);
  }, 60_000);

  it('make a thread\'s UserError the collection\'s, message and all', async () => {
    // Account 1 is the second account: the first collection thread's (accounts go round the lanes).
    const fake = await fakeWith({ failures: [{ operation: 'DescribeRegions', account: orgAccount(1), status: 400, code: 'InvalidParameterValue', message: 'no regions for you' }] });
    for (const threads of [1, 3]) {
      const err = await collectOn(fake, threads).catch((e: unknown) => e);
      expect(err, `${threads} threads`).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(`cannot list the enabled regions of ${orgAccount(1)} (InvalidParameterValue)`);
    }
  }, 60_000);

  it('end every thread\'s calls when --max-duration runs out: what was not read is unknown, in each thread\'s accounts', async () => {
    const fake = await fakeWith({ latencyMs: 150 });
    const { snapshot } = await collectOn(fake, 3, { org: false, accounts: built.organization.accounts, maxDurationSeconds: 1.2 });
    const cut = new Set(snapshot.coverage.filter((g) => g.errorCode === 'MaxDurationExceeded').map((g) => g.account));
    // Accounts 0, 1 and 2 are the first of threads 0, 1 and 2.
    for (const i of [0, 1, 2]) expect(cut.has(orgAccount(i)), `account ${i}`).toBe(true);
  }, 60_000);
});

describe('a collection thread that cannot start or stops', () => {
  const accounts = Array.from({ length: 12 }, (_, i) => orgAccount(i));
  const run = { caller: { account: orgAccount(0), arn: `arn:aws:iam::${orgAccount(0)}:user/a`, partition: 'aws' }, home: 'us-east-1', accounts, startedAt: 'T', source: { kind: 'live' as const } };
  const options = (logs: string[]): CollectOptions => ({ regions: ['us-east-1'], concurrency: 6, maxAttempts: 1, timeoutMs: 1000, credentialSource: 'test', log: (l) => void logs.push(l) });
  const here = async (account: string): Promise<HeldAccount> => ({ regions: ['us-east-1'], held: emptySnapshot({ generatedAt: 'T', source: { kind: 'live' }, scope: { partition: 'aws', accounts: [account], regions: ['us-east-1'] } }) });
  const starts: Array<[string, () => Worker]> = [
    ['throws as it starts', () => new Worker('throw new Error("no thread for you\u001b[2J")', { eval: true })],
    ['exits at once', () => new Worker('process.exit(3)', { eval: true })],
    ['stops after taking accounts', () => new Worker('require("node:worker_threads").parentPort.once("message", () => process.exit(4))', { eval: true })],
  ];
  for (const [name, start] of starts) {
    it(`${name}: its accounts are collected on the main thread, each once`, async () => {
      const logs: string[] = [];
      const done: string[] = [];
      const counts = await collectOnLanes({ accounts, lanes: 3, accountsAtOnce: 6, run, options: options(logs), shares: laneShares(6, 3), here, done: async (_, account) => void done.push(account), startThread: start });
      expect([...done].sort()).toEqual(accounts);
      expect(counts).toEqual([12, 0, 0]);
      expect(logs.some((l) => /^linkaudit: a collection thread (failed|stopped) .*; account [0-9]{12} is collected on the main thread instead$/.test(l))).toBe(true);
      // What a thread's error said reaches the log without its control characters.
      for (const l of logs) expect(l).not.toMatch(/\u001b/);
    });
  }
});

