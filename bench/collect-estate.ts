// A large, deterministic estate for the collection benchmark (bench/collect.ts), and the least
// number of AWS calls any collector needs to read it.
//
// buildEstate(seed) gives a schema-valid Snapshot of 20 accounts x 4 regions:
//
//   vpcEndpoints      2,000 per account-region (160,000): interface endpoints to AWS services and
//                     to the estate's own endpoint services, gateway and GWLB endpoints; a third
//                     with a policy.
//   endpointServices  100 in all, placed at random over the account-regions (some hold none,
//                     some several); a handful of principals each, and four with more than 1,000
//                     so that DescribeVpcEndpointServicePermissions needs several pages; endpoint
//                     connections and notifications.
//   connections       250 in all, skewed: one "platform" account owns 120 of them, as in estates
//                     where one tooling account holds the organization's CodeConnections. Its
//                     ListTagsForResource calls alone exceed a 100-request burst, so the bucket
//                     has to be drained at the refill rate.
//   hosts             6, in the platform account and two others.
//   iamRoles          5,000 in all, skewed too: the platform account has 1,300 (two pages of
//                     GetAccountAuthorizationDetails), the others share the rest.
//
// Everything comes from a seeded PRNG (mulberry32) and running counters: the same seed gives the
// same estate. It is built from src/ (not dist/) because tsx runs this file directly.

import { emptySnapshot } from '../src/model/empty.ts';
import { endpointServiceArn, vpcEndpointArn } from '../src/model/arn.ts';
import { validateSnapshot } from '../src/model/load.ts';
import type { Connection, EndpointService, Host, IamRole, PolicyDocument, Snapshot, VpcEndpoint } from '../src/model/types.ts';
import { prng } from './synthetic.mjs';

export const ESTATE_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
export const ACCOUNT_COUNT = 20;
export const ENDPOINTS_PER_CELL = 2000;
export const ENDPOINT_SERVICES = 100;
export const CONNECTIONS = 250;
/** Connections owned by the platform account (accounts[PLATFORM]). */
export const PLATFORM_CONNECTIONS = 120;
export const HOSTS = 6;
export const ROLES = 5000;
export const PLATFORM_ROLES = 1300;
/** The account holding most connections, roles and the hosts: not the caller, not the first. */
export const PLATFORM = 7;
/** Endpoint services with more than 1,000 allowed principals (several permission pages). */
const BIG_PERMISSIONS = [1001, 1800, 2600, 3400];
const GENERATED_AT = '2026-01-15T00:00:00Z';


const AWS_SERVICES = [
  'codestar-connections.api', 'codeconnections.api', 'sts', 'ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'kms', 'ssm', 'ssmmessages',
  'ec2messages', 'monitoring', 'sqs', 'sns', 'execute-api', 'codebuild', 'codepipeline', 'git-codecommit', 'codeartifact.api', 'codeartifact.repositories',
  'elasticloadbalancing', 'autoscaling', 'ecs', 'ecs-agent', 'ecs-telemetry', 'lambda', 'states', 'events', 'kinesis-streams', 'athena',
  'glue', 'sagemaker.api', 'rds', 'elasticfilesystem', 'ebs', 'ec2', 'cloudformation', 'xray', 'servicecatalog', 'appconfig',
];

/**
 * `endpointsPerCell` shrinks (or grows) the VPC endpoints alone, e.g. to take the collector's CPU
 * time out of a measurement of its scheduling; everything else stays as described above.
 */
export function buildEstate(seed = 1, options: { endpointsPerCell?: number } = {}): Snapshot {
  const perCell = options.endpointsPerCell ?? ENDPOINTS_PER_CELL;
  const rand = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const chance = (p: number): boolean => rand() < p;
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  let counter = 0;
  // Unique by construction: a random head and a running counter (17 hex digits, like AWS ids).
  const uid = (): string => `${hex(7)}${(counter++).toString(16).padStart(10, '0')}`;
  const uuid = (): string => {
    const h = `${hex(20)}${(counter++).toString(16).padStart(12, '0')}`;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const ts = (): string => new Date(Date.parse(GENERATED_AT) - int(1, 1500) * 86_400_000 - int(0, 86_399) * 1000).toISOString().replace('.000Z', 'Z');

  const accounts: string[] = [];
  while (accounts.length < ACCOUNT_COUNT) {
    const id = String(100000000000 + Math.floor(rand() * 899999999999));
    if (!accounts.includes(id)) accounts.push(id);
  }
  const platform = accounts[PLATFORM] as string;
  const cells = accounts.flatMap((account) => ESTATE_REGIONS.map((region) => ({ account, region })));
  const orgId = `o-${hex(10)}`;
  const tags = (n: number): Record<string, string> => Object.fromEntries(['team', 'env', 'cost-center', 'owner', 'app'].slice(0, n).map((k) => [k, `${k}-${int(1, 40)}`]));

  // --- endpoint services first: consumer endpoints in the same region may point at them ------------
  const endpointServices: EndpointService[] = [];
  for (let i = 0; i < ENDPOINT_SERVICES; i++) {
    const { account, region } = pick(cells);
    const id = `vpce-svc-${uid()}`;
    const gwlb = chance(0.1);
    const size = BIG_PERMISSIONS[i] ?? int(0, 12);
    const principals = Array.from({ length: size }, (_, n) => {
      // Counter-suffixed 12-digit ids: distinct within the service whatever the size.
      const other = String(200000000000 + n * 7919 + i).padStart(12, '0');
      return chance(0.8)
        ? { principal: `arn:aws:iam::${other}:root`, principalType: 'Account', servicePermissionId: `sp-${uid()}` }
        : { principal: `arn:aws:iam::${other}:role/consumer-${n}`, principalType: 'Role', servicePermissionId: `sp-${uid()}` };
    });
    endpointServices.push({
      arn: endpointServiceArn('aws', region, account, id),
      account,
      region,
      tags: tags(int(0, 4)),
      id,
      serviceName: `com.amazonaws.vpce.${region}.${id}`,
      serviceType: gwlb ? 'GatewayLoadBalancer' : 'Interface',
      state: chance(0.95) ? 'Available' : 'Pending',
      acceptanceRequired: chance(0.7),
      managesVpcEndpoints: false,
      availabilityZones: ['a', 'b', 'c'].slice(0, int(1, 3)).map((z) => `${region}${z}`),
      ...(!gwlb && chance(0.4)
        ? { privateDns: { name: `svc-${i}.privatelink.example-corp.com`, verificationState: chance(0.8) ? 'verified' : 'pendingVerification', verificationType: 'TXT', verificationName: `_${hex(10)}`, verificationValue: `vpce:${hex(20)}` } }
        : {}),
      ...(gwlb
        ? { gatewayLoadBalancerArns: [`arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/gwy/gwlb-${i}/${hex(16)}`] }
        : { networkLoadBalancerArns: [`arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/nlb-${i}/${hex(16)}`] }),
      allowedPrincipals: principals,
      endpointConnections: Array.from({ length: int(0, 25) }, () => ({
        vpcEndpointId: `vpce-${uid()}`,
        vpcEndpointOwner: chance(0.8) ? pick(accounts) : String(300000000000 + int(0, 99999)),
        state: pick(['available', 'available', 'available', 'pendingAcceptance', 'rejected']),
        creationTimestamp: ts(),
      })),
      connectionNotifications: chance(0.5)
        ? [{ id: `vpce-nfn-${uid()}`, topicArn: `arn:aws:sns:${region}:${account}:privatelink-events`, events: (['Connect', 'Accept', 'Reject', 'Delete'] as const).filter(() => chance(0.7)), state: chance(0.9) ? 'Enabled' : 'Disabled' }]
        : [],
    });
  }

  // --- VPC endpoints ----------------------------------------------------------------------------
  const fullAccess: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
  const orgOnly: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'OrgOnly', Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } } }] };
  const vpcEndpoints: VpcEndpoint[] = [];
  for (const { account, region } of cells) {
    const vpcs = Array.from({ length: 40 }, () => `vpc-${uid()}`);
    const providers = endpointServices.filter((s) => s.region === region && s.serviceType === 'Interface');
    for (let i = 0; i < perCell; i++) {
      const id = `vpce-${uid()}`;
      const roll = rand();
      let endpointType: string;
      let serviceName: string;
      if (roll < 0.12) {
        endpointType = 'Gateway';
        serviceName = `com.amazonaws.${region}.${chance(0.7) ? 's3' : 'dynamodb'}`;
      } else if (roll < 0.14) {
        endpointType = 'GatewayLoadBalancer';
        serviceName = `com.amazonaws.vpce.${region}.vpce-svc-${hex(17)}`;
      } else if (roll < 0.22 && providers.length > 0) {
        endpointType = 'Interface';
        serviceName = pick(providers).serviceName;
      } else {
        endpointType = 'Interface';
        serviceName = `com.amazonaws.${region}.${pick(AWS_SERVICES)}`;
      }
      const iface = endpointType === 'Interface';
      const policy = endpointType !== 'GatewayLoadBalancer' && chance(0.35) ? (chance(0.5) ? fullAccess : orgOnly) : undefined;
      vpcEndpoints.push({
        arn: vpcEndpointArn('aws', region, account, id),
        account,
        region,
        tags: tags(int(0, 3)),
        id,
        vpcId: pick(vpcs),
        serviceName,
        endpointType,
        state: chance(0.95) ? 'available' : pick(['pendingAcceptance', 'pending', 'rejected', 'failed']),
        privateDnsEnabled: iface && chance(0.7),
        requesterManaged: chance(0.03),
        ...(policy ? { policy } : {}),
        // A property of the service name (as DescribeVpcEndpointServices reports it), so every
        // endpoint to one service agrees; only interface endpoints are asked about.
        ...(iface ? { policySupported: !serviceName.includes('vpce-svc-') && !serviceName.endsWith('.ebs') } : {}),
        subnetIds: iface ? Array.from({ length: int(1, 3) }, () => `subnet-${uid()}`) : [],
        securityGroupIds: iface ? [`sg-${uid()}`] : [],
        creationTimestamp: ts(),
      });
    }
  }

  // --- hosts and connections --------------------------------------------------------------------
  const hosts: Host[] = [];
  const hostAccounts = [platform, platform, platform, platform, accounts[3] as string, accounts[12] as string];
  for (let i = 0; i < HOSTS; i++) {
    const account = hostAccounts[i] as string;
    const region = ESTATE_REGIONS[i % ESTATE_REGIONS.length] as string;
    const name = `${i % 2 === 0 ? 'ghes' : 'gitlab'}-${i}`;
    hosts.push({
      arn: `arn:aws:codestar-connections:${region}:${account}:host/${name}-${hex(8)}`,
      account,
      region,
      tags: tags(int(1, 4)),
      name,
      providerType: i % 2 === 0 ? 'GitHubEnterpriseServer' : 'GitLabSelfManaged',
      providerEndpoint: `https://${name}.internal.example-corp.com`,
      status: 'AVAILABLE',
      ...(i < 4 ? { vpcConfiguration: { vpcId: `vpc-${uid()}`, subnetIds: [`subnet-${uid()}`, `subnet-${uid()}`], securityGroupIds: [`sg-${uid()}`] } } : {}),
    });
  }
  const connections: Connection[] = [];
  const others = accounts.filter((a) => a !== platform);
  for (let i = 0; i < CONNECTIONS; i++) {
    // The platform account's share first, the rest round-robin over the other accounts.
    const account = i < PLATFORM_CONNECTIONS ? platform : (others[(i - PLATFORM_CONNECTIONS) % others.length] as string);
    const region = pick(ESTATE_REGIONS);
    const onHost = hosts.filter((h) => h.account === account && h.region === region);
    const host = onHost.length > 0 && chance(0.5) ? pick(onHost) : undefined;
    const prefix = chance(0.7) ? 'codestar-connections' : 'codeconnections';
    connections.push({
      arn: `arn:aws:${prefix}:${region}:${account}:connection/${uuid()}`,
      account,
      region,
      tags: tags(int(0, 5)),
      name: `conn-${i}`,
      providerType: host ? host.providerType : pick(['GitHub', 'GitLab', 'Bitbucket', 'AzureDevOps']),
      ownerAccountId: account,
      status: pick(['AVAILABLE', 'AVAILABLE', 'AVAILABLE', 'PENDING', 'ERROR']),
      ...(host ? { hostArn: host.arn } : {}),
    });
  }

  // --- IAM roles ----------------------------------------------------------------------------------
  const iamRoles: IamRole[] = [];
  const perOther = Math.floor((ROLES - PLATFORM_ROLES) / others.length);
  for (const account of accounts) {
    const count = account === platform ? PLATFORM_ROLES : perOther + (account === others[0] ? ROLES - PLATFORM_ROLES - perOther * others.length : 0);
    for (let i = 0; i < count; i++) {
      const path = chance(0.3) ? '/service-role/' : '/';
      const name = `role-${i}-${hex(6)}`;
      iamRoles.push({
        arn: `arn:aws:iam::${account}:role${path}${name}`,
        account,
        region: 'global',
        tags: tags(int(0, 2)),
        name,
        path,
        id: `AROA${uid().toUpperCase()}`,
        assumeRolePolicy: {
          Version: '2012-10-17',
          Statement: [chance(0.7) ? { Effect: 'Allow', Principal: { Service: pick(['codebuild.amazonaws.com', 'codepipeline.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']) }, Action: 'sts:AssumeRole' } : { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${pick(accounts)}:root` }, Action: 'sts:AssumeRole' }],
        },
        inlinePolicies: [
          {
            name: 'use-connection',
            document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: `arn:aws:codestar-connections:*:${account}:connection/*` }] },
          },
        ],
        attachedPolicies: chance(0.3) ? ['arn:aws:iam::aws:policy/ReadOnlyAccess'] : [],
      });
    }
  }

  const estate = emptySnapshot({
    generatedAt: GENERATED_AT,
    source: { kind: 'file', tool: 'linkaudit bench/collect-estate.ts', description: `collection benchmark estate, seed ${seed}, ${perCell} VPC endpoints per account-region` },
    scope: { partition: 'aws', accounts, regions: [...ESTATE_REGIONS] },
    connections,
    hosts,
    vpcEndpoints,
    endpointServices,
    iamRoles,
  });
  return validateSnapshot(estate, `bench estate (seed ${seed})`);
}

/** Resources by kind, and the nested items the collectors read with their own calls. */
export function estateCounts(s: Snapshot): Record<string, number> {
  return {
    accounts: s.scope.accounts.length,
    regions: s.scope.regions.length,
    vpcEndpoints: s.vpcEndpoints.length,
    endpointServices: s.endpointServices.length,
    allowedPrincipals: s.endpointServices.reduce((n, x) => n + x.allowedPrincipals.length, 0),
    endpointConnections: s.endpointServices.reduce((n, x) => n + x.endpointConnections.length, 0),
    connectionNotifications: s.endpointServices.reduce((n, x) => n + x.connectionNotifications.length, 0),
    connections: s.connections.length,
    hosts: s.hosts.length,
    iamUsers: s.iamUsers.length,
    iamGroups: s.iamGroups.length,
    iamRoles: s.iamRoles.length,
    iamPolicies: s.iamPolicies.length,
  };
}

/** Page ceilings the collectors ask for (src/collectors/*.ts), and EC2's filter-value limit. */
export const PAGE = {
  ec2: 1000,
  ec2FilterValues: 200,
  codeconnections: 100,
  iam: 1000,
  codepipeline: 1000,
  // ListProjects takes no page size: AWS's own page is 100 names.
  codebuildProjects: 100,
  codebuildBatch: 100,
} as const;

export interface MinimalCalls {
  /** Least calls per `service:Operation` (service as SigV4 names it, like the fake's counters). */
  byOperation: Record<string, number>;
  /** The same calls by the token bucket they draw on (`account|region`, 'global' for IAM/STS). */
  byBucket: Record<string, number>;
  /** The same calls by bucket and service (`account|region|service`, CodeConnections under one name), for limits set per service. */
  byServiceBucket: Record<string, number>;
  /** Longest chain of calls that must follow one another (each needs the one before). */
  chain: number;
}

/**
 * The fewest calls that read the estate, with the collectors' page sizes: every listing needs
 * ceil(items / page) pages, and at least one to learn that it is empty; ListTagsForResource is one
 * call per connection and host (it cannot be batched); the per-service permission listing is one
 * listing per endpoint service. Calls that only make sense when there is something to ask about
 * (service-name lookups with no interface endpoints; connections and notifications of a region
 * with no endpoint service) are not counted, as an ideal collector skips them.
 *
 * `caller` signs GetCallerIdentity and every AssumeRole (one per account, the caller's own
 * included, since the role is assumed in every account); `home` is the region connections are
 * listed from (they are global: one listing per account).
 */
export function minimalCalls(s: Snapshot, caller: string, home: string): MinimalCalls {
  const byOperation: Record<string, number> = {};
  const byBucket: Record<string, number> = {};
  const byServiceBucket: Record<string, number> = {};
  const add = (op: string, bucket: string, n: number): void => {
    if (n <= 0) return;
    byOperation[op] = (byOperation[op] ?? 0) + n;
    byBucket[bucket] = (byBucket[bucket] ?? 0) + n;
    const service = (op.split(':')[0] ?? '').replace('codestar-connections', 'codeconnections');
    byServiceBucket[`${bucket}|${service}`] = (byServiceBucket[`${bucket}|${service}`] ?? 0) + n;
  };
  const pages = (items: number, size: number): number => Math.max(1, Math.ceil(items / size));
  const group = <T extends { account: string; region: string }>(items: readonly T[], byRegion: boolean): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const x of items) {
      const k = byRegion ? `${x.account}|${x.region}` : x.account;
      const list = m.get(k);
      if (list) list.push(x);
      else m.set(k, [x]);
    }
    return m;
  };
  const endpointsBy = group(s.vpcEndpoints, true);
  const servicesBy = group(s.endpointServices, true);
  const hostsBy = group(s.hosts, true);
  const pipelinesBy = group(s.pipelines, true);
  const projectsBy = group(s.buildProjects, true);
  const connectionsBy = group(s.connections, false);
  const iamBy = group([...s.iamUsers, ...s.iamGroups, ...s.iamRoles, ...s.iamPolicies], false);

  add('sts:GetCallerIdentity', `${caller}|global`, 1);
  add('sts:AssumeRole', `${caller}|global`, s.scope.accounts.length);
  let longest = 0;
  for (const account of s.scope.accounts) {
    const connections = connectionsBy.get(account)?.length ?? 0;
    const connectionPages = pages(connections, PAGE.codeconnections);
    add('codestar-connections:ListConnections', `${account}|${home}`, connectionPages);
    add('codestar-connections:ListTagsForResource', `${account}|${home}`, connections);
    const iamPages = pages(iamBy.get(account)?.length ?? 0, PAGE.iam);
    add('iam:GetAccountAuthorizationDetails', `${account}|global`, iamPages);
    // Within an account, after its role is assumed, these chains can all run side by side.
    const chains = [connectionPages + (connections > 0 ? 1 : 0), iamPages];
    for (const region of s.scope.regions) {
      const cell = `${account}|${region}`;
      const endpoints = endpointsBy.get(cell) ?? [];
      const services = servicesBy.get(cell) ?? [];
      const hosts = hostsBy.get(cell)?.length ?? 0;
      const endpointPages = pages(endpoints.length, PAGE.ec2);
      add('ec2:DescribeVpcEndpoints', cell, endpointPages);
      const names = new Set(endpoints.filter((e) => e.endpointType.toLowerCase() === 'interface').map((e) => e.serviceName)).size;
      // Each chunk of 200 names answers at most 200 services: one page of 1,000.
      const nameCalls = Math.ceil(names / PAGE.ec2FilterValues);
      add('ec2:DescribeVpcEndpointServices', cell, nameCalls);
      const servicePages = pages(services.length, PAGE.ec2);
      add('ec2:DescribeVpcEndpointServiceConfigurations', cell, servicePages);
      const permissionPages = services.map((x) => pages(x.allowedPrincipals.length, PAGE.ec2));
      add('ec2:DescribeVpcEndpointServicePermissions', cell, permissionPages.reduce((a, b) => a + b, 0));
      const connectionsOf = services.length > 0 ? pages(services.reduce((n, x) => n + x.endpointConnections.length, 0), PAGE.ec2) : 0;
      add('ec2:DescribeVpcEndpointConnections', cell, connectionsOf);
      // Sent without MaxResults (the collector leaves that one to the server's default page).
      const notificationsOf = services.length > 0 ? pages(services.reduce((n, x) => n + x.connectionNotifications.length, 0), PAGE.ec2) : 0;
      add('ec2:DescribeVpcEndpointConnectionNotifications', cell, notificationsOf);
      const hostPages = pages(hosts, PAGE.codeconnections);
      add('codestar-connections:ListHosts', cell, hostPages);
      add('codestar-connections:ListTagsForResource', cell, hosts);
      const pipelines = pipelinesBy.get(cell)?.length ?? 0;
      const pipelinePages = pages(pipelines, PAGE.codepipeline);
      add('codepipeline:ListPipelines', cell, pipelinePages);
      add('codepipeline:GetPipeline', cell, pipelines);
      const projects = projectsBy.get(cell)?.length ?? 0;
      const projectPages = pages(projects, PAGE.codebuildProjects);
      add('codebuild:ListProjects', cell, projectPages);
      add('codebuild:BatchGetProjects', cell, Math.ceil(projects / PAGE.codebuildBatch));
      add('codebuild:ListSourceCredentials', cell, 1);
      chains.push(
        pipelinePages + (pipelines > 0 ? 1 : 0),
        projectPages + (projects > 0 ? 1 : 0),
        endpointPages + (nameCalls > 0 ? 1 : 0),
        servicePages + Math.max(0, ...permissionPages),
        connectionsOf,
        notificationsOf,
        hostPages + (hosts > 0 ? 1 : 0),
      );
    }
    longest = Math.max(longest, ...chains);
  }
  // GetCallerIdentity, then AssumeRole, then the account's longest chain.
  return { byOperation, byBucket, byServiceBucket, chain: 2 + longest };
}

/**
 * The requests for the estate's large pages, as the collectors send them (their page sizes, the
 * fake's index tokens): every DescribeVpcEndpoints page and every GetAccountAuthorizationDetails
 * page. The benchmark has the fake render these before the clock starts (FakeAws.renderAhead).
 */
export function largePageRequests(s: Snapshot, home: string): Array<{ account: string; region: string; service: string; operation: string; params: Record<string, string> }> {
  const out: ReturnType<typeof largePageRequests> = [];
  const count = (items: ReadonlyArray<{ account: string; region: string }>, key: (x: { account: string; region: string }) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return m;
  };
  const endpoints = count(s.vpcEndpoints, (x) => `${x.account}|${x.region}`);
  const iam = count([...s.iamUsers, ...s.iamGroups, ...s.iamRoles, ...s.iamPolicies], (x) => x.account);
  const tokens = (items: number, size: number): Array<string | undefined> => Array.from({ length: Math.max(1, Math.ceil(items / size)) }, (_, i) => (i === 0 ? undefined : String(i * size)));
  for (const account of s.scope.accounts) {
    for (const region of s.scope.regions) {
      for (const token of tokens(endpoints.get(`${account}|${region}`) ?? 0, PAGE.ec2)) {
        out.push({ account, region, service: 'ec2', operation: 'DescribeVpcEndpoints', params: { MaxResults: String(PAGE.ec2), ...(token ? { NextToken: token } : {}) } });
      }
    }
    for (const token of tokens(iam.get(account) ?? 0, PAGE.iam)) {
      out.push({ account, region: home, service: 'iam', operation: 'GetAccountAuthorizationDetails', params: { MaxItems: String(PAGE.iam), ...(token ? { Marker: token } : {}) } });
    }
  }
  return out;
}
