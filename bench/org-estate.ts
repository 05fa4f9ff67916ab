// An organization-sized estate for `npm run bench:org` (bench/org.ts) and the shard test
// (test/org-shards.test.ts): N accounts x 17 regions, each account small and alike, as in an
// organization of workload accounts:
//
//   per account-region  20 interface endpoints (AWS services; a third with a policy, one in ten of
//                       those allowing everything; one in twenty without private DNS)
//   one region in ten   an endpoint service (a few allowed principals, sometimes `*`; a pending
//                       connection; notifications on half)
//   per account         2 connections (one PENDING in ten accounts), 50 IAM roles (a pipeline role,
//                       a build role, the rest service roles; one in twenty-five admin) and the AWS
//                       managed policies they attach, as every account lists them, one
//                       pipeline and one build project in the home region using the first connection
//
// Seeded (mulberry32 via bench/synthetic.mjs) and built from running counters: the same (seed,
// accounts, regions) gives the same estate, and account i is the same in every organization size,
// so 100, 300 and 1,000 accounts grow one estate. Built from src/ (tsx runs this file directly).
import { emptySnapshot } from '../src/model/empty.js';
import { endpointServiceArn, vpcEndpointArn } from '../src/model/arn.js';
import type { BuildProject, Connection, EndpointService, IamPolicy, IamRole, Pipeline, Snapshot, VpcEndpoint } from '../src/model/types.js';
import { prng } from './synthetic.mjs';

/** Seventeen regions enabled by default (opt-in regions aside). */
export const ORG_REGIONS = [
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-north-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
];
export const ORG_HOME = 'us-east-1';
export const ENDPOINTS_PER_CELL = 20;
export const ROLES_PER_ACCOUNT = 50;
export const CONNECTIONS_PER_ACCOUNT = 2;
const GENERATED_AT = '2026-11-30T00:00:00Z';
const SERVICES = ['sts', 'ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'kms', 'ssm', 'ssmmessages', 'ec2messages', 'monitoring', 'sqs', 'sns', 'codebuild', 'codepipeline', 'codestar-connections.api', 'codeconnections.api', 'lambda', 'states', 'events', 'execute-api'];

export interface OrgEstate {
  /**
   * The estate as the fake serves it: each account lists the AWS managed policies its principals
   * attach, so their ARNs repeat across accounts (a collection keeps each once). Not a snapshot
   * file as it is: drop the repeats first.
   */
  snapshot: Snapshot;
  organization: { id: string; managementAccount: string; accounts: string[] };
}

/** Account i's id: 12 digits, distinct, the same whatever the organization's size. */
export function orgAccount(i: number): string {
  return String(200000000000 + i * 1_000_003);
}

export function buildOrgEstate(accountCount: number, options: { seed?: number; regions?: readonly string[]; endpointsPerCell?: number; rolesPerAccount?: number } = {}): OrgEstate {
  const perCell = options.endpointsPerCell ?? ENDPOINTS_PER_CELL;
  const roleCount = Math.max(2, options.rolesPerAccount ?? ROLES_PER_ACCOUNT);
  const regions = [...(options.regions ?? ORG_REGIONS)].sort();
  const accounts = Array.from({ length: accountCount }, (_, i) => orgAccount(i));
  const vpcEndpoints: VpcEndpoint[] = [];
  const endpointServices: EndpointService[] = [];
  const connections: Connection[] = [];
  const iamRoles: IamRole[] = [];
  const iamPolicies: IamPolicy[] = [];
  const pipelines: Pipeline[] = [];
  const buildProjects: BuildProject[] = [];
  const orgId = 'o-bench0000org';
  accounts.forEach((account, i) => {
    // One generator per account: account i is the same in every organization size.
    const rand = prng((options.seed ?? 1) * 1_000_003 + i);
    const chance = (p: number): boolean => rand() < p;
    let counter = 0;
    const hex = (n: number): string => {
      let s = '';
      for (let k = 0; k < n; k++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
      return s;
    };
    const uid = (): string => `${hex(7)}${(i * 4096 + counter++).toString(16).padStart(10, '0')}`;
    const home = regions.includes(ORG_HOME) ? ORG_HOME : (regions[0] as string);
    for (const [r, region] of regions.entries()) {
      const vpcId = `vpc-${uid()}`;
      for (let e = 0; e < perCell; e++) {
        const id = `vpce-${uid()}`;
        const service = SERVICES[e % SERVICES.length] as string;
        const withPolicy = chance(1 / 3);
        vpcEndpoints.push({
          arn: vpcEndpointArn('aws', region, account, id),
          account,
          region,
          tags: chance(0.5) ? { team: `team-${i % 40}` } : {},
          id,
          endpointType: 'Interface',
          vpcId,
          serviceName: `com.amazonaws.${region}.${service}`,
          state: 'available',
          privateDnsEnabled: !chance(0.05),
          ...(withPolicy
            ? { policy: chance(0.1) ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } : { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }] } }
            : {}),
          policySupported: true,
          requesterManaged: false,
          subnetIds: [`subnet-${uid()}`, `subnet-${uid()}`],
          securityGroupIds: [`sg-${uid()}`],
          creationTimestamp: '2025-06-01T00:00:00Z',
        });
      }
      // One region in ten holds an endpoint service, spread over the regions by account.
      if ((i + r) % 10 === 0) {
        const id = `vpce-svc-${uid()}`;
        const other = orgAccount((i + 1) % Math.max(accountCount, 1));
        endpointServices.push({
          arn: endpointServiceArn('aws', region, account, id),
          account,
          region,
          tags: {},
          id,
          serviceName: `com.amazonaws.vpce.${region}.${id}`,
          serviceType: 'Interface',
          state: 'Available',
          acceptanceRequired: !chance(0.2),
          managesVpcEndpoints: false,
          availabilityZones: chance(0.2) ? [`${region}a`] : [`${region}a`, `${region}b`],
          networkLoadBalancerArns: [`arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/nlb-${i}/${hex(16)}`],
          allowedPrincipals: [
            { principal: `arn:aws:iam::${other}:root`, principalType: 'Account', servicePermissionId: `sp-${uid()}` },
            ...(chance(0.1) ? [{ principal: '*', principalType: 'All', servicePermissionId: `sp-${uid()}` }] : []),
            ...(chance(0.2) ? [{ principal: 'arn:aws:iam::999999999999:root', principalType: 'Account', servicePermissionId: `sp-${uid()}` }] : []),
          ],
          endpointConnections: [{ vpcEndpointId: `vpce-${uid()}`, vpcEndpointOwner: other, state: chance(0.3) ? 'pendingAcceptance' : 'available', creationTimestamp: '2026-01-10T00:00:00Z' }],
          connectionNotifications: chance(0.5) ? [{ id: `vpce-nfn-${uid()}`, topicArn: `arn:aws:sns:${region}:${account}:privatelink`, events: ['Connect', 'Accept', 'Reject', 'Delete'], state: 'Enabled' }] : [],
        });
      }
    }
    const connectionArns: string[] = [];
    for (let c = 0; c < CONNECTIONS_PER_ACCOUNT; c++) {
      const arn = `arn:aws:codestar-connections:${home}:${account}:connection/${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
      connectionArns.push(arn);
      connections.push({ arn, account, region: home, tags: { team: `team-${i % 40}` }, name: `conn-${c}`, providerType: 'GitHub', ownerAccountId: account, status: c === 1 && i % 10 === 0 ? 'PENDING' : 'AVAILABLE' });
    }
    const roleArn = (name: string): string => `arn:aws:iam::${account}:role/${name}`;
    for (let k = 0; k < roleCount; k++) {
      const name = k === 0 ? 'pipeline' : k === 1 ? 'build' : `service-${k}`;
      const admin = k >= 2 && k % 25 === 0;
      iamRoles.push({
        arn: roleArn(name),
        account,
        region: 'global',
        tags: {},
        name,
        path: '/',
        id: `AROA${uid().toUpperCase()}`,
        assumeRolePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: k === 0 ? 'codepipeline.amazonaws.com' : k === 1 ? 'codebuild.amazonaws.com' : 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        inlinePolicies:
          k <= 1
            ? [{ name: 'use-connection', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:UseConnection'], Resource: connectionArns[0] as string }] } }]
            : chance(0.1)
              ? [{ name: 'connections', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:*', Resource: '*' }] } }]
              : [],
        attachedPolicies: admin ? ['arn:aws:iam::aws:policy/AdministratorAccess'] : ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      });
    }
    // GetAccountAuthorizationDetails lists the AWS managed policies the account's principals
    // attach, in every account: the same ARN each time (kept once in the snapshot). Short stand-ins
    // for the documents (the real ReadOnlyAccess lists thousands of actions).
    const attached = new Set(iamRoles.filter((r) => r.account === account).flatMap((r) => r.attachedPolicies));
    for (const arn of [...attached].sort()) {
      const admin = arn.endsWith('/AdministratorAccess');
      iamPolicies.push({
        arn,
        account,
        region: 'global',
        tags: {},
        name: arn.split('/').pop() as string,
        defaultVersionId: admin ? 'v1' : 'v129',
        awsManaged: true,
        document: admin
          ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
          : { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:Get*', 'codestar-connections:List*', 'codeconnections:Get*', 'codeconnections:List*', 'ec2:Describe*', 'iam:Get*', 'iam:List*', 's3:Get*', 's3:List*'], Resource: '*' }] },
      } as IamPolicy);
    }
    pipelines.push({
      arn: `arn:aws:codepipeline:${home}:${account}:release`,
      account,
      region: home,
      tags: {},
      name: 'release',
      pipelineType: 'V2',
      roleArn: roleArn('pipeline'),
      executionMode: 'QUEUED',
      stages: [
        {
          name: 'Source',
          actions: [
            {
              name: 'Source',
              actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
              runOrder: 1,
              configuration: { ConnectionArn: connectionArns[0] as string, FullRepositoryId: `example/app-${i}`, BranchName: 'main', OutputArtifactFormat: 'CODE_ZIP' },
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
              runOrder: 1,
              configuration: { ProjectName: 'app' },
              inputArtifacts: ['SourceOutput'],
              outputArtifacts: [],
            },
          ],
        },
      ],
      triggers: [{ providerType: 'CodeStarSourceConnection', sourceActionName: 'Source', push: [{ branches: { includes: ['main'], excludes: [] } }], pullRequest: [] }],
    });
    buildProjects.push({
      arn: `arn:aws:codebuild:${home}:${account}:project/app`,
      account,
      region: home,
      name: 'app',
      tags: {},
      serviceRole: roleArn('build'),
      source: { type: 'CODEPIPELINE', buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - make test\n' },
      secondarySources: [],
      environmentVariables: [],
    });
  });
  const snapshot = emptySnapshot({
    generatedAt: GENERATED_AT,
    source: { kind: 'file', tool: 'linkaudit bench/org-estate.ts', description: `organization benchmark estate: ${accountCount} accounts x ${regions.length} regions` },
    scope: { partition: 'aws', accounts: [...accounts].sort(), regions },
    organizations: [{ id: orgId, managementAccount: accounts[0] as string, accounts: [...accounts].sort() }],
    connections,
    vpcEndpoints,
    endpointServices,
    iamRoles,
    iamPolicies,
    pipelines,
    buildProjects,
  });
  return { snapshot, organization: { id: orgId, managementAccount: accounts[0] as string, accounts: [...accounts].sort() } };
}
