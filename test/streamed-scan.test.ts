// A live scan evaluates account by account, each account spooled to disk (collectors/spool.ts,
// engine/streamed.ts); its reports must be byte for byte those of one evaluation of the whole
// collected snapshot (ScanArgs.wholeSnapshot), apart from the two timestamps, and its saved
// snapshot the same snapshot. The organization served here looks across accounts in the ways the
// engine follows (a pipeline on another account's connection and role), attaches one AWS managed
// policy in several accounts, suppresses by config and by tag, and has gaps: an account that will
// not be entered and a listing denied everywhere in one region.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrgEstate, orgAccount } from '../bench/org-estate.js';
import { runScan, type ScanArgs } from '../src/commands/scan.js';
import { loadSnapshotFile } from '../src/model/load.js';
import type { IamPolicy, Snapshot } from '../src/model/types.js';
import { startFakeAws, type FakeAws } from './fake-aws/server.js';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
let fake: FakeAws;
let dir: string;
let estate: Snapshot;
let forgedArn: string;

function organizationEstate(): { snapshot: Snapshot; organization: { id: string; managementAccount: string; accounts: string[] } } {
  const built = buildOrgEstate(7, { regions: ['eu-west-1', 'us-east-1'], endpointsPerCell: 3, rolesPerAccount: 6 });
  const s = structuredClone(built.snapshot);
  const [a0, a1, a2] = s.scope.accounts as [string, string, string];
  const p1 = s.pipelines.find((p) => p.account === a1);
  if (!p1) throw new Error('estate changed');
  (p1.stages[0]?.actions[0]?.configuration as Record<string, string>).ConnectionArn = s.connections.find((c) => c.account === a0)?.arn as string;
  p1.roleArn = `arn:aws:iam::${a2}:role/pipeline`;
  // Its build runs as an admin-equivalent role: a high fail, and a blast radius through account 0's connection.
  const build1 = s.iamRoles.find((r) => r.account === a1 && r.name === 'build');
  if (build1) build1.attachedPolicies = ['arn:aws:iam::aws:policy/AdministratorAccess'];
  // The same AWS managed policy, listed by every account whose principals attach it.
  const admin = (account: string): IamPolicy => ({ arn: 'arn:aws:iam::aws:policy/AdministratorAccess', account, region: 'global', tags: {}, name: 'AdministratorAccess', defaultVersionId: 'v1', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } as IamPolicy);
  s.iamPolicies.push(admin(a0), admin(a2), admin(orgAccount(5)));
  // Account 3's ListConnections names a connection whose ARN is account 0's (an endpoint making one up).
  const forged = s.connections.find((c) => c.account === a0);
  if (forged) s.connections.push({ ...forged, account: orgAccount(3), name: 'forged' });
  // A tag suppression on an endpoint of account 3.
  const e = s.vpcEndpoints.find((x) => x.account === orgAccount(3) && x.policy === undefined);
  if (e) e.tags = { ...e.tags, 'linkaudit:suppress': 'interface-endpoint-policy-allows-all', 'linkaudit:suppress-reason': 'a shared endpoint, reviewed by the platform team', 'linkaudit:suppress-expires': '2027-03-01' };
  return { snapshot: s, organization: built.organization };
}

beforeAll(async () => {
  Object.assign(process.env, ENV);
  const { snapshot, organization } = organizationEstate();
  estate = snapshot;
  forgedArn = snapshot.connections.find((c) => c.name === 'forged')?.arn as string;
  fake = await startFakeAws({
    snapshot,
    account: organization.managementAccount,
    organization,
    denyAssume: [orgAccount(4)],
    failures: [{ operation: 'ListHosts', region: 'eu-west-1', status: 400, code: 'AccessDeniedException', message: 'not allowed here' }],
  });
  dir = mkdtempSync(join(tmpdir(), 'linkaudit-streamed-'));
  writeFileSync(
    join(dir, 'config.yaml'),
    `trustedAccounts: [${organization.accounts.slice(0, 3).map((a) => `"${a}"`).join(', ')}]\nallowTagSuppressions: true\nsuppressions:\n  - rule: interface-endpoint-policy-allows-all\n    resource: "arn:aws:ec2:*:${orgAccount(0)}:vpc-endpoint/*"\n    reason: sandbox account endpoints, accepted\n    expires: "2027-03-01"\n`,
  );
});

afterAll(async () => {
  await fake?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scan(name: string, extra: Partial<ScanArgs>): Promise<{ files: Map<string, string>; stamps: string[] }> {
  const out = join(dir, name);
  const outcome = await runScan(
    {
      org: true,
      roleArn: 'arn:aws:iam::{account}:role/linkaudit-audit',
      region: ['eu-west-1', 'us-east-1'],
      endpointUrl: fake.url,
      maxAttempts: 2,
      format: ['json', 'sarif', 'markdown', 'junit', 'html', 'ocsf', 'asff'],
      outputDir: out,
      saveSnapshot: join(dir, `${name}.snapshot.json`),
      config: join(dir, 'config.yaml'),
      rulesDir: [],
      only: [],
      skip: [],
      allowPartial: false,
      failOn: 'none',
      quiet: true,
      now: new Date('2026-12-01T00:00:00Z'),
      ...extra,
    },
    () => {},
  );
  const files = new Map(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  return { files, stamps: [outcome.input.generatedAt, outcome.input.snapshot.generatedAt] };
}

/** The report's time and the collection's start, and the forms the formats give them in. */
function withoutStamps(text: string, stamps: string[]): string {
  let out = text;
  for (const s of stamps) {
    const ms = Date.parse(s);
    // Longest first, so that no form is left half replaced by a shorter one.
    for (const form of [s, s.replace(/\.\d{3}Z$/, 'Z'), s.replace(/Z$/, ''), String(ms)].sort((a, b) => b.length - a.length)) out = out.split(form).join('<time>');
  }
  return out;
}

describe('a live scan judged account by account', () => {
  it('writes the reports one evaluation of the whole collected snapshot writes, byte for byte apart from the timestamps', async () => {
    const streamed = await scan('streamed', {});
    const whole = await scan('whole', { wholeSnapshot: true });
    expect([...streamed.files.keys()]).toEqual([...whole.files.keys()]);
    expect(streamed.files.size).toBeGreaterThanOrEqual(7);
    for (const [file, text] of whole.files) expect(withoutStamps(streamed.files.get(file) as string, streamed.stamps), file).toBe(withoutStamps(text, whole.stamps));

    // The reports have what they are to be compared on: cross-account findings, both suppressions, gaps, a blast radius.
    const report = JSON.parse(streamed.files.get('linkaudit.json') as string) as { findings: Array<{ ruleId: string; status: string; suppression?: { source: string } }>; coverage: unknown[] };
    expect(report.findings.some((f) => f.suppression?.source === 'tag')).toBe(true);
    expect(report.findings.some((f) => f.suppression?.source === 'config')).toBe(true);
    expect(report.coverage.length).toBeGreaterThan(3);
    expect(streamed.files.get('linkaudit.md')).toContain('Blast radius');

    // The same snapshot saved; the AWS managed policy once, with no gap for its being listed by three accounts.
    const a = loadSnapshotFile(join(dir, 'streamed.snapshot.json'));
    const b = loadSnapshotFile(join(dir, 'whole.snapshot.json'));
    expect({ ...a, generatedAt: '' }).toEqual({ ...b, generatedAt: '' });
    const managed = a.iamPolicies.filter((p) => p.awsManaged).map((p) => p.arn);
    expect(managed).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
    expect(new Set(managed).size).toBe(managed.length);
    expect(a.coverage.some((g) => /more than once/.test(g.message))).toBe(false);
    // The forged connection is left out, with a gap of account 3's; account 0's own is kept.
    expect(a.connections.filter((c) => c.arn === forgedArn)).toEqual([expect.objectContaining({ account: orgAccount(0) })]);
    expect(a.coverage.filter((g) => g.account === orgAccount(3) && g.errorCode === 'InvalidResponse' && g.message.includes('names account'))).toHaveLength(1);
    expect(a.vpcEndpoints.length).toBe(estate.vpcEndpoints.filter((e) => e.account !== orgAccount(4)).length);
  }, 120_000);

  it('marks findings against a baseline, and lists only the statuses asked for, as one whole evaluation does', async () => {
    // A baseline with fails the estate no longer has (fixed, gone), passes it now fails (new), and fails it still has (unchanged).
    const first = await scan('first', { wholeSnapshot: true, saveSnapshot: undefined });
    const doc = JSON.parse(first.files.get('linkaudit.json') as string) as { findings: Array<{ fingerprint: string; status: string; ruleId: string; resource: { arn: string } }> };
    const fails = doc.findings.filter((f) => f.status === 'fail');
    expect(fails.length).toBeGreaterThan(4);
    for (const f of fails.slice(0, 3)) f.status = 'pass';
    const pass = doc.findings.find((f) => f.status === 'pass' && !fails.slice(0, 3).includes(f));
    if (pass) pass.status = 'fail';
    doc.findings.push({ ...(fails[4] as (typeof fails)[number]), fingerprint: '0'.repeat(64), resource: { ...(fails[4] as (typeof fails)[number]).resource, arn: 'arn:aws:ec2:us-east-1:111111111111:vpc-endpoint/vpce-gone' } });
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify(doc));
    const extra: Partial<ScanArgs> = { baseline, failOnNew: true, results: ['fail', 'unknown', 'suppressed'], framework: 'nist-800-53', saveSnapshot: undefined };
    const streamed = await scan('streamed-baseline', extra);
    const whole = await scan('whole-baseline', { ...extra, wholeSnapshot: true });
    expect([...streamed.files.keys()]).toEqual([...whole.files.keys()]);
    for (const [file, text] of whole.files) expect(withoutStamps(streamed.files.get(file) as string, streamed.stamps), file).toBe(withoutStamps(text, whole.stamps));
    const report = JSON.parse(streamed.files.get('linkaudit.json') as string) as { findings: Array<{ status: string; baseline?: string }>; baseline: { new: number; unchanged: number; fixed: Array<{ now: string }> } };
    expect(report.baseline.new).toBeGreaterThanOrEqual(3);
    expect(report.baseline.unchanged).toBeGreaterThan(0);
    expect(report.baseline.fixed.map((f) => f.now).sort()).toEqual(['absent', 'pass']);
    expect(report.findings.some((f) => f.status === 'pass')).toBe(false);
  }, 120_000);

  it('scanning the saved snapshot gives the live scan\'s reports (the snapshot file and the graph command aside)', async () => {
    const live = await scan('live', {});
    const again = await scan('again', { org: undefined, roleArn: undefined, region: undefined, endpointUrl: undefined, saveSnapshot: undefined, snapshot: join(dir, 'live.snapshot.json') });
    const file = join(dir, 'live.snapshot.json');
    const json = (t: string): unknown => {
      const doc = JSON.parse(t) as { snapshot: Record<string, unknown> };
      delete doc.snapshot.file;
      return doc;
    };
    expect(json(withoutStamps(again.files.get('linkaudit.json') as string, again.stamps))).toEqual(json(withoutStamps(live.files.get('linkaudit.json') as string, live.stamps)));
    expect(withoutStamps(again.files.get('linkaudit.sarif') as string, again.stamps).split(file).join('')).toBe(withoutStamps(live.files.get('linkaudit.sarif') as string, live.stamps));
  }, 120_000);
});
