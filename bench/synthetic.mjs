// Deterministic synthetic snapshot for the benchmark (bench/bench.mjs).
//
// syntheticSnapshot({ accounts, regions, resources, seed }) builds a schema-valid snapshot
// (schemas/snapshot.schema.json) with at least `resources` resources spread evenly over
// `accounts` x `regions` cells. The mix is meant to look like a real estate that uses
// CodeConnections and PrivateLink, with enough bad, good and unreadable resources that every
// built-in rule gives fail, pass and unknown results:
//
//   vpcEndpoints      ~60%  interface endpoints to AWS services (codestar-connections.api,
//                           codeconnections.api, sts, ecr, logs, ...), gateway endpoints (s3,
//                           dynamodb), endpoints to other accounts' endpoint services, GWLB
//                           endpoints, and the requester-managed codestar-connections.webhooks
//                           endpoint in the VPC of most hosts; policies absent / full access /
//                           restrictive.
//   endpointServices  ~20%  varied allowed principals (incl. `*` and untrusted accounts),
//                           acceptance on/off, private DNS states, notifications, endpoint
//                           connections (pending/available, with and without creation times),
//                           zero to three AZs.
//   connections       ~16%  GitHub, GitLab, Bitbucket, self-managed (on a host); AVAILABLE,
//                           PENDING, ERROR.
//   hosts              ~4%  GitHub Enterprise Server / GitLab self-managed, mostly in a VPC.
//
// Coverage: a few whole listings are missing (one cell each for VPC endpoints, connections +
// hosts, endpoint services), two cells have a field unreadable for every endpoint service, and in
// about one cell in 17 ~3% of the resources have one field unreadable (each distinct
// account/region/operation/field with its coverage entry).
//
// Everything comes from a seeded PRNG (mulberry32): same arguments, same snapshot. Ids are hex
// and every ARN is unique (ids embed a running counter).

import { emptySnapshot } from '../dist/model/empty.js';

export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
export const GENERATED_AT = '2026-01-15T00:00:00Z';
const GENERATED_MS = Date.parse(GENERATED_AT);
const DAY_MS = 86_400_000;

/** mulberry32: small, fast, good enough for test data; never Math.random. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticSnapshot({ accounts = 50, regions = 4, resources = 100_000, seed = 1, pipelines = 0, buildProjects = 0, pipelineConnections = 0 } = {}) {
  if (regions > REGIONS.length) throw new Error(`at most ${REGIONS.length} regions`);
  const rand = prng(seed);
  const chance = (p) => rand() < p;
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const pick = (list) => list[Math.floor(rand() * list.length)];
  /** Weighted pick: [[weight, value], ...]. */
  const weighted = (pairs) => {
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = rand() * total;
    for (const [w, v] of pairs) {
      if ((r -= w) < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  };
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  let counter = 0;
  /** 17 hex digits, unique: 7 random then a 10-digit running counter. */
  const uid = () => `${hex(7)}${(counter++).toString(16).padStart(10, '0')}`;
  const uuid = () => {
    const h = `${hex(20)}${(counter++).toString(16).padStart(12, '0')}`;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const isoDaysAgo = (days) => new Date(GENERATED_MS - Math.round(days * DAY_MS)).toISOString().replace('.000Z', 'Z');

  // Accounts: unique 12-digit ids. The first 10 are the ones bench.mjs trusts.
  const accountIds = [];
  const seen = new Set();
  while (accountIds.length < accounts) {
    const id = String(100000000000 + Math.floor(rand() * 899999999999));
    if (!seen.has(id)) {
      seen.add(id);
      accountIds.push(id);
    }
  }
  const regionNames = REGIONS.slice(0, regions);
  // Outside the estate entirely: vendors, partners, a typo.
  const externalAccounts = ['999988887777', '444455556666', '210987654321', '123456789013', '777766665555'];
  const orgId = `o-${hex(10)}`;

  const snapshot = emptySnapshot({
    generatedAt: GENERATED_AT,
    source: { kind: 'file', tool: 'linkaudit bench/synthetic.mjs', description: `synthetic estate: ${accounts} accounts x ${regions} regions, seed ${seed}` },
    scope: { partition: 'aws', accounts: accountIds, regions: regionNames },
    organizations: [{ id: orgId, managementAccount: accountIds[0], accounts: [...accountIds] }],
  });

  // --- coverage gaps -----------------------------------------------------------------------
  const cellOf = (a, r) => `${accountIds[a % accounts]}|${regionNames[r % regions]}`;
  const missing = new Map(); // cell -> Set(kind)
  const addListingGap = (a, r, service, operation, errorCode, message, kinds) => {
    const [account, region] = cellOf(a, r).split('|');
    snapshot.coverage.push({ account, region, service, operation, errorCode, message, resourceKinds: kinds });
    const set = missing.get(`${account}|${region}`) ?? new Set();
    for (const k of kinds) set.add(k);
    missing.set(`${account}|${region}`, set);
  };
  if (accounts * regions >= 4) {
    addListingGap(7, 3, 'ec2', 'DescribeVpcEndpoints', 'UnauthorizedOperation', 'You are not authorized to perform this operation.', ['vpcEndpoint']);
    addListingGap(23, 2, 'codeconnections', 'ListConnections', 'AccessDeniedException', 'User is not authorized to perform: codeconnections:ListConnections', ['connection']);
    addListingGap(23, 2, 'codeconnections', 'ListHosts', 'AccessDeniedException', 'User is not authorized to perform: codeconnections:ListHosts', ['host']);
    addListingGap(41, 1, 'ec2', 'DescribeVpcEndpointServiceConfigurations', 'RequestLimitExceeded', 'Request limit exceeded.', ['endpointService']);
  }
  // Field-level gaps: (cell -> {kind, field, operation, errorCode}) for every resource of the kind.
  const fieldGapCells = new Map();
  if (accounts * regions >= 4) {
    fieldGapCells.set(cellOf(12, 0), { kind: 'endpointService', field: 'allowedPrincipals', service: 'ec2', operation: 'DescribeVpcEndpointServicePermissions', errorCode: 'UnauthorizedOperation' });
    fieldGapCells.set(cellOf(30, 2), { kind: 'endpointService', field: 'connectionNotifications', service: 'ec2', operation: 'DescribeVpcEndpointConnectionNotifications', errorCode: 'UnauthorizedOperation' });
  }
  const fieldGaps = new Map(); // dedupe key -> coverage entry
  const markUnreadable = (resource, kind, service, field, operation, errorCode, message) => {
    (resource.unreadable ??= []).push(message ? { field, operation, errorCode, message } : { field, operation, errorCode });
    const key = `${resource.account}|${resource.region}|${operation}|${field}|${errorCode}`;
    const gap = fieldGaps.get(key);
    if (gap) {
      if (!gap.resourceKinds.includes(kind)) gap.resourceKinds.push(kind);
    } else {
      fieldGaps.set(key, { account: resource.account, region: resource.region, service, operation, errorCode, message: message ?? `${operation} failed: ${errorCode}`, resourceKinds: [kind], field });
    }
  };
  // Flaky cells: about one cell in 17 has ~3% of its resources with one field unreadable
  // (collection failures cluster by account and region, like a missing permission or throttling).
  const SPRINKLE_RATE = 0.03;

  // --- catalogues --------------------------------------------------------------------------
  const AWS_SERVICES = [
    [14, 'codestar-connections.api'],
    [5, 'codeconnections.api'],
    [8, 'sts'],
    [8, 'ecr.api'],
    [8, 'ecr.dkr'],
    [8, 'logs'],
    [6, 'secretsmanager'],
    [6, 'kms'],
    [6, 'ssm'],
    [4, 'ssmmessages'],
    [4, 'ec2messages'],
    [4, 'monitoring'],
    [3, 'sqs'],
    [3, 'sns'],
    [3, 'execute-api'],
    [3, 'codebuild'],
    [3, 'codepipeline'],
    [2, 'git-codecommit'],
    [2, 'codeartifact.api'],
  ];
  const ENDPOINT_STATES = [[90, 'available'], [3, 'pendingAcceptance'], [2, 'pending'], [2, 'deleted'], [1, 'deleting'], [1, 'failed'], [1, 'rejected']];
  const orgCondition = () => ({ StringEquals: { 'aws:PrincipalOrgID': orgId } });
  const fullAccessPolicy = () =>
    weighted([
      [4, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }],
      [2, { Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' } }],
      [2, { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['*'], Resource: ['*'] }] }],
      [1, { Version: '2012-10-17', Statement: [{ Sid: 'AllowAll', Effect: 'Allow', Principal: '*', Action: '*' }, { Sid: 'DenyDelete', Effect: 'Deny', Principal: '*', Action: 'codeconnections:DeleteConnection', Resource: '*' }] }],
    ]);
  const restrictivePolicy = (account, region, service) =>
    weighted([
      [5, { Version: '2012-10-17', Statement: [{ Sid: 'OrgOnly', Effect: 'Allow', Principal: '*', Action: service.includes('connections') ? ['codestar-connections:UseConnection', 'codeconnections:UseConnection'] : '*', Resource: '*', Condition: orgCondition() }] }],
      [2, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: '*', Resource: '*' }] }],
      [2, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: `arn:aws:codeconnections:${region}:${account}:connection/*` }] }],
      [1, { Version: '2012-10-17', Statement: [
        { Sid: 'OrgRead', Effect: 'Allow', Principal: '*', Action: ['logs:PutLogEvents', 'logs:CreateLogStream'], Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId, 'aws:ResourceOrgID': orgId } } },
        { Sid: 'NoOutside', Effect: 'Deny', Principal: '*', NotAction: 'logs:*', Resource: '*' },
      ] }],
    ]);

  // --- per cell ----------------------------------------------------------------------------
  const cells = accounts * regions;
  const perCell = Math.floor(resources / cells);
  let extra = resources - perCell * cells;
  for (let a = 0; a < accounts; a++) {
    const account = accountIds[a];
    for (let r = 0; r < regions; r++) {
      const region = regionNames[r];
      const cell = `${account}|${region}`;
      const gone = missing.get(cell) ?? new Set();
      const fieldGap = fieldGapCells.get(cell);
      const SPRINKLE = (a * regions + r) % 17 === 5 ? SPRINKLE_RATE : 0;
      let budget = perCell + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      const azs = ['a', 'b', 'c'].map((z) => `${region}${z}`);
      const vpcs = Array.from({ length: Math.max(2, Math.round(budget / 25)) }, () => `vpc-${uid()}`);
      const subnet = () => `subnet-${uid()}`;
      const sg = () => `sg-${uid()}`;

      // Budget split; listings that are missing give their share to the kinds still read.
      const want = { host: Math.round(budget * 0.04), connection: Math.round(budget * 0.16), endpointService: Math.round(budget * 0.2) };
      want.vpcEndpoint = budget - want.host - want.connection - want.endpointService;
      for (const kind of gone) {
        const share = want[kind];
        want[kind] = 0;
        const heir = kind === 'vpcEndpoint' ? 'endpointService' : 'vpcEndpoint';
        want[heir] += share;
      }

      // Hosts (and the webhooks endpoint AWS creates in the host's VPC).
      const cellHosts = [];
      const webhookEndpoints = [];
      for (let i = 0; i < want.host; i++) {
        const providerType = chance(0.55) ? 'GitHubEnterpriseServer' : 'GitLabSelfManaged';
        const name = `${providerType === 'GitHubEnterpriseServer' ? 'ghes' : 'gitlab'}-${hex(4)}-${i}`;
        const domain = `${providerType === 'GitHubEnterpriseServer' ? 'github' : 'gitlab'}-${hex(4)}.internal.example.com`;
        const scheme = weighted([[92, 'https://'], [2, 'HTTPS://'], [4, 'http://'], [2, '']]);
        const status = weighted([[84, 'AVAILABLE'], [2, 'Available'], [7, 'PENDING'], [3, 'VPC_CONFIG_INITIALIZING'], [3, 'VPC_CONFIG_FAILED_INITIALIZATION'], [1, 'VPC_CONFIG_DELETING']]);
        const host = {
          arn: `arn:aws:${chance(0.7) ? 'codestar-connections' : 'codeconnections'}:${region}:${account}:host/${name}-${hex(8)}${(counter++).toString(16)}`,
          account,
          region,
          tags: chance(0.5) ? { team: pick(['platform', 'devex', 'security']), env: pick(['prod', 'staging']) } : {},
          name,
          providerType,
          providerEndpoint: `${scheme}${domain}`,
          status,
        };
        if (status === 'VPC_CONFIG_FAILED_INITIALIZATION') host.statusMessage = pick(['subnet has no route to the provider', 'security group blocks 443 to the provider', 'TLS certificate does not match the provider endpoint']);
        if (chance(0.7)) {
          const vpcId = pick(vpcs);
          host.vpcConfiguration = { vpcId, subnetIds: [subnet(), subnet()].slice(0, int(1, 2)), securityGroupIds: [sg()] };
          if (chance(0.3)) host.vpcConfiguration.tlsCertificate = '-----BEGIN CERTIFICATE-----\nMIIB...synthetic...\n-----END CERTIFICATE-----';
          // 80% have a live webhooks endpoint, 5% a deleted one, 15% none (host predates 2020-11-24).
          const hook = weighted([[70, 'codestar-connections'], [10, 'codeconnections'], [5, 'deleted'], [15, 'none']]);
          if (hook !== 'none' && !gone.has('vpcEndpoint')) {
            const id = `vpce-${uid()}`;
            webhookEndpoints.push({
              arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${id}`,
              account,
              region,
              tags: {},
              id,
              vpcId,
              serviceName: `com.amazonaws.${region}.${hook === 'codeconnections' ? 'codeconnections' : 'codestar-connections'}.webhooks`,
              endpointType: 'Interface',
              state: hook === 'deleted' ? 'deleted' : 'available',
              privateDnsEnabled: false,
              requesterManaged: true,
              subnetIds: [...host.vpcConfiguration.subnetIds],
              securityGroupIds: [...host.vpcConfiguration.securityGroupIds],
              creationTimestamp: isoDaysAgo(int(30, 1500)),
            });
          }
        }
        if (chance(SPRINKLE * 2)) {
          const field = pick(['status', 'providerEndpoint', 'vpcConfiguration']);
          if (field === 'vpcConfiguration') delete host.vpcConfiguration;
          markUnreadable(host, 'host', 'codeconnections', field, 'ListHosts', 'InvalidResponse', `${field} missing from the ListHosts response`);
        }
        cellHosts.push(host);
        snapshot.hosts.push(host);
      }

      // Connections.
      for (let i = 0; i < want.connection; i++) {
        const onHost = cellHosts.length > 0 && chance(0.15);
        const host = onHost ? pick(cellHosts) : undefined;
        const providerType = host ? host.providerType : weighted([[55, 'GitHub'], [20, 'GitLab'], [15, 'Bitbucket'], [5, 'AzureDevOps']]);
        const status = weighted([[84, 'AVAILABLE'], [2, 'Available'], [8, 'PENDING'], [1, 'Pending'], [5, 'ERROR']]);
        const conn = {
          arn: `arn:aws:${chance(0.6) ? 'codestar-connections' : 'codeconnections'}:${region}:${account}:connection/${uuid()}`,
          account,
          region,
          tags: chance(0.3) ? { owner: pick(['platform', 'app-team', 'data']) } : {},
          name: `${providerType.toLowerCase()}-${pick(['org', 'monorepo', 'infra', 'apps', 'mirror'])}-${i}`,
          providerType,
          ownerAccountId: account,
          status,
        };
        if (host) conn.hostArn = host.arn;
        if (chance(SPRINKLE)) markUnreadable(conn, 'connection', 'codeconnections', 'status', 'ListConnections', 'InvalidResponse');
        snapshot.connections.push(conn);
      }

      // Endpoint services.
      for (let i = 0; i < want.endpointService; i++) {
        const id = `vpce-svc-${uid()}`;
        const serviceType = chance(0.9) ? 'Interface' : 'GatewayLoadBalancer';
        const svc = {
          arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint-service/${id}`,
          account,
          region,
          tags: chance(0.4) ? { service: pick(['gitlab', 'ghes', 'deploy-api', 'artifact-cache', 'metrics']) } : {},
          id,
          serviceName: `com.amazonaws.vpce.${region}.${id}`,
          serviceType,
          state: weighted([[95, 'Available'], [2, 'Pending'], [2, 'Failed'], [1, 'Deleting']]),
          acceptanceRequired: chance(0.8),
          managesVpcEndpoints: false,
          availabilityZones: azs.slice(0, weighted([[10, 1], [1, 0], [50, 2], [39, 3]])),
          allowedPrincipals: [],
          endpointConnections: [],
          connectionNotifications: [],
        };
        if (serviceType === 'Interface') svc.networkLoadBalancerArns = [`arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/net/nlb-${hex(6)}/${hex(16)}`];
        else svc.gatewayLoadBalancerArns = [`arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/gwy/gwlb-${hex(6)}/${hex(16)}`];
        if (chance(0.4)) {
          svc.privateDns = {
            name: `${pick(['git', 'gitlab', 'ghes', 'deploy', 'api'])}-${hex(4)}.example.com`,
            verificationState: weighted([[80, 'verified'], [12, 'pendingVerification'], [8, 'failed']]),
            verificationType: 'TXT',
            verificationName: `_${hex(12)}`,
            verificationValue: `vpce:${hex(20)}`,
          };
        }
        // Allowed principals: the owner, trusted accounts (the first 10), other estate accounts
        // (not trusted by bench.mjs), outsiders, services, and sometimes `*`.
        const nPrincipals = weighted([[8, 0], [40, 1], [30, 2], [15, 3], [7, 4]]);
        for (let p = 0; p < nPrincipals; p++) {
          const kind = weighted([[25, 'trusted'], [15, 'owner'], [10, 'estate'], [4, 'external'], [4, 'service'], [3, 'star'], [2, 'role-ext']]);
          switch (kind) {
            case 'trusted':
              svc.allowedPrincipals.push({ principal: `arn:aws:iam::${accountIds[int(0, Math.min(10, accounts) - 1)]}:root`, principalType: 'Account', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'owner':
              svc.allowedPrincipals.push({ principal: `arn:aws:iam::${account}:role/consumer-${hex(4)}`, principalType: 'Role', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'estate':
              svc.allowedPrincipals.push({ principal: `arn:aws:iam::${pick(accountIds)}:root`, principalType: 'Account', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'external':
              svc.allowedPrincipals.push({ principal: `arn:aws:iam::${pick(externalAccounts)}:root`, principalType: 'Account', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'role-ext':
              svc.allowedPrincipals.push({ principal: `arn:aws:iam::${pick(externalAccounts)}:role/vendor-${hex(4)}`, principalType: 'Role', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'service':
              svc.allowedPrincipals.push({ principal: 'elasticloadbalancing.amazonaws.com', principalType: 'Service', servicePermissionId: `sp-${hex(17)}` });
              break;
            case 'star':
              svc.allowedPrincipals.push({ principal: '*', principalType: chance(0.8) ? 'All' : 'all', servicePermissionId: `sp-${hex(17)}` });
              break;
          }
        }
        const nConnections = weighted([[35, 0], [30, 1], [20, 2], [10, 3], [5, 5]]);
        for (let c = 0; c < nConnections; c++) {
          const state = weighted([[60, 'available'], [20, 'pendingAcceptance'], [3, 'PendingAcceptance'], [5, 'rejected'], [5, 'deleted'], [4, 'expired'], [3, 'failed']]);
          const ec = { vpcEndpointId: `vpce-${uid()}`, vpcEndpointOwner: chance(0.7) ? pick(accountIds) : pick(externalAccounts), state };
          // Pending requests: mostly recent, some stale (> 7 days), a few without a creation time.
          if (!(state.toLowerCase() === 'pendingacceptance' && chance(0.03))) {
            ec.creationTimestamp = isoDaysAgo(state.toLowerCase() === 'pendingacceptance' ? weighted([[70, rand() * 6.9], [30, 8 + rand() * 60]]) : rand() * 900);
          }
          svc.endpointConnections.push(ec);
        }
        const notif = weighted([[55, 'enabled'], [10, 'disabled'], [5, 'both'], [30, 'none']]);
        const topic = () => `arn:aws:sns:${region}:${account}:privatelink-${hex(6)}`;
        if (notif === 'enabled' || notif === 'both') svc.connectionNotifications.push({ id: `vpce-nfn-${uid()}`, topicArn: topic(), events: ['Connect', 'Accept', 'Reject', 'Delete'].slice(0, int(1, 4)), state: 'Enabled' });
        if (notif === 'disabled' || notif === 'both') svc.connectionNotifications.push({ id: `vpce-nfn-${uid()}`, topicArn: topic(), events: ['Connect'], state: 'Disabled' });

        if (fieldGap && fieldGap.kind === 'endpointService') {
          svc[fieldGap.field] = [];
          markUnreadable(svc, 'endpointService', fieldGap.service, fieldGap.field, fieldGap.operation, fieldGap.errorCode, 'You are not authorized to perform this operation.');
        } else if (chance(SPRINKLE)) {
          const [field, operation, errorCode] = pick([
            ['acceptanceRequired', 'DescribeVpcEndpointServiceConfigurations', 'InvalidResponse'],
            ['availabilityZones', 'DescribeVpcEndpointServiceConfigurations', 'InvalidResponse'],
            ['privateDns', 'DescribeVpcEndpointServiceConfigurations', 'InvalidResponse'],
            ['allowedPrincipals', 'DescribeVpcEndpointServicePermissions', 'AccessDenied'],
            ['endpointConnections', 'DescribeVpcEndpointConnections', 'AccessDenied'],
            ['connectionNotifications', 'DescribeVpcEndpointConnectionNotifications', 'UnauthorizedOperation'],
          ]);
          if (Array.isArray(svc[field])) svc[field] = [];
          else if (field === 'privateDns') delete svc.privateDns;
          markUnreadable(svc, 'endpointService', 'ec2', field, operation, errorCode);
        }
        snapshot.endpointServices.push(svc);
      }

      // VPC endpoints: the webhooks endpoints first, then the rest of the budget.
      if (!gone.has('vpcEndpoint')) {
        const cellEndpoints = webhookEndpoints.slice(0, want.vpcEndpoint);
        while (cellEndpoints.length < want.vpcEndpoint) {
          const id = `vpce-${uid()}`;
          const vpcId = pick(vpcs);
          const flavour = weighted([[64, 'aws'], [15, 'gateway'], [17, 'partner'], [2, 'gwlb'], [2, 'managed']]);
          const e = {
            arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${id}`,
            account,
            region,
            tags: chance(0.5) ? { Name: `${flavour}-${hex(4)}` } : {},
            id,
            vpcId,
            serviceName: '',
            endpointType: 'Interface',
            state: weighted(ENDPOINT_STATES),
            privateDnsEnabled: true,
            requesterManaged: false,
          };
          switch (flavour) {
            case 'aws': {
              const service = weighted(AWS_SERVICES);
              e.serviceName = `com.amazonaws.${region}.${service}`;
              e.privateDnsEnabled = chance(0.88);
              const policy = weighted([[30, 'absent'], [18, 'full'], [52, 'restrictive']]);
              if (policy === 'full') e.policy = fullAccessPolicy();
              else if (policy === 'restrictive') e.policy = restrictivePolicy(account, region, service);
              if (chance(0.3)) e.policySupported = !(service === 'ec2messages' && chance(0.5));
              e.subnetIds = [subnet(), subnet(), subnet()].slice(0, int(1, 3));
              e.securityGroupIds = [sg()];
              break;
            }
            case 'gateway':
              e.serviceName = `com.amazonaws.${region}.${chance(0.8) ? 's3' : 'dynamodb'}`;
              e.endpointType = 'Gateway';
              e.privateDnsEnabled = false;
              e.policy = chance(0.7) ? { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } : restrictivePolicy(account, region, 's3');
              break;
            case 'partner':
              e.serviceName = `com.amazonaws.vpce.${region}.vpce-svc-${hex(17)}`;
              e.privateDnsEnabled = chance(0.5);
              e.subnetIds = [subnet(), subnet()];
              e.securityGroupIds = [sg()];
              break;
            case 'gwlb':
              e.serviceName = `com.amazonaws.vpce.${region}.vpce-svc-${hex(17)}`;
              e.endpointType = 'GatewayLoadBalancer';
              e.privateDnsEnabled = false;
              e.subnetIds = [subnet()];
              break;
            case 'managed':
              // Other requester-managed interface endpoints (e.g. created by a managed service).
              e.serviceName = `com.amazonaws.${region}.${pick(['sagemaker.api', 'elasticfilesystem', 'rds'])}`;
              e.requesterManaged = true;
              e.privateDnsEnabled = chance(0.5);
              break;
          }
          if (chance(0.9)) e.creationTimestamp = isoDaysAgo(rand() * 1500);
          cellEndpoints.push(e);
        }
        for (const e of cellEndpoints) {
          if (!e.requesterManaged && e.endpointType === 'Interface' && chance(SPRINKLE * 2)) {
            if (chance(0.5)) {
              delete e.policy;
              markUnreadable(e, 'vpcEndpoint', 'ec2', 'policy', 'DescribeVpcEndpoints', 'MalformedPolicyDocument', 'PolicyDocument is not JSON');
            } else {
              markUnreadable(e, 'vpcEndpoint', 'ec2', 'privateDnsEnabled', 'DescribeVpcEndpoints', 'InvalidResponse');
            }
          }
          snapshot.vpcEndpoints.push(e);
        }
      }
    }
  }
  snapshot.coverage.push(...fieldGaps.values());
  if (pipelines > 0 || buildProjects > 0) addPipelineEstate(snapshot, { pipelines, buildProjects, connections: pipelineConnections, seed });
  return snapshot;
}

/**
 * Pipelines, build projects, source credentials and the IAM roles they run as, added to an estate
 * (its own seeded PRNG: the rest of the snapshot is unchanged). `connections` of the estate's
 * connections are used (2% of the references name connections the snapshot does not list, as a
 * deleted connection would); each used connection has pipelines/connections pipelines and
 * buildProjects/connections projects in its account and region. Roles: one per ten pipelines or
 * projects, per account, in the shapes CI roles have (AdministratorAccess, PowerUserAccess,
 * iam:PassRole with Lambda, UseConnection on named connections or on *, a boundary, a missing
 * managed policy). Enough bad, good and unreadable parts that every pipeline and build rule gives
 * fail, pass and unknown.
 */
export function addPipelineEstate(snapshot, { pipelines = 20_000, buildProjects = 20_000, connections = 2_000, seed = 1 } = {}) {
  const rand = prng(seed + 7919);
  const chance = (p) => rand() < p;
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const weighted = (pairs) => {
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = rand() * total;
    for (const [w, v] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1][1];
  };
  const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  let counter = 0;
  const other = (arn) => (arn.includes(':codestar-connections:') ? arn.replace(':codestar-connections:', ':codeconnections:') : arn.replace(':codeconnections:', ':codestar-connections:'));

  // The connections used: spread over the estate, most AVAILABLE, a few deleted (not listed).
  const listed = snapshot.connections.filter((c) => !c.hostArn);
  const step = Math.max(1, Math.floor(listed.length / Math.max(1, connections)));
  const used = [];
  for (let i = 0; used.length < connections && i < listed.length; i += step) used.push({ arn: listed[i].arn, account: listed[i].account, region: listed[i].region, listed: true });
  for (let i = 0; i < used.length; i += 50) {
    const c = used[i];
    used[i] = { ...c, arn: `${c.arn.slice(0, c.arn.lastIndexOf('/') + 1)}${hex(8)}-dead-4000-8000-${hex(12)}`, listed: false };
  }

  // Managed policies: two AWS ones and one customer policy per account.
  const admin = { arn: 'arn:aws:iam::aws:policy/AdministratorAccess', account: snapshot.scope.accounts[0], region: 'global', tags: {}, name: 'AdministratorAccess', defaultVersionId: 'v1', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
  const power = {
    arn: 'arn:aws:iam::aws:policy/PowerUserAccess', account: snapshot.scope.accounts[0], region: 'global', tags: {}, name: 'PowerUserAccess', defaultVersionId: 'v5', awsManaged: true,
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }, { Effect: 'Allow', Action: ['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles'], Resource: '*' }] },
  };
  snapshot.iamPolicies.push(admin, power);
  const accountsUsed = [...new Set(used.map((c) => c.account))];
  const base = new Map();
  const boundary = new Map();
  for (const account of accountsUsed) {
    const p = {
      arn: `arn:aws:iam::${account}:policy/ci-base`, account, region: 'global', tags: {}, name: 'ci-base', defaultVersionId: 'v3',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject', 'ecr:GetAuthorizationToken'], Resource: '*' }] },
    };
    const b = {
      arn: `arn:aws:iam::${account}:policy/ci-boundary`, account, region: 'global', tags: {}, name: 'ci-boundary', defaultVersionId: 'v1',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:*', 's3:*', 'ecr:*', 'codebuild:*', 'codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: '*' }] },
    };
    snapshot.iamPolicies.push(p, b);
    base.set(account, p.arn);
    boundary.set(account, b.arn);
  }

  // Roles per account, each shared by about ten pipelines or projects.
  const byAccount = new Map(accountsUsed.map((a) => [a, { pipeline: [], build: [] }]));
  const usedByAccount = new Map();
  for (const c of used) usedByAccount.set(c.account, [...(usedByAccount.get(c.account) ?? []), c]);
  const role = (account, kind) => {
    const name = `${kind}-${hex(6)}-${counter++}`;
    const conns = usedByAccount.get(account) ?? [];
    const mine = [pick(conns), pick(conns)].filter(Boolean).map((c) => (chance(0.5) ? c.arn : other(c.arn)));
    const shape = kind === 'pipeline'
      ? weighted([[70, 'pipeline'], [10, 'power'], [5, 'admin'], [10, 'named'], [5, 'missing']])
      : weighted([[45, 'named'], [15, 'any'], [10, 'power'], [6, 'admin'], [8, 'passrole'], [8, 'boundary'], [4, 'deny'], [2, 'missing'], [2, 'unreadable']]);
    const r = { arn: `arn:aws:iam::${account}:role/service-role/${name}`, account, region: 'global', tags: {}, name, path: '/service-role/', inlinePolicies: [], attachedPolicies: [base.get(account)], assumeRolePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: `${kind === 'pipeline' ? 'codepipeline' : 'codebuild'}.amazonaws.com` }, Action: 'sts:AssumeRole' }] } };
    const inline = (statements) => r.inlinePolicies.push({ name: `${kind}-inline`, document: { Version: '2012-10-17', Statement: statements } });
    switch (shape) {
      case 'pipeline':
        inline([{ Effect: 'Allow', Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: '*' }, { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } } }]);
        break;
      case 'named':
        inline([{ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: mine }]);
        break;
      case 'any':
        inline([{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*', Condition: { 'ForAllValues:StringLike': { 'codeconnections:FullRepositoryId': [`org-${int(0, 40)}/*`] } } }]);
        break;
      case 'power':
        r.attachedPolicies.push(power.arn);
        break;
      case 'admin':
        r.attachedPolicies.push(admin.arn);
        break;
      case 'passrole':
        inline([{ Effect: 'Allow', Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionCode'], Resource: '*' }, { Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: mine }]);
        break;
      case 'boundary':
        r.attachedPolicies.push(admin.arn);
        r.permissionsBoundary = boundary.get(account);
        break;
      case 'deny':
        r.attachedPolicies.push(admin.arn);
        inline([{ Effect: 'Deny', Action: ['iam:*', 'sts:AssumeRole', 'codestar-connections:*', 'codeconnections:*'], Resource: '*' }]);
        break;
      case 'missing':
        r.attachedPolicies.push(`arn:aws:iam::${account}:policy/deleted-${hex(4)}`);
        break;
      case 'unreadable':
        r.unreadable = [{ field: 'inlinePolicies', operation: 'GetAccountAuthorizationDetails', errorCode: 'Throttling' }];
        break;
    }
    snapshot.iamRoles.push(r);
    return r.arn;
  };
  const roleFor = (account, kind) => {
    const pool = byAccount.get(account)[kind];
    // One new role per ten uses.
    if (pool.length === 0 || chance(0.1)) pool.push(role(account, kind));
    return pick(pool);
  };

  const perConnPipelines = Math.max(1, Math.round(pipelines / Math.max(1, used.length)));
  const perConnProjects = Math.max(1, Math.round(buildProjects / Math.max(1, used.length)));
  let pipelinesLeft = pipelines;
  let projectsLeft = buildProjects;
  const credentials = new Set();
  const BUILDSPEC_GIT = 'version: 0.2\nphases:\n  build:\n    commands:\n      - VERSION=$(git describe --tags)\n      - make build\n';
  const BUILDSPEC = 'version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm test\n';
  used.forEach((c, ci) => {
    const { account, region } = c;
    const org = `org-${ci % 41}`;
    // Build projects of this connection: most run by pipelines, some with their own GitHub source and webhook.
    const projects = [];
    const nProjects = ci === used.length - 1 ? projectsLeft : Math.min(projectsLeft, perConnProjects);
    for (let i = 0; i < nProjects; i++) {
      const name = `build-${ci}-${i}-${hex(4)}`;
      const repo = `${org}/svc-${int(0, 300)}`;
      const own = chance(0.3);
      const p = {
        arn: `arn:aws:codebuild:${region}:${account}:project/${name}`, account, region, tags: {}, name,
        serviceRole: roleFor(account, 'build'),
        source: own
          ? { type: 'GITHUB', location: chance(0.01) ? `https://REDACTED@github.com/${repo}.git` : `https://github.com/${repo}.git`, ...(chance(0.01) ? { locationHadCredentials: true } : {}), auth: { type: 'CODECONNECTIONS', resource: chance(0.5) ? c.arn : other(c.arn) }, ...(chance(0.5) ? { buildspec: chance(0.2) ? BUILDSPEC_GIT : BUILDSPEC } : {}) }
          : { type: 'CODEPIPELINE', ...(chance(0.6) ? { buildspec: chance(0.15) ? BUILDSPEC_GIT : BUILDSPEC } : chance(0.5) ? { buildspecFile: 'ci/buildspec.yml' } : {}) },
        secondarySources: [],
        ...(own ? { sourceVersion: 'main' } : {}),
        ...(own && chance(0.4) ? { webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PUSH,PULL_REQUEST_CREATED' }]] } } : {}),
        environmentVariables: [{ name: 'STAGE', type: 'PLAINTEXT' }],
      };
      if (chance(0.005)) p.unreadable = [{ field: 'serviceRole', operation: 'BatchGetProjects', errorCode: 'InvalidResponse' }];
      else if (own && chance(0.005)) p.unreadable = [{ field: 'source', operation: 'BatchGetProjects', errorCode: 'InvalidResponse' }];
      projects.push(p);
      snapshot.buildProjects.push(p);
    }
    projectsLeft -= nProjects;
    const cell = `${account}|${region}`;
    if (!credentials.has(cell)) {
      credentials.add(cell);
      snapshot.sourceCredentials.push({ arn: `arn:aws:codebuild:${region}:${account}:token/github`, account, region, tags: {}, serverType: 'GITHUB', authType: chance(0.7) ? 'CODECONNECTIONS' : 'PERSONAL_ACCESS_TOKEN', ...(chance(0.7) ? { resource: c.arn } : {}) });
    }
    const nPipelines = ci === used.length - 1 ? pipelinesLeft : Math.min(pipelinesLeft, perConnPipelines);
    for (let i = 0; i < nPipelines; i++) {
      const name = `pipe-${ci}-${i}-${hex(4)}`;
      const repo = `${org}/svc-${int(0, 300)}`;
      const format = weighted([[55, undefined], [15, 'CODE_ZIP'], [30, 'CODEBUILD_CLONE_REF']]);
      const project = projects.length > 0 ? pick(projects) : undefined;
      const source = weighted([[94, 'connection'], [3, 'oauth'], [3, 'codecommit']]);
      const sourceAction =
        source === 'connection'
          ? { name: 'GitHub', actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' }, configuration: { ConnectionArn: chance(0.5) ? c.arn : other(c.arn), FullRepositoryId: repo, BranchName: 'main', ...(format ? { OutputArtifactFormat: format } : {}), DetectChanges: 'true' }, inputArtifacts: [], outputArtifacts: ['SourceOutput'] }
          : source === 'oauth'
            ? { name: 'GitHub', actionType: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' }, configuration: { Owner: org, Repo: repo.split('/')[1], Branch: 'main', OAuthToken: 'REDACTED' }, inputArtifacts: [], outputArtifacts: ['SourceOutput'] }
            : { name: 'CodeCommit', actionType: { category: 'Source', owner: 'AWS', provider: 'CodeCommit', version: '1' }, configuration: { RepositoryName: repo.split('/')[1], BranchName: 'main' }, inputArtifacts: [], outputArtifacts: ['SourceOutput'] };
      const buildName = chance(0.01) ? '#{variables.project}' : project?.name ?? 'missing-project';
      const stages = [
        { name: 'Source', actions: [sourceAction] },
        { name: 'Build', actions: [{ name: 'Build', actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: buildName }, inputArtifacts: ['SourceOutput'], outputArtifacts: ['BuildOutput'] }] },
      ];
      if (chance(0.3)) {
        stages.push({ name: 'Deploy', actions: [{ name: 'Stack', actionType: { category: 'Deploy', owner: 'AWS', provider: chance(0.9) ? 'CloudFormation' : 'S3', version: '1' }, configuration: { ActionMode: 'CREATE_UPDATE', StackName: name }, inputArtifacts: [chance(0.9) ? 'BuildOutput' : 'SourceOutput'], outputArtifacts: [], ...(chance(0.3) ? { roleArn: roleFor(account, 'pipeline') } : {}) }] });
      }
      const v2 = chance(0.6);
      const pipeline = {
        arn: `arn:aws:codepipeline:${region}:${account}:${name}`, account, region, tags: {}, name,
        pipelineType: v2 ? 'V2' : 'V1',
        roleArn: roleFor(account, 'pipeline'),
        ...(v2 ? { executionMode: 'QUEUED' } : {}),
        stages,
        triggers: v2 && source === 'connection' && chance(0.5) ? [{ providerType: 'CodeStarSourceConnection', sourceActionName: 'GitHub', push: [{ branches: { includes: ['main'], excludes: [] } }], pullRequest: chance(0.4) ? [{ events: ['OPEN', 'UPDATED'], ...weighted([[4, { branches: { includes: ['**'], excludes: [] } }], [4, {}], [2, { branches: { includes: ['main', 'release/*'], excludes: [] } }]]) }] : [] }] : [],
      };
      if (chance(0.003)) pipeline.unreadable = [{ field: 'stages', operation: 'GetPipeline', errorCode: 'InvalidResponse' }];
      snapshot.pipelines.push(pipeline);
    }
    pipelinesLeft -= nPipelines;
  });

  // A listing that could not be read, and a coverage entry for every field above that was not.
  const [, a1] = accountsUsed;
  const r0 = snapshot.scope.regions[0];
  if (a1 && r0) {
    snapshot.coverage.push({ account: a1, region: r0, service: 'codepipeline', operation: 'ListPipelines', errorCode: 'AccessDeniedException', message: 'not authorized to perform: codepipeline:ListPipelines', resourceKinds: ['pipeline'] });
    snapshot.pipelines = snapshot.pipelines.filter((p) => !(p.account === a1 && p.region === r0));
  }
  const [, , a2] = accountsUsed;
  if (a2 && r0) {
    snapshot.coverage.push({ account: a2, region: r0, service: 'codebuild', operation: 'ListSourceCredentials', errorCode: 'AccessDeniedException', message: 'not authorized to perform: codebuild:ListSourceCredentials', resourceKinds: ['sourceCredential'] });
    snapshot.sourceCredentials = snapshot.sourceCredentials.filter((c) => !(c.account === a2 && c.region === r0));
  }
  const gaps = new Map();
  const service = { pipeline: 'codepipeline', buildProject: 'codebuild', iamRole: 'iam' };
  // (A field gap of IAM is global, as IAM is.)
  for (const [kind, list] of [['pipeline', snapshot.pipelines], ['buildProject', snapshot.buildProjects], ['iamRole', snapshot.iamRoles]]) {
    for (const r of list) {
      for (const u of r.unreadable ?? []) {
        const key = `${r.account}|${r.region}|${u.operation}|${u.field}`;
        if (!gaps.has(key)) gaps.set(key, { account: r.account, region: r.region, service: service[kind], operation: u.operation, errorCode: u.errorCode, message: `${u.operation} failed: ${u.errorCode}`, resourceKinds: [kind], field: u.field });
      }
    }
  }
  snapshot.coverage.push(...gaps.values());
  return snapshot;
}

/** Resources per kind, for printing. */
export function countResources(snapshot) {
  return {
    connections: snapshot.connections.length,
    hosts: snapshot.hosts.length,
    vpcEndpoints: snapshot.vpcEndpoints.length,
    endpointServices: snapshot.endpointServices.length,
    iam: snapshot.iamUsers.length + snapshot.iamGroups.length + snapshot.iamRoles.length + snapshot.iamPolicies.length,
    pipelines: snapshot.pipelines.length,
    buildProjects: snapshot.buildProjects.length,
    sourceCredentials: snapshot.sourceCredentials.length,
    total:
      snapshot.connections.length + snapshot.hosts.length + snapshot.vpcEndpoints.length + snapshot.endpointServices.length +
      snapshot.iamUsers.length + snapshot.iamGroups.length + snapshot.iamRoles.length + snapshot.iamPolicies.length +
      snapshot.pipelines.length + snapshot.buildProjects.length + snapshot.sourceCredentials.length,
  };
}
