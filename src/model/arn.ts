import type { ResourceKind } from './types.js';

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    partition: parts[1] ?? '',
    service: parts[2] ?? '',
    region: parts[3] ?? '',
    account: parts[4] ?? '',
    resource: parts.slice(5).join(':'),
  };
}

/** EC2 returns no ARN for a VPC endpoint; this is the one IAM and Config use. */
export function vpcEndpointArn(partition: string, region: string, account: string, id: string): string {
  return `arn:${partition}:ec2:${region}:${account}:vpc-endpoint/${id}`;
}

export function endpointServiceArn(partition: string, region: string, account: string, id: string): string {
  return `arn:${partition}:ec2:${region}:${account}:vpc-endpoint-service/${id}`;
}

/** The ARN CodePipeline gives a pipeline (GetPipeline metadata.pipelineArn): no resource type. */
export function pipelineArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:codepipeline:${region}:${account}:${name}`;
}

export function buildProjectArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:codebuild:${region}:${account}:project/${name}`;
}

/**
 * The ARN pattern standing for "every resource of this kind in this account and region": the
 * identity of an unknown result when a whole listing could not be read.
 */
export function scopeArn(kind: ResourceKind, partition: string, account: string, region: string): string {
  switch (kind) {
    case 'connection':
      return `arn:${partition}:codeconnections:${region}:${account}:connection/*`;
    case 'host':
      return `arn:${partition}:codeconnections:${region}:${account}:host/*`;
    case 'vpcEndpoint':
      return `arn:${partition}:ec2:${region}:${account}:vpc-endpoint/*`;
    case 'endpointService':
      return `arn:${partition}:ec2:${region}:${account}:vpc-endpoint-service/*`;
    case 'iamUser':
      return `arn:${partition}:iam::${account}:user/*`;
    case 'iamGroup':
      return `arn:${partition}:iam::${account}:group/*`;
    case 'iamRole':
      return `arn:${partition}:iam::${account}:role/*`;
    case 'iamPolicy':
      return `arn:${partition}:iam::${account}:policy/*`;
    case 'pipeline':
      return `arn:${partition}:codepipeline:${region}:${account}:*`;
    case 'buildProject':
      return `arn:${partition}:codebuild:${region}:${account}:project/*`;
    case 'sourceCredential':
      return `arn:${partition}:codebuild:${region}:${account}:token/*`;
  }
}

const CONNECTION_SERVICES = new Set(['codestar-connections', 'codeconnections']);

/**
 * One key for a connection whichever prefix its ARN carries: AWS renamed CodeStar Connections to
 * CodeConnections, and `arn:…:codestar-connections:…:connection/ID` and `arn:…:codeconnections:…:
 * connection/ID` name the same connection (a pipeline may say one while ListConnections answers the
 * other). `partition:region:account:id`, or undefined for anything that is not a connection ARN.
 */
export function connectionKey(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || !CONNECTION_SERVICES.has(parsed.service) || !parsed.resource.startsWith('connection/')) return undefined;
  const id = parsed.resource.slice('connection/'.length);
  if (id === '' || parsed.partition === '' || parsed.account === '') return undefined;
  return `${parsed.partition}:${parsed.region}:${parsed.account}:${id}`;
}

/** The 12-digit account of an ARN or a bare account id, or undefined (service principals, `*`). */
export function accountOf(principal: string): string | undefined {
  if (/^[0-9]{12}$/.test(principal)) return principal;
  const parsed = parseArn(principal);
  if (parsed && /^[0-9]{12}$/.test(parsed.account)) return parsed.account;
  return undefined;
}

/** The organization id in an Organizations ARN (organization, OU), or undefined. */
export function organizationOf(principal: string): string | undefined {
  const parsed = parseArn(principal);
  if (!parsed || parsed.service !== 'organizations') return undefined;
  return /(?:^|\/)(o-[a-z0-9]{10,32})(?:\/|$)/.exec(parsed.resource)?.[1];
}

/**
 * A repository-relative pseudo path for a resource: `aws/<partition>/<account>/<region|global>/
 * <service>/<type>/<id>`. GitHub code scanning rejects a whole upload whose location URI has a
 * scheme or a colon, so an ARN cannot be the location; this path is stable and readable instead.
 */
export function resourcePseudoPath(arn: string): string {
  const parsed = parseArn(arn);
  if (!parsed) return `aws/unparsed/${encodeSegment(arn)}`;
  const sep = parsed.resource.search(/[/:]/);
  const type = sep < 0 ? parsed.resource : parsed.resource.slice(0, sep);
  const id = sep < 0 ? '' : parsed.resource.slice(sep + 1);
  const segments = [
    'aws',
    parsed.partition,
    parsed.account || 'aws',
    parsed.region || 'global',
    parsed.service,
    type,
  ];
  // '/' in the resource id becomes a path separator (IAM paths read naturally); ':' is escaped.
  return [...segments, ...(id === '' ? [] : id.split('/'))].map(encodeSegment).join('/');
}

/**
 * One path segment. A segment of dots alone (`..` from an ARN such as `connection/../../etc`)
 * would climb out of the pseudo path when resolved, and percent-encoding does not help: the URL
 * standard reads `%2e%2e` as `..`. So a segment made only of dots and underscores, the empty one
 * included, gets a leading `_` (`..` → `_..`, `` → `_`, `_` → `__`): never a dot segment, and
 * still one-to-one, since no segment that keeps its form consists of dots and underscores only.
 * encodeURIComponent escapes everything a segment may not hold (`%`, `\`, `?`, `#`, `:`, spaces,
 * non-ASCII as UTF-8) but leaves `* ( ) ' !`, escaped here; lone surrogates, which it refuses,
 * become U+FFFD.
 */
function encodeSegment(s: string): string {
  const safe = /^[._]*$/.test(s) ? `_${s}` : s;
  return encodeURIComponent(wellFormed(safe)).replace(/[*()'!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// String.prototype.toWellFormed is ES2024; the project's lib is ES2023.
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The account of a template whose environment is not known (`--account` not given): symbolic. */
export const IAC_UNKNOWN_ACCOUNT = '000000000000';
/** The region of a template whose environment is not known: symbolic, never a real region. */
export const IAC_UNKNOWN_REGION = 'aa-unknown-0';

/** ARN service and resource type of each kind, as IAM names them. */
const IAC_ARN_PARTS: Record<ResourceKind, { service: string; type: string; global?: true }> = {
  connection: { service: 'codeconnections', type: 'connection' },
  host: { service: 'codeconnections', type: 'host' },
  vpcEndpoint: { service: 'ec2', type: 'vpc-endpoint' },
  endpointService: { service: 'ec2', type: 'vpc-endpoint-service' },
  iamUser: { service: 'iam', type: 'user', global: true },
  iamGroup: { service: 'iam', type: 'group', global: true },
  iamRole: { service: 'iam', type: 'role', global: true },
  iamPolicy: { service: 'iam', type: 'policy', global: true },
  // A pipeline's ARN has no resource type: arn:…:codepipeline:REGION:ACCOUNT:NAME.
  pipeline: { service: 'codepipeline', type: '' },
  buildProject: { service: 'codebuild', type: 'project' },
  sourceCredential: { service: 'codebuild', type: 'token' },
};

/**
 * The identity of a resource declared in infrastructure as code and not (yet) deployed: an ARN of
 * the kind's service and type, so IAM patterns such as `connection/*` match it as they will match
 * the deployed resource, whose resource id is `iac:` + the origin id (`iac:net.yaml#OpenService`).
 * No deployed resource has an id starting `iac:`, so it never names a real one; it is built from
 * the origin id alone, so it is the same on every machine and run. `service` overrides the
 * kind's (a `AWS::CodeStarConnections::Connection` is `codestar-connections`).
 */
export function iacArn(kind: ResourceKind, partition: string, region: string, account: string, originId: string, service?: string): string {
  const parts = IAC_ARN_PARTS[kind];
  const type = parts.type === '' ? '' : `${parts.type}/`;
  return `arn:${partition}:${service ?? parts.service}:${parts.global ? '' : region}:${account}:${type}iac:${originId}`;
}

/** Whether an ARN is an IaC identity (`iacArn`) rather than a deployed resource's. */
export function isIacArn(arn: string): boolean {
  const parsed = parseArn(arn);
  return parsed !== undefined && /^([a-z-]+\/)?iac:/.test(parsed.resource);
}

/** An AWS managed policy: one object, the same ARN in every account whose principals attach it. */
export function isSharedResource(r: { arn: string }): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(r.arn);
}
