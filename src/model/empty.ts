import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './types.js';

/** A snapshot with every collection empty: what rule cases, tests and generators start from. */
export function emptySnapshot(head: Pick<Snapshot, 'generatedAt' | 'source' | 'scope'> & Partial<Snapshot>): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    connections: [],
    hosts: [],
    vpcEndpoints: [],
    endpointServices: [],
    iamUsers: [],
    iamGroups: [],
    iamRoles: [],
    iamPolicies: [],
    pipelines: [],
    buildProjects: [],
    sourceCredentials: [],
    coverage: [],
    ...head,
  };
}
