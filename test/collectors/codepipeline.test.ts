import { describe, expect, it } from 'vitest';
import { CODEPIPELINE_OPERATIONS, collectPipelines } from '../../src/collectors/codepipeline.js';
import type { Target } from '../../src/collectors/types.js';
import type { Pipeline } from '../../src/model/types.js';
import { BAD_GATEWAY, counts, JSON_11, jsonOp, probed } from './ci-wire.js';
import { notAllowed } from './policy-check.js';
import { asSnapshot, testClients, useNock, validates } from './nock-lifecycle.js';

const ENDPOINT = 'https://codepipeline.us-east-1.amazonaws.com';
const TARGET: Target = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const op = (operation: string, body?: (b: Record<string, unknown>) => boolean) => jsonOp(ENDPOINT, 'CodePipeline_20150709', operation, body);
const get = (name: string) => op('GetPipeline', (b) => b.name === name);

function client() {
  const { clients, calls } = testClients();
  return { cp: clients.codepipeline, calls };
}

useNock();

// Secrets an answer may carry; none may reach the snapshot.
const OAUTH = 'ghp_PLANTEDoauthTOKEN0123456789abcdefABCD';
const PLAIN = 'PLANTEDplaintextVALUE';
const URLPASS = 'PLANTEDurlPASSWORD';
const CUSTOM = 'PLANTEDcustomSECRET';
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111122223333:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const ROLE = 'arn:aws:iam::111122223333:role/service-role/AWSCodePipelineServiceRole-release';
const ts = 1767225600.123; // JSON 1.1 timestamps: epoch seconds

/** GetPipeline of a V2 pipeline with a connection source, a CodeBuild action and triggers (member names: the SDK's model). */
function releaseAnswer() {
  return {
    pipeline: {
      name: 'release',
      roleArn: ROLE,
      artifactStore: { type: 'S3', location: 'codepipeline-us-east-1-artifacts' },
      stages: [
        {
          name: 'Source',
          actions: [
            {
              name: 'Source',
              actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
              runOrder: 1,
              configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'example/app', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'true' },
              outputArtifacts: [{ name: 'SourceOutput' }],
              inputArtifacts: [],
              namespace: 'SourceVariables',
            },
          ],
        },
        {
          name: 'Build',
          actions: [
            {
              name: 'Build',
              actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
              runOrder: 1,
              configuration: {
                ProjectName: 'app-build',
                EnvironmentVariables: JSON.stringify([
                  { name: 'TOKEN', value: PLAIN, type: 'PLAINTEXT' },
                  { name: 'DEFAULT', value: PLAIN },
                  { name: 'DB', value: '/ci/db-password', type: 'PARAMETER_STORE' },
                ]),
              },
              outputArtifacts: [{ name: 'BuildOutput' }],
              inputArtifacts: [{ name: 'SourceOutput' }],
              roleArn: 'arn:aws:iam::111122223333:role/build-action',
              region: 'eu-west-1',
              environmentVariables: [{ name: 'X', value: PLAIN, type: 'PLAINTEXT' }],
            },
          ],
        },
      ],
      version: 3,
      executionMode: 'QUEUED',
      pipelineType: 'V2',
      variables: [{ name: 'Stage', defaultValue: PLAIN, description: 'not kept' }],
      triggers: [
        {
          providerType: 'CodeStarSourceConnection',
          gitConfiguration: {
            sourceActionName: 'Source',
            push: [{ branches: { includes: ['main', 'release/*'] }, tags: { includes: ['v*'], excludes: ['v0*'] }, filePaths: { excludes: ['docs/**'] } }],
            pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['**'] } }],
          },
        },
      ],
    },
    metadata: { pipelineArn: 'arn:aws:codepipeline:us-east-1:111122223333:release', created: ts, updated: ts },
  };
}

/** A pipeline from before V2: no pipelineType, a GitHub version 1 source with its OAuth token, a custom action with secrets. */
function legacyAnswer() {
  return {
    pipeline: {
      name: 'legacy',
      roleArn: ROLE,
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        {
          name: 'Source',
          actions: [
            {
              name: 'GitHub',
              actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
              configuration: { Owner: 'example', Repo: 'legacy', Branch: 'master', OAuthToken: OAUTH, PollForSourceChanges: 'false' },
              outputArtifacts: [{ name: 'Src' }],
            },
          ],
        },
        {
          name: 'Test',
          actions: [
            {
              name: 'Jenkins',
              actionTypeId: { category: 'Test', owner: 'Custom', provider: 'JenkinsCI', version: '2' },
              configuration: { ProjectName: 'legacy-tests', ServerSecret: '****', Password: CUSTOM, Url: `https://ci:${URLPASS}@jenkins.example.com/job/legacy` },
              inputArtifacts: [{ name: 'Src' }],
            },
          ],
        },
      ],
      version: 12,
    },
    metadata: { pipelineArn: 'arn:aws:codepipeline:us-east-1:111122223333:legacy', created: ts, updated: ts },
  };
}

const RELEASE: Pipeline = {
  arn: 'arn:aws:codepipeline:us-east-1:111122223333:release',
  account: '111122223333',
  region: 'us-east-1',
  tags: {},
  name: 'release',
  pipelineType: 'V2',
  roleArn: ROLE,
  executionMode: 'QUEUED',
  stages: [
    {
      name: 'Source',
      actions: [
        {
          name: 'Source',
          actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
          runOrder: 1,
          configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'example/app', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'true' },
          inputArtifacts: [],
          outputArtifacts: ['SourceOutput'],
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
          runOrder: 1,
          configuration: {
            ProjectName: 'app-build',
            EnvironmentVariables: JSON.stringify([
              { name: 'TOKEN', value: 'REDACTED', type: 'PLAINTEXT' },
              { name: 'DEFAULT', value: 'REDACTED', type: 'PLAINTEXT' },
              { name: 'DB', value: '/ci/db-password', type: 'PARAMETER_STORE' },
            ]),
          },
          inputArtifacts: ['SourceOutput'],
          outputArtifacts: ['BuildOutput'],
          roleArn: 'arn:aws:iam::111122223333:role/build-action',
          region: 'eu-west-1',
        },
      ],
    },
  ],
  triggers: [
    {
      providerType: 'CodeStarSourceConnection',
      sourceActionName: 'Source',
      push: [{ branches: { includes: ['main', 'release/*'], excludes: [] }, tags: { includes: ['v*'], excludes: ['v0*'] }, filePaths: { includes: [], excludes: ['docs/**'] } }],
      pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['**'], excludes: [] } }],
    },
  ],
};

const LEGACY: Pipeline = {
  arn: 'arn:aws:codepipeline:us-east-1:111122223333:legacy',
  account: '111122223333',
  region: 'us-east-1',
  tags: {},
  name: 'legacy',
  pipelineType: 'V1',
  roleArn: ROLE,
  stages: [
    {
      name: 'Source',
      actions: [
        {
          name: 'GitHub',
          actionType: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
          configuration: { Owner: 'example', Repo: 'legacy', Branch: 'master', OAuthToken: 'REDACTED', PollForSourceChanges: 'false' },
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
          configuration: { ProjectName: 'legacy-tests', ServerSecret: 'REDACTED', Password: 'REDACTED', Url: 'https://REDACTED@jenkins.example.com/job/legacy' },
          inputArtifacts: ['Src'],
          outputArtifacts: [],
        },
      ],
    },
  ],
  triggers: [],
};

describe('collectPipelines', () => {
  it('lists with the largest page, follows nextToken, reads each pipeline and keeps no secret of any action', async () => {
    const { cp, calls } = client();
    op('ListPipelines', (b) => b.maxResults === 1000 && b.nextToken === undefined).reply(
      200,
      { pipelines: [{ name: 'release', version: 3, pipelineType: 'V2', executionMode: 'QUEUED', created: ts, updated: ts }], nextToken: 'p2' },
      JSON_11,
    );
    // A page boundary may repeat an entry: read once.
    op('ListPipelines', (b) => b.maxResults === 1000 && b.nextToken === 'p2').reply(200, { pipelines: [{ name: 'release', version: 3 }, { name: 'legacy', version: 12, created: ts, updated: ts }] }, JSON_11);
    get('release').reply(200, releaseAnswer(), JSON_11);
    get('legacy').reply(200, legacyAnswer(), JSON_11);

    const collected = await collectPipelines(cp, TARGET);

    expect(collected).toEqual({ pipelines: [LEGACY, RELEASE], coverage: [] });
    const text = JSON.stringify(asSnapshot(collected));
    for (const secret of [OAUTH, PLAIN, URLPASS, CUSTOM, 'PLANTED']) expect(text).not.toContain(secret);
    expect(counts(calls)).toEqual({ 'codepipeline:ListPipelines': 2, 'codepipeline:GetPipeline': 2 });
    expect(calls.every((c) => CODEPIPELINE_OPERATIONS.includes(c.replace(/^codepipeline:/, '')))).toBe(true);
    expect(notAllowed(calls)).toEqual([]);
    validates(collected);
  });

  it('retries ThrottlingException on both operations and then succeeds without a gap', async () => {
    const { cp, calls } = client();
    const throttled = { __type: 'ThrottlingException', message: 'Rate exceeded' };
    op('ListPipelines').reply(400, throttled, JSON_11);
    op('ListPipelines').reply(200, { pipelines: [{ name: 'release' }] }, JSON_11);
    get('release').reply(400, throttled, JSON_11);
    get('release').reply(200, releaseAnswer(), JSON_11);

    expect(await collectPipelines(cp, TARGET)).toEqual({ pipelines: [RELEASE], coverage: [] });
    expect(counts(calls)).toEqual({ 'codepipeline:ListPipelines': 1, 'codepipeline:GetPipeline': 1 });
  });

  it('AccessDenied on ListPipelines: one gap without field, no pipelines, and rules on pipelines give unknown there', async () => {
    const { cp, calls } = client();
    const message = 'User: arn:aws:sts::111122223333:assumed-role/audit/linkaudit is not authorized to perform: codepipeline:ListPipelines';
    op('ListPipelines').reply(400, { __type: 'AccessDeniedException', message }, JSON_11);

    const collected = await collectPipelines(cp, TARGET);

    expect(collected).toEqual({
      pipelines: [],
      coverage: [{ account: '111122223333', region: 'us-east-1', service: 'codepipeline', operation: 'ListPipelines', errorCode: 'AccessDeniedException', message, resourceKinds: ['pipeline'] }],
    });
    expect(calls).toEqual(['codepipeline:ListPipelines']);
    expect(probed(asSnapshot(collected), 'pipeline', ['stages'])).toEqual(['unknown arn:aws:codepipeline:us-east-1:111122223333:*']);
  });

  it('a pipeline GetPipeline may not read keeps what ListPipelines said, its stages, triggers and role unreadable; a deleted one is left out', async () => {
    const { cp } = client();
    const message = 'User is not authorized to perform: codepipeline:GetPipeline on resource: arn:aws:codepipeline:us-east-1:111122223333:locked';
    op('ListPipelines').reply(200, { pipelines: [{ name: 'release' }, { name: 'locked', pipelineType: 'V2', executionMode: 'PARALLEL' }, { name: 'gone' }] }, JSON_11);
    get('release').reply(200, releaseAnswer(), JSON_11);
    get('locked').reply(400, { __type: 'AccessDeniedException', message }, JSON_11);
    get('gone').reply(400, { __type: 'PipelineNotFoundException', message: 'Account 111122223333 does not have a pipeline with name gone' }, JSON_11);

    const collected = await collectPipelines(cp, TARGET);

    const unreadable = ['stages', 'triggers', 'roleArn'].map((field) => ({ field, operation: 'GetPipeline', errorCode: 'AccessDeniedException', message }));
    expect(collected).toEqual({
      pipelines: [
        { arn: 'arn:aws:codepipeline:us-east-1:111122223333:locked', account: '111122223333', region: 'us-east-1', tags: {}, name: 'locked', pipelineType: 'V2', roleArn: '', executionMode: 'PARALLEL', stages: [], triggers: [], unreadable },
        RELEASE,
      ],
      coverage: [{ account: '111122223333', region: 'us-east-1', service: 'codepipeline', operation: 'GetPipeline', errorCode: 'AccessDeniedException', message, resourceKinds: ['pipeline'], field: 'stages' }],
    });
    // What reads the stages is unknown for the unread pipeline only; what reads its name is judged.
    const snapshot = asSnapshot(collected);
    expect(probed(snapshot, 'pipeline', ['stages'])).toEqual(['unknown arn:aws:codepipeline:us-east-1:111122223333:locked', 'pass arn:aws:codepipeline:us-east-1:111122223333:release']);
    expect(probed(snapshot, 'pipeline', ['name'])).toEqual(['pass arn:aws:codepipeline:us-east-1:111122223333:locked', 'pass arn:aws:codepipeline:us-east-1:111122223333:release']);
  });

  it('an HTML 502 from a proxy or a truncated answer is a gap, never an empty listing or a pipeline without stages', async () => {
    const listing = client();
    op('ListPipelines').times(3).reply(502, BAD_GATEWAY, { 'content-type': 'text/html' });
    expect(await collectPipelines(listing.cp, TARGET)).toEqual({
      pipelines: [],
      coverage: [
        {
          account: '111122223333',
          region: 'us-east-1',
          service: 'codepipeline',
          operation: 'ListPipelines',
          errorCode: 'HTTP502',
          message: `HTTP 502 answer (content-type text/html) to ListPipelines is not the service's JSON error: "${BAD_GATEWAY}"`,
          resourceKinds: ['pipeline'],
        },
      ],
    });

    const reading = client();
    op('ListPipelines').reply(200, { pipelines: [{ name: 'release' }, { name: 'html' }, { name: 'empty' }] }, JSON_11);
    get('release').reply(200, JSON.stringify(releaseAnswer()).slice(0, 300), JSON_11);
    get('html').reply(200, '<html><body>Sign in</body></html>', { 'content-type': 'text/html' });
    // A JSON object without the pipeline: nothing to read, not an empty pipeline.
    get('empty').reply(200, {}, JSON_11);
    const collected = await collectPipelines(reading.cp, TARGET);
    expect(collected.pipelines?.map((p) => [p.name, p.stages.length, p.unreadable?.map((u) => `${u.field}:${u.errorCode}`)])).toEqual([
      ['empty', 0, ['stages:InvalidResponse', 'triggers:InvalidResponse', 'roleArn:InvalidResponse']],
      ['html', 0, ['stages:InvalidResponse', 'triggers:InvalidResponse', 'roleArn:InvalidResponse']],
      ['release', 0, ['stages:InvalidResponse', 'triggers:InvalidResponse', 'roleArn:InvalidResponse']],
    ]);
    expect(collected.coverage.map((g) => [g.operation, g.errorCode, g.field])).toEqual([['GetPipeline', 'InvalidResponse', 'stages']]);
    validates(collected);
  });

  it('an answer of the wrong shape gives what can be held, and the snapshot stays valid', async () => {
    const { cp } = client();
    op('ListPipelines').reply(200, { pipelines: [{ name: 'odd' }, { name: 7 }, 'x', null] }, JSON_11);
    get('odd').reply(
      200,
      { pipeline: { name: 'odd', roleArn: ROLE, pipelineType: 'V9', stages: [{ name: 'S', actions: [{ name: 'A', actionTypeId: { category: 'Source' }, configuration: { K: 5, L: 'x' }, runOrder: -1, outputArtifacts: [{}] }] }], triggers: [{ gitConfiguration: { push: [{ branches: { includes: 'main' } }] } }] } },
      JSON_11,
    );
    const collected = await collectPipelines(cp, TARGET);
    expect(collected.pipelines?.map((p) => p.name)).toEqual(['odd']);
    expect(collected.pipelines?.[0]?.unreadable).toEqual([{ field: 'pipelineType', operation: 'GetPipeline', errorCode: 'InvalidResponse', message: 'pipelineType "V9" is not V1 or V2' }]);
    validates(collected);
  });

  it('rethrows credential errors instead of recording a gap', async () => {
    const { cp } = client();
    op('ListPipelines').reply(400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, JSON_11);
    await expect(collectPipelines(cp, TARGET)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});
