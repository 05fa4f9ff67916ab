// The members the collectors read from the answers the projecting decoder handles, under the SDK's
// member names and the wire's element names (botocore's locationName / the SDK schemas' xmlName).
// The collectors' functions take these Decoded types, so reading a member that is not listed here
// does not compile; test/collectors/xml-decode.test.ts holds each projection to the SDK's output.
import type {
  DescribeVpcEndpointConnectionNotificationsResult,
  DescribeVpcEndpointConnectionsResult,
  DescribeVpcEndpointServiceConfigurationsResult,
  DescribeVpcEndpointServicePermissionsResult,
  DescribeVpcEndpointServicesResult,
  DescribeVpcEndpointsResult,
  ServiceConfiguration,
  VpcEndpoint as SdkVpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { GetAccountAuthorizationDetailsResponse as SdkAuthorizationDetails, GroupDetail, ManagedPolicyDetail, RoleDetail, UserDetail } from '@aws-sdk/client-iam';
import type { FastDecoder } from './fast-protocol.js';
import { list, struct, type Decoded } from './xml-decode.js';

const TAG = struct({ Key: ['key', 'string'], Value: ['value', 'string'] });

export const VPC_ENDPOINT = struct({
  VpcEndpointId: ['vpcEndpointId', 'string'],
  VpcEndpointType: ['vpcEndpointType', 'string'],
  VpcId: ['vpcId', 'string'],
  ServiceName: ['serviceName', 'string'],
  ServiceNetworkArn: ['serviceNetworkArn', 'string'],
  ResourceConfigurationArn: ['resourceConfigurationArn', 'string'],
  State: ['state', 'string'],
  PolicyDocument: ['policyDocument', 'string'],
  SubnetIds: ['subnetIdSet', list('string')],
  Groups: ['groupSet', list(struct({ GroupId: ['groupId', 'string'] }))],
  PrivateDnsEnabled: ['privateDnsEnabled', 'boolean'],
  RequesterManaged: ['requesterManaged', 'boolean'],
  CreationTimestamp: ['creationTimestamp', 'timestamp'],
  Tags: ['tagSet', list(TAG)],
});

export const DESCRIBE_VPC_ENDPOINTS = struct({
  VpcEndpoints: ['vpcEndpointSet', list(VPC_ENDPOINT)],
  NextToken: ['nextToken', 'string'],
});

/** A VPC endpoint as the collectors read it: the projected members of the SDK's VpcEndpoint. */
export type VpcEndpointRead = Decoded<typeof VPC_ENDPOINT>;

export const SERVICE_CONFIGURATION = struct({
  ServiceType: ['serviceType', list(struct({ ServiceType: ['serviceType', 'string'] }))],
  ServiceId: ['serviceId', 'string'],
  ServiceName: ['serviceName', 'string'],
  ServiceState: ['serviceState', 'string'],
  AvailabilityZones: ['availabilityZoneSet', list('string')],
  AcceptanceRequired: ['acceptanceRequired', 'boolean'],
  ManagesVpcEndpoints: ['managesVpcEndpoints', 'boolean'],
  NetworkLoadBalancerArns: ['networkLoadBalancerArnSet', list('string')],
  GatewayLoadBalancerArns: ['gatewayLoadBalancerArnSet', list('string')],
  PrivateDnsName: ['privateDnsName', 'string'],
  PrivateDnsNameConfiguration: ['privateDnsNameConfiguration', struct({ State: ['state', 'string'], Type: ['type', 'string'], Value: ['value', 'string'], Name: ['name', 'string'] })],
  Tags: ['tagSet', list(TAG)],
});

export const DESCRIBE_SERVICE_CONFIGURATIONS = struct({
  ServiceConfigurations: ['serviceConfigurationSet', list(SERVICE_CONFIGURATION)],
  NextToken: ['nextToken', 'string'],
});

export const DESCRIBE_SERVICE_PERMISSIONS = struct({
  AllowedPrincipals: ['allowedPrincipals', list(struct({ PrincipalType: ['principalType', 'string'], Principal: ['principal', 'string'], ServicePermissionId: ['servicePermissionId', 'string'] }))],
  NextToken: ['nextToken', 'string'],
});

export const DESCRIBE_ENDPOINT_CONNECTIONS = struct({
  VpcEndpointConnections: [
    'vpcEndpointConnectionSet',
    list(struct({ ServiceId: ['serviceId', 'string'], VpcEndpointId: ['vpcEndpointId', 'string'], VpcEndpointOwner: ['vpcEndpointOwner', 'string'], VpcEndpointState: ['vpcEndpointState', 'string'], CreationTimestamp: ['creationTimestamp', 'timestamp'] })),
  ],
  NextToken: ['nextToken', 'string'],
});

export const DESCRIBE_CONNECTION_NOTIFICATIONS = struct({
  ConnectionNotificationSet: [
    'connectionNotificationSet',
    list(
      struct({
        ConnectionNotificationId: ['connectionNotificationId', 'string'],
        ServiceId: ['serviceId', 'string'],
        ConnectionNotificationArn: ['connectionNotificationArn', 'string'],
        ConnectionEvents: ['connectionEvents', list('string')],
        ConnectionNotificationState: ['connectionNotificationState', 'string'],
      }),
    ),
  ],
  NextToken: ['nextToken', 'string'],
});

export const DESCRIBE_ENDPOINT_SERVICES = struct({
  ServiceDetails: ['serviceDetailSet', list(struct({ ServiceName: ['serviceName', 'string'], VpcEndpointPolicySupported: ['vpcEndpointPolicySupported', 'boolean'] }))],
  NextToken: ['nextToken', 'string'],
});

export type ServiceConfigurationRead = Decoded<typeof SERVICE_CONFIGURATION>;

/** Every EC2 listing the collectors read, with the projecting decoder. */
export const EC2_DECODERS = {
  DescribeVpcEndpoints: { root: 'DescribeVpcEndpointsResponse', shape: DESCRIBE_VPC_ENDPOINTS },
  DescribeVpcEndpointServiceConfigurations: { root: 'DescribeVpcEndpointServiceConfigurationsResponse', shape: DESCRIBE_SERVICE_CONFIGURATIONS },
  DescribeVpcEndpointServicePermissions: { root: 'DescribeVpcEndpointServicePermissionsResponse', shape: DESCRIBE_SERVICE_PERMISSIONS },
  DescribeVpcEndpointConnections: { root: 'DescribeVpcEndpointConnectionsResponse', shape: DESCRIBE_ENDPOINT_CONNECTIONS },
  DescribeVpcEndpointConnectionNotifications: { root: 'DescribeVpcEndpointConnectionNotificationsResponse', shape: DESCRIBE_CONNECTION_NOTIFICATIONS },
  DescribeVpcEndpointServices: { root: 'DescribeVpcEndpointServicesResponse', shape: DESCRIBE_ENDPOINT_SERVICES },
} as const satisfies Record<string, FastDecoder>;

/** A page of an EC2 listing as the collectors read it: what the projecting decoder gives. */
export type Ec2Page<O extends keyof typeof EC2_DECODERS> = Decoded<(typeof EC2_DECODERS)[O]['shape']>;

// Compile-time proof that the projection is a slice of the SDK's type: every member name is one of
// the SDK's, and the SDK's value fits each (a misnamed nested member is the differential test's).
// Timestamps compare as the decoder gives them: ISO 8601 strings where the SDK has Dates.
type Unknown<P, Full> = Exclude<keyof P, keyof Full>;
type Iso<T> = T extends Date ? string : T extends ReadonlyArray<infer E> ? Iso<E>[] : T extends object ? { [K in keyof T]: Iso<T[K]> } : T;
export const NAMES_ARE_THE_SDKS: [
  | Unknown<VpcEndpointRead, SdkVpcEndpoint>
  | Unknown<ServiceConfigurationRead, ServiceConfiguration>
  | Unknown<Decoded<typeof DESCRIBE_VPC_ENDPOINTS>, DescribeVpcEndpointsResult>
  | Unknown<Decoded<typeof DESCRIBE_SERVICE_CONFIGURATIONS>, DescribeVpcEndpointServiceConfigurationsResult>
  | Unknown<Decoded<typeof DESCRIBE_SERVICE_PERMISSIONS>, DescribeVpcEndpointServicePermissionsResult>
  | Unknown<Decoded<typeof DESCRIBE_ENDPOINT_CONNECTIONS>, DescribeVpcEndpointConnectionsResult>
  | Unknown<Decoded<typeof DESCRIBE_CONNECTION_NOTIFICATIONS>, DescribeVpcEndpointConnectionNotificationsResult>
  | Unknown<Decoded<typeof DESCRIBE_ENDPOINT_SERVICES>, DescribeVpcEndpointServicesResult>,
] extends [never]
  ? true
  : never = true;
export const sdkFits = {
  endpoints: (e: Iso<DescribeVpcEndpointsResult>): Decoded<typeof DESCRIBE_VPC_ENDPOINTS> => e,
  configurations: (e: Iso<DescribeVpcEndpointServiceConfigurationsResult>): Decoded<typeof DESCRIBE_SERVICE_CONFIGURATIONS> => e,
  permissions: (e: Iso<DescribeVpcEndpointServicePermissionsResult>): Decoded<typeof DESCRIBE_SERVICE_PERMISSIONS> => e,
  connections: (e: Iso<DescribeVpcEndpointConnectionsResult>): Decoded<typeof DESCRIBE_ENDPOINT_CONNECTIONS> => e,
  notifications: (e: Iso<DescribeVpcEndpointConnectionNotificationsResult>): Decoded<typeof DESCRIBE_CONNECTION_NOTIFICATIONS> => e,
  services: (e: Iso<DescribeVpcEndpointServicesResult>): Decoded<typeof DESCRIBE_ENDPOINT_SERVICES> => e,
};

// ---- IAM GetAccountAuthorizationDetails (awsQuery: element names are the member names, lists hold <member>) ----

const IAM_TAG = struct({ Key: ['Key', 'string'], Value: ['Value', 'string'] });
const INLINE = struct({ PolicyName: ['PolicyName', 'string'], PolicyDocument: ['PolicyDocument', 'string'] });
const ATTACHED = struct({ PolicyArn: ['PolicyArn', 'string'] });
const BOUNDARY = struct({ PermissionsBoundaryArn: ['PermissionsBoundaryArn', 'string'] });

export const USER_DETAIL = struct({
  Path: ['Path', 'string'],
  UserName: ['UserName', 'string'],
  UserId: ['UserId', 'string'],
  Arn: ['Arn', 'string'],
  UserPolicyList: ['UserPolicyList', list(INLINE, 'member')],
  GroupList: ['GroupList', list('string', 'member')],
  AttachedManagedPolicies: ['AttachedManagedPolicies', list(ATTACHED, 'member')],
  PermissionsBoundary: ['PermissionsBoundary', BOUNDARY],
  Tags: ['Tags', list(IAM_TAG, 'member')],
});

export const GROUP_DETAIL = struct({
  Path: ['Path', 'string'],
  GroupName: ['GroupName', 'string'],
  GroupId: ['GroupId', 'string'],
  Arn: ['Arn', 'string'],
  GroupPolicyList: ['GroupPolicyList', list(INLINE, 'member')],
  AttachedManagedPolicies: ['AttachedManagedPolicies', list(ATTACHED, 'member')],
});

export const ROLE_DETAIL = struct({
  Path: ['Path', 'string'],
  RoleName: ['RoleName', 'string'],
  RoleId: ['RoleId', 'string'],
  Arn: ['Arn', 'string'],
  AssumeRolePolicyDocument: ['AssumeRolePolicyDocument', 'string'],
  RolePolicyList: ['RolePolicyList', list(INLINE, 'member')],
  AttachedManagedPolicies: ['AttachedManagedPolicies', list(ATTACHED, 'member')],
  PermissionsBoundary: ['PermissionsBoundary', BOUNDARY],
  Tags: ['Tags', list(IAM_TAG, 'member')],
});

export const MANAGED_POLICY_DETAIL = struct({
  PolicyName: ['PolicyName', 'string'],
  PolicyId: ['PolicyId', 'string'],
  Arn: ['Arn', 'string'],
  Path: ['Path', 'string'],
  DefaultVersionId: ['DefaultVersionId', 'string'],
  AttachmentCount: ['AttachmentCount', 'integer'],
  PolicyVersionList: ['PolicyVersionList', list(struct({ Document: ['Document', 'string'], VersionId: ['VersionId', 'string'], IsDefaultVersion: ['IsDefaultVersion', 'boolean'] }), 'member')],
});

export const GET_ACCOUNT_AUTHORIZATION_DETAILS = struct({
  UserDetailList: ['UserDetailList', list(USER_DETAIL, 'member')],
  GroupDetailList: ['GroupDetailList', list(GROUP_DETAIL, 'member')],
  RoleDetailList: ['RoleDetailList', list(ROLE_DETAIL, 'member')],
  Policies: ['Policies', list(MANAGED_POLICY_DETAIL, 'member')],
  IsTruncated: ['IsTruncated', 'boolean'],
  Marker: ['Marker', 'string'],
});

export type AuthorizationDetailsRead = Decoded<typeof GET_ACCOUNT_AUTHORIZATION_DETAILS>;
export type UserRead = Decoded<typeof USER_DETAIL>;
export type GroupRead = Decoded<typeof GROUP_DETAIL>;
export type RoleRead = Decoded<typeof ROLE_DETAIL>;
export type ManagedPolicyRead = Decoded<typeof MANAGED_POLICY_DETAIL>;

/** The IAM operations whose successful answers the projecting decoder reads. */
export const IAM_DECODERS = {
  GetAccountAuthorizationDetails: { root: 'GetAccountAuthorizationDetailsResponse', result: 'GetAccountAuthorizationDetailsResult', shape: GET_ACCOUNT_AUTHORIZATION_DETAILS },
} as const satisfies Record<string, FastDecoder>;

export const IAM_NAMES_ARE_THE_SDKS: [
  | Unknown<AuthorizationDetailsRead, SdkAuthorizationDetails>
  | Unknown<UserRead, UserDetail>
  | Unknown<GroupRead, GroupDetail>
  | Unknown<RoleRead, RoleDetail>
  | Unknown<ManagedPolicyRead, ManagedPolicyDetail>,
] extends [never]
  ? true
  : never = true;
export const iamSdkFits = (e: Iso<SdkAuthorizationDetails>): AuthorizationDetailsRead => e;
