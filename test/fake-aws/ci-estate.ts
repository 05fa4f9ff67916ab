// Pipelines, build projects and source credentials for the demo account's two regions, served by
// the fake (ci.ts) in test/collect.test.ts's round trip. Named wire-… so they never meet the
// demo estate's own. Each place a secret can stand is represented in its redacted form; the fake
// serves a planted secret there.
import { redactBuildspec } from '../../src/collectors/redact.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { BuildProject, Pipeline, Snapshot, SourceCredential } from '../../src/model/types.js';
import { DEMO_ACCOUNT } from './estate.js';

const A = DEMO_ACCOUNT;
const role = (name: string): string => `arn:aws:iam::${A}:role/${name}`;

function pipeline(region: string, name: string, rest: Omit<Pipeline, 'arn' | 'account' | 'region' | 'tags' | 'name'>): Pipeline {
  return { arn: `arn:aws:codepipeline:${region}:${A}:${name}`, account: A, region, tags: {}, name, ...rest };
}

function project(region: string, name: string, rest: Omit<BuildProject, 'arn' | 'account' | 'region' | 'name'>): BuildProject {
  return { arn: `arn:aws:codebuild:${region}:${A}:project/${name}`, account: A, region, name, ...rest };
}

const credential = (region: string, server: string, rest: Omit<SourceCredential, 'arn' | 'account' | 'region' | 'tags' | 'serverType'>): SourceCredential => ({
  arn: `arn:aws:codebuild:${region}:${A}:token/${server.toLowerCase()}`,
  account: A,
  region,
  tags: {},
  serverType: server,
  ...rest,
});

const CONNECTION = `arn:aws:codestar-connections:us-east-1:${A}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;

const sourceAction = (extra: Record<string, string> = {}) => ({
  name: 'Source',
  actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
  runOrder: 1,
  configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'example/app', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', ...extra },
  inputArtifacts: [],
  outputArtifacts: ['SourceOutput'],
});

const buildAction = {
  name: 'Build',
  actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
  runOrder: 1,
  configuration: { ProjectName: 'wire-app', EnvironmentVariables: '[{"name":"TOKEN","value":"REDACTED","type":"PLAINTEXT"},{"name":"DB","value":"/ci/db","type":"PARAMETER_STORE"}]' },
  inputArtifacts: ['SourceOutput'],
  outputArtifacts: [],
};

const BUILDSPEC = redactBuildspec('version: 0.2\nenv:\n  variables:\n    NPM_TOKEN: x\n  exported-variables: [IMAGE]\nphases:\n  build:\n    commands:\n      - git describe --tags\n      - make\n') as string;

export const CI_PIPELINES: Pipeline[] = [
  pipeline('us-east-1', 'wire-release', {
    pipelineType: 'V2',
    roleArn: role('wire-pipeline'),
    executionMode: 'QUEUED',
    stages: [{ name: 'Source', actions: [sourceAction()] }, { name: 'Build', actions: [buildAction] }],
    triggers: [
      {
        providerType: 'CodeStarSourceConnection',
        sourceActionName: 'Source',
        push: [{ branches: { includes: ['main'], excludes: [] }, filePaths: { includes: [], excludes: ['docs/**'] } }],
        pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['**'], excludes: [] } }],
      },
    ],
  }),
  pipeline('us-east-1', 'wire-legacy', {
    pipelineType: 'V1',
    roleArn: role('wire-pipeline'),
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'GitHub',
            actionType: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
            configuration: { Owner: 'example', Repo: 'legacy', Branch: 'master', OAuthToken: 'REDACTED' },
            inputArtifacts: [],
            outputArtifacts: ['Src'],
          },
        ],
      },
      {
        name: 'Test',
        actions: [
          {
            name: 'Jenkins',
            actionType: { category: 'Test', owner: 'Custom', provider: 'JenkinsCI', version: '2' },
            configuration: { ProjectName: 'legacy', ServerUrl: 'https://REDACTED@jenkins.example.com/' },
            inputArtifacts: ['Src'],
            outputArtifacts: [],
            roleArn: role('wire-jenkins'),
            region: 'us-east-1',
            namespace: 'Tests',
          },
        ],
      },
    ],
    triggers: [],
  }),
  pipeline('us-east-1', 'wire-zip', {
    pipelineType: 'V2',
    roleArn: role('wire-pipeline'),
    executionMode: 'SUPERSEDED',
    stages: [{ name: 'Source', actions: [sourceAction({ OutputArtifactFormat: 'CODE_ZIP', DetectChanges: 'false' })] }, { name: 'Build', actions: [buildAction] }],
    triggers: [],
  }),
  pipeline('eu-west-1', 'wire-eu', {
    pipelineType: 'V2',
    roleArn: role('wire-pipeline'),
    executionMode: 'PARALLEL',
    stages: [{ name: 'Source', actions: [sourceAction()] }],
    triggers: [{ providerType: 'CodeStarSourceConnection', sourceActionName: 'Source', push: [{ tags: { includes: ['v*'], excludes: [] } }], pullRequest: [] }],
  }),
];

export const CI_PROJECTS: BuildProject[] = [
  project('us-east-1', 'wire-app', {
    tags: { team: 'platform' },
    serviceRole: role('wire-build'),
    source: { type: 'CODEPIPELINE', buildspec: BUILDSPEC },
    secondarySources: [
      { type: 'BITBUCKET', location: 'https://REDACTED@bitbucket.org/example/tools.git', locationHadCredentials: true, sourceIdentifier: 'tools', gitCloneDepth: 1 },
      { type: 'GITHUB', location: 'https://github.com/example/lib.git', locationHadCredentials: false, sourceIdentifier: 'lib', auth: { type: 'CODECONNECTIONS', resource: CONNECTION } },
    ],
    environmentVariables: [
      { name: 'DEPLOY_TOKEN', type: 'PLAINTEXT' },
      { name: 'DB', type: 'PARAMETER_STORE' },
    ],
  }),
  project('us-east-1', 'wire-web', {
    tags: {},
    serviceRole: role('wire-build'),
    source: { type: 'GITHUB', location: 'https://github.com/example/web.git', locationHadCredentials: false, buildspecFile: 'ci/buildspec.yml', gitCloneDepth: 1, reportBuildStatus: true },
    secondarySources: [],
    sourceVersion: 'main',
    webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PUSH' }, { type: 'HEAD_REF', pattern: '^refs/heads/main$' }], [{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED', excludeMatchedPattern: false }]], buildType: 'BUILD' },
    environmentVariables: [],
  }),
  project('us-east-1', 'wire-tools', {
    tags: {},
    serviceRole: role('wire-build'),
    source: { type: 'S3', location: 'example-bucket/tools.zip', locationHadCredentials: false },
    secondarySources: [],
    environmentVariables: [],
  }),
  project('eu-west-1', 'wire-eu', {
    tags: {},
    serviceRole: role('wire-build'),
    source: { type: 'GITLAB', location: 'https://REDACTED@gitlab.com/example/eu.git', locationHadCredentials: true },
    secondarySources: [],
    environmentVariables: [{ name: 'TOKEN', type: 'PLAINTEXT' }],
  }),
];

export const CI_CREDENTIALS: SourceCredential[] = [
  credential('us-east-1', 'GITHUB', { authType: 'PERSONAL_ACCESS_TOKEN' }),
  credential('us-east-1', 'BITBUCKET', { authType: 'CODECONNECTIONS', resource: CONNECTION }),
];

/** The estate with these added (ARNs sorted as the loader sorts). */
export function withCi(estate: Snapshot): Snapshot {
  return validateSnapshot(
    { ...estate, pipelines: [...estate.pipelines, ...CI_PIPELINES], buildProjects: [...estate.buildProjects, ...CI_PROJECTS], sourceCredentials: [...estate.sourceCredentials, ...CI_CREDENTIALS] },
    'the demo account with pipelines and builds',
  );
}
