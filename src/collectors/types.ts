import type { CoverageGap, ResourceKind, Snapshot } from '../model/types.js';

/** One account in one region (region "global" for IAM and other global services). */
export interface Target {
  partition: string;
  account: string;
  region: string;
}

/** What a collector returns: model resources (only the collections it fills) and its gaps. */
export type Collected = Partial<Pick<Snapshot, 'connections' | 'hosts' | 'vpcEndpoints' | 'endpointServices' | 'iamUsers' | 'iamGroups' | 'iamRoles' | 'iamPolicies' | 'pipelines' | 'buildProjects' | 'sourceCredentials'>> & {
  coverage: CoverageGap[];
};

/** Where an operation failed, for the coverage gap it becomes. */
export interface GapScope {
  target: Target;
  service: string;
  operation: string;
  resourceKinds: ResourceKind[];
  /** Set when only this field of the resources is missing (the listing itself was read). */
  field?: string;
}
