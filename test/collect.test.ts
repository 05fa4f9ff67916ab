// Live collection end to end, against an in-process fake AWS endpoint speaking the real wire
// protocols: the demo estate served over the wire must scan to the demo's own findings.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect as collectLive } from '../src/collectors/collect.js';
import { PageReaders } from '../src/collectors/wire/page-threads.js';
import { loadConfig } from '../src/config.js';
import { evaluateRules } from '../src/engine/evaluate.js';
import { loadRuleSet } from '../src/engine/rule-set.js';
import { vpcEndpointArn } from '../src/model/arn.js';
import { loadSnapshotFile, validateSnapshot } from '../src/model/load.js';
import { mergeSnapshots } from '../src/model/merge.js';
import type { Snapshot } from '../src/model/types.js';
import { notAllowed } from './collectors/policy-check.js';
import { ruleYaml } from './helpers/rules.js';
import { PLANTED_SECRET } from './fake-aws/ci.js';
import { withCi } from './fake-aws/ci-estate.js';
import { demoAccount } from './fake-aws/estate.js';
import { startFakeAws, type FakeAws, type Failure } from './fake-aws/server.js';

const ACCOUNT = '111122223333';
const REGIONS = ['eu-west-1', 'us-east-1'];
const CLI = resolve('dist/cli.js');

const expected = withCi(demoAccount());
const config = loadConfig('fixtures/demo/.linkaudit.yaml');
const ruleSet = loadRuleSet();

/**
 * What a scan of `collected` should find: the expected estate as of the collection time, without
 * organization membership (one account's collection does not read AWS Organizations, so trust by
 * organization is unknown there, as it should be).
 */
function asCollected(collected: Snapshot): Snapshot {
  const { organizations: _o, ...rest } = expected;
  return { ...rest, generatedAt: collected.generatedAt };
}

function findings(snapshot: Snapshot): string[] {
  return evaluateRules(ruleSet.rules, snapshot, config, ruleSet.runtime.bind)
    .findings.map((f) => `${f.ruleId} ${f.resource.arn} ${f.status} ${f.severity}`)
    .sort();
}

const credentials = async () => ({ accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' });

type CollectOptions = Parameters<typeof collectLive>[0];

function options(fake: FakeAws, extra: Partial<CollectOptions> = {}): CollectOptions {
  return { regions: REGIONS, concurrency: 2, maxAttempts: 2, timeoutMs: 5000, endpointUrl: fake.url, credentials, credentialSource: 'test credentials', log: () => {}, ...extra };
}

async function collect(fake: FakeAws, operations?: Set<string>): Promise<Snapshot> {
  return collectLive(options(fake, operations ? { onOperation: (op: string) => operations.add(op) } : {}));
}

function run(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'linkaudit-home-')), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

describe('live collection', () => {
  let fake: FakeAws;
  const saved = process.env.AWS_REGION;
  beforeAll(async () => {
    process.env.AWS_REGION = 'us-east-1';
    fake = await startFakeAws({ snapshot: expected, account: ACCOUNT });
  });
  afterAll(async () => {
    await fake.close();
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  });

  it('collects the demo estate over the wire and scans to the same findings', async () => {
    const collected = await collect(fake);
    expect(collected.coverage).toEqual([]);
    expect(collected.source.kind).toBe('live');
    expect(collected.vpcEndpoints.length).toBe(expected.vpcEndpoints.length);
    expect(findings(collected)).toEqual(findings(asCollected(collected)));
    // Pipelines, projects and source credentials read back exactly; the secrets the fake served in
    // every place one can stand (an OAuth token, PLAINTEXT values, URL credentials, buildspec
    // variables, a webhook secret) are nowhere.
    expect(collected.pipelines).toEqual(expected.pipelines);
    expect(collected.buildProjects).toEqual(expected.buildProjects);
    expect(collected.sourceCredentials).toEqual(expected.sourceCredentials);
    expect(expected.pipelines.length + expected.buildProjects.length + expected.sourceCredentials.length).toBeGreaterThan(8);
    expect(JSON.stringify(collected)).not.toContain(PLANTED_SECRET);
    // The IAM rules judge what GetAccountAuthorizationDetails returned (URL-encoded documents,
    // groups, boundaries, AWS managed policies) as they judge the file.
    for (const id of ['iam-useconnection-overbroad', 'iam-passconnection-overbroad', 'iam-connection-admin-overbroad']) {
      for (const status of ['fail', 'pass']) expect(findings(collected).filter((f) => f.startsWith(`${id} `) && f.includes(` ${status} `)).length, `${id} ${status}`).toBeGreaterThan(0);
    }
  });

  it('reads large pages on page threads into the same snapshot as on its own thread', async () => {
    // 400 more endpoints in one region: with AWS's page size, a DescribeVpcEndpoints page of
    // several hundred kilobytes, which goes to a page thread.
    const template = expected.vpcEndpoints[0] as Snapshot['vpcEndpoints'][number];
    const more = Array.from({ length: 400 }, (_, i) => {
      const id = `vpce-${(0xa0000 + i).toString(16).padStart(17, '0')}`;
      return { ...template, id, arn: vpcEndpointArn('aws', template.region, ACCOUNT, id) };
    });
    const large = validateSnapshot({ ...expected, vpcEndpoints: [...expected.vpcEndpoints, ...more] }, 'the demo account with 400 more endpoints');
    const server = await startFakeAws({ snapshot: large, account: ACCOUNT, pageSize: 'max' });
    const threads = new PageReaders(1);
    try {
      const threaded = await collectLive(options(server, { pages: threads }));
      const here = await collectLive(options(server, { pageThreads: 0 }));
      expect(threads.counts.threaded).toBeGreaterThan(0);
      expect(threaded.coverage).toEqual([]);
      // As read from the wire, a timestamp is the instant in ISO 8601 with milliseconds.
      const instants = (xs: Snapshot['vpcEndpoints']) => xs.map((e) => (e.creationTimestamp ? { ...e, creationTimestamp: new Date(e.creationTimestamp).toISOString() } : e));
      const added = new Set(more.map((e) => e.arn));
      expect(threaded.vpcEndpoints.filter((e) => added.has(e.arn))).toEqual(instants(more));
      expect(threaded.vpcEndpoints.length).toBe(large.vpcEndpoints.length);
      expect({ ...threaded, generatedAt: '' }).toEqual({ ...here, generatedAt: '' });
      // The CLI, as shipped, reads them the same way and exits: its page threads do not hold it open.
      const out = join(mkdtempSync(join(tmpdir(), 'linkaudit-threads-')), 'snapshot.json');
      const cli = await run(['collect', '--regions', REGIONS.join(','), '--output', out, '--quiet'], {
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: 'AKIDFAKE',
        AWS_SECRET_ACCESS_KEY: 'fake-secret',
        AWS_REGION: 'us-east-1',
      });
      expect(cli.stderr).not.toMatch(/Error|at .*\.js:\d+/);
      expect(cli.status).toBe(0);
      expect({ ...loadSnapshotFile(out), generatedAt: '' }).toEqual({ ...here, generatedAt: '', source: expect.anything() });
    } finally {
      await threads.close();
      await server.close();
    }
  });

  it('one region failing leaves the other regions read', async () => {
    const failing = await startFakeAws({ snapshot: expected, account: ACCOUNT, failures: [{ operation: 'DescribeVpcEndpoints', region: 'eu-west-1', status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable.' }] });
    try {
      const collected = await collect(failing);
      expect(collected.coverage.map((g) => [g.region, g.operation, g.errorCode, g.field ?? null])).toEqual([['eu-west-1', 'DescribeVpcEndpoints', 'ServiceUnavailable', null]]);
      expect(collected.vpcEndpoints.map((e) => e.region)).toEqual(expected.vpcEndpoints.filter((e) => e.region === 'us-east-1').map(() => 'us-east-1'));
      expect(collected.endpointServices.length).toBe(expected.endpointServices.length);
    } finally {
      await failing.close();
    }
  });

  it('issues only operations that docs/iam-policy.json allows', async () => {
    const operations = new Set<string>();
    await collect(fake, operations);
    expect([...operations].length).toBeGreaterThanOrEqual(10);
    for (const op of ['codepipeline:ListPipelines', 'codepipeline:GetPipeline', 'codebuild:ListProjects', 'codebuild:BatchGetProjects', 'codebuild:ListSourceCredentials']) expect(operations).toContain(op);
    expect(notAllowed(operations)).toEqual([]);
  });

  it('reads connections once per account and each regional listing once per region', async () => {
    fake.calls.clear();
    await collect(fake);
    const pages = (items: number): number => Math.max(1, Math.ceil(items / 2));
    expect(fake.calls.get('codestar-connections:ListConnections')).toBe(pages(expected.connections.length));
    expect(fake.calls.get('iam:GetAccountAuthorizationDetails')).toBe(pages(expected.iamUsers.length + expected.iamGroups.length + expected.iamRoles.length + expected.iamPolicies.length));
    const perRegion = (kind: 'vpcEndpoints' | 'endpointServices' | 'hosts'): number => REGIONS.reduce((n, r) => n + pages(expected[kind].filter((x) => x.region === r).length), 0);
    expect(fake.calls.get('ec2:DescribeVpcEndpoints')).toBe(perRegion('vpcEndpoints'));
    expect(fake.calls.get('ec2:DescribeVpcEndpointServiceConfigurations')).toBe(perRegion('endpointServices'));
    expect(fake.calls.get('codestar-connections:ListHosts')).toBe(perRegion('hosts'));
    expect(fake.calls.get('sts:GetCallerIdentity')).toBe(1);
    // Pipelines: a listing per region (pages of 2 here), a GetPipeline per pipeline. Builds: a
    // listing per region, a BatchGetProjects per 100 projects, one ListSourceCredentials per region.
    const inRegion = (kind: 'pipelines' | 'buildProjects', r: string): number => expected[kind].filter((x) => x.region === r).length;
    expect(fake.calls.get('codepipeline:ListPipelines')).toBe(REGIONS.reduce((n, r) => n + pages(inRegion('pipelines', r)), 0));
    expect(fake.calls.get('codepipeline:GetPipeline')).toBe(expected.pipelines.length);
    expect(fake.calls.get('codebuild:ListProjects')).toBe(REGIONS.reduce((n, r) => n + pages(inRegion('buildProjects', r)), 0));
    expect(fake.calls.get('codebuild:BatchGetProjects')).toBe(REGIONS.reduce((n, r) => n + Math.ceil(inRegion('buildProjects', r) / 100), 0));
    expect(fake.calls.get('codebuild:ListSourceCredentials')).toBe(REGIONS.length);
    expect([...fake.calls.keys()].filter((k) => /^code(pipeline|build):/.test(k)).sort()).toEqual([
      'codebuild:BatchGetProjects',
      'codebuild:ListProjects',
      'codebuild:ListSourceCredentials',
      'codepipeline:GetPipeline',
      'codepipeline:ListPipelines',
    ]);
  });
});

describe('linkaudit scan against AWS_ENDPOINT_URL', () => {
  const env = (fake: FakeAws): Record<string, string> => ({
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const withFake = async <T>(failures: Failure[], work: (fake: FakeAws) => Promise<T>): Promise<T> => {
    const fake = await startFakeAws({ snapshot: expected, account: ACCOUNT, failures });
    try {
      return await work(fake);
    } finally {
      await fake.close();
    }
  };
  const scan = ['scan', '--regions', 'us-east-1,eu-west-1', '--config', resolve('fixtures/demo/.linkaudit.yaml'), '--max-attempts', '2', '--format', 'sarif,json', '--format', 'markdown'];

  it('scans live: exit 1 on findings, resources identified by ARN, caller identity on stderr', async () => {
    const out = mkdtempSync(join(tmpdir(), 'linkaudit-live-'));
    const r = await withFake([], (fake) => run([...scan, '--output-dir', out, '--save-snapshot', join(out, 'snapshot.json')], env(fake)));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`linkaudit: collecting as arn:aws:iam::${ACCOUNT}:user/auditor (account ${ACCOUNT}`);
    const sarif = JSON.parse(readFileSync(join(out, 'linkaudit.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }> }> };
    const arns = sarif.runs[0]!.results.map((x) => x.locations[0]!.logicalLocations[0]!.fullyQualifiedName);
    expect(arns.length).toBeGreaterThan(5);
    for (const arn of arns) expect(arn).toMatch(/^arn:aws:/);
    const saved = loadSnapshotFile(join(out, 'snapshot.json'));
    expect(findings(saved)).toEqual(findings(asCollected(saved)));
  });

  it('turns an AccessDenied into a coverage gap in every report, exit 2, and --allow-partial exits by findings', async () => {
    // Denied in every region: no service's notifications can be judged.
    const failures: Failure[] = [{ operation: 'DescribeVpcEndpointConnectionNotifications', status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' }];
    const out = mkdtempSync(join(tmpdir(), 'linkaudit-live-'));
    const notifications = ['--only', 'endpoint-service-no-notifications', '--fail-on', 'low'];
    const strict = await withFake(failures, (fake) => run([...scan, ...notifications, '--output-dir', out], env(fake)));
    expect(strict.status, strict.stderr).toBe(2);
    const json = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { coverage: Array<{ operation: string; errorCode: string; region: string }>; findings: Array<{ status: string; ruleId: string }> };
    expect(json.coverage.map((g) => [g.operation, g.errorCode, g.region])).toEqual(REGIONS.map((r) => ['DescribeVpcEndpointConnectionNotifications', 'UnauthorizedOperation', r]));
    expect(new Set(json.findings.map((f) => f.status))).toEqual(new Set(['unknown']));
    expect(readFileSync(join(out, 'linkaudit.md'), 'utf8')).toContain('DescribeVpcEndpointConnectionNotifications');
    expect(readFileSync(join(out, 'linkaudit.sarif'), 'utf8')).toContain('DescribeVpcEndpointConnectionNotifications');
    const allowed = await withFake(failures, (fake) => run([...scan, ...notifications, '--allow-partial', '--output-dir', out], env(fake)));
    expect(allowed.status, allowed.stderr).toBe(0);
    // With the gap allowed, the exit code is the findings' again (the demo has high ones).
    const byFindings = await withFake(failures, (fake) => run([...scan, '--allow-partial', '--output-dir', out], env(fake)));
    expect(byFindings.status, byFindings.stderr).toBe(1);
  });

  it('a pipeline listing AccessDenied in one region: unknown there, exit 2; --allow-partial exits by findings', async () => {
    // A user rule that fails nowhere stands in for the pipeline rules, so that the gap alone
    // decides the exit (a fail would be exit 1 first).
    const rules = mkdtempSync(join(tmpdir(), 'linkaudit-pipeline-rule-'));
    writeFileSync(
      join(rules, 'wire-pipeline-v1.yaml'),
      ruleYaml('wire-pipeline-v1', (t) => t.replace('resource: endpointService', 'resource: pipeline').replace('fail: size(resource.availabilityZones) < 2', 'fail: resource.pipelineType == "V1" && resource.name == "none"').replace('resource.id', 'resource.name')),
    );
    const failures: Failure[] = [{ operation: 'ListPipelines', region: 'eu-west-1', status: 400, code: 'AccessDeniedException', message: 'not authorized to perform: codepipeline:ListPipelines' }];
    const out = mkdtempSync(join(tmpdir(), 'linkaudit-live-'));
    const args = [...scan, '--rules-dir', rules, '--only', 'wire-pipeline-v1', '--fail-on', 'low', '--output-dir', out];
    const strict = await withFake(failures, (fake) => run(args, env(fake)));
    expect(strict.status, strict.stderr).toBe(2);
    const json = JSON.parse(readFileSync(join(out, 'linkaudit.json'), 'utf8')) as { coverage: Array<{ operation: string; errorCode: string; region: string }>; findings: Array<{ status: string; resource: { arn: string } }> };
    expect(json.coverage.map((g) => [g.operation, g.errorCode, g.region])).toEqual([['ListPipelines', 'AccessDeniedException', 'eu-west-1']]);
    // Every pipeline of us-east-1 (the demo's and the wire ones) is judged; eu-west-1 is one unknown.
    const useast = expected.pipelines.filter((p) => p.region === 'us-east-1').map((p) => `pass ${p.arn}`);
    expect(useast).toContain(`pass arn:aws:codepipeline:us-east-1:${ACCOUNT}:wire-release`);
    expect(json.findings.map((f) => `${f.status} ${f.resource.arn}`).sort()).toEqual([...useast, `unknown arn:aws:codepipeline:eu-west-1:${ACCOUNT}:*`].sort());
    const allowed = await withFake(failures, (fake) => run([...args, '--allow-partial'], env(fake)));
    expect(allowed.status, allowed.stderr).toBe(0);
  });

  it('access --connection collects live and lists who may use the connection', async () => {
    const connection = 'arn:aws:codestar-connections:us-east-1:111122223333:connection/0347af09-f291-4cec-9665-42872c5e63c2';
    const r = await withFake([], (fake) => run(['access', '--connection', connection, '--format', 'json', '--max-attempts', '2'], env(fake)));
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tagsKnown: boolean; complete: boolean; principals: Array<{ principal: string; access: Array<{ action: string; access: string }> }> };
    expect(out).toMatchObject({ tagsKnown: true, complete: true });
    const reach = (name: string): string[] => (out.principals.find((p) => p.principal.endsWith(name))?.access ?? []).map((a) => `${a.action} ${a.access}`);
    expect(reach('role/code-review-bot')).toEqual(['codestar-connections:UseConnection scoped', 'codestar-connections:PassConnection unconditional']);
    // The connection's pipeline=release tag was read live (ListTagsForResource): the Deny outside it does not apply.
    expect(reach('role/release-automation')).toContain('codestar-connections:UseConnection unconditional');
  });

  it('stops with one message and exit 2 when there are no credentials', async () => {
    const home = mkdtempSync(join(tmpdir(), 'linkaudit-nocreds-'));
    const r = await run(['scan', '--region', 'us-east-1', '--max-attempts', '1', '--timeout', '5'], {
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^linkaudit: cannot identify the caller with credentials from the default credential chain/);
  });
});

describe('many accounts through an assumed role', () => {
  const ACCOUNTS = ['111122223333', '444455556666'];
  const DENIED = '777788889999';
  const demo = loadSnapshotFile('fixtures/demo/snapshot.json');
  const clean = <T extends { account: string }>(xs: T[]): T[] =>
    xs.map((x) => {
      const { unreadable: _u, ...rest } = x as T & { unreadable?: unknown };
      return rest as T;
    });
  const both = validateSnapshot(
    {
      ...demo,
      organizations: [{ id: 'o-exampleorg1', managementAccount: '111122223333', accounts: [...ACCOUNTS, DENIED] }],
      connections: clean(demo.connections),
      hosts: clean(demo.hosts),
      vpcEndpoints: clean(demo.vpcEndpoints),
      endpointServices: clean(demo.endpointServices),
      iamUsers: clean(demo.iamUsers),
      iamGroups: clean(demo.iamGroups),
      iamRoles: clean(demo.iamRoles),
      iamPolicies: clean(demo.iamPolicies),
      coverage: [],
    },
    'demo, both accounts',
  );
  let fake: FakeAws;
  const saved = process.env.AWS_REGION;
  beforeAll(async () => {
    process.env.AWS_REGION = 'us-east-1';
    fake = await startFakeAws({
      snapshot: both,
      account: '111122223333',
      denyAssume: [DENIED],
      organization: { id: 'o-exampleorg1', managementAccount: '111122223333', accounts: [...ACCOUNTS, DENIED], suspended: ['210987654321'] },
    });
  });
  afterAll(async () => {
    await fake.close();
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  });

  const collectOrg = (extra: Partial<CollectOptions> = {}): Promise<Snapshot> =>
    collectLive(options(fake, { concurrency: 3, roleArn: 'arn:aws:iam::{account}:role/linkaudit-audit', org: true, ...extra }));

  it('reads every ACTIVE account of the organization; a denied role is that account’s gap, the others go on', async () => {
    const collected = await collectOrg();
    expect(collected.scope.accounts).toEqual([...ACCOUNTS, DENIED]);
    expect(collected.organizations).toEqual([{ id: 'o-exampleorg1', managementAccount: '111122223333', accounts: [...ACCOUNTS, DENIED] }]);
    expect(collected.coverage.map((g) => [g.account, g.region, g.operation, g.errorCode])).toEqual([
      [DENIED, 'eu-west-1', 'AssumeRole', 'AccessDenied'],
      [DENIED, 'global', 'AssumeRole', 'AccessDenied'],
      [DENIED, 'us-east-1', 'AssumeRole', 'AccessDenied'],
    ]);
    const { organizations: _o, ...rest } = both;
    const expectedFindings = findings({ ...rest, organizations: collected.organizations ?? [], generatedAt: collected.generatedAt });
    const got = findings(collected);
    expect(got.filter((f) => !f.includes(`:${DENIED}:`))).toEqual(expectedFindings);
    expect(got.filter((f) => f.includes(`:${DENIED}:`)).every((f) => f.includes(' unknown '))).toBe(true);
    expect(got.some((f) => f.includes(`:${DENIED}:`))).toBe(true);
  });

  it('rides out throttling everywhere, AssumeRole included, without a gap', async () => {
    const throttled = await startFakeAws({
      snapshot: both,
      account: '111122223333',
      organization: { id: 'o-exampleorg1', managementAccount: '111122223333', accounts: ACCOUNTS },
      throttle: { burst: 2, ratePerSecond: 40 },
    });
    try {
      const collected = await collectLive(options(throttled, { concurrency: 16, maxAttempts: 10, roleArn: 'arn:aws:iam::{account}:role/linkaudit-audit', org: true }));
      expect(throttled.throttled).toBeGreaterThan(0);
      expect(collected.coverage).toEqual([]);
      expect(collected.scope.accounts).toEqual(ACCOUNTS);
    } finally {
      await throttled.close();
    }
  });

  it('keeps at most --concurrency requests in flight and connections open over every account and region, AssumeRole included', async () => {
    const slow = await startFakeAws({ snapshot: both, account: '111122223333', organization: { id: 'o-exampleorg1', managementAccount: '111122223333', accounts: ACCOUNTS }, latencyMs: 5 });
    try {
      const collected = await collectLive(options(slow, { concurrency: 3, roleArn: 'arn:aws:iam::{account}:role/linkaudit-audit', org: true }));
      expect(collected.coverage).toEqual([]);
      // The bound is reached (the test would pass vacuously otherwise) and never passed.
      expect(slow.peakInFlight).toBe(3);
      // One pool of connections for every client: a pool per client (a service in an account and
      // region) would open one or more for each of the dozens of clients (24 here).
      expect(slow.connections).toBeLessThanOrEqual(3);
    } finally {
      await slow.close();
    }
  });

  it('starts every account-region before any finishes: a long listing holds no slot other regions need', async () => {
    const order: string[] = [];
    const paged = await startFakeAws({
      snapshot: both,
      account: '111122223333',
      organization: { id: 'o-exampleorg1', managementAccount: '111122223333', accounts: ACCOUNTS },
      onRequest: ({ bucket }) => void order.push(bucket),
    });
    try {
      // One request at a time: bounding whole account-region tasks instead would read them one after another.
      const collected = await collectLive(options(paged, { concurrency: 1, roleArn: 'arn:aws:iam::{account}:role/linkaudit-audit', org: true }));
      expect(collected.coverage).toEqual([]);
      const regional = [...new Set(order.filter((b) => !b.endsWith('|global')))];
      expect(regional).toHaveLength(ACCOUNTS.length * REGIONS.length);
      const lastFirst = Math.max(...regional.map((b) => order.indexOf(b)));
      const firstLast = Math.min(...regional.map((b) => order.lastIndexOf(b)));
      expect(lastFirst).toBeLessThan(firstLast);
    } finally {
      await paged.close();
    }
  });

  it('shards split the accounts by a stable hash, and the shards together are the whole', async () => {
    const one = await collectOrg({ shard: { index: 1, count: 2 } });
    const two = await collectOrg({ shard: { index: 2, count: 2 } });
    expect([...one.scope.accounts, ...two.scope.accounts].sort()).toEqual([...ACCOUNTS, DENIED]);
    expect(one.scope.accounts.filter((a) => two.scope.accounts.includes(a))).toEqual([]);
    // Merged, the shards scan as the whole collection does.
    const whole = await collectOrg();
    const merged = mergeSnapshots([
      { file: 'one.json', snapshot: one },
      { file: 'two.json', snapshot: two },
    ]);
    expect(findings({ ...merged, generatedAt: whole.generatedAt })).toEqual(findings(whole));
  });
});
