// The demo estate written as CloudFormation (scripts/demo-to-cloudformation.mjs) scans to the
// demo snapshot's findings, for every rule infrastructure as code can judge: one rule, every
// source. What a template cannot say (a listing AWS denied, a disabled notification, a
// requester-managed endpoint, a connection's status) is left out of the comparison by name, not
// by count. The same holds for the demo with pipelines, projects and credentials added here
// (whatever the demo itself holds of them), and those map back to the model they came from.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIac } from '../../src/collectors/iac/index.js';
import { connectionKey, iacArn } from '../../src/model/arn.js';
import type { BuildProject, BuildSource, Pipeline, ResourceKind, Snapshot, SourceCredential } from '../../src/model/types.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');
/** Runtime state: no result from a template (the rules' metadata says so; test/rules.test.ts checks it). */
const RUNTIME_RULES = new Set(['connection-not-available', 'connection-unused', 'host-not-available', 'host-predates-vpc-webhooks', 'endpoint-service-private-dns-unverified', 'endpoint-service-stale-pending-connection', 'pipeline-connection-missing', 'pipeline-connection-not-available']);
/**
 * Rules whose verdict turns on a connection's status, which a template cannot declare (a
 * connection it creates is PENDING until completed in the console, and its status is unreadable
 * in the model): the template's twin of an AVAILABLE or ERROR connection is not that connection.
 */
const CONNECTION_STATUS_RULES = new Set(['pipeline-connection-not-available', 'connection-unused']);
/**
 * Live fails a template cannot reproduce: a pipeline naming a connection that no longer exists
 * (deleted) names, in its template twin, a connection the template does not declare, which a scan
 * of templates cannot tell from one deployed elsewhere.
 */
const LIVE_ONLY_FAILS = new Set(['pipeline-connection-missing']);

interface ReportFinding {
  ruleId: string;
  status: string;
  resource: { arn: string; kind: ResourceKind };
  message: string;
}

let root: string;
let config: string;
const demo = JSON.parse(readFileSync('fixtures/demo/snapshot.json', 'utf8')) as Snapshot;

function scan(args: string[]): ReportFinding[] {
  const r = spawnSync(process.execPath, [CLI, 'scan', ...args, '--config', config, '--format', 'json', '--fail-on', 'none', '--allow-partial', '--quiet'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scan ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: ReportFinding[] }).findings;
}

/** Converts a snapshot file to templates in a new directory of `root`. */
function convert(name: string, snapshotFile: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync(process.execPath, ['scripts/demo-to-cloudformation.mjs', dir, snapshotFile], { stdio: 'ignore' });
  return dir;
}

const templatesOf = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.template.json'));
const envOf = (file: string): [string, string] => {
  const [account = '', region = ''] = file.replace('.template.json', '').split(/-(?=[a-z]{2}-|global)/);
  return [account, region === 'global' ? 'us-east-1' : region];
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'linkaudit-diff-'));
  // The demo's trust by account only: a template holds no organization membership, so with
  // trustedOrganizations an account outside trustedAccounts is unknown from a template (tested in
  // test/iac/cli-iac-e2e.test.ts) where the demo snapshot knows the members. 777788889999, a member
  // of o-exampleorg1 in the demo, is trusted here by account on both sides.
  config = join(root, 'diff.linkaudit.yaml');
  writeFileSync(config, 'trustedAccounts: ["111122223333", "444455556666", "777788889999"]\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every live finding of a judged rule against its template twin's: the mismatches, and how many were compared. */
function differences(snapshotFile: string, snapshot: Snapshot, dir: string): { mismatches: string[]; compared: number } {
  const mapping = JSON.parse(readFileSync(join(dir, 'mapping.json'), 'utf8')) as { resources: Record<string, { file: string; logicalId: string }> };
  const live = scan(['--snapshot', snapshotFile]);
  const iac = new Map<string, ReportFinding>();
  for (const file of templatesOf(dir)) {
    const [account, region] = envOf(file);
    for (const f of scan(['--iac', join(dir, file), '--account', account, '--region', region])) iac.set(`${f.ruleId} ${f.resource.arn}`, f);
  }
  const byArn = new Map([...resourcesOf(snapshot)].map((r) => [r.arn, r]));
  let compared = 0;
  const mismatches: string[] = [];
  for (const f of live) {
    const target = mapping.resources[f.resource.arn];
    const resource = byArn.get(f.resource.arn);
    // Coverage gaps and unreadable fields are the live side's own unknowns: no template twin.
    if (!target || !resource || (resource.unreadable?.length ?? 0) > 0) continue;
    // A notification left out (disabled) changes what no-notifications sees.
    if (f.ruleId === 'endpoint-service-no-notifications' && 'connectionNotifications' in resource && resource.connectionNotifications.some((n) => n.state.toLowerCase() !== 'enabled')) continue;
    if (CONNECTION_STATUS_RULES.has(f.ruleId) || (LIVE_ONLY_FAILS.has(f.ruleId) && f.status === 'fail')) continue;
    const file = relative(process.cwd(), join(dir, target.file));
    const [account, region] = [resource.account, resource.region === 'global' ? 'us-east-1' : resource.region];
    // The generator writes codestar-connections connections as AWS::CodeStarConnections::Connection;
    // hosts are AWS::CodeConnections::Host whatever their ARN's prefix.
    const service = f.resource.kind === 'connection' && f.resource.arn.includes(':codestar-connections:') ? 'codestar-connections' : undefined;
    const arn = iacArn(f.resource.kind, 'aws', region, account, `${file}#${target.logicalId}`, service);
    const twin = iac.get(`${f.ruleId} ${arn}`);
    if (RUNTIME_RULES.has(f.ruleId)) {
      if (twin) mismatches.push(`${f.ruleId} ${f.resource.arn}: a runtime rule judged the template (${twin.status})`);
      continue;
    }
    compared += 1;
    if (!twin) mismatches.push(`${f.ruleId} ${f.resource.arn}: ${f.status} live, no result from the template (${arn})`);
    else if (twin.status !== f.status) mismatches.push(`${f.ruleId} ${f.resource.arn}: ${f.status} live, ${twin.status} from the template: ${twin.message}`);
  }
  return { mismatches, compared };
}

describe('the demo estate as CloudFormation', () => {
  it('gives the demo snapshot’s result for every judged rule and resource', () => {
    const { mismatches, compared } = differences('fixtures/demo/snapshot.json', demo, convert('demo', 'fixtures/demo/snapshot.json'));
    expect(mismatches).toEqual([]);
    // Every judged rule took part (the demo exercises every rule).
    expect(compared).toBeGreaterThan(60);
  });
});

describe('the demo estate with pipelines, builds and source credentials, as CloudFormation', () => {
  const extended = withCi(demo);
  let dir: string;
  let file: string;
  beforeAll(() => {
    file = join(root, 'extended.json');
    writeFileSync(file, JSON.stringify(extended));
    dir = convert('extended', file);
  });

  it('gives the snapshot’s result for every judged rule and resource (IAM now beside the pipelines)', () => {
    const { mismatches, compared } = differences(file, extended, dir);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(60);
  });

  it('maps every pipeline, project and credential back to the model it came from', async () => {
    const mapping = JSON.parse(readFileSync(join(dir, 'mapping.json'), 'utf8')) as { resources: Record<string, { file: string; logicalId: string }> };
    const liveName = nameIndex(extended);
    let checked = 0;
    for (const t of templatesOf(dir)) {
      const [account, region] = envOf(t);
      const load = await loadIac([join(dir, t)], { parameters: {}, account, region, cwd: process.cwd() });
      const model = load.units[0]?.worlds[0]?.snapshot as Snapshot;
      const iacName = nameIndex(model);
      const byOrigin = new Map([...model.pipelines, ...model.buildProjects, ...model.sourceCredentials].map((r) => [r.origin?.logicalId, r]));
      for (const live of [...(extended.pipelines ?? []), ...(extended.buildProjects ?? []), ...(extended.sourceCredentials ?? [])]) {
        const target = mapping.resources[live.arn];
        if (target?.file !== t) continue;
        const twin = byOrigin.get(target.logicalId);
        expect(twin, live.arn).toBeDefined();
        expect(canonical(twin as Pipeline | BuildProject | SourceCredential, iacName), live.arn).toEqual(canonical(live, liveName));
        checked += 1;
      }
    }
    expect(checked).toBe((extended.pipelines?.length ?? 0) + (extended.buildProjects?.length ?? 0) + (extended.sourceCredentials?.length ?? 0));
  });
});

/** ARN → `kind account region name` of the roles and connections a snapshot holds (connections by either prefix). */
function nameIndex(s: Snapshot): (arn: string) => string {
  const out = new Map<string, string>();
  for (const r of s.iamRoles) out.set(r.arn, `role ${r.account} ${r.name}`);
  for (const c of s.connections) out.set(connectionKey(c.arn) ?? c.arn, `connection ${c.account} ${c.region} ${c.name}`);
  return (arn) => out.get(arn) ?? out.get(connectionKey(arn) ?? '') ?? arn;
}

/** What a pipeline, project or credential says, with the roles and connections it names by name. */
function canonical(r: Pipeline | BuildProject | SourceCredential, name: (arn: string) => string): unknown {
  if ('stages' in r) {
    return {
      name: r.name,
      pipelineType: r.pipelineType,
      executionMode: r.executionMode ?? 'SUPERSEDED',
      roleArn: name(r.roleArn),
      stages: r.stages.map((st) => ({
        ...st,
        actions: st.actions.map((a) => ({
          ...a,
          runOrder: a.runOrder ?? 1,
          ...(a.roleArn !== undefined ? { roleArn: name(a.roleArn) } : {}),
          configuration: Object.fromEntries(Object.entries(a.configuration).map(([k, v]) => [k, k === 'ConnectionArn' ? name(v) : v])),
        })),
      })),
      triggers: r.triggers,
      tags: r.tags,
    };
  }
  if ('serviceRole' in r) {
    const source = (s: BuildSource) => ({ ...s, ...(s.auth ? { auth: { ...s.auth, ...(s.auth.resource !== undefined ? { resource: name(s.auth.resource) } : {}) } } : {}) });
    return { name: r.name, serviceRole: name(r.serviceRole), source: source(r.source), secondarySources: r.secondarySources.map(source), sourceVersion: r.sourceVersion, webhook: r.webhook, environmentVariables: r.environmentVariables, tags: r.tags };
  }
  return { serverType: r.serverType, authType: r.authType, resource: r.resource === undefined ? undefined : name(r.resource) };
}

/** The demo with CI kinds added, naming its connections (by either prefix) and roles, in two accounts and three regions. */
function withCi(base: Snapshot): Snapshot {
  const s = structuredClone(base);
  const A = '111122223333';
  const B = '444455556666';
  const source = (connection: string, repo: string, format?: string) => ({
    name: 'Source',
    actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
    configuration: { ConnectionArn: connection, FullRepositoryId: repo, BranchName: 'main', ...(format ? { OutputArtifactFormat: format } : {}) },
    inputArtifacts: [],
    outputArtifacts: ['Src'],
    namespace: 'SourceVariables',
  });
  const build = (project: string) => ({ name: 'Build', actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, runOrder: 2, configuration: { ProjectName: project }, inputArtifacts: ['Src'], outputArtifacts: ['Out'] });
  s.pipelines = [
    {
      arn: `arn:aws:codepipeline:us-east-1:${A}:platform-api`, account: A, region: 'us-east-1', tags: { team: 'platform' }, name: 'platform-api', pipelineType: 'V2',
      roleArn: `arn:aws:iam::${A}:role/service-role/AWSCodePipelineServiceRole-us-east-1-platform`, executionMode: 'QUEUED',
      stages: [
        // The connection named with the other prefix than ListConnections gives it.
        { name: 'Source', actions: [source(`arn:aws:codeconnections:us-east-1:${A}:connection/0347af09-f291-4cec-9665-42872c5e63c2`, 'example-corp/platform-api', 'CODEBUILD_CLONE_REF')] },
        { name: 'Build', actions: [{ ...build('platform-ci'), roleArn: `arn:aws:iam::${A}:role/release-automation`, region: 'us-east-1' }] },
      ],
      triggers: [{ providerType: 'CodeStarSourceConnection', sourceActionName: 'Source', push: [{ branches: { includes: ['main'], excludes: [] }, tags: { includes: ['v*'], excludes: ['v0*'] } }], pullRequest: [{ events: ['OPEN'], branches: { includes: ['**'], excludes: [] }, filePaths: { includes: [], excludes: ['docs/**'] } }, { events: [] }] }],
    },
    {
      arn: `arn:aws:codepipeline:us-east-1:${A}:legacy-site`, account: A, region: 'us-east-1', tags: {}, name: 'legacy-site', pipelineType: 'V1', roleArn: `arn:aws:iam::${A}:role/pipeline-provisioner`,
      stages: [
        { name: 'Source', actions: [{ name: 'GitHub', actionType: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' }, runOrder: 1, configuration: { Owner: 'example-corp', Repo: 'site', Branch: 'main', OAuthToken: 'REDACTED', PollForSourceChanges: 'false' }, inputArtifacts: [], outputArtifacts: ['Src'] }] },
        // A deleted connection: nothing of the account has it.
        { name: 'More', actions: [{ ...source(`arn:aws:codestar-connections:us-east-1:${A}:connection/00000000-dead-4bad-8bad-000000000000`, 'example-corp/old'), outputArtifacts: ['Old'] }] },
      ],
      triggers: [],
    },
    {
      arn: `arn:aws:codepipeline:eu-west-1:${B}:payments-eu`, account: B, region: 'eu-west-1', tags: {}, name: 'payments-eu', pipelineType: 'V2', roleArn: `arn:aws:iam::${B}:role/PlatformDeployAccess`, executionMode: 'SUPERSEDED',
      stages: [{ name: 'Source', actions: [source(`arn:aws:codeconnections:eu-west-1:${B}:connection/d29c7815-333c-4f5f-9e52-05db459fcb6b`, 'acme/payments')] }, { name: 'Build', actions: [build('payments-eu-build')] }],
      triggers: [],
    },
  ];
  const project = (account: string, region: string, name: string, serviceRole: string, src: BuildSource, more: Partial<BuildProject> = {}): BuildProject => ({
    arn: `arn:aws:codebuild:${region}:${account}:project/${name}`, account, region, tags: {}, name, serviceRole, source: src, secondarySources: [], environmentVariables: [], ...more,
  });
  s.buildProjects = [
    project(A, 'us-east-1', 'platform-ci', `arn:aws:iam::${A}:role/service-role/codebuild-platform-ci`, { type: 'CODEPIPELINE', buildspec: 'version: 0.2\nenv:\n  variables:\n    CHANNEL: REDACTED\nphases:\n  build:\n    commands:\n      - git describe --tags\n' }, {
      secondarySources: [
        { type: 'GITHUB_ENTERPRISE', location: 'https://github.example.com/platform/lib.git', sourceIdentifier: 'lib', auth: { type: 'CODECONNECTIONS', resource: `arn:aws:codeconnections:us-east-1:${A}:connection/42b01084-4a4c-4f93-b69d-3ffd0d79ea23` }, gitCloneDepth: 1 },
        { type: 'BITBUCKET', location: 'https://REDACTED@bitbucket.org/example-corp/assets.git', locationHadCredentials: true, sourceIdentifier: 'assets', buildspecFile: 'ci/assets.yml' },
      ],
      sourceVersion: 'refs/heads/main',
      environmentVariables: [{ name: 'STAGE', type: 'PLAINTEXT' }, { name: 'DB', type: 'PARAMETER_STORE' }],
    }),
    project(A, 'us-east-1', 'site-preview', `arn:aws:iam::${A}:role/code-review-bot`, { type: 'GITHUB', location: 'https://github.com/example-corp/site.git', reportBuildStatus: true, auth: { type: 'OAUTH' } }, {
      webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED' }, { type: 'BASE_REF', pattern: '^refs/heads/main$', excludeMatchedPattern: false }]], buildType: 'BUILD' },
    }),
    project(B, 'eu-west-1', 'payments-eu-build', `arn:aws:iam::${B}:role/service-role/codebuild-payments-api-build`, { type: 'CODEPIPELINE' }),
    project(B, 'us-east-1', 'sandbox', `arn:aws:iam::${B}:role/service-role/sandbox-builder`, { type: 'GITLAB_SELF_MANAGED', location: 'https://gitlab.example.com/sandbox/app.git', auth: { type: 'CODECONNECTIONS', resource: `arn:aws:codeconnections:us-east-1:${B}:connection/6bab32ea-4b58-45eb-9c5d-3a5da723fdd6` } }),
  ];
  s.sourceCredentials = [
    { arn: `arn:aws:codebuild:us-east-1:${A}:token/github`, account: A, region: 'us-east-1', tags: {}, serverType: 'GITHUB', authType: 'PERSONAL_ACCESS_TOKEN' },
    { arn: `arn:aws:codebuild:us-east-1:${A}:token/bitbucket`, account: A, region: 'us-east-1', tags: {}, serverType: 'BITBUCKET', authType: 'CODECONNECTIONS', resource: `arn:aws:codeconnections:us-east-1:${A}:connection/60860f76-1f05-4668-965e-658fd3d449a9` },
    { arn: `arn:aws:codebuild:eu-west-1:${B}:token/github`, account: B, region: 'eu-west-1', tags: {}, serverType: 'GITHUB', authType: 'SECRETS_MANAGER', resource: `arn:aws:secretsmanager:eu-west-1:${B}:secret:ci/github-AbCdEf` },
  ];
  return s;
}

function* resourcesOf(demo: Snapshot): Generator<Snapshot['endpointServices'][number] | Snapshot['vpcEndpoints'][number] | Snapshot['iamRoles'][number] | Snapshot['iamUsers'][number] | Snapshot['hosts'][number] | Snapshot['connections'][number] | Snapshot['iamGroups'][number] | Snapshot['iamPolicies'][number] | Pipeline | BuildProject | SourceCredential> {
  yield* demo.endpointServices;
  yield* demo.vpcEndpoints;
  yield* demo.iamRoles;
  yield* demo.iamUsers;
  yield* demo.iamGroups;
  yield* demo.iamPolicies;
  yield* demo.hosts;
  yield* demo.connections;
  yield* demo.pipelines ?? [];
  yield* demo.buildProjects ?? [];
  yield* demo.sourceCredentials ?? [];
}
