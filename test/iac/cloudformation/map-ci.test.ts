// AWS::CodePipeline::Pipeline, AWS::CodeBuild::Project and AWS::CodeBuild::SourceCredential → the
// model: every property, the documented defaults, joins to the template's roles, connections and
// projects, what the template does not decide, and the secrets that never enter the model.

import { describe, expect, it } from 'vitest';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { Unresolved, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import type { BuildProject, Pipeline, SourceCredential } from '../../../src/model/types.js';
import { FILE, res, resources, schemaProblems, snapshotOf, stack, unknownEnv } from './map-fixture.js';

const ID = (logicalId: string): string => `iac:templates/net.yaml#${logicalId}`;
const ROLE = (logicalId: string): string => `arn:aws:iam::111122223333:role/${ID(logicalId)}`;
const CONN = `arn:aws:codeconnections:us-east-1:111122223333:connection/${ID('Conn')}`;
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const loc = (line: number, column: number, endLine: number, endColumn: number) => ({ file: FILE, line, column, endLine, endColumn });

const SOURCE_ACTION = {
  Name: 'Source',
  ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' },
  Configuration: { ConnectionArn: CONN, FullRepositoryId: 'example/app', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: false },
  OutputArtifacts: [{ Name: 'Src' }],
  Namespace: 'SourceVariables',
};
const BUILD_ACTION = {
  Name: 'Build',
  ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
  Configuration: { ProjectName: 'app-build' },
  InputArtifacts: [{ Name: 'Src' }],
  OutputArtifacts: [{ Name: 'Out' }],
  RunOrder: '2',
  RoleArn: ROLE('ActionRole'),
  Region: 'eu-west-1',
};

function pipelineStack(props: Record<string, CfnValue> = {}, project: Record<string, CfnValue> = { Name: 'app-build' }) {
  return stack(
    resources(
      ['Conn', 'AWS::CodeConnections::Connection', { ConnectionName: 'gh', ProviderType: 'GitHub' }],
      ['PipelineRole', 'AWS::IAM::Role', { RoleName: 'pipeline', AssumeRolePolicyDocument: TRUST }],
      ['ActionRole', 'AWS::IAM::Role', { AssumeRolePolicyDocument: TRUST }],
      ['Build', 'AWS::CodeBuild::Project', { ServiceRole: 'pipeline', Source: { Type: 'CODEPIPELINE' }, ...project }],
      ['Release', 'AWS::CodePipeline::Pipeline', { RoleArn: ROLE('PipelineRole'), Stages: [{ Name: 'Source', Actions: [SOURCE_ACTION] }, { Name: 'Build', Actions: [BUILD_ACTION] }], ...props }],
    ),
  );
}

const pipelineOf = (s: ReturnType<typeof stack>): Pipeline => mapStack(s).pipelines[0] as Pipeline;
const projectOf = (s: ReturnType<typeof stack>, i = 0): BuildProject => mapStack(s).buildProjects[i] as BuildProject;

describe('AWS::CodePipeline::Pipeline', () => {
  it('maps every property as GetPipeline shows the deployed pipeline, schema-valid', () => {
    const s = pipelineStack({
      Name: 'release',
      PipelineType: 'V2',
      ExecutionMode: 'QUEUED',
      Tags: [{ Key: 'team', Value: 'platform' }],
      Triggers: [
        {
          ProviderType: 'CodeStarSourceConnection',
          GitConfiguration: {
            SourceActionName: 'Source',
            Push: [{ Branches: { Includes: ['main'], Excludes: ['wip/*'] }, Tags: { Includes: ['v*'] }, FilePaths: { Excludes: ['docs/**'] } }],
            PullRequest: [{ Events: ['OPEN', 'UPDATED'], Branches: { Includes: ['main'] }, FilePaths: { Includes: ['src/**'] } }],
          },
        },
      ],
    });
    const mapped = mapStack(s);
    expect(mapped.pipelines).toEqual([
      {
        arn: `arn:aws:codepipeline:us-east-1:111122223333:${ID('Release')}`,
        account: '111122223333',
        region: 'us-east-1',
        tags: { team: 'platform' },
        name: 'release',
        pipelineType: 'V2',
        roleArn: ROLE('PipelineRole'),
        executionMode: 'QUEUED',
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'Source',
                actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
                runOrder: 1,
                // CodePipeline keeps every value as a string.
                configuration: { ConnectionArn: CONN, FullRepositoryId: 'example/app', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'false' },
                inputArtifacts: [],
                outputArtifacts: ['Src'],
                namespace: 'SourceVariables',
              },
            ],
          },
          {
            name: 'Build',
            actions: [
              {
                name: 'Build',
                actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                runOrder: 2,
                configuration: { ProjectName: 'app-build' },
                inputArtifacts: ['Src'],
                outputArtifacts: ['Out'],
                roleArn: ROLE('ActionRole'),
                region: 'eu-west-1',
              },
            ],
          },
        ],
        triggers: [
          {
            providerType: 'CodeStarSourceConnection',
            sourceActionName: 'Source',
            push: [{ branches: { includes: ['main'], excludes: ['wip/*'] }, tags: { includes: ['v*'], excludes: [] }, filePaths: { includes: [], excludes: ['docs/**'] } }],
            pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['main'], excludes: [] }, filePaths: { includes: ['src/**'], excludes: [] } }],
          },
        ],
        origin: {
          format: 'cloudformation',
          id: 'templates/net.yaml#Release',
          location: loc(24, 3, 33, 20),
          logicalId: 'Release',
          properties: {
            executionMode: loc(31, 7, 31, 21),
            name: loc(29, 7, 29, 12),
            pipelineType: loc(30, 7, 30, 20),
            roleArn: loc(27, 7, 27, 15),
            stages: loc(28, 7, 28, 14),
            tags: loc(32, 7, 32, 12),
            triggers: loc(33, 7, 33, 16),
          },
        },
      },
    ]);
    expect(schemaProblems(snapshotOf(s, mapped))).toEqual([]);
  });

  it('applies the documented defaults: V1 without V2 parameters, V2 with triggers, SUPERSEDED, runOrder 1', () => {
    const plain = pipelineOf(pipelineStack());
    expect([plain.pipelineType, plain.executionMode, plain.triggers, plain.stages[0]?.actions[0]?.runOrder]).toEqual(['V1', 'SUPERSEDED', [], 1]);
    // Without a Name, the pipeline is named by the stand-in its Ref gives.
    expect(plain.name).toBe(ID('Release'));
    const triggered = pipelineOf(pipelineStack({ Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { SourceActionName: 'Source' } }] }));
    expect(triggered.pipelineType).toBe('V2');
    expect(pipelineOf(pipelineStack({ Variables: [{ Name: 'v', DefaultValue: 'x' }] })).pipelineType).toBe('V2');
  });

  it('names the template connection, role and project as the model does', () => {
    const m = mapStack(pipelineStack({}, {}));
    const p = m.pipelines[0] as Pipeline;
    // The connection's Ref is its model ARN; the project without Name is joined by the stand-in Ref.
    expect(p.stages[0]?.actions[0]?.configuration.ConnectionArn).toBe(m.connections[0]?.arn);
    const s = pipelineStack({ Stages: [{ Name: 'Build', Actions: [{ ...BUILD_ACTION, Configuration: { ProjectName: ID('Build') } }] }] }, {});
    const joined = mapStack(s);
    expect(joined.pipelines[0]?.stages[0]?.actions[0]?.configuration.ProjectName).toBe(joined.buildProjects[0]?.name);
    expect(joined.buildProjects[0]?.name).toBe(ID('Build'));
    // A role's real ARN written out names the template role of that name.
    const real = pipelineOf(pipelineStack({ RoleArn: 'arn:aws:iam::111122223333:role/service-role/pipeline' }));
    expect(real.roleArn).toBe(ROLE('PipelineRole'));
    // A role of another account, or one the template does not declare, stays as written.
    expect(pipelineOf(pipelineStack({ RoleArn: 'arn:aws:iam::444455556666:role/pipeline' })).roleArn).toBe('arn:aws:iam::444455556666:role/pipeline');
    expect(pipelineOf(pipelineStack({ RoleArn: 'arn:aws:iam::111122223333:role/elsewhere' })).roleArn).toBe('arn:aws:iam::111122223333:role/elsewhere');
  });

  it('never reads a secret configuration value, and undecided secrets do not make the stages unknown', () => {
    const github = (token: CfnValue) =>
      pipelineOf(
        pipelineStack({
          Stages: [
            {
              Name: 'Source',
              Actions: [
                {
                  Name: 'GitHub',
                  ActionTypeId: { Category: 'Source', Owner: 'ThirdParty', Provider: 'GitHub', Version: '1' },
                  Configuration: { Owner: 'example', Repo: 'app', Branch: 'main', OAuthToken: token, WebhookSecret: 'hunter2-secret-value' },
                  OutputArtifacts: [{ Name: 'Src' }],
                },
              ],
            },
          ],
        }),
      );
    for (const token of ['ghp_PlantedOAuthTokenAAAAAAAAAAAAAAAAAAAAA', '{{resolve:secretsmanager:github:SecretString:token}}', new Unresolved('Ref', 'parameter GitHubToken is NoEcho; linkaudit does not use its value')]) {
      const p = github(token);
      expect(p.stages[0]?.actions[0]?.configuration).toEqual({ Owner: 'example', Repo: 'app', Branch: 'main', OAuthToken: 'REDACTED', WebhookSecret: 'REDACTED' });
      expect(p.unreadable).toBeUndefined();
      expect(JSON.stringify(p)).not.toMatch(/ghp_|SecretString|hunter2/);
    }
  });

  it('keeps a CodeBuild action’s EnvironmentVariables names and types, never a value; removes credentials from any value', () => {
    const env = JSON.stringify([{ name: 'NPM_TOKEN', value: 'npm_PlantedTokenBBBBBBBB', type: 'PLAINTEXT' }, { name: 'DB', value: '/ci/db', type: 'PARAMETER_STORE' }]);
    const p = pipelineOf(
      pipelineStack({
        Stages: [{ Name: 'Build', Actions: [{ ...BUILD_ACTION, Configuration: { ProjectName: 'app-build', EnvironmentVariables: env, Url: 'https://bot:pa55word@git.example.com/r.git' } }] }],
      }),
    );
    const config = p.stages[0]?.actions[0]?.configuration;
    expect(JSON.parse(config?.EnvironmentVariables ?? '')).toEqual([
      { name: 'NPM_TOKEN', type: 'PLAINTEXT', value: 'REDACTED' },
      { name: 'DB', type: 'PARAMETER_STORE', value: 'REDACTED' },
    ]);
    expect(config?.Url).toBe('https://REDACTED@git.example.com/r.git');
    expect(JSON.stringify(p)).not.toMatch(/npm_Planted|pa55word/);
    const bad = pipelineOf(pipelineStack({ Stages: [{ Name: 'Build', Actions: [{ ...BUILD_ACTION, Configuration: { EnvironmentVariables: 'not json npm_PlantedTokenBBBB' } }] }] }));
    expect(bad.stages[0]?.actions[0]?.configuration.EnvironmentVariables).toBe('REDACTED');
  });

  it('a value the template does not decide makes that field unknown, naming where and why', () => {
    const branch = new Unresolved('Ref', 'parameter Branch has no default and no value (--iac-param Branch=…)');
    const p = pipelineOf(pipelineStack({ Stages: [{ Name: 'Source', Actions: [{ ...SOURCE_ACTION, Configuration: { ...SOURCE_ACTION.Configuration, BranchName: branch } }] }] }));
    expect(p.unreadable).toEqual([{ field: 'stages', operation: 'Ref', errorCode: 'Unresolved', message: 'Release.Stages[0].Actions[0].Configuration.BranchName: parameter Branch has no default and no value (--iac-param Branch=…)' }]);
    expect(p.stages[0]?.actions[0]?.configuration.BranchName).toBe('(unresolved Ref)');
    const imported = pipelineOf(pipelineStack({ Triggers: new Unresolved('Fn::ImportValue', 'the export ci-triggers is not in this template') }));
    expect(imported.unreadable?.map((u) => [u.field, u.operation])).toEqual([['triggers', 'Fn::ImportValue']]);
    const dynamic = pipelineOf(pipelineStack({ Stages: [{ Name: 'Source', Actions: [{ ...SOURCE_ACTION, Configuration: { ...SOURCE_ACTION.Configuration, FullRepositoryId: '{{resolve:ssm:/ci/repository}}' } }] }] }));
    expect(dynamic.unreadable?.map((u) => [u.field, u.operation])).toEqual([['stages', 'DynamicReference']]);
    expect(JSON.stringify(dynamic)).not.toContain('/ci/repository');
    // The account not known: the symbolic account, and `account` unreadable, as for every kind.
    const env = unknownEnv(pipelineStack().resources);
    expect(mapStack(env).pipelines[0]?.unreadable?.map((u) => u.field)).toEqual(['account']);
  });

  it('a value CloudFormation would refuse is unreadable (InvalidValue), naming the place, never the value', () => {
    const cases: Array<[Record<string, CfnValue>, string, string]> = [
      [{ Stages: 'Source' }, 'stages', 'Release.Stages is not a list'],
      [{ Stages: [{ Name: 'S', Actions: [{ Name: 'A' }] }] }, 'stages', 'Release.Stages[0].Actions[0].ActionTypeId is not set'],
      [{ Stages: [{ Name: 'S', Actions: [{ ...BUILD_ACTION, RunOrder: 0 }] }] }, 'stages', 'Release.Stages[0].Actions[0].RunOrder is not an integer of at least 1'],
      [{ Stages: [{ Name: 'S', Actions: [{ ...BUILD_ACTION, Configuration: { ProjectName: ['a'] } }] }] }, 'stages', 'Release.Stages[0].Actions[0].Configuration.ProjectName is not a string'],
      [{ RoleArn: 'pipeline' }, 'roleArn', 'Release.RoleArn is not a role ARN'],
      [{ PipelineType: 'V3' }, 'pipelineType', 'Release.PipelineType is not V1 or V2'],
      [{ Name: 'no spaces allowed' }, 'name', 'Release.Name is not a pipeline name ([A-Za-z0-9.@_-], 1 to 100 characters)'],
      [{ Triggers: [{ ProviderType: 'CodeStarSourceConnection' }] }, 'triggers', 'Release.Triggers[0].GitConfiguration is not set'],
    ];
    for (const [props, field, message] of cases) {
      const s = pipelineStack(props);
      const p = pipelineOf(s);
      expect(p.unreadable, message).toContainEqual({ field, operation: 'Properties', errorCode: 'InvalidValue', message });
      expect(schemaProblems(snapshotOf(s))).toEqual([]);
    }
  });
});

function projectStack(props: Record<string, CfnValue>) {
  return stack(
    resources(
      ['Conn', 'AWS::CodeConnections::Connection', { ConnectionName: 'gh', ProviderType: 'GitHub' }],
      ['BuildRole', 'AWS::IAM::Role', { RoleName: 'builder', AssumeRolePolicyDocument: TRUST }],
      ['Build', 'AWS::CodeBuild::Project', { Name: 'app-build', ServiceRole: ROLE('BuildRole'), Source: { Type: 'CODEPIPELINE' }, ...props }],
    ),
  );
}

describe('AWS::CodeBuild::Project', () => {
  const BUILDSPEC = 'version: 0.2\nenv:\n  variables:\n    TOKEN: ghp_PlantedBuildspecTokenCCCCCCCCCCCCCCCC\n  parameter-store:\n    DB: /ci/db\nphases:\n  build:\n    commands:\n      - git describe --tags # released\n';

  it('maps every property as BatchGetProjects shows the deployed project, schema-valid', () => {
    const s = projectStack({
      Source: { Type: 'GITHUB', Location: 'https://github.com/example/app.git', BuildSpec: BUILDSPEC, GitCloneDepth: '1', ReportBuildStatus: 'true', Auth: { Type: 'CODECONNECTIONS', Resource: CONN } },
      SecondarySources: [{ Type: 'S3', SourceIdentifier: 'assets', Location: 'example-bucket/assets.zip' }, { Type: 'GITHUB', SourceIdentifier: 'lib', Location: 'https://github.com/example/lib.git', BuildSpec: 'ci/lib.yml' }],
      SourceVersion: 'refs/heads/main',
      Environment: { Type: 'LINUX_CONTAINER', Image: 'aws/codebuild/standard:7.0', EnvironmentVariables: [{ Name: 'STAGE', Value: 'prod' }, { Name: 'DB_PASSWORD', Type: 'SECRETS_MANAGER', Value: 'ci/db' }] },
      Triggers: { Webhook: true, BuildType: 'BUILD', FilterGroups: [[{ Type: 'EVENT', Pattern: 'PUSH' }, { Type: 'HEAD_REF', Pattern: '^refs/heads/main$', ExcludeMatchedPattern: 'false' }]] },
      Tags: [{ Key: 'team', Value: 'app' }],
    });
    const mapped = mapStack(s);
    const { origin, ...project } = mapped.buildProjects[0] as BuildProject;
    expect(project).toEqual({
      arn: `arn:aws:codebuild:us-east-1:111122223333:project/${ID('Build')}`,
      account: '111122223333',
      region: 'us-east-1',
      tags: { team: 'app' },
      name: 'app-build',
      serviceRole: ROLE('BuildRole'),
      source: {
        type: 'GITHUB',
        location: 'https://github.com/example/app.git',
        auth: { type: 'CODECONNECTIONS', resource: CONN },
        buildspec: 'version: 0.2\nenv:\n  variables:\n    TOKEN: REDACTED\n  parameter-store:\n    DB: /ci/db\nphases:\n  build:\n    commands:\n      - git describe --tags\n',
        gitCloneDepth: 1,
        reportBuildStatus: true,
      },
      secondarySources: [
        { type: 'S3', location: 'example-bucket/assets.zip', sourceIdentifier: 'assets' },
        { type: 'GITHUB', location: 'https://github.com/example/lib.git', sourceIdentifier: 'lib', buildspecFile: 'ci/lib.yml' },
      ],
      sourceVersion: 'refs/heads/main',
      webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PUSH' }, { type: 'HEAD_REF', pattern: '^refs/heads/main$', excludeMatchedPattern: false }]], buildType: 'BUILD' },
      environmentVariables: [
        { name: 'STAGE', type: 'PLAINTEXT' },
        { name: 'DB_PASSWORD', type: 'SECRETS_MANAGER' },
      ],
    });
    expect(Object.keys(origin?.properties ?? {})).toEqual(['environmentVariables', 'name', 'secondarySources', 'serviceRole', 'source', 'sourceVersion', 'tags', 'webhook']);
    expect(schemaProblems(snapshotOf(s, mapped))).toEqual([]);
    expect(JSON.stringify(mapped)).not.toMatch(/ghp_|prod/);
  });

  it('takes a role name for ServiceRole, as CodeBuild does', () => {
    expect(projectOf(projectStack({ ServiceRole: 'builder' })).serviceRole).toBe(ROLE('BuildRole'));
    expect(projectOf(projectStack({ ServiceRole: ID('BuildRole') })).serviceRole).toBe(ROLE('BuildRole'));
    expect(projectOf(projectStack({ ServiceRole: 'outside-role' })).serviceRole).toBe('arn:aws:iam::111122223333:role/outside-role');
    expect(projectOf(projectStack({ ServiceRole: 'arn:aws:iam::111122223333:role/path/builder' })).serviceRole).toBe(ROLE('BuildRole'));
    const missing = projectOf(projectStack({ ServiceRole: new Unresolved('Fn::ImportValue', 'the export ci-role is not in this template') }));
    expect(missing.unreadable?.map((u) => [u.field, u.operation])).toEqual([['serviceRole', 'Fn::ImportValue']]);
  });

  it('removes credentials from a source location and says it had them', () => {
    const at = (location: string) => projectOf(projectStack({ Source: { Type: 'BITBUCKET', Location: location } }));
    expect(at('https://x-token-auth:ATBBPlantedBitbucketTokenDDDDDDDDDDDD@bitbucket.org/example/site.git').source).toEqual({ type: 'BITBUCKET', location: 'https://REDACTED@bitbucket.org/example/site.git', locationHadCredentials: true });
    // A dynamic reference in the user-info is a credential whatever it resolves to.
    expect(at('https://x-token-auth:{{resolve:secretsmanager:ci/bb-token}}@bitbucket.org/example/site.git').source).toEqual({ type: 'BITBUCKET', location: 'https://REDACTED@bitbucket.org/example/site.git', locationHadCredentials: true });
    expect(at('https://{{resolve:secretsmanager:ci/gh-token}}@github.com/example/site.git').source.locationHadCredentials).toBe(true);
    expect(at('https://bitbucket.org/example/site.git').source).toEqual({ type: 'BITBUCKET', location: 'https://bitbucket.org/example/site.git' });
    // Anywhere else it decides the location at deployment only: unknown, and nothing of it kept.
    const elsewhere = at('https://bitbucket.org/{{resolve:ssm:/ci/workspace}}/site.git');
    expect(elsewhere.unreadable?.map((u) => [u.field, u.operation])).toEqual([['source', 'DynamicReference']]);
    expect(JSON.stringify(elsewhere)).not.toContain('ci/workspace');
    // Secondary sources too.
    const secondary = projectOf(projectStack({ SecondarySources: [{ Type: 'GITHUB', SourceIdentifier: 'lib', Location: 'https://ghp_PlantedSecondaryTokenEEEEEEEEEEEEEE@github.com/example/lib.git' }] }));
    expect(secondary.secondarySources).toEqual([{ type: 'GITHUB', location: 'https://REDACTED@github.com/example/lib.git', locationHadCredentials: true, sourceIdentifier: 'lib' }]);
  });

  it('never keeps an OAUTH auth resource, nor a resource that is not the connection or secret ARN', () => {
    expect(projectOf(projectStack({ Source: { Type: 'GITHUB', Location: 'https://github.com/e/a.git', Auth: { Type: 'OAUTH', Resource: 'gho_PlantedOAuthFFFFFFFFFFFFFFFFFFFF' } } })).source.auth).toEqual({ type: 'OAUTH' });
    const notArn = projectOf(projectStack({ Source: { Type: 'GITHUB', Location: 'https://github.com/e/a.git', Auth: { Type: 'CODECONNECTIONS', Resource: 'ghp_PlantedNotAnArnGGGGGGGGGGGGGGGGGGG' } } }));
    expect(notArn.source.auth).toEqual({ type: 'CODECONNECTIONS' });
    expect(notArn.unreadable).toEqual([{ field: 'source', operation: 'Properties', errorCode: 'InvalidValue', message: 'Build.Source.Auth.Resource is not a connection ARN (what CODECONNECTIONS takes), so it is not read' }]);
    expect(JSON.stringify(notArn)).not.toContain('ghp_');
    const secret = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ci/github-AbCdEf';
    expect(projectOf(projectStack({ Source: { Type: 'GITHUB', Location: 'https://github.com/e/a.git', Auth: { Type: 'SECRETS_MANAGER', Resource: secret } } })).source.auth).toEqual({ type: 'SECRETS_MANAGER', resource: secret });
  });

  it('an environment variable value is never read, so an undecided one changes nothing; an undecided name is unknown', () => {
    const secret = new Unresolved('Ref', 'parameter NpmToken is NoEcho; linkaudit does not use its value');
    const p = projectOf(projectStack({ Environment: { EnvironmentVariables: [{ Name: 'NPM_TOKEN', Value: secret }] } }));
    expect([p.environmentVariables, p.unreadable]).toEqual([[{ name: 'NPM_TOKEN', type: 'PLAINTEXT' }], undefined]);
    const name = projectOf(projectStack({ Environment: { EnvironmentVariables: [{ Name: new Unresolved('Ref', 'parameter N has no value'), Value: 'x' }] } }));
    expect(name.unreadable?.map((u) => u.field)).toEqual(['environmentVariables']);
  });

  it('a webhook exists when Triggers.Webhook is true; FilterGroups without Webhook is undecided', () => {
    expect(projectOf(projectStack({ Triggers: { Webhook: false, FilterGroups: [[{ Type: 'EVENT', Pattern: 'PUSH' }]] } })).webhook).toBeUndefined();
    const undecided = projectOf(projectStack({ Triggers: { FilterGroups: [[{ Type: 'EVENT', Pattern: 'PUSH' }]] } }));
    expect([undecided.webhook, undecided.unreadable?.map((u) => [u.field, u.errorCode])]).toEqual([undefined, [['webhook', 'NoDefault']]]);
    expect(projectOf(projectStack({ Triggers: { Webhook: 'True' } })).webhook).toEqual({ filterGroups: [] });
  });

  it('a buildspec that is neither a mapping nor a path keeps nothing, and the source is unknown', () => {
    const p = projectOf(projectStack({ Source: { Type: 'CODEPIPELINE', BuildSpec: '- git describe\n- ghp_PlantedListTokenHHHHHHHHHHHHHHHHHHHH\n' } }));
    expect(p.source).toEqual({ type: 'CODEPIPELINE' });
    expect(p.unreadable).toEqual([{ field: 'source', operation: 'Properties', errorCode: 'InvalidValue', message: 'Build.Source its buildspec is neither a YAML mapping nor a path, so no part of it is kept' }]);
    // A dynamic reference under env.variables is a value like any other there; one in a command is not decided.
    expect(projectOf(projectStack({ Source: { Type: 'CODEPIPELINE', BuildSpec: 'version: 0.2\nenv:\n  variables:\n    T: "{{resolve:secretsmanager:t}}"\n' } })).source.buildspec).toBe('version: 0.2\nenv:\n  variables:\n    T: REDACTED\n');
    const command = projectOf(projectStack({ Source: { Type: 'CODEPIPELINE', BuildSpec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - "{{resolve:ssm:/ci/cmd}}"\n' } }));
    expect([command.source.buildspec, command.unreadable?.map((u) => u.operation)]).toEqual([undefined, ['DynamicReference']]);
  });

  it('a project without Source or ServiceRole, or a Name CodeBuild refuses, is unreadable there', () => {
    const s = stack(resources(['Build', 'AWS::CodeBuild::Project', { Name: 'x' }]));
    const p = projectOf(s);
    expect(p.unreadable?.map((u) => [u.field, u.errorCode])).toEqual([
      ['name', 'InvalidValue'],
      ['serviceRole', 'InvalidValue'],
      ['source', 'InvalidValue'],
    ]);
    expect(p.name).toBe(ID('Build'));
    expect(schemaProblems(snapshotOf(s))).toEqual([]);
  });
});

describe('AWS::CodeBuild::SourceCredential', () => {
  const credential = (props: Record<string, CfnValue>): SourceCredential => mapStack(stack([res('Cred', 'AWS::CodeBuild::SourceCredential', props)])).sourceCredentials[0] as SourceCredential;
  const TOKEN = 'ghp_PlantedSourceCredentialIIIIIIIIIIIIIIIII';

  it('maps ServerType and AuthType; a token is never read', () => {
    for (const authType of ['PERSONAL_ACCESS_TOKEN', 'BASIC_AUTH', 'OAUTH']) {
      const c = credential({ ServerType: 'GITHUB', AuthType: authType, Token: TOKEN, Username: 'bot' });
      expect(c).toEqual({
        arn: `arn:aws:codebuild:us-east-1:111122223333:token/${ID('Cred')}`,
        account: '111122223333',
        region: 'us-east-1',
        tags: {},
        serverType: 'GITHUB',
        authType,
        origin: { format: 'cloudformation', id: 'templates/net.yaml#Cred', location: loc(10, 3, 16, 20), logicalId: 'Cred', properties: { authType: loc(14, 7, 14, 16), serverType: loc(13, 7, 13, 18) } },
      });
      expect(JSON.stringify(c)).not.toContain('ghp_');
    }
  });

  it('CODECONNECTIONS and SECRETS_MANAGER put an ARN in Token: the resource, kept only when it is one', () => {
    expect(credential({ ServerType: 'BITBUCKET', AuthType: 'CODECONNECTIONS', Token: CONN }).resource).toBe(CONN);
    const secret = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ci/token-AbCdEf';
    expect(credential({ ServerType: 'GITHUB', AuthType: 'SECRETS_MANAGER', Token: secret }).resource).toBe(secret);
    const wrong = credential({ ServerType: 'GITHUB', AuthType: 'CODECONNECTIONS', Token: TOKEN });
    expect([wrong.resource, wrong.unreadable?.map((u) => [u.field, u.errorCode])]).toEqual([undefined, [['resource', 'InvalidValue']]]);
    expect(JSON.stringify(wrong)).not.toContain('ghp_');
    const dynamic = credential({ ServerType: 'GITHUB', AuthType: 'CODECONNECTIONS', Token: '{{resolve:ssm:/ci/connection}}' });
    expect(dynamic.unreadable?.map((u) => [u.field, u.operation])).toEqual([['resource', 'DynamicReference']]);
  });

  it('with AuthType undecided, the Token is not looked at and the resource is unknown', () => {
    const c = credential({ ServerType: 'GITHUB', AuthType: new Unresolved('Ref', 'parameter Auth has no value'), Token: TOKEN });
    expect(c.unreadable?.map((u) => u.field)).toEqual(['authType', 'resource']);
    expect(JSON.stringify(c)).not.toContain('ghp_');
  });
});
