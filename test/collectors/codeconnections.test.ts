import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../../src/collectors/clients.js';
import { CODECONNECTIONS_OPERATIONS, collectConnections, collectHosts } from '../../src/collectors/codeconnections.js';
import type { Collected, Target } from '../../src/collectors/types.js';
import { notAllowed } from './policy-check.js';
import { testClients, useNock, validates } from './nock-lifecycle.js';

const ENDPOINT = 'https://codestar-connections.us-east-1.amazonaws.com';
const TARGET: Target = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.0' };

function client(): { client: ReturnType<typeof clientsFor>['codeconnections']; calls: string[] } {
  const { clients, calls } = testClients();
  return { client: clients.codeconnections, calls };
}

function counts(calls: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** An interceptor for one JSON 1.0 operation whose request body satisfies `body`. */
function op(operation: string, body: (b: Record<string, unknown>) => boolean = () => true): nock.Interceptor {
  return nock(ENDPOINT)
    .matchHeader('x-amz-target', `CodeStar_connections_20191201.${operation}`)
    .matchHeader('content-type', 'application/x-amz-json-1.0')
    .post('/', (b: Record<string, unknown>) => body(b));
}

const tagsOf = (arn: string, tags: Array<{ Key: string; Value: string }>): void => {
  op('ListTagsForResource', (b) => b.ResourceArn === arn).reply(200, { Tags: tags }, JSON_TYPE);
};


const BAD_GATEWAY = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';


useNock();

const A = 'arn:aws:codestar-connections:us-east-1:111122223333:connection/aaaa-1111';
const B = 'arn:aws:codeconnections:eu-west-1:111122223333:connection/bbbb-2222';
const C = 'arn:aws:codestar-connections:us-west-2:111122223333:connection/cccc-3333';
const HOST = 'arn:aws:codestar-connections:us-west-2:111122223333:host/ghes-0001';

describe('collectConnections', () => {
  it('follows NextToken with the largest page, de-duplicates a repeated ARN, keeps both ARN prefixes and reads tags', async () => {
    const { client: cc, calls } = client();
    op('ListConnections', (b) => b.MaxResults === 100 && b.NextToken === undefined).reply(
      200,
      {
        Connections: [
          { ConnectionName: 'gh-b', ConnectionArn: B, ProviderType: 'GitHub', OwnerAccountId: '111122223333', ConnectionStatus: 'PENDING' },
          { ConnectionName: 'gh-a', ConnectionArn: A, ProviderType: 'GitHub', OwnerAccountId: '111122223333', ConnectionStatus: 'AVAILABLE' },
        ],
        NextToken: 'page-2',
      },
      JSON_TYPE,
    );
    op('ListConnections', (b) => b.MaxResults === 100 && b.NextToken === 'page-2').reply(
      200,
      {
        Connections: [
          { ConnectionName: 'gh-b', ConnectionArn: B, ProviderType: 'GitHub', OwnerAccountId: '111122223333', ConnectionStatus: 'PENDING' },
          { ConnectionName: 'ghes', ConnectionArn: C, ProviderType: 'GitHubEnterpriseServer', OwnerAccountId: '111122223333', ConnectionStatus: 'ERROR', HostArn: HOST },
        ],
      },
      JSON_TYPE,
    );
    tagsOf(A, [{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'prod' }]);
    tagsOf(B, []);
    tagsOf(C, [{ Key: 'owner', Value: 'ci' }]);

    const collected = await collectConnections(cc, TARGET);

    expect(collected).toEqual({
      connections: [
        {
          arn: B,
          account: '111122223333',
          region: 'eu-west-1',
          tags: {},
          name: 'gh-b',
          providerType: 'GitHub',
          ownerAccountId: '111122223333',
          status: 'PENDING',
        },
        {
          arn: A,
          account: '111122223333',
          region: 'us-east-1',
          tags: { team: 'platform', env: 'prod' },
          name: 'gh-a',
          providerType: 'GitHub',
          ownerAccountId: '111122223333',
          status: 'AVAILABLE',
        },
        {
          arn: C,
          account: '111122223333',
          region: 'us-west-2',
          tags: { owner: 'ci' },
          name: 'ghes',
          providerType: 'GitHubEnterpriseServer',
          ownerAccountId: '111122223333',
          status: 'ERROR',
          hostArn: HOST,
        },
      ],
      coverage: [],
    });
    expect(counts(calls)).toEqual({ 'codestar-connections:ListConnections': 2, 'codestar-connections:ListTagsForResource': 3 });
    expect(calls.every((c) => CODECONNECTIONS_OPERATIONS.includes(c.replace(/^codestar-connections:/, '')))).toBe(true);
    expect(notAllowed(calls)).toEqual([]);
    validates(collected);
  });

  it('turns AccessDeniedException on ListConnections into one gap without field and no connections', async () => {
    const { client: cc, calls } = client();
    op('ListConnections').reply(
      400,
      { __type: 'com.amazonaws.codestar.connections#AccessDeniedException', message: 'User is not authorized to perform: codestar-connections:ListConnections' },
      JSON_TYPE,
    );

    const collected = await collectConnections(cc, TARGET);

    expect(collected).toEqual({
      connections: [],
      coverage: [
        {
          account: '111122223333',
          region: 'us-east-1',
          service: 'codeconnections',
          operation: 'ListConnections',
          errorCode: 'AccessDeniedException',
          message: 'User is not authorized to perform: codestar-connections:ListConnections',
          resourceKinds: ['connection'],
        },
      ],
    });
    expect(calls).toEqual(['codestar-connections:ListConnections']);
    validates(collected);
  });

  it('retries ThrottlingException and then succeeds without a gap', async () => {
    const { client: cc, calls } = client();
    op('ListConnections').reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, JSON_TYPE);
    op('ListConnections').reply(
      200,
      { Connections: [{ ConnectionName: 'gh-a', ConnectionArn: A, ProviderType: 'GitHub', ConnectionStatus: 'AVAILABLE' }] },
      JSON_TYPE,
    );
    tagsOf(A, []);

    const collected = await collectConnections(cc, TARGET);

    expect(collected).toEqual({
      connections: [{ arn: A, account: '111122223333', region: 'us-east-1', tags: {}, name: 'gh-a', providerType: 'GitHub', status: 'AVAILABLE' }],
      coverage: [],
    });
    // One command, two attempts: the recorder counts commands.
    expect(counts(calls)).toEqual({ 'codestar-connections:ListConnections': 1, 'codestar-connections:ListTagsForResource': 1 });
  });

  it('turns an HTML 502 from a proxy into a gap, never an empty success', async () => {
    const { client: cc } = client();
    // 502 is transient: the SDK makes all three attempts.
    op('ListConnections')
      .times(3)
      .reply(502, BAD_GATEWAY, { 'content-type': 'text/html' });

    const collected = await collectConnections(cc, TARGET);

    // The body is not AWS's JSON: the listing is unknown, not empty, and the gap says what came.
    expect(collected).toEqual({
      connections: [],
      coverage: [
        {
          account: '111122223333',
          region: 'us-east-1',
          service: 'codeconnections',
          operation: 'ListConnections',
          errorCode: 'HTTP502',
          message: `HTTP 502 answer (content-type text/html) to ListConnections is not the service's JSON error: "${BAD_GATEWAY}"`,
          resourceKinds: ['connection'],
        },
      ],
    });
    validates(collected);
  });

  it('rethrows credential errors instead of recording a gap', async () => {
    const { client: cc } = client();
    op('ListConnections').reply(400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, JSON_TYPE);
    await expect(collectConnections(cc, TARGET)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });
});

const H1 = 'arn:aws:codestar-connections:us-east-1:111122223333:host/ghes-vpc-0001';
const H2 = 'arn:aws:codestar-connections:us-east-1:111122223333:host/ghes-public-0002';
const H3 = 'arn:aws:codeconnections:us-east-1:111122223333:host/gitlab-0003';

describe('collectHosts', () => {
  it('maps hosts with and without VPC configuration; failed tags are unreadable with one gap', async () => {
    const { client: cc, calls } = client();
    op('ListHosts', (b) => b.MaxResults === 100 && b.NextToken === undefined).reply(
      200,
      {
        Hosts: [
          {
            Name: 'ghes-vpc',
            HostArn: H1,
            ProviderType: 'GitHubEnterpriseServer',
            ProviderEndpoint: 'https://ghes.internal.example.com',
            Status: 'AVAILABLE',
            VpcConfiguration: {
              VpcId: 'vpc-0abc1234',
              SubnetIds: ['subnet-0a', 'subnet-0b'],
              SecurityGroupIds: ['sg-01'],
              TlsCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
            },
          },
          { Name: 'ghes-public', HostArn: H2, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'http://ghes.example.com', Status: 'PENDING', StatusMessage: 'Set up the host in the console' },
        ],
        NextToken: 'h2',
      },
      JSON_TYPE,
    );
    op('ListHosts', (b) => b.NextToken === 'h2').reply(
      200,
      {
        Hosts: [
          {
            Name: 'gitlab',
            HostArn: H3,
            ProviderType: 'GitLabSelfManaged',
            ProviderEndpoint: 'https://gitlab.example.com',
            Status: 'VPC_CONFIG_FAILED_INITIALIZATION',
            StatusMessage: 'subnet has no free addresses',
            VpcConfiguration: { VpcId: 'vpc-0def5678', SubnetIds: ['subnet-0c'], SecurityGroupIds: ['sg-02', 'sg-03'] },
          },
        ],
      },
      JSON_TYPE,
    );
    tagsOf(H1, [{ Key: 'team', Value: 'platform' }]);
    const denied = { __type: 'AccessDeniedException', message: 'not authorized to perform: codestar-connections:ListTagsForResource' };
    op('ListTagsForResource', (b) => b.ResourceArn === H2).reply(400, denied, JSON_TYPE);
    op('ListTagsForResource', (b) => b.ResourceArn === H3).reply(400, denied, JSON_TYPE);

    const collected = await collectHosts(cc, TARGET);

    const unreadableTags = [{ field: 'tags', operation: 'ListTagsForResource', errorCode: 'AccessDeniedException', message: denied.message }];
    expect(collected).toEqual({
      hosts: [
        {
          arn: H3,
          account: '111122223333',
          region: 'us-east-1',
          tags: {},
          unreadable: unreadableTags,
          name: 'gitlab',
          providerType: 'GitLabSelfManaged',
          providerEndpoint: 'https://gitlab.example.com',
          status: 'VPC_CONFIG_FAILED_INITIALIZATION',
          statusMessage: 'subnet has no free addresses',
          vpcConfiguration: { vpcId: 'vpc-0def5678', subnetIds: ['subnet-0c'], securityGroupIds: ['sg-02', 'sg-03'] },
        },
        {
          arn: H2,
          account: '111122223333',
          region: 'us-east-1',
          tags: {},
          unreadable: unreadableTags,
          name: 'ghes-public',
          providerType: 'GitHubEnterpriseServer',
          providerEndpoint: 'http://ghes.example.com',
          status: 'PENDING',
          statusMessage: 'Set up the host in the console',
        },
        {
          arn: H1,
          account: '111122223333',
          region: 'us-east-1',
          tags: { team: 'platform' },
          name: 'ghes-vpc',
          providerType: 'GitHubEnterpriseServer',
          providerEndpoint: 'https://ghes.internal.example.com',
          status: 'AVAILABLE',
          vpcConfiguration: {
            vpcId: 'vpc-0abc1234',
            subnetIds: ['subnet-0a', 'subnet-0b'],
            securityGroupIds: ['sg-01'],
            tlsCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
          },
        },
      ],
      coverage: [
        {
          account: '111122223333',
          region: 'us-east-1',
          service: 'codeconnections',
          operation: 'ListTagsForResource',
          errorCode: 'AccessDeniedException',
          message: denied.message,
          resourceKinds: ['host'],
          field: 'tags',
        },
      ],
    });
    expect(counts(calls)).toEqual({ 'codestar-connections:ListHosts': 2, 'codestar-connections:ListTagsForResource': 3 });
    expect(calls).not.toContain('codestar-connections:GetHost');
    validates(collected);
  });

  it('turns a ListHosts failure into one gap without field and no hosts', async () => {
    const { client: cc } = client();
    op('ListHosts').reply(400, { __type: 'AccessDeniedException', message: 'denied' }, JSON_TYPE);

    expect(await collectHosts(cc, TARGET)).toEqual({
      hosts: [],
      coverage: [
        {
          account: '111122223333',
          region: 'us-east-1',
          service: 'codeconnections',
          operation: 'ListHosts',
          errorCode: 'AccessDeniedException',
          message: 'denied',
          resourceKinds: ['host'],
        },
      ],
    });
  });
});
