// A small estate for `linkaudit graph`: one connection two pipelines and a webhook build use (one
// pipeline names it by the other prefix), an admin build role, a role that is not in the snapshot,
// a connection that only a pipeline names, a source credential and a user who may use everything.
// The names (not the ARNs, which the schema constrains) can be replaced by hostile text (the
// fast-check tests).
import { emptySnapshot } from '../../src/model/empty.js';
import type { Snapshot } from '../../src/model/types.js';
import { validateSnapshot } from '../../src/model/load.js';

export const ACCOUNT = '111122223333';
export const CONNECTION = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/0347af09-f291-4cec-9665-42872c5e63c2`;
export const CONNECTION_OLD_PREFIX = CONNECTION.replace('codeconnections', 'codestar-connections');
export const MISSING_CONNECTION = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/9c1f5e2a-7d3b-4e8f-a6c2-5b0d8e4f1a37`;

export interface Names {
  connection: string;
  pipeline: string;
  project: string;
  role: string;
  repository: string;
  stage: string;
  action: string;
}

export const PLAIN: Names = { connection: 'acme-github', pipeline: 'payments-release', project: 'payments-build', role: 'payments-build', repository: 'acme/payments', stage: 'Source', action: 'GitHub' };

const base = (region = 'us-east-1') => ({ account: ACCOUNT, region, tags: {} });
// A template's resource (whose name may be any one-line text, as a stand-in `iac:…` name is).
const origin = (name: string, id: string) =>
  name.startsWith('iac:') ? { origin: { format: 'cloudformation' as const, id: `template.yaml#${id}`, location: { file: 'template.yaml', line: 1, column: 1, endLine: 1, endColumn: 2 } } } : {};

export function graphSnapshot(n: Names = PLAIN): Snapshot {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/payments-build`;
  const raw = emptySnapshot({
    generatedAt: '2026-01-15T00:00:00Z',
    source: { kind: 'file', description: 'graph fixture' },
    scope: { partition: 'aws', accounts: [ACCOUNT], regions: ['us-east-1'] },
    connections: [{ ...base(), arn: CONNECTION, name: n.connection, providerType: 'GitHub', status: 'AVAILABLE' }],
    pipelines: [
      {
        ...base(),
        arn: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:payments-release`,
        name: n.pipeline,
        ...origin(n.pipeline, 'Pipeline'),
        pipelineType: 'V2',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
        triggers: [],
        stages: [
          {
            name: n.stage,
            actions: [
              {
                name: n.action,
                actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
                configuration: { ConnectionArn: CONNECTION_OLD_PREFIX, FullRepositoryId: n.repository, BranchName: 'main' },
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
                configuration: { ProjectName: n.project },
                inputArtifacts: ['SourceOutput'],
                outputArtifacts: [],
              },
              {
                name: 'Later',
                runOrder: 2,
                actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                configuration: { ProjectName: '#{variables.project}' },
                inputArtifacts: ['SourceOutput'],
                outputArtifacts: [],
              },
            ],
          },
        ],
      },
      {
        ...base(),
        arn: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:tools`,
        name: 'tools',
        pipelineType: 'V1',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
        triggers: [],
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'GitHub',
                actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
                configuration: { ConnectionArn: MISSING_CONNECTION, FullRepositoryId: 'acme/tools' },
                inputArtifacts: [],
                outputArtifacts: ['Out'],
              },
            ],
          },
        ],
      },
    ],
    buildProjects: [
      { ...base(), arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/payments-build`, name: n.project, ...origin(n.project, 'Project'), serviceRole: roleArn, source: { type: 'CODEPIPELINE' }, secondarySources: [], environmentVariables: [] },
      {
        ...base(),
        arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/web-pr`,
        name: 'web-pr',
        serviceRole: `arn:aws:iam::${ACCOUNT}:role/gone`,
        source: { type: 'GITHUB', location: 'https://github.com/acme/web.git', auth: { type: 'CODECONNECTIONS', resource: CONNECTION } },
        secondarySources: [],
        environmentVariables: [],
        webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED' }]] },
      },
    ],
    sourceCredentials: [{ ...base(), arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:token/github`, serverType: 'GITHUB', authType: 'CODECONNECTIONS', resource: CONNECTION }],
    iamPolicies: [
      { ...base('global'), arn: 'arn:aws:iam::aws:policy/AdministratorAccess', name: 'AdministratorAccess', defaultVersionId: 'v1', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
    ],
    iamRoles: [
      { ...base('global'), arn: roleArn, name: n.role, inlinePolicies: [], attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'], assumeRolePolicy: { Statement: [] } },
      {
        ...base('global'),
        arn: `arn:aws:iam::${ACCOUNT}:role/pipeline`,
        name: 'pipeline',
        inlinePolicies: [{ name: 'pipeline', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codebuild:StartBuild'], Resource: '*' }] } }],
        attachedPolicies: [],
        assumeRolePolicy: { Statement: [] },
      },
    ],
    iamUsers: [
      { ...base('global'), arn: `arn:aws:iam::${ACCOUNT}:user/ci`, name: 'ci', groups: [], attachedPolicies: [], inlinePolicies: [{ name: 'all', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:*', Resource: '*' }] } }] },
    ],
  });
  return validateSnapshot(raw, 'graph fixture');
}
