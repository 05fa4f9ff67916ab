import { emptySnapshot as baseSnapshot } from '../../src/model/empty.js';
import type { BuildProject, EndpointService, Pipeline, Snapshot, SourceCredential } from '../../src/model/types.js';

export function emptySnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return baseSnapshot({
    generatedAt: '2026-01-15T00:00:00Z',
    source: { kind: 'file', description: 'test' },
    scope: { partition: 'aws', accounts: ['111122223333'], regions: ['us-east-1'] },
    ...overrides,
  });
}

export function endpointService(id: string, overrides: Partial<EndpointService> = {}): EndpointService {
  return {
    arn: `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/${id}`,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    id,
    serviceName: `com.amazonaws.vpce.us-east-1.${id}`,
    serviceType: 'Interface',
    state: 'Available',
    acceptanceRequired: true,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    allowedPrincipals: [],
    endpointConnections: [],
    connectionNotifications: [],
    ...overrides,
  };
}

export function pipeline(name: string, overrides: Partial<Pipeline> = {}): Pipeline {
  return {
    arn: `arn:aws:codepipeline:us-east-1:111122223333:${name}`,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    name,
    pipelineType: 'V2',
    roleArn: 'arn:aws:iam::111122223333:role/pipeline',
    executionMode: 'QUEUED',
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            runOrder: 1,
            configuration: {
              ConnectionArn: 'arn:aws:codeconnections:us-east-1:111122223333:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
              FullRepositoryId: 'example/app',
              BranchName: 'main',
              OutputArtifactFormat: 'CODE_ZIP',
            },
            inputArtifacts: [],
            outputArtifacts: ['SourceOutput'],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'app-build' },
            inputArtifacts: ['SourceOutput'],
            outputArtifacts: [],
          },
        ],
      },
    ],
    triggers: [
      {
        providerType: 'CodeStarSourceConnection',
        sourceActionName: 'Source',
        push: [{ branches: { includes: ['main'], excludes: [] } }],
        pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['*'], excludes: [] } }],
      },
    ],
    ...overrides,
  };
}

export function buildProject(name: string, overrides: Partial<BuildProject> = {}): BuildProject {
  return {
    arn: `arn:aws:codebuild:us-east-1:111122223333:project/${name}`,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    name,
    serviceRole: 'arn:aws:iam::111122223333:role/build',
    source: {
      type: 'GITHUB',
      location: 'https://github.com/example/app.git',
      auth: { type: 'CODECONNECTIONS', resource: 'arn:aws:codestar-connections:us-east-1:111122223333:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d' },
      buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - make\n',
      gitCloneDepth: 1,
      reportBuildStatus: true,
    },
    secondarySources: [],
    sourceVersion: 'main',
    webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PUSH' }, { type: 'HEAD_REF', pattern: '^refs/heads/main$' }]], buildType: 'BUILD' },
    environmentVariables: [{ name: 'STAGE', type: 'PLAINTEXT' }],
    ...overrides,
  };
}

export function sourceCredential(serverType: string, overrides: Partial<SourceCredential> = {}): SourceCredential {
  return {
    arn: `arn:aws:codebuild:us-east-1:111122223333:token/${serverType.toLowerCase()}`,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    serverType,
    authType: 'CODECONNECTIONS',
    resource: 'arn:aws:codeconnections:us-east-1:111122223333:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
    ...overrides,
  };
}
