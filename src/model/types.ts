// TypeScript view of schemas/snapshot.schema.json. The schema is the contract; test/model.test.ts
// keeps the two in step by validating typed fixtures against it.

export const SNAPSHOT_SCHEMA_VERSION = 1;

export type ResourceKind =
  | 'connection'
  | 'host'
  | 'vpcEndpoint'
  | 'endpointService'
  | 'iamUser'
  | 'iamGroup'
  | 'iamRole'
  | 'iamPolicy'
  | 'pipeline'
  | 'buildProject'
  | 'sourceCredential';

/** Snapshot array holding each kind. */
export const KIND_COLLECTION = {
  connection: 'connections',
  host: 'hosts',
  vpcEndpoint: 'vpcEndpoints',
  endpointService: 'endpointServices',
  iamUser: 'iamUsers',
  iamGroup: 'iamGroups',
  iamRole: 'iamRoles',
  iamPolicy: 'iamPolicies',
  pipeline: 'pipelines',
  buildProject: 'buildProjects',
  sourceCredential: 'sourceCredentials',
} as const satisfies Record<ResourceKind, string>;

export const RESOURCE_KINDS = Object.keys(KIND_COLLECTION) as ResourceKind[];

/** The snapshot's collections, in the order of the kinds (and of a snapshot file). */
export const COLLECTIONS = Object.values(KIND_COLLECTION) as ReadonlyArray<(typeof KIND_COLLECTION)[ResourceKind]>;

export type Tags = Record<string, string>;

export interface UnreadableField {
  field: string;
  operation: string;
  errorCode: string;
  message?: string;
}

/** A place in a source file: 1-based lines and columns. */
export interface SourceLocation {
  /** Path relative to the working directory, with `/` separators. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type IacFormat = 'cloudformation' | 'cdk' | 'terraform';

/**
 * Where an infrastructure-as-code resource is declared. Present only on resources that IaC
 * adapters produced (docs/iac.md); a live or snapshot resource has none.
 */
export interface IacOrigin {
  format: IacFormat;
  /**
   * The stable identity of the declaration, independent of machine, absolute path and line:
   * CloudFormation `templates/net.yaml#OpenService` (nested: `parent.yaml#Child/Inner`),
   * CDK `StackArtifactId#LogicalId` (nested: `Stack/NestedLogicalId#LogicalId`), Terraform
   * `plan.json#module.ci.aws_iam_role.builder["api"]`. The resource's `arn` is built from it
   * (`iacArn`), so findings keep their fingerprints across runs.
   */
  id: string;
  /** The logical-id key (CloudFormation, CDK) or the `resource "TYPE" "NAME" {` block (Terraform). */
  location: SourceLocation;
  logicalId?: string;
  /** Stack name (CDK: the manifest's stackName, else the artifact id); a nested stack: `parent/NestedLogicalId`. */
  stack?: string;
  /** CDK `aws:cdk:path` metadata. */
  constructPath?: string;
  /** Terraform resource address. */
  address?: string;
  /**
   * Where the template writes what became each model field, keyed by the MODEL field name
   * (`acceptanceRequired` → the `AcceptanceRequired:` line; `allowedPrincipals` → the permissions
   * resource's `AllowedPrincipals:`), so a report can point at the property a rule names.
   */
  properties?: Record<string, SourceLocation>;
}

export interface ResourceBase {
  arn: string;
  account: string;
  /** AWS region, or "global" for IAM. */
  region: string;
  tags: Tags;
  unreadable?: UnreadableField[];
  origin?: IacOrigin;
}

export interface Connection extends ResourceBase {
  name: string;
  providerType: string;
  ownerAccountId?: string;
  status: string;
  hostArn?: string;
}

export interface VpcConfiguration {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tlsCertificate?: string;
}

export interface Host extends ResourceBase {
  name: string;
  providerType: string;
  providerEndpoint: string;
  status: string;
  statusMessage?: string;
  vpcConfiguration?: VpcConfiguration;
}

export type StringOrList = string | string[];

export type PolicyPrincipal =
  | '*'
  | { AWS?: StringOrList; Service?: StringOrList; Federated?: StringOrList; CanonicalUser?: StringOrList };

export type ConditionValue = string | boolean | number | Array<string | boolean | number>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PolicyPrincipal;
  NotPrincipal?: PolicyPrincipal;
  Action?: StringOrList;
  NotAction?: StringOrList;
  Resource?: StringOrList;
  NotResource?: StringOrList;
  Condition?: Record<string, Record<string, ConditionValue>>;
}

export interface PolicyDocument {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface VpcEndpoint extends ResourceBase {
  id: string;
  vpcId: string;
  serviceName: string;
  endpointType: string;
  state: string;
  privateDnsEnabled: boolean;
  requesterManaged: boolean;
  policy?: PolicyDocument;
  policySupported?: boolean;
  subnetIds?: string[];
  securityGroupIds?: string[];
  creationTimestamp?: string;
}

export interface AllowedPrincipal {
  principal: string;
  principalType: string;
  servicePermissionId?: string;
}

export interface EndpointConnection {
  vpcEndpointId: string;
  vpcEndpointOwner: string;
  state: string;
  creationTimestamp?: string;
}

export interface ConnectionNotification {
  id: string;
  topicArn: string;
  events: Array<'Connect' | 'Accept' | 'Reject' | 'Delete'>;
  state: string;
}

export interface PrivateDns {
  name: string;
  verificationState: string;
  verificationType?: string;
  verificationName?: string;
  verificationValue?: string;
}

export interface EndpointService extends ResourceBase {
  id: string;
  serviceName: string;
  serviceType: string;
  state: string;
  acceptanceRequired: boolean;
  managesVpcEndpoints?: boolean;
  availabilityZones: string[];
  privateDns?: PrivateDns;
  networkLoadBalancerArns?: string[];
  gatewayLoadBalancerArns?: string[];
  allowedPrincipals: AllowedPrincipal[];
  endpointConnections: EndpointConnection[];
  connectionNotifications: ConnectionNotification[];
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

interface IamPrincipalBase extends ResourceBase {
  name: string;
  path?: string;
  id?: string;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: string[];
  permissionsBoundary?: string;
}

export interface IamUser extends IamPrincipalBase {
  groups: string[];
}

export type IamGroup = IamPrincipalBase;

export interface IamRole extends IamPrincipalBase {
  assumeRolePolicy: PolicyDocument;
}

export interface IamPolicy extends ResourceBase {
  name: string;
  path?: string;
  id?: string;
  defaultVersionId: string;
  document: PolicyDocument;
  attachmentCount?: number;
  awsManaged?: boolean;
}

export interface PipelineActionType {
  category: string;
  owner: string;
  provider: string;
  version: string;
}

export interface PipelineAction {
  name: string;
  actionType: PipelineActionType;
  runOrder?: number;
  /** The action's configuration. A secret's value (OAuthToken; any key the action type marks
   *  secret; any value CodePipeline masks as "****") is never stored: its key maps to "REDACTED". */
  configuration: Record<string, string>;
  inputArtifacts: string[];
  outputArtifacts: string[];
  roleArn?: string;
  region?: string;
  namespace?: string;
}

export interface PipelineStage {
  name: string;
  actions: PipelineAction[];
}

export interface GitFilterList {
  includes: string[];
  excludes: string[];
}

export interface GitPushFilter {
  branches?: GitFilterList;
  tags?: GitFilterList;
  filePaths?: GitFilterList;
}

export interface GitPullRequestFilter {
  events: string[];
  branches?: GitFilterList;
  filePaths?: GitFilterList;
}

export interface PipelineTrigger {
  providerType: string;
  sourceActionName: string;
  push: GitPushFilter[];
  pullRequest: GitPullRequestFilter[];
}

/** A CodePipeline pipeline (GetPipeline). ARN arn:PARTITION:codepipeline:REGION:ACCOUNT:NAME. */
export interface Pipeline extends ResourceBase {
  name: string;
  /** Absent in the API answer → 'V1'. */
  pipelineType: 'V1' | 'V2';
  roleArn: string;
  executionMode?: string;
  stages: PipelineStage[];
  triggers: PipelineTrigger[];
}

/** OAUTH | CODECONNECTIONS | SECRETS_MANAGER; resource: the connection or secret ARN. */
export interface BuildSourceAuth {
  type: string;
  resource?: string;
}

export interface BuildSource {
  /** CODEPIPELINE, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED, BITBUCKET, CODECOMMIT, S3, NO_SOURCE. */
  type: string;
  /** Location with credentials removed: user-info (`https://user:token@host/…`, `x-token-auth:…@`) becomes `REDACTED@`. */
  location?: string;
  /** True when the location carried credentials that were removed before storing. */
  locationHadCredentials?: boolean;
  /** Secondary sources. */
  sourceIdentifier?: string;
  auth?: BuildSourceAuth;
  /** Inline buildspec text (values under env.variables replaced by REDACTED). Absent when the
   *  buildspec is a file in the source (then buildspecFile) or the default buildspec.yml. */
  buildspec?: string;
  buildspecFile?: string;
  gitCloneDepth?: number;
  reportBuildStatus?: boolean;
}

export interface WebhookFilter {
  type: string;
  pattern: string;
  excludeMatchedPattern?: boolean;
}

export interface BuildWebhook {
  filterGroups: WebhookFilter[][];
  buildType?: string;
}

/** A CodeBuild project (BatchGetProjects). ARN arn:PARTITION:codebuild:REGION:ACCOUNT:project/NAME. */
export interface BuildProject extends ResourceBase {
  name: string;
  serviceRole: string;
  source: BuildSource;
  secondarySources: BuildSource[];
  sourceVersion?: string;
  webhook?: BuildWebhook;
  /** Names and types only: a PLAINTEXT value is never stored. */
  environmentVariables: Array<{ name: string; type: string }>;
}

/** A CodeBuild source credential (ListSourceCredentials). ARN as the API returns it (arn:aws:codebuild:REGION:ACCOUNT:token/github). */
export interface SourceCredential extends ResourceBase {
  /** GITHUB | BITBUCKET | GITHUB_ENTERPRISE | GITLAB | GITLAB_SELF_MANAGED. */
  serverType: string;
  /** OAUTH | BASIC_AUTH | PERSONAL_ACCESS_TOKEN | CODECONNECTIONS | SECRETS_MANAGER. */
  authType: string;
  resource?: string;
}

export interface CoverageGap {
  account: string;
  region: string;
  service: string;
  operation: string;
  errorCode: string;
  message: string;
  resourceKinds: ResourceKind[];
  field?: string;
}

export interface Organization {
  id: string;
  managementAccount?: string;
  accounts: string[];
}

export interface Snapshot {
  $schema?: string;
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  generatedAt: string;
  source: { kind: 'live' | 'file' | 'iac'; tool?: string; description?: string };
  scope: { partition: string; accounts: string[]; regions: string[] };
  organizations?: Organization[];
  connections: Connection[];
  hosts: Host[];
  vpcEndpoints: VpcEndpoint[];
  endpointServices: EndpointService[];
  iamUsers: IamUser[];
  iamGroups: IamGroup[];
  iamRoles: IamRole[];
  iamPolicies: IamPolicy[];
  /** Optional in a snapshot file (older snapshots have none); the loader normalizes absence to []. */
  pipelines: Pipeline[];
  buildProjects: BuildProject[];
  sourceCredentials: SourceCredential[];
  coverage: CoverageGap[];
}

export interface ResourceByKind {
  connection: Connection;
  host: Host;
  vpcEndpoint: VpcEndpoint;
  endpointService: EndpointService;
  iamUser: IamUser;
  iamGroup: IamGroup;
  iamRole: IamRole;
  iamPolicy: IamPolicy;
  pipeline: Pipeline;
  buildProject: BuildProject;
  sourceCredential: SourceCredential;
}

export type AnyResource = ResourceByKind[ResourceKind];
