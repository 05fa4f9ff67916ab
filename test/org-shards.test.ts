// The shard + merge path at organization scale (README, "When one machine is not enough"): 1,000
// accounts served by the fake AWS, collected once whole and once as 4 concurrent `--shard i/4`
// processes of the built CLI. Merged, the shards must be the whole collection: the same snapshot,
// the same reports when the merged snapshot is scanned, and the same JSON report when the shards'
// own reports are merged instead. A merge missing one shard must not pass for the whole.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrgEstate } from '../bench/org-estate.js';
import { loadSnapshotFile } from '../src/model/load.js';
import { isSharedResource } from '../src/model/arn.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type Snapshot } from '../src/model/types.js';
import { startFakeAws, type FakeAws } from './fake-aws/server.js';
import { settled } from './helpers/settled.js';

const CLI = resolve('dist/cli.js');
const REGIONS = ['us-east-1'];
const SHARDS = 4;
const SHARD_NUMBERS = Array.from({ length: SHARDS }, (_, i) => i + 1);
const FORMATS = ['json', 'sarif', 'markdown'];
const REPORT_FILES = ['linkaudit.json', 'linkaudit.sarif', 'linkaudit.md'];
// Small cells (2 endpoints, 4 roles) keep 1,000 accounts cheap: the account count is what shards split.
const { snapshot: estate, organization } = buildOrgEstate(1000, { regions: REGIONS, endpointsPerCell: 2, rolesPerAccount: 4 });

let dir: string;
let fake: FakeAws;

/** The built CLI, run asynchronously in `dir`: the fake answers in this process, so spawnSync would starve it. */
function linkaudit(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // An environment of its own: no AWS_PROFILE, shared config or instance metadata of the machine running the tests.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: join(dir, 'home'),
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** Runs the CLI and requires exit 0, showing its stderr otherwise. */
async function ok(args: string[]): Promise<void> {
  const r = await linkaudit(args);
  expect(r.status, `linkaudit ${args.join(' ')}\n${r.stderr}`).toBe(0);
}

function collectArgs(output: string, shard?: number): string[] {
  return [
    'collect', '--org', '--role-arn', 'arn:aws:iam::{account}:role/linkaudit-audit', ...REGIONS.flatMap((r) => ['--region', r]),
    '--endpoint-url', fake.url, '--quiet', '--output', output, ...(shard ? ['--shard', `${shard}/${SHARDS}`] : []),
  ];
}

function scanArgs(snapshotFile: string, outDir: string, formats: string[]): string[] {
  return ['scan', '--snapshot', snapshotFile, '--config', 'org.linkaudit.yaml', ...formats.flatMap((f) => ['--format', f]), '--output-dir', outDir, '--fail-on', 'none', '--quiet'];
}

const shardFile = (n: number): string => `shard-${n}.json`;
const shardReport = (n: number): string => `shard-${n}/linkaudit.json`;
// Read, loaded and parsed once each: the snapshots and reports run to tens of MB, and the tests only read them.
function once<T>(read: (file: string) => T): (file: string) => T {
  const done = new Map<string, T>();
  return (file) => {
    if (!done.has(file)) done.set(file, read(file));
    return done.get(file) as T;
  };
}
const text = once((file) => readFileSync(join(dir, file), 'utf8'));
const load = once((file): Snapshot => loadSnapshotFile(join(dir, file)));

interface JsonReport {
  generatedAt: string;
  snapshot: { file?: string; generatedAt: string; source: { kind: string; tool?: string; description?: string }; scope: { accounts: string[] } };
  summary: { total: Record<string, number>; byRule: Record<string, Record<string, number>> };
  findings: Array<{ resource: { account: string } }>;
}
const report = once((file) => JSON.parse(text(file)) as JsonReport);

/** Where two long texts first differ, with context, or undefined: a readable failure instead of a diff of megabytes. */
function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (s: string): string => JSON.stringify(s.slice(Math.max(0, i - 300), i + 300));
  return `first difference at character ${i}:\n${around(a)}\nvs\n${around(b)}`;
}

/** A report with what two scans of one estate may differ in replaced: when it was scanned, when the snapshot was taken, the snapshot file's name. */
function normalized(reportText: string, scan: { scannedAt: string; collectedAt: string; file: string }): string {
  return reportText.replaceAll(scan.scannedAt, '<scanned at>').replaceAll(scan.collectedAt, '<collected at>').replaceAll(scan.file, '<snapshot file>');
}

/** A snapshot without what a merge legitimately changes: its time (the newest shard's) and its description (its inputs). */
function comparable(snapshot: Snapshot): Snapshot {
  return { ...snapshot, generatedAt: '', source: { ...snapshot.source, description: '' } };
}

/** A JSON report's text without its time and its snapshot block, which merging reports rebuilds. */
function outsideSnapshotBlock(reportText: string): string {
  const block = /\n {2}"snapshot": \{\n[\s\S]*?\n {2}\},\n/;
  const time = /\n {2}"generatedAt": "[^"]*"/;
  expect(reportText).toMatch(block);
  expect(reportText).toMatch(time);
  return reportText.replace(block, '\n  "snapshot": <snapshot>,\n').replace(time, '\n  "generatedAt": <generated at>');
}

/** `text` without `fragment`, which must occur exactly once. */
function without(reportText: string, fragment: string): string {
  expect(reportText.split(fragment).length - 1, fragment).toBe(1);
  return reportText.replace(fragment, '');
}

/** The newest of some ISO timestamps: what merge keeps. */
const newest = (times: string[]): string => [...times].sort().at(-1) ?? '';

describe('the shard + merge path at organization scale', () => {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linkaudit-org-shards-'));
    mkdirSync(join(dir, 'home'));
    // Trusting the organization makes endpoint-service-untrusted-principal depend on the
    // organization's membership: an endpoint service names the next account, mostly in another
    // shard, so a shard that recorded only its own accounts as members would judge it otherwise.
    writeFileSync(join(dir, 'org.linkaudit.yaml'), `trustedOrganizations:\n  - ${organization.id}\n`);
    fake = await startFakeAws({ snapshot: estate, account: organization.managementAccount, organization, pageSize: 'max' });
    // Every run of the CLI happens here, as much of it side by side as depends allow: the test's
    // time is mostly the CLI's CPU (an SDK client set and ~20 signed requests per account), and the
    // whole run, one process, leaves a core to the shards and their merges. The tests read files.
    const whole = timed('whole: collect, scan', async () => {
      await ok(collectArgs('full.json'));
      await ok(scanArgs('full.json', 'full', FORMATS));
    });
    const shards = timed(`${SHARDS} shards: collect, scan each, merge`, async () => {
      await settled(
        SHARD_NUMBERS.map(async (n) => {
          await ok(collectArgs(shardFile(n), n));
          await ok(scanArgs(shardFile(n), `shard-${n}`, ['json']));
        }),
      );
      // The negative control: the first shards without the last.
      const present = SHARD_NUMBERS.slice(0, -1);
      await settled([
        ok(['merge', ...SHARD_NUMBERS.map(shardFile), '--output', 'merged.json']).then(() => ok(scanArgs('merged.json', 'merged', FORMATS))),
        ok(['merge', ...SHARD_NUMBERS.map(shardReport), '--format', 'json', '--output-dir', 'merged-reports']),
        ok(['merge', ...present.map(shardFile), '--output', 'partial.json']),
        ok(['merge', ...present.map(shardReport), '--format', 'json', '--output-dir', 'partial-reports']),
      ]);
    });
    await settled([whole, shards]);
  }, 240_000);

  afterAll(async () => {
    console.log(`org-shards timings (ms): ${JSON.stringify(timings)}`);
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the shards partition the organization, and each records the whole organization', () => {
    const shards = SHARD_NUMBERS.map((n) => load(shardFile(n)));
    for (const shard of shards) {
      expect(shard.scope.accounts.length).toBeGreaterThan(0);
      expect(shard.coverage).toEqual([]);
      // Membership read from Organizations is the whole organization's in every shard: what lets a
      // shard judge trust of an account collected by another.
      expect(shard.organizations).toEqual([{ id: organization.id, managementAccount: organization.managementAccount, accounts: organization.accounts }]);
      const mine = new Set(shard.scope.accounts);
      for (const kind of RESOURCE_KINDS) for (const r of shard[KIND_COLLECTION[kind]]) expect(mine.has(r.account), r.arn).toBe(true);
    }
    const all = shards.flatMap((s) => s.scope.accounts);
    expect(all.length).toBe(organization.accounts.length);
    expect(all.sort()).toEqual([...organization.accounts].sort());
  });

  it('the merged snapshot is the whole collection, file for file but for when and from what', () => {
    const full = load('full.json');
    const merged = load('merged.json');
    expect(full.coverage).toEqual([]);
    expect(full.scope.accounts).toEqual(organization.accounts);
    // The estate lists an AWS managed policy in every account attaching it; a collection keeps it once.
    for (const kind of RESOURCE_KINDS) expect(full[KIND_COLLECTION[kind]].length, kind).toBe(new Set(estate[KIND_COLLECTION[kind]].map((r) => r.arn)).size);
    // Merge names its inputs (src/model/merge.ts) and takes the newest shard's time; nothing else may differ.
    const description = `merged from ${SHARDS} snapshot(s): ${SHARD_NUMBERS.map(shardFile).join(', ')}`;
    expect(merged.source).toEqual({ ...full.source, description });
    expect(merged.generatedAt).toBe(newest(SHARD_NUMBERS.map((n) => load(shardFile(n)).generatedAt)));
    expect(comparable(merged)).toEqual(comparable(full));
    // As written, too, before loading sorts anything: the files differ in these two fields alone.
    const raw = (file: string): string => JSON.stringify(comparable(JSON.parse(text(file)) as Snapshot));
    expect(firstDifference(raw('merged.json'), raw('full.json'))).toBeUndefined();
  });

  it("the merged snapshot scans to the whole collection's reports, byte for byte", () => {
    const scan = (snapshotFile: string, outDir: string) => {
      const json = report(`${outDir}/linkaudit.json`);
      const sarif = JSON.parse(text(`${outDir}/linkaudit.sarif`)) as { runs: Array<{ invocations: Array<Record<string, unknown>> }> };
      // What `normalized` replaces is what we think it is: the scan's own time is the SARIF run's end.
      expect(json.snapshot.file).toBe(snapshotFile);
      expect(json.snapshot.generatedAt).toBe(load(snapshotFile).generatedAt);
      expect(sarif.runs[0]?.invocations[0]?.endTimeUtc).toBe(json.generatedAt);
      return { scannedAt: json.generatedAt, collectedAt: json.snapshot.generatedAt, file: snapshotFile };
    };
    const full = scan('full.json', 'full');
    const merged = scan('merged.json', 'merged');
    // The merged snapshot's description (its provenance, above) reaches the JSON report's snapshot
    // block, and only there.
    const provenance = `,\n      "description": ${JSON.stringify(`merged from ${SHARDS} snapshot(s): ${SHARD_NUMBERS.map(shardFile).join(', ')}`)}`;
    for (const file of REPORT_FILES) {
      const mergedText = file === 'linkaudit.json' ? without(text(`merged/${file}`), provenance) : text(`merged/${file}`);
      expect(firstDifference(normalized(mergedText, merged), normalized(text(`full/${file}`), full)), file).toBeUndefined();
    }
  });

  it("the shards' merged reports are the whole collection's JSON report but for the snapshot block merge rebuilds", () => {
    const full = report('full/linkaudit.json');
    const merged = report('merged-reports/linkaudit.json');
    const shards = SHARD_NUMBERS.map((n) => report(shardReport(n)));
    // mergeReports (src/reporters/merge.ts) writes its own snapshot block: no file (there are
    // several), the newest input's times, a source of kind, the tool the shards share, and
    // provenance, the scope as the union of the inputs'.
    expect(merged.generatedAt).toBe(newest(shards.map((r) => r.generatedAt)));
    expect(full.snapshot.source.tool).toMatch(/^linkaudit /);
    expect(merged.snapshot).toEqual({
      schemaVersion: 1,
      generatedAt: newest(shards.map((r) => r.snapshot.generatedAt)),
      source: { kind: 'live', tool: full.snapshot.source.tool, description: `merged from ${SHARDS} report(s): ${SHARD_NUMBERS.map(shardReport).join(', ')}` },
      scope: full.snapshot.scope,
    });
    // Everything else (gate, summary, rules, findings, coverage), byte for byte.
    expect(firstDifference(outsideSnapshotBlock(text('merged-reports/linkaudit.json')), outsideSnapshotBlock(text('full/linkaudit.json')))).toBeUndefined();
    expect(full.findings.length).toBeGreaterThan(10_000);
    // The configuration's trust of the organization decides endpoint-service-untrusted-principal both ways.
    expect(full.summary.byRule['endpoint-service-untrusted-principal']?.pass).toBeGreaterThan(0);
    expect(full.summary.byRule['endpoint-service-untrusted-principal']?.fail).toBeGreaterThan(0);
  });

  it("a merge missing one shard is not the whole: exactly that shard's accounts are missing", () => {
    const missing = new Set(load(shardFile(SHARDS)).scope.accounts);
    const full = load('full.json');
    const partial = load('partial.json');
    // The comparisons above tell it apart from the whole...
    expect(firstDifference(JSON.stringify(comparable(partial)), JSON.stringify(comparable(full)))).toBeDefined();
    expect(firstDifference(outsideSnapshotBlock(text('partial-reports/linkaudit.json')), outsideSnapshotBlock(text('full/linkaudit.json')))).toBeDefined();
    // ...and what differs is the last shard's accounts, nothing more.
    expect(partial.scope.accounts).toEqual(full.scope.accounts.filter((a) => !missing.has(a)));
    let left = 0;
    for (const kind of RESOURCE_KINDS) {
      const collection = KIND_COLLECTION[kind];
      // An AWS managed policy is every account's, filed under the first that listed it: the partial has it too.
      const own = (list: ReadonlyArray<{ arn: string; account: string }>) => list.filter((r) => !isSharedResource(r));
      expect(own(partial[collection]), kind).toEqual(own(full[collection]).filter((r) => !missing.has(r.account)));
      expect(partial[collection].filter(isSharedResource).map((r) => r.arn), kind).toEqual(full[collection].filter(isSharedResource).map((r) => r.arn));
      left += full[collection].length - partial[collection].length;
    }
    expect(left).toBeGreaterThan(0);
    // Organizations still lists every member: it is what each shard read, not what it collected.
    expect(partial.organizations).toEqual(full.organizations);
    const fullReport = report('full/linkaudit.json');
    const partialReport = report('partial-reports/linkaudit.json');
    expect(partialReport.snapshot.scope.accounts).toEqual(partial.scope.accounts);
    const kept = fullReport.findings.filter((f) => !missing.has(f.resource.account));
    expect(kept.length).toBeLessThan(fullReport.findings.length);
    expect(firstDifference(JSON.stringify(partialReport.findings), JSON.stringify(kept))).toBeUndefined();
    expect(partialReport.summary.total).not.toEqual(fullReport.summary.total);
  });
});
