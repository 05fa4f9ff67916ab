import { describe, expect, it } from 'vitest';
import { CODEBUILD_OPERATIONS, collectBuildProjects, collectSourceCredentials } from '../../src/collectors/codebuild.js';
import type { Target } from '../../src/collectors/types.js';
import type { BuildProject } from '../../src/model/types.js';
import { BAD_GATEWAY, counts, JSON_11, jsonOp, probed } from './ci-wire.js';
import { notAllowed } from './policy-check.js';
import { asSnapshot, testClients, useNock, validates } from './nock-lifecycle.js';

const ENDPOINT = 'https://codebuild.us-east-1.amazonaws.com';
const TARGET: Target = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const op = (operation: string, body?: (b: Record<string, unknown>) => boolean) => jsonOp(ENDPOINT, 'CodeBuild_20161006', operation, body);

function client() {
  const { clients, calls } = testClients();
  return { cb: clients.codebuild, calls };
}

useNock();

const ACCOUNT = '111122223333';
const ROLE = 'arn:aws:iam::111122223333:role/service-role/codebuild-app-service-role';
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111122223333:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
const ts = 1767225600.5;
// Secrets an answer may carry; none may reach the snapshot.
const PLAIN = 'PLANTEDplaintextVALUE';
const URL_TOKEN = 'PLANTEDbitbucketAPPPASSWORD';
const SPEC_TOKEN = 'PLANTEDbuildspecTOKEN';
const WEBHOOK_SECRET = 'PLANTEDwebhookSECRET';

const name = (i: number): string => `svc-${String(i).padStart(3, '0')}`;
const arnOf = (n: string): string => `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${n}`;

/** A project as BatchGetProjects answers it (member names: botocore codebuild 2016-10-06 and the SDK's model). */
function wireProject(n: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: n,
    arn: arnOf(n),
    source: { type: 'CODEPIPELINE', buildspec: 'ci/buildspec.yml', insecureSsl: false },
    secondarySources: [],
    artifacts: { type: 'CODEPIPELINE', name: n },
    environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL', environmentVariables: [], privilegedMode: false, imagePullCredentialsType: 'CODEBUILD' },
    serviceRole: ROLE,
    timeoutInMinutes: 60,
    queuedTimeoutInMinutes: 480,
    encryptionKey: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/s3`,
    tags: [],
    created: ts,
    lastModified: ts,
    badge: { badgeEnabled: false },
    projectVisibility: 'PRIVATE',
    ...extra,
  };
}

const modelProject = (n: string, extra: Partial<BuildProject> = {}): BuildProject => ({
  arn: arnOf(n),
  account: ACCOUNT,
  region: 'us-east-1',
  tags: {},
  name: n,
  serviceRole: ROLE,
  source: { type: 'CODEPIPELINE', buildspecFile: 'ci/buildspec.yml' },
  secondarySources: [],
  environmentVariables: [],
  ...extra,
});

const BUILDSPEC = `version: 0.2
# the token is ${SPEC_TOKEN}
env:
  variables:
    GITHUB_TOKEN: ${SPEC_TOKEN}
  exported-variables: [IMAGE_TAG]
phases:
  build:
    commands:
      - git describe --tags
`;

/** The project that carries every secret the API can give, and the model it must become. */
const WIRE_APP = wireProject('svc-000', {
  source: {
    type: 'BITBUCKET',
    location: `https://x-token-auth:${URL_TOKEN}@bitbucket.org/example/app.git`,
    gitCloneDepth: 1,
    gitSubmodulesConfig: { fetchSubmodules: false },
    buildspec: BUILDSPEC,
    reportBuildStatus: true,
    insecureSsl: false,
  },
  secondarySources: [
    { type: 'GITHUB', location: 'https://github.com/example/tools.git', sourceIdentifier: 'tools', auth: { type: 'CODECONNECTIONS', resource: CONNECTION }, gitCloneDepth: 0 },
    { type: 'S3', location: 'example-bucket/assets.zip', sourceIdentifier: 'assets' },
  ],
  sourceVersion: 'refs/heads/main',
  environment: {
    type: 'LINUX_CONTAINER',
    image: 'aws/codebuild/standard:7.0',
    computeType: 'BUILD_GENERAL1_SMALL',
    environmentVariables: [
      { name: 'DEPLOY_TOKEN', value: PLAIN, type: 'PLAINTEXT' },
      { name: 'DB_PASSWORD', value: '/ci/db', type: 'PARAMETER_STORE' },
      { name: 'UNTYPED', value: PLAIN },
    ],
  },
  tags: [{ key: 'team', value: 'platform' }],
  webhook: {
    url: 'https://api.bitbucket.org/2.0/repositories/example/app/hooks/%7Babc%7D',
    payloadUrl: 'https://codebuild.us-east-1.amazonaws.com/webhooks?t=abc&v=1',
    secret: WEBHOOK_SECRET,
    branchFilter: '',
    filterGroups: [
      [{ type: 'EVENT', pattern: 'PUSH' }, { type: 'HEAD_REF', pattern: '^refs/heads/main$' }],
      [{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED' }, { type: 'ACTOR_ACCOUNT_ID', pattern: '12345', excludeMatchedPattern: true }],
    ],
    buildType: 'BUILD',
    lastModifiedSecret: ts,
  },
});

const MODEL_APP = modelProject('svc-000', {
  tags: { team: 'platform' },
  source: {
    type: 'BITBUCKET',
    location: 'https://REDACTED@bitbucket.org/example/app.git',
    locationHadCredentials: true,
    buildspec: 'version: 0.2\nenv:\n  variables:\n    GITHUB_TOKEN: REDACTED\n  exported-variables:\n    - IMAGE_TAG\nphases:\n  build:\n    commands:\n      - git describe --tags\n',
    gitCloneDepth: 1,
    reportBuildStatus: true,
  },
  secondarySources: [
    { type: 'GITHUB', location: 'https://github.com/example/tools.git', locationHadCredentials: false, sourceIdentifier: 'tools', auth: { type: 'CODECONNECTIONS', resource: CONNECTION }, gitCloneDepth: 0 },
    { type: 'S3', location: 'example-bucket/assets.zip', locationHadCredentials: false, sourceIdentifier: 'assets' },
  ],
  sourceVersion: 'refs/heads/main',
  webhook: {
    filterGroups: [
      [{ type: 'EVENT', pattern: 'PUSH' }, { type: 'HEAD_REF', pattern: '^refs/heads/main$' }],
      [{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED' }, { type: 'ACTOR_ACCOUNT_ID', pattern: '12345', excludeMatchedPattern: true }],
    ],
    buildType: 'BUILD',
  },
  environmentVariables: [
    { name: 'DEPLOY_TOKEN', type: 'PLAINTEXT' },
    { name: 'DB_PASSWORD', type: 'PARAMETER_STORE' },
    { name: 'UNTYPED', type: 'PLAINTEXT' },
  ],
});

/** The names of a BatchGetProjects request (nock hands a JSON 1.1 body over as text). */
const namesOf = (body: unknown): string[] => (JSON.parse(typeof body === 'string' ? body : JSON.stringify(body)) as { names: string[] }).names;

/** BatchGetProjects answers for any chunk: every name but the deleted ones. */
function answerBatches(deleted: ReadonlySet<string>, seen: number[]): void {
  op('BatchGetProjects')
    .times(3)
    .reply(200, (_uri, body) => {
      const names = namesOf(body);
      seen.push(names.length);
      return {
        projects: names.filter((n) => !deleted.has(n)).map((n) => (n === 'svc-000' ? WIRE_APP : wireProject(n))),
        projectsNotFound: names.filter((n) => deleted.has(n)),
      };
    }, JSON_11);
}

describe('collectBuildProjects', () => {
  const all = Array.from({ length: 250 }, (_, i) => name(i));

  it('follows nextToken, reads 250 projects in 3 calls of at most 100 names, takes projectsNotFound as deleted, and keeps no secret', async () => {
    const { cb, calls } = client();
    op('ListProjects', (b) => b.nextToken === undefined).reply(200, { projects: all.slice(0, 150).reverse(), nextToken: 'n2' }, JSON_11);
    op('ListProjects', (b) => b.nextToken === 'n2').reply(200, { projects: all.slice(150) }, JSON_11);
    const deleted = new Set([name(7), name(249)]);
    const sizes: number[] = [];
    answerBatches(deleted, sizes);

    const collected = await collectBuildProjects(cb, TARGET);

    expect(sizes.sort((a, b) => a - b)).toEqual([50, 100, 100]);
    expect(collected.coverage).toEqual([]);
    expect(collected.buildProjects?.length).toBe(248);
    expect(collected.buildProjects?.map((p) => p.name)).toEqual(all.filter((n) => !deleted.has(n)));
    expect(collected.buildProjects?.[0]).toEqual(MODEL_APP);
    expect(collected.buildProjects?.[1]).toEqual(modelProject(name(1)));
    const text = JSON.stringify(asSnapshot(collected));
    for (const secret of [PLAIN, URL_TOKEN, SPEC_TOKEN, WEBHOOK_SECRET, 'PLANTED']) expect(text).not.toContain(secret);
    expect(counts(calls)).toEqual({ 'codebuild:ListProjects': 2, 'codebuild:BatchGetProjects': 3 });
    expect(calls.every((c) => CODEBUILD_OPERATIONS.includes(c.replace(/^codebuild:/, '')))).toBe(true);
    expect(notAllowed(calls)).toEqual([]);
    validates(collected);
  });

  it('retries ThrottlingException on BatchGetProjects and then succeeds without a gap', async () => {
    const { cb, calls } = client();
    op('ListProjects').reply(200, { projects: ['svc-000'] }, JSON_11);
    op('BatchGetProjects').reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, JSON_11);
    op('BatchGetProjects', (b) => JSON.stringify(b.names) === '["svc-000"]').reply(200, { projects: [WIRE_APP], projectsNotFound: [] }, JSON_11);

    expect(await collectBuildProjects(cb, TARGET)).toEqual({ buildProjects: [MODEL_APP], coverage: [] });
    expect(counts(calls)).toEqual({ 'codebuild:ListProjects': 1, 'codebuild:BatchGetProjects': 1 });
  });

  it('AccessDenied on ListProjects: one gap without field, and rules on build projects give unknown there', async () => {
    const { cb, calls } = client();
    const message = 'User: arn:aws:sts::111122223333:assumed-role/audit/linkaudit is not authorized to perform: codebuild:ListProjects';
    op('ListProjects').reply(400, { __type: 'AccessDeniedException', message }, JSON_11);

    const collected = await collectBuildProjects(cb, TARGET);

    expect(collected).toEqual({
      buildProjects: [],
      coverage: [{ account: ACCOUNT, region: 'us-east-1', service: 'codebuild', operation: 'ListProjects', errorCode: 'AccessDeniedException', message, resourceKinds: ['buildProject'] }],
    });
    expect(calls).toEqual(['codebuild:ListProjects']);
    expect(probed(asSnapshot(collected), 'buildProject', ['source'])).toEqual(['unknown arn:aws:codebuild:us-east-1:111122223333:project/*']);
  });

  it('a chunk BatchGetProjects cannot read leaves its projects out and the listing a gap; the others are read and judged', async () => {
    const { cb } = client();
    op('ListProjects').reply(200, { projects: all }, JSON_11);
    const message = 'User is not authorized to perform: codebuild:BatchGetProjects on resource: arn:aws:codebuild:us-east-1:111122223333:project/svc-100';
    op('BatchGetProjects', (b) => (b.names as string[])[0] === name(100)).reply(400, { __type: 'AccessDeniedException', message }, JSON_11);
    op('BatchGetProjects', (b) => (b.names as string[])[0] !== name(100))
      .times(2)
      .reply(200, (_uri, body) => ({ projects: namesOf(body).map((n) => wireProject(n)) }), JSON_11);

    const collected = await collectBuildProjects(cb, TARGET);

    expect(collected.buildProjects?.map((p) => p.name)).toEqual([...all.slice(0, 100), ...all.slice(200)]);
    expect(collected.coverage).toEqual([{ account: ACCOUNT, region: 'us-east-1', service: 'codebuild', operation: 'BatchGetProjects', errorCode: 'AccessDeniedException', message, resourceKinds: ['buildProject'] }]);
    const findings = probed(asSnapshot(collected), 'buildProject', ['source']);
    expect(findings.filter((f) => f.startsWith('unknown'))).toEqual(['unknown arn:aws:codebuild:us-east-1:111122223333:project/*']);
    expect(findings.filter((f) => f.startsWith('pass')).length).toBe(150);
  });

  it('an HTML 502 from a proxy or a truncated answer is a gap, never an empty listing', async () => {
    const listing = client();
    op('ListProjects').times(3).reply(502, BAD_GATEWAY, { 'content-type': 'text/html' });
    expect((await collectBuildProjects(listing.cb, TARGET)).coverage.map((g) => [g.operation, g.errorCode, g.message])).toEqual([
      ['ListProjects', 'HTTP502', `HTTP 502 answer (content-type text/html) to ListProjects is not the service's JSON error: "${BAD_GATEWAY}"`],
    ]);

    const batch = client();
    op('ListProjects').reply(200, { projects: ['svc-000'] }, JSON_11);
    op('BatchGetProjects').reply(200, JSON.stringify({ projects: [WIRE_APP] }).slice(0, 200), JSON_11);
    const collected = await collectBuildProjects(batch.cb, TARGET);
    expect(collected.buildProjects).toEqual([]);
    expect(collected.coverage.map((g) => [g.operation, g.errorCode, g.field])).toEqual([['BatchGetProjects', 'InvalidResponse', undefined]]);
    validates(collected);
  });

  it('a project of the wrong shape gives what can be held; a missing role or source is unreadable, not empty', async () => {
    const { cb } = client();
    op('ListProjects').reply(200, { projects: ['odd', 'other', 7] }, JSON_11);
    op('BatchGetProjects', (b) => JSON.stringify(b.names) === '["odd","other"]').reply(
      200,
      {
        projects: [
          { name: 'odd', arn: arnOf('odd'), environment: { environmentVariables: [{ name: 'T', value: PLAIN, type: 5 }, { value: PLAIN }] }, webhook: { filterGroups: [[{ type: 'EVENT' }], 'x'] }, tags: [{ key: '__proto__', value: 'v' }] },
          // Not asked for: not this answer's to give.
          wireProject('made-up'),
        ],
      },
      JSON_11,
    );
    const collected = await collectBuildProjects(cb, TARGET);
    expect(collected.buildProjects).toEqual([
      {
        arn: arnOf('odd'),
        account: ACCOUNT,
        region: 'us-east-1',
        tags: { ['__proto__']: 'v' },
        unreadable: [
          { field: 'serviceRole', operation: 'BatchGetProjects', errorCode: 'InvalidResponse', message: 'BatchGetProjects answered odd without a serviceRole' },
          { field: 'source', operation: 'BatchGetProjects', errorCode: 'InvalidResponse', message: 'BatchGetProjects answered odd without a source' },
        ],
        name: 'odd',
        serviceRole: '',
        source: { type: '' },
        secondarySources: [],
        webhook: { filterGroups: [[], []] },
        environmentVariables: [{ name: 'T', type: 'PLAINTEXT' }],
      },
    ]);
    expect(JSON.stringify(collected)).not.toContain('PLANTED');
    validates(collected);
  });

  it('rethrows credential errors instead of recording a gap', async () => {
    const { cb } = client();
    op('ListProjects').reply(400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, JSON_11);
    await expect(collectBuildProjects(cb, TARGET)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});

describe('collectSourceCredentials', () => {
  it('maps each credential (never a token: the API has none to give) and sorts them by ARN', async () => {
    const { cb, calls } = client();
    op('ListSourceCredentials', (b) => Object.keys(b).length === 0).reply(
      200,
      {
        sourceCredentialsInfos: [
          { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:token/github`, serverType: 'GITHUB', authType: 'PERSONAL_ACCESS_TOKEN' },
          { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:token/bitbucket`, serverType: 'BITBUCKET', authType: 'CODECONNECTIONS', resource: CONNECTION },
          { serverType: 'GITLAB', authType: 'OAUTH' },
        ],
      },
      JSON_11,
    );
    const collected = await collectSourceCredentials(cb, TARGET);
    expect(collected).toEqual({
      sourceCredentials: [
        { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:token/bitbucket`, account: ACCOUNT, region: 'us-east-1', tags: {}, serverType: 'BITBUCKET', authType: 'CODECONNECTIONS', resource: CONNECTION },
        { arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:token/github`, account: ACCOUNT, region: 'us-east-1', tags: {}, serverType: 'GITHUB', authType: 'PERSONAL_ACCESS_TOKEN' },
      ],
      coverage: [],
    });
    expect(calls).toEqual(['codebuild:ListSourceCredentials']);
    expect(notAllowed(calls)).toEqual([]);
    validates(collected);
  });

  it('AccessDenied is one gap without field, and rules on source credentials give unknown there', async () => {
    const { cb } = client();
    op('ListSourceCredentials').reply(400, { __type: 'AccessDeniedException', message: 'denied' }, JSON_11);
    const collected = await collectSourceCredentials(cb, TARGET);
    expect(collected).toEqual({
      sourceCredentials: [],
      coverage: [{ account: ACCOUNT, region: 'us-east-1', service: 'codebuild', operation: 'ListSourceCredentials', errorCode: 'AccessDeniedException', message: 'denied', resourceKinds: ['sourceCredential'] }],
    });
    expect(probed(asSnapshot(collected), 'sourceCredential', ['authType'])).toEqual(['unknown arn:aws:codebuild:us-east-1:111122223333:token/*']);
  });

  it('an HTML answer with status 200 is a gap, never "no credentials"', async () => {
    const { cb } = client();
    op('ListSourceCredentials').reply(200, '<html>captive portal</html>', { 'content-type': 'text/html' });
    expect((await collectSourceCredentials(cb, TARGET)).coverage.map((g) => [g.operation, g.errorCode])).toEqual([['ListSourceCredentials', 'InvalidResponse']]);
  });
});
