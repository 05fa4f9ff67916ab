import { describe, expect, it } from 'vitest';
import { connectionConsumers, consumerIndex, pipelineFlows, repositoryOfLocation } from '../../src/model/consumers.js';
import { emptySnapshot } from '../../src/model/empty.js';
import type { BuildProject, Pipeline, PipelineAction, Snapshot, SourceCredential } from '../../src/model/types.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const CONN_ID = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const OLD_ARN = `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/${CONN_ID}`;
const NEW_ARN = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/${CONN_ID}`;

function action(name: string, provider: string, extra: Partial<PipelineAction> = {}): PipelineAction {
  const category = provider === 'CodeBuild' ? 'Build' : provider === 'CodeStarSourceConnection' || provider === 'GitHub' || provider === 'S3' ? 'Source' : 'Deploy';
  const owner = provider === 'GitHub' ? 'ThirdParty' : 'AWS';
  return { name, actionType: { category, owner, provider, version: '1' }, configuration: {}, inputArtifacts: [], outputArtifacts: [], ...extra };
}

function pipeline(name: string, stages: Pipeline['stages'], extra: Partial<Pipeline> = {}): Pipeline {
  return {
    arn: `arn:aws:codepipeline:${REGION}:${ACCOUNT}:${name}`,
    account: ACCOUNT,
    region: REGION,
    tags: {},
    name,
    pipelineType: 'V2',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline-${name}`,
    stages,
    triggers: [],
    ...extra,
  };
}

function project(name: string, extra: Partial<BuildProject> = {}, region = REGION): BuildProject {
  return {
    arn: `arn:aws:codebuild:${region}:${ACCOUNT}:project/${name}`,
    account: ACCOUNT,
    region,
    tags: {},
    name,
    serviceRole: `arn:aws:iam::${ACCOUNT}:role/build-${name}`,
    source: { type: 'CODEPIPELINE' },
    secondarySources: [],
    environmentVariables: [],
    ...extra,
  };
}

function snapshot(parts: Partial<Snapshot>): Snapshot {
  return emptySnapshot({
    generatedAt: '2026-11-01T06:00:00Z',
    source: { kind: 'file' },
    scope: { partition: 'aws', accounts: [ACCOUNT], regions: [REGION, 'eu-west-1'] },
    ...parts,
  });
}

const source = action('Source', 'CodeStarSourceConnection', {
  configuration: { ConnectionArn: OLD_ARN, FullRepositoryId: 'acme/payments', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'true' },
  outputArtifacts: ['SourceOutput'],
});

describe('connection references', () => {
  it('relates pipelines, build sources and source credentials to one connection across prefixes', () => {
    const credential: SourceCredential = {
      arn: `arn:aws:codebuild:${REGION}:${ACCOUNT}:token/github`,
      account: ACCOUNT,
      region: REGION,
      tags: {},
      serverType: 'GITHUB',
      authType: 'CODECONNECTIONS',
      resource: NEW_ARN,
    };
    const snap = snapshot({
      pipelines: [pipeline('payments', [{ name: 'Source', actions: [source] }])],
      buildProjects: [
        project('web', {
          source: { type: 'GITHUB', location: 'https://github.com/acme/web.git', auth: { type: 'CODECONNECTIONS', resource: NEW_ARN } },
          sourceVersion: 'refs/heads/main',
          secondarySources: [
            { type: 'GITHUB', sourceIdentifier: 'lib', location: 'https://github.com/acme/lib', auth: { type: 'CODECONNECTIONS', resource: OLD_ARN } },
            { type: 'GITHUB', sourceIdentifier: 'oauth', location: 'https://github.com/acme/other', auth: { type: 'OAUTH' } },
          ],
        }),
      ],
      sourceCredentials: [credential, { ...credential, arn: `arn:aws:codebuild:${REGION}:${ACCOUNT}:token/bitbucket`, serverType: 'BITBUCKET', authType: 'BASIC_AUTH', resource: undefined }],
    });
    const refs = connectionConsumers(snap, NEW_ARN);
    expect(connectionConsumers(snap, OLD_ARN)).toBe(refs);
    expect(refs.map((r) => [r.consumerKind, r.via, r.consumerName, r.repository ?? null, r.branch ?? null])).toEqual([
      ['pipeline', 'pipelineAction', 'payments', 'acme/payments', 'main'],
      ['buildProject', 'buildSource', 'web', 'acme/web', 'refs/heads/main'],
      ['buildProject', 'buildSecondarySource', 'web', 'acme/lib', null],
      ['sourceCredential', 'sourceCredential', 'GITHUB', null, null],
    ]);
    expect(refs[0]).toMatchObject({ stage: 'Source', action: 'Source', outputArtifactFormat: 'CODEBUILD_CLONE_REF', detectChanges: 'true', connectionArn: OLD_ARN });
    expect(refs[1]).toMatchObject({ repositoryHost: 'github.com', connectionArn: NEW_ARN });
    expect(refs[2]).toMatchObject({ sourceIdentifier: 'lib' });
    expect(consumerIndex(snap).byConsumer.get(snap.buildProjects[0]!.arn)).toHaveLength(2);
  });

  it('keeps a reference that names no connection ARN apart, and counts any action with a ConnectionArn', () => {
    const variable = action('Source', 'CodeStarSourceConnection', { configuration: { ConnectionArn: '#{variables.conn}' }, outputArtifacts: ['S'] });
    const other = action('Scan', 'Commands', { configuration: { ConnectionArn: NEW_ARN } });
    const snap = snapshot({ pipelines: [pipeline('p', [{ name: 'Source', actions: [variable] }, { name: 'Scan', actions: [other] }])] });
    const index = consumerIndex(snap);
    expect(index.unresolved.map((r) => r.connectionArn)).toEqual(['#{variables.conn}']);
    expect(connectionConsumers(snap, OLD_ARN).map((r) => r.action)).toEqual(['Scan']);
    expect(connectionConsumers(snap, 'arn:aws:s3:::bucket')).toEqual([]);
  });

  it('is built once per snapshot', () => {
    const snap = snapshot({});
    expect(consumerIndex(snap)).toBe(consumerIndex(snap));
    expect(consumerIndex(snapshot({}))).not.toBe(consumerIndex(snap));
  });

  it('never keeps credentials of a build source location', () => {
    const snap = snapshot({
      buildProjects: [
        project('bb', { source: { type: 'BITBUCKET', location: 'https://x-token-auth:SECRETTOKEN@bitbucket.org/acme/app.git?private_token=X', auth: { type: 'CODECONNECTIONS', resource: NEW_ARN } } }),
      ],
    });
    const text = JSON.stringify(consumerIndex(snap).references);
    expect(text).not.toContain('SECRETTOKEN');
    expect(text).not.toContain('private_token');
    expect(consumerIndex(snap).references[0]).toMatchObject({ repository: 'acme/app', repositoryHost: 'bitbucket.org' });
  });
});

describe('repositoryOfLocation', () => {
  it.each([
    ['https://github.com/acme/payments.git', 'github.com', 'acme/payments'],
    ['https://user:pass@GitLab.example.com:8443/group/sub/app/', 'gitlab.example.com', 'group/sub/app'],
    ['git@github.com:acme/app.git', 'github.com', 'acme/app'],
    ['ssh://git@github.com/acme/app', 'github.com', 'acme/app'],
    ['https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/app#frag', 'github.com', 'acme/app'],
  ])('%s', (location, host, path) => {
    expect(repositoryOfLocation(location)).toEqual({ host, path });
  });
  it.each([['bucket/key.zip'], ['https://github.com'], ['']])('%s is no repository', (location) => {
    expect(repositoryOfLocation(location)).toBeUndefined();
  });
});

describe('artifact flows', () => {
  const build = action('Build', 'CodeBuild', { configuration: { ProjectName: 'payments-build' }, inputArtifacts: ['SourceOutput'], outputArtifacts: ['BuildOutput'] });
  const deploy = action('Deploy', 'S3', { actionType: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, inputArtifacts: ['SourceOutput'] });

  it('follows a source artifact to later CodeBuild and other actions, resolving projects by name', () => {
    const p = pipeline('payments', [
      { name: 'Source', actions: [source] },
      { name: 'Build', actions: [build, { ...deploy, runOrder: 2 }] },
    ]);
    const snap = snapshot({ pipelines: [p], buildProjects: [project('payments-build')] });
    const [flow, ...rest] = pipelineFlows(snap, p);
    expect(rest).toEqual([]);
    expect(flow).toMatchObject({ artifact: 'SourceOutput', outputArtifactFormat: 'CODEBUILD_CLONE_REF', formatExplicit: true, connectionArn: OLD_ARN });
    expect(flow!.consumers.map((c) => [c.action, c.codeBuild, c.project?.state ?? null])).toEqual([
      ['Build', true, 'found'],
      ['Deploy', false, null],
    ]);
    const found = flow!.consumers[0]!.project;
    expect(found?.state === 'found' && found.project.name).toBe('payments-build');
    expect(pipelineFlows(snap, p)).toBe(pipelineFlows(snap, p));
  });

  it('defaults to CODE_ZIP and ignores actions that run before or beside the source', () => {
    const zipSource = { ...source, configuration: { ConnectionArn: NEW_ARN, FullRepositoryId: 'acme/web' }, runOrder: 2 };
    const before = { ...build, name: 'Early', runOrder: 1 };
    const beside = { ...build, name: 'Beside', runOrder: 2 };
    const p = pipeline('web', [{ name: 'Source', actions: [before, zipSource, beside, { ...build, name: 'Later', runOrder: 3 }] }]);
    const [flow] = pipelineFlows(snapshot({ pipelines: [p] }), p);
    expect(flow).toMatchObject({ outputArtifactFormat: 'CODE_ZIP', formatExplicit: false });
    expect(flow!.consumers.map((c) => c.action)).toEqual(['Later']);
  });

  it('resolves a project in the action region, and refuses to guess ARNs and variables', () => {
    const mk = (name: string, projectName: string, region?: string): PipelineAction => ({
      ...build,
      name,
      configuration: { ProjectName: projectName },
      ...(region ? { region } : {}),
    });
    const p = pipeline('multi', [
      { name: 'Source', actions: [source] },
      {
        name: 'Build',
        actions: [
          mk('Eu', 'payments-build', 'eu-west-1'),
          mk('Arn', `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/payments-build`),
          mk('Var', '#{SourceVariables.BranchName}-build'),
          mk('Gone', 'deleted-project'),
          mk('Far', 'payments-build', 'ap-south-1'),
          mk('Gap', 'other', 'eu-west-1'),
          { ...build, name: 'None', configuration: {} },
        ],
      },
    ]);
    const snap = snapshot({
      pipelines: [p],
      buildProjects: [project('payments-build', {}, 'eu-west-1')],
      coverage: [
        { account: ACCOUNT, region: 'eu-west-1', service: 'codebuild', operation: 'BatchGetProjects', errorCode: 'AccessDeniedException', message: 'denied', resourceKinds: ['buildProject'] },
      ],
    });
    const states = pipelineFlows(snap, p)[0]!.consumers.map((c) => [c.action, c.project?.state]);
    expect(states).toEqual([
      ['Eu', 'found'],
      ['Arn', 'unresolved'],
      ['Var', 'unresolved'],
      ['Gone', 'absent'],
      ['Far', 'not-read'],
      ['Gap', 'not-read'],
      ['None', 'unresolved'],
    ]);
    const far = pipelineFlows(snap, p)[0]!.consumers[4]!.project;
    expect(far?.state === 'not-read' && far.reason).toContain("outside the snapshot's scope");
    const gap = pipelineFlows(snap, p)[0]!.consumers[5]!.project;
    expect(gap?.state === 'not-read' && gap.reason).toContain('BatchGetProjects');
  });

  it('stays linear over many pipelines sharing one connection', () => {
    const pipelines = Array.from({ length: 5000 }, (_, i) => pipeline(`p${i}`, [{ name: 'Source', actions: [source] }, { name: 'Build', actions: [build] }]));
    const snap = snapshot({ pipelines, buildProjects: [project('payments-build')] });
    expect(connectionConsumers(snap, NEW_ARN)).toHaveLength(5000);
    expect(pipelines.every((p) => pipelineFlows(snap, p)[0]!.consumers[0]!.project?.state === 'found')).toBe(true);
  });
});
